//! [`Error`]: the one error type of the client, and [`SendExt`], which produces it with every detail.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures_util::FutureExt;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::Value;

mod api_body;
pub(crate) mod live_keys;

pub use api_body::ApiErrorBody;

use crate::config::DEFAULT_MAX_ERROR_BODY;
use crate::exchange::BODY_CUT_HEADER;
use crate::hooks::{CAPTURE, Captured, WRAPPED_BODY_HEADER};
use crate::pagination::PaginationStop;
use crate::redirect::{MAX_REDIRECTS, RefusedRedirect, TooManyRedirects};
use crate::types::PartooError;
use crate::{GeneratedError, ResponseValue};

/// Everything that can go wrong talking to Partoo. Match on it; [`Error::is_retryable`] says whether trying
/// again later may succeed. Nothing in it (including `Debug`) contains the API key.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The request did not complete: connection refused or reset, DNS, TLS, a broken body. The URL the
    /// error carries (and prints) has no query (it may hold a credential: `check_connection_token`'s
    /// `token`), no user name or password (a redirect's `Location` may give them) and no API key (replaced).
    Transport(reqwest::Error),
    /// No answer in time (connect or total timeout). Its URL is shown as for [`Error::Transport`].
    Timeout(reqwest::Error),
    /// 429 after the retries: Partoo asks to wait `retry_after` (when it said).
    RateLimited {
        /// The server's `Retry-After`, if any.
        retry_after: Option<Duration>,
        /// Partoo's error details, if the body had any.
        body: ApiErrorBody,
        /// The body as received (at most the client's `max_error_body` bytes).
        raw: Bytes,
        /// Whether `raw` was cut at that limit.
        truncated: bool,
    },
    /// Partoo answered with a non-2xx status.
    Api {
        /// The HTTP status.
        status: StatusCode,
        /// Partoo's error details, decoded from `{"errors": …}` or `{"error": …}`.
        body: ApiErrorBody,
        /// The body as received, at most the client's `max_error_body` bytes. Outside
        /// [`SendExt::into_result`], a body of exactly Partoo's shape (`error` and/or `errors`, no other key)
        /// is re-encoded (equal as JSON), and any other body (an HTML page from a proxy, a gateway's JSON) is
        /// its text with invalid UTF-8 replaced.
        raw: Bytes,
        /// Whether `raw` was cut at the limit (the rest was not read).
        truncated: bool,
    },
    /// Partoo answered with a 2xx status the operation does not document (e.g. a `202` where the spec lists
    /// `200` and `201` with different bodies), so its body was not decoded. **The request was processed: do
    /// not repeat it** (a repeated POST may create a second item). Never [`Error::Api`], never retryable.
    UnexpectedSuccess {
        /// The HTTP status, a 2xx.
        status: StatusCode,
        /// The body as received, at most the client's `max_error_body` bytes.
        raw: Bytes,
        /// Whether `raw` was cut at that limit (the rest was not read).
        truncated: bool,
    },
    /// The answer's status arrived, then its body broke off: the connection closed or was reset, or the
    /// timeout passed while it was read. **The request reached Partoo and was processed**: for a 2xx it
    /// succeeded, so do not repeat a POST. Retryable only for a 5xx, as [`Error::Api`].
    BodyInterrupted {
        /// The status of the answer.
        status: StatusCode,
        /// Bytes of the body received before it broke off.
        received: usize,
        /// The start of them, at most the client's `max_error_body` bytes.
        raw: Bytes,
        /// reqwest's error for the body (`is_timeout()` tells a timeout from a lost connection).
        source: reqwest::Error,
    },
    /// A 2xx body that does not decode into the operation's success type (also an empty body, e.g. a 204
    /// for an operation that documents a JSON body).
    Decode {
        /// The HTTP status: always with [`SendExt::into_result`], `None` after `?` on a plain `send()`.
        status: Option<StatusCode>,
        /// JSON path of the value that failed, e.g. `businesses[3].status`.
        path: String,
        /// serde's message.
        message: String,
        /// The start of the body.
        excerpt: String,
        /// The body as received, at most the client's `max_error_body` bytes (the default limit after `?` on
        /// a plain `send()`).
        raw: Bytes,
        /// Whether `raw` was cut at that limit.
        truncated: bool,
    },
    /// Partoo (or something in between) redirected to another origin (scheme, host or port changed, e.g.
    /// `https` to `http`). The redirect was not followed, so the API key stayed where it was sent.
    RedirectRefused {
        /// The URL that answered with the redirect, shown as for [`Error::Transport`].
        from: String,
        /// Where it pointed, shown the same way.
        to: String,
    },
    /// A chain of same-origin redirects longer than the client follows for one request (`limit`, 10): a
    /// loop, most likely. The server was reached; repeating the request meets the same chain, so it is not
    /// retryable.
    TooManyRedirects {
        /// The most redirects one request follows.
        limit: usize,
        /// Where the redirect that went over the limit pointed, shown as for [`Error::Transport`].
        to: String,
    },
    /// The request was not sent: the [`crate::bulk::Bulk`] run it belongs to was cancelled while it waited to
    /// leave (for a slot of the rate limit, the pause after a 429, or a retry's delay). Safe to send again,
    /// so retryable.
    Cancelled {
        /// The request's URL, shown as for [`Error::Transport`].
        url: String,
    },
    /// The request could not be built (a parameter failed to convert, a required one is missing).
    InvalidRequest(String),
    /// The client is misconfigured (no API key, a plain-http base URL, …).
    Config(String),
    /// A page stream stopped: the server is not advancing, or the stream reached its page cap. Pages
    /// before this one were yielded; no request is made after it.
    Pagination {
        /// The operation streamed (the `Client` method name, e.g. `search_businesses`).
        operation: &'static str,
        /// The page the rule fired on: its number (page-numbered streams) or its 1-based position (cursor
        /// streams).
        page: i64,
        /// Which rule fired.
        reason: PaginationStop,
    },
    /// A success body longer than the client's limit ([`crate::ClientBuilder::max_body`]): refused from its
    /// `Content-Length`, or cut off while reading. At most `limit` bytes of it were held in memory.
    BodyTooLarge {
        /// The operation (the `Client` method name).
        operation: &'static str,
        /// The limit in bytes.
        limit: usize,
        /// The `Content-Length` the server announced, when it did.
        content_length: Option<u64>,
    },
}

impl Error {
    /// Whether the same request may succeed later (transport failures, timeouts, 429, 5xx).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport(_)
            | Error::Timeout(_)
            | Error::RateLimited { .. }
            | Error::Cancelled { .. } => true,
            Error::Api { status, .. } | Error::BodyInterrupted { status, .. } => {
                status.is_server_error()
            }
            _ => false,
        }
    }

    /// The HTTP status of the answer the error reports: Partoo's for [`Error::Api`], [`Error::RateLimited`],
    /// [`Error::UnexpectedSuccess`] and (when it had one) [`Error::Decode`], reqwest's for a transport error
    /// that has one. `None` for the others, even when a response came: a body over its limit or a refused
    /// redirect is about the client's rules, not the answer's status.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api { status, .. } => Some(*status),
            Error::RateLimited { .. } => Some(StatusCode::TOO_MANY_REQUESTS),
            Error::Decode { status, .. } => *status,
            Error::UnexpectedSuccess { status, .. } | Error::BodyInterrupted { status, .. } => {
                Some(*status)
            }
            Error::Transport(e) | Error::Timeout(e) => e.status(),
            _ => None,
        }
    }

    fn from_transport(mut e: reqwest::Error) -> Self {
        // Refused before anything was sent (a URL the HTTP layer cannot carry, e.g. 180 kB of query): the
        // request's fault, not the network's. The URL is left out: it may be that long.
        if e.is_builder() {
            return Error::InvalidRequest(format!(
                "the HTTP request could not be built, nothing was sent: {}",
                e.without_url()
            ));
        }
        if let Some(url) = e.url_mut() {
            strip_secrets(url);
        }
        if let Some(over) = crate::exchange::body_over_limit(&e) {
            return Error::BodyTooLarge {
                operation: over.operation,
                limit: over.limit,
                content_length: over.content_length,
            };
        }
        if let Some((status, received, raw)) = crate::hooks::interrupted::body_broke(&e)
            .map(|broke| (broke.status, broke.received, broke.start.clone()))
        {
            return Error::BodyInterrupted {
                status,
                received,
                raw,
                source: e,
            };
        }
        if crate::bulk::stop::is_stopped(&e) {
            return Error::Cancelled {
                url: e.url().map_or_else(String::new, shown_url),
            };
        }
        if let Some(refused) = refused_redirect(&e) {
            return Error::RedirectRefused {
                from: shown_url(&refused.from),
                to: shown_url(&refused.to),
            };
        }
        if let Some(too_many) = too_many_redirects(&e) {
            return Error::TooManyRedirects {
                limit: MAX_REDIRECTS,
                to: shown_url(&too_many.0),
            };
        }
        if e.is_timeout() {
            Error::Timeout(e)
        } else {
            Error::Transport(e)
        }
    }

    fn from_status(
        status: StatusCode,
        (raw, truncated): (Bytes, bool),
        retry_after: Option<&str>,
    ) -> Self {
        if status.is_success() {
            return Error::UnexpectedSuccess {
                status,
                raw,
                truncated,
            };
        }
        let body = ApiErrorBody::parse(&raw);
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Error::RateLimited {
                retry_after: retry_after.and_then(crate::retry::parse_retry_after),
                body,
                raw,
                truncated,
            };
        }
        Error::Api {
            status,
            body,
            raw,
            truncated,
        }
    }

    fn decode<T: DeserializeOwned>(
        status: Option<StatusCode>,
        raw: &Bytes,
        fallback: &serde_json::Error,
        limit: usize,
    ) -> Self {
        // Cut or not as received: a replaced key may change the length by a few bytes.
        let truncated = raw.len() > limit;
        // A body that echoes the key must not carry it into the message, `Debug` or `raw`.
        let raw = &live_keys::scrub_bytes(raw.clone());
        let de = &mut serde_json::Deserializer::from_slice(raw);
        let (path, message) = match serde_path_to_error::deserialize::<_, T>(de) {
            Err(e) => (e.path().to_string(), e.inner().to_string()),
            // progenitor's message, read from the body before it was scrubbed.
            Ok(_) => (
                String::from("?"),
                String::from_utf8_lossy(&live_keys::scrub(fallback.to_string().as_bytes()))
                    .into_owned(),
            ),
        };
        let text = String::from_utf8_lossy(raw);
        let excerpt: String = text.chars().take(300).collect();
        Error::Decode {
            status,
            path,
            message,
            excerpt,
            raw: if truncated {
                raw.slice(..raw.len().min(limit))
            } else {
                raw.clone()
            },
            truncated,
        }
    }

    /// Converts progenitor's error, using what the hooks captured when available.
    fn from_generated<T: DeserializeOwned>(
        e: GeneratedError<PartooError>,
        captured: Option<Captured>,
    ) -> Self {
        let captured = captured.unwrap_or_default();
        let kept = captured.body.map(|body| (body, captured.truncated));
        match e {
            GeneratedError::ErrorResponse(rv) => {
                let status = rv.status();
                let raw = kept.unwrap_or_else(|| {
                    let cut = rv.headers().contains_key(BODY_CUT_HEADER);
                    if rv.headers().contains_key(WRAPPED_BODY_HEADER) {
                        let text = rv.error.as_ref().and_then(Value::as_str).unwrap_or("");
                        (within(text, cut_at(rv.headers())), cut)
                    } else {
                        let json = serde_json::to_vec(rv.as_ref()).unwrap_or_default();
                        (Bytes::from(json), cut)
                    }
                });
                // Without a capture (a plain `send().await?`), the header is read from the response.
                let retry_after = captured.retry_after.or_else(|| {
                    let header = rv.headers().get(reqwest::header::RETRY_AFTER)?;
                    header.to_str().ok().map(str::to_owned)
                });
                Error::from_status(status, raw, retry_after.as_deref())
            }
            GeneratedError::UnexpectedResponse(response) => {
                let status = response.status();
                let retry_after = crate::retry::retry_after_header(&response).map(str::to_owned);
                let wrapped = response.headers().contains_key(WRAPPED_BODY_HEADER);
                let cut = response.headers().contains_key(BODY_CUT_HEADER);
                let kept_bytes = cut_at(response.headers());
                // The hook buffered the body of every non-2xx and undeclared 2xx response, so reading it
                // completes at once.
                let raw = kept.unwrap_or_else(|| {
                    let body = response
                        .bytes()
                        .now_or_never()
                        .and_then(Result::ok)
                        .unwrap_or_default();
                    (
                        if wrapped {
                            unwrap_text(&body, kept_bytes)
                        } else {
                            body
                        },
                        cut,
                    )
                });
                Error::from_status(status, raw, retry_after.as_deref())
            }
            GeneratedError::InvalidResponsePayload(raw, err) => match captured.status {
                Some(status) if !status.is_success() => Error::from_status(
                    status,
                    kept.unwrap_or((raw, false)),
                    captured.retry_after.as_deref(),
                ),
                status => Error::decode::<T>(
                    status,
                    &raw,
                    &err,
                    captured.limit.unwrap_or(DEFAULT_MAX_ERROR_BODY),
                ),
            },
            GeneratedError::CommunicationError(e) | GeneratedError::ResponseBodyError(e) => {
                Error::from_transport(e)
            }
            GeneratedError::InvalidRequest(msg) => Error::InvalidRequest(msg),
            other => Error::InvalidRequest(other.to_string()),
        }
    }
}

/// The original text of a body the hooks wrapped as `{"error": "<text>"}`, at most `limit` bytes (see
/// [`within`]).
fn unwrap_text(body: &[u8], limit: Option<usize>) -> Bytes {
    let text = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_default();
    within(&text, limit)
}

/// How many bytes of a cut body the hooks kept ([`BODY_CUT_HEADER`]'s value): the client's limit.
fn cut_at(headers: &reqwest::header::HeaderMap) -> Option<usize> {
    headers.get(BODY_CUT_HEADER)?.to_str().ok()?.parse().ok()
}

/// `text` as raw bytes, cut to at most `limit` bytes at a character boundary: the text of a cut body grows
/// when its invalid bytes become U+FFFD (3 bytes each), and `raw` must stay within the limit it was cut at.
fn within(text: &str, limit: Option<usize>) -> Bytes {
    let mut end = limit.unwrap_or(usize::MAX).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Bytes::copy_from_slice(&text.as_bytes()[..end])
}

/// ` (body cut after N bytes)` when an error's raw body was cut.
fn cut_note(raw: &Bytes, truncated: bool) -> String {
    if truncated {
        format!(" (body cut after {} bytes)", raw.len())
    } else {
        String::new()
    }
}

/// The [`RefusedRedirect`] behind a redirect error of reqwest, if that is what it is.
pub(crate) fn refused_redirect(e: &reqwest::Error) -> Option<&RefusedRedirect> {
    redirect_cause::<RefusedRedirect>(e)
}

/// The [`TooManyRedirects`] behind a redirect error of reqwest, if that is what it is.
pub(crate) fn too_many_redirects(e: &reqwest::Error) -> Option<&TooManyRedirects> {
    redirect_cause::<TooManyRedirects>(e)
}

/// The cause of type `T` behind a redirect error of reqwest (one of `crate::redirect`'s refusals).
fn redirect_cause<T: std::error::Error + 'static>(e: &reqwest::Error) -> Option<&T> {
    if !e.is_redirect() {
        return None;
    }
    cause(e)
}

/// The first error of type `T` behind `e` (see [`causes`]): how the client's own errors, carried as the
/// source of reqwest's, are found again.
pub(crate) fn cause<'a, T: std::error::Error + 'static>(
    e: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    causes(e).find_map(|cause| cause.downcast_ref::<T>())
}

/// Drops from a URL an error shows what may be a credential: its user name and password (a redirect's
/// `Location` may carry them), its query and fragment, and a live client's API key in its path (a proxy
/// that puts the key in a login URL).
fn strip_secrets(url: &mut reqwest::Url) {
    // Both fail only for a URL that cannot have them (`data:`), which then has none to drop.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.set_query(None);
    url.set_fragment(None);
    if let std::borrow::Cow::Owned(scrubbed) = live_keys::scrub(url.as_str().as_bytes()) {
        let scrubbed = String::from_utf8_lossy(&scrubbed);
        match reqwest::Url::parse(&scrubbed) {
            Ok(parsed) => *url = parsed,
            // Not reachable (the key replaced inside a valid URL leaves one), but never keep the key.
            Err(_) => url.set_path("/[API key]"),
        }
    }
}

/// `url` as an error shows it ([`strip_secrets`]).
fn shown_url(url: &reqwest::Url) -> String {
    let mut url = url.clone();
    strip_secrets(&mut url);
    url.to_string()
}

/// The errors behind `e`, nearest first (its `source()`, then that one's, …).
pub(crate) fn causes<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(e.source(), |cause| cause.source())
}

impl From<GeneratedError<PartooError>> for Error {
    /// For `?` on a plain `send().await`. Prefer [`SendExt::into_result`], which also keeps raw bodies, the
    /// status of decode failures and the JSON path that failed.
    fn from(e: GeneratedError<PartooError>) -> Self {
        Error::from_generated::<Value>(e, None)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Transport(e) => write!(f, "could not reach Partoo: {e}"),
            Error::Timeout(e) => {
                write!(f, "Partoo did not answer in time: {e}")?;
                // reqwest's own text is about a body: say why the hop was not sent.
                if crate::hooks::hops::is_hop_not_sent(e) {
                    write!(f, " ({})", crate::hooks::hops::HopNotSent)?;
                }
                Ok(())
            }
            Error::RateLimited {
                retry_after,
                body,
                raw,
                truncated,
            } => {
                let wait = retry_after
                    .map(|d| format!(", retry after {} s", d.as_secs()))
                    .unwrap_or_default();
                write!(
                    f,
                    "rate limited by Partoo (429){wait}{}{}",
                    body.suffix(),
                    cut_note(raw, *truncated)
                )
            }
            Error::Api {
                status,
                body,
                raw,
                truncated,
            } => {
                write!(
                    f,
                    "Partoo answered {status}{}{}",
                    body.suffix(),
                    cut_note(raw, *truncated)
                )
            }
            Error::UnexpectedSuccess {
                status,
                raw,
                truncated,
            } => {
                let text = String::from_utf8_lossy(raw);
                let excerpt: String = text.chars().take(300).collect();
                write!(
                    f,
                    "Partoo answered {status}, a success status this operation does not document: the request was processed, do not repeat it; body starts: {excerpt}{}",
                    cut_note(raw, *truncated)
                )
            }
            Error::BodyInterrupted {
                status,
                received,
                source,
                ..
            } => {
                let processed = if status.is_success() {
                    "the request was processed, do not repeat it blindly"
                } else {
                    "the request reached Partoo"
                };
                let cause = crate::error::causes(source)
                    .filter(|c| !c.is::<crate::hooks::interrupted::BodyBroke>())
                    .last()
                    .map(|c| format!(" ({c})"))
                    .unwrap_or_default();
                write!(
                    f,
                    "Partoo answered {status}, then the body broke off after {received} bytes{cause}: {processed}"
                )
            }
            Error::Decode {
                status,
                path,
                message,
                excerpt,
                raw,
                truncated,
            } => {
                let status = status.map(|s| format!(" ({s})")).unwrap_or_default();
                write!(
                    f,
                    "unexpected response body{status} at `{path}`: {message}; body starts: {excerpt}{}",
                    cut_note(raw, *truncated)
                )
            }
            Error::RedirectRefused { from, to } => write!(
                f,
                "refused to follow the redirect from {from} to {to}: it leaves the origin the API key is meant for"
            ),
            Error::TooManyRedirects { limit, to } => write!(
                f,
                "stopped after {limit} redirects (the client's limit for one request), the last to {to}: a redirect loop?"
            ),
            Error::Cancelled { url } => write!(
                f,
                "not sent: the bulk run was cancelled while this request waited to leave ({url})"
            ),
            Error::InvalidRequest(m) => write!(f, "invalid request: {m}"),
            Error::Config(m) => write!(f, "client configuration: {m}"),
            Error::Pagination {
                operation,
                page,
                reason,
            } => write!(
                f,
                "{operation}: pagination stopped at page {page}: {reason}"
            ),
            Error::BodyTooLarge {
                operation,
                limit,
                content_length,
            } => {
                let announced = content_length
                    .map(|n| format!(" (Content-Length: {n})"))
                    .unwrap_or_default();
                write!(
                    f,
                    "{operation}: the response body is over the max_body limit of {limit} bytes{announced}; raise ClientBuilder::max_body if this is expected"
                )
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(e) | Error::Timeout(e) => Some(e),
            Error::BodyInterrupted { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Turns a generated `send()` future into one that yields the response body or a detailed [`Error`].
///
/// ```no_run
/// use partoo_api::{Client, SendExt};
/// # async fn run(client: Client) -> Result<(), partoo_api::Error> {
/// let me = client.get_my_user().send().into_result().await?;
/// # Ok(()) }
/// ```
pub trait SendExt<T>:
    std::future::Future<Output = Result<ResponseValue<T>, GeneratedError<PartooError>>> + Sized
{
    /// Awaits the request; on failure keeps the status, Partoo's details, the raw body and the JSON path.
    fn into_result(self) -> impl std::future::Future<Output = Result<T, Error>> + Send
    where
        Self: Send,
        T: DeserializeOwned + Send,
    {
        let cell = Arc::new(Mutex::new(Captured::default()));
        let scoped = CAPTURE.scope(Arc::clone(&cell), self);
        async move {
            let result = scoped.await;
            let captured = cell.lock().ok().map(|c| c.clone());
            result
                .map(ResponseValue::into_inner)
                .map_err(|e| Error::from_generated::<T>(e, captured))
        }
    }
}

/// [`SendExt::into_result`] for an operation whose success body is not JSON (progenitor's `ByteStream`):
/// the response with its body unread, or the same detailed [`Error`]. Such a body never fails to decode.
#[cfg_attr(
    not(feature = "cli"),
    allow(dead_code, reason = "the command line's `bytes` output is its caller")
)]
pub(crate) fn bytes_result<F>(
    send: F,
) -> impl std::future::Future<Output = Result<ResponseValue<progenitor_client::ByteStream>, Error>> + Send
where
    F: std::future::Future<
            Output = Result<
                ResponseValue<progenitor_client::ByteStream>,
                GeneratedError<PartooError>,
            >,
        > + Send,
{
    // The same capture as `into_result`, written out: a shared async helper added a layer of future, and the
    // command line's debug build then overflowed the main thread's stack on its largest operations.
    let cell = Arc::new(Mutex::new(Captured::default()));
    let scoped = CAPTURE.scope(Arc::clone(&cell), send);
    async move {
        let result = scoped.await;
        let captured = cell.lock().ok().map(|c| c.clone());
        // `Value` only names a JSON path when a body does not decode, which a byte stream never does.
        result.map_err(|e| Error::from_generated::<serde_json::Value>(e, captured))
    }
}

impl<T, F> SendExt<T> for F where
    F: std::future::Future<Output = Result<ResponseValue<T>, GeneratedError<PartooError>>>
{
}
