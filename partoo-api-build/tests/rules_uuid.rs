//! `format: uuid`: typify maps it to `::uuid::Uuid`, a crate the client does not depend on, so the client
//! would not compile. The `uuid_strings` rule drops the format: such values stay `String`, kept as sent.

mod common;

use common::{at, change, pointers, run, yaml};
use partoo_api_build::{Options, generate_bytes};
use serde_json::json;

const SPEC: &str = r"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /org:
    get:
      operationId: getOrg
      parameters:
        - {name: owner, in: query, schema: {type: string, format: uuid}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  id: {type: string, format: uuid}
                  members:
                    type: array
                    items: {type: string, format: uuid}
                  when: {type: string, format: date-time}
";

#[test]
fn uuid_formats_are_dropped_and_reported() {
    let (doc, report) = run(yaml(SPEC), &["uuid_strings"]);
    let body = "/paths/~1org/get/responses/200/content/application~1json/schema";
    assert_eq!(
        at(&doc, "/paths/~1org/get/parameters/0/schema"),
        &json!({"type": "string"})
    );
    assert_eq!(
        at(&doc, &format!("{body}/properties/id")),
        &json!({"type": "string"})
    );
    assert_eq!(
        at(&doc, &format!("{body}/properties/members/items")),
        &json!({"type": "string"})
    );
    assert_eq!(
        at(&doc, &format!("{body}/properties/when/format")),
        "date-time"
    );
    let mut found = pointers(&report, "uuid_strings");
    found.sort();
    let mut expected = vec![
        "/paths/~1org/get/parameters/0/schema".to_owned(),
        format!("{body}/properties/id"),
        format!("{body}/properties/members/items"),
    ];
    expected.sort();
    assert_eq!(found, expected);
    assert_eq!(
        change(&report, "uuid_strings", &format!("{body}/properties/id")).detail,
        "format uuid → String"
    );
}

#[test]
fn uuid_is_not_a_format_of_other_types() {
    let doc = yaml(
        r"
openapi: 3.0.3
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    Odd: {type: integer, format: uuid}
",
    );
    let (doc, report) = run(doc, &["uuid_strings"]);
    assert_eq!(at(&doc, "/components/schemas/Odd/format"), "uuid");
    assert!(pointers(&report, "uuid_strings").is_empty());
}

#[test]
fn generated_code_does_not_name_the_uuid_crate() {
    let out = generate_bytes("uuid.yaml", SPEC.as_bytes(), &Options::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!out.code.contains("uuid ::"), "uuid crate named");
    assert!(!out.code.contains("uuid::"), "uuid crate named");
    assert_eq!(pointers(&out.report, "uuid_strings").len(), 3);
}
