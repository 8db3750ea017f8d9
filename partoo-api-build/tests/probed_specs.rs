//! Specs a probe of unusual constructs found that the pipeline accepted but that gave a client rustc refused
//! (`cargo check -p partoo-api --features mock,cli` against each, 2026-12-07). Each is now either generated
//! in a shape that compiles, checked here on the generated code, or refused with its place.

use partoo_api_build::{Generated, Location, Options, generate_bytes};

/// `paths` and `components` (YAML, at top level) after a 3.0.3 header.
fn spec(rest: &str) -> String {
    format!("openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\n{rest}")
}

fn generated(rest: &str) -> Generated {
    generate_bytes("p.yaml", spec(rest).as_bytes(), &Options::default())
        .unwrap_or_else(|e| panic!("{e}\n{rest}"))
}

fn compact(code: &str) -> String {
    code.split_whitespace().collect()
}

#[test]
fn an_enum_value_err_does_not_make_self_err_ambiguous() {
    let out = generated(
        "paths: {/x: {get: {operationId: getX, responses: {'200': {description: ok, content: {application/json: \
         {schema: {type: object, properties: {status: {type: string, enum: [ok, err]}}}}}}}}}}\n",
    );
    let code = compact(&out.code);
    assert!(code.contains("\"err\"=>Self::Err,"), "the variant is there");
    // `Self::Err` in `FromStr` would name the variant as well as the associated type.
    assert!(!code.contains("Result<Self,Self::Err>"), "{}", out.code);
}

/// A page-numbered list whose items are `items` (YAML schema).
fn paged(items: &str, components: &str) -> String {
    format!(
        "paths:
  /x:
    get:
      operationId: getX
      parameters:
        - {{name: page, in: query, schema: {{type: integer}}}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  page: {{type: integer}}
                  max_page: {{type: integer}}
                  data: {items}
components:
  schemas:
{components}"
    )
}

#[test]
fn emitted_code_in_mod_types_names_send_with_its_path() {
    // A component `Send` is `types::Send`, where the pagination impls are emitted.
    let out = generated(&paged(
        "{type: array, items: {$ref: '#/components/schemas/Send'}}",
        "    Send: {type: object, properties: {a: {type: string}}}\n",
    ));
    assert_eq!(out.pagination.paged.len(), 1, "{:?}", out.pagination);
    let code = compact(&out.code);
    assert!(code.contains("+::std::marker::Send+'a"), "{}", out.code);
    assert!(!code.contains(">>+Send+'a"), "{}", out.code);
}

#[test]
fn a_component_named_vec_is_no_list_of_items() {
    // `data` is `types::Vec`, a component, not `::std::vec::Vec`: no pagination impl, a report line instead.
    let out = generated(&paged(
        "{$ref: '#/components/schemas/Vec'}",
        "    Vec: {type: array, items: {type: object, properties: {id: {type: integer}}}}\n",
    ));
    assert!(out.pagination.paged.is_empty(), "{:?}", out.pagination);
    assert!(
        out.pagination
            .left_out
            .iter()
            .any(|(op, why)| op == "get_x" && why.contains("not a `Vec`")),
        "{:?}",
        out.pagination
    );
}

#[test]
fn a_component_named_byte_stream_is_json() {
    let out = generated(
        "paths: {/x: {get: {operationId: getX, responses: {'200': {description: ok, content: {application/json: \
         {schema: {$ref: '#/components/schemas/ByteStream'}}}}}}}}\n\
         components: {schemas: {ByteStream: {type: object, properties: {a: {type: string}}}}}\n",
    );
    assert_eq!(out.operations[0].success_type, "types::ByteStream");
    assert!(
        compact(&out.code).contains("decode::<types::ByteStream>"),
        "a JSON body has its decoder"
    );
}

#[test]
fn components_named_like_prelude_items_typifys_code_uses_are_refused() {
    // `Default` beside a request body: the body type's struct builder calls `Default::default()`.
    let default = "paths: {/x: {post: {operationId: postX, requestBody: {content: {application/json: {schema: \
                   {$ref: '#/components/schemas/Default'}}}}, responses: {'204': {description: ok}}}}}\n\
                   components: {schemas: {Default: {type: object, properties: {a: {type: string}}}}}\n";
    refused_at(
        default,
        "/components/schemas/Default",
        "hides the prelude's `Default`",
    );
    // `Err` beside a length-limited string: its `TryFrom` writes `Err(…)`.
    for name in ["Err", "err", "Ok"] {
        let rest = format!(
            "paths: {{/x: {{get: {{operationId: getX, responses: {{'200': {{description: ok, content: \
             {{application/json: {{schema: {{$ref: '#/components/schemas/Thing'}}}}}}}}}}}}}}}}\n\
             components: {{schemas: {{Thing: {{type: object, properties: {{code: {{type: string, minLength: 2}}, \
             meta: {{$ref: '#/components/schemas/{name}'}}}}}}, {name}: {{type: object, additionalProperties: \
             {{type: string}}}}}}}}\n"
        );
        refused_at(
            &rest,
            &format!("/components/schemas/{name}"),
            "hides the prelude's",
        );
    }
    // Without code that names it bare (no request body, so no struct builder), `Default` is a fine name.
    let out = generated(
        "paths: {/x: {get: {operationId: getX, responses: {'200': {description: ok, content: {application/json: \
         {schema: {$ref: '#/components/schemas/Default'}}}}}}}}\n\
         components: {schemas: {Default: {type: object, properties: {a: {type: string}}}}}\n",
    );
    assert!(out.code.contains("pub struct Default"));
}

/// `GET <path>` with the parameters `params` (YAML flow mappings).
fn with_params(path: &str, params: &[&str]) -> String {
    let list: String = params.iter().map(|p| format!("        - {p}\n")).collect();
    format!(
        "paths:\n  '{path}':\n    get:\n      operationId: getX\n      parameters:\n{list}      responses: {{'204': {{description: ok}}}}\n"
    )
}

fn refused_at(rest: &str, pointer: &str, wanted: &str) {
    let err = generate_bytes("p.yaml", spec(rest).as_bytes(), &Options::default())
        .map(drop)
        .expect_err(rest);
    assert_eq!(err.location, Location::Pointer(pointer.to_owned()), "{err}");
    assert!(err.message.contains(wanted), "{err}");
}

#[test]
fn path_templates_with_a_stray_brace_or_a_repeated_placeholder_are_refused() {
    let id = "{name: id, in: path, required: true, schema: {type: string}}";
    refused_at(
        &with_params("/x/{id}}", &[id]),
        "/paths/~1x~1{id}}",
        "a `}` closes no placeholder",
    );
    refused_at(
        &with_params("/x/{id}/y/{id}", &[id]),
        "/paths/~1x~1{id}~1y~1{id}",
        "`{id}` appears twice",
    );
    // Before, generated without its method, and refused after generation with no place.
    refused_at(
        &with_params("x/{id}", &[id]),
        "/paths/x~1{id}",
        "path template `x/{id}`: it does not start with `/`",
    );
    // An extension of the Paths object is no path.
    generated("paths:\n  x-owner: {team: listings}\n");
}

#[test]
fn array_and_object_values_of_path_and_header_parameters_are_refused() {
    for (param, wanted) in [
        (
            "{name: X-Tags, in: header, schema: {type: array, items: {type: string}}}",
            "header parameter `X-Tags`: its value is an array",
        ),
        (
            "{name: X-Meta, in: header, schema: {type: object, additionalProperties: {type: string}}}",
            "header parameter `X-Meta`: its value is an object",
        ),
    ] {
        refused_at(
            &with_params("/x", &[param]),
            "/paths/~1x/get/parameters/0",
            wanted,
        );
    }
    refused_at(
        &with_params(
            "/x/{ids}",
            &[
                "{name: ids, in: path, required: true, schema: {type: array, items: {type: integer}}}",
            ],
        ),
        "/paths/~1x~1{ids}/get/parameters/0",
        "path parameter `ids`: its value is an array",
    );
}

#[test]
fn nullable_path_and_header_parameters_lose_nullable() {
    let out = generated(&with_params(
        "/x/{n}",
        &[
            "{name: n, in: path, required: true, schema: {type: string, nullable: true}}",
            "{name: X-Opt, in: header, schema: {type: integer, nullable: true}}",
            "{name: q, in: query, schema: {type: integer, nullable: true}}",
        ],
    ));
    let mut sites: Vec<&str> = out
        .report
        .changes
        .iter()
        .filter(|c| c.rule == "parameter_values")
        .map(|c| c.pointer.as_str())
        .collect();
    sites.sort_unstable();
    assert_eq!(
        sites,
        [
            "/paths/~1x~1{n}/get/parameters/0/schema",
            "/paths/~1x~1{n}/get/parameters/1/schema"
        ]
    );
    // The query parameter keeps it: progenitor sends an absent value by leaving it out.
    assert_eq!(
        out.normalised
            .pointer("/paths/~1x~1{n}/get/parameters/2/schema/nullable"),
        Some(&serde_json::Value::Bool(true))
    );
}

#[test]
fn a_list_whose_builder_is_not_clone_gets_no_page_stream() {
    // A `text/plain` body is a `reqwest::Body` in the builder, which is then not `Clone`; the streams need it.
    let out = generated(
        "paths:
  /x:
    post:
      operationId: postX
      parameters:
        - {name: cursor, in: query, schema: {type: string}}
      requestBody: {required: true, content: {text/plain: {schema: {type: string}}}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {next_cursor: {type: string}, data: {type: array, items: {type: string}}}}
",
    );
    assert!(out.pagination.cursor.is_empty(), "{:?}", out.pagination);
    assert!(
        out.pagination
            .left_out
            .iter()
            .any(|(op, why)| op == "post_x" && why.contains("is not `Clone`")),
        "{:?}",
        out.pagination
    );
}

#[test]
fn a_component_named_like_the_timestamp_type_is_refused() {
    // progenitor replaces the type `PartooTimestamp` with the client's timestamp type wherever it is.
    for name in ["PartooTimestamp", "partoo_timestamp"] {
        refused_at(
            &format!(
                "paths: {{/x: {{get: {{operationId: getX, responses: {{'200': {{description: ok, content: \
                 {{application/json: {{schema: {{$ref: '#/components/schemas/{name}'}}}}}}}}}}}}}}}}\n\
                 components: {{schemas: {{{name}: {{type: object, properties: {{a: {{type: string}}}}}}}}}}\n"
            ),
            &format!("/components/schemas/{name}"),
            "reserves for dates",
        );
    }
}

#[test]
fn an_integer_default_over_i64_max_is_dropped_where_the_value_is_i64() {
    // typify types the property `i64` and wrote `default_u64::<i64, 18446744073709551615>`, which panics.
    let out = generated(
        "paths: {/x: {get: {operationId: getX, responses: {'200': {description: ok, content: {application/json: \
         {schema: {type: object, properties: {big: {type: integer, default: 18446744073709551615}, \
         small: {type: integer, default: 5}, unsigned: {type: integer, minimum: 0, default: 18446744073709551615}}}}}}}}}}\n",
    );
    let code = compact(&out.code);
    assert!(
        !code.contains("default_u64::<i64,18446744073709551615>"),
        "{}",
        out.code
    );
    assert!(code.contains("default_u64::<i64,5>"), "{}", out.code);
    let dropped: Vec<&str> = out
        .report
        .changes
        .iter()
        .filter(|c| c.rule == "enum_defaults")
        .map(|c| c.pointer.as_str())
        .collect();
    assert_eq!(
        dropped,
        ["/paths/~1x/get/responses/200/content/application~1json/schema/properties/big"]
    );
}

#[test]
fn dropshot_extensions_are_dropped() {
    // progenitor's code for them names `futures` (pagination) and `rand` (websocket), which the client lacks.
    let out = generated(
        "paths:
  /items:
    get:
      operationId: listItems
      x-dropshot-pagination: {required: []}
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
        - {name: page_token, in: query, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object, required: [items], properties: {items: {type: array, items: {type: string}}, next_page: {type: string}}}
",
    );
    let code = compact(&out.code);
    assert!(!code.contains("futures::"), "{}", out.code);
    assert!(
        out.report
            .changes
            .iter()
            .any(|c| c.rule == "dropshot_extensions"
                && c.pointer == "/paths/~1items/get/x-dropshot-pagination")
    );
}

#[test]
fn formats_a_ref_sibling_brings_after_alias_inlining_are_dropped_too() {
    // `{$ref: Name, format: uuid}` is `{allOf: [{$ref: Name}], format: uuid}` until the alias `Name` is
    // inlined: it became a `uuid::Uuid` after the rule for uuid strings had run.
    let out = generated(
        "paths: {/x: {get: {operationId: op, responses: {'200': {description: ok, content: {application/json: \
         {schema: {$ref: '#/components/schemas/Thing'}}}}}}}}\n\
         components: {schemas: {Name: {type: string}, Ratio: {type: number}, Thing: {type: object, properties: \
         {id: {$ref: '#/components/schemas/Name', format: uuid}, r: {$ref: '#/components/schemas/Ratio', format: float}}}}}\n",
    );
    let code = compact(&out.code);
    assert!(!code.contains("uuid"), "{}", out.code);
    assert!(!code.contains("f32"), "{}", out.code);
}

#[test]
fn statuses_without_a_reason_phrase_are_folded_into_ranges() {
    let out = generated(
        "paths:
  /x:
    get:
      operationId: op
      responses:
        '299': {description: odd success, content: {application/json: {schema: {type: object}}}}
        '460': {description: odd error}
",
    );
    let responses = out.normalised.pointer("/paths/~1x/get/responses").unwrap();
    let mut keys: Vec<&String> = responses.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["2XX", "4XX", "5XX"]);
    refused_at(
        "paths: {/x: {get: {operationId: op, responses: {'200': {description: ok}, '306': {description: odd}}}}}\n",
        "/paths/~1x/get/responses/306",
        "without a reason phrase",
    );
    // A key that is no status: before, its body silently became `PartooError`.
    for key in ["abc", "2xx0", "600", "6XX"] {
        refused_at(
            &format!(
                "paths: {{/x: {{get: {{operationId: op, responses: {{'200': {{description: ok}}, '{key}': \
                 {{description: odd}}}}}}}}}}\n"
            ),
            &format!("/paths/~1x/get/responses/{key}"),
            &format!("response key `{key}` is no status code"),
        );
    }
    // Extensions and upper- or lower-case ranges are fine.
    generated(
        "paths: {/x: {get: {operationId: op, responses: {'200': {description: ok}, 4xx: {description: e}, \
         x-note: {a: 1}}}}}\n",
    );
}

#[test]
fn trace_and_options_operations_are_refused_at_the_operation() {
    // progenitor 0.15.1 calls `reqwest::Client::trace`/`options` for them, which do not exist: the spec was
    // generated, and rustc refused the client.
    for method in ["trace", "options"] {
        let rest = format!(
            "paths:\n  /x:\n    get: {{operationId: getX, responses: {{'204': {{description: ok}}}}}}\n    \
             {method}: {{operationId: probeX, responses: {{'204': {{description: ok}}}}}}\n"
        );
        let err = generate_bytes("p.yaml", spec(&rest).as_bytes(), &Options::default())
            .map(drop)
            .expect_err(&rest);
        assert_eq!(
            err.location,
            Location::Operation {
                method: method.to_uppercase(),
                path: "/x".into(),
                operation_id: Some("probeX".into()),
            },
            "{err}"
        );
        assert!(
            err.message
                .contains(&format!("{} operations", method.to_uppercase())),
            "{err}"
        );
    }
}

#[test]
fn a_request_body_without_media_types_is_dropped_and_the_cli_generates() {
    // `content: {}`: progenitor generates no body for it, but the operation records said "has a body", so
    // the command-line stage refused the spec ("request body but no body setter").
    for body in ["{content: {}}", "{description: nothing}"] {
        let rest = format!(
            "paths:\n  /x:\n    post:\n      operationId: postX\n      requestBody: {body}\n      \
             responses: {{'204': {{description: ok}}}}\n"
        );
        let out = generated(&rest);
        let change = out
            .report
            .changes
            .iter()
            .find(|c| c.rule == "request_bodies")
            .unwrap_or_else(|| panic!("no request_bodies change for {body}"));
        assert_eq!(change.pointer, "/paths/~1x/post/requestBody");
        assert_eq!(
            change.detail,
            "no media type: dropped (progenitor generates no body for it)"
        );
        partoo_api_build::cli::cli("p.yaml", &out, &Options::default())
            .unwrap_or_else(|e| panic!("{body}: {e}"));
    }
}

#[test]
fn a_query_parameter_named_like_a_declared_placeholder_is_reported_as_a_query_parameter() {
    // `path_parameters` turned the query `id` into a second path `id`, so the refusal named "`id` (path) and
    // `id` (path)", a spec the reader could not find.
    let rest = with_params(
        "/x/{id}",
        &[
            "{name: id, in: path, required: true, schema: {type: string}}",
            "{name: id, in: query, schema: {type: string}}",
        ],
    );
    let err = generate_bytes("p.yaml", spec(&rest).as_bytes(), &Options::default())
        .map(drop)
        .expect_err(&rest);
    assert!(
        err.message
            .starts_with("parameters `id` (path) and `id` (query) both become `id`"),
        "{err}"
    );
}

#[test]
fn cookie_content_and_struct_query_parameters_are_refused_in_one_line() {
    // Both were refused by progenitor with a dump of its parsed parameter, 40 lines and more.
    for (param, wanted) in [
        (
            "{name: session, in: cookie, schema: {type: string}}",
            "cookie parameter `session`: progenitor 0.15.1 does not support cookie parameters",
        ),
        (
            "{name: filter, in: query, content: {application/json: {schema: {type: object}}}}",
            "query parameter `filter` gives its value as `content` (a media type)",
        ),
        // progenitor panicked on both ("entered unreachable code"; "left: filter, right: body").
        (
            "{name: filter, in: query, schema: {type: object, properties: {a: {type: string}}}}",
            "query parameter `filter`: its value is an object with properties",
        ),
        (
            "{name: filter, in: query, required: true, schema: {type: object, properties: {a: {type: string}}}}",
            "query parameter `filter`: its value is an object with properties",
        ),
    ] {
        let rest = with_params("/x", &[param]);
        let err = generate_bytes("p.yaml", spec(&rest).as_bytes(), &Options::default())
            .map(drop)
            .expect_err(&rest);
        assert_eq!(
            err.location,
            Location::Pointer("/paths/~1x/get/parameters/0".into()),
            "{err}"
        );
        assert!(err.message.starts_with(wanted), "{err}");
        assert!(!err.message.contains('\n'), "{err}");
    }
}
