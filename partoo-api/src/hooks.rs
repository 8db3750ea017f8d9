//! What happens around every request of the generated client (progenitor's `ClientHooks`): the path
//! parameters checked to fill their segments (`pre`, [`segments`]), the `x-APIKey` header, comma-separated
//! query arrays, the client-side rate limit, retries, redirect hops ([`hops`]), one tracing span, and the
//! capture of error bodies for [`crate::Error`].

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use backon::{ExponentialBuilder, Retryable};
use bytes::Bytes;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::{Request, Response, StatusCode};
use tracing::{Instrument, field};

use crate::exchange::{PAGE_EXCHANGE, buffer, limit_body};
use crate::generated::operations;
use crate::retry::{
    Pause, Verdict, cool_down, for_error, for_status, full_jitter, pause_for, retry_after_header,
};
use crate::{Client, ClientState};
pub(crate) use hops::HOPS;
pub(crate) use segments::base_path;

/// Status, headers and raw body of the last response of a request, when a [`crate::SendExt`] future is
/// waiting for it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Captured {
    pub(crate) status: Option<StatusCode>,
    pub(crate) retry_after: Option<String>,
    pub(crate) body: Option<Bytes>,
    /// Whether `body` was cut at the client's error body limit.
    pub(crate) truncated: bool,
    /// The client's error body limit, which also caps the raw body of a decode error.
    pub(crate) limit: Option<usize>,
}

pub(crate) type CaptureCell = Arc<Mutex<Captured>>;

tokio::task_local! {
    /// Set by `SendExt::into_result` for the duration of one request future.
    pub(crate) static CAPTURE: CaptureCell;
}

/// Where a caller that wants a response as received (raw page streams, the `partoo` command line) gets the
/// raw success body.
pub(crate) type RawCell = Arc<Mutex<Option<Bytes>>>;

tokio::task_local! {
    /// Set for one request future by a raw page stream or the command line: the success body, as read (within
    /// `max_body`), is kept here as well as decoded.
    pub(crate) static RAW_SUCCESS: RawCell;
}

/// The outcome of one attempt that may be retried.
struct Retry {
    outcome: reqwest::Result<Response>,
    wait: Option<Duration>,
    retry: bool,
}

impl ClientHooks<ClientState> for Client {
    /// Refuses a request whose path parameters changed its path (see `hooks/segments.rs`), or whose
    /// comma-separated array holds a value with a comma (see `csv_value_with_comma`).
    async fn pre<E>(
        &self,
        request: &mut Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let Some(meta) = operations::find(info.operation_id) else {
            return Ok(());
        };
        segments::check(&self.inner().base_path, request.url().path(), meta.path)
            .and_then(|()| csv_value_with_comma(request, meta.csv_query))
            .map_err(progenitor_client::Error::InvalidRequest)
    }

    async fn exec(&self, mut request: Request, info: &OperationInfo) -> reqwest::Result<Response> {
        let state = self.inner();
        let meta = operations::find(info.operation_id);
        let path = meta.map_or("?", |m| m.path);
        request
            .headers_mut()
            .insert("x-APIKey", state.api_key.clone());
        if let Some(meta) = meta.filter(|m| !m.csv_query.is_empty()) {
            join_csv_query(&mut request, meta.csv_query);
        }
        let span = tracing::info_span!(
            "partoo_api.request",
            operation = info.operation_id,
            method = %request.method(),
            path,
            attempt = field::Empty,
            status = field::Empty,
            elapsed_ms = field::Empty,
        );
        let started = Instant::now();
        let result = send_with_retries(self, state, request, info.operation_id)
            .instrument(span.clone())
            .await
            .map(without_markers);
        span.record("elapsed_ms", started.elapsed().as_millis() as u64);
        match &result {
            Ok(r) => span.record("status", r.status().as_u16()),
            Err(e) => span.record("status", failure(e)),
        };
        // An unknown operation (none: the generated code names its own) is taken to accept every 2xx.
        let declared = meta.map_or(ANY_2XX, |m| m.success_statuses);
        let key = state.api_key.as_bytes();
        // Success bodies are capped at `max_body` as they are read (error bodies, and the bodies of 2xx
        // statuses the operation does not declare, at `max_error_body`, by `capture`).
        let result = match result {
            // Watched after the cap (which reads `Content-Length` first): a body that breaks off keeps its
            // status (see `hooks/interrupted.rs`).
            Ok(response) if response.status().is_success() => {
                let limited = limit_body(response, state.max_body, info.operation_id);
                let limited = interrupted::watch(limited, state.max_error_body);
                let limited = keep_raw_success(limited).await?;
                capture(limited, state.max_error_body, key, declared).await
            }
            Ok(response) => {
                let watched = interrupted::watch(response, state.max_error_body);
                capture(watched, state.max_error_body, key, declared).await
            }
            Err(e) => Err(e),
        };
        // A page of a concurrent stream: its exchange ends with the last byte of the body (read through the
        // cap above); then it frees its slot and is decoded when the window says so (see `crate::exchange`).
        match PAGE_EXCHANGE.try_with(Arc::clone) {
            Ok(page) => {
                let result = match result {
                    Ok(response) => buffer(response, usize::MAX)
                        .await
                        .map(|(response, _, _)| response),
                    Err(e) => Err(e),
                };
                page.release();
                page.resumed().await;
                result
            }
            Err(_) => result,
        }
    }
}

/// The span's `status` when no response came: what went wrong, in the words of the [`crate::Error`] variant
/// the failure becomes (a refused redirect was recorded as a "transport error").
fn failure(e: &reqwest::Error) -> &'static str {
    if crate::error::refused_redirect(e).is_some() {
        "redirect refused"
    } else if crate::error::too_many_redirects(e).is_some() {
        "too many redirects"
    } else if crate::bulk::stop::is_stopped(e) {
        "cancelled"
    } else if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connect error"
    } else {
        "transport error"
    }
}

async fn send_with_retries(
    client: &Client,
    state: &ClientState,
    request: Request,
    operation: &str,
) -> reqwest::Result<Response> {
    let policy = &state.retry;
    let method = request.method().clone();
    // A streaming body cannot be replayed: such a request gets one attempt.
    let Some(template) = request.try_clone().filter(|_| policy.max_attempts > 1) else {
        tracing::Span::current().record("attempt", 1);
        if let Some(stopped) = slot_or_stop(state, request.url()).await {
            return Err(stopped);
        }
        let outcome = hops::execute(client.client(), state, request).await.outcome;
        if let Ok(response) = &outcome {
            pause_on_429(state, response);
        }
        return outcome;
    };
    let first = Mutex::new(Some(request));
    let backoff = ExponentialBuilder::default()
        .with_min_delay(policy.base_delay)
        .with_max_delay(policy.max_delay)
        .with_max_times(policy.max_attempts.saturating_sub(1) as usize);
    let attempt = AtomicU32::new(0);
    let once = || {
        let n = attempt.fetch_add(1, Ordering::Relaxed) + 1;
        let taken = first.lock().ok().and_then(|mut f| f.take());
        // `template.try_clone()` succeeded above, so it succeeds again: the body is in memory.
        let request = taken
            .or_else(|| template.try_clone())
            .expect("a request whose body is in memory clones");
        let method = method.clone();
        async move {
            tracing::Span::current().record("attempt", n);
            if let Some(stopped) = slot_or_stop(state, request.url()).await {
                return Err(Retry {
                    outcome: Err(stopped),
                    wait: None,
                    retry: false,
                });
            }
            let hops::Sent {
                outcome,
                turned_into_get,
            } = hops::execute(client.client(), state, request).await;
            let verdict = match &outcome {
                Ok(r) => {
                    pause_on_429(state, r);
                    for_status(
                        policy,
                        &method,
                        operation,
                        r.status(),
                        retry_after_header(r),
                    )
                }
                Err(e) => for_error(policy, &method, operation, e),
            };
            // What a redirect's `GET` met is not the request's own outcome: the request was processed.
            let verdict = if turned_into_get {
                Verdict::Done
            } else {
                verdict
            };
            match (verdict, outcome) {
                (Verdict::Done, Ok(r)) => Ok(r),
                (Verdict::Done, outcome) => Err(Retry {
                    outcome,
                    wait: None,
                    retry: false,
                }),
                (Verdict::Retry(wait), outcome) => Err(Retry {
                    outcome,
                    wait,
                    retry: true,
                }),
            }
        }
    };
    let result = once
        .retry(backoff)
        // Cut short by a cancelled bulk run: the next attempt then sees the stop and is not sent.
        .sleep(crate::bulk::stop::sleep_unless_stopped)
        .when(|r: &Retry| r.retry)
        .adjust(|r: &Retry, step: Option<Duration>| {
            // `None` from the schedule means the attempts are used up.
            step.map(|step| r.wait.unwrap_or_else(|| full_jitter(step)))
        })
        .notify(|r: &Retry, wait: Duration| {
            let status = r.outcome.as_ref().map_or(0, |resp| resp.status().as_u16());
            tracing::debug!(status, wait_ms = wait.as_millis() as u64, "retrying");
        })
        .await;
    match result {
        Ok(response) => Ok(response),
        Err(last) => last.outcome,
    }
}

/// Waits for a slot as [`wait_for_limiter`] does, unless the bulk run this request belongs to is cancelled
/// first: then the request is not sent, and this is its error (see `crate::bulk::stop`).
async fn slot_or_stop(state: &ClientState, url: &reqwest::Url) -> Option<reqwest::Error> {
    let stopped = crate::bulk::stop::unless_stopped(wait_for_limiter(state))
        .await
        .err()?;
    let cause = std::io::Error::new(std::io::ErrorKind::Interrupted, stopped);
    hops::io_error(url.clone(), cause).await
}

/// Waits for the client's pause after a 429 and for a slot of its rate limit (see `crate::pacer`).
async fn wait_for_limiter(state: &ClientState) {
    state.pacer.ready().await;
}

/// A 429 holds back every request of the client and its clones, not only this one's retry: for its
/// `Retry-After` within the policy's limit, or for the cool-down when it has none (see `crate::pacer`).
fn pause_on_429(state: &ClientState, response: &Response) {
    match pause_for(
        &state.retry,
        response.status(),
        retry_after_header(response),
    ) {
        Pause::None => state.pacer.streak_ends(),
        Pause::For(wait) => state.pacer.pause_for(wait),
        Pause::CoolDown => {
            let streak = state.pacer.one_more_429();
            state.pacer.pause_for(cool_down(&state.retry, streak));
        }
        // Longer than the client will wait: this request gives up, and every request waits the longest the
        // client does wait, rather than go on at full pace into a server that asked for quiet.
        Pause::TooLong => state.pacer.pause_for(state.retry.max_retry_after),
    }
}

/// With [`RAW_SUCCESS`] set, reads the (already capped) success body into memory, keeps a copy there and puts
/// it back for decoding.
async fn keep_raw_success(response: Response) -> reqwest::Result<Response> {
    let Ok(cell) = RAW_SUCCESS.try_with(Arc::clone) else {
        return Ok(response);
    };
    let (response, body, _) = buffer(response, usize::MAX).await?;
    if let Ok(mut slot) = cell.lock() {
        *slot = Some(body);
    }
    Ok(response)
}

/// Every 2xx status, as [`operations::Meta::success_statuses`] writes it.
const ANY_2XX: &[(u16, u16)] = &[(200, 299)];

/// Buffers the body of a non-2xx response, and of a 2xx outside `declared` (which progenitor hands back
/// undecoded, as [`crate::Error::UnexpectedSuccess`] reports), at most `limit` bytes (so that [`crate::Error`]
/// can keep it, even after a plain `send()`), and records status, `Retry-After` and that body for a waiting
/// [`crate::SendExt`] future. The body is put back so progenitor can still decode it; an error body that is
/// not exactly Partoo's JSON error shape (an HTML page from a proxy, a gateway's JSON, a cut body) is put back
/// wrapped, see [`wrap_foreign_error_body`].
async fn capture(
    response: Response,
    limit: usize,
    key: &[u8],
    declared: &[(u16, u16)],
) -> reqwest::Result<Response> {
    let status = response.status();
    let cell = CAPTURE.try_with(Arc::clone).ok();
    let code = status.as_u16();
    let expected =
        status.is_success() && declared.iter().any(|(lo, hi)| (*lo..=*hi).contains(&code));
    if expected && cell.is_none() {
        return Ok(response);
    }
    let retry_after = retry_after_header(&response).map(str::to_owned);
    let mut captured = Captured {
        status: Some(status),
        retry_after,
        body: None,
        truncated: false,
        limit: Some(limit),
    };
    let response = if expected {
        response
    } else {
        let (response, body, truncated) = buffer(response, limit).await?;
        let (response, body) = without_key(response, body, key);
        let foreign = || !is_partoo_error_shape(&body);
        let response = if !status.is_success() && (truncated || foreign()) {
            wrap_foreign_error_body(response, &body)
        } else {
            response
        };
        captured.body = Some(body);
        captured.truncated = truncated;
        response
    };
    if let Some(cell) = cell
        && let Ok(mut slot) = cell.lock()
    {
        *slot = captured;
    }
    Ok(response)
}

/// A buffered error body with every copy of the API key replaced by `[API key]`, and the response carrying it:
/// a server or proxy that echoes the key it received would otherwise put it in the error's message, `Debug`
/// and `raw`. Unchanged (no copy) when the key is not in it, or shorter than
/// [`crate::error::live_keys::SHORTEST_SCRUBBED_KEY`]. (A 2xx body is scrubbed by the error itself, see
/// [`crate::error::live_keys`].)
fn without_key(response: Response, body: Bytes, key: &[u8]) -> (Response, Bytes) {
    let Some(scrubbed) = crate::error::live_keys::replace_key(&body, key) else {
        return (response, body);
    };
    let scrubbed = Bytes::from(scrubbed);
    let copy = scrubbed.clone();
    let mut rebuilt = crate::exchange::map_body(response, |_| reqwest::Body::from(copy));
    rebuilt.headers_mut().remove(http::header::CONTENT_LENGTH);
    (Response::from(rebuilt), scrubbed)
}

/// `response` without the crate's marker headers ([`WRAPPED_BODY_HEADER`], [`BODY_CUT_HEADER`]): they mean
/// something only when these hooks set them, and a server or proxy sending them would make [`crate::Error`]
/// empty a Partoo error body or call a whole body cut.
fn without_markers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.remove(WRAPPED_BODY_HEADER);
    headers.remove(crate::exchange::BODY_CUT_HEADER);
    response
}

/// Marks a response whose error body [`wrap_foreign_error_body`] replaced.
pub(crate) const WRAPPED_BODY_HEADER: &str = "x-partoo-api-wrapped-body";

/// progenitor decodes the body of a documented error status as `PartooError` and, when that fails, returns
/// the raw bytes without the status. To keep the status on that path too, a body that is not Partoo's error
/// shape is replaced by `{"error": "<the body as text>"}` and the response marked with
/// [`WRAPPED_BODY_HEADER`]; [`crate::Error`] unwraps it (non-UTF-8 bytes are replaced by U+FFFD there).
fn wrap_foreign_error_body(response: Response, body: &Bytes) -> Response {
    let text = String::from_utf8_lossy(body);
    let wrapped = serde_json::json!({ "error": text }).to_string();
    let mut rebuilt = crate::exchange::map_body(response, |_| reqwest::Body::from(wrapped));
    let headers = rebuilt.headers_mut();
    headers.insert(WRAPPED_BODY_HEADER, http::HeaderValue::from_static("1"));
    headers.remove(http::header::CONTENT_LENGTH);
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    Response::from(rebuilt)
}

/// Whether `body` is exactly Partoo's error shape: JSON that decodes as `PartooError` and encodes back to the
/// same JSON. A plain `send()?` keeps only that re-encoding, so any other key (a gateway's `message`, a
/// `trace_id` beside `errors`) or a `null` would be lost: such a body is wrapped instead.
fn is_partoo_error_shape(body: &[u8]) -> bool {
    use serde::Deserialize as _;
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return false;
    };
    let Ok(typed) = crate::types::PartooError::deserialize(&value) else {
        return false;
    };
    serde_json::to_value(&typed).is_ok_and(|again| again == value)
}

/// Refuses a value with a comma in one of the `csv` query arrays: [`join_csv_query`] joins the values with
/// commas, so Partoo would read it as two (`["prix, qualité"]` as two keywords), and `["a,b"]` would be sent
/// as the same bytes as `["a", "b"]`.
fn csv_value_with_comma(request: &Request, csv: &[&str]) -> Result<(), String> {
    // Most operations have no such array: their query is not parsed here.
    if csv.is_empty() {
        return Ok(());
    }
    match request
        .url()
        .query_pairs()
        .find(|(k, v)| csv.contains(&k.as_ref()) && v.contains(','))
    {
        Some((k, v)) => Err(comma_in_csv(&k, &v)),
        None => Ok(()),
    }
}

/// Why `value` cannot be sent in the comma-separated array `name` (the client refuses it, and so do the mocks
/// of the `mock` feature).
pub(crate) fn comma_in_csv(name: &str, value: &str) -> String {
    format!(
        "query parameter `{name}`: the value {value:?} contains a comma, and Partoo reads this array's values \
         separated by commas, so it would be taken as several"
    )
}

/// Rewrites repeated query keys listed in `csv` (`a=1&a=2`) into one comma-separated value (`a=1,2`), the
/// form Partoo documents for its array filters.
pub(crate) fn join_csv_query(request: &mut Request, csv: &[&str]) {
    let url = request.url_mut();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if !pairs.iter().any(|(k, _)| csv.contains(&k.as_str())) {
        return;
    }
    let mut merged: Vec<(String, String)> = Vec::new();
    for (k, v) in pairs {
        match merged
            .iter_mut()
            .find(|(mk, _)| *mk == k && csv.contains(&k.as_str()))
        {
            Some((_, existing)) => {
                existing.push(',');
                existing.push_str(&v);
            }
            None => merged.push((k, v)),
        }
    }
    url.query_pairs_mut().clear().extend_pairs(merged);
}

pub(crate) mod hops;
pub(crate) mod interrupted;
mod segments;
#[cfg(test)]
mod tests;
