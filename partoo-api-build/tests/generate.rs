//! End-to-end: small specs through `generate_bytes` (load, normalise, progenitor, open enums, method check).

mod common;

use partoo_api_build::{Generated, NameTable, Options, generate_bytes};

/// Partoo's *Create organization* as restated in 3.1: no operationId upstream, a `[integer, 'null']` field,
/// and inline 400/401/403 bodies that progenitor used to merge into the success type.
const CREATE_ORGANIZATION: &str = r#"
openapi: 3.1.0
info: {title: Partoo REST API, version: v2}
servers: [{url: 'https://api.partoo.co/v2'}]
paths:
  /org:
    post:
      summary: Create organization
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [name]
              properties:
                name: {type: string}
                max_businesses: {type: [integer, 'null']}
                status: {type: string, enum: [active, inactive]}
      responses:
        '200':
          description: The new organization.
          content:
            application/json:
              schema:
                type: object
                properties:
                  org_id: {type: integer}
        '400':
          description: Invalid field.
          content:
            application/json:
              schema:
                type: object
                properties:
                  errors:
                    type: object
                    properties:
                      json: {type: object, properties: {name: {type: string}}}
        '401':
          description: Missing or invalid API key.
          content:
            application/json:
              schema: {type: object, properties: {errors: {type: object, properties: {authentication: {type: string}}}}}
        '403':
          description: The API key's user may not create organizations.
          content:
            application/json:
              schema: {type: object, properties: {errors: {type: object, properties: {authorization: {type: string}}}}}
"#;

fn options_with_names(table: &str) -> Options {
    Options {
        names: NameTable::parse("names.yaml", table).expect("valid table"),
        ..Options::default()
    }
}

fn generate(name: &str, spec: &str, options: &Options) -> Generated {
    generate_bytes(name, spec.as_bytes(), options)
        .unwrap_or_else(|e| panic!("{name} does not generate: {e}"))
}

#[test]
fn create_organization_errors_land_in_the_error_type() {
    let out = generate(
        "org.yaml",
        CREATE_ORGANIZATION,
        &options_with_names("POST /org: createOrganization\n"),
    );
    assert_eq!(out.method_count, 1);
    assert_eq!(out.methods.len(), 1);
    assert_eq!(out.counts_line(), "1 operations, 1 methods");
    let m = &out.methods[0];
    assert_eq!(
        (m.method.as_str(), m.path.as_str(), m.rust_name.as_str()),
        ("POST", "/org", "create_organization")
    );
    assert_eq!(m.success_type, "types::CreateOrganizationResponse");
    assert!(m.has_body);
    // The builder's `send()` returns the 200 body on success and `PartooError` for the 400/401/403 bodies.
    assert!(
        out.code.contains("Error < types :: PartooError >"),
        "error type is not PartooError"
    );
    assert!(
        out.code.contains(
            "ResponseValue < types :: CreateOrganizationResponse > , Error < types :: PartooError >"
        ),
        "send() of CreateOrganization does not return Result<ResponseValue<CreateOrganizationResponse>, Error<PartooError>>"
    );
    assert!(
        !out.code
            .contains("Error < types :: CreateOrganizationResponse >")
    );
    assert!(
        out.code
            .contains("pub max_businesses : :: std :: option :: Option < i64 >")
    );
    // The 403 body's field must not have been merged into the success type.
    assert!(!out.code.contains("authorization"));
    assert!(out.report.notes.is_empty());
}

const UNION_AND_TREE: &str = r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /business/{business_id}:
    get:
      operationId: getBusiness
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties:
                  id: {type: string}
                  status: {type: string, enum: [open, closed, temporarily_closed]}
                  stars: {type: integer, enum: [1, 2, 3]}
                  fields: {type: array, items: {$ref: '#/components/schemas/Field'}}
  /groups:
    get:
      operationId: listGroups
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Node'}}}}
components:
  schemas:
    Node:
      type: object
      required: [name]
      properties:
        name: {type: string}
        children: {type: array, items: {$ref: '#/components/schemas/Node'}}
    Field:
      type: object
      required: [type]
      properties:
        type: {type: string}
      discriminator:
        propertyName: type
        mapping:
          TEXT: '#/components/schemas/TextField'
          NUMBER: '#/components/schemas/NumberField'
    TextField:
      allOf:
        - $ref: '#/components/schemas/Field'
        - {type: object, properties: {value: {type: string}}}
    NumberField:
      allOf:
        - $ref: '#/components/schemas/Field'
        - {type: object, properties: {value: {type: number}}}
"#;

#[test]
fn create_organization_without_a_name_table_gets_a_synthesised_method() {
    let out = generate("org.yaml", CREATE_ORGANIZATION, &Options::default());
    assert_eq!(out.method_count, 1);
    assert_eq!(out.methods[0].rust_name, "post_org");
    assert!(
        out.code.contains("pub fn post_org (& self)"),
        "no post_org method"
    );
    assert_eq!(out.normalised["openapi"], "3.0.3");
    let rules: Vec<&str> = out.report.changes.iter().map(|c| c.rule).collect();
    for rule in [
        "openapi_31_version",
        "type_arrays",
        "missing_operation_ids",
        "error_responses",
    ] {
        assert!(rules.contains(&rule), "no {rule} change in {rules:?}");
    }
}

#[test]
fn a_response_enum_is_opened_with_an_unknown_variant() {
    let out = generate("business.yaml", UNION_AND_TREE, &Options::default());
    assert!(
        out.code
            .contains("pub enum GetBusinessResponseStatus { Open , Closed , TemporarilyClosed ,")
    );
    let status = out
        .code
        .split("pub enum GetBusinessResponseStatus {")
        .nth(1)
        .expect("status enum");
    let status = &status[..status.find('}').expect("end of enum")];
    assert!(
        status.contains("Unknown (:: std :: string :: String)"),
        "{status}"
    );
    assert!(
        out.code.contains("Self :: Unknown (other . to_owned ())"),
        "no From<&str> falling back to Unknown"
    );
    // The integer enum is a plain integer, and discriminator tags stay closed (no Unknown).
    assert!(
        out.code
            .contains("pub stars : :: std :: option :: Option < i64 >")
    );
    assert!(
        out.code
            .contains("pub enum TextFieldType { # [serde (rename = \"TEXT\")] Text , }")
    );
    assert_eq!(out.open_enums, 1);
}

#[test]
fn an_enum_whose_values_are_rust_names_is_opened_too() {
    // typify writes no `#[serde(rename)]` when a value is already a variant name (`Open`, `Text`).
    let spec = r"
openapi: 3.1.0
info: {title: t, version: v2}
paths:
  /conversations:
    get:
      operationId: listConversations
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  status: {type: string, enum: [Open, Closed]}
";
    let out = generate("conversations.yaml", spec, &Options::default());
    let status = out
        .code
        .split("pub enum ListConversationsResponseStatus {")
        .nth(1)
        .expect("status enum");
    let status = &status[..status.find('}').expect("end of enum")];
    let status: String = status.split_whitespace().collect();
    assert!(
        status.starts_with("Open,Closed,") && status.contains("Unknown(::std::string::String)"),
        "{status}"
    );
    assert!(
        out.code.contains("\"Open\" => Self :: Open"),
        "Open is not read back"
    );
    assert_eq!(out.open_enums, 1);
}

#[test]
fn a_discriminated_union_keeps_its_children() {
    let out = generate("business.yaml", UNION_AND_TREE, &Options::default());
    let field = out
        .code
        .split("pub enum Field {")
        .nth(1)
        .expect("Field is an enum");
    let field = &field[..field.find("impl").expect("end of enum")];
    assert!(field.contains("NumberField (NumberField)"), "{field}");
    assert!(field.contains("TextField (TextField)"), "{field}");
    // The catch-all for variants this client does not know.
    assert!(field.contains("Object (:: serde_json :: Map"), "{field}");
    // Each child keeps its own `value` field beside the tag.
    assert!(out.code.contains("pub struct TextField {"));
    assert!(
        out.code
            .contains("pub value : :: std :: option :: Option < f64 >")
    );
    assert!(
        out.code
            .contains("pub value : :: std :: option :: Option < :: std :: string :: String >")
    );
}

#[test]
fn a_recursive_schema_generates() {
    let out = generate("business.yaml", UNION_AND_TREE, &Options::default());
    assert_eq!(out.method_count, 2);
    assert!(out.code.contains("pub struct Node {"));
    assert!(
        out.code.contains(
            "pub children : :: std :: option :: Option < :: std :: vec :: Vec < Node > >"
        )
    );
    let groups = out
        .methods
        .iter()
        .find(|m| m.rust_name == "list_groups")
        .expect("list_groups");
    assert_eq!(groups.success_type, "types::Node");
}

#[test]
fn timestamps_map_to_the_configured_type() {
    let spec = r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /reviews:
    get:
      operationId: listReviews
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  created: {type: string, format: date-time}
                  deleted: {type: string, format: date-time, nullable: true}
"#;
    let options = Options {
        timestamp_type: "my_crate::Stamp".to_owned(),
        ..Options::default()
    };
    let out = generate("reviews.yaml", spec, &options);
    assert!(
        out.code.contains("my_crate :: Stamp"),
        "timestamp type not used"
    );
    assert!(
        !out.code.contains("chrono"),
        "chrono type left in the client"
    );
}

/// A construct no rule handles and progenitor refuses (a query parameter of style `spaceDelimited`) is blamed
/// on its operation, found by generating each operation alone.
#[test]
fn a_progenitor_failure_names_the_operation() {
    let spec = r#"
openapi: 3.0.3
info: {title: t, version: v2}
paths:
  /ok:
    get:
      operationId: fine
      responses: {'200': {description: ok}}
  /session:
    get:
      operationId: readSession
      parameters:
        - {name: sid, in: query, style: spaceDelimited, schema: {type: array, items: {type: string}}}
      responses: {'200': {description: ok}}
"#;
    let err = generate_bytes("style.yaml", spec.as_bytes(), &Options::default())
        .expect_err("this style is not supported");
    assert_eq!(
        err.location,
        partoo_api_build::Location::Operation {
            method: "GET".into(),
            path: "/session".into(),
            operation_id: Some("readSession".into()),
        },
        "{err}"
    );
    assert!(err.message.contains("SpaceDelimited"), "{err}");
    assert!(
        err.to_string()
            .starts_with("style.yaml: operation GET /session (readSession): "),
        "{err}"
    );
}

/// A schema progenitor refuses fails every operation (schemas are converted first); the error names the
/// schema, found by generating each schema alone.
#[test]
fn a_progenitor_failure_in_a_schema_names_the_schema() {
    let spec = r#"
openapi: 3.0.3
info: {title: t, version: v2}
paths:
  /thing:
    get:
      operationId: getThing
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}
components:
  schemas:
    Fine: {type: string}
    Thing: {not: {type: string}}
"#;
    let err = generate_bytes("thing.yaml", spec.as_bytes(), &Options::default())
        .expect_err("typify has no `not` of a typed schema");
    assert_eq!(
        err.location,
        partoo_api_build::Location::Pointer("/components/schemas/Thing".into()),
        "{err}"
    );
    assert!(err.message.contains("unhandled not schema"), "{err}");
    assert!(
        err.message.len() <= 600,
        "panic text is cut to a readable length: {err}"
    );
}

/// Without typify's struct builders nothing refers to `types::builder`, and the body starts unset.
#[test]
fn struct_builders_can_be_left_out() {
    let with = generate(
        "org.yaml",
        CREATE_ORGANIZATION,
        &options_with_names("POST /org: createOrganization"),
    );
    let without = generate(
        "org.yaml",
        CREATE_ORGANIZATION,
        &Options {
            struct_builders: false,
            ..options_with_names("POST /org: createOrganization")
        },
    );
    assert!(with.code.contains("types :: builder ::"));
    assert!(
        !without.code.contains("types :: builder ::"),
        "{}",
        without.code
    );
    assert!(!without.code.contains("fn body_map"));
    assert!(without.code.contains("body was not set"));
    assert_eq!(without.method_count, 1);
    assert!(
        without.code.len() < with.code.len(),
        "{} vs {}",
        without.code.len(),
        with.code.len()
    );
}

/// With struct builders on, only the types a request body is made of keep theirs: the body and what it
/// reaches, not the response.
#[test]
fn struct_builders_are_kept_for_request_types_only() {
    let out = generate(
        "org.yaml",
        CREATE_ORGANIZATION,
        &options_with_names("POST /org: createOrganization"),
    );
    let code = out.code.replace(' ', "");
    assert!(code.contains("fnbody_map"));
    assert!(code.contains("pubfnbuilder()->builder::CreateOrganizationBody"));
    assert!(code.contains("pubstructCreateOrganizationBody{"));
    // The response type is there, without a builder.
    assert!(code.contains("pubstructCreateOrganizationResponse{"));
    assert!(!code.contains("builder::CreateOrganizationResponse"));
    assert_eq!(code.matches("pubfnbuilder()").count(), 1, "{}", out.code);
}

/// The generated `send()` accepts every 2xx status: 201 decodes into the success type, an operation without a
/// success body takes any 2xx as empty.
#[test]
fn any_2xx_status_is_matched_as_a_success() {
    let spec = r"
openapi: 3.0.3
info: {title: t, version: v}
paths:
  /org:
    post:
      operationId: createOrganization
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {type: object, properties: {org_id: {type: integer}}}}}
  /org/{org_id}:
    delete:
      operationId: deleteOrganization
      parameters: [{name: org_id, in: path, required: true, schema: {type: integer}}]
      responses:
        '200': {description: Deleted}
";
    let out = generate_bytes("ranges.yaml", spec.as_bytes(), &Options::default())
        .expect("the spec generates");
    let compact: String = out.code.split_whitespace().collect();
    assert_eq!(
        compact.matches("200u16..=299u16=>").count() + compact.matches("200..=299=>").count(),
        2,
        "both operations match the whole 2xx range"
    );
    assert!(compact.contains("Ok(ResponseValue::empty(response))"));
    assert!(
        !compact.contains("200u16=>"),
        "no single-code success arm left"
    );
}
