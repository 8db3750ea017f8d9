//! Getting the spec's bytes: over HTTP(S) with ureq (rustls; connect and total timeouts, retries with
//! backoff on connection errors and 5xx, a redirect limit, a size cap, a content-type check), or from a
//! local file. Both refuse HTML and binary bodies with the first bytes shown, before the pipeline runs.

use std::io::Read as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Redirects followed before giving up.
pub(crate) const MAX_REDIRECTS: u32 = 5;
/// Attempts per fetch (the first try plus retries).
const ATTEMPTS: u32 = 3;
/// Wait before the first retry; doubled for each further retry.
const BACKOFF: Duration = Duration::from_millis(250);
/// Upper bound of the connect timeout (the total timeout may be lower).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Bytes of a refused body shown in the error.
const PREVIEW: usize = 200;
/// Content types a spec may be served with (besides none at all).
const ACCEPTED_TYPES: [&str; 11] = [
    // The OpenAPI media types (registered, and the common `+yaml`/`+json` forms).
    "application/vnd.oai.openapi",
    "application/vnd.oai.openapi+json",
    "application/openapi+yaml",
    "application/openapi+json",
    "application/yaml",
    "application/x-yaml",
    "text/yaml",
    "text/x-yaml",
    "application/json",
    "text/plain",
    "application/octet-stream",
];

/// Where the spec comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// An `http://` or `https://` URL.
    Url(String),
    /// A local file (`file://` prefix removed).
    File(PathBuf),
}

impl Origin {
    /// Classifies a `--from` value. A URL with credentials (`user:pass@`) or a query string is refused, with
    /// the reason: the URL is recorded in the committed lock, and nothing is stripped from it silently.
    pub(crate) fn parse(from: &str) -> Result<Self, String> {
        let lower = from.to_ascii_lowercase();
        if let Some((scheme, _)) = lower.split_once("://")
            && !matches!(scheme, "http" | "https" | "file")
            && scheme.len() > 1
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        {
            return Err(format!(
                "--from {from}: the scheme `{scheme}` is not supported; give an http(s) URL or a file path"
            ));
        }
        if !(lower.starts_with("http://") || lower.starts_with("https://")) {
            return Ok(Origin::File(PathBuf::from(
                from.strip_prefix("file://").unwrap_or(from),
            )));
        }
        let after_scheme = from.split_once("://").map_or("", |(_, rest)| rest);
        let authority = after_scheme
            .split(['/', '?', '#'])
            .next()
            .unwrap_or_default();
        if authority.contains('@') {
            let host = authority.rsplit('@').next().unwrap_or_default();
            return Err(format!(
                "--from: the URL for {host} carries credentials (`user:password@`), which would be written into \
                 the committed openapi/partoo.lock; download the spec another way and run \
                 `cargo xtask sync-spec --from PATH`"
            ));
        }
        if after_scheme.contains('?') {
            return Err(format!(
                "--from {}…: the URL has a query string, which would be written into the committed \
                 openapi/partoo.lock as is (it may hold a token); download the spec another way and run \
                 `cargo xtask sync-spec --from PATH`",
                from.split('?').next().unwrap_or_default()
            ));
        }
        Ok(Origin::Url(from.to_owned()))
    }

    /// The text recorded in the lock and used in messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            Origin::Url(u) => u.clone(),
            Origin::File(p) => p.display().to_string(),
        }
    }
}

/// Limits of one fetch.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// Total time for one HTTP attempt, redirects and body included.
    pub(crate) timeout: Duration,
    /// Largest body accepted.
    pub(crate) max_bytes: u64,
}

/// Reads the spec from `origin`, printing progress lines on stderr.
pub(crate) fn fetch(origin: &Origin, limits: Limits) -> Result<Vec<u8>, String> {
    let started = Instant::now();
    let name = origin.describe();
    let bytes = match origin {
        Origin::File(path) => {
            eprintln!("reading {name} …");
            let bytes =
                partoo_api_build::load::read_capped(path, limits.max_bytes).map_err(|e| {
                    let e = e.replace("-byte limit", "-byte limit (--max-bytes)");
                    format!("{name}: {e}")
                })?;
            sniff(&bytes)
                .map_err(|what| format!("{name}: {what}; first bytes: {}", preview(&bytes)))?;
            bytes
        }
        Origin::Url(url) => {
            eprintln!("fetching {url} …");
            get_with_retries(url, limits)?
        }
    };
    let verb = if matches!(origin, Origin::File(_)) {
        "read"
    } else {
        "fetched"
    };
    eprintln!(
        "{verb} {} in {} ms",
        kilobytes(bytes.len()),
        started.elapsed().as_millis()
    );
    Ok(bytes)
}

/// `N KB` (or bytes when under one KiB).
pub(crate) fn kilobytes(n: usize) -> String {
    if n < 1024 {
        format!("{n} bytes")
    } else {
        format!("{} KB", n.div_ceil(1024))
    }
}

/// Suggestion shown when the server cannot be reached.
const OFFLINE: &str =
    "no network? download the spec another way and run `cargo xtask sync-spec --from PATH`";

/// One failed attempt: the message, whether another attempt may succeed, whether the server was unreachable.
struct Failure {
    message: String,
    retry: bool,
    offline: bool,
}

impl Failure {
    /// A failure that another attempt would not change.
    fn fatal(message: String) -> Self {
        Self {
            message,
            retry: false,
            offline: false,
        }
    }
}

fn get_with_retries(url: &str, limits: Limits) -> Result<Vec<u8>, String> {
    let agent = agent(limits);
    let mut delay = BACKOFF;
    for attempt in 1..=ATTEMPTS {
        match get_once(&agent, url, limits) {
            Ok(bytes) => return Ok(bytes),
            Err(f) if f.retry && attempt < ATTEMPTS => {
                eprintln!(
                    "{}; retrying in {} ms (attempt {} of {ATTEMPTS})",
                    f.message,
                    delay.as_millis(),
                    attempt + 1
                );
                std::thread::sleep(delay);
                delay *= 2;
            }
            Err(f) => {
                let tries = if f.retry {
                    format!(" (gave up after {ATTEMPTS} attempts)")
                } else {
                    String::new()
                };
                let hint = if f.offline {
                    format!("\n  hint: {OFFLINE}")
                } else {
                    String::new()
                };
                return Err(format!("{}{tries}{hint}", f.message));
            }
        }
    }
    Err(format!("GET {url}: no attempt made"))
}

fn agent(limits: Limits) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(limits.timeout))
        .timeout_connect(Some(limits.timeout.min(CONNECT_TIMEOUT)))
        .max_redirects(MAX_REDIRECTS)
        .http_status_as_error(false)
        .user_agent(concat!(
            "partoo-api-xtask/",
            env!("CARGO_PKG_VERSION"),
            " (cargo xtask sync-spec)"
        ))
        .accept(
            "application/vnd.oai.openapi, application/yaml, application/x-yaml;q=0.9, application/json;q=0.8, */*;q=0.1",
        )
        .build()
        .new_agent()
}

fn get_once(agent: &ureq::Agent, url: &str, limits: Limits) -> Result<Vec<u8>, Failure> {
    let mut response = agent
        .get(url)
        .call()
        .map_err(|e| transport_failure(url, &e, limits))?;
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let shown_type = content_type.as_deref().unwrap_or("none");
    let status_text = format!(
        "HTTP {} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    let status_text = status_text.trim_end();
    if !status.is_success() {
        let head = read_head(response.body_mut());
        return Err(Failure {
            message: format!(
                "GET {url}: {status_text} (content type {shown_type}); first bytes: {}",
                preview(&head)
            ),
            retry: status.is_server_error(),
            offline: false,
        });
    }
    if let Some(ct) = &content_type
        && !content_type_ok(ct)
    {
        let head = read_head(response.body_mut());
        return Err(Failure::fatal(format!(
            "GET {url}: {status_text} with content type `{ct}`, not YAML or JSON; first bytes: {}",
            preview(&head)
        )));
    }
    let too_large = |len: u64| {
        Failure::fatal(format!(
            "GET {url}: the body is {len} bytes, over the {}-byte limit (--max-bytes); is this the bundled spec?",
            limits.max_bytes
        ))
    };
    if let Some(len) = response.body().content_length()
        && len > limits.max_bytes
    {
        return Err(too_large(len));
    }
    let bytes = match response
        .body_mut()
        .with_config()
        .limit(limits.max_bytes)
        .read_to_vec()
    {
        Ok(bytes) => bytes,
        Err(ureq::Error::BodyExceedsLimit(_)) => {
            return Err(Failure::fatal(format!(
                "GET {url}: the body is over the {}-byte limit (--max-bytes); is this the bundled spec?",
                limits.max_bytes
            )));
        }
        Err(e) => return Err(transport_failure(url, &e, limits)),
    };
    sniff(&bytes).map_err(|what| {
        Failure::fatal(format!(
            "GET {url}: {status_text} (content type {shown_type}): {what}; first bytes: {}",
            preview(&bytes)
        ))
    })?;
    Ok(bytes)
}

/// Turns a ureq error into a failure; connection problems are retried and suggest `--from`.
fn transport_failure(url: &str, e: &ureq::Error, limits: Limits) -> Failure {
    let (message, offline) = match e {
        ureq::Error::Timeout(ureq::Timeout::Connect) => {
            (format!("GET {url}: connect timed out"), true)
        }
        ureq::Error::Timeout(which) => {
            let ms = limits.timeout.as_millis();
            let message = format!(
                "GET {url}: timed out after {ms} ms ({which}); wait longer with --timeout-ms"
            );
            // Past name resolution, the server was reached: the network is there, the server is slow.
            return Failure {
                message,
                retry: false,
                offline: matches!(which, ureq::Timeout::Resolve),
            };
        }
        ureq::Error::HostNotFound => (format!("GET {url}: host not found"), true),
        ureq::Error::ConnectionFailed => (format!("GET {url}: connection failed"), true),
        ureq::Error::Io(io) => (format!("GET {url}: {io}"), true),
        ureq::Error::TooManyRedirects => (
            format!("GET {url}: more than {MAX_REDIRECTS} redirects"),
            false,
        ),
        other => (format!("GET {url}: {other}"), false),
    };
    Failure {
        message,
        retry: offline,
        offline,
    }
}

/// Whether a `Content-Type` header names a type a spec may be served with.
pub(crate) fn content_type_ok(header: &str) -> bool {
    let essence = header
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence.is_empty() || ACCEPTED_TYPES.contains(&essence.as_str())
}

/// Refuses bodies that cannot be a YAML or JSON document: HTML/XML pages and binary data.
pub(crate) fn sniff(bytes: &[u8]) -> Result<(), &'static str> {
    let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let first = text.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'<') {
        return Err(
            "this is an HTML or XML page, not an OpenAPI document (a login wall, an error page or a wrong URL?)",
        );
    }
    if text.iter().take(4096).any(|b| *b == 0) || std::str::from_utf8(text).is_err() {
        return Err("this is binary data, not a YAML or JSON document");
    }
    Ok(())
}

/// The first bytes of a body, for error messages: lossy UTF-8, quoted with escapes.
pub(crate) fn preview(bytes: &[u8]) -> String {
    let head = &bytes[..bytes.len().min(PREVIEW)];
    let more = if bytes.len() > PREVIEW { "…" } else { "" };
    format!("{:?}{more}", String::from_utf8_lossy(head))
}

/// Reads at most a preview's worth of an unwanted body (errors ignored: it is only shown).
fn read_head(body: &mut ureq::Body) -> Vec<u8> {
    let mut head = Vec::new();
    let _ = body
        .as_reader()
        .take(PREVIEW as u64 + 1)
        .read_to_end(&mut head);
    head
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        for ok in [
            "application/yaml",
            "text/yaml; charset=utf-8",
            "Application/JSON",
            "application/vnd.oai.openapi",
            "application/vnd.oai.openapi;version=3.1",
            "application/openapi+yaml",
            "text/plain",
            "",
        ] {
            assert!(content_type_ok(ok), "{ok}");
        }
        for bad in [
            "text/html",
            "text/html; charset=utf-8",
            "application/zip",
            "image/png",
        ] {
            assert!(!content_type_ok(bad), "{bad}");
        }
    }

    #[test]
    fn sniffing_refuses_html_and_binary() {
        assert!(sniff(b"openapi: 3.1.0\n").is_ok());
        assert!(sniff(b"{\"openapi\": \"3.0.0\"}").is_ok());
        assert!(sniff(b"\n  <!doctype html><html>").is_err());
        assert!(sniff(b"PK\x03\x04\x00\x00").is_err());
        assert!(sniff(b"\xff\xfe").is_err());
    }

    #[test]
    fn origins_and_previews() {
        assert_eq!(
            Origin::parse("HTTPS://x/y.yaml"),
            Ok(Origin::Url("HTTPS://x/y.yaml".to_owned()))
        );
        assert_eq!(
            Origin::parse("file:///tmp/a.yaml"),
            Ok(Origin::File(PathBuf::from("/tmp/a.yaml")))
        );
        assert_eq!(
            Origin::parse("../a.yaml"),
            Ok(Origin::File(PathBuf::from("../a.yaml")))
        );
        assert!(Origin::parse("https://u:p@x/y.yaml").is_err_and(|e| e.contains("credentials")));
        assert!(Origin::parse("https://x/y.yaml?t=1").is_err_and(|e| e.contains("query string")));
        // An `@` in the path is no credential.
        assert!(Origin::parse("https://x/@v2/y.yaml").is_ok());
        // Another scheme is refused by name, not read as a file called `ftp:/…`.
        assert!(
            Origin::parse("ftp://x/y.yaml").is_err_and(|e| e.contains("`ftp` is not supported")),
        );
        // A Windows drive letter is a path.
        assert!(Origin::parse("C:/specs/a.yaml").is_ok());
        assert_eq!(preview(b"<html>\n"), "\"<html>\\n\"");
        assert!(preview(&[b'a'; 300]).ends_with('…'));
        assert_eq!(kilobytes(10), "10 bytes");
        assert_eq!(kilobytes(2048), "2 KB");
    }
}
