//! Choices the workspace makes in `Cargo.lock`, where a plain `cargo update` would undo them silently.
//!
//! `idna_adapter` picks the Unicode back end of `idna` (through `url`, which reqwest and the client use). Its 1.2
//! series brings ICU4X: 21 crates besides itself, derive macros included. The 1.1 series uses 5 unicode-rs crates
//! instead, and a clean build of `partoo-api` spends 7 s less CPU on the project's machine (`--timings`, 2026-12-06).
//! International domain names still go through UTS 46, more slowly and with bigger tables in the binary,
//! according to idna_adapter's README; Partoo's hosts are ASCII. Cargo picks 1.2 unless the top-level lock file
//! pins 1.1, which is how that README tells applications to choose. A library cannot choose for its users, so
//! the pin serves the workspace (tests, CI, benches, `cargo install --locked`); the README says how an
//! application does the same.

use std::path::Path;

/// The version series the workspace keeps `idna_adapter` on.
const IDNA_ADAPTER_SERIES: &str = "1.1.";

#[test]
fn idna_adapter_stays_on_the_unicode_rs_back_end() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let lock: toml::Table = text
        .parse()
        .unwrap_or_else(|e| panic!("{} is not TOML: {e}", path.display()));
    let versions: Vec<&str> = lock
        .get("package")
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
        .filter(|p| p.get("name").and_then(|n| n.as_str()) == Some("idna_adapter"))
        .filter_map(|p| p.get("version").and_then(|v| v.as_str()))
        .collect();
    assert!(
        !versions.is_empty(),
        "{} has no idna_adapter package: if url no longer depends on idna, drop this test",
        path.display()
    );
    for version in versions {
        assert!(
            version.starts_with(IDNA_ADAPTER_SERIES),
            "Cargo.lock has idna_adapter {version}, which brings ICU4X back into every clean build; \
             run `cargo update -p idna_adapter --precise 1.1.0`"
        );
    }
}
