//! 429: `Retry-After` in seconds or as an HTTP date, the `max_retry_after` cap, POST retried, attempts used up;
//! `Retry-After` on a 503; fractional and overflowing values.

mod retry_common;

use std::time::{Duration, SystemTime};

use partoo_api::{Client, Error, RetryPolicy, SendExt};
use retry_common::*;
use serde_json::json;
use wiremock::{MockServer, ResponseTemplate};

fn too_many(retry_after: &str) -> ResponseTemplate {
    ResponseTemplate::new(429)
        .insert_header("Retry-After", retry_after)
        .set_body_json(json!({"errors": {"json": "Too many requests"}}))
}

// ---- 429 and Retry-After, on paused virtual time ----
//
// wiremock runs on its own thread and runtime, so the paused clock of the test runtime does not reach it. What
// paused time does break is the *client's* timers: while a request waits for the socket, tokio auto-advances the
// clock to the next timer, i.e. the default client's 30 s timeout (or its 10 s connect timeout), and the request
// fails with `Error::Timeout` now and then. These tests therefore pass their own `reqwest` builder with no
// timeouts and no connection pool (the pool's 90 s idle timer would also be jumped to, hiding a missing wait):
// the only timers left are the retry waits, so virtual time measures exactly them.

/// A `reqwest` builder without timers.
fn timerless_http() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .pool_idle_timeout(None)
}

fn paused_client(server: &MockServer, policy: RetryPolicy) -> Client {
    Client::builder()
        .api_key("k")
        .base_url(server.uri())
        .retry_policy(policy)
        .http_client_builder(timerless_http())
        .build()
        .expect("client builds")
}

#[tokio::test(start_paused = true)]
async fn retry_after_in_seconds_is_honoured() {
    let server = MockServer::builder().start().await;
    mount_sequence(&server, "GET", "/user/me", too_many("2"), 1, user()).await;
    let client = paused_client(&server, fast());
    let started = tokio::time::Instant::now();
    let me = client.get_my_user().send().into_result().await.unwrap();
    let waited = started.elapsed();
    assert_eq!(me.first_name.unwrap().as_str(), "Camille");
    assert_eq!(requests(&server).await, 2);
    assert!(
        waited >= Duration::from_secs(2) && waited < Duration::from_millis(2100),
        "waited {waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn retry_after_as_an_http_date_is_honoured() {
    let server = MockServer::builder().start().await;
    let created = SystemTime::now();
    let when = httpdate::fmt_http_date(created + Duration::from_secs(3));
    mount_sequence(&server, "GET", "/user/me", too_many(&when), 1, user()).await;
    let client = paused_client(&server, fast());
    let started = tokio::time::Instant::now();
    client.get_my_user().send().into_result().await.unwrap();
    let waited = started.elapsed();
    assert_eq!(requests(&server).await, 2);
    // The date has whole seconds, so it is 2 to 3 s away when written; the client measures from when the 429
    // arrives, by the real clock (the test's clock is paused), which has moved on meanwhile: on a loaded
    // machine a wait of 1.985 s was right.
    let real = created.elapsed().unwrap_or_default();
    assert!(
        waited + real >= Duration::from_secs(2) && waited <= Duration::from_millis(3050),
        "waited {waited:?}, {real:?} of real time"
    );
}

#[tokio::test(start_paused = true)]
async fn a_503_retry_after_is_honoured_like_a_429() {
    let unavailable = ResponseTemplate::new(503)
        .insert_header("Retry-After", "2")
        .set_body_json(json!({"errors": {"json": "Maintenance"}}));
    assert_waits_two_seconds(unavailable).await;
}

#[tokio::test(start_paused = true)]
async fn a_fractional_retry_after_is_rounded_up() {
    assert_waits_two_seconds(too_many("1.5")).await;
}

/// Serves `first` once, then the user: the client retries once, after 2 s of (paused, virtual) time.
async fn assert_waits_two_seconds(first: ResponseTemplate) {
    let server = MockServer::builder().start().await;
    mount_sequence(&server, "GET", "/user/me", first, 1, user()).await;
    let client = paused_client(&server, fast());
    let started = tokio::time::Instant::now();
    client
        .get_my_user()
        .send()
        .into_result()
        .await
        .expect("the retry succeeds");
    let waited = started.elapsed();
    assert_eq!(requests(&server).await, 2);
    assert!(
        waited >= Duration::from_secs(2) && waited < Duration::from_millis(2100),
        "waited {waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn an_overflowing_retry_after_is_capped_and_ends_the_retries() {
    let server = MockServer::builder().start().await;
    let huge = "999999999999999999999999999999";
    mount_sequence(&server, "GET", "/user/me", too_many(huge), 10, user()).await;
    let err = paused_client(&server, fast())
        .get_my_user()
        .send()
        .into_result()
        .await
        .unwrap_err();
    assert_eq!(requests(&server).await, 1);
    assert!(
        matches!(err, Error::RateLimited { retry_after: Some(d), .. } if d == partoo_api::RETRY_AFTER_CEILING),
        "{err:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_429_is_retried_even_for_a_post() {
    let server = MockServer::builder().start().await;
    mount_sequence(&server, "POST", "/org", too_many("1"), 2, org_created()).await;
    let client = paused_client(&server, fast());
    let started = tokio::time::Instant::now();
    let created = client
        .create_organization()
        .body(org_body())
        .send()
        .into_result()
        .await
        .unwrap();
    assert_eq!(created.org_id, Some(5281));
    assert_eq!(requests(&server).await, 3);
    assert!(started.elapsed() >= Duration::from_secs(2));
}

#[tokio::test]
async fn a_retry_after_beyond_max_retry_after_returns_at_once() {
    let server = MockServer::builder().start().await;
    mount_sequence(&server, "GET", "/user/me", too_many("3600"), 10, user()).await;
    let client = client(&server, fast());
    let started = std::time::Instant::now();
    let err = client.get_my_user().send().into_result().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(requests(&server).await, 1);
    match &err {
        Error::RateLimited {
            retry_after, body, ..
        } => {
            assert_eq!(*retry_after, Some(Duration::from_secs(3600)));
            assert_eq!(
                body.messages(),
                vec![("json".to_owned(), "Too many requests".to_owned())]
            );
        }
        other => panic!("expected Error::RateLimited, got {other:?}"),
    }
    assert!(err.is_retryable());
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(
        err.to_string(),
        "rate limited by Partoo (429), retry after 3600 s: json: Too many requests"
    );
}

#[tokio::test]
async fn a_lower_max_retry_after_is_respected() {
    let server = MockServer::builder().start().await;
    mount_sequence(&server, "GET", "/user/me", too_many("2"), 10, user()).await;
    let mut policy = fast();
    policy.max_retry_after = Duration::from_secs(1);
    let err = client(&server, policy)
        .get_my_user()
        .send()
        .into_result()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(2))
    );
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn a_429_on_every_attempt_ends_rate_limited() {
    let server = MockServer::builder().start().await;
    let no_header = ResponseTemplate::new(429).set_body_json(json!({"errors": "slow down"}));
    mount_sequence(&server, "GET", "/user/me", no_header, 10, user()).await;
    let err = client(&server, fast())
        .get_my_user()
        .send()
        .into_result()
        .await
        .unwrap_err();
    assert_eq!(requests(&server).await, 3);
    assert!(
        matches!(
            err,
            Error::RateLimited {
                retry_after: None,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "rate limited by Partoo (429): slow down");
}
