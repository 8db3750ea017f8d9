//! The API keys of the clients alive in this process, so that an error can scrub a body it keeps even where
//! the key is out of reach.
//!
//! The response hooks replace an echoed key in error bodies (they hold the key, see `hooks::without_key`),
//! but a 2xx body is handed to progenitor unread, and when it fails to decode, [`crate::Error::Decode`] is
//! built from progenitor's error, often by `?` on a plain `send()`, with no client in sight; the start of a
//! body that breaks off (kept for [`crate::Error::BodyInterrupted`]) is the same. A server or proxy that
//! echoes the key in such a body would put it in the error's message, `Debug` and `raw`. So every [`crate::ClientBuilder::build`]
//! registers its key here, held weakly: it stays listed while the client or a clone of it lives, and those
//! two places replace each listed key (of at least [`SHORTEST_SCRUBBED_KEY`] bytes) by `[API key]`.

use std::borrow::Cow;
use std::sync::{Arc, Mutex, Weak};

use secrecy::{ExposeSecret, SecretSlice};

/// Keys shorter than this are not looked for in bodies: a test key such as `k` would match ordinary text (real
/// keys are far longer).
pub(crate) const SHORTEST_SCRUBBED_KEY: usize = 8;

/// What replaces a key.
const REPLACEMENT: &[u8] = b"[API key]";

/// The listed keys; dead entries are dropped when a key is added.
static LIVE: Mutex<Vec<Weak<LiveKey>>> = Mutex::new(Vec::new());

/// A client's key as listed here: zeroed when the last clone of the client is dropped.
pub(crate) struct LiveKey(SecretSlice<u8>);

impl std::fmt::Debug for LiveKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LiveKey(<redacted>)")
    }
}

/// Lists `key` for as long as the returned handle (kept by the client's state) lives.
pub(crate) fn register(key: &[u8]) -> Arc<LiveKey> {
    let live = Arc::new(LiveKey(SecretSlice::from(key.to_vec())));
    // A poisoned lock still holds a usable list: a panic elsewhere must not stop the scrubbing.
    let mut list = LIVE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    list.retain(|weak| weak.strong_count() > 0);
    list.push(Arc::downgrade(&live));
    live
}

/// `body` with every copy of every listed key replaced; borrowed when none is in it.
pub(crate) fn scrub(body: &[u8]) -> Cow<'_, [u8]> {
    let keys: Vec<Arc<LiveKey>> = LIVE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .iter()
        .filter_map(Weak::upgrade)
        .collect();
    keys.iter().fold(Cow::Borrowed(body), |body, key| {
        match replace_key(&body, key.0.expose_secret()) {
            Some(scrubbed) => Cow::Owned(scrubbed),
            None => body,
        }
    })
}

/// [`scrub`] for `Bytes`: the same bytes, not copied, when no listed key is in them.
pub(crate) fn scrub_bytes(body: bytes::Bytes) -> bytes::Bytes {
    match scrub(&body) {
        Cow::Borrowed(_) => body,
        Cow::Owned(scrubbed) => bytes::Bytes::from(scrubbed),
    }
}

/// `body` with every copy of `key` replaced by `[API key]`; `None` when the key is not in it or is shorter
/// than [`SHORTEST_SCRUBBED_KEY`].
pub(crate) fn replace_key(body: &[u8], key: &[u8]) -> Option<Vec<u8>> {
    if key.len() < SHORTEST_SCRUBBED_KEY || !body.windows(key.len()).any(|w| w == key) {
        return None;
    }
    let mut scrubbed = Vec::with_capacity(body.len());
    let mut rest = body;
    while !rest.is_empty() {
        if rest.starts_with(key) {
            scrubbed.extend_from_slice(REPLACEMENT);
            rest = &rest[key.len()..];
        } else {
            scrubbed.push(rest[0]);
            rest = &rest[1..];
        }
    }
    Some(scrubbed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_key_is_scrubbed_until_its_last_handle_goes() {
        let key = b"live-keys-test-0123456789";
        let body =
            b"{\"echo\": \"live-keys-test-0123456789\", \"again\": \"live-keys-test-0123456789\"}";
        assert!(matches!(scrub(body), Cow::Borrowed(_)), "not listed yet");
        let handle = register(key);
        let clone = Arc::clone(&handle);
        let scrubbed = scrub(body);
        assert_eq!(
            &*scrubbed,
            b"{\"echo\": \"[API key]\", \"again\": \"[API key]\"}"
        );
        drop(handle);
        assert!(matches!(scrub(body), Cow::Owned(_)), "a clone still lives");
        drop(clone);
        assert!(matches!(scrub(body), Cow::Borrowed(_)), "no client left");
    }

    #[test]
    fn short_keys_and_absent_keys_change_nothing() {
        assert_eq!(replace_key(b"a k in text", b"k"), None);
        assert_eq!(replace_key(b"nothing here", b"0123456789"), None);
        assert_eq!(
            replace_key(b"x0123456789x", b"0123456789").as_deref(),
            Some(&b"x[API key]x"[..])
        );
    }
}
