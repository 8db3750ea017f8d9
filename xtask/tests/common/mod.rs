//! Helpers for the `sync-spec` tests: a scratch copy of `openapi/`, a small HTTP server on 127.0.0.1, the
//! xtask binary, and spec variants derived from the committed spec.

// Test helpers: any failure here is a test failure, so panicking is the point.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

fn committed_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../openapi")
}

/// The committed `openapi/partoo.yaml`.
pub(crate) fn committed_spec() -> String {
    std::fs::read_to_string(committed_dir().join("partoo.yaml")).unwrap()
}

fn replace_once(text: &mut String, from: &str, to: &str) {
    assert_eq!(
        text.matches(from).count(),
        1,
        "{from:?} must occur once in the committed spec"
    );
    *text = text.replacen(from, to, 1);
}

/// The committed spec with one operation added (`GET /ping`), one removed (`POST /connection/revoke_token`),
/// one renamed (`checkConnectionToken` → `checkConnectionTokenState`, with a new optional query parameter
/// and a response field fewer) and `info.version` v3.
pub(crate) fn changed_spec() -> String {
    let mut s = committed_spec();
    replace_once(&mut s, "\n  version: v2\n", "\n  version: v3\n");
    let start = s.find("  /connection/revoke_token:\n").unwrap();
    let end = s.find("  /connection/check_token:\n").unwrap();
    s.replace_range(start..end, "");
    replace_once(
        &mut s,
        "operationId: checkConnectionToken\n",
        "operationId: checkConnectionTokenState\n",
    );
    replace_once(
        &mut s,
        "connection-tokens/check-connection-token\n      parameters:\n",
        "connection-tokens/check-connection-token\n      parameters:\n        - name: detailed\n          in: query\n          \
         schema:\n            type: boolean\n",
    );
    replace_once(
        &mut s,
        "        generated_by:\n          type: string\n          example: 5309c3a237bbc544d8e26737\n",
        "",
    );
    replace_once(
        &mut s,
        "\npaths:\n",
        "\npaths:\n  /ping:\n    get:\n      operationId: ping\n      responses:\n        '200':\n          description: OK\n",
    );
    s
}

/// A scratch workspace root holding a copy of the committed `openapi/`; removed when dropped.
pub(crate) struct Scratch {
    /// The root to pass as `--root`.
    pub(crate) root: PathBuf,
}

impl Scratch {
    /// A fresh copy for the test `name`.
    pub(crate) fn new(name: &str) -> Self {
        let root =
            std::env::temp_dir().join(format!("xtask-sync-spec-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("openapi")).unwrap();
        for file in [
            "partoo.yaml",
            "partoo.json",
            "partoo.lock",
            "partoo.api.md",
            "names.yaml",
        ] {
            std::fs::copy(committed_dir().join(file), root.join("openapi").join(file)).unwrap();
        }
        Self { root }
    }

    /// The scratch `openapi/`.
    pub(crate) fn openapi(&self) -> PathBuf {
        self.root.join("openapi")
    }

    /// File name → sha256 of every file in the scratch `openapi/` (a leftover temporary file shows up too).
    pub(crate) fn snapshot(&self) -> BTreeMap<String, String> {
        files(&self.openapi())
            .into_iter()
            .map(|(name, path)| {
                let digest = Sha256::digest(std::fs::read(path).unwrap());
                (name, digest.iter().map(|b| format!("{b:02x}")).collect())
            })
            .collect()
    }

    /// File name → modification time.
    pub(crate) fn mtimes(&self) -> BTreeMap<String, SystemTime> {
        files(&self.openapi())
            .into_iter()
            .map(|(name, path)| (name, std::fs::metadata(path).unwrap().modified().unwrap()))
            .collect()
    }

    /// Runs `xtask sync-spec --root <scratch> <args>`, with no proxy and no URL override from the environment.
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self.run_with_url_env(args, None)
    }

    /// [`Scratch::run`] with `PARTOO_OPENAPI_URL` set to `url`, if given.
    pub(crate) fn run_with_url_env(&self, args: &[&str], url: Option<&str>) -> Output {
        let mut cmd = self.command(args);
        if let Some(url) = url {
            cmd.env("PARTOO_OPENAPI_URL", url);
        }
        cmd.output().unwrap()
    }

    /// The command [`Scratch::run`] runs, to add to its environment.
    pub(crate) fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
        cmd.arg("sync-spec")
            .arg("--root")
            .arg(&self.root)
            .args(args);
        for var in [
            "HTTP_PROXY",
            "http_proxy",
            "HTTPS_PROXY",
            "https_proxy",
            "ALL_PROXY",
            "all_proxy",
            "PARTOO_OPENAPI_URL",
        ] {
            cmd.env_remove(var);
        }
        cmd
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }
}

fn files(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    out.sort();
    out
}

/// Asserts success; returns stdout and stderr.
pub(crate) fn ok(out: &Output) -> (String, String) {
    let (stdout, stderr) = texts(out);
    assert!(
        out.status.success(),
        "expected success, got {}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status
    );
    (stdout, stderr)
}

/// Asserts failure with exit code 1 and an `error:` line; returns stderr.
pub(crate) fn fails(out: &Output) -> String {
    let (stdout, stderr) = texts(out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "expected failure\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stderr.contains("error: "), "{stderr}");
    stderr
}

fn texts(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// What the server sends for one connection: raw HTTP bytes, after a delay.
pub(crate) struct Reply {
    /// Wait before answering.
    pub(crate) delay: Duration,
    /// The whole response (status line, headers, body).
    pub(crate) bytes: Vec<u8>,
}

impl Reply {
    /// Answers at once.
    pub(crate) fn now(bytes: Vec<u8>) -> Self {
        Self {
            delay: Duration::ZERO,
            bytes,
        }
    }
}

/// An HTTP/1.1 response with `Content-Length` and `Connection: close`.
pub(crate) fn response(status: &str, content_type: Option<&str>, body: &[u8]) -> Vec<u8> {
    let ct = content_type
        .map(|c| format!("Content-Type: {c}\r\n"))
        .unwrap_or_default();
    let mut bytes = format!(
        "HTTP/1.1 {status}\r\n{ct}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// A server on 127.0.0.1; its threads live until the test process ends.
pub(crate) struct Server {
    addr: std::net::SocketAddr,
    hits: Arc<AtomicUsize>,
}

impl Server {
    /// `http://127.0.0.1:PORT{path}`.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Requests received so far.
    pub(crate) fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// Serves every connection (one request each) with `handler(request index, request path)`.
pub(crate) fn serve(handler: impl Fn(usize, &str) -> Reply + Send + Sync + 'static) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&hits);
    let handler = Arc::new(handler);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let handler = Arc::clone(&handler);
            let counter = Arc::clone(&counter);
            std::thread::spawn(move || {
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&request);
                let path = text.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let n = counter.fetch_add(1, Ordering::SeqCst);
                let reply = handler(n, &path);
                std::thread::sleep(reply.delay);
                let _ = stream.write_all(&reply.bytes);
                let _ = stream.flush();
            });
        }
    });
    Server { addr, hits }
}
