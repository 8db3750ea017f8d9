//! 4. Bulk sync: `partoo_api::bulk::Bulk` sends one `GET /business/{id}` per item through a client limited to
//!    Q requests per W, against a loopback server that enforces the same quota over a sliding window and
//!    answers 429 + `Retry-After` past it. Partoo's quota is 300 a minute; the bench scales it in time to 300
//!    per 3 s, so that ≥ 1,000 requests take about 10 s instead of 3 minutes.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures_util::stream;
use partoo_api::bulk::Bulk;
use partoo_api::{Client, SendExt};

use crate::fixtures::business;
use crate::server::{Server, ok_response};
use crate::{API_KEY, Plan};

/// The quota: Q requests in any window of W.
const QUOTA: u32 = 300;
const WINDOW: Duration = Duration::from_secs(3);
/// Items in progress at once.
const CONCURRENCY: usize = 16;
/// How long the server takes to answer each request.
const LATENCY: Duration = Duration::from_millis(20);

/// A sliding-window quota: a request arriving at `t` is accepted when fewer than Q accepted requests
/// arrived in `(t − W, t]`, else answered 429 with the whole seconds until the oldest of them leaves the
/// window. Refused requests do not count against the quota.
struct QuotaWindow {
    accepted: Mutex<VecDeque<Instant>>,
    refused: AtomicUsize,
    /// Every arrival, and the arrival numbers of the refused ones, for the report.
    arrivals: Mutex<(Vec<Instant>, Vec<usize>)>,
}

impl QuotaWindow {
    /// `None`: accepted; `Some(seconds)`: refused, retry after that long.
    fn admit(&self) -> Option<u64> {
        let now = Instant::now();
        let mut log = self.arrivals.lock().unwrap_or_else(PoisonError::into_inner);
        log.0.push(now);
        let arrival = log.0.len() - 1;
        let mut accepted = self.accepted.lock().unwrap_or_else(PoisonError::into_inner);
        while accepted
            .front()
            .is_some_and(|oldest| now.duration_since(*oldest) >= WINDOW)
        {
            accepted.pop_front();
        }
        if accepted.len() < QUOTA as usize {
            accepted.push_back(now);
            return None;
        }
        self.refused.fetch_add(1, Ordering::Relaxed);
        log.1.push(arrival);
        let oldest = accepted.front().copied().unwrap_or(now);
        let left = (oldest + WINDOW).saturating_duration_since(now);
        Some(left.as_secs() + u64::from(left.subsec_nanos() > 0))
    }
}

fn too_many(retry_after: u64) -> Vec<u8> {
    let body = br#"{"errors":{"json":"Too many requests"}}"#;
    let mut response = format!(
        "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nRetry-After: {retry_after}\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    response.extend_from_slice(body);
    response
}

pub(crate) fn bulk_sync(runtime: &tokio::runtime::Runtime, plan: &Plan) {
    let requests = plan.bulk_requests;
    let body = serde_json::to_vec(&business(7)).expect("a business serializes");
    let ok = Arc::new(ok_response(&body));
    let quota = Arc::new(QuotaWindow {
        accepted: Mutex::new(VecDeque::new()),
        refused: AtomicUsize::new(0),
        arrivals: Mutex::default(),
    });
    let server = Server::start(LATENCY, {
        let quota = Arc::clone(&quota);
        move |_target| match quota.admit() {
            None => Arc::clone(&ok),
            Some(seconds) => Arc::new(too_many(seconds)),
        }
    });
    let client = Client::builder()
        .api_key(API_KEY)
        .base_url(format!("http://{}", server.addr))
        .rate_limit(QUOTA, WINDOW)
        .build()
        .expect("a client for the loopback server");
    let ids: Vec<String> = (0..requests).map(|i| format!("{i:024x}")).collect();

    let (elapsed, report) = runtime.block_on(async {
        let started = Instant::now();
        let report = Bulk::new(CONCURRENCY)
            .run(stream::iter(ids), |id| {
                let client = client.clone();
                async move {
                    client
                        .get_business()
                        .business_id(id)
                        .send()
                        .into_result()
                        .await
                        .map(|_| ())
                }
            })
            .await;
        (started.elapsed(), report)
    });
    let served = server.served();
    drop(client);
    drop(server);
    let refused = quota.refused.load(Ordering::Relaxed);
    let (arrivals, refused_at) = std::mem::take(
        &mut *quota
            .arrivals
            .lock()
            .unwrap_or_else(PoisonError::into_inner),
    );
    let q = QUOTA as usize;
    let tightest = arrivals
        .windows(q + 1)
        .enumerate()
        .map(|(i, w)| (w[q] - w[0], i))
        .min();

    let bound = requests as f64 * WINDOW.as_secs_f64() / f64::from(QUOTA);
    println!(
        "bulk sync: {requests} requests, quota {QUOTA} per {} s; elapsed {:.3} s; bound {bound:.3} s; \
         ratio to bound {:.3}; 429 responses: {refused}",
        WINDOW.as_secs(),
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() / bound,
    );
    println!(
        "  (bulk::Bulk concurrency {CONCURRENCY}, server latency {} ms, {served} responses, {} items done, \
         {} failed; bound = requests × W / Q, the quota's sustained rate; goal ratio ≤ 1.02 and no 429)",
        LATENCY.as_millis(),
        report.done,
        report.failed.len()
    );
    if let Some((span, at)) = tightest {
        println!(
            "  (server side: the tightest {} consecutive arrivals, from arrival {at}, span {:.1} ms; a span under \
             {} ms means a 429; refused arrivals: {refused_at:?})",
            q + 1,
            span.as_secs_f64() * 1e3,
            WINDOW.as_millis()
        );
    }
}
