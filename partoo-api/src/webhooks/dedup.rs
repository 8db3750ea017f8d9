//! [`Deduplicator`]: remembers the bodies recently handled, so a delivery seen twice is handled once.

use std::collections::{HashMap, VecDeque};
use std::num::NonZeroUsize;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// SHA-256 of a body.
type Digest = [u8; 32];

/// Remembers the SHA-256 of the bodies it was shown, for a time, to make webhook handlers idempotent.
///
/// Partoo's signature covers the body and nothing else: there is no timestamp, delivery id or nonce in it.
/// A captured delivery therefore verifies forever, and anyone who saw one can send it again. Partoo itself
/// sends a body again when it retries after a 5xx. `first_seen` tells a body met for the first time from a
/// repeat, so the repeat can be answered 2xx without being handled twice.
///
/// - Identity is the body's SHA-256: two deliveries with byte-identical bodies are the same event.
/// - Memory is bounded: at most `capacity` digests are kept; past that the oldest is forgotten, so a replay
///   older than the last `capacity` bodies is not caught. Each is kept twice, in a map (40 bytes a slot)
///   and in a queue in the order seen (56 bytes a slot with its time), both rounding their slots up to a
///   power of two: about 100 to 200 bytes per digest of `capacity` on 64-bit Linux (1 to 2 MB with a
///   capacity of 10,000). [`Deduplicator::forget`] leaves its queue entry behind, to be dropped when it comes
///   up, so after many forgets the queue may hold up to twice `capacity` entries before it is compacted.
/// - Ask it after the signature verified, so that unsigned junk cannot push genuine bodies out.
/// - An entry expires `ttl` after it was first seen (a repeat does not extend it); a replay after that is
///   new again. Choose a `ttl` longer than Partoo's retry schedule, and pair it with checks of your own
///   where replay matters (an event's own dates or ids, the state it claims to change).
/// - When handling fails and you answer 5xx, call [`Deduplicator::forget`] so that Partoo's retry is
///   handled and not dropped as a repeat.
///
/// It lives in one process's memory: several receivers behind a load balancer need a shared store instead
/// (the digest, [`Deduplicator::digest`], is the key to use). Thread-safe; share it by reference or `Arc`.
#[derive(Debug)]
pub struct Deduplicator {
    capacity: NonZeroUsize,
    ttl: Duration,
    seen: Mutex<Seen>,
}

/// The digests kept, each with the number of its entry in `order` (oldest first), which also holds when
/// it was first seen. An entry whose digest maps to another number is stale: its digest was forgotten
/// (then maybe seen again) and it is dropped when it comes up, so that `forget` is not a scan of the queue.
#[derive(Debug, Default)]
struct Seen {
    live: HashMap<Digest, u64>,
    order: VecDeque<(Digest, Instant, u64)>,
    next: u64,
}

impl Deduplicator {
    /// Remembers up to `capacity` bodies, each for `ttl` from when it was first seen.
    pub fn new(capacity: NonZeroUsize, ttl: Duration) -> Self {
        Self {
            capacity,
            ttl,
            seen: Mutex::new(Seen::default()),
        }
    }

    /// Whether `body` is new (not seen in the last `ttl`, nor pushed out by `capacity` newer ones); it is
    /// remembered from now on.
    pub fn first_seen(&self, body: &[u8]) -> bool {
        self.first_seen_at(body, Instant::now())
    }

    /// [`Deduplicator::first_seen`] at the time `now`, for callers with a clock of their own and for tests.
    /// Times should not go backwards between calls; if they do, expiry is only approximate.
    pub fn first_seen_at(&self, body: &[u8], now: Instant) -> bool {
        let digest = Self::digest(body);
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        seen.expire(now, self.ttl);
        if seen.live.contains_key(&digest) {
            return false;
        }
        let number = seen.next;
        seen.next += 1;
        seen.live.insert(digest, number);
        seen.order.push_back((digest, now, number));
        while seen.live.len() > self.capacity.get() {
            seen.pop_oldest();
        }
        // Stale entries left by `forget`: at most as many as live ones before they are dropped.
        if seen.order.len() > self.capacity.get().saturating_mul(2) {
            seen.compact();
        }
        true
    }

    /// Forgets `body`, so its next delivery is new again: call it when handling failed after `first_seen`
    /// said yes (you answer 5xx and Partoo will retry). Returns whether it was remembered.
    pub fn forget(&self, body: &[u8]) -> bool {
        let digest = Self::digest(body);
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        // Its queue entry is now stale (see `Seen`).
        seen.live.remove(&digest).is_some()
    }

    /// How many bodies are remembered (expired ones included until the next call drops them).
    pub fn len(&self) -> usize {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .live
            .len()
    }

    /// Whether no body is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The SHA-256 of `body`: the identity of a delivery, e.g. as the key in a shared store.
    pub fn digest(body: &[u8]) -> [u8; 32] {
        let mut out = [0; 32];
        out.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, body).as_ref());
        out
    }
}

impl Seen {
    /// Drops the entries first seen `ttl` or more before `now` (the oldest are at the front).
    fn expire(&mut self, now: Instant, ttl: Duration) {
        while let Some(&(_, first, _)) = self.order.front() {
            if now.saturating_duration_since(first) < ttl {
                break;
            }
            self.pop_oldest();
        }
    }

    /// Drops the oldest entry of the queue, and its digest unless the entry is stale.
    fn pop_oldest(&mut self) {
        if let Some((digest, _, number)) = self.order.pop_front()
            && self.live.get(&digest) == Some(&number)
        {
            self.live.remove(&digest);
        }
    }

    /// Drops every stale entry of the queue.
    fn compact(&mut self) {
        let live = &self.live;
        self.order
            .retain(|(digest, _, number)| live.get(digest) == Some(number));
    }
}
