//! `cargo xtask spec-check [--spec PATH] [--shared DIR]`: checks the committed restatement of Partoo's API.
//!
//! 1. It is valid OpenAPI 3.1 according to `openapi-spec-validator` (PyPI; `.ci/run` installs it).
//! 2. Every operation has an operationId (82 expected for the 2021-based restatement).
//! 3. No run of 8 consecutive words of the prose (descriptions, summaries, titles) of Partoo's own documents
//!    in `../shared/partoo` appears anywhere in it: facts are carried over, sentences are not.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::flags::{Flags, root};

/// Words in a run that counts as copied prose.
const RUN: usize = 8;

pub(crate) fn run(flags: Flags) -> Result<(), String> {
    flags.only(&["spec", "shared", "root"])?;
    let root = root(&flags);
    let spec = flags
        .value("spec")
        .map_or_else(|| root.join("openapi/partoo.yaml"), PathBuf::from);
    let shared = flags
        .value("shared")
        .map_or_else(|| root.join("../shared"), PathBuf::from);
    validate(&spec)?;
    let doc = load(&spec)?;
    let ops = operation_ids(&doc);
    let missing = ops.iter().filter(|id| id.is_none()).count();
    println!("{} operations, {} without operationId", ops.len(), missing);
    if missing > 0 {
        return Err(format!(
            "{}: {missing} operations have no operationId",
            spec.display()
        ));
    }
    let hits = copied_prose(&doc, &shared)?;
    if !hits.is_empty() {
        return Err(format!(
            "{}: {} strings repeat {RUN}-word runs of Partoo's prose, e.g. {:?}; write them in your own words",
            spec.display(),
            hits.len(),
            hits.iter().take(3).collect::<Vec<_>>()
        ));
    }
    println!("no {RUN}-word run of upstream prose found");
    Ok(())
}

fn validate(spec: &Path) -> Result<(), String> {
    let out = Command::new("python3")
        .args(["-m", "openapi_spec_validator", "--schema", "3.1"])
        .arg(spec)
        .output()
        .map_err(|e| format!("cannot run python3: {e}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if text.contains("No module named") {
        return Err(
            "openapi-spec-validator is not installed: pip install openapi-spec-validator".into(),
        );
    }
    if !out.status.success() {
        return Err(format!(
            "{} is not valid OpenAPI 3.1:\n{text}",
            spec.display()
        ));
    }
    print!("{text}");
    Ok(())
}

fn load(path: &Path) -> Result<Value, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    partoo_api_build::load::parse(&path.display().to_string(), &bytes).map_err(|e| e.to_string())
}

fn operation_ids(doc: &Value) -> Vec<Option<String>> {
    let mut out = Vec::new();
    for item in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|p| p.values())
    {
        for method in partoo_api_build::walk::METHODS {
            if let Some(op) = item.get(method) {
                out.push(
                    op.get("operationId")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                );
            }
        }
    }
    out
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_ascii_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

fn prose(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                match (k.as_str(), child) {
                    ("description" | "summary" | "title", Value::String(s)) => out.push(s.clone()),
                    _ => prose(child, out),
                }
            }
        }
        Value::Array(list) => list.iter().for_each(|c| prose(c, out)),
        _ => {}
    }
}

fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                out.push(k.clone());
                strings(child, out);
            }
        }
        Value::Array(list) => list.iter().for_each(|c| strings(c, out)),
        Value::String(s) => out.push(s.clone()),
        _ => {}
    }
}

/// Strings of `doc` that contain a [`RUN`]-word run of the upstream prose.
fn copied_prose(doc: &Value, shared: &Path) -> Result<Vec<String>, String> {
    let full = shared.join("partoo/openapi-2021-bundled.yaml");
    let seed_page = shared.join("partoo/create-organization.seed.md");
    if !full.exists() || !seed_page.exists() {
        return Err(format!(
            "{} not found: the prose check compares against Partoo's documents there",
            shared.display()
        ));
    }
    let mut upstream = Vec::new();
    prose(&load(&full)?, &mut upstream);
    let md =
        std::fs::read_to_string(&seed_page).map_err(|e| format!("{}: {e}", seed_page.display()))?;
    let yaml = crate::seed::yaml_block(&seed_page.display().to_string(), &md)?;
    let seed = partoo_api_build::load::parse("seed", yaml.as_bytes()).map_err(|e| e.to_string())?;
    prose(&seed, &mut upstream);
    upstream.extend(md.lines().map(str::to_owned));
    let grams: BTreeSet<Vec<String>> = upstream
        .iter()
        .flat_map(|s| {
            words(s)
                .windows(RUN)
                .map(<[String]>::to_vec)
                .collect::<Vec<_>>()
        })
        .collect();
    let mut ours = Vec::new();
    strings(doc, &mut ours);
    Ok(ours
        .into_iter()
        .filter(|s| words(s).windows(RUN).any(|w| grams.contains(w)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_an_eight_word_run_and_ignores_shorter_ones() {
        let up = "This endpoint lets you create an organization in your provider account.";
        let grams: BTreeSet<Vec<String>> = words(up).windows(RUN).map(<[String]>::to_vec).collect();
        let hit = "Note: this endpoint lets you create an organization in the sandbox.";
        let miss = "Creates an organization (provider role needed).";
        assert!(words(hit).windows(RUN).any(|w| grams.contains(w)));
        assert!(!words(miss).windows(RUN).any(|w| grams.contains(w)));
    }
}
