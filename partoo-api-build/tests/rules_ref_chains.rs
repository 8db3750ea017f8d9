//! `ref_chains`: references between parameters, request bodies, responses, headers and path items. A cycle
//! among them made progenitor recurse until the stack overflowed (the process aborted, no error); a chain
//! (`$ref` → `$ref` → parameter) was followed one hop by the pipeline's own readers but to its end by
//! progenitor, so the checks saw another parameter than the one generated.

mod common;

use common::{at, change, run, run_err, yaml};
use partoo_api_build::{Location, Options, generate_bytes};
use serde_json::json;

/// A 3.0.3 spec with one `GET /things/{id}` whose extra parts (YAML, indented for `get:`) are `op`, and
/// `components` (YAML, indented for `components:`).
fn spec(op: &str, components: &str) -> String {
    format!(
        "openapi: 3.0.3
info: {{title: t, version: '1'}}
paths:
  /things/{{id}}:
    get:
      operationId: getThing
      parameters:
        - {{name: id, in: path, required: true, schema: {{type: string}}}}
{op}
components:
{components}"
    )
}

const OK_RESPONSES: &str = "      responses:\n        '200': {description: ok}\n";

/// The operation's extra parts: a second parameter, `$ref: P`, and [`OK_RESPONSES`].
fn uses_p() -> String {
    format!("        - {{$ref: '#/components/parameters/P'}}\n{OK_RESPONSES}")
}

/// The spec whose operation uses `P`, where `P` → `Q` → `q` (a parameter, YAML flow mapping).
fn chained_to(q: &str) -> String {
    spec(
        &uses_p(),
        &format!("  parameters:\n    P: {{$ref: '#/components/parameters/Q'}}\n    Q: {q}\n"),
    )
}

#[test]
fn a_parameter_that_refers_to_itself_is_refused_at_its_use() {
    let text = spec(
        &uses_p(),
        "  parameters:\n    P: {$ref: '#/components/parameters/P'}\n",
    );
    // Before the rule, this aborted the test process with a stack overflow inside progenitor.
    let err = generate_bytes("p.yaml", text.as_bytes(), &Options::default())
        .expect_err("a cycle is refused");
    assert_eq!(
        err.location,
        Location::Pointer("/paths/~1things~1{id}/get/parameters/1".into())
    );
    assert_eq!(
        err.message,
        "reference cycle: #/components/parameters/P → #/components/parameters/P"
    );
    assert!(err.hint.is_some());
}

#[test]
fn cycles_through_two_components_and_other_kinds_are_refused() {
    let cases = [
        (
            uses_p(),
            "  parameters:\n    P: {$ref: '#/components/parameters/Q'}\n    Q: {$ref: '#/components/parameters/P'}\n",
            "/paths/~1things~1{id}/get/parameters/1",
        ),
        (
            "      responses:\n        '200': {$ref: '#/components/responses/R'}\n".to_owned(),
            "  responses:\n    R: {$ref: '#/components/responses/R'}\n",
            "/paths/~1things~1{id}/get/responses/200",
        ),
        (
            format!("      requestBody: {{$ref: '#/components/requestBodies/B'}}\n{OK_RESPONSES}"),
            "  requestBodies:\n    B: {$ref: '#/components/requestBodies/B'}\n",
            "/paths/~1things~1{id}/get/requestBody",
        ),
        // Unused, the component still holds the cycle: it is refused where it is declared.
        (
            OK_RESPONSES.to_owned(),
            "  headers:\n    H: {$ref: '#/components/headers/H'}\n",
            "/components/headers/H",
        ),
    ];
    for (op, components, pointer) in cases {
        let doc = yaml(&spec(&op, components));
        let err = run_err(doc, &["dangling_refs", "ref_chains"]);
        assert_eq!(err.location, Location::Pointer(pointer.into()), "{op}");
        assert!(err.message.starts_with("reference cycle: "), "{err}");
    }
}

#[test]
fn a_path_item_that_refers_to_itself_is_refused() {
    let doc = yaml(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x: {$ref: '#/paths/~1x'}\n",
    );
    let err = run_err(doc, &["dangling_refs", "ref_chains"]);
    assert_eq!(err.location, Location::Pointer("/paths/~1x".into()));
    assert_eq!(err.message, "reference cycle: #/paths/~1x → #/paths/~1x");
}

#[test]
fn a_chain_is_pointed_at_its_end_so_every_reader_sees_one_parameter() {
    let doc = yaml(&spec(
        &uses_p(),
        "  parameters:
    P: {$ref: '#/components/parameters/Q'}
    Q: {$ref: '#/components/parameters/S'}
    S: {name: city, in: query, schema: {type: string}}
",
    ));
    let (doc, report) = run(doc, &["dangling_refs", "ref_chains"]);
    let site = "/paths/~1things~1{id}/get/parameters/1";
    assert_eq!(
        at(&doc, site),
        &json!({"$ref": "#/components/parameters/S"})
    );
    assert_eq!(
        change(&report, "ref_chains", site).detail,
        "#/components/parameters/P → #/components/parameters/Q → #/components/parameters/S: \
         points at #/components/parameters/S"
    );
    // P itself is a chain too (P → Q → S); Q points at S directly and is left alone.
    assert_eq!(
        at(&doc, "/components/parameters/P"),
        &json!({"$ref": "#/components/parameters/S"})
    );
    assert_eq!(
        at(&doc, "/components/parameters/Q"),
        &json!({"$ref": "#/components/parameters/S"})
    );
}

#[test]
fn a_chained_parameter_is_checked_like_a_direct_one() {
    // The chain ends at a query parameter named `send`, the builder's own method: refused by name (before,
    // it was generated, and rustc refused the duplicate `send`).
    let text = chained_to("{name: send, in: query, schema: {type: string}}");
    let err = generate_bytes("p.yaml", text.as_bytes(), &Options::default())
        .expect_err("`send` is refused");
    assert!(err.to_string().contains("send"), "{err}");

    // A chain to an ordinary parameter generates, and the method has the parameter.
    let text = chained_to("{name: city, in: query, schema: {type: string}}");
    let out = generate_bytes("p.yaml", text.as_bytes(), &Options::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.code.contains("pub fn city"),
        "the builder has a `city` setter"
    );
}
