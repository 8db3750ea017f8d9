//! `cargo xtask sync-spec` against real HTTP servers on 127.0.0.1, each on a scratch copy of `openapi/`.
//! After every failure, every file of the scratch `openapi/` must be byte-identical (sha256) and no
//! temporary file may be left behind.

mod common;

use std::time::{Duration, Instant};

use common::{Reply, Scratch, changed_spec, committed_spec, response, serve};

#[test]
fn success_rewrites_spec_lock_and_surface_and_reports_changes() {
    let s = Scratch::new("success");
    let spec = changed_spec();
    let body = spec.clone();
    let server = serve(move |_, _| {
        Reply::now(response(
            "200 OK",
            Some("application/yaml"),
            body.as_bytes(),
        ))
    });
    let url = server.url("/openapi-bundled.yaml");
    let report = s.root.join("report.md");
    let out = s.run(&["--from", &url, "--report", report.to_str().unwrap()]);
    let (stdout, stderr) = common::ok(&out);
    for needle in [
        "semver hint: breaking",
        "operations added (1)",
        "GET /ping → `ping`",
        "operations removed (1)",
        "POST /connection/revoke_token (was `revoke_connection_token`)",
        "methods renamed (1)",
        "GET /connection/check_token: `check_connection_token` → `check_connection_token_state`",
        "parameter added: detailed (query)",
        "response fields removed: `generated_by`",
    ] {
        assert!(stdout.contains(needle), "missing {needle:?} in\n{stdout}");
    }
    for needle in [
        "fetching http://127.0.0.1",
        "fetched ",
        "validating ",
        "150 operations, 150 methods",
        "wrote ",
    ] {
        assert!(stderr.contains(needle), "missing {needle:?} in\n{stderr}");
    }
    assert_eq!(
        std::fs::read_to_string(s.openapi().join("partoo.yaml")).unwrap(),
        spec
    );
    let lock = std::fs::read_to_string(s.openapi().join("partoo.lock")).unwrap();
    assert!(
        lock.contains(&format!("origin = \"{url}\"")) && lock.contains("info_version = \"v3\""),
        "{lock}"
    );
    assert!(lock.contains("operations = 150"), "{lock}");
    let surface = std::fs::read_to_string(s.openapi().join("partoo.api.md")).unwrap();
    assert!(
        surface.contains("`check_connection_token_state`") && surface.contains("`/ping`"),
        "{surface}"
    );
    let md = std::fs::read_to_string(&report).unwrap();
    assert!(
        md.starts_with("# Change report") && md.contains("## operations added (1)"),
        "{md}"
    );
    common::ok(&s.run(&["--check"]));

    // The same bytes again: up to date, nothing rewritten (same hashes, same modification times).
    let before = s.snapshot();
    let times = s.mtimes();
    let (stdout, _) = common::ok(&s.run(&["--from", &url]));
    assert!(stdout.contains("up to date"), "{stdout}");
    assert_eq!(s.snapshot(), before);
    assert_eq!(s.mtimes(), times);
}

#[test]
fn a_local_file_is_read_without_http() {
    let s = Scratch::new("local");
    let path = s.root.join("downloaded.yaml");
    std::fs::write(&path, changed_spec()).unwrap();
    let (stdout, stderr) =
        common::ok(&s.run(&["--from", path.to_str().unwrap(), "--skip-compile-check"]));
    assert!(
        stdout.contains("operations added (1)") && stderr.contains("read "),
        "{stdout}\n{stderr}"
    );
    common::ok(&s.run(&["--check"]));

    let html = s.root.join("page.yaml");
    std::fs::write(&html, "\n<!DOCTYPE html><html><body>Sign in</body></html>").unwrap();
    let before = s.snapshot();
    let err = common::fails(&s.run(&["--from", html.to_str().unwrap()]));
    assert!(err.contains("HTML") && err.contains("Sign in"), "{err}");
    assert_eq!(s.snapshot(), before);
}

#[test]
fn not_found_is_refused_with_status_content_type_and_first_bytes() {
    let s = Scratch::new("404");
    let server = serve(|_, _| {
        Reply::now(response(
            "404 Not Found",
            Some("text/html"),
            b"<html><body>No such page</body></html>",
        ))
    });
    let before = s.snapshot();
    let err = common::fails(&s.run(&["--from", &server.url("/missing.yaml")]));
    for needle in [
        "HTTP 404 Not Found",
        "text/html",
        "<html><body>No such page",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in\n{err}");
    }
    assert_eq!(server.hits(), 1, "a 4xx is not retried");
    assert_eq!(s.snapshot(), before);
}

#[test]
fn a_server_error_is_retried_then_the_spec_is_written() {
    let s = Scratch::new("retry");
    let spec = changed_spec();
    let server = serve(move |n, _| match n {
        0 => Reply::now(response(
            "500 Internal Server Error",
            Some("text/plain"),
            b"try again",
        )),
        _ => Reply::now(response(
            "200 OK",
            Some("text/yaml; charset=utf-8"),
            spec.as_bytes(),
        )),
    });
    let (stdout, stderr) = common::ok(&s.run(&[
        "--from",
        &server.url("/openapi.yaml"),
        "--skip-compile-check",
    ]));
    assert!(
        stderr.contains("HTTP 500") && stderr.contains("retrying"),
        "{stderr}"
    );
    assert!(stdout.contains("semver hint: breaking"), "{stdout}");
    assert_eq!(server.hits(), 2);
}

#[test]
fn persistent_server_errors_give_up_after_three_attempts() {
    let s = Scratch::new("503");
    let server =
        serve(|_, _| Reply::now(response("503 Service Unavailable", None, b"maintenance")));
    let before = s.snapshot();
    let err = common::fails(&s.run(&["--from", &server.url("/openapi.yaml")]));
    assert!(
        err.contains("HTTP 503")
            && err.contains("gave up after 3 attempts")
            && err.contains("maintenance"),
        "{err}"
    );
    assert_eq!(server.hits(), 3);
    assert_eq!(s.snapshot(), before);
}

#[test]
fn a_server_slower_than_the_timeout_fails_fast() {
    let s = Scratch::new("slow");
    let spec = committed_spec();
    let server = serve(move |_, _| Reply {
        delay: Duration::from_secs(10),
        bytes: response("200 OK", Some("application/yaml"), spec.as_bytes()),
    });
    let before = s.snapshot();
    let started = Instant::now();
    let err = common::fails(&s.run(&[
        "--from",
        &server.url("/openapi.yaml"),
        "--timeout-ms",
        "300",
    ]));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        err.contains("timed out after 300 ms") && err.contains("--timeout-ms"),
        "{err}"
    );
    // The server was reached: no "no network?" hint.
    assert!(!err.contains("no network"), "{err}");
    assert_eq!(s.snapshot(), before);
}

#[test]
fn html_and_wrong_content_types_are_refused() {
    let s = Scratch::new("html");
    let page: &[u8] =
        b"<!DOCTYPE html>\n<html><head><title>Partoo developers</title></head></html>";
    let server = serve(move |_, path| match path {
        "/html" => Reply::now(response("200 OK", Some("text/html; charset=utf-8"), page)),
        "/sniffed" => Reply::now(response("200 OK", Some("text/plain"), page)),
        _ => Reply::now(response(
            "200 OK",
            Some("application/zip"),
            b"PK\x03\x04 not a spec",
        )),
    });
    let before = s.snapshot();
    let err = common::fails(&s.run(&["--from", &server.url("/html")]));
    assert!(
        err.contains("HTTP 200 OK")
            && err.contains("`text/html; charset=utf-8`")
            && err.contains("<!DOCTYPE html>"),
        "{err}"
    );
    let err = common::fails(&s.run(&["--from", &server.url("/sniffed")]));
    assert!(
        err.contains("HTML") && err.contains("text/plain") && err.contains("Partoo developers"),
        "{err}"
    );
    let err = common::fails(&s.run(&["--from", &server.url("/zip")]));
    assert!(
        err.contains("`application/zip`") && err.contains("not YAML or JSON"),
        "{err}"
    );
    assert_eq!(s.snapshot(), before);
}

#[test]
fn truncated_yaml_is_refused() {
    let s = Scratch::new("truncated");
    let spec = committed_spec();
    // Cut inside a quoted `$ref` in the second half: a YAML syntax error with a line and column.
    let half = spec.len() / 2;
    let cut = half + spec[half..].find("$ref: '#/components").unwrap() + "$ref: '#/com".len();
    let truncated = spec[..cut].to_owned();
    let full = spec.clone();
    let server = serve(move |_, path| match path {
        "/cut.yaml" => Reply::now(response(
            "200 OK",
            Some("application/yaml"),
            truncated.as_bytes(),
        )),
        // Announces the whole length, sends half, closes: the transfer itself is truncated.
        _ => {
            let mut bytes = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/yaml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                full.len()
            )
            .into_bytes();
            bytes.extend_from_slice(&full.as_bytes()[..full.len() / 2]);
            Reply::now(bytes)
        }
    });
    let before = s.snapshot();
    let url = server.url("/cut.yaml");
    let err = common::fails(&s.run(&["--from", &url]));
    assert!(
        err.contains("invalid YAML")
            && err.contains(&format!("{url}:"))
            && err.contains("nothing was written"),
        "{err}"
    );
    let err = common::fails(&s.run(&["--from", &server.url("/short-read.yaml")]));
    assert!(err.contains("GET http://127.0.0.1"), "{err}");
    assert_eq!(s.snapshot(), before);
}

#[test]
fn bodies_over_the_size_cap_are_refused() {
    let s = Scratch::new("cap");
    let spec = committed_spec();
    let server = serve(move |_, path| {
        if path == "/sized" {
            Reply::now(response(
                "200 OK",
                Some("application/yaml"),
                spec.as_bytes(),
            ))
        } else {
            // No Content-Length: the cap must hold while reading.
            let mut bytes =
                b"HTTP/1.1 200 OK\r\nContent-Type: application/yaml\r\nConnection: close\r\n\r\n"
                    .to_vec();
            bytes.extend_from_slice(spec.as_bytes());
            Reply::now(bytes)
        }
    });
    let before = s.snapshot();
    let err = common::fails(&s.run(&["--from", &server.url("/sized"), "--max-bytes", "1000"]));
    assert!(
        err.contains("over the 1000-byte limit (--max-bytes)"),
        "{err}"
    );
    let err = common::fails(&s.run(&["--from", &server.url("/streamed"), "--max-bytes", "1000"]));
    assert!(
        err.contains("over the 1000-byte limit (--max-bytes)"),
        "{err}"
    );
    let local = s.root.join("big.yaml");
    std::fs::write(&local, committed_spec()).unwrap();
    let err = common::fails(&s.run(&["--from", local.to_str().unwrap(), "--max-bytes", "1000"]));
    assert!(err.contains("1000-byte limit"), "{err}");
    assert_eq!(s.snapshot(), before);
}

#[test]
fn redirects_are_followed_up_to_a_limit() {
    let s = Scratch::new("redirect");
    let spec = changed_spec();
    let server = serve(move |_, path| match path {
        "/latest" => Reply::now(redirect("/v2/openapi-bundled.yaml")),
        "/loop" => Reply::now(redirect("/loop")),
        _ => Reply::now(response("200 OK", None, spec.as_bytes())),
    });
    let before = s.snapshot();
    let err = common::fails(&s.run(&["--from", &server.url("/loop")]));
    assert!(err.contains("more than 5 redirects"), "{err}");
    assert_eq!(s.snapshot(), before);
    let (stdout, _) =
        common::ok(&s.run(&["--from", &server.url("/latest"), "--skip-compile-check"]));
    assert!(stdout.contains("operations added (1)"), "{stdout}");
    common::ok(&s.run(&["--check"]));
}

#[test]
fn a_spec_the_pipeline_rejects_writes_nothing() {
    let s = Scratch::new("rejected");
    let spec = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      operationId: getX\n      \
                responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              \
                schema:\n                $ref: '#/components/schemas/Missing'\n";
    let server = serve(move |_, _| {
        Reply::now(response(
            "200 OK",
            Some("application/yaml"),
            spec.as_bytes(),
        ))
    });
    let before = s.snapshot();
    let err = common::fails(&s.run(&["--from", &server.url("/openapi.yaml")]));
    assert!(
        err.contains("#/paths/~1x/get/responses/200")
            && err.contains("points to nothing")
            && err.contains("nothing was written"),
        "{err}"
    );
    assert_eq!(s.snapshot(), before);
}

#[test]
fn a_spec_the_command_line_refuses_writes_nothing() {
    // A query parameter `all` would be the command line's own `--all` flag: the `cli` feature's generator
    // refuses it, so sync-spec does too, before any type-check.
    let s = Scratch::new("cli-refuses");
    let spec = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      operationId: getX\n      \
                parameters:\n        - {name: all, in: query, schema: {type: boolean}}\n      responses:\n        \
                '204': {description: ok}\n";
    let path = s.root.join("cli.yaml");
    std::fs::write(&path, spec).unwrap();
    let before = s.snapshot();
    let err = common::fails(&s.run(&["--from", path.to_str().unwrap()]));
    assert!(
        err.contains("refuses the new spec for the `mock` or `cli` feature; nothing was written")
            && err.contains("parameter `all`"),
        "{err}"
    );
    assert_eq!(s.snapshot(), before);
}

/// The one test that runs the real type-check (`cargo check -p partoo-api` in `target/sync-spec-check`) on a
/// spec that passes it: the committed spec with an operation added is written.
#[test]
fn a_spec_that_compiles_passes_the_check_and_is_written() {
    let s = Scratch::new("compiles");
    let path = s.root.join("more.yaml");
    std::fs::write(&path, changed_spec()).unwrap();
    let before = s.snapshot();
    common::ok(&s.run(&["--from", path.to_str().unwrap()]));
    assert_ne!(s.snapshot(), before);
}

/// The refusal path of the type-check. Every spec known to give a client that does not compile is now
/// refused by the pipeline itself, with its place, so this test stands in for the next unknown one: `CARGO`
/// (the cargo that xtask runs) is a script that fails `cargo check` as rustc would, once it has seen that
/// `PARTOO_API_SPEC` names the staged spec. sync-spec must quote the error and leave `openapi/` as it was.
#[cfg(unix)]
#[test]
fn a_spec_that_does_not_compile_writes_nothing() {
    use std::os::unix::fs::PermissionsExt as _;

    let s = Scratch::new("uncompilable");
    let path = s.root.join("uncompilable.yaml");
    std::fs::write(&path, changed_spec()).unwrap();
    let fake = s.root.join("fake-cargo");
    std::fs::write(
        &fake,
        "#!/bin/sh
         [ \"$1\" = check ] || exec \"$REAL_CARGO\" \"$@\"
         grep -q 'operationId: checkConnectionTokenState' \"$PARTOO_API_SPEC\" ||          { echo 'PARTOO_API_SPEC is not the staged spec' >&2; exit 3; }
         echo 'src/lib.rs:1:1: error[E0124]: field `foo_bar` is already declared' >&2
         echo 'error: could not compile `partoo-api` (lib) due to 1 previous error' >&2
         exit 101
",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let before = s.snapshot();
    let times = s.mtimes();
    let out = s
        .command(&["--from", path.to_str().unwrap()])
        .env("CARGO", &fake)
        .env(
            "REAL_CARGO",
            std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()),
        )
        .output()
        .unwrap();
    let err = common::fails(&out);
    assert!(
        err.contains("partoo-api does not compile against it; nothing was written")
            && err.contains("error[E0124]: field `foo_bar` is already declared")
            && !err.contains("could not compile"),
        "{err}"
    );
    assert_eq!(s.snapshot(), before);
    assert_eq!(s.mtimes(), times);
}

#[test]
fn no_server_suggests_from() {
    let s = Scratch::new("offline");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let before = s.snapshot();
    let err = common::fails(&s.run(&["--from", &format!("http://127.0.0.1:{port}/openapi.yaml")]));
    assert!(
        err.contains("--from PATH") && err.contains("gave up after 3 attempts"),
        "{err}"
    );
    assert_eq!(s.snapshot(), before);
}

#[test]
fn partoo_openapi_url_replaces_the_default_url() {
    let s = Scratch::new("env");
    let server = serve(|_, _| Reply::now(response("410 Gone", Some("text/plain"), b"moved")));
    let url = server.url("/mirror/openapi.yaml");
    let err = common::fails(&s.run_with_url_env(&[], Some(&url)));
    assert!(
        err.contains(&format!("GET {url}: HTTP 410 Gone")) && err.contains("moved"),
        "{err}"
    );
    assert_eq!(server.hits(), 1);
}

#[test]
fn check_passes_on_a_clean_copy_and_fails_on_a_stale_one() {
    let s = Scratch::new("check");
    let (stdout, _) = common::ok(&s.run(&["--check"]));
    assert!(
        stdout.starts_with("ok: ") && stdout.contains("150 operations"),
        "{stdout}"
    );
    std::fs::write(s.openapi().join("partoo.api.md"), "stale").unwrap();
    let err = common::fails(&s.run(&["--check"]));
    assert!(err.contains("is stale"), "{err}");
    let err = common::fails(&s.run(&["--check", "--from", "x.yaml"]));
    assert!(err.contains("drop --from"), "{err}");
}

fn redirect(to: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .into_bytes()
}

#[test]
fn a_new_tag_without_its_feature_is_reported() {
    let s = Scratch::new("new-tag");
    let crate_dir = s.root.join("partoo-api");
    std::fs::create_dir_all(&crate_dir).unwrap();
    let manifest =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../partoo-api/Cargo.toml");
    std::fs::copy(manifest, crate_dir.join("Cargo.toml")).unwrap();
    let spec = changed_spec().replacen(
        "      operationId: ping\n",
        "      operationId: ping\n      tags: [Ping Pong]\n",
        1,
    );
    let file = s.root.join("new.yaml");
    std::fs::write(&file, spec).unwrap();
    let out = s.run(&["--from", file.to_str().unwrap(), "--skip-compile-check"]);
    let (stdout, _) = common::ok(&out);
    assert!(
        stdout.contains("new tags without a feature")
            && stdout.contains("Ping Pong (feature `ping-pong`)")
            && stdout.contains("cargo xtask features"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("(feature `reviews`)"),
        "tags that have their feature are not reported: {stdout}"
    );
}

#[test]
fn a_renamed_tag_is_reported_as_breaking_in_stdout_and_the_report() {
    let s = Scratch::new("renamed-tag");
    let crate_dir = s.root.join("partoo-api");
    std::fs::create_dir_all(&crate_dir).unwrap();
    let manifest =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../partoo-api/Cargo.toml");
    std::fs::copy(manifest, crate_dir.join("Cargo.toml")).unwrap();
    let spec = committed_spec().replacen("        - Custom Channels\n", "        - Channels\n", 1);
    let file = s.root.join("renamed.yaml");
    std::fs::write(&file, spec).unwrap();
    let report = s.root.join("r.md");
    let (stdout, _) = common::ok(&s.run(&[
        "--from",
        file.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
        "--skip-compile-check",
    ]));
    let md = std::fs::read_to_string(&report).unwrap();
    for text in [&stdout, &md] {
        for needle in [
            "semver hint: breaking",
            "tag features removed",
            "Custom Channels (feature `custom-channels`)",
            "tags: Custom Channels → Channels",
            "new tags without a feature",
            "Channels (feature `channels`)",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in\n{text}");
        }
    }
}

#[test]
fn a_tag_named_like_a_fixed_feature_or_dependency_is_not_taken_for_its_feature() {
    let s = Scratch::new("tag-collision");
    let crate_dir = s.root.join("partoo-api");
    std::fs::create_dir_all(&crate_dir).unwrap();
    let manifest =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../partoo-api/Cargo.toml");
    std::fs::copy(manifest, crate_dir.join("Cargo.toml")).unwrap();
    let with_tag = |tag: &str| {
        let file = s.root.join(format!("{tag}.yaml"));
        let spec = committed_spec().replacen(
            "        - Custom Channels\n",
            &format!("        - {tag}\n"),
            1,
        );
        std::fs::write(&file, spec).unwrap();
        file.to_str().unwrap().to_owned()
    };
    let before = s.snapshot();
    let err = common::fails(&s.run(&["--from", &with_tag("Mock"), "--skip-compile-check"]));
    assert!(
        err.contains("tag \"Mock\" would be the feature `mock`")
            && err.contains("nothing was written"),
        "{err}"
    );
    assert_eq!(s.snapshot(), before);
    let (stdout, _) = common::ok(&s.run(&["--from", &with_tag("URL"), "--skip-compile-check"]));
    assert!(
        stdout.contains("new tags without a feature") && stdout.contains("URL (feature `url`)"),
        "{stdout}"
    );
}
