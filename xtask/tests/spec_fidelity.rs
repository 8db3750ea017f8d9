//! Facts about Partoo's API that the committed `openapi/partoo.yaml` must keep, each one a defect a generator,
//! validator or mock built from the document would otherwise hit (the examples themselves are checked by
//! `cargo xtask spec-check`, which needs `../shared`; these need nothing but the document).

use serde_json::Value;

fn spec() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/partoo.yaml");
    let text = std::fs::read_to_string(path).expect("committed spec");
    serde_norway::from_str(&text).expect("valid YAML")
}

/// Follows local `$ref`s.
fn deref<'a>(doc: &'a Value, mut node: &'a Value) -> &'a Value {
    for _ in 0..20 {
        let Some(r) = node.get("$ref").and_then(Value::as_str) else {
            return node;
        };
        node = doc
            .pointer(r.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("dangling {r}"));
    }
    panic!("reference chain too long");
}

fn operation<'a>(doc: &'a Value, method: &str, path: &str) -> &'a Value {
    doc["paths"]
        .get(path)
        .and_then(|item| item.get(method))
        .unwrap_or_else(|| panic!("{method} {path} missing"))
}

/// The operation's parameter named `name`, resolved.
fn parameter<'a>(doc: &'a Value, method: &str, path: &str, name: &str) -> Option<&'a Value> {
    operation(doc, method, path)["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| deref(doc, p))
        .find(|p| p["name"] == name)
}

fn names(doc: &Value, method: &str, path: &str) -> Vec<String> {
    operation(doc, method, path)["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            deref(doc, p)["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

#[test]
fn page_parameters_keep_the_defaults_partoo_documents() {
    let doc = spec();
    for (path, page, per_page) in [
        ("/reviews/templates/search", 0, None),
        ("/custom_role", 1, Some(30)),
        ("/sections", 1, None),
        ("/user/search/count", 0, None),
        ("/category/search", 0, None),
    ] {
        let p = parameter(&doc, "get", path, "page").unwrap_or_else(|| panic!("{path}: no page"));
        assert_eq!(p["schema"]["default"], page, "GET {path}: page default");
        if let Some(per_page) = per_page {
            let p = parameter(&doc, "get", path, "per_page").expect("per_page");
            assert_eq!(
                p["schema"]["default"], per_page,
                "GET {path}: per_page default"
            );
        }
    }
}

#[test]
fn paged_answers_have_an_inferred_page_parameter() {
    let doc = spec();
    for (path, params) in [
        ("/feedback/feedback_result", &["page"][..]),
        ("/feedback/feedback_form", &["page"]),
        ("/review_analytics/metrics", &["page", "per_page"]),
        ("/review_booster/search-invitation", &["page"]),
    ] {
        let op = operation(&doc, "get", path);
        let answer = deref(
            &doc,
            &op["responses"]["200"]["content"]["application/json"]["schema"],
        );
        for field in ["page", "max_page", "count"] {
            assert!(answer["properties"].get(field).is_some(), "{path}: {field}");
        }
        for name in params {
            let p = parameter(&doc, "get", path, name)
                .unwrap_or_else(|| panic!("GET {path}: no {name}"));
            assert_eq!(p["x-confidence"], "inferred", "GET {path}: {name}");
            assert!(
                p["description"].as_str().is_some_and(|d| d.len() > 20),
                "GET {path}: {name} says why it is inferred"
            );
        }
    }
    for path in ["/feedback/feedback_result", "/review_analytics/metrics"] {
        let description = operation(&doc, "get", path)["description"]
            .as_str()
            .unwrap_or_default();
        assert!(
            description.contains("without") && description.contains("name"),
            "GET {path} says that some filters are shown without their names: {description:?}"
        );
    }
}

#[test]
fn stale_2021_parameter_names_are_gone() {
    let doc = spec();
    let attributes = names(&doc, "get", "/business/{business_id}/attributes");
    assert!(
        attributes.contains(&"category_name".to_owned()),
        "{attributes:?}"
    );
    assert!(attributes.contains(&"country".to_owned()), "{attributes:?}");
    assert!(
        !attributes.iter().any(|n| n.starts_with("attributes_")),
        "{attributes:?}"
    );
    let categories = names(&doc, "get", "/categories");
    assert!(
        categories.contains(&"order_by".to_owned()),
        "{categories:?}"
    );
    assert!(
        !categories.contains(&"sort_by".to_owned()),
        "{categories:?}"
    );
}

#[test]
fn deprecated_groups_list_the_2021_shape() {
    let doc = spec();
    let op = operation(&doc, "get", "/groups");
    let answer = &op["responses"]["200"]["content"]["application/json"]["schema"]["allOf"];
    let groups = answer
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|part| part["properties"].get("groups"))
        .expect("a groups array");
    let group = deref(&doc, &groups["items"]);
    for field in [
        "id",
        "org_id",
        "parent_id",
        "created",
        "updated",
        "name",
        "provider",
        "subgroups",
    ] {
        assert!(
            group["properties"].get(field).is_some(),
            "deprecated GET /groups item lacks {field}"
        );
    }
    // The sections' group keeps its own, current shape.
    let current = &doc["components"]["schemas"]["Group"]["properties"];
    assert!(current.get("has_puller").is_some() && current.get("org_id").is_none());
}

#[test]
fn error_bodies_declare_both_spellings() {
    let doc = spec();
    for code in ["400", "401", "403", "404"] {
        let body = deref(
            &doc,
            &doc["components"]["responses"][code]["content"]["application/json"]["schema"],
        );
        for key in ["errors", "error"] {
            assert!(body["properties"].get(key).is_some(), "{code}: {key}");
        }
    }
}

#[test]
fn webhook_signing_rules_are_stated() {
    let doc = spec();
    let tag = doc["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["name"] == "Webhooks")
        .expect("Webhooks tag");
    let text = tag["description"].as_str().unwrap_or_default();
    for needle in ["Ed25519", "X-Partoo-Signature-v1", "base64", "X-Partoo`"] {
        assert!(text.contains(needle), "Webhooks tag lacks {needle}: {text}");
    }
    let header = &doc["components"]["parameters"]["PartooSignatureHeader"];
    assert_eq!(header["name"], "X-Partoo-Signature-v1");
    assert!(
        header["description"]
            .as_str()
            .is_some_and(|d| d.contains("Ed25519"))
    );
    let names = &doc["components"]["schemas"]["WebhookCustomHeaders"]["propertyNames"];
    assert_eq!(names["not"]["pattern"], "^[Xx]-[Pp][Aa][Rr][Tt][Oo][Oo]");
}
