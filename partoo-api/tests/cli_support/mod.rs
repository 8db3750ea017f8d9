//! Helpers shared by the `partoo` binary's tests (`cli.rs`, `cli_all.rs`): the fixture pages, a key no output
//! may contain, and running the binary against a wiremock server.

// Each test file uses a different subset of these helpers.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Output;

use serde_json::Value;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub(crate) const PAGES: [&str; 3] = [
    include_str!("../fixtures/businesses_page_1.json"),
    include_str!("../fixtures/businesses_page_2.json"),
    include_str!("../fixtures/businesses_page_3.json"),
];

/// A key no output may contain.
pub(crate) const KEY: &str = "sekret-cli-key-0123456789";

/// Runs `partoo ARGS` against `server` (key from the environment unless `args` give one), off the runtime.
pub(crate) async fn partoo(server: Option<&MockServer>, args: &[&str]) -> Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_partoo"));
    cmd.args(args)
        .env("PARTOO_API_KEY", KEY)
        .env_remove("PARTOO_ENV")
        .env_remove("PARTOO_BASE_URL");
    if let Some(server) = server {
        cmd.env("PARTOO_BASE_URL", server.uri());
    }
    tokio::task::spawn_blocking(move || cmd.output().expect("partoo runs"))
        .await
        .expect("joined")
}

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub(crate) fn code(out: &Output) -> i32 {
    out.status.code().expect("exited, not killed")
}

pub(crate) fn json_body(body: &Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.to_string(), "application/json")
}

pub(crate) async fn three_pages() -> MockServer {
    let server = MockServer::builder().start().await;
    for (n, page) in PAGES.iter().enumerate() {
        Mock::given(method("GET"))
            .and(path("/business/search"))
            .and(query_param("page", (n + 1).to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_raw(*page, "application/json"))
            .mount(&server)
            .await;
    }
    server
}

pub(crate) fn fixture_ids() -> Vec<String> {
    PAGES
        .iter()
        .flat_map(|page| {
            let page: Value = serde_json::from_str(page).expect("fixture is JSON");
            page["businesses"]
                .as_array()
                .expect("businesses")
                .iter()
                .map(|b| b["id"].as_str().expect("id").to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A directory of one test's own under the system's temporary directory, removed when dropped, also when
/// the test fails (the binary's tests used to leave one per run in `/tmp`).
pub(crate) struct Scratch(PathBuf);

impl Scratch {
    /// Creates `partoo-cli-NAME-PID`; `name` must differ between tests, which run in parallel.
    pub(crate) fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("partoo-cli-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir)
    }

    /// Writes `bytes` to `file` in the directory; its path as text, for an argument.
    pub(crate) fn write(&self, file: &str, bytes: impl AsRef<[u8]>) -> String {
        let path = self.0.join(file);
        std::fs::write(&path, bytes).expect("write temp file");
        path.to_str().expect("utf-8 path").to_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // Best effort: a directory left behind is litter, not a failure of the test.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
