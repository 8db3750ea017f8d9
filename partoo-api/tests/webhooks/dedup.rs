//! `Deduplicator`: a body is new once per time-to-live, memory stays within its capacity, and a forgotten
//! body (handling failed, Partoo will retry) is new again. Times are passed in: no clock, no sleeping.

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::{Duration, Instant};

use partoo_api::webhooks::Deduplicator;

use super::REVIEW_UPDATED;

const TTL: Duration = Duration::from_secs(600);

fn capacity(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).expect("not zero")
}

#[test]
fn a_body_is_first_seen_once_until_its_ttl_is_over() {
    let dedup = Deduplicator::new(capacity(16), TTL);
    let t0 = Instant::now();
    assert!(dedup.first_seen_at(REVIEW_UPDATED, t0));
    assert!(!dedup.first_seen_at(REVIEW_UPDATED, t0));
    assert!(!dedup.first_seen_at(REVIEW_UPDATED, t0 + TTL - Duration::from_millis(1)));
    // One byte of difference is another body.
    let mut other = REVIEW_UPDATED.to_vec();
    other.push(b'\n');
    assert!(dedup.first_seen_at(&other, t0 + Duration::from_secs(1)));
    // The first expires TTL after it was first seen (the repeats did not extend it); the second not yet.
    assert!(dedup.first_seen_at(REVIEW_UPDATED, t0 + TTL));
    assert!(!dedup.first_seen_at(&other, t0 + TTL));
    assert_eq!(dedup.len(), 2);
}

#[test]
fn memory_is_bounded_by_the_capacity_and_the_oldest_goes_first() {
    let dedup = Deduplicator::new(capacity(3), TTL);
    let now = Instant::now();
    let bodies: Vec<Vec<u8>> = (0..10)
        .map(|i| format!("{{\"n\": {i}}}").into_bytes())
        .collect();
    for body in &bodies {
        assert!(dedup.first_seen_at(body, now));
        assert!(dedup.len() <= 3);
    }
    assert_eq!(dedup.len(), 3);
    // The three newest are remembered; an older one was pushed out and is new again.
    for body in &bodies[7..] {
        assert!(!dedup.first_seen_at(body, now), "{body:?}");
    }
    assert!(dedup.first_seen_at(&bodies[0], now));
    assert!(!dedup.first_seen_at(&bodies[9], now));
    assert!(
        dedup.first_seen_at(&bodies[7], now),
        "[7] was the oldest, pushed out by [0]"
    );
}

#[test]
fn a_forgotten_body_is_new_again() {
    let dedup = Deduplicator::new(capacity(8), TTL);
    assert!(dedup.first_seen(REVIEW_UPDATED));
    assert!(dedup.forget(REVIEW_UPDATED));
    assert!(!dedup.forget(REVIEW_UPDATED));
    assert!(dedup.is_empty());
    assert!(dedup.first_seen(REVIEW_UPDATED));
    assert!(!dedup.first_seen(REVIEW_UPDATED));
}

/// `forget` leaves the body's queue entry behind: that stale entry must neither push out nor expire the body
/// when it is seen again, nor count against the capacity.
#[test]
fn a_forgotten_and_seen_again_body_keeps_its_new_place() {
    let dedup = Deduplicator::new(capacity(3), TTL);
    let t0 = Instant::now();
    let body = |i: usize| format!("{{\"n\": {i}}}").into_bytes();
    assert!(dedup.first_seen_at(&body(0), t0));
    assert!(dedup.first_seen_at(&body(1), t0));
    assert!(dedup.forget(&body(0)));
    // Seen again later: its place is now the newest, and its TTL counts from now.
    let t1 = t0 + Duration::from_secs(300);
    assert!(dedup.first_seen_at(&body(0), t1));
    assert!(dedup.first_seen_at(&body(2), t1));
    assert_eq!(dedup.len(), 3);
    // One more pushes out the oldest live body, [1], not [0] through its stale entry.
    assert!(dedup.first_seen_at(&body(3), t1));
    assert!(
        !dedup.first_seen_at(&body(0), t1),
        "[0] was pushed out by its stale entry"
    );
    assert!(dedup.first_seen_at(&body(1), t1), "[1] was the oldest");
    // A body forgotten and seen again at t1 expires at t1 + TTL, not with its stale entry of t0.
    let other = Deduplicator::new(capacity(8), TTL);
    assert!(other.first_seen_at(&body(0), t0));
    assert!(other.forget(&body(0)));
    assert!(other.first_seen_at(&body(0), t1));
    assert!(!other.first_seen_at(&body(0), t0 + TTL));
    assert!(other.first_seen_at(&body(0), t1 + TTL));
    // Many forgets in a row: the capacity still holds.
    for i in 10..1_000 {
        assert!(dedup.first_seen_at(&body(i), t1 + TTL));
        assert!(dedup.forget(&body(i)));
        assert!(dedup.len() <= 3);
    }
}

#[test]
fn concurrent_deliveries_of_one_body_are_first_seen_exactly_once() {
    let dedup = Arc::new(Deduplicator::new(capacity(64), TTL));
    let firsts: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let dedup = Arc::clone(&dedup);
                s.spawn(move || (0..50).filter(|_| dedup.first_seen(REVIEW_UPDATED)).count())
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no panic"))
            .sum()
    });
    assert_eq!(firsts, 1);
}

#[test]
fn the_digest_is_the_sha256_of_the_body() {
    // SHA-256("abc"), FIPS 180-2 appendix B.1.
    let expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    let hex: String = Deduplicator::digest(b"abc")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(hex, expected);
}

/// `NonZeroUsize::MAX`, the natural "no bound", overflowed `2 × capacity` and panicked on the first body.
#[test]
fn the_largest_capacity_does_not_overflow() {
    for capacity in [NonZeroUsize::MAX, capacity(usize::MAX / 2 + 1)] {
        let dedup = Deduplicator::new(capacity, TTL);
        assert!(dedup.first_seen(b"x"));
        assert!(!dedup.first_seen(b"x"));
        assert!(dedup.forget(b"x"));
        assert!(dedup.first_seen(b"x"));
    }
}
