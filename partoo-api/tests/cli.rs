//! The `partoo` binary (feature `cli`) against a local wiremock server: one operation's output, `--body`,
//! exit codes, configuration, and the API key kept out of every output (`--all` is in `cli_all.rs`).
#![cfg(feature = "cli")]

mod cli_support;

use std::process::Output;

use cli_support::{KEY, PAGES, Scratch, code, json_body, partoo, text};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test(flavor = "multi_thread")]
async fn one_operation_prints_its_body_as_one_json_document() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/business/b-1"))
        .respond_with(json_body(
            &json!({"id": "b-1", "name": "Corner shop", "city": "Paris", "added_later": {"kept": true}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let out = partoo(Some(&server), &["get-business", "--business-id", "b-1"]).await;
    assert_eq!(code(&out), 0, "stderr: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    // Not a terminal: compact, one line.
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let value: Value = serde_json::from_str(&stdout).expect("stdout is JSON");
    assert_eq!(value["id"], "b-1");
    assert_eq!(value["name"], "Corner shop");
    // Nothing is lost: a field outside the spec is printed too.
    assert_eq!(value["added_later"], json!({"kept": true}));
}

#[tokio::test(flavor = "multi_thread")]
async fn one_operation_prints_its_body_token_for_token() {
    // Key order, a number past f64's precision, `1.10` and a repeated key: a round trip through
    // `serde_json::Value` sorted the keys, rounded the numbers and kept one of the two `dup`.
    let body = "{\"zeta\": 1, \"id\": \"b-1\",\n \"big\": 12345678901234567890123, \"n\": 1.10, \"dup\": 1, \"dup\": 2}";
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/business/b-1"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    let out = partoo(Some(&server), &["get-business", "--business-id", "b-1"]).await;
    assert_eq!(code(&out), 0, "stderr: {}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "{\"zeta\":1,\"id\":\"b-1\",\"big\":12345678901234567890123,\"n\":1.10,\"dup\":1,\"dup\":2}\n"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn flags_reach_the_query_with_their_types_and_repeats() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/business/search"))
        .and(query_param("city", "Paris"))
        .and(query_param("org_id", "42"))
        .and(query_param("status", "temporarily_closed"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(PAGES[0], "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    let out = partoo(
        Some(&server),
        &[
            "search-businesses",
            "--city",
            "Paris",
            "--org-id",
            "42",
            "--groups",
            "1,2",
            "--groups",
            "3",
            "--status",
            "temporarily_closed",
        ],
    )
    .await;
    assert_eq!(code(&out), 0, "stderr: {}", text(&out.stderr));
    let requests = server.received_requests().await.expect("recording");
    let query = requests[0].url.query().unwrap_or_default().to_owned();
    for group in ["1", "2", "3"] {
        assert!(
            requests[0]
                .url
                .query_pairs()
                .any(|(k, v)| k == "groups" && v == group),
            "group {group} missing from {query}"
        );
    }
    let value: Value = serde_json::from_str(&text(&out.stdout)).expect("JSON");
    assert_eq!(value["businesses"].as_array().map(Vec::len), Some(30));
}

/// A negative number after a flag is its value: clap read `-1` as an unknown short flag (exit 2), so only
/// `--page=-1` worked. Partoo refuses these values, but that is for the server to say.
#[tokio::test(flavor = "multi_thread")]
async fn a_negative_number_after_a_flag_is_its_value() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/business/search"))
        .and(query_param("org_id", "-42"))
        .and(query_param("page", "-1"))
        .and(query_param("modified__gte", "-1.5"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(PAGES[0], "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    let out = partoo(
        Some(&server),
        &[
            "search-businesses",
            "--org-id",
            "-42",
            "--page",
            "-1",
            "--modified-gte",
            "-1.5",
        ],
    )
    .await;
    assert_eq!(code(&out), 0, "stderr: {}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_api_error_exits_1_with_partoos_message_and_the_body_when_verbose() {
    let server = MockServer::builder().start().await;
    let body = json!({"errors": {"json": {"business_id": "no such business"}}});
    Mock::given(method("GET"))
        .and(path("/business/nope"))
        .respond_with(ResponseTemplate::new(404).set_body_raw(body.to_string(), "application/json"))
        .mount(&server)
        .await;
    let out = partoo(Some(&server), &["get-business", "--business-id", "nope"]).await;
    assert_eq!(code(&out), 1);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("404"), "{stderr}");
    assert!(stderr.contains("no such business"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(out.stdout.is_empty());

    let out = partoo(
        Some(&server),
        &["get-business", "--business-id", "nope", "--verbose"],
    )
    .await;
    assert_eq!(code(&out), 1);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("> GET /business/{business_id}"), "{stderr}");
    assert!(stderr.contains(&body.to_string()), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn authentication_failures_exit_4() {
    for status in [401, 403] {
        let server = MockServer::builder().start().await;
        Mock::given(method("GET"))
            .and(path("/business/b-1"))
            .respond_with(ResponseTemplate::new(status).set_body_raw(
                json!({"errors": {"authentication": "invalid key"}}).to_string(),
                "application/json",
            ))
            .mount(&server)
            .await;
        let out = partoo(Some(&server), &["get-business", "--business-id", "b-1"]).await;
        assert_eq!(code(&out), 4, "status {status}: {}", text(&out.stderr));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_errors_exit_2_before_any_request() {
    let server = MockServer::builder().start().await;
    // A required flag missing (clap).
    let out = partoo(Some(&server), &["get-business"]).await;
    assert_eq!(code(&out), 2);
    // A value of the wrong type (our conversion), naming the flag.
    let out = partoo(
        Some(&server),
        &["search-businesses", "--org-id", "forty-two"],
    )
    .await;
    assert_eq!(code(&out), 2);
    assert!(
        text(&out.stderr).contains("--org-id"),
        "{}",
        text(&out.stderr)
    );
    // A value that is JSON of another type says what it was read as, not that a string was refused
    // (`--page 2.5` was "invalid type: string \"2.5\", expected i64").
    let out = partoo(Some(&server), &["search-businesses", "--page", "2.5"]).await;
    assert_eq!(code(&out), 2);
    assert_eq!(
        text(&out.stderr).trim(),
        "error: --page: invalid value \"2.5\": invalid type: floating point `2.5`, expected i64"
    );
    // An integer beyond 64 bits: for an integer flag, the reason is its width, not "floating point `1e20`"
    // (serde_json's reading of it); for a flag that takes any JSON, it was sent rounded to 1e20, exit 0.
    for (args, flag) in [
        (
            &["search-businesses", "--org-id", "99999999999999999999"][..],
            "--org-id",
        ),
        (
            &[
                "get-user",
                "--user-id",
                "u1",
                "--display-business-ids",
                "99999999999999999999",
            ][..],
            "--display-business-ids",
        ),
    ] {
        let out = partoo(Some(&server), args).await;
        assert_eq!(code(&out), 2, "{}", text(&out.stderr));
        assert_eq!(
            text(&out.stderr).trim(),
            format!(
                "error: {flag}: invalid value \"99999999999999999999\": the integer 99999999999999999999 does \
                 not fit in 64 bits (a JSON reader would send 1e20); write it as a string if the field takes one"
            )
        );
    }
    // A value the parameter's schema does not list (the client's enums would send it as `Unknown`), alone
    // or in a list, naming the flag and the values.
    for (flag, value) in [("--status", "bogus"), ("--features-in", "posts,bogus")] {
        let out = partoo(Some(&server), &["search-businesses", flag, value]).await;
        assert_eq!(code(&out), 2, "{}", text(&out.stderr));
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(flag)
                && stderr.contains("'bogus'")
                && stderr.contains("possible values"),
            "{stderr}"
        );
    }
    // A body that does not fit the request type, naming the field.
    let scratch = Scratch::new("usage");
    let file = scratch.write("body.json", r#"{"name": 12}"#);
    let out = partoo(Some(&server), &["create-business", "--body", &file]).await;
    assert_eq!(code(&out), 2, "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("name"), "{}", text(&out.stderr));
    assert!(
        server
            .received_requests()
            .await
            .expect("recording")
            .is_empty(),
        "nothing was sent"
    );
}

/// A base URL the client refuses is a usage error that says where the URL came from.
#[test]
fn a_refused_base_url_names_its_source() {
    for (flag, variable, source) in [
        (None, Some("http://example.com"), "PARTOO_BASE_URL: "),
        (Some("http://example.com"), None, "--base-url: "),
    ] {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_partoo"));
        cmd.env("PARTOO_API_KEY", KEY)
            .env_remove("PARTOO_ENV")
            .env_remove("PARTOO_BASE_URL")
            .args(["search-businesses", "--page", "1"]);
        if let Some(url) = flag {
            cmd.args(["--base-url", url]);
        }
        if let Some(url) = variable {
            cmd.env("PARTOO_BASE_URL", url);
        }
        let out = cmd.output().expect("partoo runs");
        assert_eq!(code(&out), 2, "{}", text(&out.stderr));
        let stderr = text(&out.stderr);
        assert!(stderr.contains(source), "{stderr}");
        assert!(stderr.contains("plain http"), "{stderr}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_path_parameter_that_would_change_the_path_is_refused() {
    // `""` gave `GET /business/`, and `..` climbed out of it to `GET /`.
    let server = MockServer::builder().start().await;
    // Also as JSON strings, which flag values are read as first: the library refused `".."`, but without
    // naming the flag.
    for id in ["", ".", "..", "\"..\"", "\"\"", "a\\b"] {
        let out = partoo(Some(&server), &["get-business", "--business-id", id]).await;
        assert_eq!(code(&out), 2, "{id:?}: {}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("--business-id"),
            "{}",
            text(&out.stderr)
        );
    }
    assert!(
        server
            .received_requests()
            .await
            .expect("recording")
            .is_empty(),
        "nothing was sent"
    );
    // A value with a slash is one segment still (percent-encoded), so it is allowed.
    Mock::given(method("GET"))
        .and(path("/business/a%2Fb..c"))
        .respond_with(json_body(&json!({"id": "a/b..c"})))
        .expect(1)
        .mount(&server)
        .await;
    let out = partoo(Some(&server), &["get-business", "--business-id", "a/b..c"]).await;
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_transport_failure_says_why_on_one_line() {
    // Port 1 on loopback: nothing listens. The message was reqwest's top line alone ("error sending request
    // for url (…)"), without the cause below it.
    let out = partoo(
        None,
        &[
            "--base-url",
            "http://127.0.0.1:1",
            "get-business",
            "--business-id",
            "b-1",
        ],
    )
    .await;
    assert_eq!(code(&out), 3, "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("could not reach Partoo"), "{stderr}");
    assert!(stderr.to_lowercase().contains("connect"), "{stderr}");
    assert!(!stderr.contains(KEY));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_undecodable_success_exits_3() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/business/b-1"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("<html>proxy</html>", "text/html"))
        .mount(&server)
        .await;
    let out = partoo(Some(&server), &["get-business", "--business-id", "b-1"]).await;
    assert_eq!(code(&out), 3, "{}", text(&out.stderr));
}

/// `partoo delete-custom-role` of `old_role`, answered with `response` once.
async fn delete_old_role(response: ResponseTemplate) -> Output {
    let server = MockServer::builder().start().await;
    Mock::given(method("DELETE"))
        .and(path("/custom_role/old_role"))
        .respond_with(response)
        .expect(1)
        .mount(&server)
        .await;
    let args = [
        "delete-custom-role",
        "--custom-role-api-id",
        "old_role",
        "--org-id",
        "7",
    ];
    partoo(Some(&server), &args).await
}

/// A delete answered with `204 No Content`, or a 200 without a body, where the spec documents a JSON body:
/// the request was processed, so the command succeeds with nothing on stdout and says why on stderr. Both
/// exited 3 ("unexpected response body … EOF while parsing") although the role was gone.
#[tokio::test(flavor = "multi_thread")]
async fn an_empty_success_body_exits_0_with_a_note() {
    for (status, name) in [(204, "No Content"), (200, "OK")] {
        let out = delete_old_role(ResponseTemplate::new(status)).await;
        let stderr = text(&out.stderr);
        assert_eq!(code(&out), 0, "{status}: {stderr}");
        assert_eq!(text(&out.stdout), "", "{status}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with(&format!("note: {status} {name} without a body")),
            "{stderr}"
        );
    }
}

/// A success body that is present but does not decode still fails (the output is the body once it has
/// decoded, see the README): only an empty one is let through.
#[tokio::test(flavor = "multi_thread")]
async fn a_success_body_that_is_blank_but_not_empty_still_exits_3() {
    let blank = ResponseTemplate::new(200).set_body_raw(" \n", "application/json");
    let out = delete_old_role(blank).await;
    assert_eq!(code(&out), 3, "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_key_is_never_printed_even_verbose() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/business/b-1"))
        .respond_with(ResponseTemplate::new(401).set_body_raw(
            json!({"errors": {"authentication": "bad key"}}).to_string(),
            "application/json",
        ))
        .mount(&server)
        .await;
    let runs = [
        partoo(
            Some(&server),
            &["get-business", "--business-id", "b-1", "--verbose"],
        )
        .await,
        partoo(
            Some(&server),
            &[
                "get-business",
                "--business-id",
                "b-1",
                "-v",
                "--api-key",
                KEY,
            ],
        )
        .await,
        partoo(Some(&server), &["search-businesses", "--all", "-v"]).await,
    ];
    for out in &runs {
        assert_ne!(code(out), 0);
        for stream in [&out.stdout, &out.stderr] {
            assert!(!text(stream).contains(KEY), "key printed: {}", text(stream));
        }
    }
    // The key did reach the server, so the runs above did use it.
    let requests = server.received_requests().await.expect("recording");
    assert!(
        requests
            .iter()
            .any(|r| r.headers.values().any(|v| v.as_bytes() == KEY.as_bytes())),
        "the key was sent"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn help_lists_operations_and_marks_deprecated_ones() {
    let out = partoo(None, &["--help"]).await;
    assert_eq!(code(&out), 0);
    let help = text(&out.stdout);
    for command in [
        "search-businesses",
        "get-business",
        "send-message",
        "webhooks",
        "completions",
    ] {
        assert!(help.contains(command), "{command} missing from --help");
    }
    assert!(help.contains("(deprecated)"), "no deprecated marker");
    let out = partoo(None, &["completions", "bash"]).await;
    assert_eq!(code(&out), 0);
    assert!(text(&out.stdout).contains("search-businesses"));
}

/// A webhook body signed with a key made from `seed`, written with the raw public key to a temporary
/// directory named after `name`.
struct SignedDelivery {
    key: String,
    file: String,
    signature: String,
    _dir: Scratch,
}

impl SignedDelivery {
    const BODY: &[u8] = br#"{"type": "not_a_known_event", "data": {}}"#;

    fn new(name: &str, seed: u8) -> Self {
        use base64::Engine as _;
        use ring::signature::{Ed25519KeyPair, KeyPair};

        let pair = Ed25519KeyPair::from_seed_unchecked(&[seed; 32]).expect("seed makes a key");
        let dir = Scratch::new(name);
        Self {
            key: dir.write("key.bin", pair.public_key()),
            file: dir.write("body.json", Self::BODY),
            signature: base64::engine::general_purpose::STANDARD.encode(pair.sign(Self::BODY)),
            _dir: dir,
        }
    }

    /// `webhooks verify --signature … --public-key … BODY`.
    fn args(&self) -> [&str; 7] {
        [
            "webhooks",
            "verify",
            "--signature",
            &self.signature,
            "--public-key",
            &self.key,
            &self.file,
        ]
    }
}

/// Runs `partoo ARGS` with a stdout read for at most `keep` bytes and then closed, as `| head -c KEEP` does.
fn partoo_into_closed_pipe(args: &[&str], keep: usize) -> Output {
    use std::io::Read;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_partoo"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("partoo starts");
    let mut stdout = child.stdout.take().expect("piped");
    let mut head = vec![0; keep];
    let _ = stdout.read(&mut head);
    drop(stdout);
    child.wait_with_output().expect("partoo ends")
}

/// Help or version that cannot be written (a full disk) is a failure, as any other output is (exit 3); it
/// exited 0 before.
#[cfg(target_os = "linux")]
#[test]
fn help_that_cannot_be_written_exits_3() {
    for args in [&["--help"][..], &["--version"], &["get-business", "--help"]] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full opens");
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_partoo"))
            .args(args)
            .stdout(full)
            .output()
            .expect("partoo runs");
        assert_eq!(code(&out), 3, "{args:?}: {}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("cannot write to stdout"),
            "{}",
            text(&out.stderr)
        );
    }
}

#[test]
fn a_stdout_closed_early_ends_quietly() {
    // The bash script is far over a pipe's buffer, so most of it meets a closed pipe: clap_complete's writer
    // panicked (exit 101) on that.
    let out = partoo_into_closed_pipe(&["completions", "bash"], 16);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "");
    // `webhooks verify` prints once the signature holds; its stdout is closed before that.
    let delivery = SignedDelivery::new("pipe", 9);
    let args = delivery.args();
    let out = partoo_into_closed_pipe(&args, 0);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "");
}

#[tokio::test(flavor = "multi_thread")]
async fn webhooks_verify_accepts_a_signed_body_and_refuses_a_tampered_one() {
    let delivery = SignedDelivery::new("hook", 7);
    let args = delivery.args();
    let out = partoo(None, &args).await;
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("not_a_known_event"),
        "{}",
        text(&out.stdout)
    );
    // A global `--environment` before `webhooks` conflicts with `--public-key` as it does after `verify`
    // (it was silently ignored).
    let mut global = vec!["--environment", "sandbox"];
    global.extend(args);
    let out = partoo(None, &global).await;
    assert_eq!(code(&out), 2, "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("not both"),
        "{}",
        text(&out.stderr)
    );

    std::fs::write(
        &delivery.file,
        br#"{"type": "not_a_known_event", "data": {"x": 1}}"#,
    )
    .expect("tamper");
    let out = partoo(None, &args).await;
    assert_eq!(code(&out), 1, "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stderr).lines().count(),
        1,
        "{}",
        text(&out.stderr)
    );
}

/// Writes `json` to a file of its own for `--body`: the directory that holds it (keep it while the file is
/// used) and its path.
fn body_file(name: &str, json: &str) -> (Scratch, String) {
    let dir = Scratch::new(&format!("body-{name}"));
    let file = dir.write(name, json);
    (dir, file)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_key_the_request_type_would_drop_is_a_usage_error() {
    // Decoded into the request type and sent re-serialised, a misspelled key vanished and a `null` became an
    // absent field: the server got `{"name":"Acme"}` and the command exited 0.
    let server = MockServer::builder().start().await;
    Mock::given(method("POST"))
        .respond_with(json_body(&json!({"id": "b1"})))
        .mount(&server)
        .await;
    let (_dir, file) = body_file(
        "upd.json",
        r#"{"citty": "Paris", "zipcode": null, "name": "Acme"}"#,
    );
    let out = partoo(
        Some(&server),
        &["update-business", "--business-id", "b1", "--body", &file],
    )
    .await;
    let stderr = text(&out.stderr);
    assert_eq!(code(&out), 2, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains("`/citty`"), "{stderr}");
    assert!(
        stderr.contains("not a field of the request type"),
        "{stderr}"
    );
    assert!(stderr.contains("`/zipcode`"), "{stderr}");
    assert!(stderr.contains("null cannot be sent"), "{stderr}");
    // At any depth, through arrays.
    let (_dir, file) = body_file(
        "nested.json",
        r#"{"name": "Acme", "country": "FR", "categories": [], "contacts": [{"name": "A"}, {"emial": "a@b.c"}]}"#,
    );
    let out = partoo(Some(&server), &["create-business", "--body", &file]).await;
    let stderr = text(&out.stderr);
    assert_eq!(code(&out), 2, "{stderr}");
    assert!(stderr.contains("`/contacts/1/emial`"), "{stderr}");
    // A key given twice in one object, at the top or deeper: a JSON reader keeps the last one silently.
    for (name, json, at) in [
        (
            "twice.json",
            r#"{"name": "Acme", "name": "Acme 2", "country": "FR", "categories": []}"#,
            "`.`",
        ),
        // A free-form map: no field list refuses the repeat (it was sent as `{"Parking": false}`, exit 0).
        (
            "twice-nested.json",
            r#"{"name": "Acme", "country": "FR", "categories": [], "contacts": [], "custom_fields": {"Parking": true, "Parking": false}}"#,
            "`custom_fields`",
        ),
    ] {
        let (_dir, file) = body_file(name, json);
        let out = partoo(Some(&server), &["create-business", "--body", &file]).await;
        let stderr = text(&out.stderr);
        assert_eq!(code(&out), 2, "{stderr}");
        assert!(
            stderr.contains("is given twice") && stderr.contains(at),
            "{stderr}"
        );
    }
    // An integer beyond 64 bits: a JSON reader would send it rounded to an f64, the same on both sides of the
    // round-trip check (it was sent as `1.2345678901234568e22`, exit 0).
    let (_dir, file) = body_file(
        "wide.json",
        "{\"name\": \"Acme\", \"country\": \"FR\", \"categories\": [], \"contacts\": [],\n \"custom_fields\": {\"Till\": 12345678901234567890123}}",
    );
    let out = partoo(Some(&server), &["create-business", "--body", &file]).await;
    let stderr = text(&out.stderr);
    assert_eq!(code(&out), 2, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.contains(
            "line 2, column 28: the integer 12345678901234567890123 does not fit in 64 bits"
        ),
        "{stderr}"
    );
    // An array where the request type has an object: serde reads a struct from a sequence, field by field in
    // declaration order, so `[["gcid:x"], "Paris", ...]` was sent as `{"categories": ["gcid:x"], "city":
    // "Paris", ...}`, exit 0.
    for (name, command, json, at) in [
        (
            "array.json",
            &["update-business", "--business-id", "b1"][..],
            r#"[["gcid:x"], "Paris", "C1", "FR", "Shop", 42, "IDF", "75001"]"#,
            "at the top level: an array where the request type has an object",
        ),
        (
            "array-nested.json",
            &["create-business"][..],
            r#"{"name": "Acme", "country": "FR", "categories": [], "contacts": [["a@b.c", null, "A", ["+33 1 23 45 67 89"]]]}"#,
            "at `/contacts/0`: an array where the request type has an object",
        ),
    ] {
        let (_dir, file) = body_file(name, json);
        let args = [command, &["--body", &file]].concat();
        let out = partoo(Some(&server), &args).await;
        let stderr = text(&out.stderr);
        assert_eq!(code(&out), 2, "{stderr}");
        assert!(stderr.contains(at), "{stderr}");
    }
    assert!(
        server
            .received_requests()
            .await
            .expect("recording")
            .is_empty(),
        "nothing was sent"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_that_survives_its_request_type_is_sent() {
    // `48` comes back as `48.0` (the type holds an f64): the same number, so no error; a free-form object keeps
    // its keys, `null` included.
    let server = MockServer::builder().start().await;
    Mock::given(method("POST"))
        .and(path("/business"))
        .respond_with(json_body(&json!({"id": "b1"})))
        .expect(1)
        .mount(&server)
        .await;
    let (_dir, file) = body_file(
        "create.json",
        r#"{"name": "Acme", "country": "FR", "categories": [], "contacts": [{"email": "a@b.c"}],
            "lat": 48, "custom_fields": {"anything": null, "nested": {"x": [1, {"y": null}]}}}"#,
    );
    let out = partoo(Some(&server), &["create-business", "--body", &file]).await;
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let requests = server.received_requests().await.expect("recording");
    let sent: Value = serde_json::from_slice(&requests[0].body).expect("JSON body");
    assert_eq!(sent["lat"], json!(48.0));
    assert_eq!(sent["contacts"], json!([{"email": "a@b.c"}]));
    assert_eq!(
        sent["custom_fields"],
        json!({"anything": null, "nested": {"x": [1, {"y": null}]}})
    );
}

/// The main thread's stack does not limit a command: with 1 MB (Windows' default), the debug binary overflowed
/// while building its subcommands, and with 4 MB while polling a request.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn a_command_runs_with_a_small_main_thread_stack() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/user/me"))
        .respond_with(json_body(&json!({"id": "u1"})))
        .mount(&server)
        .await;
    let uri = server.uri();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("sh")
            .args(["-c", "ulimit -s 1024 && exec \"$0\" get-my-user"])
            .arg(env!("CARGO_BIN_EXE_partoo"))
            .env("PARTOO_API_KEY", KEY)
            .env("PARTOO_BASE_URL", uri)
            .output()
            .expect("sh runs")
    })
    .await
    .expect("joined");
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), r#"{"id":"u1"}"#);
}

/// Answers 500 with the key it received in its error body, as a careless proxy or server might.
struct EchoKey;

impl wiremock::Respond for EchoKey {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let key = request
            .headers
            .get("x-apikey")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        ResponseTemplate::new(500).set_body_raw(
            json!({"errors": {"key": key}}).to_string(),
            "application/json",
        )
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_the_server_echoes_is_not_printed() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/business/b-1"))
        .respond_with(EchoKey)
        .mount(&server)
        .await;
    let out = partoo(
        Some(&server),
        &["get-business", "--business-id", "b-1", "--verbose"],
    )
    .await;
    assert_eq!(code(&out), 1);
    let stderr = text(&out.stderr);
    assert!(!stderr.contains(KEY), "key printed: {stderr}");
    assert!(stderr.contains("key: [API key]"), "{stderr}");
}

/// What the server says reaches the terminal neutralised: an escape sequence (clear the screen, set the
/// window's title), a carriage return or a line separator in Partoo's message is printed escaped, not acted
/// on; and the key echoed in an escaped spelling (`\/` in JSON, as PHP writes it) is replaced like the plain one.
#[tokio::test(flavor = "multi_thread")]
async fn server_text_cannot_drive_the_terminal_or_leak_an_escaped_key() {
    let server = MockServer::builder().start().await;
    let key = "sekret/cli/key-0123456789";
    let body = r#"{"errors": {"json": "no such key sekret\/cli\/key-0123456789 \u001b[2J\u001b]0;pwned\u0007\r end \u2028x"}}"#;
    Mock::given(method("GET"))
        .and(path("/business/b-2"))
        .respond_with(ResponseTemplate::new(400).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    let out = partoo(
        Some(&server),
        &[
            "--api-key",
            key,
            "get-business",
            "--business-id",
            "b-2",
            "--verbose",
        ],
    )
    .await;
    assert_eq!(code(&out), 1);
    let stderr = text(&out.stderr);
    for forbidden in ['\u{1b}', '\r', '\u{7}', '\u{2028}'] {
        assert!(
            !stderr.contains(forbidden),
            "{forbidden:?} printed: {stderr:?}"
        );
    }
    assert!(
        !stderr.contains("sekret/cli") && !stderr.contains(r"sekret\/cli"),
        "key printed: {stderr}"
    );
    let error = stderr
        .lines()
        .find(|l| l.starts_with("error: "))
        .expect("an error line");
    assert!(
        error.contains("no such key [API key] \\u{1b}[2J") && error.contains("\\u{2028}x"),
        "{error}"
    );
}

/// A stderr that cannot be written loses the error line but keeps the exit code: `eprintln!` panicked on it,
/// which turned a 404's exit code 1 into 101.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread")]
async fn an_unwritable_stderr_keeps_the_exit_code() {
    let server = MockServer::builder().start().await;
    let uri = server.uri();
    let out = tokio::task::spawn_blocking(move || {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full opens");
        std::process::Command::new(env!("CARGO_BIN_EXE_partoo"))
            .args(["get-business", "--business-id", "b-1", "--verbose"])
            .env("PARTOO_API_KEY", KEY)
            .env("PARTOO_BASE_URL", uri)
            .stderr(full)
            .output()
            .expect("partoo runs")
    })
    .await
    .expect("joined");
    assert_eq!(code(&out), 1, "wiremock answers 404 to an unmounted path");
}
