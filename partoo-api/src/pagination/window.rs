//! The concurrent page stream: a sliding window of requests, yielded in order.
//!
//! `buffered(n)` kept the *next n pages* in flight: a slow page at the head held every slot behind it, and
//! a finished page's slot was only reused once everything before it had been yielded. [`Window`] keeps up
//! to `n` *requests* on the network instead: as soon as any page's exchange is over (in any order) the next
//! page is requested, and finished pages wait in a reorder buffer until the pages before them arrive.
//!
//! - **Bound.** A page is only requested while it is fewer than `2n` pages ahead of the next page to
//!   yield: at most `2n - 1` finished pages wait behind a slow one, and a stalled stream stops requesting.
//! - **Network first.** All pages are polled by the one task reading the stream, so decoding a page (about
//!   half a millisecond for 30 businesses) delays whatever that task does next. Inside the window the hooks
//!   read each body in full, free the page's slot and hold the page until the window resumes it (see
//!   [`crate::exchange`]); the window refills free slots first, and decodes one held page at a time only
//!   when nothing is waiting on the network, yielding to the runtime in between so that the tasks writing
//!   requests and returning connections to the pool run before it. Decoding thus happens while the
//!   requests in flight wait for the server.
//! - **Order and stopping.** Pages come out in order. A page that ends the stream (an error, an empty
//!   page) stops new requests and cancels the pages after it; dropping the stream drops every page future,
//!   which cancels its request (and pending retries).

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_util::future::BoxFuture;
use futures_util::stream::{FuturesUnordered, Stream, StreamExt};

use super::checks::Fetched;
use super::has_next;
use crate::Error;
use crate::exchange::{PAGE_EXCHANGE, Release, WindowSignal};

type Outcome<T> = Result<Fetched<T>, Error>;

/// One page future, tagged with its page number and its slot.
struct Tagged<'a, T> {
    number: i64,
    /// Released by the hooks when the page's exchange is over.
    release: Arc<Release>,
    future: BoxFuture<'a, Outcome<T>>,
}

impl<T> Future for Tagged<'_, T> {
    type Output = (i64, Outcome<T>);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let number = self.number;
        self.future.as_mut().poll(cx).map(|out| (number, out))
    }
}

/// Pages `first..=last`, at most `concurrency` requests on the network, yielded in order; then, when pages
/// at or past `cap` exist, the [`Error::Pagination`] of the `max_pages` cut, unless a page ended the stream
/// first. `last` starts at the `max_page` the first page reported (below `cap`); when page `last` reports
/// more (the collection grew since the first page, or it gives no `max_page`), `last` moves on, so the
/// window yields the pages a one-at-a-time stream would.
pub(super) struct Window<'a, T> {
    fetch: Box<dyn FnMut(i64) -> BoxFuture<'a, Outcome<T>> + Send + 'a>,
    /// The next page to request.
    next: i64,
    /// The last page to request; lowered when a page ends the stream, raised when page `last` reports more.
    last: i64,
    /// The first page the stream may not request (its `max_pages`); `last` stays below it.
    cap: i64,
    /// Whether a page reported pages at or past `cap`: the stream then ends with `limit(cap)`.
    cut: bool,
    /// The error of the `max_pages` cut at a page.
    limit: Box<dyn Fn(i64) -> Error + Send + 'a>,
    /// The next page to yield.
    head: i64,
    concurrency: usize,
    /// Woken when an exchange frees its slot.
    signal: Arc<WindowSignal>,
    /// Pages requested and not finished: on the network, held after their exchange, or decoding.
    in_flight: FuturesUnordered<Tagged<'a, T>>,
    /// Finished pages waiting for the pages before them.
    finished: BTreeMap<i64, Outcome<T>>,
}

impl<'a, T: Send + 'a> Window<'a, T> {
    /// Pages from `first` to `max_page` (as the first page reported it), never `cap` or past it.
    pub(super) fn new(
        fetch: impl FnMut(i64) -> BoxFuture<'a, Outcome<T>> + Send + 'a,
        first: i64,
        max_page: i64,
        concurrency: usize,
        cap: i64,
        limit: impl Fn(i64) -> Error + Send + 'a,
    ) -> Self {
        let mut window = Window {
            fetch: Box::new(fetch),
            next: first,
            last: first - 1,
            cap,
            cut: false,
            limit: Box::new(limit),
            head: first,
            concurrency: concurrency.max(1),
            signal: Arc::default(),
            in_flight: FuturesUnordered::new(),
            finished: BTreeMap::new(),
        };
        window.reach(max_page);
        window
    }

    /// Takes `max_page` as the last page to request, kept below `cap`; one at or past `cap` marks the cut.
    fn reach(&mut self, max_page: i64) {
        self.last = self.last.max(max_page.min(self.cap - 1));
        self.cut |= max_page >= self.cap;
    }

    /// How far ahead of the next page to yield a request may be.
    fn span(&self) -> i64 {
        i64::try_from(self.concurrency.saturating_mul(2)).unwrap_or(i64::MAX)
    }

    /// Requests on the network: pages requested whose exchange is not over.
    fn requests(&self) -> usize {
        self.in_flight
            .iter()
            .filter(|t| t.release.on_network())
            .count()
    }

    /// Requests pages while a slot is free and the reorder buffer has room; whether it requested any.
    fn launch(&mut self, cx: &mut Context<'_>) -> bool {
        self.signal.register(cx);
        self.signal.take_freed();
        let mut requests = self.requests();
        let mut launched = false;
        while requests < self.concurrency
            && self.next <= self.last
            && self.next < self.head.saturating_add(self.span())
        {
            let number = self.next;
            self.next += 1;
            launched = true;
            let release = Arc::new(Release::new(Arc::clone(&self.signal)));
            let future = PAGE_EXCHANGE.scope(Arc::clone(&release), (self.fetch)(number));
            let mut tagged = Tagged {
                number,
                release,
                future: Box::pin(future),
            };
            // Poll it at once so its request is on its way; `FuturesUnordered` polls it again on its
            // next turn, with its own waker.
            match Pin::new(&mut tagged).poll(cx) {
                Poll::Ready((number, outcome)) => self.finish(number, outcome),
                Poll::Pending => {
                    requests += usize::from(tagged.release.on_network());
                    self.in_flight.push(tagged);
                }
            }
        }
        launched
    }

    /// Files a finished page. A page after which there is nothing more to yield lowers `last` and cancels
    /// the pages after it.
    fn finish(&mut self, number: i64, outcome: Outcome<T>) {
        if number > self.last {
            return;
        }
        let ends = match &outcome {
            Ok(fetched) => !has_next(&fetched.page),
            Err(_) => true,
        };
        if let Ok(fetched) = &outcome
            && !ends
            && number == self.last
        {
            // More past the window's end: a larger `max_page` than the first page's, or none (then one more
            // page, as a one-at-a-time stream would fetch; `number < cap - 1`, so no overflow).
            self.reach(fetched.page.max_page.unwrap_or(number + 1));
        }
        self.finished.insert(number, outcome);
        if ends {
            self.last = number;
            self.cut = false;
            self.finished.split_off(&(number + 1));
            if self.in_flight.iter().any(|t| t.number > number) {
                let kept: FuturesUnordered<_> = std::mem::take(&mut self.in_flight)
                    .into_iter()
                    .filter(|t| t.number <= number)
                    .collect();
                self.in_flight = kept;
            }
        }
    }

    /// Lets the first held page (its exchange over) go on to its decoding; whether there was one.
    fn resume_one(&self) -> bool {
        let held = self
            .in_flight
            .iter()
            .filter(|t| t.release.is_held())
            .min_by_key(|t| t.number);
        if let Some(tagged) = held {
            tagged.release.resume();
        }
        held.is_some()
    }
}

/// Returns `Pending` after scheduling the task to be polled again: other tasks of the runtime run first.
fn yield_now<T>(cx: &mut Context<'_>) -> Poll<T> {
    cx.waker().wake_by_ref();
    Poll::Pending
}

impl<'a, T: Send + 'a> Stream for Window<'a, T> {
    type Item = Outcome<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(outcome) = this.finished.remove(&this.head) {
                this.head += 1;
                return Poll::Ready(Some(outcome));
            }
            if this.head > this.last {
                this.in_flight = FuturesUnordered::new();
                let cut = std::mem::take(&mut this.cut);
                return Poll::Ready(cut.then(|| Err((this.limit)(this.cap))));
            }
            if this.launch(cx) {
                // Let the tasks that write the new requests run before this one decodes anything.
                return yield_now(cx);
            }
            match this.in_flight.poll_next_unpin(cx) {
                Poll::Ready(Some((number, outcome))) => this.finish(number, outcome),
                // The head is always requested first, so this cannot happen; end rather than spin.
                Poll::Ready(None) => {
                    this.last = this.head - 1;
                    this.cut = false;
                    return Poll::Ready(None);
                }
                // A slot was freed: let the connection go back to the pool, then refill the slot.
                Poll::Pending if this.signal.take_freed() => return yield_now(cx),
                // Nothing to do on the network: decode one held page, after the runtime's other tasks.
                Poll::Pending if this.resume_one() => return yield_now(cx),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}
