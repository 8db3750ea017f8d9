//! Raw item streams (`Pages::raw_items`, `CursorPages::raw_items`): each item as the server sent it, fields
//! outside the spec included, under the same requests, checks and stops as the typed streams.

use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use partoo_api::pagination::PageRequest;
use partoo_api::types::PartooError;
use partoo_api::{
    Client, Error, GeneratedError, Paginate, PaginateCursor, PaginationStop, ResponseValue,
    RetryPolicy,
};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PAGES: [&str; 3] = [
    include_str!("fixtures/businesses_page_1.json"),
    include_str!("fixtures/businesses_page_2.json"),
    include_str!("fixtures/businesses_page_3.json"),
];

/// `page` with a field the spec does not declare added to every item of its `key` array.
fn with_undeclared_fields(mut page: Value, key: &str) -> Value {
    for (n, item) in page[key]
        .as_array_mut()
        .expect("items")
        .iter_mut()
        .enumerate()
    {
        item["x_not_in_spec"] = json!({"n": n, "score": 2.50, "tags": ["a"]});
    }
    page
}

/// The three fixture pages, each item with an undeclared field.
fn pages() -> Vec<Value> {
    PAGES
        .iter()
        .map(|p| serde_json::from_str(p).expect("fixture is JSON"))
        .map(|p| with_undeclared_fields(p, "businesses"))
        .collect()
}

/// Every item of `pages` under `key`, as compact JSON text.
fn item_texts(pages: &[Value], key: &str) -> Vec<String> {
    pages
        .iter()
        .flat_map(|p| p[key].as_array().expect("items").clone())
        .map(|item| item.to_string())
        .collect()
}

fn respond(text: String) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(text, "application/json")
}

async fn serve_pages(pages: &[Value]) -> MockServer {
    let server = MockServer::builder().start().await;
    for (n, page) in pages.iter().enumerate() {
        Mock::given(method("GET"))
            .and(path("/business/search"))
            .and(query_param("page", (n + 1).to_string()))
            .respond_with(respond(page.to_string()))
            .mount(&server)
            .await;
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

#[tokio::test]
async fn raw_items_keep_undeclared_fields_sequential_and_concurrent() {
    let pages = pages();
    let server = serve_pages(&pages).await;
    let client = client(&server);
    let expected = item_texts(&pages, "businesses");
    for concurrency in [1, 3] {
        let raw: Vec<String> = client
            .search_businesses()
            .pages()
            .concurrency(concurrency)
            .raw_items()
            .map_ok(|item| item.get().to_owned())
            .try_collect()
            .await
            .expect("three pages");
        assert_eq!(raw, expected, "concurrency {concurrency}");
    }
    // The typed stream of the same pages has the same items, without the field.
    let typed: Vec<_> = client
        .search_businesses()
        .items()
        .try_collect()
        .await
        .expect("three pages");
    assert_eq!(typed.len(), expected.len());
}

#[tokio::test]
async fn raw_items_are_the_text_as_received() {
    // Pretty-printed, keys in the server's order: the raw item is that text, whitespace and all.
    let item = "{\n  \"zz_first\": 1.50,\n  \"id\": \"b-1\",\n  \"name\": \"Caf\\u00e9\"\n}";
    let body = format!("{{\"page\": 1, \"max_page\": 1, \"count\": 1, \"businesses\": [{item}]}}");
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/business/search"))
        .respond_with(respond(body))
        .mount(&server)
        .await;
    let raw: Vec<_> = client(&server)
        .search_businesses()
        .raw_items()
        .try_collect()
        .await
        .expect("one page");
    assert_eq!(raw.len(), 1);
    assert_eq!(raw[0].get(), item);
}

#[tokio::test]
async fn raw_streams_stop_like_typed_ones() {
    // A server that ignores `?page=`: page 1 again for page 2.
    let page = pages().remove(0);
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/business/search"))
        .respond_with(respond(page.to_string()))
        .mount(&server)
        .await;
    let results: Vec<_> = client(&server)
        .search_businesses()
        .raw_items()
        .collect()
        .await;
    assert_eq!(results.len(), 30 + 1);
    match results.last() {
        Some(Err(Error::Pagination {
            operation: "search_businesses",
            page: 2,
            reason: PaginationStop::PageMismatch { echoed: 1 },
        })) => {}
        other => panic!("expected a page mismatch, got {other:?}"),
    }
    // The cap, for a server whose pages never end.
    let pages = pages();
    let server = serve_pages(&pages).await;
    let results: Vec<_> = client(&server)
        .search_businesses()
        .pages()
        .max_pages(2)
        .raw_items()
        .collect()
        .await;
    match results.last() {
        Some(Err(Error::Pagination {
            page: 3,
            reason: PaginationStop::MaxPages { limit: 2 },
            ..
        })) => {}
        other => panic!("expected the cap, got {other:?}"),
    }
    assert_eq!(results.len(), 60 + 1);
}

#[tokio::test]
async fn raw_pages_are_read_under_max_body() {
    let pages = pages();
    let server = serve_pages(&pages).await;
    let client = Client::builder()
        .api_key("k")
        .base_url(server.uri())
        .max_body(1000)
        .build()
        .expect("client builds");
    let first = client.search_businesses().raw_items().next().await;
    match first {
        Some(Err(Error::BodyTooLarge {
            operation: "search_businesses",
            limit: 1000,
            ..
        })) => {}
        other => panic!("expected BodyTooLarge, got {other:?}"),
    }
}

#[tokio::test]
async fn raw_cursor_items_keep_undeclared_fields() {
    let fixture = |name: &str| -> Value {
        let file = format!(
            "{}/tests/fixtures/current/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let page = serde_json::from_str(&std::fs::read_to_string(&file).expect("fixture"));
        with_undeclared_fields(page.expect("JSON"), "conversations")
    };
    let pages = [
        fixture("conversations_page_1"),
        fixture("conversations_page_2"),
    ];
    let cursor = pages[0]["next_cursor"].as_str().expect("a cursor");
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/conversations"))
        .and(query_param_is_missing("cursor"))
        .respond_with(respond(pages[0].to_string()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/conversations"))
        .and(query_param("cursor", cursor))
        .respond_with(respond(pages[1].to_string()))
        .mount(&server)
        .await;
    let raw: Vec<String> = client(&server)
        .list_conversations()
        .cursor_raw_items()
        .map_ok(|item| item.get().to_owned())
        .try_collect()
        .await
        .expect("two pages");
    assert_eq!(raw, item_texts(&pages, "conversations"));
}

/// One page served from memory, bypassing any `Client`.
#[derive(Clone, Default)]
struct InMemory {
    page: i64,
}

#[derive(Debug, serde::Deserialize, serde::Serialize)]
struct MemoryPage {
    page: i64,
    max_page: i64,
    items: Vec<i64>,
}

impl<'a> PageRequest<'a> for InMemory {
    const OPERATION: &'static str = "in_memory";
    type Page = MemoryPage;
    type Item = i64;

    fn with_page(mut self, page: i64) -> Self {
        self.page = page;
        self
    }

    async fn send_page(self) -> Result<ResponseValue<MemoryPage>, GeneratedError<PartooError>> {
        let body = MemoryPage {
            page: self.page,
            max_page: 1,
            items: vec![7],
        };
        Ok(ResponseValue::new(
            body,
            reqwest::StatusCode::OK,
            reqwest::header::HeaderMap::new(),
        ))
    }

    fn page_numbers(page: &MemoryPage) -> (Option<i64>, Option<i64>) {
        (Some(page.page), Some(page.max_page))
    }

    fn into_items(page: MemoryPage) -> Vec<i64> {
        page.items
    }
}

#[tokio::test]
async fn raw_items_without_a_kept_body_stop_with_a_decode_error_not_the_typed_items() {
    let typed: Vec<i64> = InMemory::default()
        .items()
        .try_collect()
        .await
        .expect("typed");
    assert_eq!(typed, [7]);
    let raw: Vec<_> = InMemory::default().raw_items().collect().await;
    match raw.as_slice() {
        [Err(Error::Decode { message, .. })] => {
            assert!(message.contains("not kept"), "{message}");
        }
        other => panic!("expected one Decode error, got {other:?}"),
    }
}
