//! Same-origin redirects, followed one hop at a time through the client's rate limit.
//!
//! Left to reqwest, a redirect is followed inside `execute`, out of the pacer's sight: one slot covered the
//! first request and up to ten hops after it. Under the client's hooks, [`HOPS`] is set, and the redirect
//! policy (`crate::redirect`) then stops at a same-origin redirect instead of following it; it still refuses
//! another origin and a chain of more than ten. [`execute`] sends each hop itself, after waiting for a slot
//! like any request, and with reqwest's rules: `301`, `302` and `303` turn a request other than `GET` or
//! `HEAD` into a `GET` without body; `307` and `308` repeat the method and the body, when the body can be
//! replayed (otherwise the `3xx` is the answer, as reqwest does).
//!
//! Two rules follow from sending the hops here rather than inside one `execute`:
//! - A request that a `301`–`303` turned into a `GET` was processed by the server: [`Sent::turned_into_get`]
//!   tells the retry loop, which then never repeats it, whatever the `GET` meets.
//! - [`crate::ClientBuilder::timeout`] is the time of the whole attempt, hops and their waits for a slot
//!   included: each hop gets what is left of it, and a hop whose slot comes after the deadline is not sent
//!   ([`HopNotSent`], a timeout).

use std::cell::Cell;
use std::time::Instant;

use reqwest::header::{
    CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, LOCATION, TRANSFER_ENCODING,
};
use reqwest::{Method, Request, Response};

use crate::ClientState;

tokio::task_local! {
    /// Hops followed so far for the request being sent, while [`execute`] sends it.
    pub(crate) static HOPS: Cell<usize>;
}

/// What [`execute`] gives back.
pub(super) struct Sent {
    /// The last response, or the error that ended the chain.
    pub(super) outcome: reqwest::Result<Response>,
    /// Whether a `301`, `302` or `303` turned the request into a `GET` on the way: the server then processed
    /// the request, and repeating the chain would send it again.
    pub(super) turned_into_get: bool,
}

/// Sends `request` (whose slot the caller has waited for), then each same-origin redirect hop after a slot
/// of its own, within what is left of the client's timeout; the last response is the answer.
pub(super) async fn execute(http: &reqwest::Client, state: &ClientState, request: Request) -> Sent {
    // `build` keeps the timeout within a day; `checked_add` all the same, never a panic on the clock.
    let deadline = state.timeout.and_then(|t| Instant::now().checked_add(t));
    let method = request.method().clone();
    let mut turned_into_get = false;
    let outcome = HOPS
        .scope(Cell::new(0), async {
            let mut replay = Replay::of(&request);
            let mut response = http.execute(request).await?;
            while let Some(mut next) = replay.next(&response) {
                let _ = HOPS.try_with(|hops| hops.set(hops.get() + 1));
                turned_into_get |= *next.method() != method;
                replay = Replay::of(&next);
                let Some(deadline) = deadline else {
                    super::wait_for_limiter(state).await;
                    response = http.execute(next).await?;
                    continue;
                };
                // The wait for a slot counts against the attempt's time: a hop that would leave after the
                // deadline is not sent (sent with no time left, the server processed it and its answer was
                // dropped).
                let left = deadline.saturating_duration_since(Instant::now());
                let slot = tokio::time::timeout(left, super::wait_for_limiter(state)).await;
                let left = deadline.saturating_duration_since(Instant::now());
                if slot.is_err() || left.is_zero() {
                    let cause = std::io::Error::new(std::io::ErrorKind::TimedOut, HopNotSent);
                    return match io_error(next.url().clone(), cause).await {
                        Some(timeout) => Err(timeout),
                        None => Ok(response),
                    };
                }
                *next.timeout_mut() = Some(left);
                response = http.execute(next).await?;
            }
            Ok(response)
        })
        .await;
    Sent {
        outcome,
        turned_into_get,
    }
}

/// Why a hop was not sent: the attempt's timeout passed while it waited for a slot of the rate limit.
#[derive(Debug)]
pub(crate) struct HopNotSent;

impl std::fmt::Display for HopNotSent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            "the timeout passed while a redirect hop waited for a slot of the rate limit; the hop was not sent",
        )
    }
}

impl std::error::Error for HopNotSent {}

/// Whether `e` is the timeout of a hop not sent ([`io_error`] with [`HopNotSent`]).
pub(crate) fn is_hop_not_sent(e: &reqwest::Error) -> bool {
    not_sent_because::<HopNotSent>(e)
}

/// Whether `e` is an [`io_error`] whose cause holds a `T` (an `io::Error` does not give its payload as its
/// `source()`: it is looked for inside each one).
pub(crate) fn not_sent_because<T: std::error::Error + 'static>(e: &reqwest::Error) -> bool {
    crate::error::causes(e).any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
            .is_some_and(|inner| inner.is::<T>())
    })
}

/// A reqwest error for a request to `url` that was not sent, with `cause` behind it: for the unsent hop, an
/// `io::ErrorKind::TimedOut` around [`HopNotSent`] (which `reqwest::Error::is_timeout` recognises); for a
/// cancelled bulk run, `crate::bulk::stop::Stopped`. reqwest has no constructor for its errors: this one
/// comes from reading a body that fails that way, which touches no network. `None` only if that read
/// succeeded, which it cannot.
pub(crate) async fn io_error(url: reqwest::Url, cause: std::io::Error) -> Option<reqwest::Error> {
    type BoxError = Box<dyn std::error::Error + Send + Sync>;
    let failed: Result<bytes::Bytes, BoxError> = Err(Box::new(cause));
    let body = reqwest::Body::wrap_stream(futures_util::stream::iter([failed]));
    let mut response = http::Response::new(body);
    crate::exchange::set_url(&mut response, url);
    Response::from(response).bytes().await.err()
}

/// What a hop needs of the request before it: one copy of it, with its body unless the body is a stream,
/// which cannot be replayed.
struct Replay {
    copy: Request,
    /// Whether `copy` carries the request's body (always, but for a streaming body).
    with_body: bool,
}

impl Replay {
    fn of(request: &Request) -> Self {
        if let Some(copy) = request.try_clone() {
            return Self {
                copy,
                with_body: true,
            };
        }
        let mut copy = Request::new(request.method().clone(), request.url().clone());
        *copy.headers_mut() = request.headers().clone();
        *copy.timeout_mut() = request.timeout().copied();
        *copy.version_mut() = request.version();
        Self {
            copy,
            with_body: false,
        }
    }

    /// The request that follows `response`, when it is a redirect to follow: a known redirect status, a
    /// `Location` that resolves against the response's URL, the same origin (the policy already refused
    /// another; checked again so that the key can never follow one), and for `307`/`308` a body to repeat.
    fn next(self, response: &Response) -> Option<Request> {
        // Read as UTF-8, as reqwest reads it (`to_str` takes visible ASCII only, and a `Location` written in
        // UTF-8 was not followed); `join` percent-encodes what needs it.
        let location = std::str::from_utf8(response.headers().get(LOCATION)?.as_bytes()).ok()?;
        let url = response.url().join(location).ok()?;
        if !crate::redirect::same_origin(response.url(), &url) {
            return None;
        }
        let mut next = match response.status().as_u16() {
            301..=303 => {
                let mut next = self.copy;
                *next.body_mut() = None;
                if !matches!(*next.method(), Method::GET | Method::HEAD) {
                    *next.method_mut() = Method::GET;
                }
                for header in [
                    CONTENT_TYPE,
                    CONTENT_LENGTH,
                    CONTENT_ENCODING,
                    TRANSFER_ENCODING,
                ] {
                    next.headers_mut().remove(header);
                }
                next
            }
            307 | 308 if self.with_body => self.copy,
            _ => return None,
        };
        *next.url_mut() = url;
        Some(next)
    }
}
