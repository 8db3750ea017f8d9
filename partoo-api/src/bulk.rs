//! Bulk work: an async closure over a stream of items (every business id of an organization, every review…)
//! with bounded concurrency, progress, cancellation, and per-item errors collected instead of ending the run.
//!
//! ```no_run
//! use futures_util::stream;
//! use partoo_api::bulk::Bulk;
//! use partoo_api::{Client, SendExt};
//!
//! # async fn run(ids: Vec<String>) -> Result<(), partoo_api::Error> {
//! let client = Client::builder()
//!     .api_key("key")
//!     .rate_limit_per_minute(300) // shared by every task of the run
//!     .build()?;
//! let report = Bulk::new(8)
//!     .on_progress(|p| eprintln!("{p}"))
//!     .run(stream::iter(ids), |id: String| {
//!         let client = client.clone();
//!         async move { client.get_business().business_id(id).send().into_result().await }
//!     })
//!     .await;
//! println!("{} businesses read, {} failed", report.done, report.failed.len());
//! # Ok(()) }
//! ```
//!
//! The helper does not pace requests itself: the [`crate::Client`] the closure uses does, with its rate limit
//! ([`crate::ClientBuilder::rate_limit`]) and the pause after a 429, shared by all its clones. The concurrency
//! only bounds how many items are in progress at once; with a rate limit, a few more than the requests a
//! round-trip time lets through is enough (8 keeps up with Partoo's 300 a minute while a request takes
//! under about 1.5 s; raise it for slower operations).
//!
//! A cancelled run ([`Bulk::cancel_on`]) reaches into the client: a request of a started item that has not
//! left yet is not sent, and fails with [`crate::Error::Cancelled`].

use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use futures_util::stream::{FuturesUnordered, Stream, StreamExt};
use tokio::time::Instant;

pub(crate) mod stop;

type ProgressFn = Box<dyn FnMut(&Progress) + Send>;
type CancelFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// How often [`Bulk::run`] logs its progress through `tracing` by default.
pub const DEFAULT_LOG_INTERVAL: Duration = Duration::from_secs(10);

/// Runs an async closure over every item of a stream, at most `concurrency` at a time. See the module docs.
pub struct Bulk {
    concurrency: usize,
    total: Option<u64>,
    progress: Option<ProgressFn>,
    cancel: Option<CancelFuture>,
    log_interval: Duration,
}

impl fmt::Debug for Bulk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bulk")
            .field("concurrency", &self.concurrency)
            .field("total", &self.total)
            .field("on_progress", &self.progress.is_some())
            .field("cancel_on", &self.cancel.is_some())
            .field("log_interval", &self.log_interval)
            .finish()
    }
}

impl Bulk {
    /// At most `concurrency` items in progress at once (0 counts as 1).
    pub fn new(concurrency: usize) -> Self {
        Self {
            concurrency: concurrency.max(1),
            total: None,
            progress: None,
            cancel: None,
            log_interval: DEFAULT_LOG_INTERVAL,
        }
    }

    /// How many items the stream holds, for [`Progress::total`] and [`Progress::eta`]. Without it, the
    /// stream's `size_hint` is used when exact (as for `futures_util::stream::iter` over a `Vec`).
    pub fn total(mut self, items: u64) -> Self {
        self.total = Some(items);
        self
    }

    /// Called after each item finishes, success or failure, with the counts so far. It runs inside the
    /// run's task: keep it short (print, update a progress bar, send on a channel).
    pub fn on_progress(mut self, callback: impl FnMut(&Progress) + Send + 'static) -> Self {
        self.progress = Some(Box::new(callback));
        self
    }

    /// Stops the run when `signal` completes: no item is started after that, and the report says
    /// [`BulkReport::cancelled`]. The items in progress go on, but a request of theirs made through a
    /// [`crate::Client`] that has not left yet (waiting for a slot of the rate limit, the pause after a 429,
    /// or a retry's delay) is not sent: it fails with [`crate::Error::Cancelled`] (retryable), so the item is
    /// in [`BulkReport::failed`] with it unless the closure handles it. A request already on the network is
    /// **let finish** (its outcome is in the report, so nothing already sent is lost track of). A task the
    /// closure spawns does not see the cancellation. Any future works, e.g. tokio-util's
    /// `token.clone().cancelled_owned()` or `async { tokio::signal::ctrl_c().await.ok(); }`. To abandon
    /// the items in progress too, drop the future [`Bulk::run`] returns instead (their requests are dropped
    /// mid-flight).
    ///
    /// To resume later, pass the stream by `&mut` (`run(&mut ids, …)`, or `ids.by_ref()`; the stream must
    /// be `Unpin`): an item is taken from the stream only when it starts, so what the stream still holds
    /// after a cancelled run is exactly the items never started, and a second run over it takes them up.
    pub fn cancel_on(mut self, signal: impl Future<Output = ()> + Send + 'static) -> Self {
        self.cancel = Some(Box::pin(signal));
        self
    }

    /// How often progress is logged as a `tracing` INFO event (`partoo_api::bulk` target; default
    /// [`DEFAULT_LOG_INTERVAL`]); the final counts are always logged. The log is timed, so it goes on while
    /// items wait (a long pause after a 429): that needs a tokio runtime with its timer, as the client's
    /// retries do; run elsewhere, progress is logged only when an item finishes.
    pub fn log_interval(mut self, interval: Duration) -> Self {
        self.log_interval = interval;
        self
    }

    /// Runs `work` on every item of `items`, at most `concurrency` at a time, in any order. An item whose
    /// future returns `Err` is recorded in [`BulkReport::failed`] with its error, and the run goes on; the
    /// values of successful items are in [`BulkReport::outputs`] (in completion order). Each item is cloned
    /// before `work` takes it, so that a failure is reported with its item: stream ids, not large values.
    pub async fn run<S, I, F, Fut, T, E>(mut self, items: S, mut work: F) -> BulkReport<I, T, E>
    where
        S: Stream<Item = I>,
        I: Clone,
        F: FnMut(I) -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let started = Instant::now();
        let total = self.total.or_else(|| match items.size_hint() {
            (low, Some(high)) if low == high => u64::try_from(low).ok(),
            _ => None,
        });
        let mut items = std::pin::pin!(items.fuse());
        let mut in_flight = FuturesUnordered::new();
        // Seen by the client inside each item's future: set, a request that has not left is not sent.
        let (stop, stop_seen) = tokio::sync::watch::channel(false);
        let mut report = BulkReport {
            done: 0,
            outputs: Vec::new(),
            failed: Vec::new(),
            cancelled: false,
            not_started: None,
            elapsed: Duration::ZERO,
        };
        let mut exhausted = false;
        let mut last_log = started;
        let mut log_timer = LogTimer::new(self.log_interval);
        poll_fn(|cx| {
            if log_timer.poll_tick(cx) && last_log.elapsed() >= self.log_interval {
                last_log = Instant::now();
                let failed = report.failed.len() as u64;
                let progress = Progress::new(
                    report.done,
                    failed,
                    in_flight.len(),
                    total,
                    started.elapsed(),
                );
                tracing::info!(target: "partoo_api::bulk", "{progress}");
            }
            loop {
                // Once the stream has ended, a signal stops nothing: every item was started and finishes.
                // The end is known when the stream said so, or when its exact size hint says nothing is
                // left (it is not polled for that: its next item may cost a request).
                let ended = exhausted || items.size_hint().1 == Some(0);
                if !report.cancelled
                    && !ended
                    && let Some(cancel) = &mut self.cancel
                    && cancel.as_mut().poll(cx).is_ready()
                {
                    report.cancelled = true;
                    self.cancel = None;
                    stop.send_replace(true);
                }
                while !report.cancelled && !exhausted && in_flight.len() < self.concurrency {
                    match items.as_mut().poll_next(cx) {
                        Poll::Ready(Some(item)) => {
                            let kept = item.clone();
                            let future = stop::STOP.scope(stop_seen.clone(), work(item));
                            in_flight.push(async move { (kept, future.await) });
                        }
                        Poll::Ready(None) => exhausted = true,
                        Poll::Pending => break,
                    }
                }
                match in_flight.poll_next_unpin(cx) {
                    Poll::Ready(Some((item, outcome))) => {
                        match outcome {
                            Ok(value) => {
                                report.done += 1;
                                report.outputs.push(value);
                            }
                            Err(error) => report.failed.push((item, error)),
                        }
                        let progress = Progress::new(
                            report.done,
                            report.failed.len() as u64,
                            in_flight.len(),
                            total,
                            started.elapsed(),
                        );
                        if let Some(callback) = &mut self.progress {
                            callback(&progress);
                        }
                        if last_log.elapsed() >= self.log_interval {
                            last_log = Instant::now();
                            tracing::info!(target: "partoo_api::bulk", "{progress}");
                        }
                    }
                    Poll::Ready(None) if exhausted || report.cancelled => return Poll::Ready(()),
                    // Nothing in progress and the stream not ready: it or the cancel signal wakes us.
                    Poll::Ready(None) | Poll::Pending => return Poll::Pending,
                }
            }
        })
        .await;
        report.elapsed = started.elapsed();
        if report.cancelled {
            let finished = report.done + report.failed.len() as u64;
            // Not from a total the run outgrew: `0` would claim every item was started.
            report.not_started = total.filter(|&t| finished <= t).map(|t| t - finished);
        }
        tracing::info!(
            target: "partoo_api::bulk",
            done = report.done,
            failed = report.failed.len(),
            cancelled = report.cancelled,
            elapsed_ms = report.elapsed.as_millis() as u64,
            "bulk run finished"
        );
        report
    }
}

/// Wakes a run every log interval, so that progress is logged while no item finishes; inert outside a tokio
/// runtime, for a zero interval (every finished item is logged then) or one too long to schedule.
struct LogTimer {
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    interval: Duration,
}

impl LogTimer {
    fn new(interval: Duration) -> Self {
        let in_runtime = tokio::runtime::Handle::try_current().is_ok();
        let sleep = Instant::now()
            .checked_add(interval)
            .filter(|_| in_runtime && !interval.is_zero())
            .map(|at| Box::pin(tokio::time::sleep_until(at)));
        LogTimer { sleep, interval }
    }

    /// Whether an interval has passed since the last tick; re-armed for the next one.
    fn poll_tick(&mut self, cx: &mut std::task::Context<'_>) -> bool {
        let Some(sleep) = &mut self.sleep else {
            return false;
        };
        if sleep.as_mut().poll(cx).is_pending() {
            return false;
        }
        match Instant::now().checked_add(self.interval) {
            Some(at) => {
                sleep.as_mut().reset(at);
                // Registers the waker for the next tick.
                let _ = sleep.as_mut().poll(cx);
            }
            None => self.sleep = None,
        }
        true
    }
}

/// What a [`Bulk`] run has done so far, passed to [`Bulk::on_progress`]. Its `Display` is one line:
/// `412/1000 finished (409 done, 3 failed), 8 in progress, 41.2 s elapsed, ETA 58.8 s`.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    /// Items whose future returned `Ok`.
    pub done: u64,
    /// Items whose future returned `Err`.
    pub failed: u64,
    /// Items started and not finished.
    pub in_flight: usize,
    /// Items in the stream, when known ([`Bulk::total`] or an exact `size_hint`); `None` once the run has
    /// more items finished or in progress than that total said.
    pub total: Option<u64>,
    /// Since the run started.
    pub elapsed: Duration,
    /// Time left at the average pace so far (`elapsed / finished × remaining`), when the total is known.
    pub eta: Option<Duration>,
}

impl Progress {
    fn new(
        done: u64,
        failed: u64,
        in_flight: usize,
        total: Option<u64>,
        elapsed: Duration,
    ) -> Self {
        let finished = done + failed;
        // A total the run has outgrown (`Bulk::total` set too low) says nothing: unknown, no ETA.
        let total = total.filter(|&t| finished.saturating_add(in_flight as u64) <= t);
        // `None` too when the estimate does not fit a `Duration` (a `total` far beyond what is finished).
        let eta = total.filter(|_| finished > 0).and_then(|total| {
            let remaining = total.saturating_sub(finished) as f64;
            Duration::try_from_secs_f64(elapsed.as_secs_f64() * remaining / finished as f64).ok()
        });
        Self {
            done,
            failed,
            in_flight,
            total,
            elapsed,
            eta,
        }
    }

    /// Items finished, successfully or not.
    pub fn finished(&self) -> u64 {
        self.done + self.failed
    }
}

impl fmt::Display for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.total {
            Some(total) => write!(f, "{}/{total} finished", self.finished())?,
            None => write!(f, "{} finished", self.finished())?,
        }
        write!(
            f,
            " ({} done, {} failed), {} in progress, {:.1} s elapsed",
            self.done,
            self.failed,
            self.in_flight,
            self.elapsed.as_secs_f64()
        )?;
        if let Some(eta) = self.eta {
            write!(f, ", ETA {:.1} s", eta.as_secs_f64())?;
        }
        Ok(())
    }
}

/// The outcome of a [`Bulk`] run.
#[derive(Debug)]
pub struct BulkReport<I, T, E> {
    /// Items whose future returned `Ok`.
    pub done: u64,
    /// Their values, in the order they finished (a `Vec<()>` takes no memory). They do not carry their
    /// item: to tell them apart, have the closure return it with the value (`Ok((id, value))`).
    pub outputs: Vec<T>,
    /// Items whose future returned `Err`, with the error, in the order they finished.
    pub failed: Vec<(I, E)>,
    /// Whether the [`Bulk::cancel_on`] signal stopped the run before the stream ended (a signal after the
    /// last item started is not a cancellation, when the stream showed its end: it returned `None`, or its
    /// `size_hint` is exact).
    pub cancelled: bool,
    /// After a cancellation, how many items of a known total were never started (`None` when the total is
    /// unknown or the run outgrew it).
    pub not_started: Option<u64>,
    /// From start to the last item finished.
    pub elapsed: Duration,
}

impl<I, T, E> BulkReport<I, T, E> {
    /// No item failed and the run was not cancelled.
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty() && !self.cancelled
    }
}
