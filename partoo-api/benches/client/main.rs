//! `cargo bench -p partoo-api --bench client [-- --quick]` (run by `cargo xtask bench`).
//!
//! Three measurements against loopback servers started here (plain `std::net` threads speaking minimal
//! HTTP/1.1 with keep-alive, bound to 127.0.0.1, stopped when the bench ends):
//!
//! 1. request overhead: `Client` with the whole hand-written layer (API key header, retry policy, tracing span,
//!    error capture, `into_result`) against the same `reqwest::Client` used raw, decoding into the same type;
//! 2. pagination: `pages().concurrency(c).stream()` over pages answered after 20 ms, against the ideal time;
//! 3. decoding a 100-business page into `types::SearchBusinessesResponse` against `serde_json::Value`;
//! 4. bulk sync: ≥ 1,000 item requests through `bulk::Bulk` and a rate-limited client, against a server that
//!    enforces the quota (see `bulk_sync.rs`).
//!
//! `-- --only bulk` runs the bulk sync alone.
//!
//! Every result is one line ending with its ratio; nothing fails on a time.

mod bulk_sync;
mod fixtures;
mod server;

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use partoo_api::{Client, ClientInfo, Paginate, SendExt, types};
use serde_json::Value;

use fixtures::page_body;
use server::{Server, ok_response, query_value};

pub(crate) const API_KEY: &str = "bench-key-0123456789abcdef";

/// Iteration counts: full run, or `--quick` for a smoke run.
pub(crate) struct Plan {
    quick: bool,
    warmup: usize,
    requests: usize,
    pages: i64,
    decode_iters: usize,
    bulk_requests: usize,
}

impl Plan {
    fn from_args() -> Self {
        let quick = std::env::args().any(|a| a == "--quick");
        if quick {
            Plan {
                quick,
                warmup: 50,
                requests: 300,
                pages: 30,
                decode_iters: 100,
                bulk_requests: 1_000,
            }
        } else {
            Plan {
                quick,
                warmup: 200,
                requests: 2_000,
                pages: 100,
                decode_iters: 1_000,
                bulk_requests: 1_200,
            }
        }
    }
}

fn main() {
    let plan = Plan::from_args();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let args: Vec<String> = std::env::args().collect();
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .map(String::as_str);
    println!(
        "bench client ({} mode, release profile, tokio multi-thread runtime with {} workers)",
        if plan.quick { "quick" } else { "full" },
        std::thread::available_parallelism().map_or(1, usize::from)
    );
    if only == Some("bulk") {
        bulk_sync::bulk_sync(&runtime, &plan);
        return;
    }
    request_overhead(&runtime, &plan);
    pagination(&runtime, &plan, 1, PAGE_SIZE);
    pagination(&runtime, &plan, 8, PAGE_SIZE);
    // The same with 1-business pages: the pagination machinery with almost no decoding work.
    pagination(&runtime, &plan, 8, 1);
    decoding(&plan);
    bulk_sync::bulk_sync(&runtime, &plan);
}

// ---------------------------------------------------------------------------------------------------------
// 1. Request overhead
// ---------------------------------------------------------------------------------------------------------

fn request_overhead(runtime: &tokio::runtime::Runtime, plan: &Plan) {
    let body = page_body(1, 10, 287, 30);
    let body_len = body.len();
    let response = Arc::new(ok_response(&body));
    let server = Server::start(Duration::ZERO, move |_target| Arc::clone(&response));
    let base = format!("http://{}", server.addr);
    let client = Client::builder()
        .api_key(API_KEY)
        .base_url(base.as_str())
        .build()
        .expect("a client for the loopback server");
    // The very `reqwest::Client` inside `client`: same timeouts, user agent and connection pool, so the
    // difference is the generated + hand-written layer alone.
    let raw = ClientInfo::client(&client).clone();
    let url = format!("{base}/business/search");

    let (client_ns, raw_ns) = runtime.block_on(async {
        for _ in 0..plan.warmup {
            black_box(via_client(&client).await);
            black_box(via_raw(&raw, &url).await);
        }
        let mut client_ns = Vec::with_capacity(plan.requests);
        let mut raw_ns = Vec::with_capacity(plan.requests);
        // Interleaved one request at a time, the order flipping every pair, so that drift and the load of
        // neighbouring processes hit both sides alike.
        for i in 0..plan.requests {
            for side in [i % 2, 1 - i % 2] {
                let started = Instant::now();
                if side == 0 {
                    drop(black_box(via_client(&client).await));
                    client_ns.push(started.elapsed().as_nanos() as f64);
                } else {
                    drop(black_box(via_raw(&raw, &url).await));
                    raw_ns.push(started.elapsed().as_nanos() as f64);
                }
            }
        }
        (client_ns, raw_ns)
    });
    let served = server.served();
    drop(client);
    drop(raw);
    drop(server);

    let (c_mean, r_mean) = (mean(&client_ns) / 1e3, mean(&raw_ns) / 1e3);
    let (c_p50, r_p50) = (median(&client_ns) / 1e3, median(&raw_ns) / 1e3);
    println!(
        "request overhead: {} sequential requests each (interleaved) after {} warm-up, 30-business page ({:.1} kB), keep-alive, \
         {served} served; client (SendExt::into_result, default retry policy) {c_mean:.1} µs/req (p50 {c_p50:.1}); \
         raw reqwest GET + serde_json into types::SearchBusinessesResponse {r_mean:.1} µs/req (p50 {r_p50:.1}); \
         goal ≤ 1.05; ratio client/raw {:.3}",
        client_ns.len(),
        plan.warmup,
        body_len as f64 / 1e3,
        c_mean / r_mean
    );
}

async fn via_client(client: &Client) -> types::SearchBusinessesResponse {
    let page = client
        .search_businesses()
        .send()
        .into_result()
        .await
        .expect("the client's request succeeds");
    assert_eq!(page.businesses.as_ref().map(Vec::len), Some(30));
    page
}

async fn via_raw(raw: &reqwest::Client, url: &str) -> types::SearchBusinessesResponse {
    let response = raw
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .header("api-version", <Client as ClientInfo<_>>::api_version())
        .header("x-APIKey", API_KEY)
        .send()
        .await
        .expect("the raw request succeeds")
        .error_for_status()
        .expect("the raw request gets a 2xx");
    let bytes = response.bytes().await.expect("the raw body arrives");
    let page: types::SearchBusinessesResponse =
        serde_json::from_slice(&bytes).expect("the raw body decodes");
    assert_eq!(page.businesses.as_ref().map(Vec::len), Some(30));
    page
}

// ---------------------------------------------------------------------------------------------------------
// 2. Pagination
// ---------------------------------------------------------------------------------------------------------

const PAGE_DELAY: Duration = Duration::from_millis(20);
const PAGE_SIZE: usize = 30;

fn pagination(runtime: &tokio::runtime::Runtime, plan: &Plan, concurrency: usize, size: usize) {
    let pages = plan.pages;
    let count = pages * size as i64;
    let responses: Vec<Arc<Vec<u8>>> = (1..=pages)
        .map(|n| Arc::new(ok_response(&page_body(n, pages, count, size))))
        .collect();
    let empty = Arc::new(ok_response(&page_body(pages + 1, pages, count, 0)));
    let server = Server::start(PAGE_DELAY, move |target| {
        let page = query_value(target, "page")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(1);
        usize::try_from(page - 1)
            .ok()
            .and_then(|i| responses.get(i))
            .map_or_else(|| Arc::clone(&empty), Arc::clone)
    });
    let client = Client::builder()
        .api_key(API_KEY)
        .base_url(format!("http://{}", server.addr))
        .build()
        .expect("a client for the loopback server");

    let (elapsed, got_pages, got_items) = runtime.block_on(async {
        let started = Instant::now();
        let all: Vec<_> = client
            .search_businesses()
            .pages()
            .concurrency(concurrency)
            .stream()
            .try_collect()
            .await
            .expect("every page arrives");
        let elapsed = started.elapsed();
        let items: usize = all.iter().map(|p| p.items.len()).sum();
        (elapsed, all.len(), items)
    });
    let served = server.served();
    drop(client);
    drop(server);
    assert_eq!(got_pages as i64, pages, "pages streamed");
    assert_eq!(got_items as i64, count, "items streamed");

    let delay = PAGE_DELAY.as_secs_f64();
    let ideal = delay * pages as f64 / concurrency as f64;
    // `Pages::concurrency` fetches page 1 alone, then the rest with up to c in flight: the best it can do.
    let waves = 1 + (pages as usize - 1).div_ceil(concurrency);
    let floor = delay * waves as f64;
    let goal = if concurrency == 8 && size == PAGE_SIZE {
        "; goal ≤ 1.2"
    } else {
        ""
    };
    let label = if size == PAGE_SIZE {
        format!("pagination c={concurrency}")
    } else {
        format!("pagination c={concurrency}, {size}-business pages")
    };
    println!(
        "{label}: {pages} pages × {size} businesses, server waits {} ms per request, \
         {served} requests; elapsed {:.1} ms; ideal pages × {} ms / c = {:.1} ms (page 1 alone, then c in \
         flight: at best {waves} waits = {:.1} ms, {:.3} × ideal){goal}; ratio to ideal {:.3}",
        PAGE_DELAY.as_millis(),
        elapsed.as_secs_f64() * 1e3,
        PAGE_DELAY.as_millis(),
        ideal * 1e3,
        floor * 1e3,
        floor / ideal,
        elapsed.as_secs_f64() / ideal
    );
}

// ---------------------------------------------------------------------------------------------------------
// 3. Decoding
// ---------------------------------------------------------------------------------------------------------

fn decoding(plan: &Plan) {
    let body = page_body(1, 3, 287, 100);
    // Sanity: the typed decode sees every business. (The current reference shows no `custom_fields` on a
    // search result, so they are extra fields now, skipped by the typed decode.)
    let typed: types::SearchBusinessesResponse =
        serde_json::from_slice(&body).expect("the 100-business page decodes");
    let businesses = typed.businesses.expect("businesses present");
    assert_eq!(businesses.len(), 100);

    let rounds = 10;
    let per_round = plan.decode_iters.div_ceil(rounds);
    let (mut typed_ns, mut value_ns) = (0u128, 0u128);
    for _ in 0..per_round.min(20) {
        black_box(serde_json::from_slice::<types::SearchBusinessesResponse>(&body).ok());
        black_box(serde_json::from_slice::<Value>(&body).ok());
    }
    for round in 0..rounds {
        for side in [round % 2, 1 - round % 2] {
            let started = Instant::now();
            for _ in 0..per_round {
                if side == 0 {
                    let page: types::SearchBusinessesResponse =
                        serde_json::from_slice(black_box(&body)).expect("typed decode");
                    drop(black_box(page));
                } else {
                    let page: Value =
                        serde_json::from_slice(black_box(&body)).expect("value decode");
                    drop(black_box(page));
                }
            }
            let ns = started.elapsed().as_nanos();
            if side == 0 {
                typed_ns += ns;
            } else {
                value_ns += ns;
            }
        }
    }
    let n = (per_round * rounds) as f64;
    let (typed_per, value_per) = (typed_ns as f64 / n, value_ns as f64 / n);
    println!(
        "decode 100-business page: {:.1} kB, {} iterations each; types::SearchBusinessesResponse {} ns/page \
         ({:.0} MB/s); serde_json::Value {} ns/page ({:.0} MB/s); ratio typed/value {:.3}",
        body.len() as f64 / 1e3,
        per_round * rounds,
        thousands(typed_per),
        body.len() as f64 / typed_per * 1e3,
        thousands(value_per),
        body.len() as f64 / value_per * 1e3,
        typed_per / value_per
    );
}

// ---------------------------------------------------------------------------------------------------------
// Statistics and formatting
// ---------------------------------------------------------------------------------------------------------

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len().max(1) as f64
}

fn median(xs: &[f64]) -> f64 {
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(0.0)
}

/// `1234567.8` → `1,234,568`.
fn thousands(x: f64) -> String {
    let digits = format!("{:.0}", x);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
