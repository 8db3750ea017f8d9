//! Redirects never carry the API key to another origin: a cross-origin redirect is refused with both URLs
//! named, a same-origin one is followed.

use partoo_api::{Client, ClientBuilder, Error, RetryPolicy, SendExt};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockBuilder, MockServer, ResponseTemplate};

const USER: &str = include_str!("fixtures/user_me.json");
const KEY: &str = "pk_live_redirect_9d21";

/// A builder with [`KEY`] against `base`, without retries (one request per call).
fn builder(base: &str) -> ClientBuilder {
    Client::builder()
        .api_key(KEY)
        .base_url(base)
        .retry_policy(RetryPolicy::none())
}

fn client(server: &MockServer) -> Client {
    builder(&server.uri()).build().expect("client builds")
}

fn redirect_to(location: &str) -> ResponseTemplate {
    ResponseTemplate::new(302).insert_header("location", location)
}

async fn user_at(server: &MockServer, route: &str) {
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(ResponseTemplate::new(200).set_body_raw(USER, "application/json"))
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_refused_and_the_key_stays_home() {
    let home = MockServer::builder().start().await;
    let elsewhere = MockServer::builder().start().await;
    user_at(&elsewhere, "/user/me").await;
    let target = format!("{}/user/me", elsewhere.uri());
    Mock::given(method("GET"))
        .and(path("/user/me"))
        .respond_with(redirect_to(&target))
        .mount(&home)
        .await;

    let err = client(&home)
        .get_my_user()
        .send()
        .into_result()
        .await
        .expect_err("a cross-origin redirect is an error");

    let seen = elsewhere.received_requests().await.unwrap_or_default();
    assert!(
        seen.iter().all(|r| !r.headers.contains_key("x-apikey")),
        "the other origin saw the key"
    );
    assert!(seen.is_empty(), "the redirect was followed: {seen:?}");
    match &err {
        Error::RedirectRefused { from, to } => {
            assert_eq!(from, &format!("{}/user/me", home.uri()));
            assert_eq!(to, &target);
        }
        other => panic!("expected Error::RedirectRefused, got {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains(&home.uri()) && text.contains(&elsewhere.uri()),
        "{text}"
    );
    assert!(!text.contains(KEY) && !format!("{err:?}").contains(KEY));
}

#[tokio::test]
async fn a_plain_send_reports_the_refused_redirect_too() {
    let home = MockServer::builder().start().await;
    let elsewhere = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/user/me"))
        .respond_with(redirect_to(&format!("{}/user/me", elsewhere.uri())))
        .mount(&home)
        .await;
    let err: Error = client(&home)
        .get_my_user()
        .send()
        .await
        .expect_err("refused")
        .into();
    assert!(matches!(err, Error::RedirectRefused { .. }), "{err:?}");
    assert_eq!(
        elsewhere
            .received_requests()
            .await
            .unwrap_or_default()
            .len(),
        0
    );
}

/// `/user/me` answers `redirect`, a same-origin redirect to `target` (as the server sees it): the client
/// follows it, with the key.
async fn assert_followed(redirect: ResponseTemplate, target: &str) {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/user/me"))
        .respond_with(redirect)
        .mount(&server)
        .await;
    user_at(&server, target).await;

    let me = client(&server)
        .get_my_user()
        .send()
        .into_result()
        .await
        .expect("followed");
    assert!(me.email.is_some());
    let requests = server.received_requests().await.unwrap_or_default();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].url.path(), target);
    assert_eq!(requests[1].headers["x-apikey"], KEY);
}

#[tokio::test]
async fn a_same_origin_redirect_is_followed_with_the_key() {
    assert_followed(redirect_to("/v2-moved/user/me"), "/v2-moved/user/me").await;
}

/// A `Location` in UTF-8 (`/déplacé/user/me`, as some servers write it unencoded) is followed as reqwest
/// follows it, percent-encoded; the client read it as ASCII only, and handed the `302` back as an API error.
#[tokio::test]
async fn a_same_origin_redirect_in_utf8_is_followed() {
    let location = reqwest::header::HeaderValue::from_bytes("/déplacé/user/me".as_bytes())
        .expect("obs-text is allowed in a header value");
    let redirect = ResponseTemplate::new(302).insert_header("location", location);
    assert_followed(redirect, "/d%C3%A9plac%C3%A9/user/me").await;
}

/// `/user/me` redirects to `/hop/1`, which redirects to `/hop/2`, … up to `/hop/{hops}`, which answers.
async fn chain(hops: usize) -> MockServer {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/user/me"))
        .respond_with(redirect_to("/hop/1"))
        .mount(&server)
        .await;
    for k in 1..hops {
        Mock::given(method("GET"))
            .and(path(format!("/hop/{k}")))
            .respond_with(redirect_to(&format!("/hop/{}", k + 1)))
            .mount(&server)
            .await;
    }
    user_at(&server, &format!("/hop/{hops}")).await;
    server
}

#[tokio::test]
async fn ten_hops_are_followed_and_an_eleventh_is_an_error() {
    // The hops are sent by the client's hooks (each through the rate limit), not by reqwest: the limit of ten
    // must hold there too.
    let server = chain(10).await;
    client(&server)
        .get_my_user()
        .send()
        .into_result()
        .await
        .expect("ten hops are followed");
    assert_eq!(
        server.received_requests().await.unwrap_or_default().len(),
        11
    );
    let server = chain(11).await;
    let err = client(&server)
        .get_my_user()
        .send()
        .into_result()
        .await
        .expect_err("an eleventh hop is refused");
    // The limit is named, and a loop is not worth repeating (it was a retryable `Transport` error).
    match &err {
        Error::TooManyRedirects { limit: 10, to } => {
            assert_eq!(to, &format!("{}/hop/11", server.uri()));
        }
        other => panic!("expected Error::TooManyRedirects, got {other:?}"),
    }
    assert!(!err.is_retryable());
    let text = err.to_string();
    assert!(text.contains("10 redirects"), "{text}");
    assert_eq!(
        server.received_requests().await.unwrap_or_default().len(),
        11
    );
}

/// The organization `create_organization` sends.
fn org_json() -> serde_json::Value {
    serde_json::json!({"name": "Maison Lumière", "alias": "maison_lumiere"})
}

/// Creates an organization on a server whose `POST /org` answers `status` with `location`, where `then`
/// (expected once) answers with the created organization, which is checked; returns the server.
async fn create_org_redirected(status: u16, location: &str, then: MockBuilder) -> MockServer {
    let server = MockServer::builder().start().await;
    Mock::given(method("POST"))
        .and(path("/org"))
        .respond_with(ResponseTemplate::new(status).insert_header("location", location))
        .mount(&server)
        .await;
    then.respond_with(
        ResponseTemplate::new(200)
            .set_body_json(serde_json::json!({"status": "success", "org_id": 5281})),
    )
    .expect(1)
    .mount(&server)
    .await;
    let body: partoo_api::types::CreateOrganizationBody =
        serde_json::from_value(org_json()).expect("a valid body");
    let org = client(&server)
        .create_organization()
        .body(body)
        .send()
        .into_result()
        .await
        .unwrap_or_else(|e| panic!("the {status} to {location} is followed: {e}"));
    assert_eq!(org.org_id, Some(5281));
    server
}

#[tokio::test]
async fn a_307_repeats_the_post_with_its_body_and_a_303_turns_it_into_a_get() {
    use wiremock::matchers::body_json;
    let repeated = Mock::given(method("POST"))
        .and(path("/org-moved"))
        .and(body_json(org_json()));
    create_org_redirected(307, "/org-moved", repeated).await;

    let fetched = Mock::given(method("GET")).and(path("/org/5281"));
    let server = create_org_redirected(303, "/org/5281", fetched).await;
    let requests = server.received_requests().await.unwrap_or_default();
    assert!(requests[1].body.is_empty(), "the GET carries no body");
    assert!(!requests[1].headers.contains_key("content-type"));
}

/// A client from a `reqwest` builder of the caller's that would follow any redirect.
fn client_from_a_permissive_builder(server: &MockServer) -> Client {
    let permissive = reqwest::Client::builder().redirect(reqwest::redirect::Policy::limited(10));
    builder(&server.uri())
        .http_client_builder(permissive)
        .build()
        .expect("client builds")
}

#[tokio::test]
async fn a_reqwest_builder_of_the_callers_cannot_carry_the_key_to_another_origin() {
    let home = MockServer::builder().start().await;
    let elsewhere = MockServer::builder().start().await;
    user_at(&elsewhere, "/user/me").await;
    let target = format!("{}/user/me", elsewhere.uri());
    Mock::given(method("GET"))
        .and(path("/user/me"))
        .respond_with(redirect_to(&target))
        .mount(&home)
        .await;

    let client = client_from_a_permissive_builder(&home);
    let err = client
        .get_my_user()
        .send()
        .into_result()
        .await
        .expect_err("the builder's own policy is replaced: the redirect is refused");

    let seen = elsewhere.received_requests().await.unwrap_or_default();
    assert!(
        seen.iter().all(|r| !r.headers.contains_key("x-apikey")),
        "the other origin saw the key"
    );
    assert!(seen.is_empty(), "the redirect was followed: {seen:?}");
    assert!(
        matches!(&err, Error::RedirectRefused { to, .. } if *to == target),
        "{err:?}"
    );

    // Same-origin redirects are still followed with that builder, key included.
    let moved = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/user/me"))
        .respond_with(redirect_to("/v2-moved/user/me"))
        .mount(&moved)
        .await;
    user_at(&moved, "/v2-moved/user/me").await;
    let me = client_from_a_permissive_builder(&moved)
        .get_my_user()
        .send()
        .into_result()
        .await;
    assert!(me.is_ok(), "{me:?}");
    let requests = moved.received_requests().await.unwrap_or_default();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].headers["x-apikey"], KEY);
}

/// A POST that a 303 turned into a GET was processed: whatever the GET meets (a 429, a 503, a lost
/// connection), the POST is not sent again.
#[tokio::test]
async fn a_post_turned_into_a_get_by_a_303_is_never_sent_again() {
    let server = MockServer::builder().start().await;
    Mock::given(method("POST"))
        .and(path("/org"))
        .respond_with(ResponseTemplate::new(303).insert_header("location", "/org/5281"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/org/5281"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/org/5281"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"status": "success", "org_id": 5281})),
        )
        .mount(&server)
        .await;
    let client = builder(&server.uri())
        .retry_policy(RetryPolicy::default().with_delays(
            std::time::Duration::from_millis(1),
            std::time::Duration::from_millis(5),
        ))
        .build()
        .expect("client builds");
    let body: partoo_api::types::CreateOrganizationBody =
        serde_json::from_value(org_json()).expect("a valid body");
    let result = client
        .create_organization()
        .body(body)
        .send()
        .into_result()
        .await;
    let requests = server.received_requests().await.unwrap_or_default();
    let posts = requests
        .iter()
        .filter(|r| r.method.as_str() == "POST")
        .count();
    assert_eq!(posts, 1, "the POST was sent again: {result:?}");
    match result {
        Err(Error::RateLimited { .. }) => {}
        other => panic!("expected the GET's 429, got {other:?}"),
    }
}

/// `ClientBuilder::timeout` bounds the whole attempt: hops get what is left of it, not a fresh timeout each.
#[tokio::test]
async fn the_timeout_covers_every_hop_of_a_redirect() {
    let server = MockServer::builder().start().await;
    let slow = std::time::Duration::from_millis(400);
    for hop in 0..4 {
        Mock::given(method("GET"))
            .and(path(format!("/hop/{hop}")))
            .respond_with(
                ResponseTemplate::new(302)
                    .insert_header("location", format!("/hop/{}", hop + 1).as_str())
                    .set_delay(slow),
            )
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/user/me"))
        .respond_with(redirect_to("/hop/0"))
        .mount(&server)
        .await;
    user_at(&server, "/hop/4").await;
    let client = builder(&server.uri())
        .timeout(std::time::Duration::from_secs(1))
        .build()
        .expect("client builds");
    let err = client
        .get_my_user()
        .send()
        .into_result()
        .await
        .expect_err("four hops of 0.4 s do not fit in 1 s");
    assert!(
        matches!(&err, Error::Timeout(_)),
        "expected a timeout, got {err:?}"
    );
}

/// A query may hold a credential (`check_connection_token`'s `token`): the URLs errors show have none.
#[tokio::test]
async fn errors_show_urls_without_their_query() {
    // Refused redirect: both ends without their query.
    let home = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/connection/check_token"))
        .respond_with(redirect_to("http://localhost:1/elsewhere?next=SECRET-NEXT"))
        .mount(&home)
        .await;
    let err = client(&home)
        .check_connection_token()
        .user_id("u")
        .token("TOKEN-SECRET-1")
        .send()
        .into_result()
        .await
        .expect_err("a cross-origin redirect is an error");
    assert!(
        matches!(&err, Error::RedirectRefused { from, .. } if from.ends_with("/connection/check_token")),
        "{err:?}"
    );
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(
            !text.contains("SECRET") && text.contains("localhost:1/elsewhere"),
            "{text}"
        );
    }
    // A transport error: nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = closed.local_addr().expect("an address").port();
    drop(closed);
    let client = builder(&format!("http://127.0.0.1:{port}"))
        .build()
        .expect("client builds");
    let err = client
        .check_connection_token()
        .user_id("u")
        .token("TOKEN-SECRET-2")
        .send()
        .into_result()
        .await
        .expect_err("nothing listens");
    assert!(matches!(&err, Error::Transport(_)), "{err:?}");
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(
            !text.contains("SECRET") && text.contains("/connection/check_token"),
            "{text}"
        );
    }
    // The same through `?` on a plain `send()`.
    let err: Error = client
        .check_connection_token()
        .user_id("u")
        .token("TOKEN-SECRET-3")
        .send()
        .await
        .expect_err("nothing listens")
        .into();
    assert!(!format!("{err} {err:?}").contains("SECRET"), "{err:?}");
}

/// The error of `get_my_user` against `server`, which answers it with a 302 to `location`.
async fn my_user_redirected(server: &MockServer, location: &str) -> Error {
    Mock::given(method("GET"))
        .and(path("/user/me"))
        .respond_with(redirect_to(location))
        .mount(server)
        .await;
    client(server)
        .get_my_user()
        .send()
        .into_result()
        .await
        .expect_err("the redirect is not followed to an answer")
}

/// A `Location` may carry a user name and password (`http://u:pw@host/`), or the API key itself (a proxy's login
/// page): the URLs errors show have neither, whether the redirect is refused, loops, or its hop fails.
#[tokio::test]
async fn errors_show_urls_without_a_password_or_the_key() {
    // Refused: another origin, with a password and the key in its path.
    let home = MockServer::builder().start().await;
    let err = my_user_redirected(
        &home,
        &format!("http://admin:PW-SECRET@localhost:1/login/{KEY}"),
    )
    .await;
    assert!(matches!(&err, Error::RedirectRefused { .. }), "{err:?}");
    // A loop on the same origin, through a URL with a password.
    let looping = MockServer::builder().start().await;
    let port = looping.address().port();
    let loop_err = my_user_redirected(
        &looping,
        &format!("http://u:PW-SECRET@127.0.0.1:{port}/user/me"),
    )
    .await;
    assert!(
        matches!(&loop_err, Error::TooManyRedirects { .. }),
        "{loop_err:?}"
    );
    // A same-origin hop whose connection closes before an answer: a transport error, with the hop's URL.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let port = listener.local_addr().expect("an address").port();
    let server = tokio::spawn(async move {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let (mut first, _) = listener.accept().await.expect("first request");
        let mut buf = [0u8; 4096];
        let _ = first.read(&mut buf).await;
        let answer = format!(
            "HTTP/1.1 307 Temporary Redirect\r\nlocation: http://u:PW-SECRET@127.0.0.1:{port}/{KEY}\r\n\
             content-length: 0\r\nconnection: close\r\n\r\n"
        );
        first.write_all(answer.as_bytes()).await.expect("answer");
        drop(first);
        // The hop: read its request, then close without answering.
        let (mut hop, _) = listener.accept().await.expect("the hop");
        let _ = hop.read(&mut buf).await;
    });
    let hop_client = builder(&format!("http://127.0.0.1:{port}"))
        .build()
        .expect("client builds");
    let hop_err = hop_client
        .get_my_user()
        .send()
        .into_result()
        .await
        .expect_err("the hop fails");
    server.await.expect("server task");
    assert!(matches!(&hop_err, Error::Transport(_)), "{hop_err:?}");
    for err in [&err, &loop_err, &hop_err] {
        for text in [err.to_string(), format!("{err:?}")] {
            assert!(!text.contains("PW-SECRET") && !text.contains(KEY), "{text}");
        }
    }
}

/// A hop whose slot of the rate limit comes after the attempt's deadline is not sent: it used to leave
/// with no time left, reach the server (a POST processed) and have its answer dropped for a timeout.
#[tokio::test]
async fn a_hop_that_would_leave_after_the_timeout_is_not_sent() {
    let server = MockServer::builder().start().await;
    Mock::given(method("POST"))
        .and(path("/org"))
        .respond_with(ResponseTemplate::new(307).insert_header("location", "/org-moved"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/org-moved"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"org_id": 7})))
        .expect(0)
        .mount(&server)
        .await;
    // One request per 3 s: the hop's slot comes 3 s after the first request, the timeout after 1 s.
    let client = builder(&server.uri())
        .rate_limit(1, std::time::Duration::from_secs(3))
        .timeout(std::time::Duration::from_secs(1))
        .build()
        .expect("client builds");
    let body: partoo_api::types::CreateOrganizationBody =
        serde_json::from_value(org_json()).expect("a valid body");
    let started = std::time::Instant::now();
    let err = client
        .create_organization()
        .body(body)
        .send()
        .into_result()
        .await
        .expect_err("the hop cannot leave within the timeout");
    let took = started.elapsed();
    assert!(matches!(&err, Error::Timeout(_)), "{err:?}");
    assert!(err.to_string().contains("was not sent"), "{err}");
    assert!(
        took < std::time::Duration::from_millis(2500),
        "the attempt ended after {took:?}, past its 1 s timeout and into the hop's slot"
    );
    assert_eq!(
        server.received_requests().await.unwrap_or_default().len(),
        1,
        "only the first request reached the server"
    );
}
