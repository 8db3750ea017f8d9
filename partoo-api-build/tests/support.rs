//! The support code emitted beside progenitor's: pagination impls take their types from the generated items,
//! and operations whose items do not fit are left out with a report line instead of breaking the build.

use partoo_api_build::{Options, generate_bytes};

const SPEC: &str = r"
openapi: 3.1.0
info: {title: t, version: v2}
paths:
  /things:
    get:
      operationId: listThings
      parameters:
        - {name: page, in: query, schema: {type: integer, minimum: 1}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  page: {type: integer}
                  max_page: {type: integer}
                  count: {type: integer}
                  things: {type: array, items: {type: string}}
  /messages:
    get:
      operationId: listMessages
      parameters:
        - {name: cursor, in: query, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  next_cursor: {type: [string, 'null']}
                  messages: {type: array, items: {type: object}}
  /pairs:
    get:
      operationId: listPairs
      parameters:
        - {name: page, in: query, schema: {type: integer}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  page: {type: integer}
                  max_page: {type: integer}
                  left: {type: array, items: {type: string}}
                  right: {type: array, items: {type: string}}
  /named:
    get:
      operationId: listNamed
      parameters:
        - {name: page, in: query, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  page: {type: integer}
                  max_page: {type: integer}
                  names: {type: array, items: {type: string}}
";

fn compact(code: &str) -> String {
    code.split_whitespace().collect()
}

#[test]
fn pagination_impls_follow_the_generated_types() {
    let out = generate_bytes("support.yaml", SPEC.as_bytes(), &Options::default())
        .unwrap_or_else(|e| panic!("does not generate: {e}"));
    let code = compact(&out.code);
    // No error response is declared: errors still decode as PartooError, so the impls fit.
    assert!(
        code.contains("Result<ResponseValue<types::ListThingsResponse>,Error<types::PartooError>"),
        "send of listThings does not fail with PartooError"
    );
    // `minimum: 1` made the page parameter a NonZeroU64: the impl converts through PageNumber.
    assert!(code.contains("V:std::convert::TryInto<::std::num::NonZeroU64>"));
    assert!(code.contains("self.page(crate::pagination::PageNumber(page))"));
    assert_eq!(
        out.pagination.paged,
        [("list_things".to_owned(), "things".to_owned())]
    );
    assert_eq!(
        out.pagination.cursor,
        [("list_messages".to_owned(), "messages".to_owned())]
    );
    let left_out: Vec<(&str, &str)> = out
        .pagination
        .left_out
        .iter()
        .map(|(op, why)| (op.as_str(), why.as_str()))
        .collect();
    assert_eq!(
        left_out,
        [
            (
                "list_named",
                "the `page` parameter is `::std::string::String`, not one of i64, i32, u64, u32, NonZeroU64, NonZeroU32, f64"
            ),
            (
                "list_pairs",
                "the response has several arrays (left, right)"
            ),
        ]
    );
    for (op, _) in &out.pagination.left_out {
        assert!(
            out.report
                .notes
                .iter()
                .any(|n| n.starts_with(&format!("{op}: no pagination support"))),
            "no report line for {op}: {:?}",
            out.report.notes
        );
    }
    assert!(!code.contains("forsuper::builder::ListPairs<'a>"));
    assert!(!code.contains("forsuper::builder::ListNamed<'a>"));
}

#[test]
fn each_operation_lists_the_2xx_statuses_its_generated_code_accepts() {
    let spec = r"
openapi: 3.0.3
info: {title: t, version: v2}
paths:
  /merged:
    post:
      operationId: merged
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object}, example: {a: 1}}}}
        '201': {description: created, content: {application/json: {schema: {type: object}, example: {b: 2}}}}
  /export:
    get:
      operationId: export
      responses:
        '200': {description: csv, content: {text/csv: {schema: {type: string}}}}
        '201': {description: text, content: {text/plain: {schema: {type: string}}}}
  /nothing:
    get:
      operationId: nothing
      responses:
        '404': {description: missing}
";
    let out = generate_bytes("statuses.yaml", spec.as_bytes(), &Options::default())
        .unwrap_or_else(|e| panic!("does not generate: {e}"));
    let code = compact(&out.code);
    let meta = |id: &str| {
        let start = code
            .find(&format!("Meta{{id:\"{id}\""))
            .unwrap_or_else(|| panic!("no Meta for {id}"));
        let rest = &code[start..];
        rest[..rest.find('}').expect("end of Meta")].to_owned()
    };
    // One schema, two examples: one `2XX` range, every 2xx accepted.
    assert!(
        meta("merged").contains("success_statuses:&[(200u16,299u16)]"),
        "{}",
        meta("merged")
    );
    // Two media types stay two codes: a 202 is undeclared.
    assert!(
        meta("export").contains("success_statuses:&[(200u16,200u16),(201u16,201u16)]"),
        "{}",
        meta("export")
    );
    // No success response: progenitor accepts any 2xx as a raw body.
    assert!(
        meta("nothing").contains("success_statuses:&[(200u16,299u16)]"),
        "{}",
        meta("nothing")
    );
}

const DEFAULTS: &str = r"
openapi: 3.1.0
info: {title: t, version: v2}
paths:
  /templates:
    get:
      operationId: searchTemplate
      parameters:
        - {name: page, in: query, schema: {type: integer, default: 0}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  page: {type: integer}
                  max_page: {type: integer}
                  reply_templates: {type: array, items: {type: string}}
  /things:
    get:
      operationId: listThings
      parameters:
        - {name: page, in: query, schema: {type: integer}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  page: {type: integer}
                  max_page: {type: integer}
                  things: {type: array, items: {type: string}}
  /halves:
    get:
      operationId: listHalves
      parameters:
        - {name: page, in: query, schema: {type: number, default: 1.5}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  page: {type: integer}
                  max_page: {type: integer}
                  halves: {type: array, items: {type: string}}
";

/// The text of the `PageRequest` impl for `builder` (up to the next impl).
fn page_impl<'c>(code: &'c str, builder: &str) -> &'c str {
    let head =
        format!("impl<'a>crate::pagination::PageRequest<'a>forsuper::builder::{builder}<'a>{{");
    let start = code
        .find(&head)
        .unwrap_or_else(|| panic!("no PageRequest impl for {builder}"));
    let rest = &code[start + head.len()..];
    &rest[..rest.find("}impl<").unwrap_or(rest.len())]
}

#[test]
fn streams_start_at_the_page_parameters_default_and_name_their_operation() {
    let out = generate_bytes("defaults.yaml", DEFAULTS.as_bytes(), &Options::default())
        .unwrap_or_else(|e| panic!("does not generate: {e}"));
    let code = compact(&out.code);
    let template = page_impl(&code, "SearchTemplate");
    assert!(template.contains("constFIRST_PAGE:i64=0;"), "{template}");
    assert!(
        template.contains(r#"constOPERATION:&'staticstr="search_template";"#),
        "{template}"
    );
    // No default: page 1.
    assert!(page_impl(&code, "ListThings").contains("constFIRST_PAGE:i64=1;"));
    assert_eq!(
        out.pagination.first_pages,
        [("search_template".to_owned(), 0)]
    );
    // A default that is no page number: page 1, and the report says so.
    assert!(page_impl(&code, "ListHalves").contains("constFIRST_PAGE:i64=1;"));
    assert!(
        out.report.notes.iter().any(|n| n
            == "list_halves: the `page` parameter's default 1.5 is not an integer: streams start at page 1"),
        "{:?}",
        out.report.notes
    );
    // The runtime reads the client's settings through an accessor inside `mod builder`.
    // (only code inside `mod builder` may read the builder's private `client` field)
    let builder_mod = &code[code.find("pubmodbuilder{").expect("mod builder")..];
    let accessors = builder_mod
        .matches("fnpagination_client(&self)->&'asuper::Client{self.client}")
        .count();
    assert_eq!(accessors, 3, "one accessor per paginated builder");
    assert!(
        template.contains("Some(self.pagination_client())"),
        "{template}"
    );
}

/// An invalid `Options::runtime` is an error of the client's generation too (it was silently `crate` for the
/// support and event code, and an error only for the mocks).
#[test]
fn a_runtime_that_is_no_rust_path_fails_the_client_generation() {
    let options = Options {
        runtime: "not a path".to_owned(),
        ..Options::default()
    };
    let err = generate_bytes("spec.yaml", SPEC.as_bytes(), &options).expect_err("rejected");
    assert_eq!(err.location, partoo_api_build::Location::Input);
    assert!(
        err.message.contains("Options::runtime `not a path`"),
        "{err}"
    );
    assert!(err.to_string().contains("spec.yaml"), "{err}");
}

/// One `Operation` record per operation, built once and shared: the document's facts and the generated
/// code's types side by side, and `methods` is its summary.
#[test]
fn each_operation_has_one_record_with_the_document_and_code_facts() {
    let out = generate_bytes("spec.yaml", SPEC.as_bytes(), &Options::default()).expect("generates");
    let names: Vec<&str> = out
        .operations
        .iter()
        .map(|o| o.rust_name.as_str())
        .collect();
    assert_eq!(
        names,
        ["list_messages", "list_named", "list_pairs", "list_things"]
    );
    let things = &out.operations[3];
    assert_eq!(
        (things.method.as_str(), things.path.as_str()),
        ("GET", "/things")
    );
    assert_eq!(things.builder, "ListThings");
    assert!(
        things.success_type.starts_with("types::"),
        "{}",
        things.success_type
    );
    assert_eq!(
        things.error_type.as_deref(),
        Some("Error<types::PartooError>")
    );
    // The `success_ranges` rule made the one `200` a `2XX` range.
    assert_eq!(things.success_statuses, [(200, 299)]);
    assert_eq!(things.success_arrays, ["things"]);
    assert_eq!(
        things.success_properties,
        ["count", "max_page", "page", "things"]
    );
    let page = &things.parameters[0];
    assert_eq!(
        (page.name.as_str(), page.location.as_str(), page.required),
        ("page", "query", false)
    );
    let setter = page
        .setter_type
        .as_deref()
        .expect("the builder has a `page` setter");
    assert!(
        setter.contains("NonZeroU64") || setter.contains("i64"),
        "{setter}"
    );
    assert_eq!(out.operations[2].success_arrays, ["left", "right"]);
    let summaries: Vec<_> = out.operations.iter().map(|o| o.method_info()).collect();
    assert_eq!(out.methods, summaries);
}

/// `mod operations` is not parsed by the build (its shape is fixed); this checks that shape, and the whole
/// file, on this spec and on the vendored snapshot.
#[test]
fn emitted_code_parses() {
    let small =
        generate_bytes("support.yaml", SPEC.as_bytes(), &Options::default()).expect("generates");
    let snapshot = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/partoo.yaml");
    let full = partoo_api_build::generate_path(&snapshot, &Options::default()).expect("generates");
    for generated in [small, full] {
        let file = syn::parse_file(&generated.code).expect("the generated code parses");
        let operations = file.items.iter().any(|item| {
            matches!(item, syn::Item::Mod(m) if m.ident == "operations" && m.content.is_some())
        });
        assert!(operations, "`mod operations` is emitted");
    }
}

/// progenitor's `Client::new` and `Client::new_with_client` would build a client without
/// `ClientBuilder::build`'s checks (https, the origin-bound redirect policy, TLS): they are crate-private.
#[test]
fn progenitors_constructors_are_crate_private() {
    let out = generate_bytes("support.yaml", SPEC.as_bytes(), &Options::default())
        .unwrap_or_else(|e| panic!("does not generate: {e}"));
    let code = compact(&out.code);
    assert!(code.contains("pub(crate)fnnew(baseurl:&str"), "Client::new");
    assert!(
        code.contains("pub(crate)fnnew_with_client(baseurl:&str"),
        "Client::new_with_client"
    );
    assert!(!code.contains("pubfnnew(baseurl"));
    assert!(!code.contains("pubfnnew_with_client("));
}
