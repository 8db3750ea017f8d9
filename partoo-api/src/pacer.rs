//! When the next request of a client may leave: the client-side rate limit and the pause after a 429, both
//! shared by a [`crate::Client`] and all its clones.
//!
//! # The rate limit: `n` requests per window `W`, in every window
//!
//! The limiter is governor's GCRA (a leaky bucket) with one slot every `T` and a burst of `b`. A request is
//! let through at time `t` when `t ≥ TAT − (b − 1)·T`, and the *theoretical arrival time* `TAT` then becomes
//! `max(TAT, t) + T`. Since `TAT` grows by at least `T` per request, request `i` after a first one at `t₀`
//! leaves no earlier than `t₀ + (i − b + 1)·T`, whatever the callers do: any `m` requests in a row span at
//! least `(m − b)·T`. So `n + 1` requests span at least `(n + 1 − b)·T`, and choosing that to be `W` or more
//! caps every window of length `W` at `n`.
//!
//! governor's `Quota::per_minute(n)` is `T = W / n` with `b = n`: `n` at once, then `n` more over the minute,
//! about `2n` in the first minute. Here:
//!
//! - **`n ≥ 10`: `b = 2`, `T = (W + S) / (n − 1)` with a slack `S` of one slot or 0.5 % of `W`, whichever
//!   is longer** (`T = max(W / (n − 2), 1.005·W / (n − 1))`). `n + 1` requests span at least
//!   `(n − 1)·T = W + S`: every window of length `W` holds at most `n`, with `S` to spare for the way to
//!   the server (a request that reaches the server up to `S` later than its neighbours, because its
//!   connection was being opened or its thread was descheduled, does not break the quota there: 300 ms for
//!   Partoo's 300 a minute). The burst of 2 lets a task that wakes up late (timer granularity, a busy
//!   machine) be caught up by the next one instead of pushing the whole schedule back. The price of both:
//!   a sustained rate of `(n − 1) / (W + S)`, 297.5 a minute for Partoo's 300.
//! - **`n < 10`: `b = 1`, `T = W / n`.** Slots exactly `W / n` apart, `n + 1` requests span at least `W`; a
//!   slot of slack would cost more than 10 % there.
//!
//! Time is tokio's clock (`tokio::time::Instant` and `sleep`), so tests on paused virtual time see the
//! limiter too.
//!
//! # The pause after a 429
//!
//! A 429 whose `Retry-After` is within [`crate::RetryPolicy::max_retry_after`] pauses *every* request of the
//! client and its clones until that time has passed: a task that gets a 429 is not alone in being over the
//! quota, and the others would only draw more 429s. Requests already sent are not recalled. A longer
//! `Retry-After` ends that request's retries (it returns [`crate::Error::RateLimited`]) and pauses every
//! request for `max_retry_after`, the longest the client is willing to wait: the others would only draw
//! more 429s, and burn what is left of the quota, from a server that asked for quiet.
//!
//! A 429 *without* a readable `Retry-After` (Partoo documents the header; a proxy in between may drop it)
//! pauses every request too, for a cool-down: the retry policy's [`crate::RetryPolicy::base_delay`], doubled
//! for each such 429 in a row, at most [`crate::RetryPolicy::max_delay`] (500 ms, 1 s, 2 s, … 30 s by
//! default). Any other response ends the streak. The task that got the 429 retries after the longer of the
//! cool-down and its own jittered backoff.

use std::num::NonZeroU32;
use std::ops::Add;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use governor::clock::{Clock, Reference};
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use tokio::time::Instant;

use crate::Error;

/// Rate limits below this many requests per window get no burst and no slack slot (see the module docs).
const SLACK_FROM: u32 = 10;

/// The slack is at least `W / SLACK_SHARE` (0.5 %).
const SLACK_SHARE: u32 = 200;

/// Shortest and longest window [`crate::ClientBuilder::rate_limit`] accepts.
const MIN_WINDOW: Duration = Duration::from_millis(1);
const MAX_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);

/// A point in tokio's time, as governor needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Tick(Instant);

impl Add<Nanos> for Tick {
    type Output = Tick;
    fn add(self, nanos: Nanos) -> Tick {
        Tick(self.0 + Duration::from(nanos))
    }
}

impl Reference for Tick {
    fn duration_since(&self, earlier: Self) -> Nanos {
        self.0.saturating_duration_since(earlier.0).into()
    }

    fn saturating_sub(&self, duration: Nanos) -> Self {
        self.0
            .checked_sub(Duration::from(duration))
            .map_or(*self, Tick)
    }
}

/// tokio's clock (virtual when a test pauses time).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct TokioClock;

impl Clock for TokioClock {
    type Instant = Tick;
    fn now(&self) -> Tick {
        Tick(Instant::now())
    }
}

type Limiter = RateLimiter<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<Tick>>;

/// The GCRA parameters for `n` requests per `window`: one slot every `T`, a burst of `b`. `T` is rounded up to
/// the nanosecond: rounded down, `n + 1` requests could span a hair less than the rule promises (by up to `n`
/// nanoseconds, which matters only at millions of requests a second).
pub(crate) fn slots(n: u32, window: Duration) -> Result<(Duration, NonZeroU32), Error> {
    if n == 0 {
        return Err(Error::Config(
            "rate_limit: at least 1 request per window".into(),
        ));
    }
    if !(MIN_WINDOW..=MAX_WINDOW).contains(&window) {
        return Err(Error::Config(format!(
            "rate_limit: the window must be between 1 ms and 24 h, not {window:?}"
        )));
    }
    let (burst, interval) = if n >= SLACK_FROM {
        let one_slot = div_ceil(window, n - 2);
        let share = div_ceil(window + div_ceil(window, SLACK_SHARE), n - 1);
        (NonZeroU32::MIN.saturating_add(1), one_slot.max(share))
    } else {
        (NonZeroU32::MIN, div_ceil(window, n))
    };
    if interval.is_zero() {
        return Err(Error::Config(format!(
            "rate_limit: {n} requests per {window:?} is more than one a nanosecond"
        )));
    }
    Ok((interval, burst))
}

/// `window / n`, rounded up to the nanosecond (`window` is at most [`MAX_WINDOW`], so it fits).
fn div_ceil(window: Duration, n: u32) -> Duration {
    let nanos = window.as_nanos().div_ceil(u128::from(n));
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

/// The rate limit and the pause of one client and its clones.
pub(crate) struct Pacer {
    limiter: Option<Limiter>,
    paused_until: Mutex<Option<Instant>>,
    /// 429s without `Retry-After` in a row (see the module docs).
    streak: AtomicU32,
}

impl Pacer {
    /// `limit`: `n` requests per window, or none.
    pub(crate) fn new(limit: Option<(u32, Duration)>) -> Result<Self, Error> {
        let limiter = match limit {
            None => None,
            Some((n, window)) => {
                let (interval, burst) = slots(n, window)?;
                let quota = Quota::with_period(interval)
                    .ok_or_else(|| Error::Config("rate_limit: a zero interval".into()))?
                    .allow_burst(burst);
                Some(RateLimiter::direct_with_clock(quota, TokioClock))
            }
        };
        Ok(Self {
            limiter,
            paused_until: Mutex::new(None),
            streak: AtomicU32::new(0),
        })
    }

    /// Waits until a request may leave: past the pause, then a slot of the rate limit.
    pub(crate) async fn ready(&self) {
        loop {
            let now = Instant::now();
            if let Some(until) = self.paused_until().filter(|until| *until > now) {
                tokio::time::sleep_until(until).await;
                continue;
            }
            let Some(limiter) = &self.limiter else { return };
            match limiter.check() {
                Ok(()) => return,
                Err(not_until) => {
                    let wait = not_until.wait_time_from(Tick(Instant::now()));
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// Holds every request back for `wait` from now (a later pause already set stays), at most
    /// [`crate::RETRY_AFTER_CEILING`]: the sum then always fits the clock.
    pub(crate) fn pause_for(&self, wait: Duration) {
        let wait = wait.min(crate::RETRY_AFTER_CEILING);
        let until = Instant::now() + wait;
        let mut slot = self
            .paused_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if slot.is_none_or(|current| current < until) {
            *slot = Some(until);
            tracing::debug!(
                wait_ms = wait.as_millis() as u64,
                "429: pausing every request of this client"
            );
        }
    }

    /// Counts one more 429 without `Retry-After` in a row and returns the streak's length (1 for the first).
    pub(crate) fn one_more_429(&self) -> u32 {
        self.streak
            .fetch_add(1, Ordering::Relaxed)
            .saturating_add(1)
    }

    /// A response other than a 429: the streak of 429s without `Retry-After` ends.
    pub(crate) fn streak_ends(&self) {
        if self.streak.load(Ordering::Relaxed) != 0 {
            self.streak.store(0, Ordering::Relaxed);
        }
    }

    fn paused_until(&self) -> Option<Instant> {
        *self
            .paused_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_streak_of_429s_counts_until_another_response() {
        let pacer = Pacer::new(None).unwrap();
        assert_eq!((pacer.one_more_429(), pacer.one_more_429()), (1, 2));
        pacer.streak_ends();
        assert_eq!(pacer.one_more_429(), 1);
    }

    #[test]
    fn a_pause_is_at_most_the_ceiling_and_never_overflows_the_clock() {
        let pacer = Pacer::new(None).unwrap();
        let before = Instant::now();
        pacer.pause_for(Duration::MAX);
        let until = pacer.paused_until().expect("a pause");
        assert!(until <= Instant::now() + crate::RETRY_AFTER_CEILING);
        assert!(until >= before + crate::RETRY_AFTER_CEILING);
    }

    #[test]
    fn slots_follow_the_documented_rule() {
        // 300 a minute: 0.5 % of the minute (300 ms) is more than a slot (about 200 ms).
        let (t, b) = slots(300, Duration::from_secs(60)).unwrap();
        assert_eq!((t, b.get()), (Duration::from_nanos(201_672_241), 2));
        // 20 a second: a slot (1/18 s) is more than 0.5 % of the second.
        let (t, b) = slots(20, Duration::from_secs(1)).unwrap();
        assert_eq!((t, b.get()), (Duration::from_nanos(55_555_556), 2));
        let (t, b) = slots(9, Duration::from_secs(9)).unwrap();
        assert_eq!((t, b.get()), (Duration::from_secs(1), 1));
        // Rounded up: 4 requests at 333,333,333 ns apart would span less than the second.
        let (t, _) = slots(3, Duration::from_secs(1)).unwrap();
        assert_eq!(t, Duration::from_nanos(333_333_334));
        // The rule holds to the nanosecond, at any rate: rounded down, 10,000 requests a millisecond got
        // T = 100 ns, and 10,001 of them fitted in 999.9 µs.
        let ns = |d: Duration| d.as_nanos();
        for (n, w) in [
            (10_000, Duration::from_millis(1)),
            (300, Duration::from_secs(60)),
            (20, Duration::from_secs(1)),
            (12_345, Duration::from_millis(7)),
            (999_999, Duration::from_secs(1)),
            (10, Duration::from_millis(1)),
            (9, Duration::from_millis(1)),
            (3, Duration::from_secs(1)),
            (7, Duration::from_secs(24 * 60 * 60)),
        ] {
            let (t, b) = slots(n, w).unwrap();
            // `n + 1` requests span at least `(n + 1 − b)·T`: that is `W` or more, plus the slack from 10 on.
            let span = ns(t) * u128::from(n + 1 - b.get());
            let want = if n >= SLACK_FROM {
                ns(w) + (ns(w) / u128::from(SLACK_SHARE)).max(ns(t))
            } else {
                ns(w)
            };
            assert!(
                span >= want,
                "{n} per {w:?}: T = {t:?}, span {span} ns < {want} ns"
            );
        }
        for (n, w) in [
            (0, Duration::from_secs(1)),
            (5, Duration::ZERO),
            (5, Duration::from_secs(2 * 24 * 60 * 60)),
        ] {
            let err = slots(n, w).unwrap_err().to_string();
            assert!(err.contains("rate_limit"), "{err}");
        }
    }
}
