//! Every normalisation rule still does something: for each rule of `RULES`, the fixture
//! `tests/fixtures/rules/<rule>.yaml` goes through the rules up to and including it, and the rule must record
//! a change there (or, for the rules that refuse a document, refuse it). A rule whose trigger disappears, a
//! new rule without a fixture, or a fixture that another rule already repairs fails here with the rule's name.

use std::path::PathBuf;

use partoo_api_build::NameTable;
use partoo_api_build::rules::{RULES, normalise_with};

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules")
}

/// `Ok(())` when the rule at `index` fires on its fixture, else why not.
fn fires(index: usize) -> Result<(), String> {
    let rule = RULES[index].name;
    let path = fixture_dir().join(format!("{rule}.yaml"));
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("rule {rule} has no fixture {}: {e}", path.display()))?;
    let doc = partoo_api_build::load::parse(&path.display().to_string(), text.as_bytes())
        .map_err(|e| format!("fixture of {rule} does not load: {e}"))?;
    let names_path = fixture_dir().join(format!("{rule}.names.yaml"));
    let names = if names_path.exists() {
        NameTable::load(&names_path).map_err(|e| format!("{e}"))?
    } else {
        NameTable::default()
    };
    let before: Vec<&str> = RULES[..index].iter().map(|r| r.name).collect();
    let with: Vec<&str> = RULES[..=index].iter().map(|r| r.name).collect();
    normalise_with(doc.clone(), &names, &before)
        .map_err(|e| format!("fixture of {rule} is refused before {rule} runs: {e}"))?;
    match normalise_with(doc, &names, &with) {
        // The rules that refuse a document (dangling_refs, ref_cycles) fire by refusing it.
        Err(_) => Ok(()),
        Ok((_, report)) if report.changes.iter().any(|c| c.rule == rule) => Ok(()),
        Ok(_) => Err(format!("rule {rule} never applied on {}", path.display())),
    }
}

#[test]
fn every_rule_fires_on_its_fixture() {
    let failures: Vec<String> = (0..RULES.len()).filter_map(|i| fires(i).err()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_fixture_belongs_to_a_rule() {
    let strays: Vec<String> = std::fs::read_dir(fixture_dir())
        .expect("the fixture directory")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|file| {
            let stem = file
                .strip_suffix(".names.yaml")
                .or_else(|| file.strip_suffix(".yaml"))
                .unwrap_or(file);
            !RULES.iter().any(|r| r.name == stem)
        })
        .collect();
    assert!(strays.is_empty(), "fixtures of no rule: {strays:?}");
}
