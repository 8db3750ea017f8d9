//! A path parameter fills exactly one segment of its operation's path: a value that would change the path
//! (`""`, `.`, `..`) is refused before anything is sent, and any other value is sent percent-encoded.

use partoo_api::{Client, Error, RetryPolicy, SendExt};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(base: &str) -> Client {
    Client::builder()
        .api_key("pk_test_paths_51")
        .base_url(base)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client builds")
}

fn assert_refused(result: Result<impl std::fmt::Debug, Error>, value: &str) {
    match result {
        Err(Error::InvalidRequest(message)) => assert!(
            message.contains("path parameter")
                && message.contains("{business_id}")
                && (!value.contains('\\') || message.contains("holds a `\\`")),
            "{value:?}: {message}"
        ),
        other => panic!("{value:?}: expected Error::InvalidRequest, got {other:?}"),
    }
}

#[tokio::test]
async fn a_value_that_would_change_the_path_is_refused_before_sending() {
    let server = MockServer::builder().start().await;
    // Under a base path too: `/v2/business/..` would become `/v2`, `/v2/business/../attributes` `/v2/attributes`.
    for base in [server.uri(), format!("{}/v2", server.uri())] {
        let client = client(&base);
        // `a\\b`: progenitor does not encode `\\`, and the URL parser reads it as `/`.
        for value in ["", ".", "..", "a\\b"] {
            assert_refused(
                client
                    .get_business()
                    .business_id(value)
                    .send()
                    .into_result()
                    .await,
                value,
            );
            assert_refused(
                client
                    .get_business_attributes()
                    .business_id(value)
                    .country("FR")
                    .send()
                    .into_result()
                    .await,
                value,
            );
        }
    }
    let sent = server.received_requests().await.expect("recording");
    assert!(
        sent.is_empty(),
        "sent: {:?}",
        sent.iter().map(|r| r.url.path()).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn other_values_stay_in_their_segment() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/v2/business/a%2F..%2Fb"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(r#"{"id": "a/../b"}"#, "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/business/..."))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(r#"{"id": "..."}"#, "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&format!("{}/v2/", server.uri()));
    for value in ["a/../b", "..."] {
        let business = client
            .get_business()
            .business_id(value)
            .send()
            .into_result()
            .await
            .unwrap_or_else(|e| panic!("{value:?}: {e}"));
        assert_eq!(business.id.as_deref(), Some(value));
    }
}
