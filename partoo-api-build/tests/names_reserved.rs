//! Names progenitor would give that Rust or the generated client cannot take: operationIds that are keywords,
//! start with a digit or name one of `Client`'s own methods, and parameters named like a builder's methods.

use partoo_api_build::{Options, generate_bytes};

/// A spec with one `GET /org` operation called `operation_id`, with the query parameters `parameters`.
fn spec(operation_id: &str, parameters: &[&str]) -> String {
    spec_with(operation_id, parameters, "get", "")
}

/// The same with another method, and `more` (e.g. a request body) after the parameters.
fn spec_with(operation_id: &str, parameters: &[&str], method: &str, more: &str) -> String {
    let parameters: Vec<String> = parameters
        .iter()
        .map(|p| format!("        - {{name: '{p}', in: query, schema: {{type: string}}}}\n"))
        .collect();
    format!(
        "openapi: 3.0.3
info: {{title: t, version: v2}}
paths:
  /org:
    {method}:
      operationId: '{operation_id}'
      parameters:
{}{more}      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {{type: object}}
",
        if parameters.is_empty() {
            "        []\n".to_owned()
        } else {
            parameters.concat()
        }
    )
}

fn compact(code: &str) -> String {
    code.split_whitespace().collect()
}

#[test]
fn operation_ids_progenitor_escapes_generate_under_its_names() {
    for (id, method) in [
        ("type", "type_"),
        ("self", "self_"),
        ("123abc", "_123abc"),
        ("getOrg", "get_org"),
    ] {
        let out = generate_bytes("names.yaml", spec(id, &[]).as_bytes(), &Options::default())
            .unwrap_or_else(|e| panic!("{id}: does not generate: {e}"));
        assert!(
            compact(&out.code).contains(&format!("pubfn{method}(&self)")),
            "{id}: no method `{method}`"
        );
        assert_eq!(out.operations[0].rust_name, method, "{id}");
    }
}

#[test]
fn operation_ids_naming_a_client_method_are_renamed_and_reported() {
    for id in [
        "client",
        "inner",
        "apiVersion",
        "baseurl",
        "pre",
        "exec",
        "post",
        "new",
        "builder",
        "fromEnv",
        "production",
        "sandbox",
    ] {
        let out = generate_bytes("names.yaml", spec(id, &[]).as_bytes(), &Options::default())
            .unwrap_or_else(|e| panic!("{id}: does not generate: {e}"));
        let method = &out.operations[0].rust_name;
        assert_ne!(
            method.trim_end_matches('_'),
            heck::ToSnakeCase::to_snake_case(id),
            "{id}: kept as a method of its own name"
        );
        assert!(
            out.report
                .changes
                .iter()
                .any(|c| c.pointer.ends_with("/operationId") && c.detail.contains(id)),
            "{id}: no report line: {:?}",
            out.report.changes
        );
    }
}

#[test]
fn parameters_named_like_a_builder_method_are_refused_naming_the_operation() {
    let body = "      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, properties: {name: {type: string}}}
";
    let cases = [
        ("send", "get", ""),
        ("new", "get", ""),
        ("into_inner", "get", ""),
        ("body", "post", body),
        ("body_map", "post", body),
    ];
    for (name, method, more) in cases {
        let spec = spec_with("makeOrg", &[name], method, more);
        let err = generate_bytes("names.yaml", spec.as_bytes(), &Options::default())
            .map(|_| ())
            .expect_err(name);
        let message = err.to_string();
        let place = format!("{} /org", method.to_ascii_uppercase());
        assert!(
            message.contains(&place) && message.contains(&format!("`{name}`")),
            "{name}: {message}"
        );
    }
    // Without a request body, the builder has no `body` method: a query parameter may take the name.
    let spec = spec("getOrg", &["body"]);
    generate_bytes("names.yaml", spec.as_bytes(), &Options::default())
        .unwrap_or_else(|e| panic!("a `body` query parameter of a GET: {e}"));
}

#[test]
fn a_parameter_named_like_a_variable_of_send_is_refused() {
    // progenitor's `send()` declares `header_map` before it reads the parameters, so a parameter of that Rust
    // name (`headerMap` too) is hidden by it; `url`, `request` or `client` it renames itself.
    for name in ["header_map", "headerMap"] {
        let err = generate_bytes(
            "names.yaml",
            spec("getOrg", &[name]).as_bytes(),
            &Options::default(),
        )
        .map(|_| ())
        .expect_err(name);
        let message = err.to_string();
        assert!(
            message.contains("GET /org")
                && message.contains(&format!("`{name}`"))
                && message.contains("variable `header_map`"),
            "{name}: {message}"
        );
    }
    let spec = spec(
        "getOrg",
        &["url", "request", "client", "response", "result"],
    );
    generate_bytes("names.yaml", spec.as_bytes(), &Options::default())
        .unwrap_or_else(|e| panic!("parameters progenitor renames around: {e}"));
}

#[test]
fn operation_ids_whose_builders_would_be_equal_are_renamed() {
    // `x1` and `x_1` are two methods but one builder, `X1`, in UpperCamelCase.
    let spec = "openapi: 3.0.3
info: {title: t, version: v2}
paths:
  /a:
    get:
      operationId: x1
      responses: {'204': {description: ok}}
  /b:
    get:
      operationId: x_1
      responses: {'204': {description: ok}}
";
    let out = generate_bytes("names.yaml", spec.as_bytes(), &Options::default())
        .unwrap_or_else(|e| panic!("does not generate: {e}"));
    let builders: Vec<&str> = out.operations.iter().map(|o| o.builder.as_str()).collect();
    assert_ne!(builders[0], builders[1], "{builders:?}");
    let code = compact(&out.code);
    for builder in builders {
        let defined = code.matches(&format!("pubstruct{builder}<'a>")).count();
        assert_eq!(defined, 1, "builder {builder} defined {defined} times");
    }
}
