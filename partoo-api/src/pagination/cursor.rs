//! Cursor streams: `cursor`/`next_cursor` operations, followed until the server gives no next cursor.

use std::collections::HashSet;

use futures_util::stream::{self, BoxStream};

use super::checks::{Fetched, in_order};
use super::{CursorRequest, Page, flatten, page_cap};
use crate::{Error, PaginationStop, SendExt};

/// A cursor stream under construction: set the options, then call [`CursorPages::stream`] or
/// [`CursorPages::items`].
#[derive(Clone, Debug)]
pub struct CursorPages<R> {
    request: R,
    max_pages: Option<u32>,
}

impl<R> CursorPages<R> {
    /// Gives up with [`Error::Pagination`] after this many pages (default: the client's
    /// [`crate::ClientBuilder::max_pages`], 10 000 unless set). At least 1.
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.max_pages = Some(pages.max(1));
        self
    }
}

/// What the stream does next.
enum Next {
    /// Request the page at this cursor (`None`: the request as built, for the first page).
    Request(Option<String>),
    /// Yield this error and end.
    Stop(Error),
}

/// Where a cursor stream is.
struct State<R> {
    request: R,
    next: Next,
    /// The position of the next page, from 1.
    number: i64,
    /// Cursors followed so far.
    used: HashSet<String>,
}

impl<'a, R: CursorRequest<'a>> CursorPages<R> {
    /// The pages, following `next_cursor` until it is null or empty, or a page is empty. Stops with
    /// [`Error::Pagination`] when a `next_cursor` is one already followed (after yielding the page that
    /// gave it), when a page's items repeat the previous page's, and at the page cap.
    pub fn stream(self) -> BoxStream<'a, Result<Page<R::Item>, Error>> {
        let max_pages = page_cap(self.max_pages, self.request.client());
        let start = State {
            request: self.request,
            next: Next::Request(None),
            number: 1,
            used: HashSet::new(),
        };
        let pages = stream::unfold(Some(start), move |state| async move {
            let State {
                request,
                next,
                number,
                mut used,
            } = state?;
            let cursor = match next {
                Next::Stop(e) => return Some((Err(e), None)),
                Next::Request(cursor) => cursor,
            };
            if number > i64::from(max_pages) {
                let stop = Error::Pagination {
                    operation: R::OPERATION,
                    page: number,
                    reason: PaginationStop::MaxPages { limit: max_pages },
                };
                return Some((Err(stop), None));
            }
            let this = match cursor {
                Some(c) => {
                    used.insert(c.clone());
                    request.clone().with_cursor(c)
                }
                None => request.clone(),
            };
            let page = match this.send_page().into_result().await {
                Ok(page) => page,
                Err(e) => return Some((Err(e), None)),
            };
            let next_cursor = R::next_cursor(&page).filter(|c| !c.is_empty());
            let items = R::into_items(page);
            let next = match next_cursor {
                _ if items.is_empty() => None,
                None => None,
                Some(c) if used.contains(&c) => Some(Next::Stop(Error::Pagination {
                    operation: R::OPERATION,
                    page: number,
                    reason: PaginationStop::RepeatedCursor { cursor: c },
                })),
                Some(c) => Some(Next::Request(Some(c))),
            };
            let fetched = Fetched::new(Page {
                number,
                max_page: None,
                items,
            });
            let state = next.map(|next| State {
                request,
                next,
                number: number + 1,
                used,
            });
            Some((Ok(fetched), state))
        });
        in_order(pages, R::OPERATION)
    }

    /// Every item, following the cursor.
    pub fn items(self) -> BoxStream<'a, Result<R::Item, Error>> {
        flatten(self.stream())
    }
}

/// Streams for every [`CursorRequest`].
pub trait PaginateCursor<'a>: CursorRequest<'a> + Sized {
    /// The pages, configurable (the page cap).
    fn cursor(self) -> CursorPages<Self> {
        CursorPages {
            request: self,
            max_pages: None,
        }
    }

    /// The pages with the default settings: `self.cursor().stream()`.
    fn cursor_pages(self) -> BoxStream<'a, Result<Page<Self::Item>, Error>> {
        self.cursor().stream()
    }

    /// Every item, following the cursor: `self.cursor().items()`.
    fn cursor_items(self) -> BoxStream<'a, Result<Self::Item, Error>> {
        self.cursor().items()
    }
}

impl<'a, R: CursorRequest<'a>> PaginateCursor<'a> for R {}
