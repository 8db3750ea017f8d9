//! [`WebhookError`]: why a delivery was refused (its signature); [`ParseError`]: why a verified body was kept
//! as [`super::Event::Unparsed`] instead of a typed event.

use std::fmt;

/// Why a webhook delivery was refused: every variant is a signature failure (answer 4xx: Partoo does not
/// retry those, and a retry would not verify either).
///
/// A body whose signature verifies is never an error, whatever it holds: it is Partoo's, so it is delivered,
/// as [`super::Event::Unparsed`] when it cannot be typed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookError {
    /// No `X-Partoo-Signature-v1` header.
    MissingSignature,
    /// The header is not standard base64.
    SignatureNotBase64,
    /// The header decodes to the wrong number of bytes (an Ed25519 signature is 64); `found: 0` when the
    /// header is present but empty or blank.
    SignatureLength {
        /// The decoded length.
        found: usize,
    },
    /// The signature does not match the body under any of the verifier's keys: tampered body, other key, or
    /// wrong environment.
    SignatureMismatch,
}

impl WebhookError {
    /// Whether the signature was the problem. True of every variant today; kept so that a handler written
    /// as `Err(e) if e.is_signature_error() => 401` stays right if a variant of another kind is added.
    pub fn is_signature_error(&self) -> bool {
        matches!(
            self,
            Self::MissingSignature
                | Self::SignatureNotBase64
                | Self::SignatureLength { .. }
                | Self::SignatureMismatch
        )
    }
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingSignature => {
                f.write_str("missing signature: no X-Partoo-Signature-v1 header")
            }
            Self::SignatureNotBase64 => f.write_str("signature is not valid base64"),
            Self::SignatureLength { found: 0 } => f.write_str(
                "signature header is empty: an Ed25519 signature is 64 bytes (88 base64 characters)",
            ),
            Self::SignatureLength { found } => write!(
                f,
                "signature has the wrong length: {found} bytes, an Ed25519 signature has 64"
            ),
            Self::SignatureMismatch => f.write_str(
                "signature mismatch: the body was not signed by any of the verifier's keys (tampered, \
                 re-serialised, or another environment's key)",
            ),
        }
    }
}

impl std::error::Error for WebhookError {}

/// Why a (verified) body could not be typed; held by [`super::Event::Unparsed`] next to the raw body.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseError {
    /// The body could not be read as JSON (serde's message, with the line and column): it is not JSON, or
    /// JSON that `serde_json` does not read (a number beyond `f64`, nesting of 128 levels or more).
    NotJson(String),
    /// The body is JSON, but not an object with a string `type` field.
    MissingType,
    /// The body's top-level `type` key is given more than once, so which event it is cannot be told
    /// (`event_type` holds the first one's value when it is a string).
    RepeatedType,
    /// The body's `type` is one the spec describes, but the body does not fit that event's schema (a field
    /// of another type, an array where the schema has an object, a required field missing). Ranges and
    /// lengths the schema states are not checked.
    Schema {
        /// JSON path of the value that failed, e.g. `payload.review.id` (`.` for the body itself).
        path: String,
        /// serde's message, which may quote the offending value (the message is cut to 200 characters, so a
        /// long value cannot flood a log line): log it as you would the body.
        message: String,
    },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotJson(e) => write!(f, "body could not be read as JSON: {e}"),
            Self::MissingType => {
                f.write_str("body is not a JSON object with a string `type` field")
            }
            Self::RepeatedType => f.write_str("body gives its `type` key more than once"),
            Self::Schema { path, message } => {
                write!(
                    f,
                    "body does not fit the event's schema at `{path}`: {message}"
                )
            }
        }
    }
}

impl std::error::Error for ParseError {}
