//! When and how long to wait before trying a request again.
//!
//! Decisions, with their reasons:
//! - **429** is retried for every method: Partoo refused the request before doing anything. The wait is
//!   `Retry-After` (seconds or an HTTP date; fractional seconds rounded up), and a wait longer than
//!   [`RetryPolicy::max_retry_after`] ends the retries. A `Retry-After` too large to represent counts as
//!   [`RETRY_AFTER_CEILING`].
//! - **503** with `Retry-After` waits as long as the server asks, within the same limit, when the request may
//!   be repeated at all (next point).
//! - **Connection failures** (refused, DNS, TLS handshake) are retried for every method: nothing reached Partoo.
//! - **5xx and timeouts** are retried only for idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE). Partoo uses
//!   POST both to create and to update, so a POST that may have been processed is not repeated, unless the
//!   caller opts in for that operation ([`RetryPolicy::retry_on_server_error`]).
//! - Waits grow exponentially from [`RetryPolicy::base_delay`] to [`RetryPolicy::max_delay`] with full jitter
//!   (a uniform draw between zero and the exponential value), as Partoo's retry guide asks.

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime};

use reqwest::{Method, StatusCode};

/// The largest `Retry-After` a response can announce (one day); larger or overflowing values are cut to it.
pub const RETRY_AFTER_CEILING: Duration = Duration::from_secs(24 * 60 * 60);

/// Retry settings. The default: 3 attempts, 500 ms base delay, 30 s max delay, `Retry-After` capped at 120 s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = no retry; 0 makes [`crate::ClientBuilder::build`] fail with
    /// [`crate::Error::Config`]).
    pub max_attempts: u32,
    /// First backoff step.
    pub base_delay: Duration,
    /// Largest backoff step.
    pub max_delay: Duration,
    /// Longest `Retry-After` we honour; a longer one ends the retries and returns the 429. Must be under
    /// [`RETRY_AFTER_CEILING`] ([`crate::ClientBuilder::build`] refuses it otherwise): longer values are read
    /// as the ceiling, so a limit at or over it could not tell them apart.
    pub max_retry_after: Duration,
    /// Non-idempotent operations (by method name, e.g. `update_business`) retried on 5xx and timeouts anyway.
    /// A name that is not an operation of [`crate::operations::ALL`] makes [`crate::ClientBuilder::build`]
    /// fail with [`crate::Error::Config`].
    pub retry_on_server_error: BTreeSet<String>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
            retry_on_server_error: BTreeSet::new(),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Sets the number of attempts (at least 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the backoff range.
    pub fn with_delays(mut self, base: Duration, max: Duration) -> Self {
        self.base_delay = base;
        self.max_delay = max.max(base);
        self
    }

    /// Also retries this operation (a method name such as `update_business`) on 5xx and timeouts, although
    /// its HTTP method is not idempotent. Use it when you know repeating it is harmless. The name is checked
    /// when the client is built: an unknown one is a [`crate::Error::Config`].
    pub fn retry_on_server_error(mut self, operation: impl Into<String>) -> Self {
        self.retry_on_server_error.insert(operation.into());
        self
    }

    pub(crate) fn may_repeat(&self, method: &Method, operation: &str) -> bool {
        matches!(
            *method,
            Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE
        ) || self.retry_on_server_error.contains(operation)
    }
}

/// What one attempt's outcome calls for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Hand the outcome to the caller.
    Done,
    /// Try again; `Some(wait)` when the server said how long.
    Retry(Option<Duration>),
}

/// Classifies a response status.
pub(crate) fn for_status(
    policy: &RetryPolicy,
    method: &Method,
    operation: &str,
    status: StatusCode,
    retry_after: Option<&str>,
) -> Verdict {
    let asked = retry_after.and_then(parse_retry_after);
    if status == StatusCode::TOO_MANY_REQUESTS {
        return within_limit(policy, asked);
    }
    let transient = matches!(status.as_u16(), 500 | 502 | 503 | 504);
    if !transient || !policy.may_repeat(method, operation) {
        return Verdict::Done;
    }
    if status == StatusCode::SERVICE_UNAVAILABLE {
        return within_limit(policy, asked);
    }
    Verdict::Retry(None)
}

/// Retry after the server's wait when it gave one that fits [`RetryPolicy::max_retry_after`], after our own
/// backoff when it gave none; a longer wait ends the retries.
fn within_limit(policy: &RetryPolicy, asked: Option<Duration>) -> Verdict {
    match asked {
        Some(wait) if wait > policy.max_retry_after => Verdict::Done,
        Some(wait) => Verdict::Retry(Some(wait)),
        None => Verdict::Retry(None),
    }
}

/// What a response does to every request of the client (see `crate::pacer`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pause {
    /// Not a 429: a streak of 429s without `Retry-After` ends.
    None,
    /// A 429 whose `Retry-After` is within [`RetryPolicy::max_retry_after`]: hold every request that long.
    For(Duration),
    /// A 429 without a usable `Retry-After`: hold every request for the client's cool-down, which grows with
    /// each such 429 in a row.
    CoolDown,
    /// A 429 asking for longer than [`RetryPolicy::max_retry_after`]: that request's retries end (it returns
    /// the 429), and every request is held for `max_retry_after`, the longest the client waits.
    TooLong,
}

/// How a response pauses every request of the client: a 429's `Retry-After` within
/// [`RetryPolicy::max_retry_after`], a cool-down for a 429 without a readable one, nothing otherwise.
pub(crate) fn pause_for(
    policy: &RetryPolicy,
    status: StatusCode,
    retry_after: Option<&str>,
) -> Pause {
    if status != StatusCode::TOO_MANY_REQUESTS {
        return Pause::None;
    }
    match retry_after.and_then(parse_retry_after) {
        Some(wait) if wait <= policy.max_retry_after => Pause::For(wait),
        Some(_) => Pause::TooLong,
        None => Pause::CoolDown,
    }
}

/// The cool-down after the `streak`-th 429 in a row without `Retry-After` (1 for the first): the policy's
/// backoff step, [`RetryPolicy::base_delay`] doubled for each earlier one, at most
/// [`RetryPolicy::max_delay`].
pub(crate) fn cool_down(policy: &RetryPolicy, streak: u32) -> Duration {
    let doublings = streak.saturating_sub(1).min(31);
    policy
        .base_delay
        .saturating_mul(1u32 << doublings)
        .min(policy.max_delay)
}

/// Classifies a transport error.
pub(crate) fn for_error(
    policy: &RetryPolicy,
    method: &Method,
    operation: &str,
    error: &reqwest::Error,
) -> Verdict {
    if error.is_connect() {
        return Verdict::Retry(None);
    }
    if (error.is_timeout() || error.is_request() || error.is_body())
        && policy.may_repeat(method, operation)
    {
        return Verdict::Retry(None);
    }
    Verdict::Done
}

/// The `Retry-After` header of a response, as text.
pub(crate) fn retry_after_header(response: &reqwest::Response) -> Option<&str> {
    response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
}

/// `Retry-After`: delay-seconds or an HTTP date. Seconds may have a fraction (`1.5`, rounded up to whole
/// seconds); any value is cut to [`RETRY_AFTER_CEILING`], including one too long for a `u64`.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !whole.is_empty() && digits(whole) && digits(fraction) {
        // All digits: an overflow can only mean "very long".
        let secs = whole.parse::<u64>().unwrap_or(u64::MAX);
        let round_up = u64::from(fraction.bytes().any(|b| b != b'0'));
        let secs = secs.saturating_add(round_up);
        return Some(Duration::from_secs(secs).min(RETRY_AFTER_CEILING));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO)
            .min(RETRY_AFTER_CEILING),
    )
}

/// Full jitter: a uniform draw in `[0, step]`.
pub(crate) fn full_jitter(step: Duration) -> Duration {
    let nanos = u64::try_from(step.as_nanos()).unwrap_or(u64::MAX);
    Duration::from_nanos(fastrand::u64(0..=nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_dates() {
        assert_eq!(parse_retry_after("60"), Some(Duration::from_secs(60)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(90));
        let wait = parse_retry_after(&later).unwrap();
        assert!(
            wait > Duration::from_secs(85) && wait <= Duration::from_secs(90),
            "{wait:?}"
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn retry_after_fractions_round_up_and_huge_values_are_cut() {
        assert_eq!(parse_retry_after("1.5"), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after("0.01"), Some(Duration::from_secs(1)));
        assert_eq!(parse_retry_after("3.000"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("99999999999999999999999999"),
            Some(RETRY_AFTER_CEILING)
        );
        assert_eq!(parse_retry_after("86401"), Some(RETRY_AFTER_CEILING));
        for bad in ["", ".5", "-3", "1.2.3", "1e3", "+4"] {
            assert_eq!(parse_retry_after(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_503_retry_after_is_honoured_within_the_limit() {
        let p = RetryPolicy::default();
        let verdict = |method: &Method, wait: Option<&str>| {
            for_status(
                &p,
                method,
                "get_business",
                StatusCode::SERVICE_UNAVAILABLE,
                wait,
            )
        };
        assert_eq!(
            verdict(&Method::GET, Some("4")),
            Verdict::Retry(Some(Duration::from_secs(4)))
        );
        assert_eq!(
            verdict(&Method::GET, Some("0.2")),
            Verdict::Retry(Some(Duration::from_secs(1)))
        );
        assert_eq!(verdict(&Method::GET, Some("121")), Verdict::Done);
        assert_eq!(verdict(&Method::GET, None), Verdict::Retry(None));
        // The wait does not make a POST repeatable.
        assert_eq!(verdict(&Method::POST, Some("4")), Verdict::Done);
        // A 502's Retry-After is not an instruction: our own backoff applies.
        assert_eq!(
            for_status(
                &p,
                &Method::GET,
                "get_business",
                StatusCode::BAD_GATEWAY,
                Some("4")
            ),
            Verdict::Retry(None)
        );
    }

    #[test]
    fn post_is_retried_only_when_surely_unprocessed() {
        let p = RetryPolicy::default();
        assert_eq!(
            for_status(
                &p,
                &Method::POST,
                "update_business",
                StatusCode::BAD_GATEWAY,
                None
            ),
            Verdict::Done
        );
        assert_eq!(
            for_status(
                &p,
                &Method::GET,
                "get_business",
                StatusCode::BAD_GATEWAY,
                None
            ),
            Verdict::Retry(None)
        );
        assert_eq!(
            for_status(
                &p,
                &Method::POST,
                "update_business",
                StatusCode::TOO_MANY_REQUESTS,
                Some("2")
            ),
            Verdict::Retry(Some(Duration::from_secs(2)))
        );
        let opted = RetryPolicy::default().retry_on_server_error("update_business");
        assert_eq!(
            for_status(
                &opted,
                &Method::POST,
                "update_business",
                StatusCode::SERVICE_UNAVAILABLE,
                None
            ),
            Verdict::Retry(None)
        );
        assert_eq!(
            for_status(
                &p,
                &Method::GET,
                "get_business",
                StatusCode::NOT_FOUND,
                None
            ),
            Verdict::Done
        );
        assert_eq!(
            for_status(
                &p,
                &Method::GET,
                "x",
                StatusCode::TOO_MANY_REQUESTS,
                Some("3600")
            ),
            Verdict::Done
        );
    }

    #[test]
    fn a_429_pauses_for_its_retry_after_or_cools_down_without_one() {
        let p = RetryPolicy::default();
        let many = StatusCode::TOO_MANY_REQUESTS;
        let secs = |s| Pause::For(Duration::from_secs(s));
        assert_eq!(pause_for(&p, many, Some("5")), secs(5));
        assert_eq!(pause_for(&p, many, Some("120")), secs(120));
        assert_eq!(pause_for(&p, many, Some("121")), Pause::TooLong);
        assert_eq!(pause_for(&p, many, None), Pause::CoolDown);
        assert_eq!(pause_for(&p, many, Some("soon")), Pause::CoolDown);
        let unavailable = StatusCode::SERVICE_UNAVAILABLE;
        assert_eq!(pause_for(&p, unavailable, Some("5")), Pause::None);
        assert_eq!(pause_for(&p, StatusCode::OK, None), Pause::None);
    }

    #[test]
    fn the_cool_down_doubles_with_the_streak_up_to_the_max_delay() {
        let p = RetryPolicy::default(); // 500 ms base, 30 s max
        let ms = |n| Duration::from_millis(n);
        let steps: Vec<Duration> = (1..=8).map(|k| cool_down(&p, k)).collect();
        assert_eq!(
            steps,
            [
                ms(500),
                ms(1000),
                ms(2000),
                ms(4000),
                ms(8000),
                ms(16_000),
                ms(30_000),
                ms(30_000)
            ]
        );
        assert_eq!(cool_down(&p, 0), ms(500));
        assert_eq!(cool_down(&p, u32::MAX), ms(30_000));
    }

    #[test]
    fn jitter_stays_within_the_step() {
        let step = Duration::from_millis(100);
        let draws: Vec<Duration> = (0..1000).map(|_| full_jitter(step)).collect();
        assert!(draws.iter().all(|d| *d <= step), "a draw above the step");
        // Uniform on [0, step]: 1000 draws all on one side of the middle happen with probability 2^-999, so
        // a missing or one-sided jitter (always `step`, always zero) fails here.
        let half = step / 2;
        assert!(
            draws.iter().any(|d| *d < half),
            "no draw below half the step"
        );
        assert!(
            draws.iter().any(|d| *d > half),
            "no draw above half the step"
        );
        assert_eq!(full_jitter(Duration::ZERO), Duration::ZERO);
    }
}
