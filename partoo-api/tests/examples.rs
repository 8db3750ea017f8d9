//! Every `example` of a success response in the committed spec decodes into that operation's generated
//! success type (issue #10 point 4). An example that does not decode is a fact conflict between the spec's
//! schema and its own example: fix the schema by the facts (see `openapi/README.md`).

use partoo_api::operations;
use serde_json::Value;

/// `(operation, example)` for each success-response example of the committed spec.
fn success_examples(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, method, op) in partoo_api_build::walk::operations(doc) {
        let responses = op.get("responses").and_then(Value::as_object);
        for (code, response) in responses.into_iter().flatten() {
            if !code.starts_with('2') {
                continue;
            }
            let response = partoo_api_build::walk::deref(doc, response);
            let Some(media) = response.pointer("/content/application~1json") else {
                continue;
            };
            let method = method.to_ascii_uppercase();
            if let Some(example) = media.get("example") {
                out.push((method.clone(), path.to_owned(), example.clone()));
            }
            for named in media
                .get("examples")
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|m| m.values())
            {
                if let Some(example) = named.get("value") {
                    out.push((method.clone(), path.to_owned(), example.clone()));
                }
            }
        }
    }
    out
}

#[test]
fn every_success_example_of_the_snapshot_decodes_into_its_success_type() {
    let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/partoo.yaml");
    let doc = partoo_api_build::load::load_path(&spec).expect("the committed spec loads");
    let examples = success_examples(&doc);
    assert!(
        examples.len() >= 50,
        "only {} success examples found: the walk is broken",
        examples.len()
    );
    let mut failures = Vec::new();
    let mut checked = 0;
    for (method, path, example) in &examples {
        let meta = operations::ALL
            .iter()
            .find(|m| m.method == method && m.path == path)
            .unwrap_or_else(|| panic!("{method} {path}: no operation metadata"));
        let Some(decode) = meta.decode_success else {
            failures.push(format!(
                "{method} {path}: has an example but no typed success body"
            ));
            continue;
        };
        let body = serde_json::to_vec(example).expect("an example serializes");
        checked += 1;
        if let Err(e) = decode(&body) {
            failures.push(format!("{method} {path} (`{}`): {e}", meta.id));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} success examples do not decode:\n{}",
        failures.len(),
        examples.len(),
        failures.join("\n")
    );
    assert_eq!(checked, examples.len());
}

#[test]
fn a_success_decoder_rejects_a_body_of_the_wrong_shape() {
    let meta = operations::find("get_my_user").expect("get_my_user");
    let decode = meta.decode_success.expect("typed body");
    assert!(decode(br#"{"email": "a@b.c"}"#).is_ok());
    assert!(decode(br#"{"email": 42}"#).is_err());
    assert!(decode(b"[1, 2]").is_err());
}

#[test]
fn every_operation_is_found_by_its_id_and_nothing_else_is() {
    for meta in operations::ALL {
        let found = operations::find(meta.id).unwrap_or_else(|| panic!("{} not found", meta.id));
        assert!(std::ptr::eq(found, meta), "{}", meta.id);
    }
    for id in ["", "get_my_use", "get_my_user_", "zzz", "Get_my_user"] {
        assert!(operations::find(id).is_none(), "{id}");
    }
}
