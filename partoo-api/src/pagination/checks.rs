//! The check that needs pages in order: a page whose items are the previous page's again means the server is
//! not advancing. Each page's digest (of its typed items, or of the items' JSON as received in a stream of raw
//! items) is computed where it is decoded (for a concurrent stream, while other requests wait on the network); [`in_order`] compares each
//! yielded page with the one before it.

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

/// The pages of `pages`, which come in order; a non-empty page with the same digest as the page before it
/// becomes an [`Error::Pagination`]. The stream ends after its first error, dropping `pages` (and with it
/// any request in flight).
pub(super) fn in_order<'a, T, S>(
    pages: S,
    operation: &'static str,
) -> BoxStream<'a, Result<Page<T>, Error>>
where
    T: Send + 'a,
    S: Stream<Item = Result<Fetched<T>, Error>> + Send + 'a,
{
    let start = Some((pages.boxed(), None::<(i64, u64)>));
    stream::unfold(start, move |state| async move {
        let (mut pages, previous) = state?;
        match pages.next().await? {
            Ok(Fetched { page, digest }) => {
                if let (Some((before, seen)), Some(digest)) = (previous, digest)
                    && seen == digest
                    && !page.items.is_empty()
                {
                    let stop = Error::Pagination {
                        operation,
                        page: page.number,
                        reason: PaginationStop::RepeatedItems { previous: before },
                    };
                    return Some((Err(stop), None));
                }
                let previous = digest.map(|d| (page.number, d));
                Some((Ok(page), Some((pages, previous))))
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
