//! One test (or more) per OpenAPI 3.1 → 3.0.3 conversion rule, on small inline specs.

mod common;

use common::{assert_no_change, at, change, pointers, run, yaml};
use serde_json::json;

/// A spec whose only content is `components.schemas`, given as YAML indented by 4 spaces.
fn schemas(body: &str) -> serde_json::Value {
    yaml(&format!(
        "openapi: 3.1.0\ninfo: {{title: t, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n{body}"
    ))
}

#[test]
fn openapi_31_version_lowers_the_version_and_drops_31_only_fields() {
    let doc = yaml(
        r"
openapi: 3.1.0
jsonSchemaDialect: https://spec.openapis.org/oas/3.1/dialect/base
info:
  title: t
  version: '1'
  summary: short
  license: {name: MIT, identifier: MIT}
paths: {}
components:
  pathItems: {}
  schemas: {}
",
    );
    let (doc, report) = run(doc, &["openapi_31_version"]);
    assert_eq!(doc["openapi"], json!("3.0.3"));
    assert!(doc.get("jsonSchemaDialect").is_none());
    assert!(doc.pointer("/info/summary").is_none());
    assert_eq!(doc.pointer("/info/license"), Some(&json!({"name": "MIT"})));
    assert!(doc.pointer("/components/pathItems").is_none());
    assert_eq!(
        change(&report, "openapi_31_version", "/openapi").detail,
        "3.1.0 → 3.0.3"
    );
    assert_eq!(
        pointers(&report, "openapi_31_version"),
        [
            "/openapi",
            "/jsonSchemaDialect",
            "/info/summary",
            "/info/license/identifier",
            "/components/pathItems"
        ]
    );
}

#[test]
fn openapi_31_version_leaves_30_alone() {
    let doc = yaml("openapi: 3.0.3\ninfo: {title: t, version: '1', summary: kept}\npaths: {}\n");
    let (doc, report) = run(doc, &["openapi_31_version"]);
    assert_eq!(doc["openapi"], json!("3.0.3"));
    assert_eq!(at(&doc, "/info/summary"), "kept");
    assert_no_change(&report, "openapi_31_version");
}

#[test]
fn webhooks_are_dropped_one_change_per_hook() {
    let doc = yaml(
        r"
openapi: 3.1.0
info: {title: t, version: '1'}
paths: {}
webhooks:
  newReview: {post: {responses: {'200': {description: ok}}}}
  review/updated: {post: {responses: {'200': {description: ok}}}}
",
    );
    let (doc, report) = run(doc, &["webhooks"]);
    assert!(doc.get("webhooks").is_none());
    assert_eq!(
        pointers(&report, "webhooks"),
        ["/webhooks/newReview", "/webhooks/review~1updated"]
    );

    let (_, report) = run(yaml("openapi: 3.1.0\npaths: {}\n"), &["webhooks"]);
    assert_no_change(&report, "webhooks");
}

#[test]
fn boolean_schemas_become_objects() {
    let doc = schemas(
        r"
    Anything: true
    Obj:
      type: object
      properties:
        never: false
      additionalProperties: false
",
    );
    let (doc, report) = run(doc, &["boolean_schemas"]);
    assert_eq!(at(&doc, "/components/schemas/Anything"), &json!({}));
    assert_eq!(
        at(&doc, "/components/schemas/Obj/properties/never"),
        &json!({"not": {}})
    );
    // `additionalProperties: false` is not a schema slot for this rule (open_objects handles it).
    assert_eq!(
        at(&doc, "/components/schemas/Obj/additionalProperties"),
        &json!(false)
    );
    assert_eq!(
        change(&report, "boolean_schemas", "/components/schemas/Anything").detail,
        "boolean schema true → object"
    );
    assert_eq!(
        pointers(&report, "boolean_schemas"),
        [
            "/components/schemas/Anything",
            "/components/schemas/Obj/properties/never"
        ]
    );
}

#[test]
fn null_branch_beside_a_ref_becomes_nullable_all_of() {
    let doc = schemas(
        r"
    Org: {type: object}
    Holder:
      type: object
      properties:
        org:
          oneOf:
            - $ref: '#/components/schemas/Org'
            - type: 'null'
",
    );
    let (doc, report) = run(doc, &["null_branches"]);
    assert_eq!(
        at(&doc, "/components/schemas/Holder/properties/org"),
        &json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/Org"}]})
    );
    assert_eq!(
        change(
            &report,
            "null_branches",
            "/components/schemas/Holder/properties/org"
        )
        .detail,
        "oneOf null branch → nullable"
    );
}

#[test]
fn null_branches_inline_and_alone_and_among_several() {
    let doc = schemas(
        r"
    Inline:
      anyOf:
        - {type: string, maxLength: 3}
        - {type: 'null'}
    Alone: {type: 'null'}
    Several:
      oneOf:
        - {type: string}
        - {type: integer}
        - {type: ['null']}
    NoNull:
      oneOf: [{type: string}, {type: integer}]
",
    );
    let (doc, report) = run(doc, &["null_branches"]);
    assert_eq!(
        at(&doc, "/components/schemas/Inline"),
        &json!({"type": "string", "maxLength": 3, "nullable": true})
    );
    assert_eq!(
        at(&doc, "/components/schemas/Alone"),
        &json!({"nullable": true})
    );
    assert_eq!(
        at(&doc, "/components/schemas/Several"),
        &json!({"nullable": true, "oneOf": [{"type": "string"}, {"type": "integer"}]})
    );
    assert_eq!(
        at(&doc, "/components/schemas/NoNull/oneOf")
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    assert_eq!(
        pointers(&report, "null_branches"),
        [
            "/components/schemas/Alone",
            "/components/schemas/Inline",
            "/components/schemas/Several"
        ]
    );
}

#[test]
fn type_arrays_with_null_and_with_several_types() {
    let doc = schemas(
        r"
    Org:
      type: object
      properties:
        max_businesses: {type: [integer, 'null']}
        either: {type: [string, integer]}
        any_or_null: {type: [string, integer, 'null']}
        plain: {type: string}
",
    );
    let (doc, report) = run(doc, &["type_arrays"]);
    let p = "/components/schemas/Org/properties";
    assert_eq!(
        at(&doc, &format!("{p}/max_businesses")),
        &json!({"type": "integer", "nullable": true})
    );
    assert_eq!(at(&doc, &format!("{p}/either")), &json!({}));
    assert_eq!(
        at(&doc, &format!("{p}/any_or_null")),
        &json!({"nullable": true})
    );
    assert_eq!(at(&doc, &format!("{p}/plain")), &json!({"type": "string"}));
    assert_eq!(
        change(&report, "type_arrays", &format!("{p}/max_businesses")).detail,
        r#"type ["integer", "null"] → integer + nullable"#
    );
    assert_eq!(
        pointers(&report, "type_arrays"),
        [
            format!("{p}/any_or_null"),
            format!("{p}/either"),
            format!("{p}/max_businesses")
        ]
    );
}

#[test]
fn examples_keyword_becomes_example() {
    let doc = schemas(
        r"
    Name: {type: string, examples: [Partoo, Other]}
    Kept: {type: string, example: mine, examples: [theirs]}
    Plain: {type: string, example: x}
",
    );
    let (doc, report) = run(doc, &["examples_keyword"]);
    assert_eq!(
        at(&doc, "/components/schemas/Name"),
        &json!({"type": "string", "example": "Partoo"})
    );
    assert_eq!(
        at(&doc, "/components/schemas/Kept"),
        &json!({"type": "string", "example": "mine"})
    );
    assert_eq!(
        pointers(&report, "examples_keyword"),
        ["/components/schemas/Kept", "/components/schemas/Name"]
    );
}

#[test]
fn const_becomes_a_single_value_enum() {
    let doc = schemas("    Kind: {type: string, const: text}\n    Other: {type: string}\n");
    let (doc, report) = run(doc, &["const_keyword"]);
    assert_eq!(
        at(&doc, "/components/schemas/Kind"),
        &json!({"type": "string", "enum": ["text"]})
    );
    assert_eq!(
        pointers(&report, "const_keyword"),
        ["/components/schemas/Kind"]
    );
}

#[test]
fn numeric_exclusive_bounds_become_30_form() {
    let doc = schemas(
        r"
    Rating: {type: integer, exclusiveMinimum: 0, exclusiveMaximum: 6}
    Orphan: {type: number, exclusiveMinimum: true}
    Old: {type: number, minimum: 0, exclusiveMinimum: true}
",
    );
    let (doc, report) = run(doc, &["exclusive_bounds"]);
    assert_eq!(
        at(&doc, "/components/schemas/Rating"),
        &json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true, "maximum": 6, "exclusiveMaximum": true})
    );
    assert_eq!(
        at(&doc, "/components/schemas/Orphan"),
        &json!({"type": "number"})
    );
    assert_eq!(
        at(&doc, "/components/schemas/Old"),
        &json!({"type": "number", "minimum": 0, "exclusiveMinimum": true})
    );
    assert_eq!(
        change(&report, "exclusive_bounds", "/components/schemas/Rating").detail,
        "exclusiveMinimum, exclusiveMaximum → 3.0 form"
    );
    assert_eq!(
        pointers(&report, "exclusive_bounds"),
        ["/components/schemas/Orphan", "/components/schemas/Rating"]
    );
}

#[test]
fn content_keywords_become_formats() {
    let doc = schemas(
        r"
    Encoded: {type: string, contentEncoding: base64}
    Raw: {type: string, contentMediaType: image/png}
    Text: {type: string}
",
    );
    let (doc, report) = run(doc, &["content_keywords"]);
    assert_eq!(
        at(&doc, "/components/schemas/Encoded"),
        &json!({"type": "string", "format": "byte"})
    );
    assert_eq!(
        at(&doc, "/components/schemas/Raw"),
        &json!({"type": "string", "format": "binary"})
    );
    assert_eq!(
        change(&report, "content_keywords", "/components/schemas/Raw").detail,
        "content keywords → format binary"
    );
    assert_eq!(
        pointers(&report, "content_keywords"),
        ["/components/schemas/Encoded", "/components/schemas/Raw"]
    );
}

#[test]
fn json_schema_2020_keywords_are_dropped() {
    let doc = schemas(
        r"
    Tuple:
      $comment: a pair
      type: array
      prefixItems: [{type: string}, {type: integer}]
      items: {type: string}
      $defs:
        Inner: {type: string}
    Cond:
      type: object
      if: {required: [a]}
      then: {required: [b]}
      properties:
        a: {type: string, propertyNames: {maxLength: 2}}
",
    );
    let (doc, report) = run(doc, &["json_schema_2020_keywords"]);
    assert_eq!(
        at(&doc, "/components/schemas/Tuple"),
        &json!({"type": "array", "items": {"type": "string"}})
    );
    assert_eq!(
        at(&doc, "/components/schemas/Cond/properties/a"),
        &json!({"type": "string"})
    );
    assert!(doc.pointer("/components/schemas/Cond/if").is_none());
    assert_eq!(
        change(
            &report,
            "json_schema_2020_keywords",
            "/components/schemas/Tuple"
        )
        .detail,
        "dropped $comment, $defs, prefixItems"
    );
    assert_eq!(
        pointers(&report, "json_schema_2020_keywords"),
        [
            "/components/schemas/Cond",
            "/components/schemas/Cond/properties/a",
            "/components/schemas/Tuple"
        ]
    );
}

#[test]
fn ref_siblings_annotations_dropped_constraints_wrapped() {
    let doc = schemas(
        r"
    Org: {type: object}
    Holder:
      type: object
      properties:
        described: {$ref: '#/components/schemas/Org', description: the org, x-extra: 1}
        nullable: {$ref: '#/components/schemas/Org', nullable: true, description: maybe}
        plain: {$ref: '#/components/schemas/Org'}
",
    );
    let (doc, report) = run(doc, &["ref_siblings"]);
    let p = "/components/schemas/Holder/properties";
    let org = json!({"$ref": "#/components/schemas/Org"});
    assert_eq!(at(&doc, &format!("{p}/described")), &org);
    assert_eq!(
        at(&doc, &format!("{p}/nullable")),
        &json!({"nullable": true, "allOf": [org]})
    );
    assert_eq!(at(&doc, &format!("{p}/plain")), &org);
    assert!(
        change(&report, "ref_siblings", &format!("{p}/described"))
            .detail
            .starts_with("dropped annotations beside $ref")
    );
    assert!(
        change(&report, "ref_siblings", &format!("{p}/nullable"))
            .detail
            .ends_with("→ allOf wrapper")
    );
    assert_eq!(
        pointers(&report, "ref_siblings"),
        [format!("{p}/described"), format!("{p}/nullable")]
    );
}

#[test]
fn conversion_rules_change_nothing_on_a_plain_30_document() {
    let doc = yaml(
        r"
openapi: 3.0.3
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    Org:
      type: object
      required: [name]
      properties:
        name: {type: string, nullable: true, example: x}
        count: {type: integer, minimum: 0}
        parent: {$ref: '#/components/schemas/Org'}
",
    );
    let all = [
        "openapi_31_version",
        "webhooks",
        "boolean_schemas",
        "null_branches",
        "type_arrays",
        "examples_keyword",
        "const_keyword",
        "exclusive_bounds",
        "content_keywords",
        "json_schema_2020_keywords",
        "ref_siblings",
    ];
    let (out, report) = run(doc.clone(), &all);
    assert_eq!(out, doc);
    assert!(report.changes.is_empty(), "{:#?}", report.changes);
}
