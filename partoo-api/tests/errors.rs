//! Every error shape Partoo sends, through `into_result()` and through `?` on a plain `send()`.

use partoo_api::{Client, Error, RetryPolicy, SendExt, types};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BUSINESS_ID: &str = "5d2f1a9e8b7c6d5e4f3a2b1c";

/// A client without retries, so that one mocked answer is one outcome.
async fn setup(verb: &str, route: &str, response: ResponseTemplate) -> (MockServer, Client) {
    let server = MockServer::builder().start().await;
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(response)
        .mount(&server)
        .await;
    let client = Client::builder()
        .api_key("k")
        .base_url(server.uri())
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client builds");
    (server, client)
}

fn json_response(status: u16, body: &Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_string(), "application/json")
}

fn update_body() -> types::UpdateBusinessBody {
    serde_json::from_value(json!({"name": "Boulangerie Maison Lumière Lyon", "zipcode": "69003"}))
        .expect("a valid update body")
}

async fn get_business(status: u16, body: Value) -> Error {
    let route = format!("/business/{BUSINESS_ID}");
    let (_server, client) = setup("GET", &route, json_response(status, &body)).await;
    client
        .get_business()
        .business_id(BUSINESS_ID)
        .send()
        .into_result()
        .await
        .expect_err("an error status")
}

async fn update_business(response: ResponseTemplate) -> Error {
    let route = format!("/business/{BUSINESS_ID}");
    let (_server, client) = setup("POST", &route, response).await;
    client
        .update_business()
        .business_id(BUSINESS_ID)
        .body(update_body())
        .send()
        .into_result()
        .await
        .expect_err("an error status")
}

/// Status, messages and raw body of an `Error::Api`.
fn api_parts(err: &Error) -> (u16, Vec<(String, String)>, Value) {
    match err {
        Error::Api {
            status, body, raw, ..
        } => (
            status.as_u16(),
            body.messages(),
            serde_json::from_slice(raw).unwrap_or(Value::Null),
        ),
        other => panic!("expected Error::Api, got {other:?}"),
    }
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[tokio::test]
async fn a_400_with_field_errors() {
    let body = json!({"errors": {"json": {"name": ["Missing data"]}}});
    let err = update_business(json_response(400, &body)).await;
    let (status, messages, raw) = api_parts(&err);
    assert_eq!(status, 400);
    assert_eq!(messages, pairs(&[("json.name", "Missing data")]));
    assert_eq!(raw, body);
    assert!(!err.is_retryable());
    assert_eq!(
        err.to_string(),
        "Partoo answered 400 Bad Request: json.name: Missing data"
    );
}

#[tokio::test]
async fn a_401_under_error_singular() {
    let body = json!({"error": {"authentication": "User not authenticated"}});
    let err = get_business(401, body.clone()).await;
    let (status, messages, raw) = api_parts(&err);
    assert_eq!(status, 401);
    assert_eq!(
        messages,
        pairs(&[("authentication", "User not authenticated")])
    );
    assert_eq!(raw, body);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_403_authorization_error() {
    let body = json!({"errors": {"authorization": "Operation not allowed"}});
    let err = get_business(403, body).await;
    let (status, messages, _) = api_parts(&err);
    assert_eq!(status, 403);
    assert_eq!(
        messages,
        pairs(&[("authorization", "Operation not allowed")])
    );
    assert!(
        err.to_string()
            .ends_with("authorization: Operation not allowed")
    );
}

#[tokio::test]
async fn a_404_resource_not_found() {
    let body = json!({"error": {"json": "Resource not found"}});
    let err = get_business(404, body).await;
    let (status, messages, _) = api_parts(&err);
    assert_eq!(status, 404);
    assert_eq!(messages, pairs(&[("json", "Resource not found")]));
}

#[tokio::test]
async fn a_415_that_the_spec_does_not_declare_still_keeps_its_body() {
    // 415 is not a documented response of update_business: progenitor hands back an unread response and the
    // hook's captured body fills in the details.
    let body =
        json!({"errors": {"json": "Unsupported media type: application/x-www-form-urlencoded"}});
    let err = update_business(json_response(415, &body)).await;
    let (status, messages, raw) = api_parts(&err);
    assert_eq!(status, 415);
    assert_eq!(
        messages,
        pairs(&[(
            "json",
            "Unsupported media type: application/x-www-form-urlencoded"
        )])
    );
    assert_eq!(raw, body);
}

#[tokio::test]
async fn a_string_valued_errors_field() {
    let err = get_business(401, json!({"errors": "Invalid API key"})).await;
    let (status, messages, _) = api_parts(&err);
    assert_eq!(status, 401);
    assert_eq!(messages, pairs(&[("", "Invalid API key")]));
    assert_eq!(
        err.to_string(),
        "Partoo answered 401 Unauthorized: Invalid API key"
    );
}

#[tokio::test]
async fn a_null_errors_field_does_not_hide_error() {
    // Serializers that emit every field send the unused one as null.
    let body = json!({"errors": null, "error": {"authentication": "User not authenticated"}});
    let err = get_business(401, body).await;
    let (status, messages, _) = api_parts(&err);
    assert_eq!(status, 401);
    assert_eq!(
        messages,
        pairs(&[("authentication", "User not authenticated")])
    );
}

#[tokio::test]
async fn a_502_with_an_html_body_keeps_status_and_raw_body() {
    let html = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";
    let response = ResponseTemplate::new(502).set_body_raw(html, "text/html");
    let (_server, client) = setup("GET", "/user/me", response).await;
    let err = client.get_my_user().send().into_result().await.unwrap_err();
    match &err {
        Error::Api {
            status, body, raw, ..
        } => {
            assert_eq!(status.as_u16(), 502);
            assert_eq!(body.details, Value::Null);
            assert!(body.messages().is_empty());
            assert_eq!(raw.as_ref(), html.as_bytes());
        }
        other => panic!("expected Error::Api, got {other:?}"),
    }
    assert!(err.is_retryable());
    assert_eq!(err.to_string(), "Partoo answered 502 Bad Gateway");
}

#[tokio::test]
async fn a_documented_error_status_with_a_non_json_body_is_still_an_api_error() {
    // 400 is documented for update_business, so progenitor tries to decode it and fails.
    let response = ResponseTemplate::new(400).set_body_raw("Bad Request", "text/plain");
    let err = update_business(response).await;
    match &err {
        Error::Api {
            status, body, raw, ..
        } => {
            assert_eq!(status.as_u16(), 400);
            assert_eq!(body.details, Value::Null);
            assert_eq!(raw.as_ref(), b"Bad Request");
        }
        other => panic!("expected Error::Api, got {other:?}"),
    }
}

#[tokio::test]
async fn a_200_that_does_not_match_the_type_is_a_decode_error_with_its_path() {
    let body = json!({
        "page": 1, "max_page": 1, "count": 2,
        "businesses": [
            {"id": "5d2f1a9e8b7c6d5e4f3a2b1c", "name": "Pharmacie Maison Lumière Lille", "lat": 50.6366},
            {"id": "5d2f1a9e8b7c6d5e4f3a2b1d", "name": "Optique Maison Lumière Nice", "lat": "north"}
        ]
    });
    let (_server, client) = setup("GET", "/business/search", json_response(200, &body)).await;
    let err = client
        .search_businesses()
        .send()
        .into_result()
        .await
        .unwrap_err();
    match &err {
        Error::Decode {
            status,
            path,
            message,
            excerpt,
            ..
        } => {
            assert_eq!(status.map(|s| s.as_u16()), Some(200));
            assert_eq!(path, "businesses[1].lat");
            assert!(
                message.contains("invalid type: string \"north\""),
                "{message}"
            );
            assert!(excerpt.starts_with("{\"businesses\":[{"), "{excerpt}");
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }
    assert!(!err.is_retryable());
    let text = err.to_string();
    assert!(
        text.starts_with("unexpected response body (200 OK) at `businesses[1].lat`"),
        "{text}"
    );
}

#[tokio::test]
async fn a_decode_excerpt_is_cut_at_300_characters() {
    let long_name = "é".repeat(1000);
    let body = json!({"id": 42, "first_name": long_name});
    let (_server, client) = setup("GET", "/user/me", json_response(200, &body)).await;
    let err = client.get_my_user().send().into_result().await.unwrap_err();
    match err {
        Error::Decode { path, excerpt, .. } => {
            assert!(path == "id" || path == "first_name", "{path}");
            assert_eq!(excerpt.chars().count(), 300);
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }
}

/// A function using `?` on a plain `send().await`, as an application would.
async fn business_name(client: &Client) -> Result<String, Error> {
    let business = client
        .get_business()
        .business_id(BUSINESS_ID)
        .send()
        .await?
        .into_inner();
    Ok(business.name.map(|n| n.to_string()).unwrap_or_default())
}

#[tokio::test]
async fn question_mark_on_a_plain_send_converts_documented_errors() {
    let route = format!("/business/{BUSINESS_ID}");
    let body = json!({"error": {"json": "Resource not found"}});
    let (_server, client) = setup("GET", &route, json_response(404, &body)).await;
    let err = business_name(&client).await.unwrap_err();
    let (status, messages, raw) = api_parts(&err);
    assert_eq!(status, 404);
    assert_eq!(messages, pairs(&[("json", "Resource not found")]));
    // Re-encoded from the decoded body, so equal as JSON.
    assert_eq!(raw, body);
}

#[tokio::test]
async fn question_mark_on_a_plain_send_keeps_an_error_body_of_another_shape_whole() {
    // JSON, but not (only) Partoo's `error`/`errors`: a proxy's or gateway's answer, or extra keys beside
    // `errors`. Decoded as PartooError they would vanish; `raw` must be the body as sent.
    let route = format!("/business/{BUSINESS_ID}");
    for body in [
        json!({"message": "Forbidden: key revoked", "code": "KEY_REVOKED"}),
        json!({"errors": {"json": "Forbidden"}, "trace_id": "t-42"}),
        json!({"error": null, "detail": "gone"}),
    ] {
        let (_server, client) = setup("GET", &route, json_response(403, &body)).await;
        let err = business_name(&client).await.unwrap_err();
        let (status, _, raw) = api_parts(&err);
        assert_eq!(status, 403);
        assert_eq!(raw, body);
    }
}

#[tokio::test]
async fn question_mark_on_a_plain_send_keeps_retry_after() {
    // A 429 is documented (every operation has a `4XX`), so progenitor decodes it: the header must still
    // reach `Error::RateLimited` without `into_result()`. One attempt only, so no retry waits here.
    let route = format!("/business/{BUSINESS_ID}");
    let response = json_response(429, &json!({"errors": {"json": "Too many requests"}}))
        .insert_header("Retry-After", "7");
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(response)
        .mount(&server)
        .await;
    let client = Client::builder()
        .api_key("k")
        .base_url(server.uri())
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client builds");
    let err = business_name(&client).await.unwrap_err();
    match &err {
        Error::RateLimited { retry_after, .. } => {
            assert_eq!(*retry_after, Some(std::time::Duration::from_secs(7)))
        }
        other => panic!("expected Error::RateLimited, got {other:?}"),
    }
}

#[tokio::test]
async fn marker_headers_sent_by_the_server_are_ignored() {
    // The client marks bodies it wrapped or cut with headers of its own; a server sending the same names
    // must not make a Partoo error body disappear or look cut.
    let route = format!("/business/{BUSINESS_ID}");
    let body = json!({"errors": {"authorization": "Operation not allowed"}});
    let response = json_response(403, &body)
        .insert_header("x-partoo-api-wrapped-body", "1")
        .insert_header("x-partoo-api-body-cut", "3");
    let (_server, client) = setup("GET", &route, response).await;
    let plain = business_name(&client).await.unwrap_err();
    let via_into_result = client
        .get_business()
        .business_id(BUSINESS_ID)
        .send()
        .into_result()
        .await
        .unwrap_err();
    for err in [plain, via_into_result] {
        match &err {
            Error::Api {
                status,
                body: details,
                raw,
                truncated,
                ..
            } => {
                assert_eq!(status.as_u16(), 403);
                assert_eq!(
                    details.messages(),
                    pairs(&[("authorization", "Operation not allowed")])
                );
                assert_eq!(serde_json::from_slice::<Value>(raw).expect("JSON"), body);
                assert!(!truncated, "not cut");
            }
            other => panic!("expected Error::Api, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn question_mark_on_a_plain_send_keeps_the_status_of_undocumented_errors() {
    let route = format!("/business/{BUSINESS_ID}");
    let response = ResponseTemplate::new(503).set_body_raw("<html>down</html>", "text/html");
    let (_server, client) = setup("GET", &route, response).await;
    let err = business_name(&client).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert!(err.is_retryable());
    match &err {
        Error::Api { raw, .. } => {
            assert_eq!(&raw[..], b"<html>down</html>", "the raw body is kept")
        }
        other => panic!("expected Error::Api, got {other:?}"),
    }
}

#[tokio::test]
async fn a_documented_error_with_a_non_json_body_keeps_status_and_body() {
    // 404 is declared (so progenitor decodes its body), but a proxy answered with HTML.
    let route = format!("/business/{BUSINESS_ID}");
    let response = ResponseTemplate::new(404).set_body_raw("<h1>Not Found</h1>", "text/html");
    let (_server, client) = setup("GET", &route, response).await;
    let plain = business_name(&client).await.unwrap_err();
    let via_into_result = client
        .get_business()
        .business_id(BUSINESS_ID)
        .send()
        .into_result()
        .await
        .unwrap_err();
    for err in [plain, via_into_result] {
        match &err {
            Error::Api {
                status, raw, body, ..
            } => {
                assert_eq!(status.as_u16(), 404);
                assert_eq!(&raw[..], b"<h1>Not Found</h1>");
                assert!(body.details.is_null(), "{body:?}");
            }
            other => panic!("expected Error::Api, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn question_mark_on_a_plain_send_succeeds() {
    let route = format!("/business/{BUSINESS_ID}");
    let body =
        json!({"id": BUSINESS_ID, "name": "Fleuriste Maison Lumière Rennes", "status": "open"});
    let (_server, client) = setup("GET", &route, json_response(200, &body)).await;
    assert_eq!(
        business_name(&client).await.unwrap(),
        "Fleuriste Maison Lumière Rennes"
    );
}

#[tokio::test]
async fn a_request_that_cannot_be_built_is_invalid_request() {
    let (server, client) = setup("GET", "/user/me", ResponseTemplate::new(200)).await;
    // business_id is required and was never set.
    let err = client
        .get_business()
        .send()
        .into_result()
        .await
        .unwrap_err();
    match &err {
        Error::InvalidRequest(message) => {
            assert!(
                message.contains("business_id was not initialized"),
                "{message}"
            );
        }
        other => panic!("expected Error::InvalidRequest, got {other:?}"),
    }
    assert_eq!(err.status(), None);
    assert!(server.received_requests().await.unwrap().is_empty());
}

/// A cut error body of invalid UTF-8 grows when its bytes become U+FFFD: after `?` on a plain `send()`,
/// `raw` held 300 bytes for a `max_error_body` of 100, and the message said "cut after 300 bytes".
#[tokio::test]
async fn question_mark_on_a_plain_send_keeps_a_cut_body_within_the_limit() {
    let route = format!("/business/{BUSINESS_ID}");
    // 500: documented (the `5XX` range), decoded by progenitor; 418: undocumented, handed back raw.
    for status in [500, 418] {
        let server = MockServer::builder().start().await;
        Mock::given(method("GET"))
            .and(path(route.as_str()))
            .respond_with(
                ResponseTemplate::new(status).set_body_raw(vec![0xFF_u8; 1000], "text/plain"),
            )
            .mount(&server)
            .await;
        let client = Client::builder()
            .api_key("k")
            .base_url(server.uri())
            .retry_policy(RetryPolicy::none())
            .max_error_body(100)
            .build()
            .expect("client builds");
        let err = business_name(&client).await.unwrap_err();
        let Error::Api { raw, truncated, .. } = &err else {
            panic!("{status}: expected Error::Api, got {err:?}");
        };
        assert!(*truncated, "{status}");
        assert!(raw.len() <= 100, "{status}: raw holds {} bytes", raw.len());
        assert!(
            std::str::from_utf8(raw).is_ok_and(|t| t.chars().all(|c| c == '\u{FFFD}')),
            "{status}: {raw:?}"
        );
        let text = err.to_string();
        assert!(
            text.contains(&format!("body cut after {} bytes", raw.len())),
            "{status}: {text}"
        );
    }
}

/// A request the HTTP layer refuses to build (a URL over its length limit) was never sent: it is the
/// request's fault, not the network's, and the 70 kB URL is not echoed.
#[tokio::test]
async fn a_request_the_http_layer_cannot_build_is_invalid_request() {
    let (server, client) = setup("GET", "/business/search", json_response(200, &json!({}))).await;
    let err = client
        .search_businesses()
        .city("a".repeat(70_000))
        .send()
        .into_result()
        .await
        .expect_err("the URL is too long");
    assert!(matches!(&err, Error::InvalidRequest(_)), "{err:?}");
    assert!(!err.is_retryable());
    let text = err.to_string();
    assert!(
        text.len() < 500 && text.contains("nothing was sent"),
        "{}",
        &text[..text.len().min(500)]
    );
    assert!(
        server
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty()
    );
}
