//! Bulk sync: every business of the organization page by page, then one `GET /business/{id}` per business
//! through `bulk::Bulk`, under the client's rate limit, with progress, per-item errors and a time budget.
//!
//! ```sh
//! cargo run -p partoo-api --example bulk_sync                         # offline, against a local mock
//! cargo run -p partoo-api --example bulk_sync -- --max-seconds 1      # cancelled after 1 s
//! PARTOO_API_KEY=… PARTOO_ENV=sandbox cargo run -p partoo-api --example bulk_sync   # the real API
//! ```
//!
//! With `PARTOO_API_KEY` set, the client comes from the environment, limited to Partoo's 300 requests a
//! minute. Without it, a mock of Partoo on 127.0.0.1 serves three pages of businesses and the details of
//! each, answers one detail request with a 429 (`Retry-After: 1`: every task pauses) and one business with a
//! 404 (collected as a failure); the mock's client is limited to 60 requests a second.

use std::error::Error;
use std::time::Duration;

use futures_util::{TryStreamExt, stream};
use partoo_api::bulk::Bulk;
use partoo_api::{Client, Environment, Paginate, SendExt, types};
use wiremock::matchers::{method, path, path_regex, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let max_seconds = match std::env::args().skip(1).collect::<Vec<_>>().as_slice() {
        [] => None,
        [flag, n] if flag == "--max-seconds" => Some(n.parse::<f64>()?),
        other => return Err(format!("usage: bulk_sync [--max-seconds N], not {other:?}").into()),
    };
    let key = std::env::var("PARTOO_API_KEY")
        .ok()
        .filter(|k| !k.trim().is_empty());
    // Keep the mock alive until the end: dropping it stops the server.
    let mock = match key {
        Some(_) => None,
        None => Some(start_mock().await?),
    };
    let client = match (&key, &mock) {
        (Some(key), _) => {
            let env: Environment = std::env::var("PARTOO_ENV")
                .unwrap_or_else(|_| "production".to_owned())
                .parse()?;
            Client::builder()
                .api_key(key.as_str())
                .environment(env)
                .rate_limit_per_minute(300)
                .build()?
        }
        (None, Some(server)) => {
            println!(
                "PARTOO_API_KEY is not set: running against a local mock of Partoo at {}",
                server.uri()
            );
            Client::builder()
                .api_key("bulk-mock-key")
                .base_url(server.uri())
                .rate_limit(60, Duration::from_secs(1))
                .build()?
        }
        (None, None) => unreachable!("a mock is started when there is no key"),
    };

    let businesses: Vec<types::Business> = client.search_businesses().items().try_collect().await?;
    let ids: Vec<String> = businesses.into_iter().filter_map(|b| b.id).collect();
    println!("{} businesses listed; reading each one", ids.len());

    let mut bulk = Bulk::new(8).on_progress(|p| {
        if p.finished() % 10 == 0 {
            println!("  {p}");
        }
    });
    if let Some(seconds) = max_seconds {
        bulk = bulk.cancel_on(tokio::time::sleep(Duration::from_secs_f64(seconds)));
    }
    let report = bulk
        .run(stream::iter(ids), |id| {
            let client = client.clone();
            async move {
                client
                    .get_business()
                    .business_id(id)
                    .send()
                    .into_result()
                    .await
            }
        })
        .await;

    let cities = report.outputs.iter().filter(|b| b.city.is_some()).count();
    // A cancel leaves the requests that had not left unsent: those ids are to redo, not errors to look at.
    let (unsent, failed): (Vec<_>, Vec<_>) = report
        .failed
        .iter()
        .partition(|(_, error)| matches!(error, partoo_api::Error::Cancelled { .. }));
    println!(
        "{} read ({cities} with a city), {} failed, in {:.1} s{}",
        report.done,
        failed.len(),
        report.elapsed.as_secs_f64(),
        if report.cancelled {
            format!(
                "; cancelled: {} not sent, {} not started",
                unsent.len(),
                report.not_started.unwrap_or(0)
            )
        } else {
            String::new()
        }
    );
    for (id, error) in failed {
        println!("  business {id}: {error}");
    }
    Ok(())
}

/// Three pages of 30 businesses (the test suite's fixtures), the details of each, one 429 and one 404.
async fn start_mock() -> Result<MockServer, Box<dyn Error>> {
    let server = MockServer::builder()
        .listener(std::net::TcpListener::bind("127.0.0.1:0")?)
        .start()
        .await;
    let pages = [
        include_str!("../tests/fixtures/businesses_page_1.json"),
        include_str!("../tests/fixtures/businesses_page_2.json"),
        include_str!("../tests/fixtures/businesses_page_3.json"),
    ];
    let mut details = Vec::new();
    for (n, body) in pages.into_iter().enumerate() {
        Mock::given(method("GET"))
            .and(path("/business/search"))
            .and(query_param("page", (n + 1).to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
            .mount(&server)
            .await;
        let page: serde_json::Value = serde_json::from_str(body)?;
        details.extend(page["businesses"].as_array().cloned().unwrap_or_default());
    }
    // The first detail request is refused; the client pauses every task for a second.
    Mock::given(method("GET"))
        .and(path_regex("^/business/[0-9a-f]{24}$"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_json(serde_json::json!({"errors": {"json": "Too many requests"}})),
        )
        .up_to_n_times(1)
        .expect(1)
        .with_priority(1)
        .named("one 429")
        .mount(&server)
        .await;
    for (i, business) in details.iter().enumerate() {
        let id = business["id"].as_str().unwrap_or_default();
        let response = if i == 41 {
            ResponseTemplate::new(404)
                .set_body_json(serde_json::json!({"errors": {"json": "Business not found"}}))
        } else {
            ResponseTemplate::new(200).set_body_json(business)
        };
        Mock::given(method("GET"))
            .and(path(format!("/business/{id}")))
            .respond_with(response)
            .with_priority(2)
            .mount(&server)
            .await;
    }
    Ok(server)
}
