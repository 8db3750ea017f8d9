//! What the fixes of the spec's fidelity to Partoo's reference give a caller, through the real client against
//! wiremock: the paged answers whose `page` parameter is inferred are walked to the last page, the deprecated
//! groups list keeps its 2021 fields, and the feature values Partoo's examples show are known variants.

use futures_util::TryStreamExt;
use partoo_api::types::{BusinessFeature, WebhookEventType};
use partoo_api::{Client, Paginate, SendExt};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn ok(body: &Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.to_string(), "application/json")
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .api_key("k")
        .base_url(server.uri())
        .build()
        .expect("client builds")
}

/// Serves `pages` (page n at `?page=n`, from 1) on `route`, each page once, with Partoo's page envelope and its
/// items under `key`.
async fn serve_pages(server: &MockServer, route: &str, key: &str, pages: &[Vec<Value>]) {
    let count: usize = pages.iter().map(Vec::len).sum();
    for (i, items) in pages.iter().enumerate() {
        let n = i + 1;
        let mut body = json!({"page": n, "max_page": pages.len(), "count": count});
        body[key] = Value::Array(items.clone());
        Mock::given(method("GET"))
            .and(path(route))
            .and(query_param("page", n.to_string().as_str()))
            .respond_with(ok(&body))
            .expect(1)
            .mount(server)
            .await;
    }
}

#[tokio::test]
async fn feedback_results_are_read_past_the_first_page() {
    let server = MockServer::builder().start().await;
    let result = |id: i64| json!({"id": id, "nps": 9, "state": "treated", "created": "2024-10-25T15:12:11+00:00"});
    serve_pages(
        &server,
        "/feedback/feedback_result",
        "items",
        &[vec![result(1), result(2)], vec![result(3)]],
    )
    .await;
    let results: Vec<_> = client(&server)
        .search_feedback_results()
        .items()
        .try_collect()
        .await
        .expect("every page");
    assert_eq!(
        results.iter().map(|r| r.id).collect::<Vec<_>>(),
        [Some(1), Some(2), Some(3)]
    );
}

#[tokio::test]
async fn feedback_forms_invitations_and_metrics_are_paged_too() {
    let server = MockServer::builder().start().await;
    serve_pages(
        &server,
        "/feedback/feedback_form",
        "items",
        &[vec![json!({"id": "a"})], vec![json!({"id": "b"})]],
    )
    .await;
    serve_pages(
        &server,
        "/review_booster/search-invitation",
        "review_invitations",
        &[vec![json!({"id": "i1"})], vec![json!({"id": "i2"})]],
    )
    .await;
    serve_pages(
        &server,
        "/review_analytics/metrics",
        "data",
        &[
            vec![json!({"dimension": "b1", "metrics": {"average_rating": 4.5}})],
            vec![json!({"dimension": "b2", "metrics": {"average_rating": 3.0}})],
        ],
    )
    .await;
    let client = client(&server);
    let forms: Vec<_> = client
        .search_feedback_forms()
        .items()
        .try_collect()
        .await
        .expect("forms");
    assert_eq!(forms.len(), 2);
    let invitations: Vec<_> = client
        .search_review_invitations()
        .business_id("5409c35a97bbc544d8e26737")
        .target_phone("0701020304")
        .items()
        .try_collect()
        .await
        .expect("invitations");
    assert_eq!(invitations.len(), 2);
    let rows: Vec<_> = client
        .get_review_metrics()
        .metrics("average_rating")
        .per_page(1)
        .items()
        .try_collect()
        .await
        .expect("metrics");
    assert_eq!(
        rows.iter()
            .map(|r| r.dimension.as_deref())
            .collect::<Vec<_>>(),
        [Some("b1"), Some("b2")]
    );
}

#[tokio::test]
#[allow(deprecated)]
async fn deprecated_groups_keep_their_2021_fields() {
    let server = MockServer::builder().start().await;
    let group = json!({
        "id": 23, "org_id": 42, "parent_id": null, "name": "ComfyZone Paris", "provider": "partoo",
        "created": "2019-08-01T19:15:54.256000+02:00", "updated": "2019-09-01T15:12:35.256000+02:00",
        "subgroups": [{"id": 46, "name": "Nord"}]
    });
    Mock::given(method("GET"))
        .and(path("/groups"))
        .respond_with(ok(
            &json!({"page": 1, "max_page": 1, "count": 1, "groups": [group]}),
        ))
        .mount(&server)
        .await;
    let answer = client(&server)
        .get_groups()
        .send()
        .into_result()
        .await
        .expect("groups");
    let group = &answer.groups.as_deref().expect("groups")[0];
    assert_eq!(group.org_id, Some(42));
    assert_eq!(group.parent_id, None);
    assert_eq!(group.provider.as_deref(), Some("partoo"));
    assert!(group.created.as_ref().and_then(|t| t.to_utc()).is_some());
    assert_eq!(group.subgroups.as_deref().map(<[_]>::len), Some(1));
}

#[test]
fn values_seen_in_partoo_examples_are_known_variants() {
    let features: Vec<BusinessFeature> =
        serde_json::from_value(json!(["business_edition", "review_ai_suggestion"])).unwrap();
    assert_eq!(
        features,
        [
            BusinessFeature::BusinessEdition,
            BusinessFeature::ReviewAiSuggestion
        ]
    );
    let event: WebhookEventType = serde_json::from_value(json!("review_updated")).unwrap();
    assert_eq!(event, WebhookEventType::ReviewUpdated);
}
