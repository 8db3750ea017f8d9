//! Cursor streams (`PaginateCursor`) over an in-memory `CursorRequest`: the stopping rules without a server
//! (the generated `list_conversations` and `list_messages` are walked over the wire in `current_api.rs`).

use std::sync::{Arc, Mutex};

use futures_util::{StreamExt, TryStreamExt};
use partoo_api::pagination::CursorRequest;
use partoo_api::types::PartooError;
use partoo_api::{Error, GeneratedError, PaginateCursor, PaginationStop, ResponseValue};
use serde_json::{Value, json};

#[derive(Clone, Debug, serde::Deserialize)]
struct CursorPage {
    items: Vec<u32>,
    next_cursor: Option<String>,
}

/// Serves `pages[i]` for cursor `"i"` (no cursor: page 0) and records the cursors it was asked for.
#[derive(Clone)]
struct FakeCursor {
    pages: Arc<Vec<CursorPage>>,
    asked: Arc<Mutex<Vec<Option<String>>>>,
    cursor: Option<String>,
}

impl FakeCursor {
    fn new(pages: Value) -> Self {
        Self {
            pages: Arc::new(serde_json::from_value(pages).expect("cursor pages")),
            asked: Arc::default(),
            cursor: None,
        }
    }

    fn asked(&self) -> Vec<Option<String>> {
        self.asked.lock().expect("not poisoned").clone()
    }
}

impl<'a> CursorRequest<'a> for FakeCursor {
    const OPERATION: &'static str = "fake_cursor";
    type Page = CursorPage;
    type Item = u32;

    fn with_cursor(mut self, cursor: String) -> Self {
        self.cursor = Some(cursor);
        self
    }

    async fn send_page(self) -> Result<ResponseValue<CursorPage>, GeneratedError<PartooError>> {
        self.asked
            .lock()
            .expect("not poisoned")
            .push(self.cursor.clone());
        let index = self.cursor.as_deref().map_or(Ok(0), str::parse::<usize>);
        match index.ok().and_then(|i| self.pages.get(i)) {
            Some(page) => Ok(ResponseValue::new(
                page.clone(),
                reqwest::StatusCode::OK,
                reqwest::header::HeaderMap::new(),
            )),
            None => Err(GeneratedError::ErrorResponse(ResponseValue::new(
                PartooError {
                    error: None,
                    errors: Some(json!({"cursor": "Invalid cursor"})),
                },
                reqwest::StatusCode::BAD_REQUEST,
                reqwest::header::HeaderMap::new(),
            ))),
        }
    }

    fn next_cursor(page: &CursorPage) -> Option<String> {
        page.next_cursor.clone()
    }

    fn into_items(page: CursorPage) -> Vec<u32> {
        page.items
    }
}

#[tokio::test]
async fn cursor_items_follow_next_cursor_until_null() {
    let request = FakeCursor::new(json!([
        {"items": [1, 2], "next_cursor": "1"},
        {"items": [3], "next_cursor": "2"},
        {"items": [4, 5], "next_cursor": null}
    ]));
    let items: Vec<u32> = request.clone().cursor_items().try_collect().await.unwrap();
    assert_eq!(items, [1, 2, 3, 4, 5]);
    assert_eq!(request.asked(), [None, Some("1".into()), Some("2".into())]);
}

#[tokio::test]
async fn cursor_pages_stop_on_an_empty_cursor_or_an_empty_page() {
    let request = FakeCursor::new(json!([
        {"items": [1], "next_cursor": "1"},
        {"items": [2], "next_cursor": ""}
    ]));
    let pages: Vec<_> = request.clone().cursor_pages().try_collect().await.unwrap();
    let numbers: Vec<_> = pages.iter().map(|p| (p.number, p.items.clone())).collect();
    assert_eq!(numbers, [(1, vec![1]), (2, vec![2])]);

    let request = FakeCursor::new(json!([
        {"items": [1], "next_cursor": "1"},
        {"items": [], "next_cursor": "2"},
        {"items": [9], "next_cursor": null}
    ]));
    let items: Vec<u32> = request.clone().cursor_items().try_collect().await.unwrap();
    assert_eq!(items, [1]);
    assert_eq!(request.asked().len(), 2);
}

#[tokio::test]
async fn a_cursor_error_ends_the_stream_with_that_error() {
    let request = FakeCursor::new(json!([{"items": [1, 2], "next_cursor": "7"}]));
    let results: Vec<_> = request.clone().cursor_items().collect().await;
    assert_eq!(results.len(), 3);
    assert_eq!(results[1].as_ref().ok(), Some(&2));
    match &results[2] {
        Err(Error::Api { status, body, .. }) => {
            assert_eq!(status.as_u16(), 400);
            assert_eq!(
                body.messages(),
                [("cursor".to_owned(), "Invalid cursor".to_owned())]
            );
        }
        other => panic!("expected Error::Api, got {other:?}"),
    }
    assert_eq!(request.asked().len(), 2);
}

#[tokio::test]
async fn a_cursor_that_comes_back_stops_the_stream_after_its_page() {
    // Page 2 (cursor "1") answers with cursor "1" again: following it would loop.
    let request = FakeCursor::new(json!([
        {"items": [1], "next_cursor": "1"},
        {"items": [2], "next_cursor": "1"}
    ]));
    let results: Vec<_> = request.clone().cursor_items().collect().await;
    assert_eq!(results.len(), 3, "{results:?}");
    assert_eq!(
        results[1].as_ref().ok(),
        Some(&2),
        "the page itself is kept"
    );
    match &results[2] {
        Err(
            e @ Error::Pagination {
                operation: "fake_cursor",
                page: 2,
                reason: PaginationStop::RepeatedCursor { cursor },
            },
        ) => {
            assert_eq!(cursor, "1");
            assert!(e.to_string().contains("already followed"), "{e}");
        }
        other => panic!("expected a repeated cursor, got {other:?}"),
    }
    assert_eq!(request.asked(), [None, Some("1".into())]);
}

#[tokio::test]
async fn a_cursor_page_repeating_the_previous_items_stops_the_stream() {
    let request = FakeCursor::new(json!([
        {"items": [1, 2], "next_cursor": "1"},
        {"items": [1, 2], "next_cursor": "2"},
        {"items": [3], "next_cursor": null}
    ]));
    let results: Vec<_> = request.clone().cursor_pages().collect().await;
    assert_eq!(results.len(), 2, "{results:?}");
    assert!(
        matches!(
            &results[1],
            Err(Error::Pagination {
                page: 2,
                reason: PaginationStop::RepeatedItems { previous: 1 },
                ..
            })
        ),
        "{:?}",
        results[1]
    );
    assert_eq!(request.asked().len(), 2);
}

#[tokio::test]
async fn a_cursor_stream_has_its_own_page_cap() {
    let request = FakeCursor::new(json!([
        {"items": [1], "next_cursor": "1"},
        {"items": [2], "next_cursor": "2"},
        {"items": [3], "next_cursor": "3"},
        {"items": [4], "next_cursor": null}
    ]));
    let results: Vec<_> = request
        .clone()
        .cursor_paging()
        .max_pages(2)
        .items()
        .collect()
        .await;
    assert_eq!(results.len(), 3, "{results:?}");
    assert!(
        matches!(
            &results[2],
            Err(Error::Pagination {
                page: 3,
                reason: PaginationStop::MaxPages { limit: 2 },
                ..
            })
        ),
        "{:?}",
        results[2]
    );
    assert_eq!(request.asked().len(), 2);
}
