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

/// Bytes at the end of a body that start a key are replaced when there are at least this many: a body cut at
/// `max_error_body`, or broken off, may end inside an echoed key.
const SHORTEST_CUT_KEY: usize = 4;

/// `body` with every copy of `key` replaced by `[API key]`, in each spelling a body may give it ([`forms`]),
/// and with the end of the body replaced when it is the start of one of them (at least [`SHORTEST_CUT_KEY`]
/// bytes: the kept part of a body may end inside the key). `None` when there is nothing to replace or the key
/// is shorter than [`SHORTEST_SCRUBBED_KEY`].
pub(crate) fn replace_key(body: &[u8], key: &[u8]) -> Option<Vec<u8>> {
    if key.len() < SHORTEST_SCRUBBED_KEY {
        return None;
    }
    let forms = forms(key);
    let mut scrubbed: Option<Vec<u8>> = None;
    for form in &forms {
        let current = scrubbed.as_deref().unwrap_or(body);
        if let Some(replaced) = replace_all(current, form) {
            scrubbed = Some(replaced);
        }
    }
    let current = scrubbed.as_deref().unwrap_or(body);
    let cut = forms
        .iter()
        .filter_map(|form| {
            (SHORTEST_CUT_KEY..form.len().min(current.len() + 1))
                .rev()
                .find(|&len| current.ends_with(&form[..len]))
        })
        .max();
    if let Some(len) = cut {
        let mut with_tail = current[..current.len() - len].to_vec();
        with_tail.extend_from_slice(REPLACEMENT);
        scrubbed = Some(with_tail);
    }
    scrubbed
}

/// The spellings of `key` a body may hold: as it is; JSON-escaped (`\"`, `\\`, control characters), also with
/// `/` as `\/`; percent-encoded, with upper- and lower-case hex. An escape of every character (`\u0073…`) is
/// not looked for.
fn forms(key: &[u8]) -> Vec<Vec<u8>> {
    let mut forms = vec![key.to_vec()];
    if let Ok(json) = std::str::from_utf8(key).map(|text| serde_json::Value::from(text).to_string())
    {
        let inner = &json[1..json.len() - 1];
        forms.push(inner.as_bytes().to_vec());
        forms.push(inner.replace('/', "\\/").into_bytes());
    }
    for hex in [b"0123456789ABCDEF", b"0123456789abcdef"] {
        let mut encoded = Vec::with_capacity(key.len() * 3);
        for &byte in key {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                encoded.push(byte);
            } else {
                encoded.extend_from_slice(&[
                    b'%',
                    hex[usize::from(byte >> 4)],
                    hex[usize::from(byte & 15)],
                ]);
            }
        }
        forms.push(encoded);
    }
    forms.sort();
    forms.dedup();
    // Longest first: a form that contains another is replaced whole.
    forms.sort_by_key(|form| std::cmp::Reverse(form.len()));
    forms
}

/// `body` with every copy of `form` replaced by `[API key]`; `None` when there is none.
fn replace_all(body: &[u8], form: &[u8]) -> Option<Vec<u8>> {
    if !body.windows(form.len()).any(|w| w == form) {
        return None;
    }
    let mut scrubbed = Vec::with_capacity(body.len());
    let mut rest = body;
    while !rest.is_empty() {
        if rest.starts_with(form) {
            scrubbed.extend_from_slice(REPLACEMENT);
            rest = &rest[form.len()..];
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

    #[test]
    fn an_escaped_spelling_of_the_key_is_replaced_too() {
        let key = br#"sec"ret/key\12345"#;
        for echoed in [
            &br#"{"e": "no such key sec\"ret/key\\12345"}"#[..],
            br#"{"e": "no such key sec\"ret\/key\\12345"}"#,
            b"no such key sec%22ret%2Fkey%5C12345",
            b"no such key sec%22ret%2fkey%5c12345",
        ] {
            let scrubbed = replace_key(echoed, key).expect("found");
            let text = String::from_utf8_lossy(&scrubbed);
            assert!(
                text.ends_with("no such key [API key]")
                    || text.ends_with("no such key [API key]\"}"),
                "{text}"
            );
        }
    }

    #[test]
    fn a_key_cut_at_the_end_of_a_kept_body_is_replaced() {
        let key = b"pk_live_PROBEKEY_0123456789abcdef";
        assert_eq!(
            replace_key(b"xxxxxxxxxxpk_live_PROBEKEY_012", key).as_deref(),
            Some(&b"xxxxxxxxxx[API key]"[..])
        );
        // Fewer than 4 bytes of it: too little to tell from ordinary text, and too little to matter.
        assert_eq!(replace_key(b"xxxxxxxxxxpk_", key), None);
    }
}
