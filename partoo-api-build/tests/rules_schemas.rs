//! Schema-level defect rules of Partoo's 2021 document: Swagger-style `required`, made-up type names, broken
//! enums and defaults, bogus patterns, arrays without items; and the policy rule dropping the remaining patterns.

mod common;

use common::{assert_no_change, at, change, pointers, run, yaml};
use serde_json::json;

/// A spec whose only content is `components.schemas`, given as YAML indented by 4 spaces.
fn schemas(body: &str) -> serde_json::Value {
    yaml(&format!(
        "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n{body}"
    ))
}

#[test]
fn boolean_required_is_removed_list_required_kept() {
    let doc = schemas(
        r"
    Day:
      type: object
      required: true
      properties:
        name: {type: string, required: false}
    Good:
      type: object
      required: [name]
      properties:
        name: {type: string}
",
    );
    let (doc, report) = run(doc, &["boolean_required"]);
    assert!(doc.pointer("/components/schemas/Day/required").is_none());
    assert_eq!(
        at(&doc, "/components/schemas/Day/properties/name"),
        &json!({"type": "string"})
    );
    assert_eq!(
        at(&doc, "/components/schemas/Good/required"),
        &json!(["name"])
    );
    assert_eq!(
        change(&report, "boolean_required", "/components/schemas/Day").detail,
        "required: true removed"
    );
    assert_eq!(
        pointers(&report, "boolean_required"),
        [
            "/components/schemas/Day",
            "/components/schemas/Day/properties/name"
        ]
    );
}

#[test]
fn nonstandard_type_names_are_mapped() {
    let doc = schemas(
        r"
    Thing:
      type: object
      properties:
        created: {type: timestamp}
        count: {type: Integer}
        maybe: {type: string | null}
        slashed: {type: integer / null}
        trailing: {type: 'string,'}
        tags: {type: array of string}
        ids: {type: array of integer, items: {type: string}}
        union: {type: string | integer | number | boolean | array | object}
        mystery: {type: blob}
        fine: {type: string}
",
    );
    let (doc, report) = run(doc, &["nonstandard_types"]);
    let p = |name: &str| format!("/components/schemas/Thing/properties/{name}");
    assert_eq!(
        at(&doc, &p("created")),
        &json!({"type": "number", "format": "unix-time"})
    );
    assert_eq!(at(&doc, &p("count")), &json!({"type": "integer"}));
    assert_eq!(
        at(&doc, &p("maybe")),
        &json!({"type": "string", "nullable": true})
    );
    assert_eq!(
        at(&doc, &p("slashed")),
        &json!({"type": "integer", "nullable": true})
    );
    assert_eq!(at(&doc, &p("trailing")), &json!({"type": "string"}));
    assert_eq!(
        at(&doc, &p("tags")),
        &json!({"type": "array", "items": {"type": "string"}})
    );
    // Existing items are kept.
    assert_eq!(
        at(&doc, &p("ids")),
        &json!({"type": "array", "items": {"type": "string"}})
    );
    assert_eq!(at(&doc, &p("union")), &json!({}));
    assert_eq!(at(&doc, &p("mystery")), &json!({}));
    assert_eq!(at(&doc, &p("fine")), &json!({"type": "string"}));
    assert_eq!(
        change(&report, "nonstandard_types", &p("created")).detail,
        r#"type "timestamp" → number (format unix-time)"#
    );
    assert_eq!(
        change(&report, "nonstandard_types", &p("maybe")).detail,
        r#"type "string | null" → string + nullable"#
    );
    assert_eq!(
        change(&report, "nonstandard_types", &p("union")).detail,
        r#"type "string | integer | number | boolean | array | object" → any value"#
    );
    assert_eq!(pointers(&report, "nonstandard_types").len(), 9);
}

#[test]
fn nonstandard_types_leave_standard_documents_alone() {
    let doc = schemas(
        "    A: {type: object, properties: {n: {type: number}, l: {type: array, items: {type: boolean}}}}\n",
    );
    let (out, report) = run(doc.clone(), &["nonstandard_types"]);
    assert_eq!(out, doc);
    assert_no_change(&report, "nonstandard_types");
}

#[test]
fn an_enum_that_allows_no_value_is_dropped_and_reported() {
    // Before, typify ignored it without a word: the schema became a plain string.
    let doc = schemas(
        r"
    Empty: {type: string, enum: []}
    Null: {type: string, enum: null}
",
    );
    let (doc, report) = run(doc, &["enum_values"]);
    let s = |name: &str| format!("/components/schemas/{name}");
    for name in ["Empty", "Null"] {
        assert_eq!(at(&doc, &s(name)), &json!({"type": "string"}));
    }
    assert_eq!(
        change(&report, "enum_values", &s("Empty")).detail,
        "enum [] lists no value: dropped, any value of the type is taken"
    );
    assert_eq!(
        change(&report, "enum_values", &s("Null")).detail,
        "enum null is no list: dropped, any value of the type is taken"
    );
}

#[test]
fn enum_values_wrong_type_comma_joined_duplicated_and_null() {
    let doc = schemas(
        r"
    Joined: {type: string, enum: ['True, False']}
    Booleans: {type: string, enum: [true, false]}
    Dups: {type: string, enum: [USER_INPUT, USER_INPUT, AUTO]}
    Numbers: {type: integer, enum: ['1', '2', 2]}
    WithNull: {type: string, enum: [a, null]}
    NullableNull: {type: string, nullable: true, enum: [a, null]}
    Good: {type: string, enum: [a, b]}
",
    );
    let (doc, report) = run(doc, &["enum_values"]);
    let s = |name: &str| format!("/components/schemas/{name}");
    assert_eq!(
        at(&doc, &format!("{}/enum", s("Joined"))),
        &json!(["True", "False"])
    );
    assert_eq!(
        at(&doc, &format!("{}/enum", s("Booleans"))),
        &json!(["true", "false"])
    );
    assert_eq!(
        at(&doc, &format!("{}/enum", s("Dups"))),
        &json!(["USER_INPUT", "AUTO"])
    );
    assert_eq!(at(&doc, &format!("{}/enum", s("Numbers"))), &json!([1, 2]));
    assert_eq!(
        at(&doc, &s("WithNull")),
        &json!({"type": "string", "enum": ["a"], "nullable": true})
    );
    assert_eq!(
        at(&doc, &format!("{}/enum", s("NullableNull"))),
        &json!(["a", null])
    );
    assert_eq!(
        change(&report, "enum_values", &s("Joined")).detail,
        r#"enum ["True, False"] → ["True","False"]"#
    );
    assert_eq!(
        pointers(&report, "enum_values"),
        [
            s("Booleans"),
            s("Dups"),
            s("Joined"),
            s("Numbers"),
            s("WithNull")
        ]
    );
}

#[test]
fn enum_defaults_outside_the_enum_or_of_the_wrong_type_are_removed() {
    let doc = schemas(
        r"
    Outside: {type: string, enum: ['True', 'False'], default: 'false'}
    WrongType: {type: integer, default: '5'}
    NullDefault: {type: string, default: null}
    NullableNull: {type: string, nullable: true, default: null}
    Inside: {type: string, enum: [a, b], default: a}
    Typed: {type: boolean, default: false}
",
    );
    let (doc, report) = run(doc, &["enum_defaults"]);
    let s = |name: &str| format!("/components/schemas/{name}");
    assert_eq!(
        at(&doc, &s("Outside")),
        &json!({"type": "string", "enum": ["True", "False"]})
    );
    assert_eq!(at(&doc, &s("WrongType")), &json!({"type": "integer"}));
    assert_eq!(at(&doc, &s("NullDefault")), &json!({"type": "string"}));
    assert_eq!(
        at(&doc, &format!("{}/default", s("NullableNull"))),
        &json!(null)
    );
    assert_eq!(at(&doc, &format!("{}/default", s("Inside"))), &json!("a"));
    assert_eq!(at(&doc, &format!("{}/default", s("Typed"))), &json!(false));
    assert_eq!(
        change(&report, "enum_defaults", &s("Outside")).detail,
        r#"default "false" does not fit the schema → removed"#
    );
    assert_eq!(
        pointers(&report, "enum_defaults"),
        [s("NullDefault"), s("Outside"), s("WrongType")]
    );
}

const PATTERNS: &str = r"
    Dates:
      type: object
      properties:
        day: {type: string, pattern: date}
        other_day: {type: string, pattern: yyyy-mm-dd}
        broken: {type: string, pattern: '[a-z'}
        month: {type: string, pattern: '^[0-9]{4}-[0-9]{2}$'}
";

#[test]
fn bogus_patterns_are_removed_real_regexes_kept() {
    let (doc, report) = run(schemas(PATTERNS), &["bogus_patterns"]);
    let p = |name: &str| format!("/components/schemas/Dates/properties/{name}");
    assert_eq!(at(&doc, &p("day")), &json!({"type": "string"}));
    assert_eq!(at(&doc, &p("other_day")), &json!({"type": "string"}));
    assert_eq!(at(&doc, &p("broken")), &json!({"type": "string"}));
    assert_eq!(
        at(&doc, &p("month")),
        &json!({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"})
    );
    assert_eq!(
        change(&report, "bogus_patterns", &p("day")).detail,
        "pattern date is a format name, not a regex → removed"
    );
    assert_eq!(
        change(&report, "bogus_patterns", &p("broken")).detail,
        "pattern [a-z is not a valid regex → removed"
    );
    assert_eq!(
        pointers(&report, "bogus_patterns"),
        [p("broken"), p("day"), p("other_day")]
    );
}

#[test]
fn server_side_patterns_drop_the_real_regex_that_bogus_patterns_kept() {
    let (doc, report) = run(
        schemas(PATTERNS),
        &["bogus_patterns", "server_side_patterns"],
    );
    let month = "/components/schemas/Dates/properties/month";
    assert_eq!(at(&doc, month), &json!({"type": "string"}));
    assert_eq!(pointers(&report, "server_side_patterns"), [month]);
    assert_eq!(
        change(&report, "server_side_patterns", month).detail,
        r#"pattern "^[0-9]{4}-[0-9]{2}$" dropped"#
    );

    let (_, report) = run(
        schemas("    A: {type: string}\n"),
        &["server_side_patterns"],
    );
    assert_no_change(&report, "server_side_patterns");
}

#[test]
fn untyped_arrays_get_any_items() {
    let doc = schemas(
        r"
    Group:
      type: object
      properties:
        ids: {type: array}
        names: {type: array, items: {type: string}}
",
    );
    let (doc, report) = run(doc, &["untyped_arrays"]);
    assert_eq!(
        at(&doc, "/components/schemas/Group/properties/ids"),
        &json!({"type": "array", "items": {}})
    );
    assert_eq!(
        at(&doc, "/components/schemas/Group/properties/names/items"),
        &json!({"type": "string"})
    );
    assert_eq!(
        pointers(&report, "untyped_arrays"),
        ["/components/schemas/Group/properties/ids"]
    );
}

#[test]
fn schema_rules_reach_parameters_and_bodies_not_only_components() {
    let doc = yaml(
        r"
openapi: 3.0.3
paths:
  /reviews:
    get:
      parameters:
        - {name: since, in: query, schema: {type: datetime}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object, required: true}
",
    );
    let (doc, report) = run(doc, &["boolean_required", "nonstandard_types"]);
    assert_eq!(
        at(&doc, "/paths/~1reviews/get/parameters/0/schema"),
        &json!({"type": "string", "format": "date-time"})
    );
    change(
        &report,
        "nonstandard_types",
        "/paths/~1reviews/get/parameters/0/schema",
    );
    change(
        &report,
        "boolean_required",
        "/paths/~1reviews/get/responses/200/content/application~1json/schema",
    );
}
