//! What a verified `Delivery` holds, and how it prints.

use super::{REVIEW_UPDATED, Signer, headers};
use partoo_api::webhooks::Event;

/// A new event type becomes `Event::Other`, whose body is a parse of the signed bytes: a number an `f64`
/// cannot hold and a repeated key do not survive it. `Delivery::raw` keeps the bytes exactly, for every
/// delivery (it was `(event, is_tryout)` only, and an application keeping the event kept the altered copy).
#[test]
fn a_delivery_keeps_the_signed_bytes_exactly_whatever_the_event() {
    let signer = Signer::new();
    let new_type: &[u8] =
        br#"{"type": "brand_new_event", "id": 123456789012345678901234567890, "k": 1, "k": 2}"#;
    for body in [new_type, REVIEW_UPDATED, &b"not json"[..]] {
        let delivery = signer
            .verifier()
            .verify_request(&headers(&signer.sign(body)), body)
            .expect("verified");
        assert_eq!(&delivery.raw[..], body, "{}", delivery.event.variant_name());
    }
    let delivery = signer
        .verifier()
        .verify_request(&headers(&signer.sign(new_type)), new_type)
        .expect("verified");
    let Event::Other { event_type, body } = &delivery.event else {
        panic!("expected Other, got {:?}", delivery.event);
    };
    assert_eq!(event_type, "brand_new_event");
    // What the parse loses, and why `raw` is the record to keep.
    assert_ne!(body["id"].to_string(), "123456789012345678901234567890");
    assert_eq!(body["k"], 2);
}

/// `Debug` shows the body once: `event` holds it (typed, as JSON in `Other`, as bytes in `Unparsed`), so
/// `raw` prints as its length. It printed both, a `Debug` log line twice the body's size.
#[test]
fn a_delivery_debug_shows_the_body_once() {
    let signer = Signer::new();
    let body: &[u8] = br#"{"type": "brand_new_event", "marker": "only-once-1234"}"#;
    let delivery = signer
        .verifier()
        .verify_request(&headers(&signer.sign(body)), body)
        .expect("verified");
    let debug = format!("{delivery:?}");
    assert_eq!(debug.matches("only-once-1234").count(), 1, "{debug}");
    assert!(
        debug.contains(&format!("raw: {} bytes", body.len())),
        "{debug}"
    );
    assert!(debug.contains("is_tryout: false"), "{debug}");
    assert!(debug.contains("key: PublicKey("), "{debug}");
}
