//! The concurrent page window (`pages().concurrency(n)`) over an in-memory `PageRequest` whose pages the
//! test holds back or lets through: no head-of-line blocking, the bound on pages waiting behind a slow one,
//! at most `n` requests in flight, errors and cancellation. Wire-level behaviour is in `pagination.rs`.
//!
//! The tests run on a paused clock: `settle()` returns once every task is idle, so "nothing more was
//! requested" is a fact, not a race.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use partoo_api::pagination::PageRequest;
use partoo_api::types::PartooError;
use partoo_api::{Error, GeneratedError, Paginate, PaginationStop, ResponseValue};
use tokio::sync::Semaphore;

#[derive(Clone, Debug, serde::Deserialize)]
struct FakePage {
    page: i64,
    max_page: Option<i64>,
    items: Vec<i64>,
}

/// What the fake saw: pages started, finished and dropped unfinished, and the most requests at once.
#[derive(Debug, Default)]
struct Log {
    started: Vec<i64>,
    finished: BTreeSet<i64>,
    dropped: BTreeSet<i64>,
    running: usize,
    most_running: usize,
}

/// Pages `1..=max_page`; a page listed in `held` waits for a permit of its semaphore, a page in `failing`
/// fails, a page in `delays` takes that long (paused clock).
#[derive(Clone)]
struct Fake {
    /// `None`: the pages give no `max_page`.
    max_page: Option<i64>,
    held: Arc<BTreeMap<i64, Arc<Semaphore>>>,
    failing: Arc<BTreeSet<i64>>,
    delays: Arc<BTreeMap<i64, Duration>>,
    /// From page p on, `max_page` is `grown[p]` (the collection grew): the entry with the highest key ≤ p.
    grown: Arc<BTreeMap<i64, i64>>,
    log: Arc<Mutex<Log>>,
    page: i64,
}

impl Fake {
    fn new(max_page: i64) -> Self {
        Self::with_max_page(Some(max_page))
    }

    fn with_max_page(max_page: Option<i64>) -> Self {
        Fake {
            max_page,
            held: Arc::default(),
            failing: Arc::default(),
            delays: Arc::default(),
            grown: Arc::default(),
            log: Arc::default(),
            page: 1,
        }
    }

    fn grow(mut self, from: &[(i64, i64)]) -> Self {
        self.grown = Arc::new(from.iter().copied().collect());
        self
    }

    fn hold(mut self, pages: &[i64]) -> Self {
        self.held = Arc::new(
            pages
                .iter()
                .map(|&p| (p, Arc::new(Semaphore::new(0))))
                .collect(),
        );
        self
    }

    fn fail(mut self, pages: &[i64]) -> Self {
        self.failing = Arc::new(pages.iter().copied().collect());
        self
    }

    fn delays(mut self, delays: &[(i64, u64)]) -> Self {
        self.delays = Arc::new(
            delays
                .iter()
                .map(|&(p, ms)| (p, Duration::from_millis(ms)))
                .collect(),
        );
        self
    }

    fn let_through(&self, page: i64) {
        self.held[&page].add_permits(1);
    }

    fn started(&self) -> Vec<i64> {
        self.log.lock().expect("not poisoned").started.clone()
    }

    fn log<T>(&self, f: impl FnOnce(&Log) -> T) -> T {
        f(&self.log.lock().expect("not poisoned"))
    }
}

/// Marks a page dropped unless it finished.
struct Running {
    page: i64,
    log: Arc<Mutex<Log>>,
    finished: bool,
}

impl Drop for Running {
    fn drop(&mut self) {
        let mut log = self.log.lock().expect("not poisoned");
        log.running -= 1;
        if self.finished {
            log.finished.insert(self.page);
        } else {
            log.dropped.insert(self.page);
        }
    }
}

impl<'a> PageRequest<'a> for Fake {
    const OPERATION: &'static str = "fake";
    type Page = FakePage;
    type Item = i64;

    fn with_page(mut self, page: i64) -> Self {
        self.page = page;
        self
    }

    async fn send_page(self) -> Result<ResponseValue<FakePage>, GeneratedError<PartooError>> {
        let page = self.page;
        let mut running = {
            let mut log = self.log.lock().expect("not poisoned");
            log.started.push(page);
            log.running += 1;
            log.most_running = log.most_running.max(log.running);
            Running {
                page,
                log: Arc::clone(&self.log),
                finished: false,
            }
        };
        if let Some(gate) = self.held.get(&page) {
            gate.acquire().await.expect("semaphore open").forget();
        }
        if let Some(delay) = self.delays.get(&page) {
            tokio::time::sleep(*delay).await;
        }
        running.finished = true;
        if self.failing.contains(&page) {
            return Err(GeneratedError::InvalidRequest(format!(
                "page {page} failed"
            )));
        }
        let max_page = self
            .grown
            .range(..=page)
            .next_back()
            .map_or(self.max_page, |(_, &max)| Some(max));
        let body = FakePage {
            page,
            max_page,
            items: vec![page.wrapping_mul(10), page.wrapping_mul(10).wrapping_add(1)],
        };
        Ok(ResponseValue::new(
            body,
            reqwest::StatusCode::OK,
            reqwest::header::HeaderMap::new(),
        ))
    }

    fn page_numbers(page: &FakePage) -> (Option<i64>, Option<i64>) {
        (Some(page.page), page.max_page)
    }

    fn into_items(page: FakePage) -> Vec<i64> {
        page.items
    }
}

/// Returns once every task is idle (the paused clock only advances then).
async fn settle() {
    tokio::time::sleep(Duration::from_secs(3600)).await;
}

/// Polls `stream` until every task is idle, asserting it has no page to give yet.
async fn poll_until_idle<S: futures_util::Stream + Unpin>(stream: &mut S) {
    let next = tokio::time::timeout(Duration::from_secs(3600), stream.next()).await;
    assert!(next.is_err(), "the stream gave an item");
}

fn numbers(pages: &[partoo_api::Page<i64>]) -> Vec<i64> {
    pages.iter().map(|p| p.number).collect()
}

#[tokio::test(start_paused = true)]
async fn a_slow_head_page_does_not_stop_the_pages_after_it() {
    // Concurrency 3: while page 2 is held, pages 3, 4, … finish and their slots are reused, up to the
    // bound of 2 × 3 pages ahead of page 2 (pages 2..=7); page 8 waits.
    let fake = Fake::new(12).hold(&[2]);
    let stream = fake.clone().pages().concurrency(3).stream();
    let collector = tokio::spawn(stream.try_collect::<Vec<_>>());
    settle().await;
    assert_eq!(fake.started(), [1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(
        fake.log(|l| l.finished.clone()),
        BTreeSet::from([1, 3, 4, 5, 6, 7])
    );

    fake.let_through(2);
    let pages = collector.await.expect("no panic").expect("every page");
    assert_eq!(numbers(&pages), (1..=12).collect::<Vec<_>>());
    let mut started = fake.started();
    started.sort_unstable();
    assert_eq!(started, (1..=12).collect::<Vec<_>>(), "each page once");
}

#[tokio::test(start_paused = true)]
async fn pages_waiting_behind_a_slow_one_are_bounded_and_resume_in_order() {
    // Concurrency 2, pages 2 and 3 held: pages 4 and 5 finish (2 × 2 ahead of page 2 is the limit).
    let fake = Fake::new(20).hold(&[2, 3]);
    let mut stream = fake.clone().pages().concurrency(2).stream();
    assert_eq!(stream.next().await.expect("page 1").expect("ok").number, 1);
    poll_until_idle(&mut stream).await;
    assert_eq!(fake.started(), [1, 2, 3]);

    // Page 3 through: it waits for page 2, and the window may only run to page 5.
    fake.let_through(3);
    poll_until_idle(&mut stream).await;
    assert_eq!(fake.started(), [1, 2, 3, 4, 5]);

    fake.let_through(2);
    let rest: Vec<_> = stream.try_collect().await.expect("every page");
    assert_eq!(numbers(&rest), (2..=20).collect::<Vec<_>>());
}

#[tokio::test(start_paused = true)]
async fn never_more_than_n_requests_in_flight_and_never_past_max_page() {
    let delays: Vec<(i64, u64)> = (1..=40).map(|p| (p, 5 + (p as u64 * 37) % 23)).collect();
    for n in [2, 5, 8] {
        let fake = Fake::new(40).delays(&delays);
        let pages: Vec<_> = fake
            .clone()
            .pages()
            .concurrency(n)
            .stream()
            .try_collect()
            .await
            .expect("every page");
        assert_eq!(numbers(&pages), (1..=40).collect::<Vec<_>>());
        assert_eq!(fake.log(|l| l.most_running), n, "concurrency {n}");
        assert_eq!(
            fake.started().len(),
            40,
            "concurrency {n}: no page past max_page"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn an_error_stops_new_requests_and_cancels_the_pages_after_it() {
    // Page 4 fails while page 2 is held and page 5 runs: the stream yields 1, 2, 3, then the error; page 5
    // is cancelled and nothing after it is requested.
    let fake = Fake::new(30)
        .hold(&[2, 5])
        .fail(&[4])
        .delays(&[(3, 10), (4, 20)]);
    let collector = tokio::spawn(
        fake.clone()
            .pages()
            .concurrency(3)
            .stream()
            .collect::<Vec<_>>(),
    );
    settle().await;
    assert_eq!(fake.started(), [1, 2, 3, 4, 5]);
    assert_eq!(fake.log(|l| l.dropped.clone()), BTreeSet::from([5]));

    fake.let_through(2);
    let results = collector.await.expect("no panic");
    let ok: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(ok.iter().map(|p| p.number).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(results.len(), 4);
    match &results[3] {
        Err(Error::InvalidRequest(message)) => assert!(message.contains("page 4"), "{message}"),
        other => panic!("expected the page 4 error, got {other:?}"),
    }
    assert_eq!(fake.started(), [1, 2, 3, 4, 5]);
}

#[tokio::test(start_paused = true)]
async fn dropping_the_stream_cancels_every_page_in_flight() {
    let fake = Fake::new(50).hold(&[2, 3, 4, 5]);
    let mut stream = fake.clone().pages().concurrency(4).stream();
    assert_eq!(stream.next().await.expect("page 1").expect("ok").number, 1);
    poll_until_idle(&mut stream).await;
    assert_eq!(fake.started(), [1, 2, 3, 4, 5]);
    drop(stream);
    assert_eq!(
        fake.log(|l| l.dropped.clone()),
        BTreeSet::from([2, 3, 4, 5])
    );
    assert_eq!(fake.log(|l| l.running), 0);
    for page in 2..=5 {
        fake.let_through(page);
    }
    settle().await;
    assert_eq!(
        fake.started(),
        [1, 2, 3, 4, 5],
        "nothing requested after the drop"
    );
}

#[tokio::test(start_paused = true)]
async fn the_max_pages_limit_ends_a_concurrent_stream_after_the_pages_it_allows() {
    let fake = Fake::new(1_000).hold(&[2]);
    let collector = tokio::spawn(
        fake.clone()
            .pages()
            .concurrency(4)
            .max_pages(6)
            .stream()
            .collect::<Vec<_>>(),
    );
    settle().await;
    fake.let_through(2);
    let results = collector.await.expect("no panic");
    assert_eq!(results.len(), 7);
    let ok: Vec<_> = results[..6]
        .iter()
        .map(|r| r.as_ref().map(|p| p.number).expect("a page"))
        .collect();
    assert_eq!(ok, [1, 2, 3, 4, 5, 6]);
    assert!(
        matches!(
            &results[6],
            Err(Error::Pagination {
                operation: "fake",
                page: 7,
                reason: PaginationStop::MaxPages { limit: 6 }
            })
        ),
        "{:?}",
        results[6]
    );
    let mut started = fake.started();
    started.sort_unstable();
    assert_eq!(started, [1, 2, 3, 4, 5, 6]);
}

#[tokio::test(start_paused = true)]
async fn a_max_page_that_grows_during_the_stream_is_followed_with_any_concurrency() {
    // Page 1 says 3 pages; from page 3 on the server says 5, from page 5 on 7 (items were added). A
    // one-at-a-time stream reads pages 1–7; so must a concurrent one, without requesting past 7.
    for n in [1, 2, 3, 8] {
        let fake = Fake::new(3).grow(&[(3, 5), (5, 7)]).delays(&[(2, 30)]);
        let pages: Vec<_> = fake
            .clone()
            .pages()
            .concurrency(n)
            .stream()
            .try_collect()
            .await
            .expect("every page");
        assert_eq!(
            numbers(&pages),
            (1..=7).collect::<Vec<_>>(),
            "concurrency {n}"
        );
        let mut started = fake.started();
        started.sort_unstable();
        assert_eq!(started, (1..=7).collect::<Vec<_>>(), "concurrency {n}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_max_page_that_grows_past_the_cap_ends_with_the_cap() {
    // Page 1 says 2 pages, page 2 says 100; the cap of 4 pages ends the stream after page 4, as it does
    // one page at a time.
    for n in [1, 3] {
        let fake = Fake::new(2).grow(&[(2, 100)]);
        let results: Vec<_> = fake
            .clone()
            .pages()
            .concurrency(n)
            .max_pages(4)
            .stream()
            .collect()
            .await;
        let ok: Vec<_> = results
            .iter()
            .filter_map(|r| r.as_ref().ok().map(|p| p.number))
            .collect();
        assert_eq!(ok, [1, 2, 3, 4], "concurrency {n}");
        assert!(
            matches!(
                results.last(),
                Some(Err(Error::Pagination {
                    page: 5,
                    reason: PaginationStop::MaxPages { limit: 4 },
                    ..
                }))
            ),
            "concurrency {n}: {:?}",
            results.last()
        );
        let mut started = fake.started();
        started.sort_unstable();
        assert_eq!(started, [1, 2, 3, 4], "concurrency {n}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_stream_started_at_the_last_page_number_stops_at_its_cap() {
    // `start_at(i64::MAX)`: the page after it cannot be numbered; the cap ends the stream instead.
    for n in [1, 2] {
        let fake = Fake::with_max_page(None);
        let results: Vec<_> = fake
            .clone()
            .pages()
            .start_at(i64::MAX)
            .concurrency(n)
            .stream()
            .collect()
            .await;
        assert_eq!(results.len(), 2, "concurrency {n}");
        assert_eq!(results[0].as_ref().map(|p| p.number).ok(), Some(i64::MAX));
        assert!(
            matches!(
                &results[1],
                Err(Error::Pagination {
                    reason: PaginationStop::MaxPages { .. },
                    ..
                })
            ),
            "concurrency {n}: {:?}",
            results[1]
        );
        assert_eq!(fake.started(), [i64::MAX], "concurrency {n}");
    }
}

// ---------------------------------------------------------------------------------------------------------
// Through the real client: the hooks hold each page between its exchange and its decoding.
// ---------------------------------------------------------------------------------------------------------

mod wire {
    use std::time::Duration;

    use futures_util::StreamExt;
    use partoo_api::{Client, Paginate};
    use serde_json::{Value, json};
    use wiremock::matchers::{method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn client(server: &MockServer) -> Client {
        Client::builder()
            .api_key("k")
            .base_url(server.uri())
            .build()
            .expect("client builds")
    }

    async fn requests(server: &MockServer) -> usize {
        server.received_requests().await.map_or(0, |r| r.len())
    }

    #[tokio::test]
    async fn dropping_a_concurrent_stream_stops_its_pending_retries() {
        // Page 1 announces 5 pages; pages 2–5 answer 429 "retry after 3 s". Once their first attempts are
        // in, the stream is dropped: no second attempt may follow.
        let server = MockServer::builder().start().await;
        let mut first: Value =
            serde_json::from_str(include_str!("fixtures/businesses_page_1.json")).expect("JSON");
        first["max_page"] = json!(5);
        Mock::given(method("GET"))
            .and(path("/business/search"))
            .and(query_param("page", "1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(&first))
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/business/search"))
            .respond_with(
                ResponseTemplate::new(429)
                    .insert_header("Retry-After", "3")
                    .set_body_json(json!({"errors": {"json": "slow down"}})),
            )
            .with_priority(2)
            .mount(&server)
            .await;
        let client = client(&server);

        let consumer = {
            let client = client.clone();
            tokio::spawn(async move {
                let mut pages = client.search_businesses().pages().concurrency(4).stream();
                while pages.next().await.is_some() {}
            })
        };
        for _ in 0..500 {
            if requests(&server).await >= 5 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(
            requests(&server).await,
            5,
            "page 1 and the first attempts of pages 2–5"
        );
        consumer.abort();
        assert!(consumer.await.expect_err("aborted").is_cancelled());
        tokio::time::sleep(Duration::from_millis(3_500)).await;
        assert_eq!(
            requests(&server).await,
            5,
            "no retry after the stream was dropped"
        );
    }

    #[tokio::test]
    async fn a_decode_error_on_a_concurrent_page_keeps_its_path_and_status() {
        // Concurrency 3 over 4 pages: page 3's body does not match the spec, page 4 answers 400. The
        // stream yields pages 1 and 2, then page 3's decode error with its JSON path and status, and ends
        // there (page 4's error is not reported).
        let server = MockServer::builder().start().await;
        let fixture: Value =
            serde_json::from_str(include_str!("fixtures/businesses_page_1.json")).expect("JSON");
        for n in 1..=4 {
            let mut page = fixture.clone();
            page["page"] = json!(n);
            page["max_page"] = json!(4);
            // Each page its own businesses (the same items twice in a row would stop the stream).
            page["businesses"][0]["id"] = json!(format!("page-{n}"));
            if n == 3 {
                page["businesses"][1]["lat"] = json!("north");
            }
            let response = if n == 4 {
                ResponseTemplate::new(400).set_body_json(json!({"errors": {"json": "bad"}}))
            } else {
                ResponseTemplate::new(200).set_body_json(&page)
            };
            Mock::given(method("GET"))
                .and(path("/business/search"))
                .and(query_param("page", n.to_string()))
                .respond_with(response)
                .mount(&server)
                .await;
        }
        let client = client(&server);
        let results: Vec<_> = client
            .search_businesses()
            .pages()
            .concurrency(3)
            .stream()
            .collect()
            .await;
        assert_eq!(results.len(), 3);
        assert_eq!(results[1].as_ref().map(|p| p.items.len()).ok(), Some(30));
        match &results[2] {
            Err(partoo_api::Error::Decode { status, path, .. }) => {
                assert_eq!(status.map(|s| s.as_u16()), Some(200));
                assert_eq!(path, "businesses[1].lat");
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
    }
}
