//! A cancelled [`super::Bulk`] run reaching into the client: a request of one of its items that has not left
//! yet (waiting for a slot of the rate limit, the pause after a 429, or a retry's delay) is not sent.
//!
//! The run scopes each item's future with [`STOP`], a receiver of the run's stop flag. The client's hooks,
//! running inside that future, wait through [`unless_stopped`] and sleep through [`sleep_unless_stopped`];
//! outside a run (no [`STOP`] in scope) both just wait. A request on the network is never cut: what the
//! server may have processed is always reported.

use std::future::Future;
use std::time::Duration;

use futures_util::future::{Either, select};
use tokio::sync::watch;

tokio::task_local! {
    /// The stop flag of the bulk run whose item is being polled.
    pub(super) static STOP: watch::Receiver<bool>;
}

/// Why a request was not sent: the bulk run it belongs to was cancelled while it waited to leave.
#[derive(Debug)]
pub(crate) struct Stopped;

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the bulk run was cancelled before this request left; it was not sent")
    }
}

impl std::error::Error for Stopped {}

/// Completes when the run in scope is stopped; never outside a run, nor once the run is over.
async fn stopped() {
    let Ok(mut flag) = STOP.try_with(Clone::clone) else {
        return std::future::pending().await;
    };
    if flag.wait_for(|stop| *stop).await.is_err() {
        // The run is over (its sender dropped) without a stop.
        std::future::pending::<()>().await;
    }
}

/// `wait`'s output, or [`Stopped`] when the run in scope is stopped first (or already was).
pub(crate) async fn unless_stopped<T>(wait: impl Future<Output = T>) -> Result<T, Stopped> {
    if STOP.try_with(|flag| *flag.borrow()).unwrap_or(false) {
        return Err(Stopped);
    }
    match select(std::pin::pin!(wait), std::pin::pin!(stopped())).await {
        Either::Left((out, _)) => Ok(out),
        Either::Right(((), _)) => Err(Stopped),
    }
}

/// Sleeps `delay`, cut short when the run in scope is stopped (the attempt after it then sees the stop).
pub(crate) async fn sleep_unless_stopped(delay: Duration) {
    let _ = unless_stopped(tokio::time::sleep(delay)).await;
}

/// Whether `e` is a request not sent because its run was stopped (see `crate::hooks::hops::io_error`).
pub(crate) fn is_stopped(e: &reqwest::Error) -> bool {
    crate::hooks::hops::not_sent_because::<Stopped>(e)
}
