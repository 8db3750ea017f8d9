//! Receiving Partoo's webhooks: check the Ed25519 signature over the raw body, then decode the body into a
//! typed [`Event`].
//!
//! Partoo POSTs each event as JSON, signed with its environment's Ed25519 key; the base64 signature is in the
//! `X-Partoo-Signature-v1` header. The signature covers the exact bytes received, so verify before any
//! parsing, and never re-serialise the body first. Answer 2xx once the event is safely handled, 4xx for a
//! refused delivery (Partoo does not retry those) and 5xx only when your side failed for a reason that may
//! pass: Partoo retries 5xx a few times with backoff.
//!
//! ```
//! use partoo_api::Environment;
//! use partoo_api::webhooks::{Event, Verifier, WebhookError};
//!
//! fn handle(headers: &http::HeaderMap, body: &[u8]) -> u16 {
//!     let verifier = Verifier::for_environment(Environment::Production);
//!     match verifier.verify_request(headers, body) {
//!         Ok(delivery) => {
//!             println!("{} (tryout: {})", delivery.event.event_type(), delivery.is_tryout);
//!             200
//!         }
//!         Err(e) if e.is_signature_error() => 401,
//!         Err(_) => 400,
//!     }
//! }
//! # assert_eq!(handle(&http::HeaderMap::new(), b"{}"), 401);
//! ```
//!
//! The variants of [`Event`] come from the spec's top-level `webhooks`: one per event whose payload schema
//! names a literal `type`, holding that event's generated type (same lenient typing as responses: unknown
//! enum values, extra fields and nulls are accepted). Any other `type` lands in [`Event::Other`] with the
//! body as JSON, so an event Partoo adds later is never refused. [`EVENT_TYPES`] lists the typed ones.

mod error;
mod key;

use std::borrow::Cow;
use std::fmt;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::de::{self, DeserializeOwned, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

pub use crate::generated::webhook_events::{EVENT_TYPES, Event};
pub use error::WebhookError;
pub use key::{KeyError, PRODUCTION_PUBLIC_KEY_PEM, PublicKey, SANDBOX_PUBLIC_KEY_PEM};

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

/// A verified delivery, read from the request's headers and body.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Delivery {
    /// The decoded event.
    pub event: Event,
    /// Whether the delivery is a test sent through `POST /webhooks/tryout` (header `X-Partoo-Webhook-Tryout`).
    pub is_tryout: bool,
}

/// Checks signatures with one public key and decodes the signed bodies. Cheap to copy; build it once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verifier {
    key: PublicKey,
}

impl Verifier {
    /// A verifier for signatures made with `key`'s private half.
    pub const fn new(key: PublicKey) -> Self {
        Self { key }
    }

    /// A verifier with Partoo's built-in key for `environment`.
    pub const fn for_environment(environment: Environment) -> Self {
        Self::new(PublicKey::for_environment(environment))
    }

    /// The key signatures are checked against.
    pub const fn key(&self) -> &PublicKey {
        &self.key
    }

    /// Checks `signature` (the `X-Partoo-Signature-v1` value, `None` when the header is absent) over the
    /// exact `body` bytes, without parsing the body.
    pub fn verify(&self, signature: Option<&[u8]>, body: &[u8]) -> Result<(), WebhookError> {
        let signature = decode_signature(signature.ok_or(WebhookError::MissingSignature)?)?;
        ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, self.key.as_bytes())
            .verify(body, &signature)
            .map_err(|_| WebhookError::SignatureMismatch)
    }

    /// [`Verifier::verify`], then [`parse_event`]: the entry point for any framework (pass the header's
    /// bytes, `None` when it is absent).
    pub fn verify_event(
        &self,
        signature: Option<&[u8]>,
        body: &[u8],
    ) -> Result<Event, WebhookError> {
        self.verify(signature, body)?;
        parse_event(body)
    }

    /// [`Verifier::verify`] reading the signature from `headers`.
    pub fn verify_headers(
        &self,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Result<(), WebhookError> {
        self.verify(signature_header(headers), body)
    }

    /// Verifies and decodes a delivery from its headers and raw body, noting whether it is a test.
    pub fn verify_request(
        &self,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Result<Delivery, WebhookError> {
        let event = self.verify_event(signature_header(headers), body)?;
        Ok(Delivery {
            event,
            is_tryout: is_tryout(headers),
        })
    }
}

/// The signature header's value, if present (the first one when repeated).
pub fn signature_header(headers: &http::HeaderMap) -> Option<&[u8]> {
    headers
        .get(SIGNATURE_HEADER)
        .map(http::HeaderValue::as_bytes)
}

/// Whether `headers` mark a test delivery.
pub fn is_tryout(headers: &http::HeaderMap) -> bool {
    headers.contains_key(TRYOUT_HEADER)
}

fn decode_signature(value: &[u8]) -> Result<[u8; SIGNATURE_LEN], WebhookError> {
    let value = value.trim_ascii();
    if value.len() > MAX_SIGNATURE_CHARS {
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
/// tests. Dispatches on the `type` field; a type without a variant becomes [`Event::Other`].
pub fn parse_event(body: &[u8]) -> Result<Event, WebhookError> {
    let event_type = match serde_json::from_slice::<TypeField<'_>>(body) {
        Ok(TypeField(Some(t))) => t,
        Ok(TypeField(None)) => return Err(WebhookError::MissingType),
        // Not an object: tell JSON that is not an event from bytes that are not JSON.
        Err(e) => {
            return Err(match serde_json::from_slice::<IgnoredAny>(body) {
                Ok(_) => WebhookError::MissingType,
                Err(_) => WebhookError::NotJson(e),
            });
        }
    };
    if let Some(typed) = Event::decode_known(&event_type, body) {
        return typed;
    }
    let body = serde_json::from_slice::<Value>(body).map_err(WebhookError::NotJson)?;
    Ok(Event::Other {
        event_type: event_type.into_owned(),
        body,
    })
}

/// Decodes `body` as the event type `T` (called by the generated [`Event`] for the types it knows).
#[allow(
    dead_code,
    reason = "only called when the spec has typed webhook events; the snapshot may have none"
)]
pub(crate) fn decode_payload<T: DeserializeOwned>(
    event_type: &str,
    body: &[u8],
) -> Result<T, WebhookError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value =
        serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| WebhookError::Payload {
            event_type: event_type.to_owned(),
            path: e.path().to_string(),
            message: e.into_inner().to_string(),
        })?;
    de.end().map_err(WebhookError::NotJson)?;
    Ok(value)
}

impl Event {
    /// One line on the event: its type, the Rust variant, and the top-level fields of its payload that are
    /// set (what `verify_webhook` prints).
    pub fn summary(&self) -> String {
        let json = self.to_json();
        // Without a `payload` object, the body's own fields (but its `type`) stand for it.
        let (payload, skip) = match json.get("payload") {
            Some(payload) => (payload, ""),
            None => (&json, "type"),
        };
        let fields: Vec<&str> = payload
            .as_object()
            .map(|m| {
                m.iter()
                    .filter(|(k, v)| !v.is_null() && *k != skip)
                    .map(|(k, _)| k.as_str())
                    .collect()
            })
            .unwrap_or_default();
        format!(
            "{} → Event::{}, payload fields: {}",
            self.event_type(),
            self.variant_name(),
            if fields.is_empty() {
                "none".to_owned()
            } else {
                fields.join(", ")
            }
        )
    }
}

/// Reads only the top-level `type` of a JSON object, skipping everything else without building it.
struct TypeField<'a>(Option<Cow<'a, str>>);

impl<'de> de::Deserialize<'de> for TypeField<'de> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(TypeFieldVisitor)
    }
}

struct TypeFieldVisitor;

impl<'de> Visitor<'de> for TypeFieldVisitor {
    type Value = TypeField<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(IsType(is_type)) = map.next_key()? {
            if is_type && found.is_none() {
                found = map.next_value_seed(TextOrNothing)?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(TypeField(found))
    }
}

/// A map key, reduced to whether it is `type` (escaped keys included).
struct IsType(bool);

impl<'de> de::Deserialize<'de> for IsType {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = IsType;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<IsType, E> {
                Ok(IsType(key == "type"))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// A string value (borrowed from the body when it has no escapes), or `None` for any other JSON value.
struct TextOrNothing;

impl<'de> de::DeserializeSeed<'de> for TextOrNothing {
    type Value = Option<Cow<'de, str>>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TextOrNothing {
    type Value = Option<Cow<'de, str>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_owned())))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}
