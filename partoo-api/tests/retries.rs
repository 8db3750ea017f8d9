//! Retries of 5xx by method, the opt-in for POST, no retries, transport failures and timeouts (429 and
//! `Retry-After`: `rate_limited.rs`).

mod retry_common;

use std::net::TcpListener;
use std::time::Duration;

use partoo_api::{Client, Error, RetryPolicy, SendExt, types};
use retry_common::*;
use serde_json::json;
use wiremock::{MockServer, ResponseTemplate};

// ---- 5xx ----

fn status(code: u16) -> ResponseTemplate {
    ResponseTemplate::new(code).set_body_json(json!({"errors": {"json": "Internal error"}}))
}

#[tokio::test]
async fn a_get_on_503_is_tried_three_times() {
    let server = MockServer::builder().start().await;
    mount_sequence(&server, "GET", "/user/me", status(503), 10, user()).await;
    let err = client(&server, fast())
        .get_my_user()
        .send()
        .into_result()
        .await
        .unwrap_err();
    assert_eq!(requests(&server).await, 3);
    assert!(
        matches!(&err, Error::Api { status, .. } if status.as_u16() == 503),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_get_succeeds_after_one_500() {
    let server = MockServer::builder().start().await;
    mount_sequence(&server, "GET", "/user/me", status(500), 1, user()).await;
    let me = client(&server, fast())
        .get_my_user()
        .send()
        .into_result()
        .await
        .unwrap();
    assert_eq!(me.last_name.unwrap().as_str(), "Moreau");
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn max_attempts_is_the_total_number_of_requests() {
    let server = MockServer::builder().start().await;
    mount_sequence(&server, "GET", "/user/me", status(502), 10, user()).await;
    let policy = fast().with_max_attempts(5);
    let err = client(&server, policy)
        .get_my_user()
        .send()
        .into_result()
        .await;
    assert_eq!(err.unwrap_err().status().map(|s| s.as_u16()), Some(502));
    assert_eq!(requests(&server).await, 5);
}

#[tokio::test]
async fn a_post_on_500_is_sent_once() {
    let server = MockServer::builder().start().await;
    mount_sequence(&server, "POST", "/org", status(500), 10, org_created()).await;
    let err = client(&server, fast())
        .create_organization()
        .body(org_body())
        .send()
        .into_result()
        .await
        .unwrap_err();
    assert_eq!(requests(&server).await, 1);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
}

#[tokio::test]
async fn a_post_opted_in_is_retried_on_500() {
    let server = MockServer::builder().start().await;
    mount_sequence(&server, "POST", "/org", status(500), 1, org_created()).await;
    let policy = fast().retry_on_server_error("create_organization");
    let created = client(&server, policy)
        .create_organization()
        .body(org_body())
        .send()
        .into_result()
        .await
        .unwrap();
    assert_eq!(created.org_id, Some(5281));
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 2);
    // The replayed request carries the same body.
    assert_eq!(received[0].body, received[1].body);
    let sent: serde_json::Value = received[1].body_json().unwrap();
    assert_eq!(sent["name"], "Maison Lumière");
}

#[tokio::test]
async fn opting_in_another_operation_does_not_retry_this_one() {
    let server = MockServer::builder().start().await;
    mount_sequence(&server, "POST", "/org", status(503), 1, org_created()).await;
    let policy = fast().retry_on_server_error("update_business");
    let result = client(&server, policy)
        .create_organization()
        .body(org_body())
        .send()
        .into_result()
        .await;
    assert_eq!(result.unwrap_err().status().map(|s| s.as_u16()), Some(503));
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn put_and_delete_are_retried_on_5xx() {
    let server = MockServer::builder().start().await;
    let key = ResponseTemplate::new(200).set_body_json(json!({"id": 7, "label": "CI key"}));
    mount_sequence(&server, "PUT", "/api_keys/7", status(504), 1, key).await;
    let deleted = ResponseTemplate::new(200).set_body_json(json!({"status": "success"}));
    let route = "/business/5d2f1a9e8b7c6d5e4f3a2b1c";
    mount_sequence(&server, "DELETE", route, status(503), 2, deleted).await;
    let client = client(&server, fast());
    let body: types::ApiKeyBody = serde_json::from_value(json!({"label": "CI key"})).unwrap();
    let key = client
        .update_api_key()
        .api_key_id(7)
        .body(body)
        .send()
        .into_result()
        .await
        .unwrap();
    assert_eq!(key.label.map(|l| l.to_string()).as_deref(), Some("CI key"));
    client
        .delete_business()
        .business_id("5d2f1a9e8b7c6d5e4f3a2b1c")
        .send()
        .into_result()
        .await
        .unwrap();
    let received = server.received_requests().await.unwrap();
    let count = |verb: &str| {
        received
            .iter()
            .filter(|r| r.method.as_str() == verb)
            .count()
    };
    assert_eq!((count("PUT"), count("DELETE")), (2, 3));
}

#[tokio::test]
async fn no_retries_means_one_request() {
    let server = MockServer::builder().start().await;
    mount_sequence(&server, "GET", "/user/me", status(503), 10, user()).await;
    let err = client(&server, RetryPolicy::none())
        .get_my_user()
        .send()
        .into_result()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn a_4xx_is_never_retried() {
    let server = MockServer::builder().start().await;
    let not_found =
        ResponseTemplate::new(404).set_body_json(json!({"error": {"json": "Resource not found"}}));
    mount_sequence(&server, "GET", "/user/me", not_found, 10, user()).await;
    let err = client(&server, fast())
        .get_my_user()
        .send()
        .into_result()
        .await;
    assert_eq!(err.unwrap_err().status().map(|s| s.as_u16()), Some(404));
    assert_eq!(requests(&server).await, 1);
}

// ---- transport ----

#[tokio::test]
async fn connection_refused_is_a_retryable_transport_error() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener.local_addr().expect("an address").port()
    };
    let client = Client::builder()
        .api_key("k")
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry_policy(fast())
        .build()
        .unwrap();
    let err = client.get_my_user().send().into_result().await.unwrap_err();
    match &err {
        Error::Transport(e) => assert!(e.is_connect(), "{e:?}"),
        other => panic!("expected Error::Transport, got {other:?}"),
    }
    assert!(err.is_retryable());
    assert_eq!(err.status(), None);
    assert!(
        err.to_string().starts_with("could not reach Partoo"),
        "{err}"
    );
    assert!(std::error::Error::source(&err).is_some());
}

fn slow_server_client(server: &MockServer, policy: RetryPolicy) -> Client {
    Client::builder()
        .api_key("k")
        .base_url(server.uri())
        .timeout(Duration::from_secs(1))
        .retry_policy(policy)
        .build()
        .expect("client builds")
}

#[tokio::test]
async fn a_slow_server_is_a_timeout() {
    let server = MockServer::builder().start().await;
    let slow = user().set_delay(Duration::from_secs(5));
    mount_sequence(&server, "GET", "/user/me", slow.clone(), 10, slow).await;
    let client = slow_server_client(&server, RetryPolicy::none());
    let started = std::time::Instant::now();
    let err = client.get_my_user().send().into_result().await.unwrap_err();
    // The 1 s timeout, not the 5 s answer; wide margins, for a loaded machine.
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(
        matches!(&err, Error::Timeout(e) if e.is_timeout()),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn timeouts_are_retried_for_get_but_not_for_post() {
    let server = MockServer::builder().start().await;
    let slow_user = user().set_delay(Duration::from_secs(5));
    mount_sequence(&server, "GET", "/user/me", slow_user.clone(), 10, slow_user).await;
    let slow_org = org_created().set_delay(Duration::from_secs(5));
    mount_sequence(&server, "POST", "/org", slow_org.clone(), 10, slow_org).await;
    let client = slow_server_client(&server, fast().with_max_attempts(2));
    let get = client.get_my_user().send().into_result().await;
    assert!(matches!(get, Err(Error::Timeout(_))), "{get:?}");
    let post = client
        .create_organization()
        .body(org_body())
        .send()
        .into_result()
        .await;
    assert!(matches!(post, Err(Error::Timeout(_))), "{post:?}");
    let received = server.received_requests().await.unwrap();
    let count = |verb: &str| {
        received
            .iter()
            .filter(|r| r.method.as_str() == verb)
            .count()
    };
    assert_eq!((count("GET"), count("POST")), (2, 1));
}
