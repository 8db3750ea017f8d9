//! Receiving Partoo's webhooks: check the Ed25519 signature over the raw body, then decode the body into a
//! typed [`Event`].
//!
//! Partoo POSTs each event as JSON, signed with its environment's Ed25519 key; the base64 signature is in the
//! `X-Partoo-Signature-v1` header. The signature covers the exact bytes received, so verify before any
//! parsing, and never re-serialise the body first. Answer 2xx once the event is safely kept, 4xx for a
//! delivery whose signature fails (Partoo does not retry those) and 5xx only when your side failed for a
//! reason that may pass: Partoo retries 5xx a few times with backoff.
//!
//! ```
//! use partoo_api::Environment;
//! use partoo_api::webhooks::{Event, Verifier};
//!
//! fn handle(headers: &http::HeaderMap, body: &[u8]) -> u16 {
//!     let verifier = Verifier::for_environment(Environment::Production);
//!     match verifier.verify_request(headers, body) {
//!         Ok(delivery) => {
//!             if let Event::Unparsed { error, .. } = &delivery.event {
//!                 println!("kept untyped: {error}"); // still Partoo's: store it, answer 2xx
//!             }
//!             println!("{} (tryout: {})", delivery.event.event_type(), delivery.is_tryout);
//!             200
//!         }
//!         Err(_) => 401, // every WebhookError is a signature failure
//!     }
//! }
//! # assert_eq!(handle(&http::HeaderMap::new(), b"{}"), 401);
//! ```
//!
//! The variants of [`Event`] come from the spec's top-level `webhooks`: one per event whose payload schema
//! names a literal `type` (or, failing that, whose example gives one), holding that event's generated type
//! (same lenient typing as responses: unknown enum values, extra fields and null fields are accepted; a null
//! item of an array of strings is not). Any
//! other `type` lands in [`Event::Other`] with the body as JSON, so an event Partoo adds later is never
//! refused. [`EVENT_TYPES`] lists the typed ones.
//!
//! **Every body whose signature verifies is delivered.** A known `type` whose payload does not fit its
//! schema, a body that is JSON but has no string `type`, even a body that is not JSON: each becomes
//! [`Event::Unparsed`] with the raw bytes and a [`ParseError`] saying why. Refusing it would lose it for good,
//! as Partoo does not retry a 4xx. [`WebhookError`] is only about signatures.
//!
//! **Replay.** The signature covers the body only: no timestamp, delivery id or nonce is signed, so a
//! captured delivery verifies forever and can be sent again by anyone who saw it. Make handlers idempotent;
//! [`Deduplicator`] remembers recent bodies by their SHA-256 to drop repeats.
//!
//! **Tryout header.** `X-Partoo-Webhook-Tryout` is not covered by the signature: anyone can add or remove
//! it. [`Delivery::is_tryout`] is a hint for routing Partoo's test deliveries, never a reason to skip a
//! check (the signature is verified whatever it says).
//!
//! **Key rotation.** A [`Verifier`] holds one or more keys and accepts a signature made with any of them
//! ([`Verifier::with_key`]), so the next key can be added before Partoo switches to it.

mod dedup;
mod error;
mod key;
mod shape;
mod type_field;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::Serialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::Value;

pub use crate::generated::webhook_events::{EVENT_TYPES, Event};
pub use dedup::Deduplicator;
pub use error::{ParseError, WebhookError};
pub use key::{KeyError, PRODUCTION_PUBLIC_KEY_PEM, PublicKey, SANDBOX_PUBLIC_KEY_PEM};
use type_field::TypeField;

use crate::Environment;

/// Name of the header that carries the signature (HTTP header names are case-insensitive).
pub const SIGNATURE_HEADER: &str = "x-partoo-signature-v1";
/// Name of the header that marks a test delivery (`POST /webhooks/tryout`).
pub const TRYOUT_HEADER: &str = "x-partoo-webhook-tryout";
/// Length of an Ed25519 signature, in bytes.
pub const SIGNATURE_LEN: usize = 64;
/// Longest header value decoded: a signature is 88 base64 characters; anything much longer is refused
/// without decoding it.
const MAX_SIGNATURE_CHARS: usize = 256;

/// Standard alphabet; the padding Partoo sends is accepted, and so is its absence.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A verified delivery, read from the request's headers and body. Its `Debug` shows `raw` as a length only:
/// `event` already holds the body.
#[derive(Clone)]
#[non_exhaustive]
pub struct Delivery {
    /// The decoded event ([`Event::Unparsed`] when the body could not be typed).
    pub event: Event,
    /// The body exactly as received: the bytes the signature covers, whatever `event` is. This is the record
    /// to keep: an [`Event::Other`] holds the body parsed as JSON, in which an integer beyond 64 bits or a
    /// number with more digits than an `f64` holds comes back rounded and a repeated key keeps only its last
    /// value, and a typed event leaves out the fields its schema does not declare.
    pub raw: bytes::Bytes,
    /// Whether the `X-Partoo-Webhook-Tryout` header marks this as a test sent through
    /// `POST /webhooks/tryout` (see [`is_tryout`]). UNAUTHENTICATED: the header is not signed.
    pub is_tryout: bool,
    /// The key the signature verified with (with several keys: tells which one Partoo used).
    pub key: PublicKey,
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `raw` as its length: the body is in `event`, printed once.
        f.debug_struct("Delivery")
            .field("event", &self.event)
            .field("raw", &format_args!("{} bytes", self.raw.len()))
            .field("is_tryout", &self.is_tryout)
            .field("key", &self.key)
            .finish()
    }
}

/// Checks signatures with one or more public keys and decodes the signed bodies. Build it once and share it.
///
/// With several keys (a rotation: the current key and the next, or the old one for a while) a signature is
/// accepted when any key verifies it; keys are tried in the order given, so put the one in use first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verifier {
    /// Never empty, no duplicates.
    keys: Vec<PublicKey>,
}

impl Verifier {
    /// A verifier for signatures made with `key`'s private half.
    pub fn new(key: PublicKey) -> Self {
        Self { keys: vec![key] }
    }

    /// A verifier accepting signatures made with any of `keys` (tried in order; duplicates are dropped).
    /// [`KeyError::NoKeys`] when there is none.
    pub fn from_keys(keys: impl IntoIterator<Item = PublicKey>) -> Result<Self, KeyError> {
        let mut keys = keys.into_iter();
        let first = keys.next().ok_or(KeyError::NoKeys)?;
        Ok(keys.fold(Self::new(first), Self::with_key))
    }

    /// This verifier, also accepting signatures made with `key` (tried after the keys already there; a key
    /// already there is not added twice).
    #[must_use]
    pub fn with_key(mut self, key: PublicKey) -> Self {
        if !self.keys.contains(&key) {
            self.keys.push(key);
        }
        self
    }

    /// A verifier with Partoo's built-in key for `environment`.
    pub fn for_environment(environment: Environment) -> Self {
        Self::new(PublicKey::for_environment(environment))
    }

    /// The keys signatures are checked against, in the order they are tried (never empty).
    pub fn keys(&self) -> &[PublicKey] {
        &self.keys
    }

    /// Checks `signature` (the `X-Partoo-Signature-v1` value, `None` when the header is absent) over the
    /// exact `body` bytes, without parsing the body. Returns the key that verified it.
    pub fn verify(
        &self,
        signature: Option<&[u8]>,
        body: &[u8],
    ) -> Result<&PublicKey, WebhookError> {
        let signature = decode_signature(signature.ok_or(WebhookError::MissingSignature)?)?;
        self.keys
            .iter()
            .find(|key| {
                ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, key.as_bytes())
                    .verify(body, &signature)
                    .is_ok()
            })
            .ok_or(WebhookError::SignatureMismatch)
    }

    /// [`Verifier::verify`], then [`parse_event`]: the entry point for any framework (pass the header's
    /// bytes, `None` when it is absent). Errors are signature failures only: a verified body is always
    /// delivered, as [`Event::Unparsed`] when it cannot be typed.
    pub fn verify_event(
        &self,
        signature: Option<&[u8]>,
        body: &[u8],
    ) -> Result<Event, WebhookError> {
        self.verify(signature, body)?;
        Ok(parse_event(body))
    }

    /// [`Verifier::verify`] reading the signature from `headers`.
    pub fn verify_headers(
        &self,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Result<&PublicKey, WebhookError> {
        self.verify(signature_header(headers), body)
    }

    /// Verifies and decodes a delivery from its headers and raw body, noting whether it claims to be a test.
    pub fn verify_request(
        &self,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Result<Delivery, WebhookError> {
        let key = *self.verify_headers(headers, body)?;
        Ok(Delivery {
            event: parse_event(body),
            raw: bytes::Bytes::copy_from_slice(body),
            is_tryout: is_tryout(headers),
            key,
        })
    }
}

/// The signature header's value, if present (the first one when repeated).
pub fn signature_header(headers: &http::HeaderMap) -> Option<&[u8]> {
    headers
        .get(SIGNATURE_HEADER)
        .map(http::HeaderValue::as_bytes)
}

/// Whether `headers` mark a test delivery, reading the first `X-Partoo-Webhook-Tryout` value.
///
/// Absent, or `false`, `0`, `no`, `off` (any case, surrounding spaces ignored): not a test. Any other value,
/// `true` and `1` but also an empty or unknown one: a test, since Partoo adds the header to its test
/// deliveries only and its presence is the mark.
///
/// The header is NOT signed: anyone who can reach your endpoint can set it on a genuine delivery, or remove
/// it. Use it to route or label test deliveries, never to skip verification or de-duplication, and do not
/// drop an event you cannot afford to lose only because it says it is a test.
pub fn is_tryout(headers: &http::HeaderMap) -> bool {
    headers.get(TRYOUT_HEADER).is_some_and(|value| {
        let value = value.as_bytes().trim_ascii();
        !["false", "0", "no", "off"]
            .iter()
            .any(|off| value.eq_ignore_ascii_case(off.as_bytes()))
    })
}

fn decode_signature(value: &[u8]) -> Result<[u8; SIGNATURE_LEN], WebhookError> {
    let value = value.trim_ascii();
    if value.len() > MAX_SIGNATURE_CHARS {
        // Not decoded (it may be huge), but scanned: text that is no base64 at all is named as such.
        let alphabet = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=');
        if !value.iter().all(alphabet) {
            return Err(WebhookError::SignatureNotBase64);
        }
        return Err(WebhookError::SignatureLength {
            found: value.len() / 4 * 3,
        });
    }
    let bytes = BASE64
        .decode(value)
        .map_err(|_| WebhookError::SignatureNotBase64)?;
    <[u8; SIGNATURE_LEN]>::try_from(bytes.as_slice())
        .map_err(|_| WebhookError::SignatureLength { found: bytes.len() })
}

/// Decodes a body into an [`Event`] WITHOUT checking any signature: for bodies verified elsewhere, and for
/// tests. Dispatches on the `type` field; a type without a variant becomes [`Event::Other`], and a body that
/// cannot be typed becomes [`Event::Unparsed`] with its bytes and the reason. Never fails.
pub fn parse_event(body: &[u8]) -> Event {
    let unparsed = |event_type: Option<&str>, error| Event::Unparsed {
        event_type: event_type.map(str::to_owned),
        body: body.to_vec(),
        error,
    };
    let event_type = match serde_json::from_slice::<TypeField<'_>>(body) {
        Ok(TypeField {
            value,
            repeated: true,
        }) => return unparsed(value.as_deref(), ParseError::RepeatedType),
        Ok(TypeField {
            value: Some(t),
            repeated: false,
        }) => t,
        Ok(TypeField { value: None, .. }) => return unparsed(None, ParseError::MissingType),
        // Not an object: tell JSON that is not an event from bytes that are not JSON.
        Err(e) => {
            let error = match serde_json::from_slice::<IgnoredAny>(body) {
                Ok(_) => ParseError::MissingType,
                Err(_) => ParseError::NotJson(e.to_string()),
            };
            return unparsed(None, error);
        }
    };
    match Event::decode_known(&event_type, body) {
        Some(Ok(typed)) => typed,
        Some(Err(error)) => unparsed(Some(&event_type), error),
        None => match serde_json::from_slice::<Value>(body) {
            Ok(body) => Event::Other {
                event_type: event_type.into_owned(),
                body,
            },
            Err(e) => unparsed(Some(&event_type), ParseError::NotJson(e.to_string())),
        },
    }
}

/// Decodes `body` as the event type `T` (called by the generated [`Event`] for the types it knows).
#[allow(
    dead_code,
    reason = "only called when the spec has typed webhook events; the snapshot may have none"
)]
pub(crate) fn decode_payload<T: DeserializeOwned + Serialize>(
    body: &[u8],
) -> Result<T, ParseError> {
    // Read as plain JSON first, as the body of an unknown type is: the typed reader skips undeclared fields
    // without checking them (a number out of range, a string that is no UTF-8), and the shape check below
    // compares with this.
    let given: Value =
        serde_json::from_slice(body).map_err(|e| ParseError::NotJson(e.to_string()))?;
    let mut de = serde_json::Deserializer::from_slice(body);
    let value =
        serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| ParseError::Schema {
            path: e.path().to_string(),
            message: cut(&e.into_inner().to_string(), MAX_MESSAGE),
        })?;
    de.end().map_err(|e| ParseError::NotJson(e.to_string()))?;
    // A generated type always serialises (string keys only); were it not to, `Event::to_json` would show
    // `Null` for it as well, and the value decoded is kept.
    if let Some(path) = serde_json::to_value(&value)
        .ok()
        .and_then(|typed| shape::array_for_object(&given, &typed))
    {
        return Err(ParseError::Schema {
            path,
            message:
                "an array where the event type has an object (serde would read its items as the \
                      object's fields, in declaration order)"
                    .to_owned(),
        });
    }
    Ok(value)
}

/// The longest schema message kept, in characters: serde quotes the offending value, which may be long.
const MAX_MESSAGE: usize = 200;

/// `text` cut to `max` characters, `…` marking a cut.
fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// `text` with its control characters and line or paragraph separators escaped (`\n` as `\\n`), so text
/// from a delivery cannot break a one-line summary into several.
pub(crate) fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

impl Event {
    /// The event's type for a log line or a terminal: control characters escaped (a delivery's text could
    /// otherwise move the cursor or start a new log line), `""` for an empty `type`, and `(no type)` only
    /// for an [`Event::Unparsed`] body without a string `type`.
    pub fn type_label(&self) -> String {
        match (self, self.event_type()) {
            (
                Self::Unparsed {
                    event_type: None, ..
                },
                _,
            ) => "(no type)".to_owned(),
            (_, "") => "\"\"".to_owned(),
            (_, event_type) => one_line(event_type),
        }
    }

    /// One line on the event: its type, the Rust variant, and the top-level fields of its payload that are
    /// set (what `verify_webhook` prints); for [`Event::Unparsed`], the size kept and why it is untyped. Line
    /// breaks and other control characters in the delivery's text are escaped, so it is always one line.
    pub fn summary(&self) -> String {
        if let Self::Unparsed { body, error, .. } = self {
            return format!(
                "{} → Event::Unparsed, {} bytes kept: {}",
                self.type_label(),
                body.len(),
                one_line(&error.to_string())
            );
        }
        let json = self.to_json();
        // Without a `payload` object, the body's own fields (but its `type`) stand for it.
        let (payload, skip) = match json.get("payload") {
            Some(payload) => (payload, ""),
            None => (&json, "type"),
        };
        let fields: Vec<String> = payload
            .as_object()
            .map(|m| {
                m.iter()
                    .filter(|(k, v)| !v.is_null() && *k != skip)
                    .map(|(k, _)| one_line(k))
                    .collect()
            })
            .unwrap_or_default();
        format!(
            "{} → Event::{}, payload fields: {}",
            self.type_label(),
            self.variant_name(),
            if fields.is_empty() {
                "none".to_owned()
            } else {
                fields.join(", ")
            }
        )
    }
}
