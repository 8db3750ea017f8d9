//! Typed mocks of Partoo for your own tests (feature `mock`).
//!
//! Built on the [`httpmock`] crate (re-exported, so your tests use the version these types were made for) and
//! generated from the same document as the client, so a mock cannot drift from the API:
//!
//! - [`MockServerExt`] adds one method per operation to [`MockServer`], named like the
//!   client's methods: `server.get_my_user(|when, then| { then.ok(&user); })`. The closure gets the
//!   operation's wrappers from [`operations`]: `When` matches the method and path and has a typed matcher per
//!   parameter (`when.city("Paris")`), which expects the value as the client sends it (percent-encoded in the
//!   path, written by the client's query serializer, an array as exactly its list of values); `Then` has a
//!   method per documented response (`ok`, `not_found`, `client_error(status, ..)`) taking the typed body.
//! - [`WhenExt::api_key`] matches the `x-APIKey` header, [`ThenExt::partoo_error`] answers a 4xx or 5xx status
//!   (400 to 599) with Partoo's error body, and [`MockPagesExt::mock_pages`] serves a `Vec` of items as the pages of a list
//!   operation.
//!
//! A request no mock matches gets httpmock's `404 Not Found`, so the client call fails at once with an
//! [`Error::Api`](crate::Error::Api) of status 404 instead of waiting; `mock.assert()` then panics with the
//! closest request the server saw and how it differs.
//!
//! ```
//! use partoo_api::mock::httpmock::MockServer;
//! use partoo_api::mock::{MockServerExt, WhenExt};
//! use partoo_api::{Client, SendExt, types};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let server = MockServer::start_async().await;
//! let user: types::UserWithFeatures = serde_json::from_value(serde_json::json!({"id": "u1", "email": "a@b.c"})).unwrap();
//! let me = server.get_my_user(|when, then| {
//!     when.api_key("secret");
//!     then.ok(&user);
//! });
//! let client = Client::builder().api_key("secret").base_url(server.base_url()).build().unwrap();
//! let got = client.get_my_user().send().into_result().await.unwrap();
//! assert_eq!(got.email.as_deref(), Some("a@b.c"));
//! me.assert();
//! # }
//! ```

use httpmock::{Mock, MockServer, Then, When};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::types::PartooError;

pub use httpmock;

pub use crate::generated::mock::{MockServerExt, operations};

/// The header Partoo reads the API key from.
pub const API_KEY_HEADER: &str = "x-APIKey";

/// Request matchers shared by every operation's `When` wrapper (and httpmock's own [`When`]).
pub trait WhenExt: Sized {
    /// Wraps httpmock's matcher builder.
    fn from_httpmock(inner: When) -> Self;
    /// The httpmock matcher builder, for the matchers the wrapper does not type.
    fn into_httpmock(self) -> When;

    /// Matches only requests that carry `key` in the `x-APIKey` header.
    fn api_key(self, key: &str) -> Self {
        Self::from_httpmock(self.into_httpmock().header(API_KEY_HEADER, key))
    }
}

/// Responses shared by every operation's `Then` wrapper (and httpmock's own [`Then`]).
pub trait ThenExt: Sized {
    /// Wraps httpmock's response builder.
    fn from_httpmock(inner: Then) -> Self;
    /// The httpmock response builder, for responses the wrapper does not type.
    fn into_httpmock(self) -> Then;

    /// Answers `status` with Partoo's error body, whatever statuses the operation documents: the client decodes
    /// it into [`Error::Api`](crate::Error) with the status and the details, or for a 429 into
    /// [`Error::RateLimited`](crate::Error). A client with the default retry policy repeats a 429 and a 5xx
    /// before it returns them, so the mock is called more than once: build the client under test with
    /// `RetryPolicy::none()` to count one call.
    ///
    /// # Panics
    /// When `status` is not 400 to 599: a 2xx would decode as a success, a 3xx lose the details.
    #[track_caller]
    fn partoo_error(self, status: u16, error: &PartooError) -> Self {
        assert!(
            (400..=599).contains(&status),
            "partoo_error: {status} is not an error status (400 to 599); answer a success with the \
             operation's own `then.ok(..)` or `then.success(..)`"
        );
        Self::from_httpmock(
            self.into_httpmock()
                .status(status)
                .header("content-type", "application/json")
                .json_body_obj(error),
        )
    }
}

impl WhenExt for When {
    fn from_httpmock(inner: When) -> Self {
        inner
    }
    fn into_httpmock(self) -> When {
        self
    }
}

impl ThenExt for Then {
    fn from_httpmock(inner: Then) -> Self {
        inner
    }
    fn into_httpmock(self) -> Then {
        self
    }
}

/// A Partoo error body with `errors` set, e.g. `partoo_error(json!({"json": {"name": ["required"]}}))`.
pub fn partoo_error(errors: serde_json::Value) -> PartooError {
    PartooError {
        errors: Some(errors),
        error: None,
    }
}

/// A path parameter's value as the client puts it in the path, escaped for the path regex of the generated
/// matchers: percent-encoded by the same function the client uses (`progenitor_client::encode_path`: `a b` →
/// `a%20b`, `a/b` → `a%2Fb`), then regex-escaped, so `b.42` does not match `bx42`. Called by the generated
/// `When` wrappers.
#[doc(hidden)]
pub fn path_segment(value: &str) -> String {
    regex::escape(&progenitor_client::encode_path(value))
}

/// Matches the query parameter `name` against `value` as the client sends it: the text its query serializer
/// writes (`1.0` for the float 1, `True` for the JSON string `"True"`), no parameter when it writes none (a
/// JSON `null`), and always the whole ordered list of that key's values, so one value matches a request that
/// sends it once, and a JSON array only the same list. Called by the generated `When` wrappers.
///
/// # Panics
/// When the client's serializer refuses `value` too (a JSON object holding an array, …).
#[doc(hidden)]
#[track_caller]
pub fn query_value<T: Serialize + ?Sized>(when: When, name: &str, value: &T) -> When {
    let pairs = sent_pairs(name, value);
    if pairs.is_empty() {
        return when.query_param_missing(name);
    }
    // Also for one value: `query_param` only asks that the pair be there, so `[1]` would match `[1, 2]`.
    match_repeated(when, &pairs)
}

/// Matches the array query parameter `name` of `operation` as the client sends it, each element written by its
/// query serializer (`1.0` for the float 1): one comma-separated value for the operation's `csv_query`
/// parameters, else exactly the elements' ordered list of `name=value` pairs (no more, no fewer, no other
/// order); an empty array is sent as no parameter at all. Called by the generated `When` wrappers.
///
/// # Panics
/// When the client refuses an element too: one its serializer refuses (a nested array, …), or one with a
/// comma in a comma-separated array.
#[doc(hidden)]
#[track_caller]
pub fn query_array<T: Serialize>(when: When, operation: &str, name: &str, values: &[T]) -> When {
    let pairs = sent_pairs(name, values);
    if pairs.is_empty() {
        return when.query_param_missing(name);
    }
    let csv = crate::operations::find(operation).is_some_and(|m| m.csv_query.contains(&name));
    if csv {
        let joined: Vec<&str> = pairs.iter().map(|(_, value)| value.as_str()).collect();
        if let Some(comma) = joined.iter().find(|value| value.contains(',')) {
            panic!("{}", crate::hooks::comma_in_csv(name, comma));
        }
        when.query_param(name, joined.join(","))
    } else {
        match_repeated(when, &pairs)
    }
}

/// The decoded `(key, value)` pairs of the client's query string for the parameter `name` holding `value`.
#[track_caller]
fn sent_pairs<T: Serialize + ?Sized>(name: &str, value: &T) -> Vec<(String, String)> {
    // reqwest writes the query with serde_urlencoded; the same serializer gives the same text.
    let query = progenitor_client::QueryParam::new(name, &value);
    let text = serde_urlencoded::to_string(&query).unwrap_or_else(|e| {
        panic!("query parameter `{name}`: the client cannot send this value either: {e}")
    });
    url::form_urlencoded::parse(text.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// One matcher per key of `pairs`: the request's values of that key, in order, are exactly `pairs`' values.
/// httpmock's `query_param` for each pair comes first: it alone cannot tell `[1]` from `[1, 2]`, but its
/// mismatch names the parameter and both values in `assert`'s message, where the exact check (a custom
/// matcher) says only "is_true did not match".
fn match_repeated(mut when: When, pairs: &[(String, String)]) -> When {
    for (key, value) in pairs {
        when = when.query_param(key, value);
    }
    let mut keys: Vec<&str> = Vec::new();
    for (key, _) in pairs {
        if !keys.contains(&key.as_str()) {
            keys.push(key);
        }
    }
    for key in keys {
        let expected: Vec<String> = pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, value)| value.clone())
            .collect();
        let key = key.to_owned();
        when = when.is_true(move |request: &httpmock::HttpMockRequest| {
            let sent = request.query_params();
            let values = sent.iter().filter(|(k, _)| *k == key).map(|(_, v)| v);
            values.eq(expected.iter())
        });
    }
    when
}

/// The `When` of an operation with Partoo's page envelope (`?page=N` → `{page, max_page, count, <items>}`);
/// implemented by the generated code with the operation's own page and item types.
pub trait PagedOperation: WhenExt {
    /// The operation's response envelope.
    type Page: DeserializeOwned;
    /// One item of a page.
    type Item: Serialize;
    /// The envelope's key holding the items (`businesses`, `reviews`, …).
    const ITEMS_KEY: &'static str;
    /// The first page, as the client's streams request it ([`crate::pagination::PageRequest::FIRST_PAGE`]).
    const FIRST_PAGE: i64 = 1;
}

/// The mocks of a paged operation, one per page.
pub struct MockPages<'a> {
    /// Page `first_page + i` is served by `mocks[i]`.
    pub mocks: Vec<Mock<'a>>,
    /// The number of the first page ([`PagedOperation::FIRST_PAGE`]: 1 for most operations, 0 for those
    /// whose `page` starts at 0, such as `search_template` and `get_api_keys`).
    pub first_page: i64,
}

impl std::fmt::Debug for MockPages<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<usize> = self.mocks.iter().map(Mock::id).collect();
        f.debug_struct("MockPages")
            .field("first_page", &self.first_page)
            .field("mock_ids", &ids)
            .finish()
    }
}

impl<'a> MockPages<'a> {
    /// The pages' numbers with their mocks, in order.
    fn numbered(&self) -> impl Iterator<Item = (i64, &Mock<'a>)> {
        (self.first_page..).zip(&self.mocks)
    }

    /// The number of the last page (`first_page - 1` when there is none).
    fn last_page(&self) -> i64 {
        let pages = i64::try_from(self.mocks.len()).unwrap_or(i64::MAX);
        self.first_page.saturating_add(pages).saturating_sub(1)
    }

    /// Asserts that every page was requested exactly once (panics naming, by its number as the operation
    /// counts pages, the first page that was not). For httpmock's comparison of that page's mock with the
    /// closest request the server saw, call `assert()` on the page's own mock ([`MockPages::page`]).
    #[track_caller]
    pub fn assert(&self) {
        for (page, mock) in self.numbered() {
            let hits = mock.calls();
            assert!(
                hits == 1,
                "page {page} (of pages {}..={}) was requested {hits} times, expected once",
                self.first_page,
                self.last_page()
            );
        }
    }

    /// The mock serving page `number` (as the operation counts pages: `?page=number`), if there is one.
    pub fn page(&self, number: i64) -> Option<&Mock<'a>> {
        self.numbered()
            .find_map(|(page, mock)| (page == number).then_some(mock))
    }

    /// Requests served, all pages together.
    pub fn calls(&self) -> usize {
        self.mocks.iter().map(Mock::calls).sum()
    }
}

/// Serves a list of items as the pages of a paged operation.
pub trait MockPagesExt {
    /// Mocks `N` pages of the operation whose `When` is `W`, `per_page` items each (at least one page, the
    /// last possibly short; `per_page` 0 counts as 1), numbered from the operation's first page
    /// ([`PagedOperation::FIRST_PAGE`], 1 unless the spec's `page` default says otherwise): page `k` answers
    /// `?page=k` with `{"page": k, "max_page": <the last page's number>, "count": items.len(),
    /// W::ITEMS_KEY: [...]}`. `when` adds matchers to every
    /// page (`|when: operations::SearchBusinessesWhen| when.city("Paris")`, or `… when` for none: its type
    /// names the operation, so it cannot be left out).
    ///
    /// # Panics
    /// Before any request is made:
    /// - when a page built this way does not decode as `W::Page` (an envelope with further required fields):
    ///   the message names the page and the decoding error;
    /// - when a page holds the same items as an earlier one (`vec![Business::default(); 4]`, two a page): the
    ///   client's stream would stop at it with `PaginationStop::RepeatedItems`, so give the items ids.
    fn mock_pages<W, F>(&self, items: Vec<W::Item>, per_page: usize, when: F) -> MockPages<'_>
    where
        W: PagedOperation,
        F: Fn(W) -> W;
}

impl MockPagesExt for MockServer {
    #[track_caller]
    fn mock_pages<W, F>(&self, items: Vec<W::Item>, per_page: usize, when: F) -> MockPages<'_>
    where
        W: PagedOperation,
        F: Fn(W) -> W,
    {
        let per_page = per_page.max(1);
        let count = items.len();
        let pages = i64::try_from(count.div_ceil(per_page).max(1)).unwrap_or(i64::MAX);
        let first = W::FIRST_PAGE;
        let max_page = first.saturating_add(pages - 1);
        let mut items = items.into_iter();
        let mut bodies = Vec::new();
        for page in first..=max_page {
            let chunk: Vec<W::Item> = items.by_ref().take(per_page).collect();
            let body = page_body::<W>(page, max_page, count, &chunk);
            refuse_repeated_page(&bodies, page, W::ITEMS_KEY, &body);
            bodies.push((page, body));
        }
        let mut mocks = Vec::new();
        for (page, body) in bodies {
            mocks.push(self.mock(|matcher, then| {
                when(W::from_httpmock(matcher))
                    .into_httpmock()
                    .query_param("page", page.to_string());
                then.status(200)
                    .header("content-type", "application/json")
                    .json_body(body);
            }));
        }
        MockPages {
            mocks,
            first_page: first,
        }
    }
}

/// Panics when the items of `body` (page `page`), if any, are those of an earlier page of `bodies` whole: the
/// client's stream would stop there with `PaginationStop::RepeatedItems`, the sign of a server that ignores
/// `?page=`.
#[track_caller]
fn refuse_repeated_page(
    bodies: &[(i64, serde_json::Value)],
    page: i64,
    key: &str,
    body: &serde_json::Value,
) {
    let items = &body[key];
    if items.as_array().is_none_or(Vec::is_empty) {
        return;
    }
    if let Some((before, _)) = bodies.iter().find(|(_, earlier)| &earlier[key] == items) {
        panic!(
            "mock_pages: page {page} holds the same items as page {before}; the client's stream would stop \
             there with PaginationStop::RepeatedItems (a page repeated whole looks like a server that \
             ignores ?page=): make the items differ, e.g. give them ids"
        );
    }
}

/// One page's JSON, checked to decode as the operation's envelope.
#[track_caller]
fn page_body<W: PagedOperation>(
    page: i64,
    max_page: i64,
    count: usize,
    items: &[W::Item],
) -> serde_json::Value {
    let mut body = serde_json::Map::new();
    body.insert("page".to_owned(), page.into());
    body.insert("max_page".to_owned(), max_page.into());
    body.insert("count".to_owned(), count.into());
    let items = serde_json::to_value(items)
        .unwrap_or_else(|e| panic!("mock_pages: page {page}: the items do not serialize: {e}"));
    body.insert(W::ITEMS_KEY.to_owned(), items);
    let body = serde_json::Value::Object(body);
    if let Err(e) = serde_json::from_value::<W::Page>(body.clone()) {
        panic!(
            "mock_pages: page {page} of {max_page} does not decode as the operation's response ({e}); \
             serve it with the operation's own `then.ok(&page)` instead"
        );
    }
    body
}
