//! Rules that repair references and operations: dangling and interior refs, schema refs used as parameters,
//! path parameters, operation names (missing, colliding, pinned by the name table), alias cycles.

mod common;

use common::{assert_no_change, at, change, pointers, run, run_err, yaml};
use partoo_api_build::rules::normalise_with;
use partoo_api_build::{Location, NameTable};
use serde_json::json;

#[test]
fn dangling_ref_is_an_error_at_the_ref_with_a_near_miss_hint() {
    let doc = yaml(
        r"
openapi: 3.0.3
paths: {}
components:
  schemas:
    Org: {type: object}
    Holder:
      properties:
        org: {$ref: '#/components/schemas/org'}
",
    );
    let err = run_err(doc, &["dangling_refs"]);
    assert_eq!(
        err.location,
        Location::Pointer("/components/schemas/Holder/properties/org".into())
    );
    assert_eq!(
        err.message,
        r##"`$ref` "#/components/schemas/org" points to nothing"##
    );
    assert_eq!(
        err.hint.as_deref(),
        Some("did you mean #/components/schemas/Org?")
    );
}

#[test]
fn external_refs_are_refused_and_refs_in_examples_ignored() {
    let doc = yaml(
        "openapi: 3.0.3\npaths: {}\ncomponents:\n  schemas:\n    A: {$ref: 'other.yaml#/A'}\n",
    );
    let err = run_err(doc, &["dangling_refs"]);
    assert_eq!(
        err.location,
        Location::Pointer("/components/schemas/A".into())
    );
    assert!(err.message.contains("external `$ref`"), "{}", err.message);

    let doc = yaml(
        "openapi: 3.0.3\npaths: {}\ncomponents:\n  schemas:\n    A: {type: object, example: {$ref: '#/nowhere'}}\n    B: {$ref: '#/components/schemas/A'}\n",
    );
    let (_, report) = run(doc, &["dangling_refs"]);
    assert!(report.changes.is_empty());
}

#[test]
fn interior_refs_are_hoisted_and_rewritten() {
    let doc = yaml(
        r"
openapi: 3.0.3
paths: {}
components:
  schemas:
    ApiKeysStatus: {type: integer}
    ApiKeys:
      type: object
      properties:
        status: {type: string, enum: [active, revoked]}
        key:
          type: object
          properties:
            state: {$ref: '#/components/schemas/ApiKeys/properties/status'}
    Revocation:
      type: object
      properties:
        key: {$ref: '#/components/schemas/ApiKeys/properties/key'}
",
    );
    let (doc, report) = run(doc, &["interior_refs"]);
    // `ApiKeysStatus` is taken: the hoisted copy gets the next free name.
    assert_eq!(
        at(&doc, "/components/schemas/ApiKeysStatus2"),
        &json!({"type": "string", "enum": ["active", "revoked"]})
    );
    assert_eq!(
        at(&doc, "/components/schemas/ApiKeysStatus"),
        &json!({"type": "integer"})
    );
    assert_eq!(
        at(&doc, "/components/schemas/Revocation/properties/key/$ref"),
        &json!("#/components/schemas/ApiKeysKey")
    );
    // The hoisted copy's own interior ref is rewritten too.
    assert_eq!(
        at(&doc, "/components/schemas/ApiKeysKey/properties/state/$ref"),
        &json!("#/components/schemas/ApiKeysStatus2")
    );
    assert_eq!(
        at(
            &doc,
            "/components/schemas/ApiKeys/properties/key/properties/state/$ref"
        ),
        &json!("#/components/schemas/ApiKeysStatus2")
    );
    assert_eq!(
        change(&report, "interior_refs", "/components/schemas/ApiKeysKey").detail,
        "hoisted from #/components/schemas/ApiKeys/properties/key"
    );
    assert!(
        change(
            &report,
            "interior_refs",
            "/components/schemas/Revocation/properties/key"
        )
        .detail
        .ends_with("→ #/components/schemas/ApiKeysKey")
    );

    let (_, report) = run(
        yaml(
            "openapi: 3.0.3\npaths: {}\ncomponents:\n  schemas:\n    A: {$ref: '#/components/schemas/B'}\n    B: {}\n",
        ),
        &["interior_refs"],
    );
    assert_no_change(&report, "interior_refs");
}

#[test]
fn schema_refs_in_parameter_lists_become_path_parameters_or_are_dropped() {
    let doc = yaml(
        r"
openapi: 3.0.3
paths:
  /groups/{group_id}:
    delete:
      parameters:
        - $ref: '#/components/schemas/GroupId'
        - $ref: '#/components/schemas/OrgId'
        - $ref: '#/components/parameters/Page'
      responses: {'204': {description: gone}}
components:
  schemas:
    GroupId: {type: integer}
    OrgId: {type: integer}
  parameters:
    Page: {name: page, in: query, schema: {type: integer}}
",
    );
    let (doc, report) = run(doc, &["schema_parameter_refs"]);
    let list = "/paths/~1groups~1{group_id}/delete/parameters";
    assert_eq!(
        at(&doc, list),
        &json!([
            {"name": "group_id", "in": "path", "required": true, "schema": {"$ref": "#/components/schemas/GroupId"}},
            {"$ref": "#/components/parameters/Page"},
        ])
    );
    assert!(
        change(&report, "schema_parameter_refs", &format!("{list}/0"))
            .detail
            .contains("path parameter `group_id`")
    );
    assert!(
        change(&report, "schema_parameter_refs", &format!("{list}/1"))
            .detail
            .ends_with("→ dropped")
    );
    assert_eq!(pointers(&report, "schema_parameter_refs").len(), 2);
}

#[test]
fn path_parameters_missing_undeclared_misplaced_and_optional() {
    let doc = yaml(
        r"
openapi: 3.0.3
paths:
  /org:
    get:
      parameters:
        - {name: org_id, in: path, required: true, schema: {type: integer}}
      responses: {'200': {description: ok}}
  /org/{org_id}:
    get:
      responses: {'200': {description: ok}}
  /user/{user_id}:
    get:
      parameters:
        - {name: user_id, in: query, schema: {type: string}}
      responses: {'200': {description: ok}}
    delete:
      parameters:
        - {name: user_id, in: path, schema: {type: string}}
      responses: {'204': {description: ok}}
",
    );
    let (doc, report) = run(doc, &["path_parameters"]);
    assert_eq!(at(&doc, "/paths/~1org/get/parameters/0/in"), "query");
    assert_eq!(
        change(&report, "path_parameters", "/paths/~1org/get/parameters/0").detail,
        "`org_id` is not in the template → in: query"
    );
    assert_eq!(
        at(&doc, "/paths/~1org~1{org_id}/get/parameters"),
        &json!([{"name": "org_id", "in": "path", "required": true, "schema": {"type": "string"}}])
    );
    assert_eq!(
        change(
            &report,
            "path_parameters",
            "/paths/~1org~1{org_id}/get/parameters"
        )
        .detail,
        "declared missing path parameter `org_id`"
    );
    assert_eq!(
        at(&doc, "/paths/~1user~1{user_id}/get/parameters/0"),
        &json!({"name": "user_id", "in": "path", "required": true, "schema": {"type": "string"}})
    );
    change(
        &report,
        "path_parameters",
        "/paths/~1user~1{user_id}/get/parameters/0",
    );
    assert_eq!(
        at(
            &doc,
            "/paths/~1user~1{user_id}/delete/parameters/0/required"
        ),
        &json!(true)
    );
    assert_eq!(
        change(
            &report,
            "path_parameters",
            "/paths/~1user~1{user_id}/delete/parameters/0"
        )
        .detail,
        "path parameter `user_id` → required"
    );
    assert_eq!(pointers(&report, "path_parameters").len(), 4);
}

#[test]
fn path_parameters_reuse_components_and_path_level_declarations() {
    let doc = yaml(
        r"
openapi: 3.0.3
paths:
  /org/{org_id}:
    get:
      responses: {'200': {description: ok}}
  /business/{business_id}:
    parameters:
      - {name: business_id, in: path, required: true, schema: {type: string}}
    get:
      responses: {'200': {description: ok}}
components:
  parameters:
    OrgId: {name: org_id, in: path, required: true, schema: {type: integer}}
",
    );
    let (doc, report) = run(doc, &["path_parameters"]);
    assert_eq!(
        at(&doc, "/paths/~1org~1{org_id}/get/parameters"),
        &json!([{"$ref": "#/components/parameters/OrgId"}])
    );
    assert!(
        doc.pointer("/paths/~1business~1{business_id}/get/parameters")
            .is_none()
    );
    assert_eq!(
        pointers(&report, "path_parameters"),
        ["/paths/~1org~1{org_id}/get/parameters"]
    );
}

#[test]
fn missing_operation_ids_are_synthesised() {
    let doc = yaml(
        r"
openapi: 3.0.3
paths:
  /org:
    post: {responses: {'200': {description: ok}}}
  /org/{org_id}:
    get: {operationId: '  ', responses: {'200': {description: ok}}}
    delete: {operationId: deleteOrg, responses: {'200': {description: ok}}}
",
    );
    let (doc, report) = run(doc, &["missing_operation_ids"]);
    assert_eq!(at(&doc, "/paths/~1org/post/operationId"), "postOrg");
    assert_eq!(
        at(&doc, "/paths/~1org~1{org_id}/get/operationId"),
        "getOrgByOrgId"
    );
    assert_eq!(
        at(&doc, "/paths/~1org~1{org_id}/delete/operationId"),
        "deleteOrg"
    );
    assert!(
        change(
            &report,
            "missing_operation_ids",
            "/paths/~1org/post/operationId"
        )
        .detail
        .starts_with("synthesised `postOrg`")
    );
    assert_eq!(
        pointers(&report, "missing_operation_ids"),
        [
            "/paths/~1org/post/operationId",
            "/paths/~1org~1{org_id}/get/operationId"
        ]
    );
}

#[test]
fn operation_ids_equal_after_snake_case_are_suffixed() {
    let doc = yaml(
        r"
openapi: 3.0.3
paths:
  /api_keys/revoke:
    post: {operationId: revokeAPIKey, responses: {'200': {description: ok}}}
  /authorize/revoke:
    post: {operationId: revokeApiKey, responses: {'200': {description: ok}}}
  /other:
    get: {operationId: getOther, responses: {'200': {description: ok}}}
  /again:
    get: {operationId: getOther, responses: {'200': {description: ok}}}
",
    );
    let (doc, report) = run(doc, &["operation_id_collisions"]);
    // The very same operationId twice is said to be that, not a collision "after snake_case" (paths are
    // visited in key order: `/again` keeps the name).
    assert_eq!(
        change(
            &report,
            "operation_id_collisions",
            "/paths/~1other/get/operationId"
        )
        .detail,
        "`getOther` is an earlier operation's operationId too → `getOther2`"
    );
    assert_eq!(
        at(&doc, "/paths/~1api_keys~1revoke/post/operationId"),
        "revokeAPIKey"
    );
    assert_eq!(
        at(&doc, "/paths/~1authorize~1revoke/post/operationId"),
        "revokeApiKey2"
    );
    assert_eq!(
        change(
            &report,
            "operation_id_collisions",
            "/paths/~1authorize~1revoke/post/operationId"
        )
        .detail,
        "`revokeApiKey` collides after snake_case → `revokeApiKey2`"
    );
    assert_eq!(pointers(&report, "operation_id_collisions").len(), 2);
}

#[test]
fn ref_cycles_of_aliases_are_refused_naming_the_cycle() {
    let doc = yaml(
        r"
openapi: 3.0.3
paths: {}
components:
  schemas:
    A: {$ref: '#/components/schemas/B'}
    B:
      allOf: [{$ref: '#/components/schemas/A'}]
",
    );
    let err = run_err(doc, &["ref_cycles"]);
    assert_eq!(
        err.location,
        Location::Pointer("/components/schemas/A".into())
    );
    assert_eq!(err.message, "schema is an alias of itself: A → B → A");
    assert!(err.hint.is_some());
}

#[test]
fn ref_cycles_accept_recursion_through_properties_and_items() {
    let doc = yaml(
        r"
openapi: 3.0.3
paths: {}
components:
  schemas:
    Node:
      type: object
      properties:
        parent: {$ref: '#/components/schemas/Node'}
        children: {type: array, items: {$ref: '#/components/schemas/Node'}}
    Alias: {$ref: '#/components/schemas/Node'}
",
    );
    let (_, report) = run(doc, &["ref_cycles"]);
    assert!(report.changes.is_empty());
}

const NAMED_SPEC: &str = r"
openapi: 3.0.3
paths:
  /org:
    post: {responses: {'200': {description: ok}}}
  /org/{org_id}:
    post: {operationId: updateOrganization, responses: {'200': {description: ok}}}
";

#[test]
fn name_table_entries_apply_and_unmatched_ones_become_notes() {
    let table = NameTable::parse(
        "names.yaml",
        "# comment\nPOST /org: createOrganization\nPOST /org/{org_id}: updateOrganization\nGET /nothing: listNothing\n",
    )
    .expect("valid table");
    let (doc, report) =
        normalise_with(yaml(NAMED_SPEC), &table, &["name_table"]).expect("rule runs");
    assert_eq!(
        at(&doc, "/paths/~1org/post/operationId"),
        "createOrganization"
    );
    assert_eq!(
        change(&report, "name_table", "/paths/~1org/post/operationId").detail,
        "none → `createOrganization` (names.yaml:2)"
    );
    // An entry equal to the upstream id changes nothing.
    assert_eq!(
        pointers(&report, "name_table"),
        ["/paths/~1org/post/operationId"]
    );
    assert_eq!(
        report.notes,
        ["names.yaml:4: name table entry `GET /nothing` matches no operation"]
    );
}

#[test]
fn a_pinned_name_is_never_renamed_an_unpinned_one_yields_and_two_pins_that_collide_are_refused() {
    let rules = ["name_table", "operation_id_collisions"];
    // The unpinned `POST /org` comes first, but the pin keeps its name: the unpinned one yields.
    let spec = NAMED_SPEC.replace(
        "post: {responses:",
        "post: {operationId: createOrganization, responses:",
    );
    let table =
        NameTable::parse("names.yaml", "POST /org/{org_id}: create_organization\n").expect("valid");
    let (doc, _) = normalise_with(yaml(&spec), &table, &rules).expect("rules run");
    assert_eq!(
        at(&doc, "/paths/~1org~1{org_id}/post/operationId"),
        "create_organization"
    );
    assert_eq!(
        at(&doc, "/paths/~1org/post/operationId"),
        "createOrganization2"
    );
    // Two pins that give one method: before, the second was renamed `getA2`, against the table.
    let text = "POST /org: createOrganization\nPOST /org/{org_id}: create_organization\n";
    let table = NameTable::parse("names.yaml", text).expect("valid");
    let err = normalise_with(yaml(NAMED_SPEC), &table, &rules).expect_err("two pins collide");
    assert_eq!(err.file, "names.yaml");
    assert_eq!(err.location, Location::Text { line: 2, column: 1 });
    assert_eq!(
        err.message,
        "`create_organization` gives the client method `create_organization` (builder \
         `CreateOrganization`), which another entry of the table gives too: pin another name"
    );
}

#[test]
fn name_table_lines_are_those_of_the_keys_even_when_one_key_prefixes_another() {
    // `POST /org` is a prefix of `POST /org/{org_id}`, which comes first; a comment mentions it too.
    let text = "# POST /org is pinned below\nPOST /org/{org_id}: updateOrganization\nPOST /org: createOrganization\nPOST /gone: gone\n";
    let table = NameTable::parse("names.yaml", text).expect("valid table");
    let line_of = |path: &str| table.lookup("POST", path).map(|e| e.line);
    assert_eq!(line_of("/org/{org_id}"), Some(2));
    assert_eq!(line_of("/org"), Some(3));
    assert_eq!(line_of("/gone"), Some(4));
    let (_, report) = normalise_with(yaml(NAMED_SPEC), &table, &["name_table"]).expect("rule runs");
    assert_eq!(
        report.notes,
        ["names.yaml:4: name table entry `POST /gone` matches no operation"]
    );
}

#[test]
fn name_table_refuses_invalid_keys_and_names_with_their_line() {
    let err = NameTable::parse(
        "names.yaml",
        "POST /org: createOrganization\norg: listOrgs\n",
    )
    .expect_err("bad key");
    assert_eq!(err.location, Location::Text { line: 2, column: 1 });
    assert_eq!(
        err.message,
        r#"key "org" is not of the form `METHOD /path`"#
    );

    let err = NameTable::parse("names.yaml", "FETCH /org: fetchOrg\n").expect_err("bad method");
    assert_eq!(err.location, Location::Text { line: 1, column: 1 });

    // One operation named twice: before, the second silently won and the change cited line 1.
    let err = NameTable::parse("names.yaml", "GET /a: getA\nGET /a: getB\n").expect_err("twice");
    assert_eq!(err.location, Location::Text { line: 2, column: 1 });
    assert!(err.message.contains("`GET /a` is given twice"), "{err}");
    let err = NameTable::parse("names.yaml", "GET /a: getA\nget /a: getB\n").expect_err("twice");
    assert_eq!(err.location, Location::Text { line: 2, column: 1 });
    assert!(err.message.contains("`GET /a` is given twice"), "{err}");

    let err =
        NameTable::parse("names.yaml", "GET /a: ok\nGET /org: 2fast\n").expect_err("bad name");
    assert_eq!(err.location, Location::Text { line: 2, column: 1 });
    assert!(
        err.message.contains("must be an identifier"),
        "{}",
        err.message
    );

    let err = NameTable::parse("names.yaml", "- GET /org\n").expect_err("not a mapping");
    assert_eq!(err.location, Location::Text { line: 1, column: 1 });

    let empty = NameTable::parse("names.yaml", "# nothing yet\n").expect("an empty table is fine");
    assert!(empty.entries.is_empty());
}

#[test]
fn a_ref_that_is_not_a_string_is_refused_at_its_place() {
    // Before, `$ref: 5` was skipped by every reader: the property became an untyped value, unreported.
    let doc = yaml(
        "openapi: 3.0.3\npaths: {}\ncomponents:\n  schemas:\n    A:\n      properties:\n        x: {$ref: 5}\n",
    );
    let err = run_err(doc, &["dangling_refs"]);
    assert_eq!(
        err.location,
        Location::Pointer("/components/schemas/A/properties/x".into())
    );
    assert_eq!(err.message, "`$ref` is 5, not a string");
}
