//! Helpers shared by the integration tests: run some rules on an inline spec and look at the report.

// Each test file uses a different subset of these helpers.
#![allow(dead_code)]

use partoo_api_build::rules::normalise_with;
use partoo_api_build::{BuildError, Change, NameTable, Report};
use serde_json::Value;

/// Parses an inline YAML spec (test fixtures are written in YAML for readability).
pub(crate) fn yaml(text: &str) -> Value {
    serde_norway::from_str(text).expect("test fixture is valid YAML")
}

/// Runs only `rules` (in `RULES` order) with an empty name table.
pub(crate) fn run(doc: Value, rules: &[&str]) -> (Value, Report) {
    normalise_with(doc, &NameTable::default(), rules).expect("rules succeed on this fixture")
}

/// Runs only `rules` and expects an error.
pub(crate) fn run_err(doc: Value, rules: &[&str]) -> BuildError {
    match normalise_with(doc, &NameTable::default(), rules) {
        Ok((doc, _)) => panic!("expected an error, got {doc:#}"),
        Err(e) => e,
    }
}

/// The value at `pointer`, which must exist.
pub(crate) fn at<'a>(doc: &'a Value, pointer: &str) -> &'a Value {
    doc.pointer(pointer)
        .unwrap_or_else(|| panic!("no value at {pointer} in {doc:#}"))
}

/// Changes the report holds for `rule`.
pub(crate) fn changes<'a>(report: &'a Report, rule: &str) -> Vec<&'a Change> {
    report.changes.iter().filter(|c| c.rule == rule).collect()
}

/// The change `rule` recorded at `pointer`; fails the test if there is none.
pub(crate) fn change<'a>(report: &'a Report, rule: &str, pointer: &str) -> &'a Change {
    report
        .changes
        .iter()
        .find(|c| c.rule == rule && c.pointer == pointer)
        .unwrap_or_else(|| {
            panic!(
                "no `{rule}` change at {pointer}; changes: {:#?}",
                report.changes
            )
        })
}

/// Fails the test if `rule` recorded any change.
pub(crate) fn assert_no_change(report: &Report, rule: &str) {
    let found = changes(report, rule);
    assert!(
        found.is_empty(),
        "expected no `{rule}` change, got {found:#?}"
    );
}

/// Pointers of the changes `rule` recorded, in order.
pub(crate) fn pointers(report: &Report, rule: &str) -> Vec<String> {
    changes(report, rule)
        .iter()
        .map(|c| c.pointer.clone())
        .collect()
}
