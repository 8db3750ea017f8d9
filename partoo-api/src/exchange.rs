//! The hand-over between a page's network exchange and its decoding, for concurrent pagination.
//!
//! A page of a concurrent stream is a progenitor `send()` future polled by the task that reads the stream:
//! request, response, body and decode happen in that one future, and when the body is in, decoding follows
//! in the same poll. Inside the pagination window (and only there: other requests are untouched),
//! [`crate::hooks`] therefore reads the whole body, [`Release::release`]s the page's slot (the window may
//! send its next request) and waits at [`Release::resumed`] until the window lets the page go on to
//! progenitor's decoding. The window resumes held pages when it has nothing to do on the network.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::task::AtomicWaker;
use reqwest::Response;

tokio::task_local! {
    /// Set by the pagination window around each page future.
    pub(crate) static PAGE_EXCHANGE: Arc<Release>;
}

/// What a window shares with its pages: its waker, and whether a slot was freed since it last looked.
#[derive(Debug, Default)]
pub(crate) struct WindowSignal {
    waker: AtomicWaker,
    freed: AtomicBool,
}

impl WindowSignal {
    /// Registers the window's task.
    pub(crate) fn register(&self, cx: &Context<'_>) {
        self.waker.register(cx.waker());
    }

    /// Whether a slot was freed since the last call.
    pub(crate) fn take_freed(&self) -> bool {
        self.freed.swap(false, Ordering::AcqRel)
    }
}

const ON_NETWORK: u8 = 0;
const HELD: u8 = 1;
const RESUMED: u8 = 2;

/// One page's slot: on the network, held (exchange over, waiting to be resumed), resumed (decoding).
#[derive(Debug)]
pub(crate) struct Release {
    state: AtomicU8,
    page: AtomicWaker,
    window: Arc<WindowSignal>,
}

impl Release {
    pub(crate) fn new(window: Arc<WindowSignal>) -> Self {
        Release {
            state: AtomicU8::new(ON_NETWORK),
            page: AtomicWaker::new(),
            window,
        }
    }

    /// The exchange is over: frees the slot and wakes the window. Idempotent.
    pub(crate) fn release(&self) {
        if self
            .state
            .compare_exchange(ON_NETWORK, HELD, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            self.window.freed.store(true, Ordering::Release);
            self.window.waker.wake();
        }
    }

    /// Whether the exchange is over and the page waits to be resumed.
    pub(crate) fn is_held(&self) -> bool {
        self.state.load(Ordering::Acquire) == HELD
    }

    /// Whether the page still holds a slot.
    pub(crate) fn on_network(&self) -> bool {
        self.state.load(Ordering::Acquire) == ON_NETWORK
    }

    /// Lets a held page go on to its decoding (the window calls it); nothing for a page on the network.
    pub(crate) fn resume(&self) {
        if self
            .state
            .compare_exchange(HELD, RESUMED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            self.page.wake();
        }
    }

    /// Completes once the window has resumed this page (at once if it was never released).
    pub(crate) fn resumed(&self) -> Resumed<'_> {
        Resumed(self)
    }
}

/// See [`Release::resumed`].
pub(crate) struct Resumed<'r>(&'r Release);

impl Future for Resumed<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let release = self.0;
        if release.state.load(Ordering::Acquire) != HELD {
            return Poll::Ready(());
        }
        release.page.register(cx.waker());
        if release.state.load(Ordering::Acquire) != HELD {
            return Poll::Ready(());
        }
        Poll::Pending
    }
}

/// The response with its body read into memory, at most `limit` bytes of it (status, version, headers, URL
/// and extensions kept), that body, and whether it was cut at `limit` (the rest is not read).
pub(crate) async fn buffer(
    mut response: Response,
    limit: usize,
) -> reqwest::Result<(Response, Bytes, bool)> {
    let status = response.status();
    let version = response.version();
    let headers = response.headers().clone();
    let url = response.url().clone();
    let extensions = response.extensions().clone();
    let mut body = bytes::BytesMut::new();
    let mut cut = false;
    while let Some(chunk) = response.chunk().await? {
        let room = limit.saturating_sub(body.len());
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            cut = true;
            break;
        }
        body.extend_from_slice(&chunk);
    }
    let body = body.freeze();
    let mut rebuilt = http::Response::new(body.clone());
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    *rebuilt.extensions_mut() = extensions;
    if cut {
        rebuilt
            .headers_mut()
            .insert(BODY_CUT_HEADER, http::HeaderValue::from(body.len()));
    }
    set_url(&mut rebuilt, url);
    Ok((Response::from(rebuilt), body, cut))
}

/// Why a success body was refused: it is longer than the client's `max_body`. Travels as the source of the
/// `reqwest::Error` the body read fails with; [`crate::Error`] turns it into [`crate::Error::BodyTooLarge`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BodyOverLimit {
    pub(crate) operation: &'static str,
    pub(crate) limit: usize,
    pub(crate) content_length: Option<u64>,
}

impl std::fmt::Display for BodyOverLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "response body over the limit of {} bytes", self.limit)
    }
}

impl std::error::Error for BodyOverLimit {}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Caps the body of a success response at `limit` bytes, without reading it here:
///
/// - a `Content-Length` over the limit: the body is not read at all, reading it fails at once;
/// - a `Content-Length` within it: the response is returned as is (the HTTP layer never yields more bytes than
///   the announced length, so nothing can go over);
/// - no `Content-Length` (chunked, or decompressed): the body is read through a counter that fails with the
///   chunk that would take it past the limit, so at most `limit` bytes are ever held.
///
/// The failure is a body error of reqwest whose source is a [`BodyOverLimit`].
pub(crate) fn limit_body(response: Response, limit: usize, operation: &'static str) -> Response {
    let content_length = response.content_length();
    let over = BodyOverLimit {
        operation,
        limit,
        content_length,
    };
    if content_length.is_some_and(|n| usize::try_from(n).is_ok_and(|n| n <= limit)) {
        return response;
    }
    Response::from(map_body(response, |body| {
        if content_length.is_some() {
            // Announced over the limit: nothing is read.
            drop(body);
            let refused: Result<Bytes, BoxError> = Err(Box::new(over));
            return reqwest::Body::wrap_stream(futures_util::stream::iter([refused]));
        }
        let mut seen = 0_usize;
        let chunks = Response::from(http::Response::new(body)).bytes_stream();
        reqwest::Body::wrap_stream(futures_util::StreamExt::map(chunks, move |chunk| {
            let chunk = chunk.map_err(|e| Box::new(e) as BoxError)?;
            seen = seen.saturating_add(chunk.len());
            if seen > limit {
                return Err(Box::new(over.clone()) as BoxError);
            }
            Ok(chunk)
        }))
    }))
}

/// The [`BodyOverLimit`] behind a body error of reqwest, if that is what it is.
pub(crate) fn body_over_limit(e: &reqwest::Error) -> Option<&BodyOverLimit> {
    crate::error::cause(e)
}

/// `response` with its body replaced by `body(old body)`: status, version, headers, extensions and URL kept.
/// Returned before its conversion back to a `reqwest::Response`, for callers that change headers too (a new
/// body of another length drops `Content-Length`).
pub(crate) fn map_body(
    response: Response,
    body: impl FnOnce(reqwest::Body) -> reqwest::Body,
) -> http::Response<reqwest::Body> {
    let url = response.url().clone();
    let mut rebuilt = http::Response::from(response).map(body);
    set_url(&mut rebuilt, url);
    rebuilt
}

/// Makes `response` carry `url` once converted to a `reqwest::Response`.
pub(crate) fn set_url<T>(response: &mut http::Response<T>, url: reqwest::Url) {
    use reqwest::ResponseBuilderExt;
    // reqwest keeps the URL in an extension only its builder method can set; that call cannot fail.
    if let Ok(with_url) = http::Response::builder().url(url).body(()) {
        response
            .extensions_mut()
            .extend(with_url.into_parts().0.extensions);
    }
}

/// Added to a buffered response whose body was cut, with the number of bytes kept, so that an error built
/// from it outside [`crate::SendExt::into_result`] can say so.
pub(crate) const BODY_CUT_HEADER: &str = "x-partoo-api-body-cut";

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use futures_util::FutureExt;

    use super::{Release, WindowSignal};

    #[test]
    fn a_released_page_waits_for_the_window_to_resume_it() {
        let window = Arc::new(WindowSignal::default());
        let release = Release::new(Arc::clone(&window));
        assert!(release.on_network());
        // Not released: nothing to wait for (the window may have resumed pages before this one ran).
        assert_eq!(release.resumed().now_or_never(), Some(()));

        release.release();
        assert!(!release.on_network());
        assert!(window.take_freed());
        assert!(!window.take_freed(), "the flag is taken once");
        assert!(release.is_held());
        assert_eq!(release.resumed().now_or_never(), None);

        release.release();
        assert!(!window.take_freed(), "a second release frees nothing");
        release.resume();
        assert!(!release.is_held());
        assert_eq!(release.resumed().now_or_never(), Some(()));
    }

    #[test]
    fn resuming_a_page_still_on_the_network_does_nothing() {
        let release = Release::new(Arc::default());
        release.resume();
        assert!(release.on_network());
        release.release();
        assert_eq!(release.resumed().now_or_never(), None);
    }
}
