//! Items as the server sent them: [`super::Pages::raw_items`] and [`super::CursorPages::raw_items`].
//!
//! A typed item keeps only the fields the spec declares; re-encoding it drops the others. A raw stream runs
//! the same requests, checks and stops as the typed one (every page is still decoded into its envelope type,
//! which gives `page`, `max_page` and `next_cursor`), but also keeps each page's body as read (under
//! [`crate::ClientBuilder::max_body`]) and yields the items' JSON text from it, untouched: key order,
//! numbers, unknown fields and whitespace as received. Its repeated-page check compares that text too.
//!
//! The body's items array is the envelope's top-level array that holds as many items as the typed page.
//! Should the body carry several such arrays, the one the envelope type declares is taken (the typed page
//! is re-encoded to tell which); should that still be ambiguous, or should the body not have been kept (a
//! [`super::PageRequest`] whose `send_page` bypasses a [`crate::Client`]), the stream stops with
//! [`Error::Decode`] holding the body, rather than hand out the typed items instead.

use std::sync::Arc;

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::checks::digest;
use crate::hooks::{RAW_SUCCESS, RawCell};
use crate::types::PartooError;
use crate::{Client, Error, GeneratedError, ResponseValue, SendExt};

/// What a stream makes of a decoded page: its typed items ([`Typed`]) or their JSON as received ([`Raw`]).
pub(super) trait Mode<P, I>: Send + 'static {
    /// One item as the stream yields it.
    type Out: Send;
    /// Whether each page's body must be kept as read.
    const KEEP_BODY: bool;
    /// The page's items and their digest (for the repeated-page check: of the typed items, or of the raw
    /// ones for [`Raw`]); why the items could not be found in `body`.
    fn split(
        page: P,
        body: Option<&Bytes>,
        into_items: fn(P) -> Vec<I>,
    ) -> Result<(Vec<Self::Out>, Option<u64>), String>;
}

/// The typed items.
pub(super) struct Typed;

/// Each item's JSON, as received.
pub(super) struct Raw;

impl<P, I: Serialize + Send> Mode<P, I> for Typed {
    type Out = I;
    const KEEP_BODY: bool = false;

    fn split(
        page: P,
        _: Option<&Bytes>,
        into_items: fn(P) -> Vec<I>,
    ) -> Result<(Vec<I>, Option<u64>), String> {
        let items = into_items(page);
        let digest = digest(&items);
        Ok((items, digest))
    }
}

impl<P: Serialize, I: Serialize> Mode<P, I> for Raw {
    type Out = Box<RawValue>;
    const KEEP_BODY: bool = true;

    fn split(
        page: P,
        body: Option<&Bytes>,
        into_items: fn(P) -> Vec<I>,
    ) -> Result<(Vec<Box<RawValue>>, Option<u64>), String> {
        let body = body.ok_or_else(|| {
            "the page's body was not kept (its request did not go through a partoo_api Client), so its \
             items cannot be handed out as received"
                .to_owned()
        })?;
        let envelope: Vec<(String, &RawValue)> = top_level(body)?;
        let mut arrays: Vec<(String, Vec<&RawValue>)> = envelope
            .into_iter()
            .filter(|(_, value)| value.get().starts_with('['))
            .map(|(key, value)| {
                serde_json::from_str(value.get())
                    .map(|items| (key, items))
                    .map_err(|e| format!("the page's body is not JSON: {e}"))
            })
            .collect::<Result<_, _>>()?;
        if arrays.len() > 1 {
            // Several arrays: keep those the envelope type declares (re-encoded, only they are arrays).
            let typed = serde_json::to_value(&page)
                .map_err(|e| format!("the page does not re-encode: {e}"))?;
            arrays.retain(|(key, _)| typed.get(key).is_some_and(serde_json::Value::is_array));
        }
        let items = into_items(page);
        if items.is_empty() {
            return Ok((Vec::new(), digest(&items)));
        }
        let mut fitting = arrays
            .into_iter()
            .filter(|(_, raw)| raw.len() == items.len());
        match (fitting.next(), fitting.next()) {
            // The digest of the items as received: typed, items that differ only in fields the spec does not
            // declare would look the same, and a page of them would be taken for a repeat.
            (Some((_, raw)), None) => Ok((
                raw.iter().map(|item| (*item).to_owned()).collect(),
                digest(&raw),
            )),
            (None, _) => Err(format!(
                "the page's body has no top-level array of its {} items",
                items.len()
            )),
            (Some((a, _)), Some((b, _))) => Err(format!(
                "the page's body has several arrays of {} items (`{a}`, `{b}`): cannot tell which holds \
                 the items",
                items.len()
            )),
        }
    }
}

/// The members of the JSON object `body`, in order.
fn top_level(body: &[u8]) -> Result<Vec<(String, &RawValue)>, String> {
    struct Members<'de>(Vec<(String, &'de RawValue)>);
    impl<'de> serde::Deserialize<'de> for Members<'de> {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct Visit;
            impl<'de> serde::de::Visitor<'de> for Visit {
                type Value = Members<'de>;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("a JSON object")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<Self::Value, A::Error> {
                    let mut members = Vec::new();
                    while let Some(member) = map.next_entry::<String, &'de RawValue>()? {
                        members.push(member);
                    }
                    Ok(Members(members))
                }
            }
            d.deserialize_map(Visit)
        }
    }
    serde_json::from_slice::<Members<'_>>(body)
        .map(|m| m.0)
        .map_err(|e| format!("the page's body is not a JSON object: {e}"))
}

/// Awaits a page request; with `keep`, also returns its success body as read.
pub(super) async fn send_keeping<T, F>(send: F, keep: bool) -> Result<(T, Option<Bytes>), Error>
where
    F: Future<Output = Result<ResponseValue<T>, GeneratedError<PartooError>>> + Send,
    T: DeserializeOwned + Send,
{
    if !keep {
        return send.into_result().await.map(|page| (page, None));
    }
    let cell: RawCell = Arc::default();
    let page = RAW_SUCCESS
        .scope(Arc::clone(&cell), send.into_result())
        .await?;
    let body = cell.lock().ok().and_then(|mut slot| slot.take());
    Ok((page, body))
}

/// Splits a page with `M`; a body the items cannot be found in is an [`Error::Decode`] that holds it (at
/// most the client's `max_error_body` bytes).
pub(super) fn split<M: Mode<P, I>, P, I>(
    page: P,
    body: Option<Bytes>,
    into_items: fn(P) -> Vec<I>,
    client: Option<&Client>,
) -> Result<(Vec<M::Out>, Option<u64>), Error> {
    M::split(page, body.as_ref(), into_items).map_err(|message| {
        let raw = body.unwrap_or_default();
        let limit = client.map_or(crate::DEFAULT_MAX_ERROR_BODY, |c| {
            crate::ClientInfo::inner(c).max_error_body
        });
        Error::Decode {
            status: None,
            path: String::new(),
            message,
            excerpt: String::from_utf8_lossy(&raw).chars().take(300).collect(),
            truncated: raw.len() > limit,
            raw: raw.slice(..raw.len().min(limit)),
        }
    })
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::{Mode, Raw};

    #[derive(serde::Serialize)]
    struct Envelope {
        page: i64,
        items: Vec<u32>,
    }

    fn into_items(page: Envelope) -> Vec<u32> {
        page.items
    }

    fn split(body: &str, items: Vec<u32>) -> Result<Vec<String>, String> {
        let page = Envelope { page: 1, items };
        let body = Bytes::from(body.to_owned());
        <Raw as Mode<Envelope, u32>>::split(page, Some(&body), into_items)
            .map(|(raw, _)| raw.iter().map(|r| r.get().to_owned()).collect())
    }

    #[test]
    fn the_declared_array_wins_over_an_undeclared_one_of_the_same_length() {
        let body = r#"{"extra": ["x", "y"], "page": 1, "items": [ 1 , {"id": 2}]}"#;
        assert_eq!(
            split(body, vec![1, 2]),
            Ok(vec!["1".into(), r#"{"id": 2}"#.into()])
        );
        // Only one array: no need to re-encode the envelope.
        let body = r#"{"page": 1, "items": [3]}"#;
        assert_eq!(split(body, vec![3]), Ok(vec!["3".into()]));
    }

    #[test]
    fn an_empty_page_has_no_raw_items_whatever_else_the_body_holds() {
        let body = r#"{"page": 1, "items": null, "warnings": ["w"]}"#;
        assert_eq!(split(body, vec![]), Ok(vec![]));
    }

    #[test]
    fn a_body_that_does_not_match_the_typed_page_is_an_error() {
        let no_array = split(r#"{"page": 1, "items": {"a": 1}}"#, vec![1]);
        assert!(no_array.is_err_and(|e| e.contains("no top-level array of its 1 items")));
        let not_object = split("[1]", vec![1]);
        assert!(not_object.is_err_and(|e| e.contains("not a JSON object")));
    }
}
