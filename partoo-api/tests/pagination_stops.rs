//! A server that does not advance stops a stream at once with `Error::Pagination` naming the operation and
//! the page (the echoed page differs, the items repeat, a cursor comes back); the page cap is a client
//! setting; a stream starts at the operation's first page.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use partoo_api::pagination::PageRequest;
use partoo_api::types::PartooError;
use partoo_api::{
    Client, Error, GeneratedError, Paginate, PaginateCursor, PaginationStop, ResponseValue,
    RetryPolicy,
};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn json_response(body: &Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.to_string(), "application/json")
}

fn query(request: &Request, key: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// `search_businesses` pages as `answer(requested page)` builds them.
struct Pages<F>(F);

impl<F: Fn(i64) -> Value + Send + Sync + 'static> Respond for Pages<F> {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let page = query(request, "page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1);
        json_response(&(self.0)(page))
    }
}

async fn server(answer: impl Fn(i64) -> Value + Send + Sync + 'static) -> MockServer {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/business/search"))
        .respond_with(Pages(answer))
        .mount(&server)
        .await;
    server
}

fn client_with(server: &MockServer, max_pages: Option<u32>) -> Client {
    let mut builder = Client::builder()
        .api_key("k")
        .base_url(server.uri())
        .retry_policy(
            RetryPolicy::default().with_delays(Duration::from_millis(1), Duration::from_millis(5)),
        );
    if let Some(n) = max_pages {
        builder = builder.max_pages(n);
    }
    builder.build().expect("client builds")
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.expect("recording").len()
}

fn business(id: &str) -> Value {
    json!({"id": id, "name": format!("Business {id}")})
}

/// The last result must be this pagination stop, every result before it a page.
fn assert_stopped<T: std::fmt::Debug>(
    results: &[Result<T, Error>],
    page: i64,
    reason: &PaginationStop,
) -> String {
    let (last, before) = results.split_last().expect("results");
    assert!(before.iter().all(Result::is_ok), "{results:?}");
    match last {
        Err(
            e @ Error::Pagination {
                operation: "search_businesses",
                page: p,
                reason: r,
            },
        ) if *p == page && r == reason => e.to_string(),
        other => panic!("expected the stop at page {page} ({reason:?}), got {other:?}"),
    }
}

#[tokio::test]
async fn a_server_answering_page_one_forever_is_stopped_at_page_two() {
    // Page 1 whatever was asked, with `max_page: null`: before, ~10 000 requests until the cap.
    let answer = |_| json!({"page": 1, "max_page": null, "businesses": [business("a")]});
    let server = server(answer).await;
    let results: Vec<_> = client_with(&server, None)
        .search_businesses()
        .pages()
        .stream()
        .collect()
        .await;
    assert_eq!(results.len(), 2, "{results:?}");
    let message = assert_stopped(&results, 2, &PaginationStop::PageMismatch { echoed: 1 });
    assert_eq!(
        message,
        "search_businesses: pagination stopped at page 2: the server answered page 1 instead, so it is not advancing"
    );
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn a_wrong_echo_stops_a_concurrent_stream_too() {
    let answer = |n: i64| {
        let echoed = if n == 3 { 1 } else { n };
        json!({"page": echoed, "max_page": 40, "businesses": [business(&format!("b{n}"))]})
    };
    let server = server(answer).await;
    let results: Vec<_> = client_with(&server, None)
        .search_businesses()
        .pages()
        .concurrency(4)
        .stream()
        .collect()
        .await;
    assert_eq!(results.len(), 3, "{results:?}");
    assert_stopped(&results, 3, &PaginationStop::PageMismatch { echoed: 1 });
    // Pages 1..=3, and at most the window's span (pages up to 2 × 4 − 1 past page 3, which is checked
    // when it is decoded) before the error cancels the rest: never the ~40 pages `max_page` announces.
    let sent = requests(&server).await;
    assert!(sent < 3 + 2 * 4, "{sent} requests");
}

#[tokio::test]
async fn repeated_items_stop_the_stream_at_the_repeating_page() {
    for concurrency in [1, 4] {
        // The page number is echoed, but every page holds the same businesses.
        let answer = |n: i64| json!({"page": n, "max_page": 40, "businesses": [business("a"), business("b")]});
        let server = server(answer).await;
        let results: Vec<_> = client_with(&server, None)
            .search_businesses()
            .pages()
            .concurrency(concurrency)
            .stream()
            .collect()
            .await;
        assert_eq!(results.len(), 2, "concurrency {concurrency}: {results:?}");
        let message = assert_stopped(&results, 2, &PaginationStop::RepeatedItems { previous: 1 });
        assert!(message.contains("repeat those of page 1"), "{message}");
        let sent = requests(&server).await;
        if concurrency == 1 {
            assert_eq!(sent, 2);
        } else {
            assert!(sent < 2 + 2 * 4, "{sent} requests");
        }
    }
}

#[tokio::test]
async fn pages_that_cycle_are_stopped_at_the_first_page_seen_again() {
    // Pages alternate between two sets of items and echo the page asked, without `max_page`: comparing each
    // page with the one before only, the stream ran to the page cap, every item delivered once a cycle.
    let answer = |n: i64| {
        let id = if n % 2 == 1 { "a" } else { "b" };
        json!({"page": n, "max_page": null, "businesses": [business(id)]})
    };
    let server = server(answer).await;
    let results: Vec<_> = client_with(&server, Some(50))
        .search_businesses()
        .pages()
        .stream()
        .collect()
        .await;
    assert_eq!(results.len(), 3, "stopped after {} results", results.len());
    assert_stopped(&results, 3, &PaginationStop::RepeatedItems { previous: 1 });
    assert_eq!(requests(&server).await, 3);
}

#[tokio::test]
async fn pages_that_differ_only_in_their_number_are_not_repeats() {
    let answer =
        |n: i64| json!({"page": n, "max_page": 3, "businesses": [business(&format!("b{n}"))]});
    let server = server(answer).await;
    let items: Vec<_> = client_with(&server, None)
        .search_businesses()
        .pages()
        .concurrency(2)
        .items()
        .try_collect()
        .await
        .expect("three distinct pages");
    assert_eq!(items.len(), 3);
}

#[tokio::test]
async fn raw_pages_that_differ_only_in_undeclared_fields_are_not_repeats() {
    // `uid` is no field of `Business`: typed, every page is `[{}]`, and the repeat check compared those, so a
    // raw stream (whose point is the undeclared fields) stopped at page 2 and lost pages 2 and 3.
    let answer =
        |n: i64| json!({"page": n, "max_page": 3, "businesses": [{"uid": format!("b{n}")}]});
    let distinct = server(answer).await;
    for concurrency in [1, 2] {
        let items: Vec<_> = client_with(&distinct, None)
            .search_businesses()
            .pages()
            .concurrency(concurrency)
            .raw_items()
            .try_collect()
            .await
            .expect("three distinct pages");
        let items: Vec<&str> = items.iter().map(|item| item.get()).collect();
        assert_eq!(
            items,
            [r#"{"uid":"b1"}"#, r#"{"uid":"b2"}"#, r#"{"uid":"b3"}"#]
        );
    }
    // The same page twice is still a repeat.
    let same = server(|_| json!({"max_page": 3, "businesses": [{"uid": "b1"}]})).await;
    let client = client_with(&same, None);
    let stream = client.search_businesses().raw_items();
    let result: Result<Vec<_>, _> = stream.try_collect().await;
    assert!(
        matches!(
            result,
            Err(Error::Pagination {
                page: 2,
                reason: PaginationStop::RepeatedItems { previous: 1 },
                ..
            })
        ),
        "{result:?}"
    );
}

#[tokio::test]
async fn the_client_sets_the_page_cap_and_a_stream_overrides_it() {
    let answer =
        |n: i64| json!({"page": n, "max_page": null, "businesses": [business(&format!("b{n}"))]});
    let server = server(answer).await;
    let client = client_with(&server, Some(3));
    let results: Vec<_> = client.search_businesses().pages().stream().collect().await;
    assert_eq!(results.len(), 4);
    assert_stopped(&results, 4, &PaginationStop::MaxPages { limit: 3 });
    assert_eq!(requests(&server).await, 3);

    let results: Vec<_> = client
        .search_businesses()
        .pages()
        .max_pages(5)
        .stream()
        .collect()
        .await;
    assert_eq!(results.len(), 6);
    assert_stopped(&results, 6, &PaginationStop::MaxPages { limit: 5 });
}

#[tokio::test]
async fn a_zero_page_cap_is_refused() {
    let err = Client::builder()
        .api_key("k")
        .max_pages(0)
        .build()
        .expect_err("refused");
    assert!(err.to_string().contains("max_pages"), "{err}");
}

/// Conversations by cursor, forever: the first page, then alternately the second and the first fixture
/// page, each with a fresh cursor and fresh conversation ids (a page repeating an earlier one would stop the
/// stream before the cap).
struct Conversations;

impl Respond for Conversations {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let n: u32 = query(request, "cursor")
            .and_then(|c| c.trim_start_matches('c').parse().ok())
            .unwrap_or(0);
        let name = if n.is_multiple_of(2) {
            "page_1"
        } else {
            "page_2"
        };
        let file = format!(
            "{}/tests/fixtures/current/conversations_{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&file).expect("fixture");
        let mut body: Value = serde_json::from_str(&text).expect("fixture JSON");
        body["next_cursor"] = json!(format!("c{}", n + 1));
        for (i, conversation) in body["conversations"]
            .as_array_mut()
            .expect("conversations")
            .iter_mut()
            .enumerate()
        {
            conversation["id"] = json!(u64::from(n) * 100 + i as u64);
        }
        json_response(&body)
    }
}

#[tokio::test]
async fn cursor_streams_follow_the_client_page_cap() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/conversations"))
        .respond_with(Conversations)
        .mount(&server)
        .await;
    let client = client_with(&server, Some(3));
    let results: Vec<_> = client.list_conversations().cursor_pages().collect().await;
    assert_eq!(results.len(), 4, "{results:?}");
    match &results[3] {
        Err(Error::Pagination {
            operation: "list_conversations",
            page: 4,
            reason: PaginationStop::MaxPages { limit: 3 },
        }) => {}
        other => panic!("expected the cap, got {other:?}"),
    }
    assert_eq!(requests(&server).await, 3);
}

/// Pages `FIRST_PAGE..=2` of an in-memory operation counting from 0, recording the pages asked for.
#[derive(Clone, Default)]
struct ZeroBased {
    page: i64,
    asked: Arc<Mutex<Vec<i64>>>,
}

#[derive(Debug, serde::Deserialize)]
struct ZeroPage {
    page: i64,
    max_page: i64,
    items: Vec<i64>,
}

impl<'a> PageRequest<'a> for ZeroBased {
    const OPERATION: &'static str = "zero_based";
    const FIRST_PAGE: i64 = 0;
    type Page = ZeroPage;
    type Item = i64;

    fn with_page(mut self, page: i64) -> Self {
        self.page = page;
        self
    }

    async fn send_page(self) -> Result<ResponseValue<ZeroPage>, GeneratedError<PartooError>> {
        self.asked.lock().expect("not poisoned").push(self.page);
        let body = ZeroPage {
            page: self.page,
            max_page: 2,
            items: vec![self.page * 10],
        };
        Ok(ResponseValue::new(
            body,
            reqwest::StatusCode::OK,
            reqwest::header::HeaderMap::new(),
        ))
    }

    fn page_numbers(page: &ZeroPage) -> (Option<i64>, Option<i64>) {
        (Some(page.page), Some(page.max_page))
    }

    fn into_items(page: ZeroPage) -> Vec<i64> {
        page.items
    }
}

#[tokio::test]
async fn a_stream_starts_at_the_operations_first_page_unless_told_otherwise() {
    let request = ZeroBased::default();
    let items: Vec<i64> = request.clone().items().try_collect().await.expect("pages");
    assert_eq!(items, [0, 10, 20], "page 0 is not skipped");
    assert_eq!(*request.asked.lock().expect("not poisoned"), [0, 1, 2]);

    let request = ZeroBased::default();
    let items: Vec<i64> = request
        .clone()
        .pages()
        .start_at(1)
        .items()
        .try_collect()
        .await
        .expect("pages");
    assert_eq!(items, [10, 20]);
}

/// Conversations whose `next_cursor` is always `c0`, with fresh ids on every answer (so only the cursor
/// check can see that the server does not advance).
struct BackToC0(std::sync::atomic::AtomicU64);

impl Respond for BackToC0 {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let file = format!(
            "{}/tests/fixtures/current/conversations_page_1.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&file).expect("fixture");
        let mut body: Value = serde_json::from_str(&text).expect("fixture JSON");
        body["next_cursor"] = json!("c0");
        for (i, conversation) in body["conversations"]
            .as_array_mut()
            .expect("conversations")
            .iter_mut()
            .enumerate()
        {
            conversation["id"] = json!(n * 100 + i as u64);
        }
        json_response(&body)
    }
}

#[tokio::test]
async fn a_cursor_the_caller_set_counts_as_followed() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/conversations"))
        .respond_with(BackToC0(0.into()))
        .mount(&server)
        .await;
    let client = client_with(&server, None);
    let results: Vec<_> = client
        .list_conversations()
        .cursor("c0")
        .cursor_pages()
        .collect()
        .await;
    assert_eq!(results.len(), 2, "{results:?}");
    assert!(results[0].is_ok(), "{:?}", results[0]);
    match &results[1] {
        Err(Error::Pagination {
            operation: "list_conversations",
            page: 1,
            reason: PaginationStop::RepeatedCursor { cursor },
        }) if cursor == "c0" => {}
        other => panic!("expected the repeated cursor after page 1, got {other:?}"),
    }
    assert_eq!(requests(&server).await, 1, "c0 must not be asked for twice");
}
