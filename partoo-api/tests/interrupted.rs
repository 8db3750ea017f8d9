//! A body that breaks off after its status arrived keeps that status: the request reached Partoo (a POST
//! was processed). It used to be a retryable `Transport` error ("could not reach Partoo") without a status.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use partoo_api::{Client, Error, RetryPolicy, SendExt};

/// A loopback server that answers each request with `head` (status line and headers, `Content-Length: 100`)
/// and `sent`, the start of the body, then waits `linger` and closes the connection. Returns its base URL
/// and the count of requests it read.
fn breaking_server(
    head: &'static str,
    sent: &'static str,
    linger: Duration,
) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    let seen = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&seen);
    std::thread::spawn(move || {
        // A few connections at most: the tests make one request each (two for the plain-send case).
        for stream in listener.incoming().take(8) {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut line = String::new();
            let mut length = 0_usize;
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap_or(0);
                }
                line.clear();
            }
            let mut body = vec![0_u8; length];
            let _ = reader.read_exact(&mut body);
            count.fetch_add(1, Ordering::SeqCst);
            let answer = format!("{head}content-length: 100\r\nconnection: close\r\n\r\n{sent}");
            let _ = stream.write_all(answer.as_bytes());
            let _ = stream.flush();
            std::thread::sleep(linger);
        }
    });
    (format!("http://{address}"), seen)
}

fn client(base: &str, timeout: Duration) -> Client {
    Client::builder()
        .api_key("k")
        .base_url(base)
        .timeout(timeout)
        .retry_policy(
            RetryPolicy::default().with_delays(Duration::from_millis(1), Duration::from_millis(5)),
        )
        .build()
        .expect("client builds")
}

fn org() -> partoo_api::types::CreateOrganizationBody {
    serde_json::from_value(serde_json::json!({"name": "Maison Lumière"})).expect("a valid body")
}

fn expect_interrupted(err: &Error, want: u16, want_received: usize) -> bool {
    match err {
        Error::BodyInterrupted {
            status,
            received,
            raw,
            ..
        } => {
            assert_eq!(status.as_u16(), want, "{err}");
            assert_eq!(*received, want_received, "{err}");
            assert_eq!(raw.len(), want_received, "{err}");
            true
        }
        other => panic!("expected Error::BodyInterrupted, got {other:?}"),
    }
}

#[tokio::test]
async fn a_post_whose_200_body_breaks_off_is_processed_and_not_retryable() {
    let (base, seen) = breaking_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n",
        "{\"org_id\":",
        Duration::ZERO,
    );
    let client = client(&base, Duration::from_secs(5));
    let err = client
        .create_organization()
        .body(org())
        .send()
        .into_result()
        .await
        .expect_err("the body is cut");
    expect_interrupted(&err, 200, 10);
    assert!(!err.is_retryable(), "a processed POST is not retryable");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
    let text = err.to_string();
    assert!(
        text.contains("200 OK") && text.contains("processed"),
        "{text}"
    );
    if let Error::BodyInterrupted { raw, .. } = &err {
        assert_eq!(&raw[..], b"{\"org_id\":");
    }
    // Through `?` on a plain `send()` too.
    let err: Error = client
        .create_organization()
        .body(org())
        .send()
        .await
        .expect_err("the body is cut")
        .into();
    expect_interrupted(&err, 200, 10);
    assert_eq!(seen.load(Ordering::SeqCst), 2, "each POST was sent once");
}

#[tokio::test]
async fn a_500_whose_body_breaks_off_keeps_its_status() {
    let (base, _) = breaking_server(
        "HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/html\r\n",
        "<html>",
        Duration::ZERO,
    );
    let err = client(&base, Duration::from_secs(5))
        .get_my_user()
        .send()
        .into_result()
        .await
        .expect_err("the body is cut");
    expect_interrupted(&err, 500, 6);
    assert!(err.is_retryable(), "a 5xx is retryable, as Error::Api");
}

#[tokio::test]
async fn a_body_that_outlasts_the_timeout_keeps_its_status() {
    let (base, _) = breaking_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n",
        "{\"em",
        Duration::from_secs(6),
    );
    // Seconds, not milliseconds: a loaded machine may take a while to accept and send the headers, and the
    // status must have arrived before the timeout.
    let err = client(&base, Duration::from_secs(2))
        .get_my_user()
        .send()
        .into_result()
        .await
        .expect_err("the body does not arrive in time");
    expect_interrupted(&err, 200, 4);
    match &err {
        Error::BodyInterrupted { source, .. } => assert!(source.is_timeout(), "{source:?}"),
        other => panic!("{other:?}"),
    }
}

/// The start of a broken-off body is kept in the error: a key echoed in it is replaced there, as in any
/// error body (a 2xx body is not read by the hooks that scrub error bodies).
#[tokio::test]
async fn a_key_echoed_before_the_body_breaks_off_is_replaced() {
    const KEY: &str = "sk_live_SECRET_1234";
    let (base, _) = breaking_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n",
        "{\"echo\": \"sk_live_SECRET_1234\", ",
        Duration::ZERO,
    );
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&base)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client builds");
    let err = client
        .get_my_user()
        .send()
        .into_result()
        .await
        .expect_err("the body is cut");
    let Error::BodyInterrupted { raw, received, .. } = &err else {
        panic!("expected Error::BodyInterrupted, got {err:?}");
    };
    assert_eq!(*received, 32, "{err:?}");
    assert_eq!(&raw[..], b"{\"echo\": \"[API key]\", ");
    for shown in [err.to_string(), format!("{err:?}")] {
        assert!(!shown.contains("SECRET"), "{shown}");
    }
}
