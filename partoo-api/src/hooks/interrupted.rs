//! A body that breaks off after its status arrived: the connection closed or was reset, or the timeout passed,
//! while the body was read.
//!
//! reqwest reports that as a body error without the status, which [`crate::Error`] used to turn into a
//! retryable [`crate::Error::Transport`] ("could not reach Partoo"), though the server had answered, and for a
//! POST had processed the request. [`watch`] passes every chunk through and, when the body fails, fails
//! instead with a [`BodyBroke`] that keeps the status, the count of bytes received and their start; it travels
//! as the source of reqwest's error, which [`crate::Error`] turns into [`crate::Error::BodyInterrupted`].

use std::fmt;

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
    crate::error::causes(e).find_map(|cause| cause.downcast_ref::<BodyBroke>())
}

/// `response` with a body that fails with a [`BodyBroke`] where it would have failed, keeping at most `keep`
/// bytes of its start for it (chunks are shared, not copied, until it fails). An error that is already the
/// client's own (a body over `max_body`, see `crate::exchange::limit_body`) passes through as it is.
pub(crate) fn watch(response: Response, keep: usize) -> Response {
    let status = response.status();
    let url = response.url().clone();
    let (parts, body) = http::Response::from(response).into_parts();
    let chunks = Response::from(http::Response::new(body)).bytes_stream();
    let mut received = 0_usize;
    let mut start: Vec<Bytes> = Vec::new();
    let mut kept = 0_usize;
    let watched = futures_util::StreamExt::map(chunks, move |chunk| match chunk {
        Ok(chunk) => {
            received = received.saturating_add(chunk.len());
            let room = keep.saturating_sub(kept);
            if room > 0 {
                let part = chunk.slice(..chunk.len().min(room));
                kept += part.len();
                start.push(part);
            }
            Ok(chunk)
        }
        Err(e) if crate::exchange::body_over_limit(&e).is_some() => Err(Box::new(e) as BoxError),
        Err(source) => {
            let mut joined = BytesMut::with_capacity(kept);
            start
                .drain(..)
                .for_each(|part| joined.extend_from_slice(&part));
            Err(Box::new(BodyBroke {
                status,
                received,
                start: joined.freeze(),
                source,
            }) as BoxError)
        }
    });
    let mut rebuilt = http::Response::from_parts(parts, reqwest::Body::wrap_stream(watched));
    crate::exchange::set_url(&mut rebuilt, url);
    Response::from(rebuilt)
}
