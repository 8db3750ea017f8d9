//! The command line's generated part (`cli::cli`): what it emits for a small spec, and located errors.

use partoo_api_build::{Options, cli, generate_bytes};

/// A page-numbered search with an array filter and a keyword-named parameter, a path parameter, and a POST
/// with a required body.
const SPEC: &str = r#"
openapi: 3.0.3
info: {title: t, version: v2}
paths:
  /business/search:
    get:
      operationId: searchBusinesses
      summary: Search businesses
      tags: [Businesses]
      parameters:
        - {name: page, in: query, schema: {type: integer}}
        - {name: type, in: query, description: The kind of business., schema: {type: string}}
        - {name: groups, in: query, style: form, explode: false, schema: {type: array, items: {type: integer}}}
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
      deprecated: true
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

fn compact(spec: &str) -> Result<String, partoo_api_build::BuildError> {
    let options = Options::default();
    let out = generate_bytes("spec.yaml", spec.as_bytes(), &options)
        .unwrap_or_else(|e| panic!("the client generates: {e}"));
    cli::cli("spec.yaml", &out, &options).map(|code| code.split_whitespace().collect())
}

#[test]
fn one_subcommand_per_operation_with_typed_flags() {
    let code = compact(SPEC).expect("cli code generates");
    for (command, method) in [
        ("search-businesses", "search_businesses"),
        ("get-organization", "get_organization"),
        ("create-organization", "create_organization"),
    ] {
        assert!(
            code.contains(&format!("::clap::Command::new(\"{command}\")")),
            "{command} missing"
        );
        // Dispatched to the client's method, each operation in its own boxed future.
        assert!(
            code.contains(&format!(
                "\"{command}\"=>::std::boxed::Box::pin(asyncmove{{letb=client.{method}();"
            )),
            "{command} not dispatched"
        );
    }
    // Tag in front of the summary; deprecated marked.
    assert!(code.contains("\"[Businesses]Searchbusinesses\""), "{code}");
    assert!(code.contains("\"(deprecated)"), "{code}");
    // Keyword parameter: flag `--type`, setter `type_`, description as help.
    assert!(code.contains("Arg::new(\"type\").long(\"type\")"));
    assert!(code.contains("b.type_(v)"));
    assert!(code.contains(".help(\"Thekindofbusiness.\")"));
    // Path parameter required, typed by the setter.
    assert!(code.contains("Arg::new(\"org-id\").long(\"org-id\").value_name(\"ORG_ID\").help(\"pathparameter`org_id`\").required(true)"), "{code}");
    assert!(code.contains("crate::cli::flag::<i64>(m,\"org-id\")"));
    // Only a path parameter refuses values that would change the path (`..`).
    assert_eq!(
        code.matches(".value_parser(crate::cli::path_segment)")
            .count(),
        1
    );
    assert!(code.contains(
        ".required(true).allow_negative_numbers(true).action(::clap::ArgAction::Set).value_parser(crate::cli::path_segment))"
    ));
    // Arrays repeat and split on commas, each element typed.
    assert!(code.contains("crate::cli::flags::<i64>(m,\"groups\")"));
    assert!(code.contains("ArgAction::Append).value_delimiter(',')"));
    // The body is typed by the builder's `body` setter and required as the spec says.
    assert!(
        code.contains("crate::cli::body::<crate::types::CreateOrganizationBody>(m)"),
        "{code}"
    );
    // Pagination only where the client has it.
    assert!(code.contains("crate::Paginate::raw_items(b)"));
    assert_eq!(code.matches("Arg::new(\"all\")").count(), 1);
}

#[test]
fn a_parameter_named_like_a_reserved_flag_is_an_error_naming_it() {
    let spec = SPEC.replace("{name: type, in: query,", "{name: body, in: query,");
    let err = compact(&spec).expect_err("refused");
    assert!(err.to_string().contains("searchBusinesses"), "{err}");
    assert!(err.message.contains("`body`"), "{}", err.message);
}

#[test]
fn a_parameter_named_like_a_global_flag_is_an_error_naming_it() {
    // `partoo --environment sandbox search-businesses`: a local `--environment` would clash with it.
    for (param, flag) in [
        ("environment", "--environment"),
        ("rate_limit", "--rate-limit"),
        ("api_key", "--api-key"),
        ("base_url", "--base-url"),
        ("verbose", "--verbose"),
        ("max_pages", "--max-pages"),
        ("max_body", "--max-body"),
    ] {
        let spec = SPEC.replace(
            "{name: type, in: query,",
            &format!("{{name: {param}, in: query,"),
        );
        let err = compact(&spec).expect_err("refused");
        assert!(
            err.message.contains(&format!("`{param}`")) && err.message.contains(flag),
            "{param}: {}",
            err.message
        );
    }
}

#[test]
fn an_operation_named_like_a_hand_written_subcommand_is_an_error() {
    let spec = SPEC.replace("operationId: getOrganization", "operationId: completions");
    let err = compact(&spec).expect_err("refused");
    assert!(err.message.contains("`completions`"), "{}", err.message);
}

/// A POST whose body is raw bytes (`application/octet-stream`): the builder's `body` setter takes
/// `B: TryInto<reqwest::Body>`, which no JSON decoding can produce.
const OCTET: &str = r#"
openapi: 3.0.3
info: {title: t, version: v2}
paths:
  /org:
    post:
      operationId: createOrg
      requestBody:
        required: true
        content:
          application/octet-stream:
            schema: {type: string, format: binary}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object}
"#;

#[test]
fn a_raw_byte_body_is_read_as_bytes_and_passed_as_they_are() {
    let code = compact(OCTET).expect("cli code generates");
    // Not decoded as JSON: `reqwest::Body` is no JSON type.
    assert!(!code.contains("crate::cli::body::<"), "{code}");
    assert!(
        code.contains("letb=matchcrate::cli::raw_body(m)?{Some(v)=>b.body(v),None=>b};"),
        "{code}"
    );
    assert!(
        code.contains("Arg::new(\"body\").long(\"body\").value_name(\"FILE|-\")"),
        "{code}"
    );
    assert!(
        code.contains("notreadasJSON"),
        "help says the bytes go as they are: {code}"
    );
}

#[test]
fn an_operation_error_names_its_method_path_and_operation_id() {
    use partoo_api_build::Location;
    let spec = SPEC.replace("{name: type, in: query,", "{name: body, in: query,");
    let err = compact(&spec).expect_err("refused");
    assert_eq!(
        err.location,
        Location::Operation {
            method: "GET".to_owned(),
            path: "/business/search".to_owned(),
            operation_id: Some("searchBusinesses".to_owned()),
        }
    );
    let shown = err.to_string();
    assert!(
        shown.starts_with("spec.yaml: operation GET /business/search (searchBusinesses): "),
        "{shown}"
    );
    // The hand-written-subcommand refusal is located the same way.
    let spec = SPEC.replace("operationId: getOrganization", "operationId: completions");
    let err = compact(&spec).expect_err("refused");
    assert!(
        err.to_string()
            .contains("operation GET /org/{org_id} (completions)"),
        "{err}"
    );
}

#[test]
fn a_text_body_is_read_as_text_not_as_a_json_string() {
    // `text/plain` with a string schema: the setter takes `String`, which JSON would want quoted.
    let spec = OCTET
        .replace("application/octet-stream", "text/plain")
        .replace("{type: string, format: binary}", "{type: string}");
    let code = compact(&spec).expect("cli code generates");
    assert!(!code.contains("crate::cli::body::<"), "{code}");
    assert!(
        code.contains("letb=matchcrate::cli::text_body(m)?{Some(v)=>b.body(v),None=>b};"),
        "{code}"
    );
    // A JSON string body is still JSON.
    let json = OCTET
        .replace("application/octet-stream", "application/json")
        .replace("{type: string, format: binary}", "{type: string}");
    let code = compact(&json).expect("cli code generates");
    assert!(code.contains("crate::cli::body::<"), "{code}");
}

/// A GET whose success body is XML: progenitor's `send()` yields a `ByteStream`, which is no JSON type.
const XML: &str = r#"
openapi: 3.0.3
info: {title: t, version: v2}
paths:
  /export:
    get:
      operationId: exportReviews
      responses:
        '200':
          description: ok
          content:
            application/xml:
              schema: {type: object, properties: {a: {type: string}}}
"#;

#[test]
fn a_success_body_that_is_not_json_is_copied_out_as_bytes() {
    let code = compact(XML).expect("cli code generates");
    assert!(
        code.contains("crate::cli::bytes(b.send(),out).await"),
        "{code}"
    );
    assert!(!code.contains("crate::cli::once("), "{code}");
    // The operation record has no decoder for it (`ByteStream` is no JSON type, nor a name in scope there).
    let out = partoo_api_build::generate_bytes(
        "xml.yaml",
        XML.as_bytes(),
        &partoo_api_build::Options::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.operations[0].success_type, "ByteStream");
    let compact_code: String = out.code.split_whitespace().collect();
    assert!(
        compact_code.contains("decode_success:::std::option::Option::None,"),
        "{}",
        out.code
    );
    assert!(
        !compact_code.contains("decode::<ByteStream>"),
        "{}",
        out.code
    );
}

#[test]
fn names_clap_would_panic_on_are_refused_naming_the_operation() {
    // clap's own `help` subcommand, and two parameters of one flag, made `partoo` panic when it started.
    let spec = SPEC.replace("operationId: getOrganization", "operationId: help");
    let err = compact(&spec).expect_err("refused");
    assert!(err.message.contains("`help`"), "{}", err.message);
    let twins = r#"
openapi: 3.0.3
info: {title: t, version: v2}
paths:
  /x:
    get:
      operationId: getX
      parameters:
        - {name: "don't", in: query, schema: {type: string}}
        - {name: don_t, in: query, schema: {type: string}}
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object}}}}
"#;
    let err = compact(twins).expect_err("refused");
    assert!(
        err.message
            .contains("parameters `don't` and `don_t` would both be flag `--don-t`"),
        "{}",
        err.message
    );
}

/// A flag whose schema lists its values takes only those (each, for a list); values a flag could not carry
/// (an empty one, one with the list delimiter) leave it unrestricted rather than unusable.
#[test]
fn listed_values_restrict_their_flag() {
    let spec = r#"
openapi: 3.0.3
info: {title: t, version: v2}
paths:
  /x:
    get:
      operationId: getX
      parameters:
        - {name: status, in: query, schema: {$ref: '#/components/schemas/Status'}}
        - {name: features, in: query, schema: {type: array, items: {type: string, enum: [posts, messages]}}}
        - {name: odd, in: query, schema: {type: string, enum: ['', 'a,b']}}
        - {name: level, in: query, schema: {type: integer, enum: [1, 2]}}
      responses:
        '204': {description: ok}
components:
  schemas:
    Status: {type: string, enum: [open, closed]}
"#;
    let code = compact(spec).expect("cli code generates");
    assert!(
        code.contains(
            "Arg::new(\"status\").long(\"status\").value_name(\"STATUS\").help(\"queryparameter`status`\").required(false).allow_negative_numbers(true).action(::clap::ArgAction::Set).value_parser(::clap::builder::PossibleValuesParser::new([\"open\",\"closed\"]))"
        ),
        "{code}"
    );
    assert!(
        code.contains("value_delimiter(',').value_parser(::clap::builder::PossibleValuesParser::new([\"posts\",\"messages\"]))"),
        "{code}"
    );
    assert_eq!(code.matches("PossibleValuesParser").count(), 2, "{code}");
}
