//! Response and request-body shape rules: error bodies → `PartooError`, one success body, one request media type.

mod common;

use common::{assert_no_change, at, change, pointers, run, run_err, yaml};
use partoo_api_build::Location;
use serde_json::json;

const ERROR_REF: &str = "#/components/schemas/PartooError";

#[test]
fn error_bodies_inline_and_from_components_become_partoo_error() {
    let doc = yaml(
        r"
openapi: 3.0.3
paths:
  /org:
    post:
      operationId: createOrganization
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {type: object, properties: {org_id: {type: integer}}}}}
        '400':
          description: Bad request
          content: {application/json: {schema: {type: object, properties: {errors: {type: object}}}}}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '404':
          description: Not found
          content: {text/html: {schema: {type: string}}}
        '409': {description: Conflict}
components:
  responses:
    Unauthorized:
      description: Missing API key
      content: {application/json: {schema: {type: object, properties: {error: {type: string}}}}}
",
    );
    let (doc, report) = run(doc, &["error_responses"]);
    let r = "/paths/~1org/post/responses";
    assert_eq!(
        at(&doc, &format!("{r}/400")),
        &json!({"description": "Bad request", "content": {"application/json": {"schema": {"$ref": ERROR_REF}}}})
    );
    assert_eq!(
        at(&doc, &format!("{r}/401")),
        &json!({"description": "Missing API key", "content": {"application/json": {"schema": {"$ref": ERROR_REF}}}})
    );
    // Partoo answers every error as JSON: bodies declared as HTML or not at all are typed the same way, since
    // progenitor wants one kind of error body per operation.
    assert_eq!(
        at(&doc, &format!("{r}/404")),
        &json!({"description": "Not found", "content": {"application/json": {"schema": {"$ref": ERROR_REF}}}})
    );
    assert_eq!(
        at(&doc, &format!("{r}/409")),
        &json!({"description": "Conflict", "content": {"application/json": {"schema": {"$ref": ERROR_REF}}}})
    );
    for range in ["4XX", "5XX"] {
        assert_eq!(
            at(
                &doc,
                &format!("{r}/{range}/content/application~1json/schema/$ref")
            ),
            ERROR_REF
        );
    }
    assert_eq!(
        at(
            &doc,
            &format!("{r}/200/content/application~1json/schema/properties/org_id/type")
        ),
        "integer"
    );
    assert_eq!(at(&doc, "/components/schemas/PartooError/type"), "object");
    assert_eq!(
        at(&doc, "/components/schemas/PartooError/properties"),
        &json!({"errors": {}, "error": {}})
    );
    assert_eq!(
        change(&report, "error_responses", &format!("{r}/400")).detail,
        "error body → PartooError"
    );
    assert_eq!(
        change(&report, "error_responses", &format!("{r}/401")).detail,
        "error body → PartooError"
    );
    assert!(
        change(&report, "error_responses", &format!("{r}/404"))
            .detail
            .starts_with("non-JSON error body")
    );
    assert_eq!(
        change(&report, "error_responses", &format!("{r}/409")).detail,
        "error response without a body → PartooError"
    );
    assert_eq!(
        change(&report, "error_responses", &format!("{r}/5XX")).detail,
        "undeclared 5XX → PartooError"
    );
    assert_eq!(pointers(&report, "error_responses").len(), 6);
}

#[test]
fn default_beside_a_success_is_split_into_4xx_and_5xx() {
    let doc = yaml(
        r"
openapi: 3.0.3
paths:
  /org:
    get:
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object}}}}
        default: {description: Error, content: {application/json: {schema: {type: object}}}}
  /ping:
    get:
      responses:
        default: {description: anything}
",
    );
    let (doc, report) = run(doc, &["error_responses"]);
    let r = "/paths/~1org/get/responses";
    assert!(doc.pointer(&format!("{r}/default")).is_none());
    for code in ["4XX", "5XX"] {
        assert_eq!(
            at(
                &doc,
                &format!("{r}/{code}/content/application~1json/schema/$ref")
            ),
            ERROR_REF
        );
        change(&report, "error_responses", &format!("{r}/{code}"));
    }
    assert_eq!(
        change(&report, "error_responses", &format!("{r}/default")).detail,
        "default beside a 2xx → 4XX + 5XX"
    );
    // A lone `default` is the only description of the answer: it is the success, and the errors are
    // `PartooError` (progenitor would make `default` the error type too, not `PartooError`).
    let ping = "/paths/~1ping/get/responses";
    assert_eq!(
        at(&doc, &format!("{ping}/2XX")),
        &json!({"description": "anything"})
    );
    assert!(doc.pointer(&format!("{ping}/default")).is_none());
    for code in ["4XX", "5XX"] {
        assert_eq!(
            at(
                &doc,
                &format!("{ping}/{code}/content/application~1json/schema/$ref")
            ),
            ERROR_REF
        );
    }
    assert_eq!(
        change(&report, "error_responses", &format!("{ping}/default")).detail,
        "default alone → 2XX (the success); errors below"
    );
}

#[test]
fn operations_without_error_responses_get_partoo_error_ranges_and_a_taken_name_is_refused() {
    let spec = r"
openapi: 3.0.3
paths:
  /org:
    get:
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object}}}}
";
    let (doc, report) = run(yaml(spec), &["error_responses"]);
    let r = "/paths/~1org/get/responses";
    for range in ["4XX", "5XX"] {
        assert_eq!(
            at(
                &doc,
                &format!("{r}/{range}/content/application~1json/schema/$ref")
            ),
            ERROR_REF
        );
    }
    assert_eq!(
        pointers(&report, "error_responses"),
        [format!("{r}/4XX"), format!("{r}/5XX")]
    );
    assert_eq!(at(&doc, "/components/schemas/PartooError/type"), "object");

    // No operation: nothing changes, but the error schema is there, since the runtime names it.
    let (doc, report) = run(yaml("openapi: 3.0.3\npaths: {}\n"), &["error_responses"]);
    assert_no_change(&report, "error_responses");
    assert_eq!(at(&doc, "/components/schemas/PartooError/type"), "object");

    let taken = format!("{spec}components:\n  schemas:\n    PartooError: {{type: string}}\n");
    let err = run_err(yaml(&taken), &["error_responses"]);
    assert_eq!(
        err.location,
        Location::Pointer("/components/schemas/PartooError".into())
    );
    assert!(
        err.message.contains("already defines `PartooError`"),
        "{}",
        err.message
    );
}

#[test]
fn two_different_success_schemas_become_one() {
    let doc = yaml(
        r"
openapi: 3.0.3
paths:
  /business:
    post:
      responses:
        '200': {description: updated, content: {application/json: {schema: {$ref: '#/components/schemas/Business'}}}}
        '201': {description: created, content: {application/json: {schema: {type: object, properties: {id: {type: string}}}}}}
        '204': {description: nothing}
components:
  schemas:
    Business: {type: object}
",
    );
    let (doc, report) = run(doc, &["success_responses"]);
    let r = "/paths/~1business/post/responses";
    assert_eq!(
        at(&doc, &format!("{r}/201/content/application~1json/schema")),
        &json!({"$ref": "#/components/schemas/Business"})
    );
    assert!(doc.pointer(&format!("{r}/204")).is_none());
    assert_eq!(
        change(&report, "success_responses", &format!("{r}/201")).detail,
        "second success schema → the 200 schema"
    );
    assert!(
        change(&report, "success_responses", &format!("{r}/204"))
            .detail
            .contains("dropped")
    );
    assert_eq!(pointers(&report, "success_responses").len(), 2);
}

#[test]
fn json_and_text_media_pair_keeps_json_and_problem_json_is_renamed() {
    let doc = yaml(
        r"
openapi: 3.0.3
paths:
  /org:
    get:
      responses:
        '200':
          description: ok
          content:
            text/plain: {schema: {type: string}}
            application/json: {schema: {type: object}}
  /problem:
    get:
      responses:
        '200':
          description: ok
          content:
            application/problem+json: {schema: {type: object, properties: {title: {type: string}}}}
",
    );
    let (doc, report) = run(doc, &["success_responses"]);
    assert_eq!(
        at(&doc, "/paths/~1org/get/responses/200/content"),
        &json!({"application/json": {"schema": {"type": "object"}}})
    );
    assert_eq!(
        change(
            &report,
            "success_responses",
            "/paths/~1org/get/responses/200"
        )
        .detail,
        r#"kept application/json as application/json, dropped ["text/plain"]"#
    );
    let content = at(&doc, "/paths/~1problem/get/responses/200/content");
    assert_eq!(
        content
            .as_object()
            .map(|c| c.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["application/json".to_owned()])
    );
    assert_eq!(
        change(
            &report,
            "success_responses",
            "/paths/~1problem/get/responses/200"
        )
        .detail,
        "application/problem+json → application/json"
    );
}

#[test]
fn success_responses_change_nothing_on_a_single_json_body() {
    let doc = yaml(
        r"
openapi: 3.0.3
paths:
  /org:
    get:
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object}}}}
        '400': {description: bad, content: {application/json: {schema: {type: object}}}}
",
    );
    let (out, report) = run(doc.clone(), &["success_responses"]);
    assert_eq!(out, doc);
    assert_no_change(&report, "success_responses");
}

#[test]
fn multipart_request_body_is_refused_naming_the_operation() {
    let doc = yaml(
        r"
openapi: 3.0.3
paths:
  /business/{business_id}/photos:
    post:
      operationId: uploadPhoto
      requestBody:
        content:
          multipart/form-data:
            schema: {type: object, properties: {file: {type: string, format: binary}}}
      responses: {'200': {description: ok}}
",
    );
    let err = run_err(doc, &["request_bodies"]);
    assert_eq!(
        err.location,
        Location::Operation {
            method: "POST".into(),
            path: "/business/{business_id}/photos".into(),
            operation_id: Some("uploadPhoto".into()),
        }
    );
    assert!(
        err.message.contains("multipart/form-data"),
        "{}",
        err.message
    );
    assert!(
        err.to_string().starts_with(
            "<test>: operation POST /business/{business_id}/photos (uploadPhoto): multipart"
        ),
        "{err}"
    );
}

#[test]
fn request_bodies_keep_one_json_media_type() {
    let doc = yaml(
        r"
openapi: 3.0.3
paths:
  /org:
    post:
      requestBody:
        content:
          application/x-www-form-urlencoded: {schema: {type: object}}
          application/json: {schema: {type: object, properties: {name: {type: string}}}}
      responses: {'200': {description: ok}}
    patch:
      requestBody: {$ref: '#/components/requestBodies/Patch'}
      responses: {'200': {description: ok}}
    put:
      requestBody:
        content:
          application/json: {schema: {type: object}}
          multipart/form-data: {schema: {type: object}}
      responses: {'200': {description: ok}}
components:
  requestBodies:
    Patch:
      content:
        application/merge-patch+json: {schema: {type: object}}
",
    );
    let (doc, report) = run(doc, &["request_bodies"]);
    let body = |m: &str| format!("/paths/~1org/{m}/requestBody");
    let keys = |m: &str| {
        at(&doc, &format!("{}/content", body(m)))
            .as_object()
            .map(|c| c.keys().cloned().collect::<Vec<_>>())
    };
    assert_eq!(keys("post"), Some(vec!["application/json".to_owned()]));
    assert_eq!(
        at(
            &doc,
            &format!(
                "{}/content/application~1json/schema/properties/name/type",
                body("post")
            )
        ),
        "string"
    );
    assert_eq!(keys("patch"), Some(vec!["application/json".to_owned()]));
    assert_eq!(keys("put"), Some(vec!["application/json".to_owned()]));
    assert!(
        change(&report, "request_bodies", &body("post"))
            .detail
            .starts_with("kept application/json")
    );
    assert_eq!(
        change(&report, "request_bodies", &body("patch")).detail,
        "application/merge-patch+json → application/json"
    );
    // The multipart alternative beside JSON is dropped, and that is reported too.
    assert!(
        change(&report, "request_bodies", &body("put"))
            .detail
            .contains("multipart/form-data")
    );

    let (_, report) = run(
        yaml(
            "openapi: 3.0.3\npaths:\n  /a:\n    post:\n      requestBody: {content: {application/json: {schema: {}}}}\n      responses: {}\n",
        ),
        &["request_bodies"],
    );
    assert_no_change(&report, "request_bodies");
}

#[test]
fn declared_2xx_codes_with_one_body_become_a_2xx_range() {
    let doc = yaml(
        r"
openapi: 3.0.3
paths:
  /org:
    post:
      operationId: createOrganization
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {type: object}}}
        '201':
          description: Created
          content: {application/json: {schema: {type: object}}}
        '400': {description: Bad request}
  /business/{id}:
    delete:
      operationId: deleteBusiness
      responses:
        '204': {description: Deleted}
  /ranged:
    get:
      operationId: ranged
      responses:
        '2XX': {description: ok}
        '200': {description: also ok}
  /differ:
    get:
      operationId: differ
      responses:
        '200':
          description: json
          content: {application/json: {schema: {type: object}}}
        '202':
          description: text
          content: {text/plain: {schema: {type: string}}}
",
    );
    let (doc, report) = run(doc, &["success_ranges"]);
    let org = at(&doc, "/paths/~1org/post/responses");
    assert_eq!(
        org,
        &json!({
            "2XX": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}},
            "400": {"description": "Bad request"},
        })
    );
    assert_eq!(
        change(&report, "success_ranges", "/paths/~1org/post/responses/200").detail,
        "200, 201 → 2XX"
    );
    assert_eq!(
        at(&doc, "/paths/~1business~1{id}/delete/responses"),
        &json!({"2XX": {"description": "Deleted"}})
    );
    // An explicit range, and bodies that still differ, are left as written.
    assert_eq!(pointers(&report, "success_ranges").len(), 2);
    assert!(
        at(&doc, "/paths/~1ranged/get/responses")
            .get("200")
            .is_some()
    );
    assert!(
        at(&doc, "/paths/~1differ/get/responses")
            .get("202")
            .is_some()
    );
}

#[test]
fn success_bodies_with_one_schema_but_their_own_examples_become_one_2xx_range() {
    let doc = yaml(
        r"
openapi: 3.0.3
paths:
  /org:
    post:
      operationId: createOrganization
      responses:
        '200':
          description: Updated
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Org'}
              example: {id: 1, name: Old}
        '201':
          description: Created
          headers: {Location: {schema: {type: string}}}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Org'}
              examples: {created: {value: {id: 2, name: New}}}
  /differ:
    post:
      operationId: differ
      responses:
        '200':
          description: json
          content: {application/json: {schema: {type: object}}}
        '201':
          description: other schema, same example
          content: {application/json: {schema: {type: array}}}
components:
  schemas:
    Org: {type: object, properties: {id: {type: integer}, name: {type: string}}}
",
    );
    let (doc, report) = run(doc, &["success_ranges"]);
    let org = at(&doc, "/paths/~1org/post/responses");
    assert_eq!(
        org,
        &json!({"2XX": {
            "description": "Updated",
            "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Org"},
                "example": {"id": 1, "name": "Old"},
            }},
        }}),
        "examples, descriptions and headers do not keep 200 and 201 apart"
    );
    assert_eq!(
        change(&report, "success_ranges", "/paths/~1org/post/responses/200").detail,
        "200, 201 → 2XX"
    );
    let differ = at(&doc, "/paths/~1differ/post/responses");
    assert!(
        differ.get("200").is_some() && differ.get("201").is_some(),
        "different schemas stay apart: {differ}"
    );
    assert_eq!(pointers(&report, "success_ranges").len(), 1);
}
