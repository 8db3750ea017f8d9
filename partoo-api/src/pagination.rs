//! Streams over Partoo's paginated operations.
//!
//! Partoo pages list results: `?page=N` and a response `{"page": N, "max_page": M, "count": C, "<items>": [...]}`,
//! where the items key differs per operation. The build emits a [`PageRequest`] impl for every operation of
//! that shape (and a [`CursorRequest`] impl for `cursor`/`next_cursor` operations), so any such builder can
//! be streamed:
//!
//! ```no_run
//! use futures_util::TryStreamExt;
//! use partoo_api::{Client, Paginate};
//! # async fn run(client: Client) -> Result<(), partoo_api::Error> {
//! let businesses: Vec<_> = client.search_businesses().city("Paris").items().try_collect().await?;
//! let pages = client.search_businesses().pages().concurrency(4);
//! # Ok(()) }
//! ```
//!
//! Stopping rules, checked for every page in the order pages are yielded (with `concurrency(n)` too):
//!
//! - the stream ends after the page whose number reaches `max_page`, or after an empty page;
//! - it stops with [`Error::Pagination`] when the server is not advancing: the `page` its envelope echoes is
//!   not the page requested ([`PaginationStop::PageMismatch`]), the page's items are an earlier page's
//!   again ([`PaginationStop::RepeatedItems`], compared by a 64-bit digest of their JSON), or, for cursor
//!   streams, a `next_cursor` is one already followed or the one the request started at
//!   ([`PaginationStop::RepeatedCursor`]);
//! - and, so that a server that never ends cannot hold a caller forever, after a cap of pages
//!   ([`PaginationStop::MaxPages`]): [`crate::ClientBuilder::max_pages`] (default
//!   [`crate::DEFAULT_MAX_PAGES`], 10 000), overridden per stream by [`Pages::max_pages`] or
//!   [`CursorPages::max_pages`].
//!
//! Every such error names the operation and the page; no request is made after it. A stream starts at the
//! page parameter's `default` in the spec (page 0 for `get_api_keys`, `get_categories`, `search_categories` and
//! `search_template`, page 1 where the spec gives none):
//! the build reads it into [`PageRequest::FIRST_PAGE`]; [`Pages::start_at`] overrides it.
//!
//! With `concurrency(n)`, the first page is fetched alone to learn `max_page` (no request is ever made past
//! it: each one counts against Partoo's rate limit), then up to `n` requests are in flight and pages are
//! yielded in order. When the page at `max_page` reports a larger one (the collection grew meanwhile) or
//! none, the stream goes on past it, so it yields the same pages as with one request at a time. A slow page does not hold up the requests after it: the next page is requested as soon
//! as any exchange is over, and pages decode while the others wait on the network; at most `2n - 1`
//! finished pages wait behind a slow one. Dropping the stream (or an error ending it) cancels its requests.
//! Each page's body is read under [`crate::ClientBuilder::max_body`] like any other success body.
//!
//! A collection that changes under the stream: pages are read by number, so an item created or deleted
//! while the stream runs moves the items after it across page boundaries, and the stream may yield an item
//! twice or miss one. [`PaginationStop::RepeatedItems`] catches a page repeated whole, not one shifted item.
//! For a sync, key what you store by id (a repeat then overwrites itself), and check what you received
//! against [`Page::count`], the collection's size as the server reported it, to know whether one was
//! missed and the stream should run again.
//!
//! Typed items hold only the fields the spec declares. [`Pages::raw_items`] ([`Paginate::raw_items`],
//! [`CursorPages::raw_items`], [`PaginateCursor::cursor_raw_items`]) yields each item's JSON as the server
//! sent it instead, under the same requests, checks and stops; see the `raw` module for how the items are
//! found in the page's body.

use std::future::Future;

use futures_util::FutureExt;
use futures_util::stream::{self, BoxStream, StreamExt};
use serde::Serialize;

use crate::types::PartooError;
use crate::{Client, Error, GeneratedError, ResponseValue};

mod checks;
mod cursor;
mod raw;
mod stop;
mod window;

pub use cursor::{CursorPages, PaginateCursor};
pub use stop::PaginationStop;

use checks::{Fetched, in_order};
use raw::{Mode, Raw, Typed, send_keeping};
use serde_json::value::RawValue;
use window::Window;

/// A builder of a page-numbered operation (implemented by generated code).
pub trait PageRequest<'a>: Clone + Send + Sync + 'a {
    /// The operation's name (the `Client` method), named in [`Error::Pagination`].
    const OPERATION: &'static str;
    /// The page a stream starts at: the `default` of the operation's `page` parameter in the spec, 1 when it
    /// has none.
    const FIRST_PAGE: i64 = 1;
    /// The response envelope.
    type Page: serde::de::DeserializeOwned + Send + 'a;
    /// One item of the page (serialised to compare consecutive pages).
    type Item: Serialize + Send + 'a;
    /// The same request for page `page`.
    fn with_page(self, page: i64) -> Self;
    /// Sends the request.
    fn send_page(
        self,
    ) -> impl Future<Output = Result<ResponseValue<Self::Page>, GeneratedError<PartooError>>> + Send + 'a;
    /// `(page, max_page)` as the server reported them.
    fn page_numbers(page: &Self::Page) -> (Option<i64>, Option<i64>);
    /// The envelope's `count` (the size of the whole collection), for [`Page::count`]; `None` (the default)
    /// when it has none.
    fn count(_page: &Self::Page) -> Option<i64> {
        None
    }
    /// The items of a page.
    fn into_items(page: Self::Page) -> Vec<Self::Item>;
    /// The client the request is sent with, whose settings ([`crate::ClientBuilder::max_pages`]) the stream
    /// follows; `None` (the default) means the defaults.
    fn client(&self) -> Option<&'a Client> {
        None
    }
}

/// A builder of a cursor-paginated operation (implemented by generated code).
pub trait CursorRequest<'a>: Clone + Send + Sync + 'a {
    /// The operation's name (the `Client` method), named in [`Error::Pagination`].
    const OPERATION: &'static str;
    /// The response envelope.
    type Page: serde::de::DeserializeOwned + Send + 'a;
    /// One item of the page (serialised to compare consecutive pages).
    type Item: Serialize + Send + 'a;
    /// The same request continuing at `cursor`.
    fn with_cursor(self, cursor: String) -> Self;
    /// The cursor already set on the request, if any: the stream counts it as followed, so a page whose
    /// `next_cursor` leads back to it stops the stream. `None` (the default) when there is none.
    fn first_cursor(&self) -> Option<String> {
        None
    }
    /// Sends the request.
    fn send_page(
        self,
    ) -> impl Future<Output = Result<ResponseValue<Self::Page>, GeneratedError<PartooError>>> + Send + 'a;
    /// The cursor of the next page; `None` (or empty) when this was the last.
    fn next_cursor(page: &Self::Page) -> Option<String>;
    /// The envelope's `count` (the size of the whole collection), for [`Page::count`]; `None` (the default)
    /// when it has none.
    fn count(_page: &Self::Page) -> Option<i64> {
        None
    }
    /// The items of a page.
    fn into_items(page: Self::Page) -> Vec<Self::Item>;
    /// The client the request is sent with, whose settings ([`crate::ClientBuilder::max_pages`]) the stream
    /// follows; `None` (the default) means the defaults.
    fn client(&self) -> Option<&'a Client> {
        None
    }
}

/// One page of results.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    /// The page number requested (for cursor pagination, the 1-based position of the page).
    pub number: i64,
    /// `max_page` as the server reported it.
    pub max_page: Option<i64>,
    /// `count` as the server reported it: the size of the whole collection when this page was read (not of
    /// this page), for operations whose envelope has one. Compare it with the items received to see that a
    /// sync missed nothing (see "A collection that changes under the stream" in the module docs).
    pub count: Option<i64>,
    /// The items.
    pub items: Vec<T>,
}

/// The page cap of a stream: its own setting, else its client's, else [`crate::DEFAULT_MAX_PAGES`].
fn page_cap(own: Option<u32>, client: Option<&Client>) -> u32 {
    own.or_else(|| client.map(|c| crate::ClientInfo::inner(c).max_pages))
        .unwrap_or(crate::DEFAULT_MAX_PAGES)
        .max(1)
}

/// A page stream under construction: set the options, then call [`Pages::stream`] or [`Pages::items`].
#[derive(Clone, Debug)]
pub struct Pages<R> {
    request: R,
    first: i64,
    max_pages: Option<u32>,
    concurrency: usize,
}

impl<R> Pages<R> {
    /// The first page to request (default [`PageRequest::FIRST_PAGE`], the spec's default for the page
    /// parameter).
    pub fn start_at(mut self, page: i64) -> Self {
        self.first = page;
        self
    }

    /// Gives up with [`Error::Pagination`] after this many pages (default: the client's
    /// [`crate::ClientBuilder::max_pages`], 10 000 unless set). At least 1.
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.max_pages = Some(pages.max(1));
        self
    }

    /// Requests in flight after the first page (default 1: one at a time). Pages still come out in order;
    /// up to `2n - 1` finished pages are kept while a slower one before them is awaited.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }
}

/// Streams for every [`PageRequest`].
pub trait Paginate<'a>: PageRequest<'a> + Sized {
    /// The pages, configurable.
    fn pages(self) -> Pages<Self> {
        Pages {
            request: self,
            first: Self::FIRST_PAGE,
            max_pages: None,
            concurrency: 1,
        }
    }

    /// Every item of every page, one at a time.
    fn items(self) -> BoxStream<'a, Result<Self::Item, Error>> {
        self.pages().items()
    }

    /// Every item of every page as the server sent it (its JSON text, with the fields the spec does not
    /// declare): `self.pages().raw_items()`, see [`Pages::raw_items`].
    fn raw_items(self) -> BoxStream<'a, Result<Box<RawValue>, Error>>
    where
        Self::Page: Serialize,
    {
        self.pages().raw_items()
    }
}

impl<'a, R: PageRequest<'a>> Paginate<'a> for R {}

/// Fetches page `number` and splits it with `M`; a page whose envelope echoes another number is an error.
async fn fetch<'a, R, M>(request: R, number: i64) -> Result<Fetched<M::Out>, Error>
where
    R: PageRequest<'a>,
    M: Mode<R::Page, R::Item>,
{
    let client = request.client();
    let send = request.with_page(number).send_page();
    let (page, body) = send_keeping(send, M::KEEP_BODY).await?;
    let (echoed, max_page) = R::page_numbers(&page);
    let count = R::count(&page);
    if let Some(echoed) = echoed.filter(|&e| e != number) {
        return Err(Error::Pagination {
            operation: R::OPERATION,
            page: number,
            reason: PaginationStop::PageMismatch { echoed },
        });
    }
    let (items, digest) = raw::split::<M, _, _>(page, body, R::into_items, client)?;
    let page = Page {
        number,
        max_page,
        count,
        items,
    };
    Ok(Fetched::new(page, digest))
}

/// Whether the page after `page` should be fetched.
fn has_next<T>(page: &Page<T>) -> bool {
    !page.items.is_empty() && page.max_page.is_none_or(|max| page.number < max)
}

impl<'a, R: PageRequest<'a>> Pages<R> {
    /// The pages, in order.
    pub fn stream(self) -> BoxStream<'a, Result<Page<R::Item>, Error>> {
        self.run::<Typed>()
    }

    /// Every item of every page.
    pub fn items(self) -> BoxStream<'a, Result<R::Item, Error>> {
        flatten(self.stream())
    }

    /// The pages, each item as the server sent it: its JSON text, with the fields the spec does not declare
    /// (see [`Pages::raw_items`]).
    pub fn raw_stream(self) -> BoxStream<'a, Result<Page<Box<RawValue>>, Error>>
    where
        R::Page: Serialize,
    {
        self.run::<Raw>()
    }

    /// Every item of every page as the server sent it: its JSON text, untouched (key order, numbers, the
    /// fields the spec does not declare). The same requests, checks and stops as [`Pages::items`]; each page
    /// is still decoded into its envelope type, and its body is kept to cut the items out of. Decode an item
    /// with `serde_json::from_str(item.get())`. When the body is not kept (a `send_page` that bypasses the
    /// [`Client`]) or its items array cannot be told apart, the stream stops with [`Error::Decode`].
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
        let Pages {
            request,
            first,
            max_pages,
            concurrency,
        } = self;
        let max_pages = page_cap(max_pages, request.client());
        let cap = first.saturating_add(i64::from(max_pages));
        let limit = move |page: i64| Error::Pagination {
            operation: R::OPERATION,
            page,
            reason: PaginationStop::MaxPages { limit: max_pages },
        };
        let first_page = stream::once(fetch::<R, M>(request.clone(), first));
        let pages = first_page.flat_map(
            move |result| -> BoxStream<'a, Result<Fetched<M::Out>, Error>> {
                let fetched = match result {
                    Ok(fetched) => fetched,
                    Err(e) => return stream::iter([Err(e)]).boxed(),
                };
                if !has_next(&fetched.page) {
                    return stream::iter([Ok(fetched)]).boxed();
                }
                // Saturating: a stream started at `i64::MAX` has `cap == i64::MAX` and stops at its cap.
                let next = fetched.page.number.saturating_add(1);
                let known_max = fetched.page.max_page;
                let head = stream::iter([Ok(fetched)]);
                let rest = match (concurrency, known_max) {
                    (n, Some(max)) if n > 1 => {
                        let request = request.clone();
                        let fetch = move |n| fetch::<R, M>(request.clone(), n).boxed();
                        Window::new(fetch, next, max, n, cap, limit).boxed()
                    }
                    _ => sequential::<R, M>(request.clone(), next, cap, limit),
                };
                head.chain(rest).boxed()
            },
        );
        in_order(pages, R::OPERATION)
    }
}

/// The items of a page stream, one at a time.
fn flatten<'a, T: Send + 'a>(
    pages: BoxStream<'a, Result<Page<T>, Error>>,
) -> BoxStream<'a, Result<T, Error>> {
    pages
        .flat_map(|page| match page {
            Ok(page) => stream::iter(page.items.into_iter().map(Ok).collect::<Vec<_>>()),
            Err(e) => stream::iter(vec![Err(e)]),
        })
        .boxed()
}

fn sequential<'a, R: PageRequest<'a>, M: Mode<R::Page, R::Item>>(
    request: R,
    next: i64,
    cap: i64,
    limit: impl Fn(i64) -> Error + Send + 'a,
) -> BoxStream<'a, Result<Fetched<M::Out>, Error>>
where
    M::Out: 'a,
{
    stream::unfold(Some(next), move |state| {
        let request = request.clone();
        let err = state.filter(|&n| n >= cap).map(&limit);
        async move {
            let number = state?;
            if let Some(err) = err {
                return Some((Err(err), None));
            }
            match fetch::<R, M>(request, number).await {
                Ok(fetched) => {
                    let next = has_next(&fetched.page).then_some(number + 1);
                    Some((Ok(fetched), next))
                }
                Err(e) => Some((Err(e), None)),
            }
        }
    })
    .boxed()
}

/// The items field of a page envelope: `Vec<T>` or `Option<Vec<T>>`.
pub trait IntoItems {
    /// One item.
    type Item;
    /// The items, empty for `None`.
    fn into_items(self) -> Vec<Self::Item>;
}

impl<T> IntoItems for Vec<T> {
    type Item = T;
    fn into_items(self) -> Vec<T> {
        self
    }
}

impl<T> IntoItems for Option<Vec<T>> {
    type Item = T;
    fn into_items(self) -> Vec<T> {
        self.unwrap_or_default()
    }
}

/// A page number on its way into a generated `page` setter, whatever integer type the spec made of it
/// (`minimum: 1` gives `NonZeroU64`, `format: int32` gives `i32`, …). A number the type cannot hold (page 0
/// for a `NonZeroU64`, a negative page for a `u64`) makes the builder's own conversion error, reported when
/// the request is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageNumber(pub i64);

macro_rules! page_number_into {
    ($($ty:ty),*) => {$(
        impl TryFrom<PageNumber> for $ty {
            type Error = std::num::TryFromIntError;
            fn try_from(page: PageNumber) -> Result<Self, Self::Error> {
                <$ty>::try_from(page.0)
            }
        }
    )*};
}

page_number_into!(i32, u64, u32);

impl From<PageNumber> for i64 {
    fn from(page: PageNumber) -> Self {
        page.0
    }
}

impl TryFrom<PageNumber> for std::num::NonZeroU64 {
    type Error = std::num::TryFromIntError;
    fn try_from(page: PageNumber) -> Result<Self, Self::Error> {
        Self::try_from(u64::try_from(page.0)?)
    }
}

impl TryFrom<PageNumber> for std::num::NonZeroU32 {
    type Error = std::num::TryFromIntError;
    fn try_from(page: PageNumber) -> Result<Self, Self::Error> {
        Self::try_from(u32::try_from(page.0)?)
    }
}

impl From<PageNumber> for f64 {
    /// Page numbers are far below 2^53: the conversion is exact.
    #[allow(clippy::cast_precision_loss)]
    fn from(page: PageNumber) -> Self {
        page.0 as f64
    }
}

/// A page number from whatever type the spec gave it (integer, newtype, option, number).
pub fn number<T: Serialize>(value: &T) -> Option<i64> {
    match serde_json::to_value(value).ok()? {
        serde_json::Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A cursor from whatever type the spec gave it.
pub fn text<T: Serialize>(value: &T) -> Option<String> {
    match serde_json::to_value(value).ok()? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}
