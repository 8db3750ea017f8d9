//! Building a [`Client`]: environments, the API key, timeouts, retries, rate limit, your own `reqwest` settings.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use crate::pacer::Pacer;
use crate::{Client, Error, RetryPolicy};

/// Production base URL.
pub const PRODUCTION_URL: &str = "https://api.partoo.co/v2";
/// Sandbox base URL (Partoo's test environment for clients and partners).
pub const SANDBOX_URL: &str = "https://api.sandbox.partoo.co/v2";

/// Default of [`ClientBuilder::max_error_body`]: 1 MiB of an error body is kept.
pub const DEFAULT_MAX_ERROR_BODY: usize = 1024 * 1024;

/// Default of [`ClientBuilder::max_body`]: a success body over 64 MiB is refused. Partoo's largest pages are
/// well under a megabyte; the limit only guards against a runaway or hostile answer.
pub const DEFAULT_MAX_BODY: usize = 64 * 1024 * 1024;

/// Default of [`ClientBuilder::max_pages`]: a page stream stops with [`Error::Pagination`] after 10 000 pages.
pub const DEFAULT_MAX_PAGES: u32 = 10_000;

/// Which Partoo environment to talk to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Environment {
    /// `https://api.partoo.co/v2`.
    #[default]
    Production,
    /// `https://api.sandbox.partoo.co/v2`.
    Sandbox,
}

impl Environment {
    /// The environment's base URL.
    pub fn base_url(self) -> &'static str {
        match self {
            Environment::Production => PRODUCTION_URL,
            Environment::Sandbox => SANDBOX_URL,
        }
    }
}

impl std::str::FromStr for Environment {
    type Err = Error;
    /// `production` or `sandbox`, any case.
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "production" | "prod" => Ok(Environment::Production),
            "sandbox" => Ok(Environment::Sandbox),
            other => Err(Error::Config(format!(
                "unknown Partoo environment {other:?}: use `production` or `sandbox`"
            ))),
        }
    }
}

/// A Partoo API key. Its `Debug` and `Display` never show the key.
#[derive(Clone)]
pub struct ApiKey(SecretString);

impl ApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        Self(SecretString::from(key.into()))
    }

    /// The `x-APIKey` header; a key that is empty or only whitespace (an unset shell variable) is a
    /// configuration error here rather than a 401 after a round trip, and so is whitespace around a key (a
    /// `.env` line, a pasted trailing space): HTTP drops it, so the server would see another key than the
    /// one given, and than the one scrubbed from errors.
    pub(crate) fn header_value(&self) -> Result<reqwest::header::HeaderValue, Error> {
        let key = self.0.expose_secret();
        if key.trim().is_empty() {
            return Err(Error::Config("the API key is empty".into()));
        }
        if key.trim() != key {
            return Err(Error::Config(
                "the API key begins or ends with whitespace (a line read with its end, a pasted space?): \
                 give it without"
                    .into(),
            ));
        }
        let mut value = reqwest::header::HeaderValue::from_str(key).map_err(|_| {
            Error::Config("the API key contains characters not allowed in an HTTP header".into())
        })?;
        value.set_sensitive(true);
        Ok(value)
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// What every request of a [`Client`] (and its clones) shares: the key, the retry policy, the rate limiter
/// and the pause after a 429.
#[derive(Clone)]
pub struct ClientState {
    pub(crate) api_key: reqwest::header::HeaderValue,
    /// The key listed for errors to scrub while this client or a clone lives (see `error::live_keys`).
    pub(crate) _listed_key: Arc<crate::error::live_keys::LiveKey>,
    pub(crate) retry: RetryPolicy,
    /// One for a client and all its clones (see [`crate::ClientBuilder::rate_limit`]).
    pub(crate) pacer: Arc<Pacer>,
    pub(crate) rate_limit: Option<(u32, Duration)>,
    pub(crate) max_error_body: usize,
    pub(crate) max_body: usize,
    pub(crate) max_pages: u32,
    /// The base URL's path (`/v2`), under which every request path fills its operation's template.
    pub(crate) base_path: String,
    /// [`ClientBuilder::timeout`], which the hops of a redirect share; `None` with a `reqwest` builder of
    /// the caller's, whose timeout cannot be read (each hop then has the builder's own).
    pub(crate) timeout: Option<Duration>,
}

impl fmt::Debug for ClientState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientState")
            .field("api_key", &"<redacted>")
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .field("max_error_body", &self.max_error_body)
            .field("max_body", &self.max_body)
            .field("max_pages", &self.max_pages)
            .finish()
    }
}

/// Builds a [`Client`]. Start with [`Client::builder`].
#[derive(Debug)]
pub struct ClientBuilder {
    api_key: Option<ApiKey>,
    base_url: String,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: String,
    retry: RetryPolicy,
    rate_limit: Option<(u32, Duration)>,
    max_error_body: usize,
    max_body: usize,
    max_pages: u32,
    http: Option<reqwest::ClientBuilder>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            api_key: None,
            base_url: PRODUCTION_URL.to_owned(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            user_agent: concat!("partoo-api-rust/", env!("CARGO_PKG_VERSION")).to_owned(),
            retry: RetryPolicy::default(),
            rate_limit: None,
            max_error_body: DEFAULT_MAX_ERROR_BODY,
            max_body: DEFAULT_MAX_BODY,
            max_pages: DEFAULT_MAX_PAGES,
            http: None,
        }
    }
}

impl ClientBuilder {
    /// The API key, sent as `x-APIKey` on every request. `build()` refuses one that is empty, has whitespace
    /// around it, or holds characters no HTTP header can carry.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(ApiKey::new(key));
        self
    }

    /// Production (default) or sandbox.
    pub fn environment(mut self, env: Environment) -> Self {
        self.base_url = env.base_url().to_owned();
        self
    }

    /// Any base URL, e.g. a proxy or a local mock. `https` is required unless the host is loopback; a query
    /// (`?tenant=1`), a fragment or credentials (`user:pass@`) are refused by [`Self::build`]: request paths are
    /// appended to this URL as text, and the API key is the only credential sent. So is port 0.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Total time for one attempt (default 30 s), the hops of a same-origin redirect and their waits for a
    /// slot of the rate limit included. Ignored with [`Self::http_client_builder`] (each request and hop then
    /// has the builder's own timeout). [`Self::build`] refuses zero and anything over one day
    /// ([`crate::RETRY_AFTER_CEILING`]), as for [`Self::connect_timeout`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time to establish a connection (default 10 s). Ignored with [`Self::http_client_builder`]. The attempt's
    /// [`Self::timeout`] runs meanwhile, so a `connect_timeout` over it is never reached (and not refused: a
    /// short `timeout` with the default `connect_timeout` is a fine setting).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The `User-Agent` header (default `partoo-api-rust/<version>`). Ignored with [`Self::http_client_builder`].
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = agent.into();
        self
    }

    /// How failed requests are retried (default: 3 attempts, see [`RetryPolicy`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Limits this client and its clones to `per_minute` requests in every 60-second window (Partoo allows
    /// 300 per organization): [`Self::rate_limit`]`(per_minute, 60 s)`.
    pub fn rate_limit_per_minute(self, per_minute: u32) -> Self {
        self.rate_limit(per_minute, Duration::from_secs(60))
    }

    /// Limits this client and its clones to `n` requests in every window of length `per`, sliding: no
    /// stretch of time `per` long, wherever it starts, holds more than `n` requests of this client (retries
    /// included). Requests are spread out rather than sent in bursts: for `n ≥ 10`, a burst of at most 2 and
    /// then one every `(per + S) / (n − 1)`, where the slack `S` (one interval or 0.5 % of `per`, whichever is
    /// longer) absorbs the jitter between the client and the server's clock; for `n < 10`, one every
    /// `per / n`. The sustained rate is thus a little under `n / per` (297.5 a minute for Partoo's 300).
    /// The reasoning is in the `pacer` module's source.
    ///
    /// `n` must be at least 1 and `per` between 1 ms and 24 h, or [`Self::build`] fails naming
    /// `rate_limit`. Clients built separately do not share a limit: clone one client instead.
    pub fn rate_limit(mut self, n: u32, per: Duration) -> Self {
        self.rate_limit = Some((n, per));
        self
    }

    /// How much of an error response's body is kept (default [`DEFAULT_MAX_ERROR_BODY`], 1 MiB). The rest
    /// is not read; the error's `truncated` flag and message say the body was cut. The same limit caps the raw
    /// body an [`Error::Decode`] keeps. At least 1 byte. The limit counts bytes as read: an echoed API key
    /// replaced by `[API key]` (9 bytes) in what was kept may leave it a few bytes longer.
    pub fn max_error_body(mut self, bytes: usize) -> Self {
        self.max_error_body = bytes;
        self
    }

    /// The largest success body accepted (default [`DEFAULT_MAX_BODY`], 64 MiB), for plain requests and for
    /// the pages of a stream alike. A body whose `Content-Length` is over it is not read; one without a
    /// `Content-Length` is read up to the limit and no further. Either way the request fails with
    /// [`Error::BodyTooLarge`], which names the operation and the limit. At least 1 byte.
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// How many pages a page or cursor stream of this client fetches at most before it stops with
    /// [`Error::Pagination`] (default [`DEFAULT_MAX_PAGES`], 10 000); `Pages::max_pages` and
    /// `CursorPages::max_pages` override it for one stream. At least 1.
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.max_pages = pages;
        self
    }

    /// Your own `reqwest` settings (proxies, connection pools, local address, DNS resolver, timeouts, user
    /// agent): [`Self::build`] finishes the builder, after imposing two things on it:
    ///
    /// - **the redirect policy**: [`crate::redirect_policy`] (same-origin redirects only) replaces whatever
    ///   policy the builder had. The API key travels in the `x-APIKey` header, which reqwest (unlike
    ///   `Authorization`) keeps on a redirect to another host, port or scheme, so no client of this crate
    ///   follows one; a refused redirect is [`Error::RedirectRefused`].
    /// - **TLS**, with the `rustls` feature (the default): rustls with the ring provider and the platform's
    ///   certificate verifier (the roots your OS trusts, a company root installed there included), as for
    ///   clients built without this method; TLS settings made on the builder are replaced. With `native-tls`
    ///   the builder's TLS settings are kept.
    ///
    /// [`Self::timeout`], [`Self::connect_timeout`] and [`Self::user_agent`] are then ignored: set them on
    /// the `reqwest` builder (reqwest's defaults: no timeout, no user agent).
    ///
    /// This replaces `http_client(reqwest::Client)` (removed before 1.0): a finished `reqwest::Client` does
    /// not show its redirect policy, and reqwest's default one follows up to 10 redirects anywhere, `https` to
    /// `http` included, with the key.
    ///
    /// ```no_run
    /// let http = reqwest::Client::builder()
    ///     .pool_max_idle_per_host(4)
    ///     .timeout(std::time::Duration::from_secs(60));
    /// let client = partoo_api::Client::builder()
    ///     .api_key("key")
    ///     .http_client_builder(http)
    ///     .build()?;
    /// # Ok::<(), partoo_api::Error>(())
    /// ```
    pub fn http_client_builder(mut self, builder: reqwest::ClientBuilder) -> Self {
        self.http = Some(builder);
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let key = self.api_key.ok_or_else(|| {
            Error::Config("no API key: call .api_key(..) or set PARTOO_API_KEY".into())
        })?;
        let base = check_base_url(&self.base_url)?;
        check_operation_names(&self.retry)?;
        check_retry_policy(&self.retry)?;
        check_timeouts(self.timeout, self.connect_timeout)?;
        if self.max_error_body == 0 {
            return Err(Error::Config(
                "max_error_body must be at least 1 byte".into(),
            ));
        }
        if self.max_body == 0 {
            return Err(Error::Config("max_body must be at least 1 byte".into()));
        }
        if self.max_pages == 0 {
            return Err(Error::Config("max_pages must be at least 1".into()));
        }
        if self.http.is_none() && reqwest::header::HeaderValue::from_str(&self.user_agent).is_err()
        {
            return Err(Error::Config(format!(
                "user_agent {:?} contains characters not allowed in an HTTP header",
                self.user_agent
            )));
        }
        let timeout = self.http.is_none().then_some(self.timeout);
        let http = self.http.unwrap_or_else(|| {
            reqwest::Client::builder()
                .timeout(self.timeout)
                .connect_timeout(self.connect_timeout)
                .user_agent(self.user_agent)
        });
        // Imposed on a builder of the caller's too (see `http_client_builder`).
        let http = tls(http)?
            .redirect(crate::redirect_policy())
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        let api_key = key.header_value()?;
        let state = ClientState {
            _listed_key: crate::error::live_keys::register(api_key.as_bytes()),
            api_key,
            retry: self.retry,
            pacer: Arc::new(Pacer::new(self.rate_limit)?),
            rate_limit: self.rate_limit,
            max_error_body: self.max_error_body,
            max_body: self.max_body,
            max_pages: self.max_pages,
            base_path: crate::hooks::base_path(&base),
            timeout,
        };
        Ok(Client::new_with_client(&base, http, state))
    }
}

/// rustls with the ring provider and the platform's certificate verifier, configured here rather than by
/// installing a process-wide default provider behind the application's back.
#[cfg(feature = "rustls")]
fn tls(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, Error> {
    use rustls_platform_verifier::BuilderVerifierExt;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_platform_verifier())
        .map_err(|e| Error::Config(format!("cannot set up TLS: {e}")))?
        .with_no_client_auth();
    Ok(builder.tls_backend_preconfigured(config))
}

/// native-tls (or no TLS at all: then only loopback `http` base URLs work).
#[cfg(not(feature = "rustls"))]
fn tls(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, Error> {
    Ok(builder)
}

/// Refuses zero attempts, and backoff delays over [`crate::RETRY_AFTER_CEILING`] (one day): a step that long
/// is a mistake (a `Duration::MAX` meant as "no cap"), and after a few 429s in a row it would hold every
/// request of the client for days, or overflow the clock. Also refuses a `max_retry_after` at or over it (see
/// the comment below).
fn check_retry_policy(policy: &RetryPolicy) -> Result<(), Error> {
    // The field is public: `with_max_attempts` keeps it at 1 or more, a struct literal may not, and zero
    // attempts cannot send anything.
    if policy.max_attempts == 0 {
        return Err(Error::Config(
            "retry policy: max_attempts is 0; it counts every attempt, the first included (1 means no retry, \
             as RetryPolicy::none() sets)"
                .into(),
        ));
    }
    let ceiling = crate::RETRY_AFTER_CEILING;
    for (name, delay) in [
        ("base_delay", policy.base_delay),
        ("max_delay", policy.max_delay),
    ] {
        if delay > ceiling {
            return Err(Error::Config(format!(
                "retry policy: {name} is {delay:?}, over the limit of {ceiling:?} (RETRY_AFTER_CEILING)"
            )));
        }
    }
    // The fields are public: `RetryPolicy::with_delays` orders them, a struct literal may not. A base over
    // the cap would make the first wait longer than `max_delay` promises.
    if policy.base_delay > policy.max_delay {
        return Err(Error::Config(format!(
            "retry policy: base_delay ({:?}) is over max_delay ({:?}), which caps every wait",
            policy.base_delay, policy.max_delay
        )));
    }
    // A longer `Retry-After` is read as exactly the ceiling, so a limit at or over it would honour a server
    // asking for more than a day after one day: too early.
    if policy.max_retry_after >= ceiling {
        return Err(Error::Config(format!(
            "retry policy: max_retry_after is {:?}; it must be under {ceiling:?} (RETRY_AFTER_CEILING), \
             since longer Retry-After values are cut to that",
            policy.max_retry_after
        )));
    }
    Ok(())
}

/// Refuses a zero timeout (every request would fail after it was sent, a POST possibly processed) and one
/// over [`crate::RETRY_AFTER_CEILING`] (one day): a `Duration::MAX` meant as "no timeout" would overflow the
/// clock when the attempt's deadline is computed.
fn check_timeouts(timeout: Duration, connect_timeout: Duration) -> Result<(), Error> {
    let ceiling = crate::RETRY_AFTER_CEILING;
    for (name, value) in [("timeout", timeout), ("connect_timeout", connect_timeout)] {
        if value.is_zero() {
            return Err(Error::Config(format!("{name} must be over zero")));
        }
        if value > ceiling {
            return Err(Error::Config(format!(
                "{name} is {value:?}, over the limit of {ceiling:?} (RETRY_AFTER_CEILING)"
            )));
        }
    }
    Ok(())
}

/// Refuses names in [`RetryPolicy::retry_on_server_error`] that are no operation of the client: a typo there
/// would silently leave the operation without retries.
fn check_operation_names(policy: &RetryPolicy) -> Result<(), Error> {
    let unknown: Vec<&str> = policy
        .retry_on_server_error
        .iter()
        .map(String::as_str)
        .filter(|name| crate::operations::find(name).is_none())
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(Error::Config(format!(
        "retry_on_server_error names no operation of this client: {} (use the method names of `Client`, listed in `partoo_api::operations::ALL`, e.g. `update_business`)",
        unknown.join(", ")
    )))
}

/// Refuses URLs that are not `https` (plain `http` is allowed for loopback hosts only) or that carry a query,
/// a fragment or userinfo, and drops a trailing `/`.
pub(crate) fn check_base_url(url: &str) -> Result<String, Error> {
    let parsed = reqwest::Url::parse(url).map_err(|e| {
        // A URL that does not parse may still carry `user:pass@`: then it is not echoed.
        // Nor its query or fragment, which may hold a token (`?apikey=…`), as for a URL that parses.
        if url.contains('@') {
            Error::Config(format!(
                "invalid base URL (not shown: it contains `@`, maybe a credential): {e}"
            ))
        } else if let Some(at) = url.find(['?', '#']) {
            Error::Config(format!(
                "invalid base URL \"{}{}…\" (its query or fragment not shown): {e}",
                &url[..at],
                &url[at..=at]
            ))
        } else {
            Error::Config(format!("invalid base URL {url:?}: {e}"))
        }
    })?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        // The URL is not echoed: it holds a credential.
        return Err(Error::Config(
            "the base URL contains a user name or password (`user:pass@host`): remove it, the API key is the only credential Partoo needs".into(),
        ));
    }
    // Named without its query and fragment, which may hold a token (`?apikey=…`).
    let mut shown = parsed.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    if parsed.query().is_some() {
        return Err(Error::Config(format!(
            "the base URL \"{shown}?…\" has a query (`?…`, not shown): every request path would be appended after it; remove it"
        )));
    }
    if parsed.fragment().is_some() {
        return Err(Error::Config(format!(
            "the base URL \"{shown}#…\" has a fragment (`#…`, not shown): every request path would be appended after it; remove it"
        )));
    }
    let loopback = match parsed.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match parsed.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(Error::Config(format!(
                "refusing plain http to \"{shown}\": the API key would travel unencrypted (http is allowed for loopback hosts only)"
            )));
        }
        // Not echoed: a URL that cannot be a base (`mailto:user@host`) has no user name to check.
        other => {
            return Err(Error::Config(format!(
                "unsupported scheme {other:?} in the base URL: use https"
            )));
        }
    }
    // Nothing listens on port 0: every request would fail with a transport error, long after `build`.
    if parsed.port() == Some(0) {
        return Err(Error::Config(format!(
            "the base URL \"{shown}\" has port 0, which no connection can be made to"
        )));
    }
    // The URL as the parser reads it, since request paths are appended to this text: surrounding spaces (a
    // `PARTOO_BASE_URL` copied with one) are gone, a `\` is a `/`, the host is in lower case. Trailing `/`s
    // are dropped, as each request path starts with one.
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}

impl Client {
    /// A builder with production defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A production client with default settings.
    pub fn production(api_key: impl Into<String>) -> Result<Self, Error> {
        Self::builder().api_key(api_key).build()
    }

    /// A sandbox client with default settings.
    pub fn sandbox(api_key: impl Into<String>) -> Result<Self, Error> {
        Self::builder()
            .api_key(api_key)
            .environment(Environment::Sandbox)
            .build()
    }

    /// From the environment: `PARTOO_API_KEY` (required), `PARTOO_ENV` (`production` | `sandbox`, default
    /// production) and `PARTOO_BASE_URL` (overrides the environment's URL).
    /// An empty variable counts as unset.
    pub fn from_env() -> Result<Self, Error> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let key = var("PARTOO_API_KEY")
            .ok_or_else(|| Error::Config("PARTOO_API_KEY is not set".into()))?;
        let mut builder = Self::builder().api_key(key);
        if let Some(env) = var("PARTOO_ENV") {
            builder = builder.environment(env.parse()?);
        }
        if let Some(url) = var("PARTOO_BASE_URL") {
            builder = builder.base_url(url);
        }
        builder.build()
    }
}

#[cfg(test)]
mod tests {
    use super::check_base_url;

    #[test]
    fn https_clients_build_without_a_process_wide_crypto_provider() {
        let client = crate::Client::production("k").unwrap();
        assert_eq!(
            progenitor_client::ClientInfo::baseurl(&client),
            super::PRODUCTION_URL
        );
        let sandbox = crate::Client::sandbox("k").unwrap();
        assert_eq!(
            progenitor_client::ClientInfo::baseurl(&sandbox),
            super::SANDBOX_URL
        );
    }

    #[test]
    fn base_urls_are_checked() {
        assert_eq!(
            check_base_url("https://api.partoo.co/v2/").unwrap(),
            "https://api.partoo.co/v2"
        );
        assert!(check_base_url("http://127.0.0.1:8080").is_ok());
        assert!(check_base_url("http://[::1]:8080").is_ok());
        assert!(check_base_url("http://localhost:1").is_ok());
        let err = check_base_url("http://api.partoo.co/v2")
            .unwrap_err()
            .to_string();
        assert!(err.contains("refusing plain http"), "{err}");
        assert!(check_base_url("ftp://x").is_err());
        assert!(check_base_url("not a url").is_err());
    }
}
