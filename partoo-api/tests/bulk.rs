//! `partoo_api::bulk::Bulk`: bounded concurrency, per-item errors collected, progress with an ETA,
//! cancellation that lets items in progress finish, and a run through a rate-limited client. Paused virtual
//! time: every item's work is a `sleep`, so the counts and times below are exact.

mod loopback;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::stream;
use loopback::{Answer, Loopback};
use partoo_api::bulk::{Bulk, Progress};
use partoo_api::{Client, Error, SendExt};
use tokio_util::sync::CancellationToken;

const SECOND: Duration = Duration::from_secs(1);

/// An item's work in the runs through a client: one `get_my_user`, through its rate limit and retries.
async fn read_my_user(client: Client) -> Result<(), Error> {
    client.get_my_user().send().into_result().await.map(drop)
}

#[tokio::test(start_paused = true)]
async fn at_most_concurrency_items_run_at_once() {
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let report = Bulk::new(4)
        .run(stream::iter(0..50u32), |item| {
            let (running, most) = (Arc::clone(&running), Arc::clone(&most));
            async move {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(SECOND).await;
                running.fetch_sub(1, Ordering::SeqCst);
                Ok::<_, String>(item * 2)
            }
        })
        .await;
    assert_eq!(most.load(Ordering::SeqCst), 4);
    assert_eq!(report.done, 50);
    let mut outputs = report.outputs;
    outputs.sort_unstable();
    assert_eq!(outputs, (0..50).map(|i| i * 2).collect::<Vec<_>>());
    assert!(report.failed.is_empty() && !report.cancelled);
    // 50 items of 1 s, 4 at a time: 13 rounds.
    assert_eq!(report.elapsed, 13 * SECOND);
}

#[tokio::test(start_paused = true)]
async fn failed_items_are_collected_and_the_run_goes_on() {
    let report = Bulk::new(3)
        .run(stream::iter(0..20u32), |item| async move {
            tokio::time::sleep(SECOND).await;
            if item % 4 == 0 {
                Err(format!("item {item} refused"))
            } else {
                Ok(())
            }
        })
        .await;
    assert_eq!(report.done, 15);
    let mut failed = report.failed.clone();
    failed.sort();
    let expected: Vec<(u32, String)> = [0, 4, 8, 12, 16]
        .into_iter()
        .map(|i| (i, format!("item {i} refused")))
        .collect();
    assert_eq!(failed, expected);
    assert!(!report.cancelled && !report.is_complete());
}

#[tokio::test(start_paused = true)]
async fn progress_counts_and_estimates_the_time_left() {
    let seen = Arc::new(std::sync::Mutex::new(Vec::<Progress>::new()));
    let sink = Arc::clone(&seen);
    let report = Bulk::new(1)
        .on_progress(move |p| sink.lock().expect("the list").push(p.clone()))
        .run(stream::iter(0..10u32), |item| async move {
            tokio::time::sleep(SECOND).await;
            if item == 3 { Err("no") } else { Ok(()) }
        })
        .await;
    let seen = seen.lock().expect("the list");
    assert_eq!(seen.len(), 10, "one call per item");
    for (k, p) in seen.iter().enumerate() {
        let finished = k as u64 + 1;
        assert_eq!(p.finished(), finished);
        assert_eq!(p.failed, u64::from(finished > 3));
        assert_eq!(p.total, Some(10), "the exact size_hint of the stream");
        assert_eq!(p.elapsed, SECOND * finished as u32);
        // One item a second so far, 10 − finished to go.
        assert_eq!(p.eta, Some(SECOND * (10 - finished) as u32));
    }
    assert_eq!(
        seen[3].to_string(),
        "4/10 finished (3 done, 1 failed), 0 in progress, 4.0 s elapsed, ETA 6.0 s"
    );
    assert_eq!(report.done, 9);
}

/// A `total` set too low showed `3/0 finished … ETA 0.0 s`: once the run outgrows it, the total is unknown.
#[tokio::test(start_paused = true)]
async fn a_total_the_run_outgrows_is_dropped() {
    let seen = Arc::new(std::sync::Mutex::new(Vec::<Progress>::new()));
    let sink = Arc::clone(&seen);
    Bulk::new(1)
        .total(1)
        .on_progress(move |p| sink.lock().expect("the list").push(p.clone()))
        .run(stream::iter(0..3u32), |item| async move {
            tokio::time::sleep(SECOND).await;
            Ok::<_, String>(item)
        })
        .await;
    let seen = seen.lock().expect("the list");
    // The first item fits the total; from the second on the run has outgrown it.
    assert_eq!(seen[0].total, Some(1), "{}", seen[0]);
    for p in &seen[1..] {
        assert!(p.total.is_none() && p.eta.is_none(), "{p}");
    }
    assert_eq!(
        seen[2].to_string(),
        "3 finished (3 done, 0 failed), 0 in progress, 3.0 s elapsed"
    );
}

#[tokio::test(start_paused = true)]
async fn cancelling_stops_new_items_and_lets_started_ones_finish() {
    let token = CancellationToken::new();
    let trigger = token.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(3500)).await;
        trigger.cancel();
    });
    let started = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&started);
    let report = Bulk::new(2)
        .total(100)
        .cancel_on(token.cancelled_owned())
        // An endless stream: cancellation is what ends this run.
        .run(stream::iter(0u32..), |item| {
            counter.fetch_add(1, Ordering::SeqCst);
            async move {
                tokio::time::sleep(SECOND).await;
                Ok::<_, String>(item)
            }
        })
        .await;
    // Items 0–5 finished by 3 s; 6 and 7 were started at 3 s and finish at 4 s, after the cancel at 3.5 s.
    assert!(report.cancelled);
    assert_eq!(started.load(Ordering::SeqCst), 8);
    assert_eq!(report.done, 8);
    assert_eq!(report.not_started, Some(92));
    assert_eq!(report.elapsed, 4 * SECOND);
}

/// A cancelled run resumes from the same stream passed by `&mut`: no item is pulled without being started,
/// so the second run gets exactly the items the first never started.
#[tokio::test(start_paused = true)]
async fn a_cancelled_run_over_a_borrowed_stream_resumes_where_it_stopped() {
    let mut ids = stream::iter(0u32..20);
    let work = |item: u32| async move {
        tokio::time::sleep(SECOND).await;
        Ok::<_, String>(item)
    };
    let first = Bulk::new(3)
        .cancel_on(tokio::time::sleep(Duration::from_millis(2500)))
        .run(&mut ids, work)
        .await;
    assert!(first.cancelled);
    let second = Bulk::new(3).run(&mut ids, work).await;
    assert!(!second.cancelled);
    let mut all: Vec<u32> = first.outputs.into_iter().chain(second.outputs).collect();
    all.sort_unstable();
    assert_eq!(all, (0..20).collect::<Vec<_>>(), "each item exactly once");
    // Items 0–8 started by 2 s and finished; the second run took the other 11.
    assert_eq!((first.done, second.done), (9, 11));
}

/// A cancel let every started item finish, including those still waiting for a slot of the rate limit or
/// the pause after a 429: each then sent its request, and the run returned when the pause (120 s) was over.
/// Now a request that has not left when the run is cancelled is not sent: its item fails with
/// `Error::Cancelled`, with the item, so the caller knows exactly what to redo.
#[tokio::test(start_paused = true)]
async fn a_cancel_stops_requests_that_have_not_left() {
    fn answer(arrival: usize) -> Answer {
        if arrival == 4 {
            Answer::TooMany("120")
        } else {
            Answer::User
        }
    }
    let server = Loopback::start(answer).await;
    let client = server
        .client()
        .rate_limit_per_minute(300)
        .build()
        .expect("client builds");
    let token = CancellationToken::new();
    let trigger = token.clone();
    tokio::spawn(async move {
        tokio::time::sleep(3 * SECOND).await;
        trigger.cancel();
    });
    let report = Bulk::new(8)
        .total(1000)
        .cancel_on(token.cancelled_owned())
        .run(stream::iter(0..1000u32), |_item| {
            read_my_user(client.clone())
        })
        .await;
    assert!(report.cancelled);
    let sent = server.arrivals().len();
    let cancelled: Vec<&Error> = report
        .failed
        .iter()
        .map(|(_, e)| e)
        .filter(|e| matches!(e, Error::Cancelled { .. }))
        .collect();
    // The 429 at the 5th request paused every item for 120 s: all 8 in progress were waiting, none sent.
    assert_eq!(sent, 5, "requests sent: {sent}");
    assert_eq!(cancelled.len(), 8, "{:?}", report.failed);
    assert!(
        report.elapsed < 4 * SECOND,
        "returned after {:?}",
        report.elapsed
    );
    let finished = report.done + report.failed.len() as u64;
    assert_eq!(finished + report.not_started.expect("a known total"), 1000);
    let err = cancelled[0];
    assert!(err.is_retryable(), "never sent: safe to redo");
    assert!(err.to_string().contains("not sent"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn a_bulk_run_through_a_rate_limited_client_stays_in_the_quota_and_collects_errors() {
    // Request 8 is a 429 beyond `max_retry_after`: that item fails with `RateLimited`, the rest succeed.
    fn answer(arrival: usize) -> Answer {
        if arrival == 8 {
            Answer::TooMany("3600")
        } else {
            Answer::User
        }
    }
    let server = Loopback::start(answer).await;
    let client = server
        .client()
        .rate_limit(10, SECOND)
        .build()
        .expect("client builds");
    let report = Bulk::new(6)
        .run(stream::iter(0..40u32), |_item| read_my_user(client.clone()))
        .await;
    assert_eq!(report.done, 39);
    assert_eq!(report.failed.len(), 1);
    assert!(
        matches!(report.failed[0].1, Error::RateLimited { .. }),
        "{:?}",
        report.failed[0].1
    );
    let arrivals: Vec<_> = server.arrivals().iter().map(|a| a.at).collect();
    assert_eq!(arrivals.len(), 40);
    let tightest = arrivals.windows(11).map(|w| w[10] - w[0]).min();
    assert!(tightest >= Some(SECOND), "11 requests within {tightest:?}");
}

/// A 429 asking for longer than `max_retry_after` paused nothing: the other items kept sending at full pace
/// into a server that had asked for 300 s of quiet (a probe counted 189 requests in that time). Every request
/// now waits `max_retry_after` (120 s), the longest the client is willing to wait.
#[tokio::test(start_paused = true)]
async fn a_retry_after_beyond_the_limit_pauses_every_request_for_the_limit() {
    fn answer(arrival: usize) -> Answer {
        if arrival == 10 {
            Answer::TooMany("300")
        } else {
            Answer::User
        }
    }
    let server = Loopback::start(answer).await;
    let client = server
        .client()
        .rate_limit_per_minute(300)
        .build()
        .expect("client builds");
    let report = Bulk::new(8)
        .run(stream::iter(0..20u32), |_item| read_my_user(client.clone()))
        .await;
    assert_eq!((report.done, report.failed.len()), (19, 1));
    assert!(matches!(report.failed[0].1, Error::RateLimited { .. }));
    let arrivals: Vec<_> = server.arrivals().iter().map(|a| a.at).collect();
    assert_eq!(arrivals.len(), 20);
    let quiet = arrivals[11] - arrivals[10];
    assert!(
        quiet >= 120 * SECOND,
        "next request {quiet:?} after the 429"
    );
}

#[tokio::test(start_paused = true)]
async fn an_eta_too_long_for_a_duration_is_left_out() {
    // A `total` far beyond what a run can finish (a server `count` of -1 cast to u64, say): 2 s per item
    // gives an estimate of ~3.7e19 s, past what a `Duration` holds. No panic; the ETA is unknown.
    let seen = Arc::new(std::sync::Mutex::new(Vec::<Progress>::new()));
    let sink = Arc::clone(&seen);
    let report = Bulk::new(1)
        .total(u64::MAX)
        .on_progress(move |p| sink.lock().expect("the list").push(p.clone()))
        .run(stream::iter(0..2u32), |_| async {
            tokio::time::sleep(2 * SECOND).await;
            Ok::<_, String>(())
        })
        .await;
    assert_eq!(report.done, 2);
    let seen = seen.lock().expect("the list");
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|p| p.eta.is_none()), "{seen:?}");
}

#[tokio::test(start_paused = true)]
async fn a_signal_after_every_item_started_cancels_nothing() {
    // Three items, all started at once; the signal comes while they run. Nothing was left out, so the
    // run is complete, not cancelled.
    let token = CancellationToken::new();
    let trigger = token.clone();
    tokio::spawn(async move {
        tokio::time::sleep(SECOND).await;
        trigger.cancel();
    });
    let report = Bulk::new(3)
        .cancel_on(token.cancelled_owned())
        .run(stream::iter(0..3u32), |item| async move {
            tokio::time::sleep(2 * SECOND).await;
            Ok::<_, String>(item)
        })
        .await;
    assert_eq!(report.done, 3);
    assert!(!report.cancelled, "{report:?}");
    assert_eq!(report.not_started, None);
    assert!(report.is_complete());
}
