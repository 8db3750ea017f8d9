//! OpenAPI: an operation's parameter replaces the path item's parameter of the same `name` and `in`. The walk
//! applies the override, so such a spec generates and the operation's version wins.

use partoo_api_build::{Options, generate_bytes};
use serde_json::{Value, json};

const SPEC: &str = r"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /org/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: integer}}
      - {name: verbose, in: query, schema: {type: boolean}}
    get:
      operationId: getOrg
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: verbose, in: query, required: true, schema: {type: boolean}}
        - {name: lang, in: query, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {name: {type: string}}}
    delete:
      operationId: deleteOrg
      responses:
        '204': {description: gone}
";

fn doc() -> Value {
    serde_norway::from_str(SPEC).expect("fixture is valid YAML")
}

/// `(name, in, required, schema type)` of each parameter the walk gives `method /org/{id}`.
fn params(doc: &Value, method: &str) -> Vec<(String, String, bool, String)> {
    let op = doc
        .pointer(&format!("/paths/~1org~1{{id}}/{method}"))
        .and_then(Value::as_object)
        .expect("operation");
    partoo_api_build::walk::parameters(doc, "/org/{id}", op)
        .into_iter()
        .map(|p| {
            let s = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
            let ty = p
                .pointer("/schema/type")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            (
                s("name"),
                s("in"),
                p.get("required") == Some(&json!(true)),
                ty,
            )
        })
        .collect()
}

fn p(name: &str, place: &str, required: bool, ty: &str) -> (String, String, bool, String) {
    (name.into(), place.into(), required, ty.into())
}

#[test]
fn an_operation_parameter_replaces_the_path_items_one() {
    let doc = doc();
    assert_eq!(
        params(&doc, "get"),
        [
            p("id", "path", true, "string"),
            p("verbose", "query", true, "boolean"),
            p("lang", "query", false, "string"),
        ]
    );
    assert_eq!(
        params(&doc, "delete"),
        [
            p("id", "path", true, "integer"),
            p("verbose", "query", false, "boolean"),
        ]
    );
}

#[test]
fn same_name_in_another_place_is_not_an_override() {
    let mut doc = doc();
    doc.pointer_mut("/paths/~1org~1{id}/get/parameters/2")
        .map(|v| *v = json!({"name": "verbose", "in": "header", "schema": {"type": "string"}}))
        .expect("fixture has a third parameter");
    let names: Vec<_> = params(&doc, "get")
        .into_iter()
        .map(|(n, i, ..)| format!("{n} {i}"))
        .collect();
    assert_eq!(names, ["id path", "verbose query", "verbose header"]);
}

#[test]
fn overridden_parameters_generate_with_the_operations_version() {
    let out = generate_bytes("override.yaml", SPEC.as_bytes(), &Options::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let get = out
        .operations
        .iter()
        .find(|o| o.operation_id == "getOrg")
        .expect("getOrg");
    let got: Vec<_> = get
        .parameters
        .iter()
        .map(|p| {
            format!(
                "{} {} {} {}",
                p.name,
                p.location,
                p.required,
                p.setter_type.as_deref().unwrap_or("?")
            )
        })
        .collect();
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(got.iter().any(|p| p.starts_with("id path true")), "{got:?}");
    assert!(
        got.iter().any(|p| p.starts_with("verbose query true")),
        "{got:?}"
    );
    let id = get
        .parameters
        .iter()
        .find(|p| p.name == "id")
        .and_then(|p| p.setter_type.clone())
        .unwrap_or_default();
    assert!(
        id.contains("str") || id.contains("String"),
        "id is the operation's string: {id}"
    );
    let delete = out
        .operations
        .iter()
        .find(|o| o.operation_id == "deleteOrg")
        .expect("deleteOrg");
    assert_eq!(delete.parameters.len(), 2);
}
