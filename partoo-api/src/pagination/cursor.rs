//! Cursor streams: `cursor`/`next_cursor` operations, followed until the server gives no next cursor.

use std::collections::HashSet;

use futures_util::stream::{self, BoxStream};

use serde::Serialize;
use serde_json::value::RawValue;

use super::checks::{Fetched, in_order};
use super::raw::{Mode, Raw, Typed, send_keeping, split};
use super::{CursorRequest, Page, flatten, page_cap};
use crate::{Error, PaginationStop};

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
    /// [`Error::Pagination`] when a `next_cursor` is one already followed or the cursor the request was
    /// built with (after yielding the page that gave it), when a page's items repeat an earlier page's, and
    /// at the page cap.
    pub fn stream(self) -> BoxStream<'a, Result<Page<R::Item>, Error>> {
        self.run::<Typed>()
    }

    /// Every item, following the cursor.
    pub fn items(self) -> BoxStream<'a, Result<R::Item, Error>> {
        flatten(self.stream())
    }

    /// The pages, each item as the server sent it (see [`CursorPages::raw_items`]).
    pub fn raw_stream(self) -> BoxStream<'a, Result<Page<Box<RawValue>>, Error>>
    where
        R::Page: Serialize,
    {
        self.run::<Raw>()
    }

    /// Every item, following the cursor, as the server sent it: its JSON text, untouched, with the fields the
    /// spec does not declare. The same requests, checks and stops as [`CursorPages::items`] (see
    /// [`super::Pages::raw_items`]).
    pub fn raw_items(self) -> BoxStream<'a, Result<Box<RawValue>, Error>>
    where
        R::Page: Serialize,
    {
        flatten(self.raw_stream())
    }

    fn run<M: Mode<R::Page, R::Item>>(self) -> BoxStream<'a, Result<Page<M::Out>, Error>>
    where
        M::Out: 'a,
    {
        let max_pages = page_cap(self.max_pages, self.request.client());
        // A cursor the caller set is where the stream starts: leading back to it is a repeat too.
        let used = self
            .request
            .first_cursor()
            .filter(|c| !c.is_empty())
            .into_iter()
            .collect();
        let start = State {
            request: self.request,
            next: Next::Request(None),
            number: 1,
            used,
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
            let client = this.client();
            let (page, body) = match send_keeping(this.send_page(), M::KEEP_BODY).await {
                Ok(sent) => sent,
                Err(e) => return Some((Err(e), None)),
            };
            let next_cursor = R::next_cursor(&page).filter(|c| !c.is_empty());
            let count = R::count(&page);
            let (items, digest) = match split::<M, _, _>(page, body, R::into_items, client) {
                Ok(split) => split,
                Err(e) => return Some((Err(e), None)),
            };
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
            let page = Page {
                number,
                max_page: None,
                count,
                items,
            };
            let fetched = Fetched::new(page, digest);
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
}

/// Streams for every [`CursorRequest`].
pub trait PaginateCursor<'a>: CursorRequest<'a> + Sized {
    /// The pages, configurable (the page cap). Not named `cursor`: every generated cursor builder has a
    /// `cursor(value)` setter of its own, which method syntax would find first.
    fn cursor_paging(self) -> CursorPages<Self> {
        CursorPages {
            request: self,
            max_pages: None,
        }
    }

    /// The pages with the default settings: `self.cursor_paging().stream()`.
    fn cursor_pages(self) -> BoxStream<'a, Result<Page<Self::Item>, Error>> {
        self.cursor_paging().stream()
    }

    /// Every item, following the cursor: `self.cursor_paging().items()`.
    fn cursor_items(self) -> BoxStream<'a, Result<Self::Item, Error>> {
        self.cursor_paging().items()
    }

    /// Every item, following the cursor, as the server sent it: `self.cursor_paging().raw_items()`, see
    /// [`CursorPages::raw_items`].
    fn cursor_raw_items(self) -> BoxStream<'a, Result<Box<RawValue>, Error>>
    where
        Self::Page: Serialize,
    {
        self.cursor_paging().raw_items()
    }
}

impl<'a, R: CursorRequest<'a>> PaginateCursor<'a> for R {}
