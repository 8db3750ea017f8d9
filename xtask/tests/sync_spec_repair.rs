//! `cargo xtask sync-spec` when the fetched spec is identical to the committed one but the files beside it
//! disagree (an interrupted run, a deleted rendition, a stale surface file), and leftovers of an interrupted run.

// Not every helper is used here.
#[allow(dead_code)]
mod common;

use common::{Scratch, committed_spec};

/// The committed spec as a local `--from` file.
fn same_upstream(s: &Scratch) -> String {
    let path = s.root.join("upstream.yaml");
    std::fs::write(&path, committed_spec()).expect("write the upstream copy");
    path.to_str().expect("a UTF-8 path").to_owned()
}

#[test]
fn a_missing_rendition_is_rewritten_when_the_spec_is_up_to_date() {
    let s = Scratch::new("repair-rendition");
    let from = same_upstream(&s);
    std::fs::remove_file(s.openapi().join("partoo.json")).unwrap();
    common::fails(&s.run(&["--check"]));
    let lock = std::fs::read(s.openapi().join("partoo.lock")).unwrap();
    let (stdout, stderr) = common::ok(&s.run(&["--from", &from, "--skip-compile-check"]));
    assert!(
        stderr.contains("partoo.json is stale or missing") && stdout.contains("rewrote "),
        "{stdout}\n{stderr}"
    );
    assert!(
        !stdout.contains("partoo.lock") && !stdout.contains("partoo.yaml,"),
        "only what disagreed is rewritten: {stdout}"
    );
    assert_eq!(
        std::fs::read(s.openapi().join("partoo.lock")).unwrap(),
        lock
    );
    common::ok(&s.run(&["--check"]));
}

#[test]
fn a_stale_surface_and_lock_are_rewritten_when_the_spec_is_up_to_date() {
    let s = Scratch::new("repair-surface");
    let from = same_upstream(&s);
    std::fs::write(s.openapi().join("partoo.api.md"), "stale").unwrap();
    let lock = s.openapi().join("partoo.lock");
    let text = std::fs::read_to_string(&lock).unwrap();
    std::fs::write(&lock, text.replace("operations = 150", "operations = 149")).unwrap();
    common::fails(&s.run(&["--check"]));
    common::ok(&s.run(&["--from", &from, "--skip-compile-check"]));
    common::ok(&s.run(&["--check"]));
    // Now really up to date: nothing rewritten.
    let before = s.snapshot();
    let times = s.mtimes();
    let (stdout, _) = common::ok(&s.run(&["--from", &from, "--skip-compile-check"]));
    assert!(stdout.contains("up to date"), "{stdout}");
    assert_eq!(s.snapshot(), before);
    assert_eq!(s.mtimes(), times);
}

#[test]
fn leftovers_of_an_interrupted_run_are_removed() {
    let s = Scratch::new("leftovers");
    let from = same_upstream(&s);
    // PIDs above Linux's pid_max: no live process owns them.
    let leftovers = [".partoo.yaml.tmp-4000000001", ".partoo.lock.bak-4000000002"];
    let kept = [
        ".partoo.yaml.tmp-x1",
        "partoo.yaml.tmp-4000000003",
        ".notes.tmp",
    ];
    for name in leftovers.iter().chain(&kept) {
        std::fs::write(s.openapi().join(name), "junk").unwrap();
    }
    let (_, stderr) = common::ok(&s.run(&["--from", &from, "--skip-compile-check"]));
    for name in leftovers {
        assert!(!s.openapi().join(name).exists(), "{name} left");
        assert!(stderr.contains(name), "{name} not mentioned:\n{stderr}");
    }
    for name in kept {
        assert!(s.openapi().join(name).exists(), "{name} removed");
    }
}
