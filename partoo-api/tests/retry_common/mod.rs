//! Helpers shared by `retries.rs` and `rate_limited.rs`: a client with tiny backoff delays, sequenced mock
//! responses and request counting.

// Each test file uses a different subset of these helpers.
#![allow(dead_code)]

use std::time::Duration;

use partoo_api::{Client, RetryPolicy, types};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub(crate) const USER: &str = include_str!("../fixtures/user_me.json");

pub(crate) fn fast() -> RetryPolicy {
    RetryPolicy::default().with_delays(Duration::from_millis(1), Duration::from_millis(5))
}

pub(crate) fn client(server: &MockServer, policy: RetryPolicy) -> Client {
    Client::builder()
        .api_key("k")
        .base_url(server.uri())
        .retry_policy(policy)
        .build()
        .expect("client builds")
}

pub(crate) fn user() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(USER, "application/json")
}

/// Answers `first` `times` times, then `then` for good.
pub(crate) async fn mount_sequence(
    server: &MockServer,
    verb: &str,
    route: &str,
    first: ResponseTemplate,
    times: u64,
    then: ResponseTemplate,
) {
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(first)
        .up_to_n_times(times)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(then)
        .with_priority(2)
        .mount(server)
        .await;
}

pub(crate) async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.map_or(0, |r| r.len())
}

pub(crate) fn org_body() -> types::CreateOrganizationBody {
    serde_json::from_value(json!({"name": "Maison Lumière", "alias": "maison_lumiere"}))
        .expect("a valid body")
}

pub(crate) fn org_created() -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(json!({"status": "success", "org_id": 5281, "alias": "maison_lumiere"}))
}
