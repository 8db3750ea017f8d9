//! Page streams over `search_businesses` against a mock with three fixture pages (cursor streams:
//! `pagination_cursor.rs`).

use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use partoo_api::{Client, Error, Paginate, PaginationStop, RetryPolicy};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PAGES: [&str; 3] = [
    include_str!("fixtures/businesses_page_1.json"),
    include_str!("fixtures/businesses_page_2.json"),
    include_str!("fixtures/businesses_page_3.json"),
];

fn page_json(n: usize) -> Value {
    serde_json::from_str(PAGES[n - 1]).expect("fixture is JSON")
}

/// The 90 business ids of the fixtures, in order.
fn fixture_ids() -> Vec<String> {
    (1..=3)
        .flat_map(|n| {
            page_json(n)["businesses"]
                .as_array()
                .expect("businesses")
                .iter()
                .map(|b| b["id"].as_str().expect("id").to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

async fn mount_page(server: &MockServer, page: &str, response: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path("/business/search"))
        .and(query_param("page", page))
        .respond_with(response)
        .mount(server)
        .await;
}

fn json(body: &Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.to_string(), "application/json")
}

/// A server with the three fixture pages (`max_page: 3`).
async fn three_pages() -> MockServer {
    let server = MockServer::builder().start().await;
    for (n, page) in PAGES.iter().enumerate() {
        let response = ResponseTemplate::new(200).set_body_raw(*page, "application/json");
        mount_page(&server, &(n + 1).to_string(), response).await;
    }
    server
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .api_key("k")
        .base_url(server.uri())
        .retry_policy(
            RetryPolicy::default().with_delays(Duration::from_millis(1), Duration::from_millis(5)),
        )
        .build()
        .expect("client builds")
}

/// The `page` query value of every request, in arrival order.
async fn pages_requested(server: &MockServer) -> Vec<String> {
    let requests = server.received_requests().await.expect("recording is on");
    requests
        .iter()
        .map(|r| {
            r.url
                .query_pairs()
                .find(|(k, _)| k == "page")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        })
        .collect()
}

fn ids(items: &[partoo_api::types::Business]) -> Vec<String> {
    items
        .iter()
        .map(|b| b.id.clone().unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn items_walks_three_pages_in_order() {
    let server = three_pages().await;
    let client = client(&server);
    let items: Vec<_> = client
        .search_businesses()
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items.len(), 90);
    assert_eq!(ids(&items), fixture_ids());
    assert_eq!(
        items[0].name.as_deref(),
        Some("Boulangerie Maison Lumière Paris")
    );
    assert_eq!(pages_requested(&server).await, ["1", "2", "3"]);
}

#[tokio::test]
async fn concurrency_one_and_four_give_the_same_items_in_order() {
    for concurrency in [1, 4] {
        let server = three_pages().await;
        let client = client(&server);
        let items: Vec<_> = client
            .search_businesses()
            .pages()
            .concurrency(concurrency)
            .items()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(ids(&items), fixture_ids(), "concurrency {concurrency}");
        let mut requested = pages_requested(&server).await;
        assert_eq!(requested[0], "1", "the first page is fetched alone");
        requested.sort();
        assert_eq!(requested, ["1", "2", "3"], "concurrency {concurrency}");
    }
}

#[tokio::test]
async fn concurrent_pages_overlap_and_still_come_out_in_order() {
    // max_page 5; page 2 is the slowest, so with overlap it finishes last but must still come out second.
    let server = MockServer::builder().start().await;
    for n in 1..=5 {
        let mut page = page_json(if n <= 3 { n } else { n - 3 });
        if n > 3 {
            // Pages 4 and 5 reuse the fixtures of pages 1 and 2 under other ids: a page repeating an earlier
            // one would stop the stream.
            for business in page["businesses"].as_array_mut().expect("businesses") {
                business["id"] = json!(format!("{}-p{n}", business["id"].as_str().expect("id")));
            }
        }
        page["page"] = json!(n);
        page["max_page"] = json!(5);
        let delay = match n {
            1 => 0,
            2 => 1_500,
            _ => 1_000,
        };
        let response = json(&page).set_delay(Duration::from_millis(delay));
        mount_page(&server, &n.to_string(), response).await;
    }
    let client = client(&server);
    let started = std::time::Instant::now();
    let pages: Vec<_> = client
        .search_businesses()
        .pages()
        .concurrency(4)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let elapsed = started.elapsed();
    let numbers: Vec<_> = pages.iter().map(|p| p.number).collect();
    assert_eq!(numbers, [1, 2, 3, 4, 5]);
    assert_eq!(ids(&pages[1].items), fixture_ids()[30..60].to_vec());
    // One at a time would take 1.5 + 3 × 1 = 4.5 s; overlapping, about 1.5 s. The bound leaves a loaded
    // machine 1.5 s of stalls.
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
}

#[tokio::test]
async fn the_page_stream_reports_numbers_and_max_page() {
    let server = three_pages().await;
    let client = client(&server);
    let pages: Vec<_> = client
        .search_businesses()
        .pages()
        .concurrency(2)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let summary: Vec<_> = pages
        .iter()
        .map(|p| (p.number, p.max_page, p.count, p.items.len()))
        .collect();
    assert_eq!(
        summary,
        [
            (1, Some(3), Some(90), 30),
            (2, Some(3), Some(90), 30),
            (3, Some(3), Some(90), 30)
        ]
    );
}

#[tokio::test]
async fn filters_are_sent_with_every_page_and_start_at_skips_pages() {
    let server = MockServer::builder().start().await;
    for n in 2..=3 {
        let response = json(&page_json(n));
        Mock::given(method("GET"))
            .and(path("/business/search"))
            .and(query_param("page", n.to_string()))
            .and(query_param("city", "Lyon"))
            .and(query_param("status", "open"))
            .respond_with(response)
            .mount(&server)
            .await;
    }
    let client = client(&server);
    let request = client
        .search_businesses()
        .city("Lyon")
        .status(partoo_api::types::SearchBusinessesStatus::Open);
    let items: Vec<_> = request
        .pages()
        .start_at(2)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&items), fixture_ids()[30..].to_vec());
    assert_eq!(pages_requested(&server).await, ["2", "3"]);
}

#[tokio::test]
async fn an_empty_page_ends_the_stream_when_max_page_is_absent() {
    for concurrency in [1, 4] {
        let server = MockServer::builder().start().await;
        let mut first = page_json(1);
        first.as_object_mut().expect("object").remove("max_page");
        mount_page(&server, "1", json(&first)).await;
        mount_page(
            &server,
            "2",
            json(&json!({"page": 2, "count": 30, "businesses": []})),
        )
        .await;
        mount_page(&server, "3", json(&page_json(3))).await;
        let client = client(&server);
        let items: Vec<_> = client
            .search_businesses()
            .pages()
            .concurrency(concurrency)
            .items()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(items.len(), 30);
        assert_eq!(pages_requested(&server).await, ["1", "2"]);
    }
}

/// Answers `?page=N` with page N of a list that never ends: the page echoed, one business `bN`, and
/// `max_page` as given (`None`: absent).
struct Endless {
    max_page: Option<i64>,
}

impl wiremock::Respond for Endless {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let page: i64 = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "page")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(1);
        let mut body =
            json!({"page": page, "count": 1_000_000, "businesses": [{"id": format!("b{page}")}]});
        if let Some(max) = self.max_page {
            body["max_page"] = json!(max);
        }
        json(&body)
    }
}

async fn endless(max_page: Option<i64>) -> MockServer {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/business/search"))
        .respond_with(Endless { max_page })
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_server_that_never_ends_stops_at_max_pages() {
    let server = endless(None).await;
    let client = client(&server);
    let results: Vec<_> = client
        .search_businesses()
        .pages()
        .max_pages(5)
        .items()
        .collect()
        .await;
    assert_eq!(results.len(), 5 + 1);
    assert!(results[..5].iter().all(Result::is_ok));
    match &results[5] {
        Err(
            e @ Error::Pagination {
                operation: "search_businesses",
                page: 6,
                reason: PaginationStop::MaxPages { limit: 5 },
            },
        ) => {
            let message = e.to_string();
            assert!(message.contains("cap of 5 pages"), "{message}");
        }
        other => panic!("expected Error::Pagination, got {other:?}"),
    }
    assert_eq!(pages_requested(&server).await, ["1", "2", "3", "4", "5"]);
}

#[tokio::test]
async fn a_max_page_beyond_max_pages_stops_concurrent_streams_too() {
    let server = endless(Some(100)).await;
    let client = client(&server);
    let pages: Vec<_> = client
        .search_businesses()
        .pages()
        .concurrency(4)
        .max_pages(5)
        .stream()
        .collect()
        .await;
    assert_eq!(pages.len(), 6);
    let numbers: Vec<_> = pages[..5]
        .iter()
        .map(|p| p.as_ref().map(|p| p.number).unwrap())
        .collect();
    assert_eq!(numbers, [1, 2, 3, 4, 5]);
    assert!(
        matches!(
            &pages[5],
            Err(Error::Pagination {
                reason: PaginationStop::MaxPages { limit: 5 },
                ..
            })
        ),
        "{:?}",
        pages[5]
    );
    let mut requested = pages_requested(&server).await;
    requested.sort();
    assert_eq!(requested, ["1", "2", "3", "4", "5"]);
}

#[tokio::test]
async fn an_error_on_page_two_ends_the_stream_with_that_error() {
    for concurrency in [1, 4] {
        let server = MockServer::builder().start().await;
        mount_page(&server, "1", json(&page_json(1))).await;
        let bad = ResponseTemplate::new(400)
            .set_body_json(json!({"errors": {"json": {"page": ["Not a valid integer."]}}}));
        mount_page(&server, "2", bad).await;
        mount_page(&server, "3", json(&page_json(3))).await;
        let client = client(&server);
        let results: Vec<_> = client
            .search_businesses()
            .pages()
            .concurrency(concurrency)
            .items()
            .collect()
            .await;
        assert_eq!(results.len(), 31, "concurrency {concurrency}");
        assert!(results[..30].iter().all(Result::is_ok));
        match &results[30] {
            Err(Error::Api { status, body, .. }) => {
                assert_eq!(status.as_u16(), 400);
                assert_eq!(body.messages()[0].1, "Not a valid integer.");
            }
            other => panic!("expected Error::Api, got {other:?}"),
        }
        if concurrency == 1 {
            assert_eq!(pages_requested(&server).await, ["1", "2"]);
        }
    }
}

#[tokio::test]
async fn a_page_that_fails_once_is_retried_inside_the_stream() {
    let server = MockServer::builder().start().await;
    mount_page(&server, "1", json(&page_json(1))).await;
    Mock::given(method("GET"))
        .and(path("/business/search"))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_page(&server, "2", json(&page_json(2))).await;
    mount_page(&server, "3", json(&page_json(3))).await;
    let items: Vec<_> = client(&server)
        .search_businesses()
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&items), fixture_ids());
    assert_eq!(pages_requested(&server).await, ["1", "2", "2", "3"]);
}
