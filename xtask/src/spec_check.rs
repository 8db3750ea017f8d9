//! `cargo xtask spec-check [--spec PATH] [--shared DIR]`: checks the committed spec against its lock.
//!
//! The lock's `[source] kind` says what the spec is, and so which checks apply:
//! 1. always: the operation count equals the lock's (counts come from the lock, never from this file); for a
//!    restatement, valid OpenAPI 3.1 according to `openapi-spec-validator` (PyPI; `.ci/run` installs it);
//! 2. a *restatement* (our own document) also: every operation is named, by its operationId or by an entry of
//!    `names.yaml`; no run of 8 consecutive words of the prose of the documents in `../shared/partoo` (Partoo's
//!    specs and pages, and the fact files gathered from them) appears anywhere in it (facts are carried over,
//!    sentences are not); and, when `../shared/partoo/current` is there, `fidelity.py` finds every operation
//!    of the current facts in it with a score of at least 0.97, and our `xtask/python/examples.py` validates
//!    every request and response example of the facts, and the spec's own, against the spec's schemas (JSON
//!    Schema 2020-12, formats asserted; it refuses to run when a format used cannot be checked): zero failures
//!    (both skipped with a note when the facts are absent).
//!
//! An *upstream* document (vendored verbatim by `sync-spec`) is Partoo's prose by definition, and Partoo's
//! own unnamed operations are named by the pipeline, so rule 2 does not apply to it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::flags::{Flags, root};
use crate::lock::{self, SpecKind};

/// Words in a run that counts as copied prose.
const RUN: usize = 8;

/// The options of this task (see [`crate::flags::Spec`]).
pub(crate) const FLAGS: crate::flags::Spec = crate::flags::Spec {
    values: &["spec", "shared", "root"],
    switches: &[],
};

/// Entry point of `cargo xtask spec-check`.
pub(crate) fn run(flags: Flags) -> Result<(), String> {
    let root = root(&flags);
    let spec = flags
        .value("spec")
        .map_or_else(|| root.join("openapi/partoo.yaml"), PathBuf::from);
    let shared = flags
        .value("shared")
        .map_or_else(|| root.join("../shared"), PathBuf::from);
    let dir = spec.parent().unwrap_or(Path::new("."));
    if lock::read(&dir.join("partoo.lock"))?.source.kind == SpecKind::Restatement {
        validate(&spec)?;
    } else {
        // Partoo's file as served (3.0 or 3.1, with its defects): sync-spec accepted it through the pipeline,
        // whose rules exist because such files are not valid; refusing it here would refuse every real sync.
        println!(
            "upstream document: not held to openapi-spec-validator (the pipeline accepted it)"
        );
    }
    for line in checks(&spec, &shared)? {
        println!("{line}");
    }
    Ok(())
}

/// Every check but the validator's, on `spec` and the `partoo.lock` and `names.yaml` beside it; returns the
/// lines to print.
fn checks(spec: &Path, shared: &Path) -> Result<Vec<String>, String> {
    let dir = spec.parent().unwrap_or(Path::new("."));
    let locked = lock::read(&dir.join("partoo.lock"))?;
    let doc = load(spec)?;
    let ops = operations(&doc);
    let mut out = vec![format!(
        "{} operations ({} per {})",
        ops.len(),
        locked.spec.operations,
        dir.join("partoo.lock").display()
    )];
    if ops.len() != locked.spec.operations {
        return Err(format!(
            "{}: {} operations, but the lock says {}: run `cargo xtask lock` (or `sync-spec`)",
            spec.display(),
            ops.len(),
            locked.spec.operations
        ));
    }
    if locked.source.kind == SpecKind::Upstream {
        out.push(format!(
            "upstream document ({}): the naming, prose and fidelity rules apply to restatements only",
            locked.source.origin
        ));
        return Ok(out);
    }
    let names =
        partoo_api_build::NameTable::load(&dir.join("names.yaml")).map_err(|e| e.to_string())?;
    let unnamed: Vec<String> = ops
        .iter()
        .filter(|(m, p, id)| id.is_none() && names.lookup(m, p).is_none())
        .map(|(m, p, _)| format!("{m} {p}"))
        .collect();
    if !unnamed.is_empty() {
        return Err(format!(
            "{}: {} operations have neither an operationId nor a names.yaml entry: {}",
            spec.display(),
            unnamed.len(),
            unnamed.join(", ")
        ));
    }
    out.push(format!(
        "every operation named ({} by names.yaml)",
        ops.iter().filter(|(_, _, id)| id.is_none()).count()
    ));
    let hits = copied_prose(&doc, shared)?;
    if !hits.is_empty() {
        return Err(format!(
            "{}: {} strings repeat {RUN}-word runs of Partoo's prose, e.g. {:?}; write them in your own words",
            spec.display(),
            hits.len(),
            hits.iter().take(20).collect::<Vec<_>>()
        ));
    }
    out.push(format!("no {RUN}-word run of upstream prose found"));
    out.extend(against_facts(spec, shared)?);
    Ok(out)
}

/// Our examples check, `xtask/python/examples.py`, embedded so that it runs from any directory.
const EXAMPLES_PY: &str = include_str!("../python/examples.py");

/// Merges the current facts (their own `merge.py`), then runs `fidelity.py` of the facts and our
/// [`EXAMPLES_PY`] on `spec`; a note when the facts are not there.
fn against_facts(spec: &Path, shared: &Path) -> Result<Vec<String>, String> {
    let current = shared.join("partoo/current");
    if !current.join("fidelity.py").exists() {
        return Ok(vec![format!(
            "note: {} not found, fidelity to the current facts and their examples not checked",
            current.display()
        )]);
    }
    let merged = std::env::temp_dir().join(format!("partoo-facts-{}.yaml", std::process::id()));
    let merge = python(
        &[current.join("merge.py").as_os_str(), merged.as_os_str()],
        None,
    )?;
    if !merge.status.success() {
        return Err(format!(
            "merge.py failed: {}",
            String::from_utf8_lossy(&merge.stderr)
        ));
    }
    let fidelity = python(
        &[
            current.join("fidelity.py").as_os_str(),
            merged.as_os_str(),
            spec.as_os_str(),
        ],
        None,
    );
    let examples = python(
        &["-".as_ref(), merged.as_os_str(), spec.as_os_str()],
        Some(EXAMPLES_PY),
    );
    let _ = std::fs::remove_file(&merged);
    let (fidelity, examples) = (fidelity?, examples?);
    let text = String::from_utf8_lossy(&fidelity.stdout).trim().to_owned();
    if !fidelity.status.success() {
        return Err(format!(
            "{} keeps too little of the current facts (goal: fidelity >= 0.97, no operation missing):\n{text}{}",
            spec.display(),
            String::from_utf8_lossy(&fidelity.stderr)
        ));
    }
    let fidelity_line = text
        .lines()
        .last()
        .unwrap_or("fidelity: no output")
        .to_owned();
    Ok(vec![fidelity_line, examples_result(spec, &examples)?])
}

/// The summary line of a successful examples check, or an error with every failure it printed.
fn examples_result(spec: &Path, out: &std::process::Output) -> Result<String, String> {
    let stdout = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).trim().to_owned();
    if out.status.success() {
        return Ok(stdout
            .lines()
            .last()
            .unwrap_or("examples: no output")
            .to_owned());
    }
    if out.status.code() == Some(1) && !stdout.is_empty() {
        Err(format!(
            "{}: examples of Partoo's reference (or of the spec) do not fit the spec's schemas:\n{stdout}",
            spec.display()
        ))
    } else {
        // Exit 2 (a format that cannot be checked, a missing module) or a crash: nothing was checked.
        Err(format!(
            "the examples check could not run ({}); nothing was checked:\n{stderr}{stdout}",
            out.status
        ))
    }
}

/// Runs `python3 ARGS`, with `stdin` as its standard input when given (a script read from `-`).
fn python(args: &[&std::ffi::OsStr], stdin: Option<&str>) -> Result<std::process::Output, String> {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new("python3")
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run python3: {e}"))?;
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(text.as_bytes())
            .map_err(|e| format!("cannot feed python3 its script: {e}"))?;
    }
    child
        .wait_with_output()
        .map_err(|e| format!("python3 did not finish: {e}"))
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

/// `(upper-case method, path, operationId)` of every operation.
fn operations(doc: &Value) -> Vec<(String, String, Option<String>)> {
    let mut out = Vec::new();
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for method in partoo_api_build::walk::METHODS {
            if let Some(op) = item.get(method) {
                out.push((
                    method.to_ascii_uppercase(),
                    path.clone(),
                    op.get("operationId")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                ));
            }
        }
    }
    out
}

/// The words of `s`, lower-cased; numbers are not words (a timestamp such as `2019-08-22 11:46:38.914467+00`
/// is eight numbers, and a fact).
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_ascii_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty() && !w.bytes().all(|b| b.is_ascii_digit()))
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
    let mut literals = BTreeSet::new();
    let full_doc = load(&full)?;
    prose(&full_doc, &mut upstream);
    example_strings(&full_doc, false, &mut literals);
    let md =
        std::fs::read_to_string(&seed_page).map_err(|e| format!("{}: {e}", seed_page.display()))?;
    let yaml = crate::seed::yaml_block(&seed_page.display().to_string(), &md)?;
    let seed = partoo_api_build::load::parse("seed", yaml.as_bytes()).map_err(|e| e.to_string())?;
    prose(&seed, &mut upstream);
    upstream.extend(md.lines().map(str::to_owned));
    // The other pages and fact files: their prose is not ours either (absent in older checkouts of ../shared).
    for dir in [shared.join("partoo"), shared.join("partoo/current")] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        for file in files {
            let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("");
            if ext == "md" && file != seed_page {
                let text = std::fs::read_to_string(&file)
                    .map_err(|e| format!("{}: {e}", file.display()))?;
                upstream.extend(text.lines().map(str::to_owned));
            } else if ext == "yaml" && file != full {
                let text = std::fs::read_to_string(&file)
                    .map_err(|e| format!("{}: {e}", file.display()))?;
                let value: Value = serde_norway::from_str(&text)
                    .map_err(|e| format!("{}: invalid YAML: {e}", file.display()))?;
                prose(&value, &mut upstream);
                example_strings(&value, false, &mut literals);
            }
        }
    }
    let grams: BTreeSet<Vec<String>> = upstream
        .iter()
        .flat_map(|s| {
            words(s)
                .windows(RUN)
                .map(<[String]>::to_vec)
                .collect::<Vec<_>>()
        })
        .collect();
    // A string without whitespace is a name, path or link (facts, whatever words a slug holds), not prose.
    let mut ours = Vec::new();
    strings(doc, &mut ours);
    Ok(ours
        .into_iter()
        .filter(|s| s.contains(char::is_whitespace) && !literals.contains(s))
        .filter(|s| words(s).windows(RUN).any(|w| grams.contains(w)))
        .collect())
}

/// Strings inside `example`, `examples`, `default` and `enum` values: facts (an example API key's label is
/// what Partoo's page shows), which our document may repeat verbatim.
fn example_strings(v: &Value, inside: bool, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let literal =
                    inside || matches!(k.as_str(), "example" | "examples" | "default" | "enum");
                example_strings(child, literal, out);
            }
        }
        Value::Array(list) => list.iter().for_each(|c| example_strings(c, inside, out)),
        Value::String(s) if inside => {
            out.insert(s.clone());
        }
        _ => {}
    }
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

    /// A scratch `openapi/` with a two-operation spec (one without operationId), a lock of `kind` counting
    /// `locked` operations, and a name table.
    fn scratch(name: &str, kind: SpecKind, locked: usize, names: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("xtask-spec-check-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let spec = "openapi: 3.1.0\ninfo: {title: t, version: v2}\npaths:\n  /a:\n    get:\n      operationId: getA\n      \
                    responses: {'200': {description: OK}}\n    post:\n      responses: {'200': {description: OK}}\n";
        std::fs::write(dir.join("partoo.yaml"), spec).unwrap();
        std::fs::write(dir.join("names.yaml"), names).unwrap();
        let lock = lock::Lock {
            spec: lock::SpecFacts {
                file: "partoo.yaml".into(),
                sha256: String::new(),
                size: 0,
                openapi: "3.1.0".into(),
                info_version: "v2".into(),
                operations: locked,
                report: String::new(),
            },
            source: lock::Source {
                kind,
                origin: "test".into(),
                fetched_at: String::new(),
            },
        };
        std::fs::write(dir.join("partoo.lock"), lock::render(&lock).unwrap()).unwrap();
        dir
    }

    /// Runs the embedded examples check on a one-operation spec whose response schema is `schema`, against
    /// facts showing `example` for that response.
    fn examples_on(name: &str, schema: &str, example: &str) -> Result<String, String> {
        let dir =
            std::env::temp_dir().join(format!("xtask-examples-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let op = |body: &str| {
            format!(
                "openapi: 3.1.0\ninfo: {{title: t, version: v2}}\npaths:\n  /a/{{id}}:\n    get:\n      \
                 responses:\n        '200':\n          description: OK\n          content:\n            \
                 application/json:\n              {body}\n"
            )
        };
        std::fs::write(dir.join("spec.yaml"), op(&format!("schema: {schema}"))).unwrap();
        // The facts name the placeholder differently: operations are matched by method and path shape.
        let facts = op(&format!("example: {example}")).replace("{id}", "{other}");
        std::fs::write(dir.join("facts.yaml"), facts).unwrap();
        let out = python(
            &[
                "-".as_ref(),
                dir.join("facts.yaml").as_os_str(),
                dir.join("spec.yaml").as_os_str(),
            ],
            Some(EXAMPLES_PY),
        )
        .unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        examples_result(Path::new("spec.yaml"), &out)
    }

    #[test]
    fn an_example_outside_its_schema_fails_naming_operation_example_and_pointer() {
        let schema = "{type: object, properties: {keys: {type: array, items: {type: object, properties: \
                      {created_at: {type: string, format: date-time}}}}}}";
        let err = examples_on(
            "format",
            schema,
            "{keys: [{created_at: '2019-08-22 11:46:38.914467+00'}]}",
        )
        .unwrap_err();
        assert!(
            err.contains(
                "GET /a/{id}: response 200 example (application/json): at /keys/0/created_at:"
            ),
            "{err}"
        );
        assert!(err.contains("is not a 'date-time'"), "{err}");
        let ok = examples_on(
            "format-ok",
            schema,
            "{keys: [{created_at: '2019-08-22T11:46:38.914467+00:00'}]}",
        )
        .unwrap();
        assert!(
            ok.contains("1 of the facts") && ok.ends_with(": 0 failures"),
            "{ok}"
        );
    }

    #[test]
    fn an_example_fitting_several_one_of_branches_fails() {
        let schema = "{oneOf: [{type: object, properties: {kind: {const: a}}}, {type: object, \
                      properties: {kind: {const: b}}}]}";
        // Neither branch requires `kind`, so an example without it fits both.
        let err = examples_on("one-of", schema, "{other: 1}").unwrap_err();
        assert!(
            err.contains("at /: fits 2 branches of a oneOf")
                && err.contains("must fit exactly one"),
            "{err}"
        );
        assert!(examples_on("one-of-ok", schema, "{kind: b}").is_ok());
    }

    #[test]
    fn placeholders_are_skipped_but_a_wrong_enum_value_is_not() {
        let schema = "{type: object, properties: {n: {type: integer}, f: {enum: [x, y]}}}";
        let ok = examples_on("placeholder", schema, "{n: '<string>', f: x}").unwrap();
        assert!(ok.contains("1 placeholder values skipped"), "{ok}");
        let err = examples_on("enum", schema, "{n: 1, f: z}").unwrap_err();
        assert!(err.contains("at /f: 'z' is not one of"), "{err}");
    }

    #[test]
    fn a_format_that_cannot_be_checked_stops_the_check() {
        // jsonschema would skip it silently; the check refuses to report success without checking it.
        let schema = "{type: object, properties: {d: {type: string, format: made-up}}}";
        let err = examples_on("format-missing", schema, "{d: anything}").unwrap_err();
        assert!(
            err.contains("could not run") && err.contains("format 'made-up'"),
            "{err}"
        );
    }

    #[test]
    fn our_own_timestamp_format_is_checked_by_its_pattern() {
        let bare = "{type: object, properties: {t: {type: string, format: timestamp}}}";
        let err = examples_on("own-bare", bare, "{t: '2019-08-22 11:46:38+00'}").unwrap_err();
        assert!(err.contains("needs a `pattern`"), "{err}");
        let with_pattern = "{type: object, properties: {t: {type: string, format: timestamp, \
                            pattern: '^\\d{4}-\\d{2}-\\d{2} '}}}";
        assert!(examples_on("own-ok", with_pattern, "{t: '2019-08-22 11:46:38+00'}").is_ok());
        let err = examples_on("own-bad", with_pattern, "{t: 'yesterday'}").unwrap_err();
        assert!(err.contains("at /t: 'yesterday' does not match"), "{err}");
    }

    #[test]
    fn the_operation_count_comes_from_the_lock() {
        let dir = scratch("count", SpecKind::Upstream, 3, "");
        let err = checks(&dir.join("partoo.yaml"), &dir.join("no-shared")).unwrap_err();
        assert!(err.contains("2 operations, but the lock says 3"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_upstream_document_skips_the_restatement_rules() {
        let dir = scratch("upstream", SpecKind::Upstream, 2, "");
        let lines = checks(&dir.join("partoo.yaml"), &dir.join("no-shared")).unwrap();
        assert!(
            lines.iter().any(|l| l.starts_with("upstream document")),
            "{lines:?}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_restatement_names_every_operation_and_is_checked_for_prose() {
        let dir = scratch("restated", SpecKind::Restatement, 2, "");
        let err = checks(&dir.join("partoo.yaml"), &dir.join("no-shared")).unwrap_err();
        assert!(err.contains("names.yaml entry: POST /a"), "{err}");
        std::fs::write(dir.join("names.yaml"), "POST /a: createA\n").unwrap();
        let err = checks(&dir.join("partoo.yaml"), &dir.join("no-shared")).unwrap_err();
        assert!(err.contains("the prose check compares"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
