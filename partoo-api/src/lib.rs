//! Typed Rust client for Partoo's REST API v2.
//!
//! The endpoint layer ([`Client`], [`types`], [`builder`]) is generated at build time from the vendored
//! OpenAPI document (`openapi/partoo.yaml`) by `partoo-api-build`; this crate adds the hand-written parts.

mod time;

pub use time::Timestamp;

/// The generated endpoint layer (progenitor 0.15.1, builder style). Exempt from the workspace lints.
#[allow(
    missing_docs,
    unreachable_pub,
    unused,
    clippy::all,
    clippy::pedantic,
    clippy::unwrap_used,
    rust_2018_idioms
)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/partoo.rs"));
}

pub use generated::{ByteStream, Client, ClientInfo, Error, ResponseValue, builder, types};
