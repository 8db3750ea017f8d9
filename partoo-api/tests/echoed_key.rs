//! A server or proxy that echoes the API key it received in an error body: errors show `[API key]`.
//! (Apart from `redaction.rs`, whose tracing tests need every request of their process under a subscriber.)

use partoo_api::{Client, ClientBuilder, Error, RetryPolicy, SendExt};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "sk_live_SECRET_1234";

fn assert_no_key(what: &str, text: &str) {
    assert!(!text.contains(KEY), "{what} shows the key: {text}");
    assert!(
        !text.contains("SECRET"),
        "{what} shows part of the key: {text}"
    );
}

/// The key a request carried (`x-APIKey`), empty when it had none.
fn received_key(request: &wiremock::Request) -> &str {
    request
        .headers
        .get("x-apikey")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// A builder with [`KEY`] against `server`, without retries (one request per call).
fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .api_key(KEY)
        .base_url(server.uri())
        .retry_policy(RetryPolicy::none())
}

/// [`builder`]'s client.
fn client(server: &MockServer) -> Client {
    builder(server).build().expect("client builds")
}

/// The error of `get_my_user` answered by `answer`, from a client that keeps `max_error_body` bytes.
async fn my_user_error(answer: impl wiremock::Respond + 'static, max_error_body: usize) -> Error {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/user/me"))
        .respond_with(answer)
        .mount(&server)
        .await;
    builder(&server)
        .max_error_body(max_error_body)
        .build()
        .expect("client builds")
        .get_my_user()
        .send()
        .into_result()
        .await
        .expect_err("the answer is not a user")
}

/// Answers with the key it received inside an error body of `status`: Partoo's shape, or HTML.
struct EchoKey(u16, bool);

impl wiremock::Respond for EchoKey {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let key = received_key(request);
        let body = if self.1 {
            json!({"errors": {"authentication": format!("unknown key {key}")}}).to_string()
        } else {
            format!("<html>bad key {key}, again: {key}</html>")
        };
        ResponseTemplate::new(self.0).set_body_raw(body, "application/json")
    }
}

/// A server or proxy that echoes the key it received: the error's message, `Debug` and `raw` show
/// `[API key]` instead, through `into_result()` and through `?` on a plain `send()`.
#[tokio::test]
async fn a_key_the_server_echoes_is_replaced_in_errors() {
    for (status, partoo_shape) in [(401, true), (500, true), (502, false), (418, false)] {
        let server = MockServer::builder().start().await;
        Mock::given(method("GET"))
            .and(path("/user/me"))
            .respond_with(EchoKey(status, partoo_shape))
            .mount(&server)
            .await;
        let client = client(&server);
        let through_result = client
            .get_my_user()
            .send()
            .into_result()
            .await
            .expect_err("an error status");
        let through_send: Error = client
            .get_my_user()
            .send()
            .await
            .expect_err("an error status")
            .into();
        for err in [through_result, through_send] {
            let Error::Api { raw, .. } = &err else {
                panic!("{status}: expected Error::Api, got {err:?}");
            };
            assert!(
                String::from_utf8_lossy(raw).contains("[API key]"),
                "{status}: {err:?}"
            );
            assert_no_key(&format!("{status} raw"), &String::from_utf8_lossy(raw));
            assert_no_key(&format!("{status} Display"), &err.to_string());
            assert_no_key(&format!("{status} Debug"), &format!("{err:?}"));
        }
    }
}

/// A body kept up to `max_error_body` may end inside the echoed key: the part of it that was kept is replaced
/// too (it showed `sk_live_SECR`, most of the key).
#[tokio::test]
async fn a_key_cut_by_the_error_body_limit_is_replaced() {
    // `<html>bad key ` is 14 bytes: the limit keeps 12 of the key's 19.
    let err = my_user_error(EchoKey(418, false), 26).await;
    let Error::Api { raw, truncated, .. } = &err else {
        panic!("expected Error::Api, got {err:?}");
    };
    assert!(truncated, "{err:?}");
    assert_eq!(&raw[..], b"<html>bad key [API key]", "{err:?}");
    assert_no_key("Debug", &format!("{err:?}"));
}

/// Answers 200 with the key it received in a body the operation's type cannot decode: as an extra field
/// beside a mistyped one (`{"id": 5, …}`), or as the mistyped value itself (`"max_page": "<key>"`).
struct EchoKeyInSuccess(&'static str);

impl wiremock::Respond for EchoKeyInSuccess {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let key = received_key(request);
        ResponseTemplate::new(200).set_body_raw(self.0.replace("KEY", key), "application/json")
    }
}

/// A 2xx body is not read by the hooks that scrub error bodies; when it fails to decode, `Error::Decode`
/// keeps an excerpt, `raw` and serde's message: none shows the key, through `into_result()`, through `?`
/// on a plain `send()`, and through a page stream (where the key is serde's "invalid type" value).
#[tokio::test]
async fn a_key_echoed_in_a_success_body_that_does_not_decode_is_replaced() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/business/a06a980de3ff5afe3cf478ff"))
        .respond_with(EchoKeyInSuccess(r#"{"id": 5, "echo": "KEY"}"#))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/business/search"))
        .respond_with(EchoKeyInSuccess(
            r#"{"page": 1, "max_page": "KEY", "count": 0, "businesses": []}"#,
        ))
        .mount(&server)
        .await;
    let client = client(&server);
    let get = || {
        client
            .get_business()
            .business_id("a06a980de3ff5afe3cf478ff")
    };
    let through_result = get().send().into_result().await.expect_err("undecodable");
    let through_send: Error = get().send().await.expect_err("undecodable").into();
    use futures_util::TryStreamExt;
    use partoo_api::Paginate;
    let through_pages = client
        .search_businesses()
        .items()
        .try_collect::<Vec<_>>()
        .await
        .expect_err("undecodable page");
    for (what, err) in [
        ("into_result", through_result),
        ("send()?", through_send),
        ("pages", through_pages),
    ] {
        let Error::Decode { raw, excerpt, .. } = &err else {
            panic!("{what}: expected Error::Decode, got {err:?}");
        };
        assert!(excerpt.contains("[API key]"), "{what}: {err:?}");
        assert_no_key(&format!("{what} raw"), &String::from_utf8_lossy(raw));
        assert_no_key(&format!("{what} Display"), &err.to_string());
        assert_no_key(&format!("{what} Debug"), &format!("{err:?}"));
    }
}

/// A replaced key may make a kept body a few bytes longer than it was: whether it was cut is decided on the
/// body as received (a 9-byte body under a 10-byte limit was called cut once `sk_l` became `[API key]`).
#[tokio::test]
async fn replacing_the_key_does_not_make_a_whole_body_cut() {
    let not_json = ResponseTemplate::new(200).set_body_raw("oops sk_l", "application/json");
    let err = my_user_error(not_json, 10).await;
    let Error::Decode { raw, truncated, .. } = &err else {
        panic!("expected Error::Decode, got {err:?}");
    };
    assert!(!truncated, "{err:?}");
    assert_eq!(&raw[..], b"oops [API key]", "{err:?}");
}

/// A key with whitespace around it (a line of a `.env` file, a copy with its trailing space) is refused when
/// the client is built. It was sent as is; HTTP drops that whitespace, so the server saw and could echo a
/// key that differs from the one the client scrubs from its errors, and a 401 did not say why.
#[test]
fn a_key_with_whitespace_around_it_is_refused() {
    for key in [
        " sk_live_SECRET_1234",
        "sk_live_SECRET_1234 ",
        "\tsk_live_SECRET_1234",
    ] {
        let err = Client::builder()
            .api_key(key)
            .build()
            .expect_err("whitespace around the key");
        let message = err.to_string();
        assert!(matches!(err, Error::Config(_)), "{err:?}");
        assert!(
            message.contains("the API key begins or ends with whitespace"),
            "{message}"
        );
        assert_no_key("the error", &message);
    }
    // Inside the key, a space is the key's own: sent as is.
    assert!(Client::builder().api_key("sk live").build().is_ok());
}
