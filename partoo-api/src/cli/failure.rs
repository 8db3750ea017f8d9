//! Why a command failed, as one line and an exit code.

use crate::Error;

/// A failed command: its exit code, one line for stderr, and details shown with `--verbose`.
#[derive(Debug)]
pub(crate) struct Failure {
    /// 1 API error, 2 usage, 3 network or decoding, 4 authentication.
    pub(crate) code: u8,
    /// One line, without the API key.
    pub(crate) message: String,
    /// The response body, when there was one.
    pub(crate) detail: Option<String>,
}

impl Failure {
    /// A usage error (exit code 2).
    pub(crate) fn usage(message: String) -> Self {
        Self {
            code: 2,
            message,
            detail: None,
        }
    }

    /// A network or decoding failure (exit code 3).
    pub(crate) fn network(message: String) -> Self {
        Self {
            code: 3,
            message,
            detail: None,
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let code = match &e {
            Error::Api { status, .. } if matches!(status.as_u16(), 401 | 403) => 4,
            Error::Api { .. } | Error::RateLimited { .. } | Error::UnexpectedSuccess { .. } => 1,
            Error::InvalidRequest(_) | Error::Config(_) => 2,
            _ => 3,
        };
        let detail = match &e {
            Error::Api { raw, .. }
            | Error::RateLimited { raw, .. }
            | Error::UnexpectedSuccess { raw, .. }
            | Error::Decode { raw, .. }
            | Error::BodyInterrupted { raw, .. } => Some(String::from_utf8_lossy(raw).into_owned()),
            _ => None,
        };
        // With the causes below the error (reqwest's top line alone does not say what failed), each once.
        let mut message = e.to_string();
        for cause in crate::error::causes(&e) {
            let cause_text = cause.to_string();
            if !message.contains(&cause_text) {
                message.push_str(": ");
                message.push_str(&cause_text);
            }
        }
        // The library's advice names its builder; on the command line, the flag does it.
        match &e {
            Error::Pagination {
                reason: crate::PaginationStop::MaxPages { .. },
                ..
            } => message.push_str(" (partoo: --max-pages N)"),
            Error::BodyTooLarge { .. } => message.push_str(" (partoo: --max-body BYTES)"),
            _ => {}
        }
        let message = message.lines().collect::<Vec<_>>().join(" ");
        Self {
            code,
            message,
            detail,
        }
    }
}
