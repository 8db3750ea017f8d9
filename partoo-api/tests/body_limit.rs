//! Success bodies are capped at `ClientBuilder::max_body`: a `Content-Length` over it is refused before the
//! body is read, a chunked body is read up to it and no further, and the pages of a concurrent stream are
//! held to the same limit. The error names the operation and the limit.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

use futures_util::StreamExt;
use partoo_api::{Client, Error, Paginate, SendExt};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const LIMIT: usize = 4 * 1024;

fn client(base: &str, max_body: usize) -> Client {
    Client::builder()
        .api_key("k")
        .base_url(base)
        .max_body(max_body)
        .build()
        .expect("client builds")
}

/// A user whose JSON is about `size` bytes long (the padding is an extra field, ignored when decoding).
fn user(size: usize) -> String {
    json!({"email": "ada@example.com", "padding": "x".repeat(size)}).to_string()
}

async fn user_server(body: String) -> MockServer {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/user/me"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    server
}

fn assert_too_large(err: &Error, operation: &str, content_length: Option<u64>) {
    match err {
        Error::BodyTooLarge {
            operation: op,
            limit,
            content_length: announced,
        } => {
            assert_eq!(*op, operation);
            assert_eq!(*limit, LIMIT);
            assert_eq!(*announced, content_length);
            let message = err.to_string();
            assert!(
                message.contains(operation)
                    && message.contains(&format!("max_body limit of {LIMIT} bytes")),
                "{message}"
            );
        }
        other => panic!("expected Error::BodyTooLarge, got {other:?}"),
    }
}

#[tokio::test]
async fn a_content_length_over_the_limit_is_refused() {
    let body = user(2 * LIMIT);
    let length = body.len() as u64;
    let server = user_server(body).await;
    let client = client(&server.uri(), LIMIT);
    let err = client
        .get_my_user()
        .send()
        .into_result()
        .await
        .expect_err("over the limit");
    assert_too_large(&err, "get_my_user", Some(length));
    assert!(!err.is_retryable());
    // The same through `?` on a plain `send()`.
    let plain = client
        .get_my_user()
        .send()
        .await
        .expect_err("over the limit");
    assert_too_large(&Error::from(plain), "get_my_user", Some(length));
}

#[tokio::test]
async fn a_body_within_the_limit_decodes() {
    let server = user_server(user(LIMIT / 2)).await;
    let me = client(&server.uri(), LIMIT)
        .get_my_user()
        .send()
        .into_result()
        .await
        .expect("within the limit");
    assert_eq!(me.email.as_deref(), Some("ada@example.com"));
}

/// A loopback HTTP/1.1 server answering every request with `body`, chunked (no `Content-Length`), in
/// chunks of 1 KiB.
fn chunked_server(body: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut line = String::new();
            // The request head ends with an empty line; GET requests have no body.
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                line.clear();
            }
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n";
            if stream.write_all(head.as_bytes()).is_err() {
                continue;
            }
            for chunk in body.as_bytes().chunks(1024) {
                let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), chunk, b"\r\n"].concat();
                // The client may hang up once it has read enough.
                if stream.write_all(&framed).is_err() {
                    break;
                }
            }
            let _ = stream.write_all(b"0\r\n\r\n");
        }
    });
    format!("http://{address}")
}

#[tokio::test]
async fn a_chunked_body_is_cut_off_at_the_limit() {
    let base = chunked_server(user(64 * LIMIT));
    let err = client(&base, LIMIT)
        .get_my_user()
        .send()
        .into_result()
        .await
        .expect_err("over the limit");
    assert_too_large(&err, "get_my_user", None);

    let base = chunked_server(user(LIMIT / 2));
    let me = client(&base, LIMIT)
        .get_my_user()
        .send()
        .into_result()
        .await
        .expect("a chunked body within the limit decodes");
    assert_eq!(me.email.as_deref(), Some("ada@example.com"));
}

#[tokio::test]
async fn a_page_over_the_limit_ends_a_concurrent_stream() {
    let server = MockServer::builder().start().await;
    for n in 1..=4 {
        let mut page = json!({"page": n, "max_page": 4, "businesses": [{"id": format!("b{n}")}]});
        if n == 3 {
            page["businesses"][0]["name"] = Value::String("x".repeat(2 * LIMIT));
        }
        Mock::given(method("GET"))
            .and(path("/business/search"))
            .and(query_param("page", n.to_string()))
            .respond_with(
                ResponseTemplate::new(200).set_body_raw(page.to_string(), "application/json"),
            )
            .mount(&server)
            .await;
    }
    let results: Vec<_> = client(&server.uri(), LIMIT)
        .search_businesses()
        .pages()
        .concurrency(3)
        .stream()
        .collect()
        .await;
    assert_eq!(results.len(), 3, "{results:?}");
    assert!(results[..2].iter().all(Result::is_ok));
    match &results[2] {
        Err(err) => assert!(
            matches!(
                err,
                Error::BodyTooLarge {
                    operation: "search_businesses",
                    limit: LIMIT,
                    content_length: Some(_),
                }
            ),
            "{err:?}"
        ),
        Ok(page) => panic!("page {} came through", page.number),
    }
}

#[tokio::test]
async fn a_zero_body_limit_is_refused() {
    let err = Client::builder()
        .api_key("k")
        .max_body(0)
        .build()
        .expect_err("refused");
    assert!(err.to_string().contains("max_body"), "{err}");
}
