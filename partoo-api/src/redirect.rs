//! Redirects: the `x-APIKey` header must stay on the origin it was meant for.
//!
//! reqwest removes `Authorization` and cookies when a redirect leaves the origin, but not custom headers such
//! as Partoo's `x-APIKey`. The policy here therefore follows a redirect only when scheme, host and port stay
//! the same (so `https` never turns into `http`), and refuses anything else with [`RefusedRedirect`], which
//! [`crate::Error::RedirectRefused`] reports.

use std::fmt;

use reqwest::Url;
use reqwest::redirect::{Attempt, Policy};

/// Most redirects followed for one request before giving up.
pub(crate) const MAX_REDIRECTS: usize = 10;

/// The redirect policy every client built by [`crate::ClientBuilder`] uses, also one built from your own
/// `reqwest::ClientBuilder` ([`crate::ClientBuilder::http_client_builder`] imposes it): same-origin
/// redirects only, at most 10 in a row. Public so that other `reqwest` clients of yours that send a key in a
/// custom header can use it too.
pub fn redirect_policy() -> Policy {
    Policy::custom(decide)
}

fn decide(attempt: Attempt<'_>) -> reqwest::redirect::Action {
    let Some(from) = attempt.previous().last().cloned() else {
        return attempt.stop();
    };
    let to = attempt.url().clone();
    if !same_origin(&from, &to) {
        return attempt.error(RefusedRedirect { from, to });
    }
    // Under the client's hooks, each hop is sent by them through the rate limit (`hooks/hops.rs`): stop
    // here and hand them the redirect, counting the hops they have already followed.
    let paced = crate::hooks::HOPS.try_with(std::cell::Cell::get).ok();
    let followed = paced.unwrap_or(attempt.previous().len() - 1);
    if followed >= MAX_REDIRECTS {
        return attempt.error(TooManyRedirects(to));
    }
    if paced.is_some() {
        return attempt.stop();
    }
    attempt.follow()
}

/// Whether scheme, host and port (the scheme's default when absent) are equal.
pub(crate) fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host() == b.host()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// A redirect to another origin, refused so that the API key does not go along.
#[derive(Debug, Clone)]
pub(crate) struct RefusedRedirect {
    pub(crate) from: Url,
    pub(crate) to: Url,
}

impl fmt::Display for RefusedRedirect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "refused redirect from {} to {}: another origin",
            self.from, self.to
        )
    }
}

impl std::error::Error for RefusedRedirect {}

/// A chain of same-origin redirects longer than [`MAX_REDIRECTS`], which
/// [`crate::Error::TooManyRedirects`] reports.
#[derive(Debug)]
pub(crate) struct TooManyRedirects(pub(crate) Url);

impl fmt::Display for TooManyRedirects {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "more than {MAX_REDIRECTS} redirects, the last to {}",
            self.0
        )
    }
}

impl std::error::Error for TooManyRedirects {}

#[cfg(test)]
mod tests {
    use super::same_origin;

    fn url(s: &str) -> reqwest::Url {
        s.parse().expect("a valid URL")
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        let base = url("https://api.partoo.co/v2/user/me");
        assert!(same_origin(&base, &url("https://api.partoo.co/v2/other")));
        assert!(same_origin(&base, &url("https://api.partoo.co:443/x")));
        assert!(!same_origin(&base, &url("http://api.partoo.co/v2/user/me")));
        assert!(!same_origin(&base, &url("https://api.partoo.co:8443/v2")));
        assert!(!same_origin(&base, &url("https://evil.example/v2")));
        assert!(!same_origin(
            &url("http://127.0.0.1:80/"),
            &url("http://127.0.0.2:80/")
        ));
    }
}
