//! `primitive_aliases`: components that only rename a primitive, an array or another schema are inlined.

mod common;

use common::{at, change, changes, run, yaml};
use partoo_api_build::{Options, generate_bytes};
use serde_json::json;

const SPEC: &str = r"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /business/{business_id}:
    get:
      operationId: getBusiness
      parameters:
        - {name: business_id, in: path, required: true, schema: {$ref: '#/components/schemas/BusinessId'}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Business'}
components:
  schemas:
    BusinessId: {type: string, example: 5d2f1a9e8b7c}
    BusinessCity: {type: string, minLength: 1, maxLength: 80, description: The city.}
    OrgId: {type: integer, minimum: 1}
    ParentId: {$ref: '#/components/schemas/BusinessId'}
    BusinessIds: {type: array, items: {$ref: '#/components/schemas/BusinessId'}, minItems: 1}
    Tags: {type: array, items: {$ref: '#/components/schemas/Tag'}}
    Tag: {type: object, properties: {name: {type: string}}}
    Status: {type: string, enum: [open, closed]}
    PartooTimestamp: {type: string}
    Closed: {allOf: [{$ref: '#/components/schemas/PartooTimestamp'}], nullable: true}
    Business:
      type: object
      properties:
        id: {$ref: '#/components/schemas/BusinessId'}
        city: {$ref: '#/components/schemas/BusinessCity'}
        org_id: {$ref: '#/components/schemas/OrgId'}
        parent: {$ref: '#/components/schemas/ParentId'}
        siblings: {$ref: '#/components/schemas/BusinessIds'}
        tags: {$ref: '#/components/schemas/Tags'}
        status: {$ref: '#/components/schemas/Status'}
        closed: {$ref: '#/components/schemas/Closed'}
        region: {allOf: [{$ref: '#/components/schemas/BusinessCity'}], nullable: true, description: Region.}
";

#[test]
fn aliases_are_inlined_everywhere_and_removed() {
    let (out, report) = run(yaml(SPEC), &["primitive_aliases"]);
    let props = "/components/schemas/Business/properties";
    assert_eq!(
        at(&out, &format!("{props}/id")),
        &json!({"type": "string", "example": "5d2f1a9e8b7c"})
    );
    // The alias's limits go; its annotations stay.
    assert_eq!(
        at(&out, &format!("{props}/city")),
        &json!({"type": "string", "description": "The city."})
    );
    assert_eq!(
        at(&out, &format!("{props}/org_id")),
        &json!({"type": "integer"})
    );
    // An alias of an alias resolves to the end of the chain.
    assert_eq!(at(&out, &format!("{props}/parent/type")), "string");
    assert_eq!(
        at(&out, &format!("{props}/siblings")),
        &json!({"type": "array", "items": {"type": "string", "example": "5d2f1a9e8b7c"}, "minItems": 1})
    );
    assert_eq!(
        at(&out, &format!("{props}/tags/items/$ref")),
        "#/components/schemas/Tag"
    );
    // A nullable one-element allOf over an inlined alias folds into its parent.
    assert_eq!(
        at(&out, &format!("{props}/region")),
        &json!({"type": "string", "nullable": true, "description": "Region."})
    );
    // A nullable ref to a kept component stays a nullable ref.
    assert_eq!(
        at(&out, &format!("{props}/closed")),
        &json!({"allOf": [{"$ref": "#/components/schemas/PartooTimestamp"}], "nullable": true})
    );
    // Parameters are rewritten too.
    assert_eq!(
        at(
            &out,
            "/paths/~1business~1{business_id}/get/parameters/0/schema/type"
        ),
        "string"
    );
    let kept: Vec<&String> = at(&out, "/components/schemas")
        .as_object()
        .map(|m| m.keys().collect())
        .unwrap_or_default();
    assert_eq!(kept, ["Business", "PartooTimestamp", "Status", "Tag"]);
    let city = change(
        &report,
        "primitive_aliases",
        "/components/schemas/BusinessCity",
    );
    assert_eq!(
        city.detail,
        "alias of string inlined at 2 sites and removed; minLength, maxLength dropped"
    );
    assert_eq!(changes(&report, "primitive_aliases").len(), 7);
}

#[test]
fn a_spec_without_aliases_is_left_alone() {
    let spec = r"
openapi: 3.0.3
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    Status: {type: string, enum: [open, closed]}
    Tag: {type: object, properties: {name: {type: string}}}
    Rows: {type: array, items: {type: object, properties: {n: {type: integer}}}}
";
    let (out, report) = run(yaml(spec), &["primitive_aliases"]);
    assert_eq!(out, yaml(spec));
    assert!(changes(&report, "primitive_aliases").is_empty());
}

/// End to end: the generated struct holds plain types and no newtype is emitted for the aliases.
#[test]
fn fields_of_aliased_types_are_plain_rust_types() {
    // `PartooTimestamp` is what the rules before `primitive_aliases` write; a document may not define it.
    let spec = SPEC
        .replace("    PartooTimestamp: {type: string}\n", "")
        .replace(
            "{allOf: [{$ref: '#/components/schemas/PartooTimestamp'}], nullable: true}",
            "{type: string, format: date-time, nullable: true}",
        );
    let out = generate_bytes("aliases.yaml", spec.as_bytes(), &Options::default())
        .unwrap_or_else(|e| panic!("does not generate: {e}"));
    let code = out.code.replace(' ', "");
    assert!(code.contains("pubcity:::std::option::Option<::std::string::String>"));
    assert!(code.contains("puborg_id:::std::option::Option<i64>"));
    assert!(
        code.contains("pubsiblings:::std::option::Option<::std::vec::Vec<::std::string::String>>")
    );
    for gone in ["BusinessId", "BusinessCity", "OrgId", "BusinessIds"] {
        assert!(
            !code.contains(&format!("pubstruct{gone}")),
            "{gone} is still a type"
        );
    }
    assert!(code.contains("pubenumStatus"));
}
