//! Webhook signature verification and event decoding, with key pairs made here (Partoo's private keys are
//! not ours). Only the generic API is used, so these pass whichever snapshot is committed; assertions about
//! a particular event run when the generated `Event` types it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderMap, HeaderValue};
use partoo_api::Environment;
use partoo_api::webhooks::{
    EVENT_TYPES, Event, PRODUCTION_PUBLIC_KEY_PEM, ParseError, PublicKey, SANDBOX_PUBLIC_KEY_PEM,
    Verifier, WebhookError, is_tryout, parse_event,
};
use proptest::prelude::*;
use ring::signature::{Ed25519KeyPair, KeyPair};

#[path = "webhooks/dedup.rs"]
mod dedup;
#[path = "webhooks/delivery.rs"]
mod delivery;
#[path = "webhooks/keys.rs"]
mod keys;

const REVIEW_UPDATED: &[u8] = include_bytes!("fixtures/webhook_review_updated.json");

/// A signing key made from a seed drawn for this run.
struct Signer {
    pair: Ed25519KeyPair,
}

impl Signer {
    fn new() -> Self {
        let mut seed = [0u8; 32];
        seed.fill_with(|| fastrand::u8(..));
        Self::from_seed(seed)
    }

    fn from_seed(seed: [u8; 32]) -> Self {
        let pair = Ed25519KeyPair::from_seed_unchecked(&seed)
            .unwrap_or_else(|e| panic!("seed {seed:?} makes no key: {e}"));
        Self { pair }
    }

    fn pair_public(&self) -> &[u8] {
        self.pair.public_key().as_ref()
    }

    fn public(&self) -> PublicKey {
        PublicKey::from_bytes(self.pair.public_key().as_ref())
            .expect("ring's public key is 32 bytes")
    }

    fn verifier(&self) -> Verifier {
        Verifier::new(self.public())
    }

    fn sign(&self, body: &[u8]) -> String {
        STANDARD.encode(self.pair.sign(body))
    }
}

fn headers(signature: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(
        "X-Partoo-Signature-v1",
        HeaderValue::from_str(signature).expect("base64 is a valid header"),
    );
    h
}

#[test]
fn a_valid_signature_verifies_and_the_event_decodes() {
    let signer = Signer::new();
    let signature = signer.sign(REVIEW_UPDATED);
    let delivery = signer
        .verifier()
        .verify_request(&headers(&signature), REVIEW_UPDATED)
        .expect("signed by the verifier's key");
    assert_eq!(delivery.event.event_type(), "review_updated");
    assert!(!delivery.is_tryout);
    let event = signer
        .verifier()
        .verify_event(Some(signature.as_bytes()), REVIEW_UPDATED)
        .expect("the byte-slice entry point agrees");
    assert_eq!(event.event_type(), "review_updated");
}

#[test]
fn the_tryout_header_value_is_parsed() {
    let signer = Signer::new();
    let signature = signer.sign(REVIEW_UPDATED);
    let tryout = |value: Option<&'static [u8]>| {
        let mut h = headers(&signature);
        if let Some(value) = value {
            let value = HeaderValue::from_bytes(value).expect("a header value");
            h.insert("X-Partoo-Webhook-Tryout", value);
        }
        let delivery = signer
            .verifier()
            .verify_request(&h, REVIEW_UPDATED)
            .expect("valid whatever the tryout header says: it is not signed");
        assert_eq!(delivery.is_tryout, is_tryout(&h));
        delivery.is_tryout
    };
    assert!(!tryout(None));
    for off in [&b"false"[..], b"FALSE", b"0", b" 0 ", b"no", b"Off"] {
        assert!(!tryout(Some(off)), "{off:?} is not a tryout");
    }
    // Presence is the mark: any other value, empty or unknown included, is a tryout.
    for on in [&b"true"[..], b"True", b"1", b"", b"yes", b"\xff"] {
        assert!(tryout(Some(on)), "{on:?} is a tryout");
    }
}

#[test]
fn a_body_changed_by_one_byte_is_refused() {
    let signer = Signer::new();
    let signature = signer.sign(REVIEW_UPDATED);
    let mut body = REVIEW_UPDATED.to_vec();
    let at = body
        .iter()
        .position(|&b| b == b'4')
        .expect("the fixture has a 4");
    body[at] = b'5';
    let err = signer
        .verifier()
        .verify(Some(signature.as_bytes()), &body)
        .unwrap_err();
    assert!(matches!(err, WebhookError::SignatureMismatch), "{err:?}");
    assert!(err.is_signature_error());
}

#[test]
fn a_re_serialised_body_is_refused() {
    let signer = Signer::new();
    let signature = signer.sign(REVIEW_UPDATED);
    let value: serde_json::Value = serde_json::from_slice(REVIEW_UPDATED).expect("fixture is JSON");
    let compact = serde_json::to_vec(&value).expect("serialises");
    assert_ne!(compact, REVIEW_UPDATED);
    let err = signer
        .verifier()
        .verify(Some(signature.as_bytes()), &compact)
        .unwrap_err();
    assert!(matches!(err, WebhookError::SignatureMismatch), "{err:?}");
}

#[test]
fn a_signature_from_another_key_is_refused() {
    let (ours, theirs) = (Signer::new(), Signer::new());
    let signature = theirs.sign(REVIEW_UPDATED);
    let err = ours
        .verifier()
        .verify(Some(signature.as_bytes()), REVIEW_UPDATED)
        .unwrap_err();
    assert!(matches!(err, WebhookError::SignatureMismatch), "{err:?}");
}

#[test]
fn each_environment_accepts_only_its_own_key() {
    // No Partoo private key here: a signature that the key of another environment accepts must be refused
    // by the production key, and the two built-in keys must differ.
    let other_environment = Signer::new();
    let signature = other_environment.sign(REVIEW_UPDATED);
    assert!(
        other_environment
            .verifier()
            .verify(Some(signature.as_bytes()), REVIEW_UPDATED)
            .is_ok()
    );
    for env in [Environment::Production, Environment::Sandbox] {
        let err = Verifier::for_environment(env)
            .verify(Some(signature.as_bytes()), REVIEW_UPDATED)
            .unwrap_err();
        assert!(
            matches!(err, WebhookError::SignatureMismatch),
            "{env:?}: {err:?}"
        );
    }
    assert_ne!(PublicKey::production(), PublicKey::sandbox());
    assert_eq!(
        Verifier::for_environment(Environment::Sandbox).keys(),
        [PublicKey::sandbox()]
    );
    assert_eq!(
        Verifier::for_environment(Environment::Production).keys(),
        [PublicKey::production()]
    );
}

#[test]
fn malformed_signatures_get_their_own_errors() {
    let signer = Signer::new();
    let v = signer.verifier();
    let good = signer.sign(REVIEW_UPDATED);
    let check = |sig: &str| v.verify(Some(sig.as_bytes()), REVIEW_UPDATED).unwrap_err();
    assert!(matches!(
        check("not base64!!"),
        WebhookError::SignatureNotBase64
    ));
    assert!(matches!(
        check(""),
        WebhookError::SignatureLength { found: 0 }
    ));
    // An empty (or blank) header is named as such, not as a signature of 0 bytes.
    assert_eq!(
        check("  ").to_string(),
        "signature header is empty: an Ed25519 signature is 64 bytes (88 base64 characters)"
    );
    assert!(matches!(
        check(&good[..80]),
        WebhookError::SignatureLength { found: 60 }
    ));
    let long = STANDARD.encode([7u8; 65]);
    assert!(matches!(
        check(&long),
        WebhookError::SignatureLength { found: 65 }
    ));
    assert!(matches!(
        check(&"A".repeat(10_000)),
        WebhookError::SignatureLength { .. }
    ));
    // Too long and not base64 either: named as not base64, not as a length it could never decode to.
    assert!(matches!(
        check(&"!".repeat(300)),
        WebhookError::SignatureNotBase64
    ));
    let missing = v
        .verify_request(&HeaderMap::new(), REVIEW_UPDATED)
        .unwrap_err();
    assert!(
        matches!(missing, WebhookError::MissingSignature),
        "{missing:?}"
    );
    assert!(v.verify(None, REVIEW_UPDATED).is_err());
    // Whitespace around the value and missing padding are tolerated.
    assert!(
        v.verify(Some(format!(" {good} ").as_bytes()), REVIEW_UPDATED)
            .is_ok()
    );
    assert!(
        v.verify(Some(good.trim_end_matches('=').as_bytes()), REVIEW_UPDATED)
            .is_ok()
    );
    for e in [check("not base64!!"), check(""), missing] {
        assert!(e.is_signature_error());
        assert!(!e.to_string().is_empty());
    }
}

/// Signs `body` and runs it through `verify_request`: it must verify and be kept whole as `Unparsed`.
fn deliver_unparsed(body: &[u8]) -> (Option<String>, ParseError) {
    let signer = Signer::new();
    let delivery = signer
        .verifier()
        .verify_request(&headers(&signer.sign(body)), body)
        .unwrap_or_else(|e| panic!("{body:?}: a verified body is delivered, got {e}"));
    assert_eq!(delivery.event.variant_name(), "Unparsed");
    let Event::Unparsed {
        event_type,
        body: kept,
        error,
    } = delivery.event
    else {
        panic!("{body:?}: expected Unparsed");
    };
    assert_eq!(kept, body, "the raw bytes are kept");
    (event_type, error)
}

#[test]
fn signed_bodies_that_are_not_events_are_delivered_whole() {
    for body in [
        &b"not json"[..],
        b"{\"type\": \"x\"",
        b"{\"type\": \"x\"} trailing",
        b"",
    ] {
        let (event_type, error) = deliver_unparsed(body);
        assert_eq!(event_type, None);
        assert!(
            matches!(error, ParseError::NotJson(_)),
            "{body:?}: {error:?}"
        );
    }
    for body in [
        &b"{}"[..],
        b"[\"review_updated\"]",
        b"{\"type\": 5}",
        b"{\"type\": null}",
        b"\"type\"",
    ] {
        let (event_type, error) = deliver_unparsed(body);
        assert_eq!(event_type, None);
        assert_eq!(error, ParseError::MissingType, "{body:?}");
    }
    // A `type` given twice: which event it is cannot be told (the type reader took the first string, the
    // body kept by `Other` the last one, so `event_type` and `body["type"]` disagreed).
    for (body, first) in [
        (
            &b"{\"type\": \"brand_new\", \"type\": \"other_new\"}"[..],
            Some("brand_new"),
        ),
        (b"{\"type\": 5, \"type\": \"brand_new\"}", None),
        (
            b"{\"type\": \"review_updated\", \"t\\u0079pe\": \"review_updated\"}",
            Some("review_updated"),
        ),
    ] {
        let (event_type, error) = deliver_unparsed(body);
        assert_eq!(event_type.as_deref(), first, "{body:?}");
        assert_eq!(error, ParseError::RepeatedType, "{body:?}");
    }
    let event = parse_event(b"{}");
    assert_eq!(event.event_type(), "");
    assert!(
        event.summary().contains("(no type) → Event::Unparsed"),
        "{}",
        event.summary()
    );
    assert_eq!(event.type_label(), "(no type)");
    // An empty string type is a type: shown as `""`, not as a missing one.
    let event = parse_event(b"{\"type\": \"\"}");
    assert_eq!(event.type_label(), "\"\"");
    assert!(
        event.summary().starts_with("\"\" → Event::Other"),
        "{}",
        event.summary()
    );
    // A type with a line break and an escape sequence stays one harmless line.
    let event = parse_event(b"{\"type\": \"evil\\n\\u001b[31mred\"}");
    let label = event.type_label();
    assert!(
        !label.contains('\n') && !label.contains('\u{1b}'),
        "{label:?}"
    );
    assert!(label.starts_with("evil"), "{label:?}");
}

#[test]
fn a_known_event_that_does_not_fit_its_schema_is_delivered_as_unparsed() {
    // A field of another type: a string where the schema has an object or an integer.
    if EVENT_TYPES.contains(&"review_updated") {
        let body = String::from_utf8_lossy(REVIEW_UPDATED)
            .replace("\"id\": 880412", "\"id\": \"880412-x\"");
        let (event_type, error) = deliver_unparsed(body.as_bytes());
        assert_eq!(event_type.as_deref(), Some("review_updated"));
        let ParseError::Schema { path, message } = &error else {
            panic!("expected a schema error, got {error:?}");
        };
        assert_eq!(path, "payload.review.id");
        assert!(message.contains("invalid type"), "{message}");
        let event = parse_event(body.as_bytes());
        assert_eq!(event.event_type(), "review_updated");
        assert_eq!(event.to_json()["payload"]["review"]["id"], "880412-x");
        let summary = event.summary();
        assert!(
            summary.starts_with("review_updated → Event::Unparsed")
                && summary.contains("payload.review.id"),
            "{summary}"
        );
    }
    // Whatever the snapshot types: a payload that is no object does not fit an event whose payload is an
    // object (one typed as any JSON value takes it).
    let mut unparsed = 0;
    for &t in EVENT_TYPES {
        let body = format!(r#"{{"type": "{t}", "payload": "not an object"}}"#);
        match parse_event(body.as_bytes()) {
            Event::Unparsed {
                event_type, error, ..
            } => {
                assert_eq!(event_type.as_deref(), Some(t));
                assert!(
                    matches!(&error, ParseError::Schema { path, .. } if path == "payload"),
                    "{t}: {error:?}"
                );
                unparsed += 1;
            }
            typed => assert_eq!(typed.event_type(), t),
        }
    }
    assert!(EVENT_TYPES.is_empty() || unparsed > 0);
}

/// serde reads a struct from a JSON array too, field by field in declaration order: a payload array came back
/// typed, its first element as `payload.review`, instead of `Unparsed`.
#[test]
fn an_array_where_an_event_has_an_object_is_not_typed() {
    if EVENT_TYPES.contains(&"review_updated") {
        let body = br#"{"type":"review_updated","payload":[{"id":5,"rating":2}]}"#;
        let (event_type, error) = deliver_unparsed(body);
        assert_eq!(event_type.as_deref(), Some("review_updated"));
        let ParseError::Schema { path, message } = &error else {
            panic!("expected a schema error, got {error:?}");
        };
        assert_eq!(path, "payload");
        assert!(message.contains("an array where"), "{message}");
    }
    // Whatever the snapshot types: a payload given as an array is never typed as an object.
    for &t in EVENT_TYPES {
        for payload in ["[]", "[{}]", "[null, null]"] {
            let body = format!(r#"{{"type": "{t}", "payload": {payload}}}"#);
            let event = parse_event(body.as_bytes());
            if event.variant_name() != "Unparsed" {
                assert!(
                    !event.to_json()["payload"].is_object(),
                    "{t}: {payload} typed as {}",
                    event.to_json()
                );
            }
        }
    }
}

/// serde's message quotes the value it refused: a 100 KB string made a 100 KB error line.
#[test]
fn a_schema_message_is_cut_to_200_characters() {
    if !EVENT_TYPES.contains(&"review_updated") {
        return;
    }
    let long = "é".repeat(100_000);
    let body = String::from_utf8_lossy(REVIEW_UPDATED)
        .replace("\"id\": 880412", &format!("\"id\": \"{long}\""));
    let (_, error) = deliver_unparsed(body.as_bytes());
    let ParseError::Schema { path, message } = &error else {
        panic!("expected a schema error, got {error:?}");
    };
    assert_eq!(path, "payload.review.id");
    assert_eq!(message.chars().count(), 201, "{message}");
    assert!(
        message.starts_with("invalid type: string \"éé") && message.ends_with('…'),
        "{message}"
    );
}

/// A known type read its undeclared fields without checking them, so a number out of range or a string that is
/// no UTF-8 there was typed, where the same body with an unknown type was `Unparsed`: both are now.
#[test]
fn a_known_event_is_checked_as_json_like_any_other() {
    for &t in EVENT_TYPES.iter().chain(&["brand_new"]) {
        for extra in [&b"1e400"[..], b"\"\xff\""] {
            let mut body = format!(r#"{{"type": "{t}", "undeclared": "#).into_bytes();
            body.extend_from_slice(extra);
            body.push(b'}');
            let (event_type, error) = deliver_unparsed(&body);
            assert_eq!(event_type.as_deref(), Some(t));
            assert!(
                matches!(error, ParseError::NotJson(_)),
                "{t}: {extra:?}: {error:?}"
            );
        }
    }
}

#[test]
fn an_unknown_event_type_keeps_its_type_and_body() {
    let body = br#"{"type": "review_exploded", "payload": {"review": {"id": 1}}, "org_id": 3}"#;
    let event = parse_event(body);
    assert_eq!(event.event_type(), "review_exploded");
    assert_eq!(event.variant_name(), "Other");
    let Event::Other { event_type, body } = &event else {
        panic!("expected Other, got {event:?}");
    };
    assert_eq!(event_type, "review_exploded");
    assert_eq!(body["payload"]["review"]["id"], 1);
    assert_eq!(event.to_json(), *body);
    assert!(
        event.summary().contains("review_exploded → Event::Other"),
        "{}",
        event.summary()
    );
    // Escapes in the type are decoded.
    let escaped = parse_event(br#"{"ty\u0070e": "a\"b"}"#);
    assert_eq!(escaped.event_type(), "a\"b");
}

#[test]
fn a_summary_stays_on_one_line() {
    // A type and a field name with line breaks (escaped in JSON, so the body is valid) printed as such.
    let body = br#"{"type": "a\nb\u2028c", "payload": {"x\r\ny": 1}}"#;
    let event = parse_event(body);
    assert_eq!(event.event_type(), "a\nb\u{2028}c");
    let summary = event.summary();
    assert_eq!(summary.lines().count(), 1, "{summary:?}");
    assert!(!summary.contains('\u{2028}'), "{summary:?}");
    assert!(
        summary.contains("a\\nb") && summary.contains("x\\r\\ny"),
        "{summary}"
    );
    let unparsed = parse_event(br#"{"type": "a\nb"} trailing"#);
    assert_eq!(
        unparsed.summary().lines().count(),
        1,
        "{}",
        unparsed.summary()
    );
}

#[test]
fn every_typed_event_type_decodes_to_its_variant() {
    for &t in EVENT_TYPES {
        let body = format!(r#"{{"type": "{t}", "a_field_from_the_future": [1, 2]}}"#);
        let event = parse_event(body.as_bytes());
        assert_eq!(event.event_type(), t);
        match &event {
            // A spec may require payload fields: then the typed decoder, not the catch-all, says so.
            Event::Unparsed { error, .. } => {
                assert!(matches!(error, ParseError::Schema { .. }), "{t}: {error:?}");
            }
            _ => assert_ne!(event.variant_name(), "Other", "{t} has a variant"),
        }
    }
}

#[test]
fn review_updated_when_typed_reads_new_fields_and_values_leniently() {
    let event = parse_event(REVIEW_UPDATED);
    if !EVENT_TYPES.contains(&"review_updated") {
        assert_eq!(event.variant_name(), "Other");
        return;
    }
    // The fixture carries fields and an enum value no spec lists; the typed event keeps what it knows.
    assert_eq!(event.variant_name(), "ReviewUpdated");
    let json = event.to_json();
    assert_eq!(json["payload"]["review"]["id"], 880412);
    assert_eq!(
        json["payload"]["review"]["business_id"],
        "64b7f0c2a1d3e45f6a7b8c9d"
    );
    assert!(json["payload"]["review"].get("sentiment_score").is_none());
    let odd =
        String::from_utf8_lossy(REVIEW_UPDATED).replace("\"treated\"", "\"treated_auto_reply\"");
    let event = parse_event(odd.as_bytes());
    assert_eq!(
        event.variant_name(),
        "ReviewUpdated",
        "a new state value is accepted"
    );
    assert_eq!(
        event.to_json()["payload"]["review"]["state"],
        "treated_auto_reply"
    );
}

#[test]
fn the_built_in_keys_are_the_published_pems() {
    assert_eq!(
        PublicKey::from_pem(PRODUCTION_PUBLIC_KEY_PEM),
        Ok(PublicKey::production())
    );
    assert_eq!(
        PublicKey::from_pem(SANDBOX_PUBLIC_KEY_PEM),
        Ok(PublicKey::sandbox())
    );
    for (pem, key) in [
        (PRODUCTION_PUBLIC_KEY_PEM, PublicKey::production()),
        (SANDBOX_PUBLIC_KEY_PEM, PublicKey::sandbox()),
    ] {
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = STANDARD.decode(body).expect("PEM body is base64");
        assert_eq!(der.len(), 44);
        assert_eq!(&der[12..], key.as_bytes());
    }
    assert!(format!("{:?}", PublicKey::production()).starts_with("PublicKey(production, d06f5c88"));
}

#[test]
fn caller_keys_load_from_pem_or_raw_bytes() {
    let signer = Signer::new();
    let raw = signer.pair.public_key().as_ref().to_vec();
    let mut der = vec![
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
    ];
    der.extend_from_slice(&raw);
    let pem = format!(
        "-----BEGIN PUBLIC KEY-----\r\n{}\r\n-----END PUBLIC KEY-----\r\n",
        STANDARD.encode(&der)
    );
    let key = PublicKey::from_pem(&pem).expect("an Ed25519 SPKI PEM");
    assert_eq!(key, signer.public());
    let sig = signer.sign(b"{}");
    assert!(
        Verifier::new(key)
            .verify(Some(sig.as_bytes()), b"{}")
            .is_ok()
    );
    assert!(PublicKey::from_bytes(&raw[..31]).is_err());
    assert!(PublicKey::from_pem("hello").is_err());
    // Two keys in one text: refused, not the first kept and the second ignored.
    let both = format!("{pem}{PRODUCTION_PUBLIC_KEY_PEM}");
    let err = PublicKey::from_pem(&both).expect_err("two PEM blocks");
    assert!(err.to_string().contains("2 PEM blocks"), "{err}");
    let private = pem.replace("PUBLIC KEY", "PRIVATE KEY");
    assert!(PublicKey::from_pem(&private).is_err());
    let mut rsa_like = der.clone();
    rsa_like[8] = 0x71; // OID 1.3.101.113 is Ed448
    assert!(PublicKey::from_spki_der(&rsa_like).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_bodies_and_headers_never_panic(
        body in proptest::collection::vec(any::<u8>(), 0..512),
        header in proptest::collection::vec(any::<u8>(), 0..160),
    ) {
        let v = Verifier::for_environment(Environment::Production);
        // Random bytes are not Partoo's signature: always an error, never a panic.
        prop_assert!(v.verify_event(Some(&header), &body).is_err());
        let _ = parse_event(&body).summary();
        if let Ok(value) = HeaderValue::from_bytes(&header) {
            let mut h = HeaderMap::new();
            h.insert("x-partoo-signature-v1", value);
            prop_assert!(v.verify_request(&h, &body).is_err());
        }
    }

    #[test]
    fn mutated_events_never_panic(at in 0usize..2048, byte in any::<u8>(), cut in 0usize..2048) {
        let mut body = REVIEW_UPDATED.to_vec();
        let at = at % body.len();
        body[at] = byte;
        body.truncate(cut.max(1));
        let signer = Signer::from_seed([9; 32]);
        let delivered = signer.verifier().verify_event(Some(signer.sign(&body).as_bytes()), &body);
        if let Ok(event) = delivered {
            let _ = event.summary();
        }
    }
}
