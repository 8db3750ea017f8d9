//! Tests of the change report, on pipeline results whose methods, rules and documents are replaced.

use partoo_api_build::{Change, Report};
use serde_json::{Value, json};

use super::*;

fn method(method: &str, path: &str, rust_name: &str, parameters: &[&str]) -> MethodInfo {
    MethodInfo {
        method: method.to_owned(),
        path: path.to_owned(),
        operation_id: rust_name.to_owned(),
        rust_name: rust_name.to_owned(),
        parameters: parameters.iter().map(|p| (*p).to_owned()).collect(),
        has_body: false,
        success_type: "types::Org".to_owned(),
        deprecated: false,
    }
}

/// A pipeline result (from a one-operation spec) with its methods, defect rules and document replaced.
fn generated(methods: Vec<MethodInfo>, defects: &[&'static str], normalised: Value) -> Generated {
    let spec = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      \
                operationId: getX\n      responses:\n        '200': {description: ok}\n";
    let options = partoo_api_build::Options::default();
    let mut g = partoo_api_build::generate_bytes("t", spec.as_bytes(), &options).unwrap();
    g.report = Report {
        changes: defects
            .iter()
            .map(|rule| Change {
                rule,
                kind: RuleKind::Defect,
                pointer: "/x".to_owned(),
                detail: String::new(),
            })
            .collect(),
        notes: Vec::new(),
    };
    g.method_count = methods.len();
    g.methods = methods;
    g.normalised = normalised;
    g
}

/// `GET /org/{id}` answering `Org` with `fields`, through a `$ref` and an `allOf`.
fn doc(fields: &[&str]) -> Value {
    let props: serde_json::Map<String, Value> = fields
        .iter()
        .map(|f| ((*f).to_owned(), json!({"type": "string"})))
        .collect();
    json!({
        "paths": {"/org/{id}": {"get": {"responses": {
            "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Org"}}}},
            "400": {"content": {"application/json": {"schema": {"properties": {"error": {}}}}}}
        }}}},
        "components": {"schemas": {
            "Org": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"properties": props}]},
            "Base": {"properties": {"id": {"type": "string"}}}
        }}
    })
}

#[test]
fn identical_runs_differ_in_nothing() {
    let g = generated(
        vec![method(
            "GET",
            "/org/{id}",
            "get_org",
            &["id: path, required"],
        )],
        &["a"],
        doc(&["name"]),
    );
    let d = diff(Some(&g), &g);
    assert!(d.is_empty() && d.semver == Semver::None, "{d:?}");
    assert!(d.render("t", false).contains("no change"));
}

#[test]
fn additions_are_additive() {
    let old = generated(
        vec![method(
            "GET",
            "/org/{id}",
            "get_org",
            &["id: path, required"],
        )],
        &[],
        doc(&["name"]),
    );
    let new = generated(
        vec![
            method(
                "GET",
                "/org/{id}",
                "get_org",
                &["id: path, required", "lang: query"],
            ),
            method("POST", "/org", "create_org", &[]),
        ],
        &[],
        doc(&["name", "city"]),
    );
    let d = diff(Some(&old), &new);
    assert_eq!(d.semver, Semver::Additive, "{d:?}");
    assert_eq!(d.added, ["POST /org → `create_org`"]);
    assert_eq!(
        d.changed,
        [(
            "GET /org/{id} (`get_org`)".to_owned(),
            vec![
                "parameter added: lang (query)".to_owned(),
                "response fields added: `city`".to_owned()
            ]
        )]
    );
}

#[test]
fn removals_renames_and_retypes_are_breaking() {
    let old = generated(
        vec![
            method(
                "GET",
                "/org/{id}",
                "get_org",
                &["id: path, required", "lang: query"],
            ),
            method("DELETE", "/org/{id}", "delete_org", &[]),
        ],
        &["bogus_patterns"],
        doc(&["name", "city"]),
    );
    let mut get = method(
        "GET",
        "/org/{id}",
        "get_organization",
        &["id: path, required", "lang: query, required"],
    );
    get.success_type = "types::Organization".to_owned();
    let new = generated(vec![get], &["path_parameters"], doc(&["name"]));
    let d = diff(Some(&old), &new);
    assert_eq!(d.semver, Semver::Breaking);
    assert_eq!(d.removed, ["DELETE /org/{id} (was `delete_org`)"]);
    assert_eq!(d.renamed, ["GET /org/{id}: `get_org` → `get_organization`"]);
    let details = &d.changed[0].1;
    assert!(
        details.contains(&"parameter lang (query): now required".to_owned()),
        "{details:?}"
    );
    assert!(
        details.contains(&"response fields removed: `city`".to_owned()),
        "{details:?}"
    );
    assert!(
        details.iter().any(|l| l.starts_with("success type:")),
        "{details:?}"
    );
    assert_eq!(d.defects_now, ["path_parameters (1 site)"]);
    assert_eq!(d.defects_gone, ["bogus_patterns (was 1 site)"]);
    let md = d.render("Change report", true);
    assert!(
        md.starts_with("# Change report\n\n**semver hint: breaking** (")
            && md.contains("\n## methods renamed (1)\n"),
        "{md}"
    );
}

#[test]
fn without_an_old_run_everything_is_added() {
    let new = generated(
        vec![method("GET", "/org/{id}", "get_org", &[])],
        &[],
        doc(&[]),
    );
    let d = diff(None, &new);
    assert_eq!((d.added.len(), d.semver), (1, Semver::Additive));
}

#[test]
fn fields_follow_refs_all_of_and_array_items() {
    let m = method("GET", "/org/{id}", "get_org", &[]);
    let fields: Vec<String> = response_fields(&doc(&["name"]), &m).into_iter().collect();
    assert_eq!(fields, ["id", "name"]);
    let list = json!({"paths": {"/org/{id}": {"get": {"responses": {"201": {"content": {"application/json": {
        "schema": {"type": "array", "items": {"properties": {"a": {}}}}}}}}}}}});
    assert_eq!(
        response_fields(&list, &m).into_iter().collect::<Vec<_>>(),
        ["[].a"]
    );
}

/// `GET /org/{id}` and `GET /b` with the tags given.
fn tagged(org: &[&str], b: &[&str]) -> Value {
    json!({"paths": {
        "/org/{id}": {"get": {"tags": org, "responses": {}}},
        "/b": {"get": {"tags": b, "responses": {}}}
    }})
}

#[test]
fn a_removed_tag_and_operations_moving_between_tags_are_breaking() {
    let methods = || {
        vec![
            method("GET", "/org/{id}", "get_org", &[]),
            method("GET", "/b", "get_b", &[]),
        ]
    };
    let old = generated(methods(), &[], tagged(&["Orgs"], &["Legacy"]));
    let new = generated(methods(), &[], tagged(&["Organisations"], &["Orgs"]));
    let d = diff(Some(&old), &new);
    assert_eq!(d.semver, Semver::Breaking, "{d:?}");
    assert_eq!(d.tags_removed, ["Legacy (feature `legacy`)"]);
    assert_eq!(d.tags_added, ["Organisations (feature `organisations`)"]);
    let text = d.render("t", false);
    assert!(text.contains("tag features removed"), "{text}");
    assert!(
        text.contains("tags: Orgs → Organisations") && text.contains("tags: Legacy → Orgs"),
        "{text}"
    );
    let md = d.render("t", true);
    assert!(
        md.contains("## tags removed (1)") && md.contains("- Legacy (feature `legacy`)"),
        "{md}"
    );
    // Only a tag added to an operation: additive.
    let wider = generated(methods(), &[], tagged(&["Orgs", "Extra"], &["Legacy"]));
    let d = diff(Some(&old), &wider);
    assert_eq!(d.semver, Semver::Additive, "{d:?}");
}

#[test]
fn tag_feature_lines_are_in_the_markdown_too() {
    let g = generated(vec![], &[], tagged(&[], &[]));
    let mut d = diff(Some(&g), &g);
    d.tag_features
        .push("new tags without a feature: Ping (feature `ping`)".to_owned());
    assert!(
        d.render("t", true)
            .contains("- new tags without a feature: Ping")
    );
    assert!(
        d.render("t", false)
            .contains("new tags without a feature: Ping")
    );
}
