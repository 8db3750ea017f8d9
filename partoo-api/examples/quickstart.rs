//! Quickstart: who am I, which businesses can I see, and what are my customers writing?
//!
//! ```sh
//! cargo run -p partoo-api --example quickstart                        # offline, against a local mock
//! PARTOO_API_KEY=… PARTOO_ENV=sandbox cargo run -p partoo-api --example quickstart   # the real API
//! ```
//!
//! With `PARTOO_API_KEY` set, the client comes from `Client::from_env()` (`PARTOO_ENV` = production | sandbox,
//! `PARTOO_BASE_URL` to override the URL). Without it, an embedded mock of Partoo serves `GET /user/me`, three
//! pages of `GET /business/search`, and two cursor pages each of `GET /conversations` and `GET /messages` on
//! 127.0.0.1, so the example runs anywhere with no account.

use std::error::Error;
use std::process::ExitCode;

use futures_util::TryStreamExt;
use partoo_api::{Client, ClientInfo, Paginate, PaginateCursor, SendExt};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// How many businesses to print.
const SHOWN: usize = 5;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            let status = e
                .downcast_ref::<partoo_api::Error>()
                .and_then(|e| e.status());
            if status.is_some_and(|s| s.as_u16() == 401 || s.as_u16() == 403) {
                eprintln!(
                    "hint: check PARTOO_API_KEY and PARTOO_ENV (a sandbox key only works on the sandbox)"
                );
            }
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn Error>> {
    let has_key = std::env::var("PARTOO_API_KEY").is_ok_and(|k| !k.trim().is_empty());
    // Keep the mock alive until the end: dropping it stops the server.
    let mock = if has_key {
        None
    } else {
        Some(start_mock().await?)
    };
    let client = match &mock {
        None => Client::from_env()?,
        Some(server) => {
            println!(
                "PARTOO_API_KEY is not set: running against a local mock of Partoo at {}",
                server.uri()
            );
            println!(
                "(set PARTOO_API_KEY, and PARTOO_ENV=sandbox for a sandbox key, to call the real API)\n"
            );
            Client::builder()
                .api_key("quickstart-mock-key")
                .base_url(server.uri())
                .build()?
        }
    };
    println!("API: {}", client.baseurl());

    let me = client.get_my_user().send().into_result().await?;
    let name = [me.first_name.as_deref(), me.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    println!(
        "Signed in as {}",
        if name.is_empty() { "(no name)" } else { &name }
    );
    println!("  email: {}", me.email.as_deref().unwrap_or("-"));
    println!("  role:  {}", me.role.as_ref().map_or("-", |r| r.as_str()));

    // Every business of every page, fetched page by page as the stream is read.
    let mut businesses = client.search_businesses().items();
    let mut count = 0usize;
    let mut shown = Vec::new();
    while let Some(business) = businesses.try_next().await? {
        count += 1;
        if shown.len() < SHOWN {
            let name = business.name.unwrap_or_else(|| "(unnamed)".to_owned());
            let city = business.city.unwrap_or_else(|| "-".to_owned());
            shown.push((name, city));
        }
    }
    println!("\n{count} businesses");
    for (name, city) in &shown {
        println!("  - {name} ({city})");
    }
    if count > shown.len() {
        println!("  … and {} more", count - shown.len());
    }
    if let Some(server) = &mock {
        let requests = server.received_requests().await.unwrap_or_default();
        let pages = requests
            .iter()
            .filter(|r| r.url.path() == "/business/search")
            .count();
        println!("pages fetched: {pages}");
    }
    conversations(&client).await
}

/// Every conversation (cursor pages), then every message of the first one.
async fn conversations(client: &Client) -> Result<(), Box<dyn Error>> {
    let conversations: Vec<_> = client
        .list_conversations()
        .cursor_items()
        .try_collect()
        .await?;
    let open = conversations
        .iter()
        .filter(|c| c.status.as_ref().is_some_and(|s| s.as_str() == "Open"))
        .count();
    println!("\n{} conversations ({open} open)", conversations.len());
    let Some(first) = conversations.first() else {
        return Ok(());
    };
    let Some(id) = first.id else {
        return Ok(());
    };
    let mut pages = client.list_messages().conversation_id(id).cursor_pages();
    let (mut page_count, mut messages, mut from_customer) = (0usize, 0usize, 0usize);
    while let Some(page) = pages.try_next().await? {
        page_count += 1;
        messages += page.items.len();
        from_customer += page
            .items
            .iter()
            .filter(|m| {
                m.sender_type
                    .as_ref()
                    .is_some_and(|s| s.as_str() == "Consumer")
            })
            .count();
    }
    let who = first.consumer_name.as_deref().unwrap_or("(unknown)");
    println!(
        "conversation {id} with {who}: {messages} messages ({from_customer} from the customer) in {page_count} pages"
    );
    Ok(())
}

/// A mock of the four endpoints, with the fixtures of the test suite (three pages of 30 businesses, two cursor
/// pages of conversations and of messages).
async fn start_mock() -> Result<MockServer, Box<dyn Error>> {
    let server = MockServer::builder()
        .listener(std::net::TcpListener::bind("127.0.0.1:0")?)
        .start()
        .await;
    let user = include_str!("../tests/fixtures/user_me.json");
    Mock::given(method("GET"))
        .and(path("/user/me"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(user, "application/json"))
        .mount(&server)
        .await;
    let pages = [
        include_str!("../tests/fixtures/businesses_page_1.json"),
        include_str!("../tests/fixtures/businesses_page_2.json"),
        include_str!("../tests/fixtures/businesses_page_3.json"),
    ];
    for (n, body) in pages.into_iter().enumerate() {
        Mock::given(method("GET"))
            .and(path("/business/search"))
            .and(query_param("page", (n + 1).to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
            .mount(&server)
            .await;
    }
    let cursor_pages = [
        (
            "/conversations",
            include_str!("../tests/fixtures/current/conversations_page_1.json"),
            include_str!("../tests/fixtures/current/conversations_page_2.json"),
        ),
        (
            "/messages",
            include_str!("../tests/fixtures/current/messages_page_1.json"),
            include_str!("../tests/fixtures/current/messages_page_2.json"),
        ),
    ];
    for (route, first, second) in cursor_pages {
        let cursor: serde_json::Value = serde_json::from_str(first)?;
        let cursor = cursor["next_cursor"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        Mock::given(method("GET"))
            .and(path(route))
            .and(query_param_is_missing("cursor"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(first, "application/json"))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(route))
            .and(query_param("cursor", cursor))
            .respond_with(ResponseTemplate::new(200).set_body_raw(second, "application/json"))
            .mount(&server)
            .await;
    }
    Ok(server)
}
