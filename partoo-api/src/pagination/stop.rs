//! [`PaginationStop`]: why a page stream stopped with [`crate::Error::Pagination`].

use std::fmt;

/// Why a page stream stopped with [`crate::Error::Pagination`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PaginationStop {
    /// The envelope's `page` is not the page requested (a server that ignores `?page=` answers page 1 to
    /// every request).
    PageMismatch {
        /// The page number the envelope reported.
        echoed: i64,
    },
    /// The page's items are the same as an earlier page's (compared by a 64-bit digest of their JSON).
    RepeatedItems {
        /// The page they repeat (its number or position).
        previous: i64,
    },
    /// The page's `next_cursor` is a cursor this stream already followed (or the one its request was built
    /// with): following it would loop.
    RepeatedCursor {
        /// That cursor.
        cursor: String,
    },
    /// The stream reached its cap before the server said it was over ([`crate::ClientBuilder::max_pages`],
    /// [`super::Pages::max_pages`], [`super::CursorPages::max_pages`]).
    MaxPages {
        /// The cap, in pages.
        limit: u32,
    },
}

impl fmt::Display for PaginationStop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PaginationStop::PageMismatch { echoed } => write!(
                f,
                "the server answered page {echoed} instead, so it is not advancing"
            ),
            PaginationStop::RepeatedItems { previous } => write!(
                f,
                "its items repeat those of page {previous}, so the server is not advancing"
            ),
            PaginationStop::RepeatedCursor { cursor } => write!(
                f,
                "its next_cursor {cursor:?} was already followed, so the stream would loop"
            ),
            PaginationStop::MaxPages { limit } => write!(
                f,
                "the cap of {limit} pages is reached (raise it with ClientBuilder::max_pages or the stream's max_pages if this is expected)"
            ),
        }
    }
}
