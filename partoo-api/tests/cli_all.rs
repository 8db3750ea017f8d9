//! `partoo OP --all` against a local wiremock server: every page or cursor followed, items printed as received,
//! `--max-items`, `--page` as the first page, and the stream's stops.
#![cfg(feature = "cli")]

mod cli_support;

use cli_support::{PAGES, code, fixture_ids, json_body, partoo, text, three_pages};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test(flavor = "multi_thread")]
async fn all_follows_every_page_and_prints_one_item_a_line() {
    let server = three_pages().await;
    let out = partoo(Some(&server), &["search-businesses", "--all"]).await;
    assert_eq!(code(&out), 0, "stderr: {}", text(&out.stderr));
    let ids: Vec<String> = text(&out.stdout)
        .lines()
        .map(|line| {
            let item: Value = serde_json::from_str(line).expect("each line is JSON");
            item["id"].as_str().expect("id").to_owned()
        })
        .collect();
    assert_eq!(ids, fixture_ids());
}

#[tokio::test(flavor = "multi_thread")]
async fn max_items_stops_the_stream_and_its_requests() {
    let server = three_pages().await;
    let out = partoo(
        Some(&server),
        &["search-businesses", "--all", "--max-items", "35"],
    )
    .await;
    assert_eq!(code(&out), 0, "stderr: {}", text(&out.stderr));
    let lines: Vec<&str> = std::str::from_utf8(&out.stdout)
        .expect("utf-8")
        .lines()
        .collect();
    assert_eq!(lines.len(), 35);
    let requests = server.received_requests().await.expect("recording");
    assert!(
        requests.len() <= 2,
        "page 3 was not needed: {} requests",
        requests.len()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn all_follows_cursors_too() {
    let fixture = |name: &str| -> Value {
        let file = format!(
            "{}/tests/fixtures/current/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(&file).expect("fixture")).expect("JSON")
    };
    let (page_1, page_2) = (
        fixture("conversations_page_1"),
        fixture("conversations_page_2"),
    );
    let cursor = page_1["next_cursor"].as_str().expect("a cursor").to_owned();
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/conversations"))
        .and(wiremock::matchers::query_param_is_missing("cursor"))
        .respond_with(json_body(&page_1))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/conversations"))
        .and(query_param("cursor", cursor.as_str()))
        .respond_with(json_body(&page_2))
        .expect(1)
        .mount(&server)
        .await;
    let out = partoo(Some(&server), &["list-conversations", "--all"]).await;
    assert_eq!(code(&out), 0, "stderr: {}", text(&out.stderr));
    let ids: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("each line is JSON")["id"].clone())
        .collect();
    let expected: Vec<Value> = [&page_1, &page_2]
        .iter()
        .flat_map(|p| {
            p["conversations"]
                .as_array()
                .expect("conversations")
                .clone()
        })
        .map(|c| c["id"].clone())
        .collect();
    assert_eq!(ids, expected);
}

/// `value` with a field the spec does not declare added to every item of its `key` array.
fn with_undeclared_fields(mut page: Value, key: &str) -> Value {
    for (n, item) in page[key]
        .as_array_mut()
        .expect("items")
        .iter_mut()
        .enumerate()
    {
        item["x_not_in_spec"] = json!({"n": n, "score": 1.5, "tags": ["a", "b"]});
    }
    page
}

/// The items of `pages` under `key`, each as one compact JSON line.
fn item_lines(pages: &[Value], key: &str) -> Vec<String> {
    pages
        .iter()
        .flat_map(|p| p[key].as_array().expect("items").clone())
        .map(|item| item.to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn all_prints_page_items_as_received_with_undeclared_fields() {
    let pages: Vec<Value> = PAGES
        .iter()
        .map(|p| serde_json::from_str(p).expect("fixture is JSON"))
        .map(|p| with_undeclared_fields(p, "businesses"))
        .collect();
    let server = MockServer::builder().start().await;
    for (n, page) in pages.iter().enumerate() {
        // Pretty-printed: each item spans several lines on the wire and one line on stdout.
        let body = serde_json::to_string_pretty(page).expect("encodes");
        Mock::given(method("GET"))
            .and(path("/business/search"))
            .and(query_param("page", (n + 1).to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
            .mount(&server)
            .await;
    }
    let out = partoo(Some(&server), &["search-businesses", "--all"]).await;
    assert_eq!(code(&out), 0, "stderr: {}", text(&out.stderr));
    let lines: Vec<String> = text(&out.stdout).lines().map(str::to_owned).collect();
    assert_eq!(lines, item_lines(&pages, "businesses"));
    let limited = partoo(
        Some(&server),
        &["search-businesses", "--all", "--max-items", "2"],
    )
    .await;
    assert_eq!(code(&limited), 0, "stderr: {}", text(&limited.stderr));
    assert_eq!(
        text(&limited.stdout).lines().collect::<Vec<_>>(),
        item_lines(&pages, "businesses")[..2].to_vec()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn all_prints_cursor_items_as_received_with_undeclared_fields() {
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
        .and(wiremock::matchers::query_param_is_missing("cursor"))
        .respond_with(json_body(&pages[0]))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/conversations"))
        .and(query_param("cursor", cursor))
        .respond_with(json_body(&pages[1]))
        .mount(&server)
        .await;
    let out = partoo(Some(&server), &["list-conversations", "--all"]).await;
    assert_eq!(code(&out), 0, "stderr: {}", text(&out.stderr));
    let lines: Vec<String> = text(&out.stdout).lines().map(str::to_owned).collect();
    assert_eq!(lines, item_lines(&pages, "conversations"));
}

#[tokio::test(flavor = "multi_thread")]
async fn all_still_stops_on_a_page_that_repeats_the_previous_one() {
    let server = MockServer::builder().start().await;
    let page = |n: u32| {
        let mut page: Value = serde_json::from_str(PAGES[0]).expect("fixture is JSON");
        page["page"] = json!(n);
        with_undeclared_fields(page, "businesses")
    };
    for n in 1..=3u32 {
        Mock::given(method("GET"))
            .and(path("/business/search"))
            .and(query_param("page", n.to_string()))
            .respond_with(json_body(&page(n)))
            .mount(&server)
            .await;
    }
    let out = partoo(Some(&server), &["search-businesses", "--all"]).await;
    assert_eq!(code(&out), 3, "stderr: {}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("search_businesses") && text(&out.stderr).contains("page 2"),
        "stderr: {}",
        text(&out.stderr)
    );
    assert_eq!(text(&out.stdout).lines().count(), 30, "page 1 was printed");
}

#[tokio::test(flavor = "multi_thread")]
async fn all_starts_at_the_page_given() {
    // `with_page(first)` overwrote `--page 2`: the requests were page=1, 2, 3.
    let server = three_pages().await;
    let out = partoo(
        Some(&server),
        &["search-businesses", "--all", "--page", "2"],
    )
    .await;
    assert_eq!(code(&out), 0, "stderr: {}", text(&out.stderr));
    let requests = server.received_requests().await.expect("recording");
    let pages: Vec<String> = requests
        .iter()
        .filter_map(|r| {
            r.url
                .query_pairs()
                .find(|(k, _)| k == "page")
                .map(|(_, v)| v.into_owned())
        })
        .collect();
    assert_eq!(pages, ["2", "3"]);
    let ids: Vec<String> = text(&out.stdout)
        .lines()
        .map(|line| {
            let item: Value = serde_json::from_str(line).expect("each line is JSON");
            item["id"].as_str().expect("id").to_owned()
        })
        .collect();
    assert_eq!(ids, fixture_ids()[30..]);
}

/// `--max-pages` caps an `--all` stream, and the failure names the cap and the flag that raises it;
/// `--max-body` caps a success body the same way.
#[tokio::test(flavor = "multi_thread")]
async fn the_page_cap_and_the_body_limit_are_flags() {
    let server = three_pages().await;
    let out = partoo(
        Some(&server),
        &["search-businesses", "--all", "--max-pages", "2"],
    )
    .await;
    assert_eq!(code(&out), 3, "stderr: {}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("the cap of 2 pages") && stderr.contains("--max-pages"),
        "{stderr}"
    );
    assert_eq!(
        text(&out.stdout).lines().count(),
        60,
        "pages 1 and 2 were printed"
    );
    let out = partoo(
        Some(&server),
        &["search-businesses", "--all", "--max-pages", "3"],
    )
    .await;
    assert_eq!(code(&out), 0, "stderr: {}", text(&out.stderr));

    let out = partoo(
        Some(&server),
        &["search-businesses", "--page", "1", "--max-body", "100"],
    )
    .await;
    assert_eq!(code(&out), 3, "stderr: {}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("max_body limit of 100 bytes") && stderr.contains("--max-body"),
        "{stderr}"
    );
}
