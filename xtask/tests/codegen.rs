//! `cargo xtask codegen` runs the generators of the `mock` and `cli` features too, as the build script does
//! with those features: a spec only one of them refuses is refused, and nothing is written.

// Test code: a failure here is a test failure.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Output;

/// A fresh scratch directory for the test `name`.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-codegen-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Removes the scratch directory of a test that passed; a failed one leaves its files to look at.
fn done(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
}

/// A spec with one operation `getX` and one query parameter `name`.
fn spec_with_query(dir: &Path, name: &str) -> PathBuf {
    let spec = format!(
        "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n  /x:\n    get:\n      operationId: getX\n      \
         parameters:\n        - {{name: {name}, in: query, schema: {{type: boolean}}}}\n      responses:\n        \
         '204': {{description: ok}}\n"
    );
    let path = dir.join("spec.yaml");
    std::fs::write(&path, spec).unwrap();
    path
}

/// `xtask codegen --spec <spec>` writing the client, the mocks and the command line into `dir`.
fn codegen(dir: &Path, spec: &Path) -> Output {
    let path = |file: &str| dir.join(file).to_str().unwrap().to_owned();
    std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("codegen")
        .args(["--spec", spec.to_str().unwrap()])
        .args(["--out", &path("client.rs")])
        .args(["--mock-out", &path("mock.rs")])
        .args(["--cli-out", &path("cli.rs")])
        .output()
        .unwrap()
}

#[test]
fn a_spec_only_the_command_line_refuses_is_refused_and_nothing_is_written() {
    // `--all` is the command line's own flag: the client and the mocks could be generated, the `partoo`
    // binary could not.
    let dir = scratch("cli-refuses");
    let out = codegen(&dir, &spec_with_query(&dir, "all"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "codegen passed: {err}");
    assert!(
        err.contains("the `cli` feature's generator refuses this spec") && err.contains("`all`"),
        "{err}"
    );
    for file in ["client.rs", "mock.rs", "cli.rs"] {
        assert!(!dir.join(file).exists(), "{file} was written");
    }
    done(&dir);
}

#[test]
fn the_client_the_mocks_and_the_command_line_are_written_together() {
    let dir = scratch("writes");
    let out = codegen(&dir, &spec_with_query(&dir, "detailed"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("feature `mock`: ") && stdout.contains("1 operations, 1 methods"));
    let read = |file: &str| std::fs::read_to_string(dir.join(file)).unwrap();
    assert!(read("client.rs").contains("pub fn get_x(&self)"));
    assert!(read("mock.rs").contains("GetXWhen"));
    assert!(read("cli.rs").contains("\"get-x\""));
    done(&dir);
}
