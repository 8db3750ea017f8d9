//! Helpers of `walk` the rules lean on for speed: pointers rendered only when asked, and reference targets
//! read as they were before a rule rewrote the document.

use partoo_api_build::walk::{RefTargets, for_each_schema, refs_of};
use serde_json::json;

#[test]
fn every_schema_comes_with_its_escaped_pointer() {
    let mut doc = json!({
        "components": {
            "schemas": {"A~B": {"properties": {"x/y": {"type": "string"}}, "allOf": [{"type": "object"}]}},
            "parameters": {"P": {"schema": {"type": "integer"}}},
            "responses": {"R": {"headers": {"H": {"schema": {}}}, "content": {"application/json": {"schema": {}}}}},
        },
        "paths": {"/org/{id}": {
            "parameters": [{"schema": {}}],
            "get": {
                "parameters": [{}, {"content": {"text/plain": {"schema": {"items": {}}}}}],
                "requestBody": {"content": {"application/json": {"schema": {}}}},
                "responses": {"200": {"content": {"application/json": {"schema": {}}}}},
            },
        }},
    });
    let original = doc.clone();
    let mut seen = Vec::new();
    for_each_schema(&mut doc, &mut |ptr, schema| {
        let pointer = ptr.to_string();
        // The rendered pointer names the very schema the walk is on.
        assert_eq!(original.pointer(&pointer), Some(&*schema), "{pointer}");
        seen.push(pointer);
    });
    let expected = [
        "/components/parameters/P/schema",
        "/components/responses/R/content/application~1json/schema",
        "/components/responses/R/headers/H/schema",
        "/components/schemas/A~0B",
        "/components/schemas/A~0B/allOf/0",
        "/components/schemas/A~0B/properties/x~1y",
        "/paths/~1org~1{id}/get/parameters/1/content/text~1plain/schema",
        "/paths/~1org~1{id}/get/parameters/1/content/text~1plain/schema/items",
        "/paths/~1org~1{id}/get/requestBody/content/application~1json/schema",
        "/paths/~1org~1{id}/get/responses/200/content/application~1json/schema",
        "/paths/~1org~1{id}/parameters/0/schema",
    ];
    assert_eq!(seen, expected);
    assert_eq!(
        doc, original,
        "a visitor that changes nothing leaves the document alone"
    );
}

#[test]
fn reference_targets_are_read_as_they_were_when_taken() {
    let mut doc = json!({
        "components": {"responses": {"Ok": {"description": "before"}}},
        "paths": {"/a": {"get": {"responses": {
            "200": {"$ref": "#/components/responses/Ok"},
            "404": {"$ref": "#/components/responses/Missing"},
            "500": {"description": "inline"},
        }}}},
    });
    let responses = doc["paths"]["/a"]["get"]["responses"].clone();
    let values: Vec<&serde_json::Value> = responses
        .as_object()
        .into_iter()
        .flat_map(|m| m.values())
        .collect();
    let targets = RefTargets::take(&doc, refs_of(values.iter().copied()));
    doc["components"]["responses"]["Ok"]["description"] = json!("after");
    assert_eq!(
        targets.follow(&responses["200"]),
        &json!({"description": "before"})
    );
    // A reference to nothing, and a value without one, are the value itself (as `walk::follow` gives them).
    assert_eq!(targets.follow(&responses["404"]), &responses["404"]);
    assert_eq!(targets.follow(&responses["500"]), &responses["500"]);
}
