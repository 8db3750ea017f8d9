//! [`WebhookError`]: why a delivery was refused, one variant per reason.

use std::fmt;

/// Why a webhook delivery was refused. The first four are signature failures (answer 4xx: Partoo does not
/// retry them); the rest are about the body of a correctly signed delivery.
#[derive(Debug)]
#[non_exhaustive]
pub enum WebhookError {
    /// No `X-Partoo-Signature-v1` header.
    MissingSignature,
    /// The header is not standard base64.
    SignatureNotBase64,
    /// The header decodes to the wrong number of bytes (an Ed25519 signature is 64).
    SignatureLength {
        /// The decoded length.
        found: usize,
    },
    /// The signature does not match the body under the key: tampered body, other key, or wrong environment.
    SignatureMismatch,
    /// The (correctly signed) body is not JSON.
    NotJson(serde_json::Error),
    /// The body is JSON but not an object with a string `type` field.
    MissingType,
    /// The body's `type` is one the spec describes, but the body does not fit that event's type.
    Payload {
        /// The body's `type`.
        event_type: String,
        /// JSON path of the value that failed, e.g. `payload.review.id`.
        path: String,
        /// serde's message.
        message: String,
    },
}

impl WebhookError {
    /// Whether the signature was the problem (as opposed to the signed body).
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
            Self::SignatureLength { found } => write!(
                f,
                "signature has the wrong length: {found} bytes, an Ed25519 signature has 64"
            ),
            Self::SignatureMismatch => f.write_str(
                "signature mismatch: the body was not signed by this key (tampered, re-serialised, or \
                 another environment's key)",
            ),
            Self::NotJson(e) => write!(f, "body is not JSON: {e}"),
            Self::MissingType => f.write_str("body has no string `type` field"),
            Self::Payload {
                event_type,
                path,
                message,
            } => write!(
                f,
                "`{event_type}` event does not match its schema at `{path}`: {message}"
            ),
        }
    }
}

impl std::error::Error for WebhookError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::NotJson(e) => Some(e),
            _ => None,
        }
    }
}
