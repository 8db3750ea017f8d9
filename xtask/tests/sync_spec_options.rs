//! `cargo xtask sync-spec` and the other tasks refusing bad options before touching anything: a report folder
//! that does not exist, flags without their value or with one they do not take, credentials in `--from`.

// Not every helper is used here.
#[allow(dead_code)]
mod common;

use std::process::Command;

use common::{Reply, Scratch, changed_spec, response, serve};

#[test]
fn a_missing_report_folder_is_refused_before_openapi_is_touched() {
    let s = Scratch::new("report-dir");
    let from = s.root.join("new.yaml");
    std::fs::write(&from, changed_spec()).unwrap();
    let report = s.root.join("no-such-dir/r.md");
    let before = s.snapshot();
    let err = common::fails(&s.run(&[
        "--from",
        from.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
        "--skip-compile-check",
    ]));
    assert!(
        err.contains("no-such-dir") && err.contains("nothing was written"),
        "{err}"
    );
    assert_eq!(s.snapshot(), before);
}

/// Runs `xtask TASK ARGS` (no URL override from the environment).
fn xtask(task: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg(task)
        .args(args)
        .env_remove("PARTOO_OPENAPI_URL")
        .output()
        .expect("xtask runs")
}

#[test]
fn a_value_option_without_its_value_is_refused() {
    let s = Scratch::new("flag-no-value");
    let root = s.root.to_str().unwrap();
    let before = s.snapshot();
    for args in [
        vec!["--root", root, "--from"],
        vec!["--from", "--root", root],
        vec!["--root", root, "--from", ""],
        vec!["--root", root, "--from="],
    ] {
        let err = common::fails(&xtask("sync-spec", &args));
        assert!(err.contains("--from"), "{args:?}: {err}");
    }
    for args in [
        vec!["--root", root, "--origin"],
        vec!["--root", root, "--origin", ""],
    ] {
        let err = common::fails(&xtask("lock", &args));
        assert!(err.contains("--origin"), "{args:?}: {err}");
    }
    assert_eq!(s.snapshot(), before);
}

#[test]
fn a_switch_given_a_value_and_unknown_flags_are_refused() {
    let s = Scratch::new("flag-switch-value");
    let crate_dir = s.root.join("partoo-api");
    std::fs::create_dir_all(&crate_dir).unwrap();
    let manifest = crate_dir.join("Cargo.toml");
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../partoo-api/Cargo.toml"),
    )
    .unwrap();
    // A stale block: `features` would rewrite it, `features --check` must not.
    let stale = text.replacen("\nreviews = []\n", "\n", 1);
    assert_ne!(stale, text);
    std::fs::write(&manifest, &stale).unwrap();
    let root = s.root.to_str().unwrap();
    for args in [
        vec!["--root", root, "--check", "1"],
        vec!["--root", root, "--check=yes"],
    ] {
        let err = common::fails(&xtask("features", &args));
        assert!(err.contains("--check"), "{args:?}: {err}");
        assert_eq!(std::fs::read_to_string(&manifest).unwrap(), stale);
    }
    let err = common::fails(&xtask("features", &["--root", root, "--frobnicate"]));
    assert!(err.contains("--frobnicate"), "{err}");
    let err = common::fails(&xtask("sync-spec", &["--root", root, "--check", "x"]));
    assert!(err.contains("--check"), "{err}");
}

#[test]
fn openapi_media_types_are_accepted() {
    let s = Scratch::new("oai-media-type");
    let spec = changed_spec();
    let server = serve(move |_, path| {
        let ct = if path == "/a" {
            "application/vnd.oai.openapi;version=3.1"
        } else {
            "application/openapi+yaml"
        };
        Reply::now(response("200 OK", Some(ct), spec.as_bytes()))
    });
    for path in ["/a", "/b"] {
        common::ok(&s.run(&["--from", &server.url(path), "--skip-compile-check"]));
    }
}

#[test]
fn credentials_and_query_strings_in_from_are_refused() {
    let s = Scratch::new("credentials");
    let server = serve(move |_, _| Reply::now(response("200 OK", None, b"openapi: 3.1.0\n")));
    let before = s.snapshot();
    let with_user = server
        .url("/x.yaml")
        .replace("http://", "http://user:secret@");
    let err = common::fails(&s.run(&["--from", &with_user]));
    assert!(
        err.contains("credentials") && !err.contains("secret"),
        "{err}"
    );
    let err = common::fails(&s.run(&["--from", &server.url("/x.yaml?token=abc")]));
    assert!(
        err.contains("query string") && err.contains("lock"),
        "{err}"
    );
    assert_eq!(server.hits(), 0);
    assert_eq!(s.snapshot(), before);
}

#[test]
fn a_spec_that_removes_most_operations_is_refused_unless_accepted() {
    // Another API with one operation: before, written with exit 0 (the pipeline accepts any valid spec).
    let s = Scratch::new("removals");
    let from = s.root.join("other.yaml");
    std::fs::write(
        &from,
        "openapi: 3.0.3\ninfo: {title: Other API, version: '1'}\npaths:\n  /ping:\n    get:\n      \
         operationId: ping\n      responses: {'204': {description: ok}}\n",
    )
    .unwrap();
    let before = s.snapshot();
    let args = ["--from", from.to_str().unwrap(), "--skip-compile-check"];
    let err = common::fails(&s.run(&args));
    assert!(
        err.contains("the new spec removes ")
            && err.contains(" committed operations: is ")
            && err.contains("Nothing was written")
            && err.contains("--accept-removals"),
        "{err}"
    );
    assert_eq!(s.snapshot(), before);
    let mut accepted = args.to_vec();
    accepted.push("--accept-removals");
    common::ok(&s.run(&accepted));
    assert_ne!(s.snapshot(), before);
}
