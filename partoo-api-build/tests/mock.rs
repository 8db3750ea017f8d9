//! The httpmock extension (`mock::httpmock`): what it emits for small specs, and located errors instead of
//! panics.

use partoo_api_build::{Location, Options, generate_bytes, mock};

/// One page-numbered list operation (Partoo's envelope), one with a comma-separated array filter, and a
/// POST with a body.
const SPEC: &str = r#"
openapi: 3.0.3
info: {title: t, version: v2}
paths:
  /business/search:
    get:
      operationId: searchBusinesses
      parameters:
        - {name: page, in: query, schema: {type: integer}}
        - {name: business__in, in: query, style: form, explode: false, schema: {type: array, items: {type: string}}}
      responses:
        '200':
          description: A page.
          content:
            application/json:
              schema:
                type: object
                properties:
                  page: {type: integer}
                  max_page: {type: integer}
                  count: {type: integer}
                  businesses: {type: array, items: {type: object, properties: {id: {type: string}}}}
  /org/{org_id}:
    get:
      operationId: getOrganization
      parameters:
        - {name: org_id, in: path, required: true, schema: {type: integer}}
      responses:
        '200':
          description: One organization.
          content:
            application/json:
              schema: {type: object, properties: {org_id: {type: integer}}}
  /org:
    post:
      operationId: createOrganization
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, required: [name], properties: {name: {type: string}}}
      responses:
        '200':
          description: Created.
          content:
            application/json:
              schema: {type: object, properties: {org_id: {type: integer}}}
"#;

fn generated(spec: &str) -> (partoo_api_build::Generated, Options) {
    let options = Options::default();
    let out = generate_bytes("spec.yaml", spec.as_bytes(), &options)
        .unwrap_or_else(|e| panic!("the client generates: {e}"));
    (out, options)
}

#[test]
fn emits_the_extension_trait_the_wrappers_and_the_helper_glue() {
    let (out, options) = generated(SPEC);
    let code = mock::httpmock("spec.yaml", &out, &options).expect("mock code generates");
    let compact: String = code.split_whitespace().collect();
    for wanted in [
        "pubtraitMockServerExt",
        "implcrate::mock::WhenExtforoperations::SearchBusinessesWhen",
        "implcrate::mock::ThenExtforoperations::CreateOrganizationThen",
        "implcrate::mock::PagedOperationforoperations::SearchBusinessesWhen",
        "constITEMS_KEY:&'staticstr=\"businesses\"",
        // Pages are served from the page the client's streams start at.
        "constFIRST_PAGE:i64=<crate::builder::SearchBusinesses<'static>ascrate::pagination::PageRequest<'static>>::FIRST_PAGE;",
        // Page and item types come from the client's `PageRequest` impl, not from a second derivation.
        "<crate::builder::SearchBusinesses<'static>ascrate::pagination::PageRequest<'static>>::Item",
    ] {
        assert!(compact.contains(wanted), "missing `{wanted}` in:\n{code}");
    }
    // One extension method per operation, named like the client's method.
    assert_eq!(out.methods.len(), 3);
    for m in &out.methods {
        assert!(
            compact.contains(&format!("fn{}<F>", m.rust_name)),
            "{}",
            m.rust_name
        );
    }
    // Success bodies are 2XX ranges (`success(status, body)`): each Then also gets the `ok(body)` shortcut.
    assert!(compact.contains("pubfnok(self,value:&types::"), "{code}");
    // Only the list operation is paged.
    assert_eq!(compact.matches("PagedOperationfor").count(), 1);
    // The array filter goes through the helper that knows the comma-separated form, not `Vec::to_string`.
    assert!(
        compact.contains(
            "crate::mock::query_array(self.0,\"search_businesses\",\"business__in\",value)"
        )
    );
    // Path parameter values are encoded as the client encodes them, then escaped, before they become part of
    // the path's regular expression.
    assert!(
        compact.contains("format!(\"^/org/{}$\",crate::mock::path_segment(&value.to_string()))"),
        "{code}"
    );
    // Scalar query values are written by the client's query serializer, not `to_string`.
    assert!(
        compact.contains("crate::mock::query_value(self.0,\"page\",&value)"),
        "{code}"
    );
    assert!(!compact.contains("query_param(\"page\""), "{code}");
    assert!(!compact.contains("format!(\"^/org/{}$\",value.to_string()"));
    // Bodies are always passed by reference to httpmock.
    assert!(!compact.contains("json_body_obj(value)"));
    assert!(compact.contains("json_body_obj(&value)"));
}

#[test]
fn the_runtime_path_is_configurable() {
    let (out, mut options) = generated(SPEC);
    options.runtime = "::my_sdk".to_owned();
    let code = mock::httpmock("spec.yaml", &out, &options).expect("mock code generates");
    let compact: String = code.split_whitespace().collect();
    assert!(compact.contains("impl::my_sdk::mock::WhenExtforoperations::SearchBusinessesWhen"));
    assert!(compact.contains("use::my_sdk::*;"));
}

#[test]
fn a_runtime_that_is_no_rust_path_is_an_error() {
    let (out, mut options) = generated(SPEC);
    options.runtime = "not a path".to_owned();
    let err = mock::httpmock("spec.yaml", &out, &options).expect_err("rejected");
    assert_eq!(err.location, Location::Input);
    assert!(err.message.contains("not a path"), "{err}");
}

/// progenitor's mock generator names each response method after the status's reason phrase and panics on a
/// status that has none (420); the client generator accepts it. The panic is caught and located.
#[test]
fn a_progenitor_panic_becomes_an_error_naming_the_operation() {
    let spec = r#"
openapi: 3.0.3
info: {title: t, version: v2}
paths:
  /user/me:
    get:
      operationId: getMyUser
      responses:
        '200':
          description: OK
          content: {application/json: {schema: {type: object, properties: {id: {type: string}}}}}
  /odd:
    get:
      operationId: oddStatus
      responses:
        '200':
          description: OK
          content: {application/json: {schema: {type: object, properties: {id: {type: string}}}}}
"#;
    let (mut out, options) = generated(spec);
    // A status without a reason phrase, which progenitor's mock generator unwraps. The rules drop such a
    // status (`unnamed_statuses`), so it is put back into the normalised document the mocks are made from.
    out.normalised["paths"]["/odd"]["get"]["responses"]["420"] = serde_json::json!({
        "description": "A status without a reason phrase.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PartooError"}}},
    });
    let err = mock::httpmock("odd.yaml", &out, &options).expect_err("mock generation fails");
    assert_eq!(
        err.location,
        Location::Operation {
            method: "GET".to_owned(),
            path: "/odd".to_owned(),
            operation_id: Some("oddStatus".to_owned()),
        },
        "{err}"
    );
    assert!(err.message.starts_with("mock generation: "), "{err}");
    assert!(
        err.to_string()
            .starts_with("odd.yaml: operation GET /odd (oddStatus): ")
    );
}

#[test]
fn a_paged_operation_whose_builder_starts_with_an_underscore_gets_its_paged_mock() {
    // operationId `123search`: method and builder `_123search`, which the paged-mock glue must name as
    // progenitor does (UpperCamelCase alone would give `123search`, not an identifier).
    let spec = SPEC.replace("searchBusinesses", "123search");
    let (out, options) = generated(&spec);
    let code = mock::httpmock("spec.yaml", &out, &options).expect("mock code generates");
    let compact: String = code.split_whitespace().collect();
    assert!(
        compact.contains("implcrate::mock::PagedOperationforoperations::_123searchWhen"),
        "{code}"
    );
}

#[test]
fn an_operation_named_like_a_keyword_gets_its_mock() {
    // operationId `self`: method `self_` and builder `Self_`, but progenitor names the wrappers from
    // `self_-when`, so `SelfWhen`, not `Self_When`. The mock stage refused the spec ("matches no operation").
    let spec = SPEC.replace("searchBusinesses", "self");
    let (out, options) = generated(&spec);
    let code = mock::httpmock("spec.yaml", &out, &options).unwrap_or_else(|e| panic!("{e}"));
    let compact: String = code.split_whitespace().collect();
    assert!(
        compact.contains("implcrate::mock::PagedOperationforoperations::SelfWhen"),
        "{code}"
    );
    assert!(compact.contains("crate::builder::Self_<'static>"), "{code}");
}

#[test]
fn a_map_query_parameter_holding_arrays_is_matched_as_one_value() {
    // Its type names `Vec` inside a map: it is no array parameter (`query_array` wants a slice).
    let spec = r#"
openapi: 3.0.3
info: {title: t, version: v2}
paths:
  /x:
    get:
      operationId: op
      parameters:
        - {name: filter, in: query, schema: {type: object, additionalProperties: {type: array, items: {type: string}}}}
        - {name: ids, in: query, schema: {type: array, items: {type: integer}}}
      responses:
        '200': {description: ok}
"#;
    let (out, options) = generated(spec);
    let code = mock::httpmock("spec.yaml", &out, &options).expect("mock code generates");
    let compact: String = code.split_whitespace().collect();
    assert!(
        compact.contains("crate::mock::query_value(self.0,\"filter\",&value)"),
        "{code}"
    );
    assert!(
        compact.contains("crate::mock::query_array(self.0,\"op\",\"ids\",value)"),
        "{code}"
    );
}

#[test]
fn ok_takes_its_body_by_reference_also_where_success_takes_it_by_value() {
    // typify passes a string enum by value, so progenitor's `success(status, value)` takes `Status`, and
    // `ok` did too: `then.ok(&Status::Done)`, as every other `ok` is called, did not compile.
    let spec = r#"
openapi: 3.0.3
info: {title: t, version: v2}
paths:
  /x:
    post:
      operationId: op
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/Status'}}}
components:
  schemas:
    Status: {type: string, enum: [done]}
"#;
    let (out, options) = generated(spec);
    let code = mock::httpmock("spec.yaml", &out, &options).expect("mock code generates");
    let compact: String = code.split_whitespace().collect();
    assert!(
        compact.contains("pubfnsuccess(self,status:u16,value:types::Status"),
        "progenitor's own `success` takes the value: {code}"
    );
    assert!(
        compact.contains(
            "pubfnok(self,value:&types::Status)->Self{self.success(200,::std::clone::Clone::clone(value))}"
        ),
        "{code}"
    );
}
