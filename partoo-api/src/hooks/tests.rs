//! The hook's capture of an undeclared 2xx: its body is kept (cut at the error body limit) and the outcome is
//! [`Error::UnexpectedSuccess`], on a plain `send()` and through [`crate::SendExt::into_result`].

use bytes::Bytes;
use futures_util::StreamExt;
use serde_json::Value;

use super::capture;
use crate::{Error, GeneratedError, ResponseValue, SendExt};

const BODY: &[u8] = br#"{"job_id": "8f2c", "state": "queued"}"#;
/// What a generated operation documenting `200` and `201` (two different bodies) accepts.
const DECLARED: &[(u16, u16)] = &[(200, 200), (201, 201)];

/// A response whose body is not in memory yet: its one chunk comes after a yield, so it cannot be read
/// without awaiting (as with a body still on the network).
fn streaming(status: u16, body: &'static [u8]) -> reqwest::Response {
    let chunk = futures_util::stream::once(async move {
        tokio::task::yield_now().await;
        Ok::<_, std::io::Error>(Bytes::from_static(body))
    })
    .boxed();
    let response = http::Response::builder()
        .status(status)
        .body(reqwest::Body::wrap_stream(chunk))
        .expect("a valid response");
    reqwest::Response::from(response)
}

fn assert_unexpected_success(err: &Error, raw_expected: &[u8], truncated_expected: bool) {
    match err {
        Error::UnexpectedSuccess {
            status,
            raw,
            truncated,
        } => {
            assert_eq!(status.as_u16(), 202);
            assert_eq!(raw.as_ref(), raw_expected);
            assert_eq!(*truncated, truncated_expected);
        }
        other => panic!("expected Error::UnexpectedSuccess, got {other:?}"),
    }
    assert!(!err.is_retryable(), "a processed request is not retried");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(202));
    let text = err.to_string();
    assert!(text.contains("do not repeat it"), "{text}");
}

#[tokio::test]
async fn an_undeclared_2xx_keeps_its_body_after_a_plain_send() {
    let response = capture(streaming(202, BODY), 1024, b"", DECLARED)
        .await
        .expect("captured");
    let err = Error::from(GeneratedError::UnexpectedResponse(response));
    assert_unexpected_success(&err, BODY, false);
    assert!(err.to_string().contains("queued"), "{err}");
}

#[tokio::test]
async fn an_undeclared_2xx_keeps_its_body_through_into_result_cut_at_the_limit() {
    let exchange = async {
        let response = capture(streaming(202, BODY), 8, b"", DECLARED)
            .await
            .expect("captured");
        Err::<ResponseValue<Value>, _>(GeneratedError::UnexpectedResponse(response))
    };
    let err = exchange.into_result().await.expect_err("not a success");
    assert_unexpected_success(&err, &BODY[..8], true);
    assert!(err.to_string().contains("body cut after 8 bytes"), "{err}");
}

#[tokio::test]
async fn a_declared_2xx_body_is_left_to_progenitor_whole() {
    // Not buffered, so not cut at the error body limit either.
    let response = capture(streaming(201, BODY), 8, b"", DECLARED)
        .await
        .expect("captured");
    assert_eq!(response.bytes().await.expect("the body").as_ref(), BODY);
}
