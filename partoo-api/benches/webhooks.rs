//! Cost of receiving a webhook: `Verifier::verify_event` (base64 signature, Ed25519 over the raw body, `type`
//! dispatch, typed decode) on a 2 kB `review_updated` event, against the floor any receiver pays: ring's bare
//! Ed25519 verification of the same bytes plus `serde_json::from_slice::<Value>`. Run by `cargo xtask bench`
//! (`--quick` for a smoke run). Prints one line ending with the ratio; nothing fails on a time.

use std::hint::black_box;
use std::time::Instant;

use base64::Engine as _;
use partoo_api::webhooks::{PublicKey, Verifier};
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use serde_json::Value;

const EVENT: &[u8] = include_bytes!("../tests/fixtures/webhook_review_updated.json");
const GOAL: f64 = 1.3;

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (rounds, per_round) = if quick { (6, 300) } else { (20, 2_000) };
    let pair = Ed25519KeyPair::from_seed_unchecked(&[5; 32]).expect("a 32-byte seed makes a key");
    let raw_key = pair.public_key().as_ref().to_vec();
    let signature = pair.sign(EVENT);
    let header = base64::engine::general_purpose::STANDARD.encode(signature.as_ref());
    let verifier = Verifier::new(PublicKey::from_bytes(&raw_key).expect("32 bytes"));
    let bare_key = UnparsedPublicKey::new(&ED25519, raw_key.as_slice());

    // Sanity, and which decode path the measured side takes with this build's spec.
    let event = verifier
        .verify_event(Some(header.as_bytes()), EVENT)
        .expect("the bench event verifies and decodes");
    let path = match event.variant_name() {
        "Other" => "Event::Other (this spec types no review_updated: JSON value path)".to_owned(),
        "Unparsed" => panic!(
            "the bench event does not fit this spec: {}",
            event.summary()
        ),
        typed => format!("Event::{typed} (typed)"),
    };

    let ours = || {
        let event = verifier
            .verify_event(Some(black_box(header.as_bytes())), black_box(EVENT))
            .expect("verifies");
        drop(black_box(event));
    };
    let bare = || {
        bare_key
            .verify(black_box(EVENT), black_box(signature.as_ref()))
            .expect("verifies");
        let value: Value = serde_json::from_slice(black_box(EVENT)).expect("JSON");
        drop(black_box(value));
    };
    for _ in 0..per_round / 4 {
        ours();
        bare();
    }
    // Alternate which side goes first each round; per-round times, median of each side.
    let (mut ours_ns, mut bare_ns) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        for side in [round % 2, 1 - round % 2] {
            let started = Instant::now();
            for _ in 0..per_round {
                if side == 0 { ours() } else { bare() }
            }
            let per_event = started.elapsed().as_nanos() as f64 / per_round as f64;
            if side == 0 {
                ours_ns.push(per_event);
            } else {
                bare_ns.push(per_event);
            }
        }
    }
    let (ours_ns, bare_ns) = (median(&ours_ns), median(&bare_ns));
    println!(
        "webhook verify+parse 2 kB event: {} B, {} events each, {path}; verify_event {:.1} µs/event; \
         bare Ed25519 + serde_json::Value {:.1} µs/event; goal ≤ {GOAL}; ratio verify_event/bare {:.3}",
        EVENT.len(),
        rounds * per_round,
        ours_ns / 1e3,
        bare_ns / 1e3,
        ours_ns / bare_ns
    );
}

fn median(xs: &[f64]) -> f64 {
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(0.0)
}
