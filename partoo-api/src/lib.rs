//! Typed Rust client for Partoo's REST API v2.
//!
//! The endpoint layer ([`Client`], [`types`], [`builder`]) is generated at build time from the vendored
//! OpenAPI document (`openapi/partoo.yaml`) by `partoo-api-build`. Around it, this crate adds what a
//! production integration needs: environments and the API key ([`ClientBuilder`]), one error type
//! ([`Error`], via [`SendExt::into_result`]), retries ([`RetryPolicy`]), a client-side rate limit that holds in
//! every sliding window ([`ClientBuilder::rate_limit`]) and pauses every clone after a 429, bulk work with
//! bounded concurrency, progress and cancellation ([`bulk::Bulk`]), pagination streams ([`Paginate`]),
//! lenient dates ([`Timestamp`]) and a tracing span per request.
//!
//! Coverage: 150 operations, one method each. 115 are Partoo's current reference (65 confirmed, 47 partial,
//! 3 inferred); 35 are 2021 operations the reference no longer shows, kept as deprecated methods. A *partial*
//! operation is one whose page did not show every shape: the unseen fields, parameters or bodies are typed as
//! [`serde_json::Value`] (e.g. the success bodies of `get_group_sections` and `send_test_webhook_payloads`),
//! and filters whose names were not shown are missing. The repository README lists them by tag.
//!
//! Tracing: every request runs in an INFO span `partoo_api.request` with `operation` (the method name),
//! `method`, `path` (the template, never the ids), `attempt`, `elapsed_ms` and `status`: the HTTP status, or,
//! when no response came, `timeout`, `connect error`, `redirect refused`, `too many redirects` or
//! `transport error` (`cancelled` for a request a cancelled bulk run did not send). Each retry is a DEBUG
//! event `retrying` inside it (`status` 0 when there was no response, `wait_ms`). The API key is never
//! recorded.
//!
//! ```no_run
//! use partoo_api::{Client, Paginate, SendExt};
//! use futures_util::TryStreamExt;
//!
//! # async fn run() -> Result<(), partoo_api::Error> {
//! let client = Client::from_env()?; // PARTOO_API_KEY, PARTOO_ENV, PARTOO_BASE_URL
//! let me = client.get_my_user().send().into_result().await?;
//! println!("signed in as {:?}", me.email);
//! let mut businesses = client.search_businesses().city("Paris").items();
//! while let Some(business) = businesses.try_next().await? {
//!     println!("{:?}", business.name);
//! }
//! # Ok(()) }
//! ```

pub mod bulk;
#[cfg(feature = "cli")]
pub mod cli;
mod config;
mod error;
mod exchange;
mod hooks;
#[cfg(feature = "mock")]
pub mod mock;
mod pacer;
pub mod pagination;
mod redirect;
mod retry;
mod time;
pub mod webhooks;

pub use config::{
    ApiKey, ClientBuilder, ClientState, DEFAULT_MAX_BODY, DEFAULT_MAX_ERROR_BODY,
    DEFAULT_MAX_PAGES, Environment, PRODUCTION_URL, SANDBOX_URL,
};
pub use error::{ApiErrorBody, Error, SendExt};
pub use pagination::{Page, Paginate, PaginateCursor, PaginationStop};
pub use redirect::redirect_policy;
pub use retry::{RETRY_AFTER_CEILING, RetryPolicy};
pub use time::Timestamp;

/// The generated endpoint layer (progenitor 0.15.1, builder style). Exempt from the workspace lints.
#[allow(
    missing_docs,
    unreachable_pub,
    unused,
    rust_2018_idioms,
    clippy::all,
    clippy::pedantic,
    clippy::unwrap_used,
    rustdoc::all
)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/partoo.rs"));

    /// progenitor's httpmock extension for the spec (`MockServerExt` and the per-operation wrappers),
    /// re-exported by [`crate::mock`]; its paths are all `crate::`-absolute, so it can live here.
    #[cfg(feature = "mock")]
    pub(crate) mod mock {
        include!(concat!(env!("OUT_DIR"), "/partoo_mock.rs"));
    }
}

/// progenitor's error type, as returned by a plain `send().await`; convert with `?` or use
/// [`SendExt::into_result`] for [`Error`].
pub use generated::Error as GeneratedError;
/// The README examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct CrateReadme;

/// The workspace README's usage example, compiled as a doctest (not packaged: `cfg(doctest)` only).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct WorkspaceReadme;

pub use generated::{ByteStream, Client, ClientInfo, ResponseValue, builder, operations, types};
