//! Forward-compatibility adaptations: discriminated unions, timestamps, open objects, nullable optional
//! collections, enum lists typify cannot name; and a check that every rule of `RULES` has a test.

mod common;

use common::{assert_no_change, at, change, changes, pointers, run, yaml};
use partoo_api_build::rules::{RULES, TAG_DOC_PREFIX};
use serde_json::json;

/// A spec whose only content is `components.schemas`, given as YAML indented by 4 spaces.
fn schemas(body: &str) -> serde_json::Value {
    yaml(&format!(
        "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n{body}"
    ))
}

const UNION: &str = r"
    Field:
      description: A custom field.
      type: object
      required: [name]
      properties:
        type: {type: string}
        name: {type: string}
      discriminator:
        propertyName: type
        mapping:
          TEXT: '#/components/schemas/TextField'
          LONG_TEXT: '#/components/schemas/TextField'
          NUMBER: '#/components/schemas/NumberField'
    TextField:
      allOf:
        - $ref: '#/components/schemas/Field'
        - {type: object, properties: {value: {type: string}}}
    NumberField:
      allOf:
        - $ref: '#/components/schemas/Field'
        - {type: object, properties: {value: {type: number}}}
";

#[test]
fn discriminator_base_becomes_one_of_children_plus_catch_all() {
    let (doc, report) = run(schemas(UNION), &["discriminator_unions"]);
    let base = at(&doc, "/components/schemas/Field");
    assert_eq!(base["description"], "A custom field.");
    assert!(base.get("discriminator").is_none() && base.get("properties").is_none());
    let variants = base["oneOf"].as_array().expect("oneOf");
    assert_eq!(variants.len(), 3);
    assert_eq!(
        variants[0],
        json!({"$ref": "#/components/schemas/NumberField"})
    );
    assert_eq!(
        variants[1],
        json!({"$ref": "#/components/schemas/TextField"})
    );
    assert_eq!(variants[2]["type"], "object");
    assert_eq!(
        change(&report, "discriminator_unions", "/components/schemas/Field").detail,
        "discriminator on `type` → oneOf of 2 variants + catch-all"
    );
}

const ONE_OF_UNION: &str = "
    Attribute:
      oneOf:
        - $ref: '#/components/schemas/BoolAttribute'
        - $ref: '#/components/schemas/UrlAttribute'
      discriminator:
        propertyName: type
        mapping:
          BOOL: '#/components/schemas/BoolAttribute'
          URL: '#/components/schemas/UrlAttribute'
    BoolAttribute:
      type: object
      properties:
        type: {type: string, enum: [BOOL]}
        value: {type: boolean}
    UrlAttribute:
      type: object
      properties:
        type: {type: string, enum: [URL]}
        value: {type: string}
";

#[test]
fn standalone_one_of_children_get_the_tag_on_their_own_properties() {
    let (doc, _) = run(schemas(ONE_OF_UNION), &["discriminator_unions"]);
    let url = at(&doc, "/components/schemas/UrlAttribute");
    assert_eq!(url["properties"]["type"]["enum"], json!(["URL"]));
    assert!(
        url["properties"]["type"]["description"]
            .as_str()
            .is_some_and(|d| d.starts_with(TAG_DOC_PREFIX))
    );
    assert_eq!(url["required"], json!(["type"]));
    assert_eq!(url["properties"]["value"], json!({"type": "string"}));
    assert_eq!(
        at(&doc, "/components/schemas/Attribute")["oneOf"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
}

#[test]
fn discriminator_children_get_a_tagged_inline_base() {
    let (doc, report) = run(schemas(UNION), &["discriminator_unions"]);
    let text_base = at(&doc, "/components/schemas/TextField/allOf/0");
    assert!(text_base.get("$ref").is_none());
    assert!(text_base.get("discriminator").is_none());
    assert_eq!(text_base["properties"]["name"], json!({"type": "string"}));
    let tag = &text_base["properties"]["type"];
    assert_eq!(tag["enum"], json!(["LONG_TEXT", "TEXT"]));
    assert!(
        tag["description"]
            .as_str()
            .is_some_and(|d| d.starts_with(TAG_DOC_PREFIX))
    );
    assert_eq!(text_base["required"], json!(["name", "type"]));
    assert_eq!(
        at(
            &doc,
            "/components/schemas/NumberField/allOf/0/properties/type/enum"
        ),
        &json!(["NUMBER"])
    );
    // The child's own fields stay.
    assert_eq!(
        at(
            &doc,
            "/components/schemas/NumberField/allOf/1/properties/value/type"
        ),
        "number"
    );
    assert!(
        change(
            &report,
            "discriminator_unions",
            "/components/schemas/TextField"
        )
        .detail
        .contains("TEXT")
    );
    assert_eq!(pointers(&report, "discriminator_unions").len(), 3);
}

#[test]
fn discriminator_without_mapping_uses_the_children_that_extend_the_base() {
    let doc = schemas(
        r"
    Pet:
      type: object
      properties: {kind: {type: string}}
      discriminator: {propertyName: kind}
    Cat:
      allOf: [{$ref: '#/components/schemas/Pet'}, {properties: {lives: {type: integer}}}]
    Unrelated: {type: object}
",
    );
    let (doc, report) = run(doc, &["discriminator_unions"]);
    assert_eq!(
        at(&doc, "/components/schemas/Pet/oneOf/0"),
        &json!({"$ref": "#/components/schemas/Cat"})
    );
    assert_eq!(
        at(&doc, "/components/schemas/Cat/allOf/0/properties/kind/enum"),
        &json!(["Cat"])
    );
    assert_eq!(
        pointers(&report, "discriminator_unions"),
        ["/components/schemas/Cat", "/components/schemas/Pet"]
    );

    let (_, report) = run(
        schemas("    Plain: {type: object}\n"),
        &["discriminator_unions"],
    );
    assert_no_change(&report, "discriminator_unions");
}

#[test]
fn timestamps_become_refs_and_nullable_ones_an_all_of_wrapper() {
    let doc = schemas(
        r"
    Review:
      type: object
      properties:
        created_at: {type: string, format: date-time, description: creation}
        deleted_at: {type: string, format: date-time, nullable: true, description: deletion}
        day: {type: string, format: date}
        epoch: {type: number, format: unix-time}
        kind: {type: string, format: date, enum: [today]}
        name: {type: string}
",
    );
    let (doc, report) = run(doc, &["timestamps"]);
    let p = |name: &str| format!("/components/schemas/Review/properties/{name}");
    let ts = json!({"$ref": "#/components/schemas/PartooTimestamp"});
    assert_eq!(at(&doc, &p("created_at")), &ts);
    assert_eq!(
        at(&doc, &p("deleted_at")),
        &json!({"allOf": [ts], "nullable": true, "description": "deletion"})
    );
    assert_eq!(at(&doc, &p("day")), &ts);
    assert_eq!(at(&doc, &p("epoch")), &ts);
    assert_eq!(at(&doc, &format!("{}/format", p("kind"))), "date");
    assert_eq!(
        at(&doc, "/components/schemas/PartooTimestamp/type"),
        "string"
    );
    assert_eq!(
        change(&report, "timestamps", &p("created_at")).detail,
        "format date-time → PartooTimestamp"
    );
    assert_eq!(
        pointers(&report, "timestamps"),
        [p("created_at"), p("day"), p("deleted_at"), p("epoch")]
    );
}

#[test]
fn timestamps_without_dates_add_nothing() {
    let (doc, report) = run(
        schemas("    A: {type: string, format: email}\n"),
        &["timestamps"],
    );
    assert_no_change(&report, "timestamps");
    assert!(doc.pointer("/components/schemas/PartooTimestamp").is_none());
}

#[test]
fn open_objects_drop_additional_properties_false_only() {
    let doc = schemas(
        r"
    Closed: {type: object, additionalProperties: false, properties: {a: {type: string}}}
    Map: {type: object, additionalProperties: {type: string}}
",
    );
    let (doc, report) = run(doc, &["open_objects"]);
    assert_eq!(
        at(&doc, "/components/schemas/Closed"),
        &json!({"type": "object", "properties": {"a": {"type": "string"}}})
    );
    assert_eq!(
        at(&doc, "/components/schemas/Map/additionalProperties"),
        &json!({"type": "string"})
    );
    assert_eq!(
        pointers(&report, "open_objects"),
        ["/components/schemas/Closed"]
    );
    assert_eq!(
        change(&report, "open_objects", "/components/schemas/Closed").detail,
        "additionalProperties: false dropped"
    );
}

#[test]
fn optional_arrays_and_maps_become_nullable() {
    let doc = schemas(
        r"
    Tags: {type: array, items: {type: string}}
    Business:
      type: object
      required: [ids]
      properties:
        ids: {type: array, items: {type: integer}}
        photos: {type: array, items: {type: string}}
        meta: {type: object, additionalProperties: {type: string}}
        address: {type: object, properties: {city: {type: string}}}
        tags: {$ref: '#/components/schemas/Tags'}
        already: {type: array, items: {}, nullable: true}
        name: {type: string}
",
    );
    let (doc, report) = run(doc, &["nullable_optionals"]);
    let p = |name: &str| format!("/components/schemas/Business/properties/{name}");
    assert!(doc.pointer(&format!("{}/nullable", p("ids"))).is_none());
    assert_eq!(at(&doc, &format!("{}/nullable", p("photos"))), &json!(true));
    assert_eq!(at(&doc, &format!("{}/nullable", p("meta"))), &json!(true));
    assert!(doc.pointer(&format!("{}/nullable", p("address"))).is_none());
    assert_eq!(
        at(&doc, &p("tags")),
        &json!({"allOf": [{"$ref": "#/components/schemas/Tags"}], "nullable": true})
    );
    assert_eq!(
        change(
            &report,
            "nullable_optionals",
            "/components/schemas/Business"
        )
        .detail,
        "optional meta, photos, tags made nullable"
    );
    assert_eq!(
        pointers(&report, "nullable_optionals"),
        ["/components/schemas/Business"]
    );
}

#[test]
fn enum_variants_empty_string_case_twins_and_numbers() {
    let doc = schemas(
        r"
    WithEmpty: {type: string, enum: ['', open, closed]}
    OnlyEmpty: {type: string, nullable: true, enum: ['', null]}
    Twins: {type: string, enum: [Active, active, ACTIVE]}
    Stars: {type: integer, enum: [1, 2, 3, 4, 5]}
    Tag: {type: string, enum: [A, a], description: 'Discriminator tag `kind` of this variant.'}
    Fine: {type: string, enum: [open, closed]}
",
    );
    let (doc, report) = run(doc, &["enum_variants"]);
    let s = |name: &str| format!("/components/schemas/{name}");
    assert_eq!(
        at(&doc, &format!("{}/enum", s("WithEmpty"))),
        &json!(["open", "closed"])
    );
    assert_eq!(
        at(&doc, &s("OnlyEmpty")),
        &json!({"type": "string", "nullable": true})
    );
    assert_eq!(at(&doc, &s("Twins")), &json!({"type": "string"}));
    assert_eq!(at(&doc, &s("Stars")), &json!({"type": "integer"}));
    assert_eq!(at(&doc, &format!("{}/enum", s("Tag"))), &json!(["A", "a"]));
    assert_eq!(
        at(&doc, &format!("{}/enum", s("Fine"))),
        &json!(["open", "closed"])
    );
    assert_eq!(
        change(&report, "enum_variants", &s("WithEmpty")).detail,
        "empty string dropped from enum"
    );
    assert_eq!(
        change(&report, "enum_variants", &s("Twins")).detail,
        "enum values equal but for case → plain string"
    );
    assert_eq!(
        change(&report, "enum_variants", &s("Stars")).detail,
        "integer enum [1,2,3,4,5] → plain integer"
    );
    assert_eq!(
        pointers(&report, "enum_variants"),
        [s("OnlyEmpty"), s("Stars"), s("Twins"), s("WithEmpty")]
    );
}

/// Every rule has at least one test in this directory; a new rule must be added here (and tested). The order
/// is checked by `readme_rules.rs` and by the ordering test below, not here.
#[test]
fn every_rule_is_known_to_the_tests() {
    let mut names: Vec<&str> = RULES.iter().map(|r| r.name).collect();
    names.sort_unstable();
    let mut tested = [
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
        "dangling_refs",
        "ref_chains",
        "interior_refs",
        "schema_parameter_refs",
        "path_templates",
        "path_parameters",
        "parameter_values",
        "name_table",
        "missing_operation_ids",
        "operation_id_collisions",
        "boolean_required",
        "nonstandard_types",
        "enum_values",
        "enum_defaults",
        "bogus_patterns",
        "untyped_arrays",
        "ref_cycles",
        "ref_siblings",
        "discriminator_unions",
        "unnamed_statuses",
        "error_responses",
        "success_responses",
        "success_ranges",
        "request_bodies",
        "server_side_patterns",
        "timestamps",
        "open_objects",
        "nullable_optionals",
        "enum_variants",
        "float_precision",
        "uuid_strings",
        "primitive_aliases",
        "dropshot_extensions",
        "reference_links",
    ];
    tested.sort_unstable();
    assert_eq!(names, tested);
    assert!(RULES.iter().all(|r| !r.summary.is_empty()));
}

/// Orderings the rules rely on: refs are checked, then hoisted before `$defs` are dropped; operations are named
/// by the table before names are synthesised and de-duplicated; `timestamp` types become a date format before
/// dates are rewritten; patterns are judged before the rest are dropped; tag enums exist before enum lists are
/// rewritten.
#[test]
fn rules_run_in_the_order_they_depend_on() {
    let pos = |name: &str| {
        RULES
            .iter()
            .position(|r| r.name == name)
            .unwrap_or_else(|| panic!("no rule {name}"))
    };
    for (first, then) in [
        ("dangling_refs", "interior_refs"),
        ("dangling_refs", "ref_chains"),
        ("ref_chains", "schema_parameter_refs"),
        ("ref_chains", "path_parameters"),
        ("interior_refs", "json_schema_2020_keywords"),
        ("schema_parameter_refs", "path_parameters"),
        ("name_table", "missing_operation_ids"),
        ("missing_operation_ids", "operation_id_collisions"),
        ("nonstandard_types", "timestamps"),
        ("bogus_patterns", "server_side_patterns"),
        ("discriminator_unions", "enum_variants"),
    ] {
        assert!(pos(first) < pos(then), "{first} must run before {then}");
    }
}

#[test]
fn defs_pointed_into_are_hoisted_before_2020_keywords_drop_them() {
    let doc = yaml(
        r"
openapi: 3.1.0
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    Review:
      type: object
      $defs:
        Rating: {type: object, properties: {stars: {type: integer}}}
      properties:
        rating: {$ref: '#/components/schemas/Review/$defs/Rating'}
",
    );
    let (doc, report) =
        partoo_api_build::normalise("spec.yaml", doc, &partoo_api_build::Options::default())
            .expect("normalises");
    assert_eq!(
        at(&doc, "/components/schemas/ReviewRating"),
        &json!({"type": "object", "properties": {"stars": {"type": "integer"}}})
    );
    assert_eq!(
        at(&doc, "/components/schemas/Review/properties/rating/$ref"),
        "#/components/schemas/ReviewRating"
    );
    assert!(doc.pointer("/components/schemas/Review/$defs").is_none());
    change(&report, "interior_refs", "/components/schemas/ReviewRating");
    change(
        &report,
        "json_schema_2020_keywords",
        "/components/schemas/Review",
    );
}

#[test]
fn reference_links_reach_the_description_once() {
    let doc = yaml(
        r#"
openapi: 3.0.3
info: {title: t, version: v}
paths:
  /org:
    post:
      operationId: createOrganization
      description: Creates an organization.
      externalDocs: {url: "https://developers.partoo.co/api-reference/organizations/create-organization"}
      responses: {'200': {description: ok}}
    get:
      operationId: listOrgs
      responses: {'200': {description: ok}}
"#,
    );
    let (out, report) = run(doc, &["reference_links"]);
    assert_eq!(
        at(&out, "/paths/~1org/post/description"),
        "Creates an organization.\n\nPartoo reference: <https://developers.partoo.co/api-reference/organizations/create-organization>"
    );
    assert!(out.pointer("/paths/~1org/get/description").is_none());
    assert_eq!(changes(&report, "reference_links").len(), 1);
    let (again, report) = run(out.clone(), &["reference_links"]);
    assert_eq!(again, out, "a second run must not append the link twice");
    assert!(changes(&report, "reference_links").is_empty());
}

#[test]
fn float_numbers_become_doubles() {
    let doc = yaml(
        r#"
openapi: 3.0.3
info: {title: t, version: v}
paths: {}
components:
  schemas:
    Business:
      type: object
      properties:
        created: {type: number, format: float, example: 1409925979.5}
        rating: {type: number, format: double}
        count: {type: integer, format: int32}
"#,
    );
    let (out, report) = run(doc, &["float_precision"]);
    assert!(
        out.pointer("/components/schemas/Business/properties/created/format")
            .is_none()
    );
    assert_eq!(
        at(
            &out,
            "/components/schemas/Business/properties/rating/format"
        ),
        "double"
    );
    assert_eq!(
        at(&out, "/components/schemas/Business/properties/count/format"),
        "int32"
    );
    change(
        &report,
        "float_precision",
        "/components/schemas/Business/properties/created",
    );
    assert_eq!(changes(&report, "float_precision").len(), 1);
}
