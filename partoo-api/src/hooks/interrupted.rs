//! A body that breaks off after its status arrived: the connection closed or was reset, or the timeout passed,
//! while the body was read.
//!
//! reqwest reports that as a body error without the status, which [`crate::Error`] used to turn into a
//! retryable [`crate::Error::Transport`] ("could not reach Partoo"), though the server had answered, and for a
//! POST had processed the request. [`watch`] passes every chunk through and, when the body fails, fails
//! instead with a [`BodyBroke`] that keeps the status, the count of bytes received and their start; it travels
//! as the source of reqwest's error, which [`crate::Error`] turns into [`crate::Error::BodyInterrupted`].

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use reqwest::{Response, StatusCode};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Why a body ended early, with what had arrived of it.
#[derive(Debug)]
pub(crate) struct BodyBroke {
    /// The status of the answer.
    pub(crate) status: StatusCode,
    /// Bytes of the body received before it broke off.
    pub(crate) received: usize,
    /// The start of them, at most the client's `max_error_body` bytes.
    pub(crate) start: Bytes,
    /// reqwest's error for the body.
    pub(crate) source: reqwest::Error,
}

impl fmt::Display for BodyBroke {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the body of the {} answer broke off after {} bytes",
            self.status, self.received
        )
    }
}

impl std::error::Error for BodyBroke {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// The [`BodyBroke`] behind a body error of reqwest, if that is what it is.
pub(crate) fn body_broke(e: &reqwest::Error) -> Option<&BodyBroke> {
    crate::error::cause(e)
}

/// `response` with a body that fails with a [`BodyBroke`] where it would have failed, keeping at most `keep`
/// bytes of its start for it (chunks are shared, not copied, until it fails). An error that is already the
/// client's own (a body over `max_body`, see `crate::exchange::limit_body`) passes through as it is. The
/// body keeps its size hint (`Content-Length`), and nothing but a counter is added on the way of each chunk.
pub(crate) fn watch(response: Response, keep: usize) -> Response {
    let status = response.status();
    Response::from(crate::exchange::map_body(response, |inner| {
        reqwest::Body::wrap(Watched {
            inner,
            status,
            received: 0,
            start: Vec::new(),
            room: keep,
        })
    }))
}

/// The body [`watch`] puts in place.
struct Watched {
    inner: reqwest::Body,
    status: StatusCode,
    received: usize,
    start: Vec<Bytes>,
    /// How many more bytes of the start to keep.
    room: usize,
}

impl http_body::Body for Watched {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.received = this.received.saturating_add(data.len());
                    if this.room > 0 {
                        let part = data.slice(..data.len().min(this.room));
                        this.room -= part.len();
                        this.start.push(part);
                    }
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) if crate::exchange::body_over_limit(&e).is_some() => {
                Poll::Ready(Some(Err(Box::new(e))))
            }
            Poll::Ready(Some(Err(source))) => {
                let mut start = BytesMut::new();
                this.start
                    .drain(..)
                    .for_each(|part| start.extend_from_slice(&part));
                Poll::Ready(Some(Err(Box::new(BodyBroke {
                    status: this.status,
                    received: this.received,
                    // Kept in the error, whose message and `Debug` must not show an echoed key.
                    start: crate::error::live_keys::scrub_bytes(start.freeze()),
                    source,
                }))))
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}
