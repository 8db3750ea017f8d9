//! Tag features (`Options::tags`, stage `select`): only the selected tags' operations are generated, with the
//! components they reach, the error schema and the webhook payloads.

use std::collections::BTreeSet;

use partoo_api_build::select::{spec_tags, tag_feature};
use partoo_api_build::{Generated, Options, generate_bytes};

/// Three tags: `Reviews` (one operation), `Custom Roles` (one), and an operation in both `Reviews` and
/// `Businesses`. `Review` is reached through a discriminator mapping only; `Role` only by the roles operation;
/// `Unused` by nothing; `ReviewEvent` only by a webhook.
const SPEC: &str = r#"
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /reviews:
    get:
      operationId: searchReviews
      tags: [Reviews]
      parameters: [{$ref: '#/components/parameters/Page'}]
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/AnyReview'}}}}
  /custom_role:
    get:
      operationId: listCustomRoles
      tags: [Custom Roles]
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Role'}}}}
  /business/{business_id}/reviews:
    get:
      operationId: businessReviews
      tags: [Businesses, Reviews]
      parameters: [{name: business_id, in: path, required: true, schema: {type: string}}]
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object, properties: {count: {type: integer}}}}}}
webhooks:
  reviewUpdated:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/ReviewEvent'}
      responses: {'200': {description: ack}}
components:
  parameters:
    Page: {name: page, in: query, schema: {type: integer}}
  schemas:
    AnyReview:
      type: object
      properties:
        kind: {type: string}
      discriminator:
        propertyName: kind
        mapping: {google: '#/components/schemas/Review'}
    Review:
      type: object
      properties: {kind: {type: string}, note: {type: integer}}
    Role:
      type: object
      properties: {name: {type: string}}
    Unused:
      type: object
      properties: {x: {type: string}}
    ReviewEvent:
      type: object
      properties:
        type: {type: string, const: review_updated}
        data: {type: object, properties: {id: {type: integer}}}
"#;

fn generate(features: Option<&[&str]>) -> Generated {
    let options = Options {
        tags: features.map(|f| f.iter().map(|s| (*s).to_owned()).collect::<BTreeSet<_>>()),
        ..Default::default()
    };
    generate_bytes("tags.yaml", SPEC.as_bytes(), &options).expect("generates")
}

/// The client's methods, sorted.
fn methods(generated: &Generated) -> Vec<&str> {
    let mut names: Vec<&str> = generated
        .methods
        .iter()
        .map(|m| m.rust_name.as_str())
        .collect();
    names.sort_unstable();
    names
}

fn schemas(generated: &Generated) -> Vec<&str> {
    generated.normalised["components"]["schemas"]
        .as_object()
        .expect("schemas")
        .keys()
        .map(String::as_str)
        .collect()
}

#[test]
fn tags_and_their_features_are_read_from_the_operations() {
    let doc: serde_json::Value = serde_norway::from_str(SPEC).expect("yaml");
    let tags = spec_tags(&doc);
    assert_eq!(
        tags,
        [
            ("Businesses".to_owned(), "businesses".to_owned()),
            ("Custom Roles".to_owned(), "custom-roles".to_owned()),
            ("Reviews".to_owned(), "reviews".to_owned()),
        ]
    );
    assert_eq!(tag_feature("ApiKeys"), "api-keys");
    assert_eq!(tag_feature("Groups and Sections"), "groups-and-sections");
}

#[test]
fn without_a_selection_everything_is_generated() {
    let all = generate(None);
    assert_eq!(
        methods(&all),
        ["business_reviews", "list_custom_roles", "search_reviews"]
    );
    assert!(schemas(&all).contains(&"Unused"));
}

#[test]
fn one_tag_keeps_its_operations_and_what_they_reach() {
    // `rustls` stands for the crate's other features: names that are no tag select nothing.
    let reviews = generate(Some(&["reviews", "rustls"]));
    assert_eq!(methods(&reviews), ["business_reviews", "search_reviews"]);
    assert!(!reviews.code.contains("fn list_custom_roles"));
    let kept = schemas(&reviews);
    for wanted in ["AnyReview", "Review", "ReviewEvent", "PartooError"] {
        assert!(kept.contains(&wanted), "{wanted} missing from {kept:?}");
    }
    for pruned in ["Role", "Unused"] {
        assert!(!kept.contains(&pruned), "{pruned} kept: {kept:?}");
        assert!(
            !reviews.code.contains(&format!("pub struct {pruned} ")),
            "{pruned} generated"
        );
    }
    assert!(
        reviews
            .normalised
            .pointer("/components/parameters/Page")
            .is_some(),
        "a parameter a kept operation uses is kept"
    );
    assert!(
        reviews
            .report
            .notes
            .iter()
            .any(|n| n.starts_with("tag features: kept 2 of 3 operations")),
        "{:?}",
        reviews.report.notes
    );
    assert!(
        reviews.code.contains("ReviewUpdated"),
        "webhook events stay typed"
    );
}

#[test]
fn an_operation_in_two_tags_comes_with_either() {
    let businesses = generate(Some(&["businesses"]));
    assert_eq!(methods(&businesses), ["business_reviews"]);
    let kept = schemas(&businesses);
    assert!(!kept.contains(&"AnyReview") && !kept.contains(&"Role"));
    assert!(kept.contains(&"PartooError") && kept.contains(&"ReviewEvent"));
    assert!(
        businesses
            .normalised
            .pointer("/components/parameters/Page")
            .is_none(),
        "an unused parameter is pruned"
    );
}

#[test]
fn no_tag_selected_leaves_a_client_without_operations() {
    let none = generate(Some(&["rustls"]));
    assert!(methods(&none).is_empty());
    assert_eq!(none.method_count, 0);
    assert!(schemas(&none).contains(&"PartooError"));
}
