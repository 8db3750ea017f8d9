//! Per-schema rules next to each other share one walk of the document (`rules::normalise_with` runs them
//! together). That must give exactly what running the rules one after another gives: the same document and the
//! same report, change by change and in the same order.

mod common;

use common::yaml;
use partoo_api_build::rules::{RULES, normalise_with};
use partoo_api_build::{BuildError, Change, NameTable};
use serde_json::Value;

type Outcome = Result<(Value, Vec<Change>, Vec<String>), BuildError>;

/// Every rule in one call, sharing walks where the rules allow it.
fn together(doc: &Value) -> Outcome {
    let names: Vec<&str> = RULES.iter().map(|r| r.name).collect();
    let (doc, report) = normalise_with(doc.clone(), &NameTable::default(), &names)?;
    Ok((doc, report.changes, report.notes))
}

/// Every rule in a call of its own, so each walks the document alone.
fn one_by_one(doc: &Value) -> Outcome {
    let mut doc = doc.clone();
    let (mut changes, mut notes) = (Vec::new(), Vec::new());
    for rule in RULES {
        let (next, report) = normalise_with(doc, &NameTable::default(), &[rule.name])?;
        doc = next;
        changes.extend(report.changes);
        notes.extend(report.notes);
    }
    Ok((doc, changes, notes))
}

fn assert_same(label: &str, doc: &Value) {
    let (a, b) = (together(doc), one_by_one(doc));
    match (a, b) {
        (Ok((doc_a, changes_a, notes_a)), Ok((doc_b, changes_b, notes_b))) => {
            assert_eq!(changes_a, changes_b, "{label}: changes differ");
            assert_eq!(notes_a, notes_b, "{label}: notes differ");
            assert!(doc_a == doc_b, "{label}: documents differ");
        }
        (Err(a), Err(b)) => assert_eq!(a, b, "{label}: errors differ"),
        (a, b) => panic!("{label}: together {:?}, one by one {:?}", a.err(), b.err()),
    }
}

#[test]
fn shared_walks_give_what_rules_one_by_one_give_on_the_committed_spec() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/partoo.yaml");
    let text = std::fs::read_to_string(path).expect("the committed spec is readable");
    assert_same("openapi/partoo.yaml", &yaml(&text));
}

#[test]
fn shared_walks_give_what_rules_one_by_one_give_on_every_rule_fixture() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/rules");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).expect("fixtures directory") {
        let path = entry.expect("fixture entry").path();
        let text = std::fs::read_to_string(&path).expect("fixture is readable");
        assert_same(&path.display().to_string(), &yaml(&text));
        seen += 1;
    }
    assert!(seen > 10, "only {seen} fixtures found in {dir}");
}

/// Schemas that several rules of the same walk change, some reshaped by the first of them.
#[test]
fn shared_walks_give_what_rules_one_by_one_give_where_rules_meet() {
    let doc = yaml(
        r#"
openapi: 3.1.0
paths: {}
components:
  schemas:
    A:
      oneOf:
        - {type: 'null'}
        - type: [array, 'null']
          examples: [[1]]
          items: {const: 3, exclusiveMinimum: 1, contentEncoding: base64, type: [integer]}
    B:
      type: array of integer
      required: true
      enum: ["1, 2", 2, 2]
      default: x
      pattern: date
    C:
      type: object
      required: [x]
      additionalProperties: false
      properties:
        x: {type: number, format: float, enum: ["", a, A], pattern: "^a"}
        y: {type: array}
        d: {type: string, format: date-time, pattern: "[0-9]+", additionalProperties: false}
"#,
    );
    assert_same("inline", &doc);
}
