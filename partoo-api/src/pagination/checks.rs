//! The check that needs pages in order: a page whose items are an earlier page's again means the server is
//! not advancing (or is cycling). Each page's digest (of its typed items, or of the items' JSON as received
//! in a stream of raw items) is computed where it is decoded (for a concurrent stream, while other requests
//! wait on the network); [`in_order`] compares each yielded page with every page before it.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hasher};
use std::io::{BufWriter, Write};

use futures_util::stream::{self, BoxStream, Stream, StreamExt};
use serde::Serialize;

use super::Page;
use crate::{Error, PaginationStop};

/// A page and the digest of its items.
pub(super) struct Fetched<T> {
    pub(super) page: Page<T>,
    /// `None` when the items do not serialise (then the page is not compared).
    digest: Option<u64>,
}

impl<T> Fetched<T> {
    /// `page`, with the digest of its items (see [`digest`]).
    pub(super) fn new(page: Page<T>, digest: Option<u64>) -> Self {
        Fetched { page, digest }
    }
}

/// Feeds what is written into a hasher.
struct HashWriter(DefaultHasher);

impl Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A 64-bit digest (SipHash with fixed keys) of the items' JSON, streamed into the hasher without building
/// the text: two pages with the same items have the same digest; two different pages one in 2^64.
pub(super) fn digest<T: Serialize>(items: &[T]) -> Option<u64> {
    let mut out = BufWriter::with_capacity(8 * 1024, HashWriter(DefaultHasher::new()));
    serde_json::to_writer(&mut out, items).ok()?;
    let writer = out.into_inner().ok()?;
    Some(writer.0.finish())
}

/// The pages of `pages`, which come in order; a non-empty page with the same digest as any page before it
/// becomes an [`Error::Pagination`] naming the first such page. The stream ends after its first error,
/// dropping `pages` (and with it any request in flight).
pub(super) fn in_order<'a, T, S>(
    pages: S,
    operation: &'static str,
) -> BoxStream<'a, Result<Page<T>, Error>>
where
    T: Send + 'a,
    S: Stream<Item = Result<Fetched<T>, Error>> + Send + 'a,
{
    // Digest → the first page that had it; one entry per non-empty page, so bounded by the page cap.
    let start = Some((pages.boxed(), HashMap::<u64, i64>::new()));
    stream::unfold(start, move |state| async move {
        let (mut pages, mut seen) = state?;
        match pages.next().await? {
            Ok(Fetched { page, digest }) => {
                if let Some(digest) = digest.filter(|_| !page.items.is_empty()) {
                    if let Some(&before) = seen.get(&digest) {
                        let stop = Error::Pagination {
                            operation,
                            page: page.number,
                            reason: PaginationStop::RepeatedItems { previous: before },
                        };
                        return Some((Err(stop), None));
                    }
                    seen.insert(digest, page.number);
                }
                Some((Ok(page), Some((pages, seen))))
            }
            Err(e) => Some((Err(e), None)),
        }
    })
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::digest;

    #[test]
    fn digests_tell_pages_apart_by_their_items() {
        assert_eq!(digest(&["a", "b"]), digest(&["a", "b"]));
        assert_ne!(digest(&["a", "b"]), digest(&["b", "a"]));
        assert_ne!(digest(&["ab"]), digest(&["a", "b"]));
        assert_ne!(digest::<u32>(&[]), digest(&[0]));
    }
}
