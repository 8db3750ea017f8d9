//! Building a client: the `x-APIKey` header on the wire, environments and base URLs, `Client::from_env`.
//!
//! `from_env` is tested in child processes (this test binary re-run with a filter and its own environment):
//! edition 2024 makes `std::env::set_var` unsafe and the workspace forbids `unsafe_code`, and a child process
//! also keeps the tests independent of each other and of the caller's `PARTOO_*` variables.

use std::process::Command;
use std::time::Duration;

use partoo_api::{Client, ClientInfo, Environment, Error, PRODUCTION_URL, SANDBOX_URL, SendExt};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const USER: &str = include_str!("fixtures/user_me.json");

async fn mock_user(server: &MockServer, route: &str, key: &str) {
    Mock::given(method("GET"))
        .and(path(route))
        .and(header("x-APIKey", key))
        .respond_with(ResponseTemplate::new(200).set_body_raw(USER, "application/json"))
        .mount(server)
        .await;
}

fn config_message(result: Result<Client, Error>) -> String {
    match result {
        Err(Error::Config(message)) => message,
        Err(other) => panic!("expected Error::Config, got {other:?}"),
        Ok(client) => panic!(
            "expected Error::Config, got a client for {}",
            client.baseurl()
        ),
    }
}

#[tokio::test]
async fn the_api_key_reaches_the_server_in_x_apikey() {
    let server = MockServer::builder().start().await;
    mock_user(&server, "/user/me", "pk_test_7f3a9c").await;
    let client = Client::builder()
        .api_key("pk_test_7f3a9c")
        .base_url(server.uri())
        .build()
        .unwrap();
    let me = client.get_my_user().send().into_result().await.unwrap();
    assert_eq!(
        me.email.unwrap().as_str(),
        "camille.moreau@maison-lumiere.fr"
    );

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let headers = &requests[0].headers;
    assert_eq!(headers.get_all("x-apikey").iter().count(), 1, "sent once");
    assert_eq!(headers["x-apikey"], "pk_test_7f3a9c");
    assert_eq!(headers["accept"], "application/json");
    let agent = headers["user-agent"].to_str().unwrap();
    assert!(agent.starts_with("partoo-api-rust/"), "{agent}");
}

#[tokio::test]
async fn a_wrong_key_does_not_match_the_mock() {
    let server = MockServer::builder().start().await;
    mock_user(&server, "/user/me", "the-right-key").await;
    let client = Client::builder()
        .api_key("another-key")
        .base_url(server.uri())
        .build()
        .unwrap();
    // wiremock answers 404 when no mock matches: proof the header matcher is what let the request through above.
    let err = client.get_my_user().send().into_result().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
}

#[tokio::test]
async fn a_base_url_with_a_path_prefix_and_a_trailing_slash_is_joined_cleanly() {
    let server = MockServer::builder().start().await;
    mock_user(&server, "/v2/user/me", "k").await;
    let client = Client::builder()
        .api_key("k")
        .base_url(format!("{}/v2/", server.uri()))
        .build()
        .unwrap();
    assert_eq!(client.baseurl(), format!("{}/v2", server.uri()));
    client.get_my_user().send().into_result().await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].url.path(), "/v2/user/me");
}

#[tokio::test]
async fn spaces_around_a_base_url_are_dropped() {
    // `Url::parse` accepts them; the client must not append its paths after them (`/v2%20/user/me`).
    let server = MockServer::builder().start().await;
    mock_user(&server, "/v2/user/me", "k").await;
    let client = Client::builder()
        .api_key("k")
        .base_url(format!(" {}/v2/ \n", server.uri()))
        .build()
        .unwrap();
    assert_eq!(client.baseurl(), format!("{}/v2", server.uri()));
    client.get_my_user().send().into_result().await.unwrap();
}

#[test]
fn production_and_sandbox_base_urls() {
    assert_eq!(PRODUCTION_URL, "https://api.partoo.co/v2");
    assert_eq!(SANDBOX_URL, "https://api.sandbox.partoo.co/v2");
    assert_eq!(Client::production("k").unwrap().baseurl(), PRODUCTION_URL);
    assert_eq!(Client::sandbox("k").unwrap().baseurl(), SANDBOX_URL);
    let default = Client::builder().api_key("k").build().unwrap();
    assert_eq!(default.baseurl(), PRODUCTION_URL);
    let sandbox = Client::builder()
        .api_key("k")
        .environment(Environment::Sandbox)
        .build()
        .unwrap();
    assert_eq!(sandbox.baseurl(), SANDBOX_URL);
    assert_eq!(
        "SandBox".parse::<Environment>().unwrap(),
        Environment::Sandbox
    );
    assert_eq!(
        " prod ".parse::<Environment>().unwrap(),
        Environment::Production
    );
    assert!(matches!(
        "staging".parse::<Environment>(),
        Err(Error::Config(_))
    ));
}

#[test]
fn plain_http_is_refused_unless_the_host_is_loopback() {
    for url in [
        "http://api.partoo.co/v2",
        "http://localhost.example.com:8080",
        "http://10.0.0.5:8080",
        "http://127.0.0.1.nip.io",
    ] {
        let message = config_message(Client::builder().api_key("k").base_url(url).build());
        assert!(message.contains("refusing plain http"), "{url}: {message}");
    }
    for url in [
        "http://127.0.0.1:8080",
        "http://127.0.0.2:8080",
        "http://localhost:3000/v2",
        "http://LOCALHOST:3000",
        "http://[::1]:8080",
    ] {
        let client = Client::builder().api_key("k").base_url(url).build();
        assert!(
            client.is_ok(),
            "{url} should be accepted: {:?}",
            client.err()
        );
    }
    let message = config_message(Client::builder().api_key("k").base_url("ftp://x").build());
    assert!(message.contains("unsupported scheme"), "{message}");
    // A URL that cannot be a base has no user name to check: it is not echoed.
    let message = config_message(
        Client::builder()
            .api_key("k")
            .base_url("mailto:hunter2@x")
            .build(),
    );
    assert!(
        message.contains("unsupported scheme") && !message.contains("hunter2"),
        "{message}"
    );
    let message = config_message(
        Client::builder()
            .api_key("k")
            .base_url("api.partoo.co")
            .build(),
    );
    assert!(message.contains("invalid base URL"), "{message}");
}

#[test]
fn base_urls_with_a_query_a_fragment_or_credentials_are_refused() {
    let build = |url: &str| config_message(Client::builder().api_key("k").base_url(url).build());
    // The URL is named without its query or fragment, which may hold a token (`?apikey=…`).
    let message = build("https://api.partoo.co/v2?apikey=sk_live_SECRET");
    assert!(message.contains("has a query"), "{message}");
    assert!(
        message.contains("https://api.partoo.co/v2"),
        "names the URL: {message}"
    );
    assert!(
        !message.contains("SECRET"),
        "the query is not echoed: {message}"
    );
    let message = build("https://api.partoo.co/v2#token=SECRET");
    assert!(message.contains("has a fragment"), "{message}");
    assert!(
        !message.contains("SECRET"),
        "the fragment is not echoed: {message}"
    );
    // An empty query or fragment is still one: `…/v2?` would swallow the paths just the same.
    assert!(build("https://api.partoo.co/v2?").contains("has a query"));
    for url in [
        "https://alice:s3cr3t-pw@api.partoo.co/v2",
        "https://alice@api.partoo.co/v2",
        "http://alice:s3cr3t-pw@127.0.0.1:8080",
    ] {
        let message = build(url);
        assert!(
            message.contains("user name or password"),
            "{url}: {message}"
        );
        assert!(
            !message.contains("s3cr3t-pw"),
            "the password is not echoed: {message}"
        );
    }
    // A URL that does not parse is named without its query or fragment too.
    for url in [
        "https://api.partoo.co:99999/v2?api_key=SECRET",
        "https://api partoo.co/v2?token=SECRET",
        "https://[::1/v2#token=SECRET",
    ] {
        let message = build(url);
        assert!(message.contains("invalid base URL"), "{url}: {message}");
        assert!(!message.contains("SECRET"), "{url}: {message}");
    }
    // A URL with credentials that does not parse at all (a port out of range, a space in the host).
    for url in [
        "https://alice:s3cr3t-pw@api.partoo.co:99999/v2",
        "https://alice:s3cr3t-pw@api partoo.co/v2",
    ] {
        let message = build(url);
        assert!(message.contains("invalid base URL"), "{url}: {message}");
        assert!(
            !message.contains("s3cr3t-pw"),
            "the password is not echoed: {message}"
        );
    }
}

/// The base URL is kept as the URL parser reads it: a `\\` (read as `/`) or a trailing `/` cannot leave a
/// base that every request then fails on.
#[tokio::test]
async fn a_base_url_is_kept_as_the_url_parser_reads_it() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/v2/user/me"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("{}", "application/json"))
        .mount(&server)
        .await;
    for suffix in ["/v2\\", "/v2/", "/v2//"] {
        let client = Client::builder()
            .api_key("k")
            .base_url(format!("{}{suffix}", server.uri()))
            .build()
            .expect("client builds");
        let result = client.get_my_user().send().into_result().await;
        assert!(result.is_ok(), "{suffix}: {result:?}");
    }
}

#[test]
fn backoff_delays_over_a_day_are_refused() {
    use partoo_api::RetryPolicy;
    let build = |policy: RetryPolicy| {
        config_message(Client::builder().api_key("k").retry_policy(policy).build())
    };
    // `Duration::MAX` as "no cap": a few 429s in a row would hold the client for days, or overflow the clock.
    let message =
        build(RetryPolicy::default().with_delays(Duration::from_millis(500), Duration::MAX));
    assert!(message.contains("max_delay"), "{message}");
    assert!(message.contains("RETRY_AFTER_CEILING"), "{message}");
    let message = build(RetryPolicy::default().with_delays(Duration::MAX, Duration::MAX));
    assert!(message.contains("base_delay"), "{message}");
    let a_day = partoo_api::RETRY_AFTER_CEILING;
    assert!(
        Client::builder()
            .api_key("k")
            .retry_policy(RetryPolicy::default().with_delays(a_day, a_day))
            .build()
            .is_ok()
    );
    // A `Retry-After` over a day is read as one day: with `max_retry_after` of a day or more, a server asking
    // for 100,000 s was retried after 86,400 s, early. The longest wait honoured must stay under the cut.
    for max in [a_day, Duration::MAX] {
        let policy = RetryPolicy {
            max_retry_after: max,
            ..RetryPolicy::default()
        };
        let message = build(policy);
        assert!(
            message.contains("max_retry_after") && message.contains("RETRY_AFTER_CEILING"),
            "{message}"
        );
    }
    let policy = RetryPolicy {
        max_retry_after: a_day - Duration::from_secs(1),
        ..RetryPolicy::default()
    };
    assert!(
        Client::builder()
            .api_key("k")
            .retry_policy(policy)
            .build()
            .is_ok()
    );
}

/// The fields of `RetryPolicy` are public: a literal can set a base over the cap, which the first wait then
/// exceeded (2.26 s against a `max_delay` of 200 ms).
#[test]
fn a_base_delay_over_max_delay_is_refused() {
    use partoo_api::RetryPolicy;
    let policy = RetryPolicy {
        base_delay: Duration::from_secs(3),
        max_delay: Duration::from_millis(200),
        ..RetryPolicy::default()
    };
    let message = config_message(Client::builder().api_key("k").retry_policy(policy).build());
    assert!(
        message.contains("base_delay") && message.contains("max_delay"),
        "{message}"
    );
}

/// A literal `RetryPolicy { max_attempts: 0, .. }` was taken as one attempt without a word; `0` is no count
/// of attempts a request can be made with.
#[test]
fn zero_attempts_are_refused() {
    use partoo_api::RetryPolicy;
    let policy = RetryPolicy {
        max_attempts: 0,
        ..RetryPolicy::default()
    };
    let message = config_message(Client::builder().api_key("k").retry_policy(policy).build());
    assert!(
        message.contains("max_attempts is 0") && message.contains("RetryPolicy::none()"),
        "{message}"
    );
    assert!(
        Client::builder()
            .api_key("k")
            .retry_policy(RetryPolicy::none())
            .build()
            .is_ok()
    );
}

/// Port 0 cannot be connected to: every request failed with a transport error, after the client was built.
#[test]
fn port_zero_in_the_base_url_is_refused() {
    for url in ["https://api.partoo.co:0/v2", "http://127.0.0.1:0"] {
        let message = config_message(Client::builder().api_key("k").base_url(url).build());
        assert!(message.contains("port 0"), "{url}: {message}");
    }
}

/// `Duration::MAX` as "no timeout" made every request panic on the clock; zero failed every request after
/// sending it.
#[test]
fn a_zero_or_endless_timeout_is_refused() {
    for (timeout, connect) in [
        (Duration::MAX, Duration::from_secs(10)),
        (Duration::from_secs(u64::MAX), Duration::from_secs(10)),
        (Duration::ZERO, Duration::from_secs(10)),
        (Duration::from_secs(30), Duration::ZERO),
        (Duration::from_secs(30), Duration::MAX),
    ] {
        let message = config_message(
            Client::builder()
                .api_key("k")
                .timeout(timeout)
                .connect_timeout(connect)
                .build(),
        );
        assert!(message.contains("timeout"), "{message}");
    }
    assert!(
        Client::builder()
            .api_key("k")
            .timeout(partoo_api::RETRY_AFTER_CEILING)
            .build()
            .is_ok()
    );
}

#[test]
fn unknown_operations_in_retry_on_server_error_are_refused() {
    use partoo_api::RetryPolicy;
    let policy = RetryPolicy::default()
        .retry_on_server_error("update_business")
        .retry_on_server_error("update_busines")
        .retry_on_server_error("updateBusiness");
    let message = config_message(Client::builder().api_key("k").retry_policy(policy).build());
    assert!(
        message.contains("updateBusiness, update_busines"),
        "both unknown names, in order: {message}"
    );
    assert!(message.contains("operations::ALL"), "{message}");
    let known = RetryPolicy::default().retry_on_server_error("create_organization");
    assert!(
        Client::builder()
            .api_key("k")
            .retry_policy(known)
            .build()
            .is_ok()
    );
}

#[test]
fn other_misconfigurations_are_config_errors() {
    let message = config_message(Client::builder().build());
    assert!(message.contains("no API key"), "{message}");
    // An empty key (`--api-key "$UNSET"`) was sent as is, to fail as a 401 after a round trip.
    for blank in ["", "  ", "\t"] {
        let message = config_message(Client::builder().api_key(blank).build());
        assert!(message.contains("the API key is empty"), "{message}");
    }
    let message = config_message(Client::builder().api_key("bad\nkey").build());
    assert!(
        message.contains("not allowed in an HTTP header"),
        "{message}"
    );
    let message = config_message(
        Client::builder()
            .api_key("k")
            .rate_limit_per_minute(0)
            .build(),
    );
    assert!(
        message.contains("rate_limit: at least 1 request"),
        "{message}"
    );
    assert!(
        Client::builder()
            .api_key("k")
            .rate_limit_per_minute(300)
            .build()
            .is_ok()
    );
    // A user agent no header can carry: named (it was "cannot build the HTTP client: builder error").
    let message = config_message(Client::builder().api_key("k").user_agent("a\nb").build());
    assert!(
        message.contains("user_agent") && message.contains("not allowed in an HTTP header"),
        "{message}"
    );
}

#[tokio::test]
async fn the_rate_limit_holds_requests_and_is_shared_by_clones() {
    let server = MockServer::builder().start().await;
    mock_user(&server, "/user/me", "k").await;
    let client = Client::builder()
        .api_key("k")
        .base_url(server.uri())
        .rate_limit_per_minute(1)
        .build()
        .unwrap();
    client.get_my_user().send().into_result().await.unwrap();
    // The next request may only leave a minute later, from this client or a clone of it.
    let clone = client.clone();
    let held = tokio::time::timeout(
        std::time::Duration::from_millis(300),
        clone.get_my_user().send().into_result(),
    )
    .await;
    assert!(held.is_err(), "the second request was not held: {held:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    // A separately built client has its own budget.
    let other = Client::builder()
        .api_key("k")
        .base_url(server.uri())
        .rate_limit_per_minute(1)
        .build()
        .unwrap();
    other.get_my_user().send().into_result().await.unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

// ---- from_env, in child processes ----

const CHILD: &str = "from_env_child";

/// Run by the tests below in a child process; prints one `FROM_ENV …` line.
#[test]
#[ignore = "run by the from_env tests in a child process with its own environment"]
fn from_env_child() {
    let line = match Client::from_env() {
        Ok(client) if std::env::var_os("FROM_ENV_CALL").is_some() => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let me = runtime.block_on(client.get_my_user().send().into_result());
            match me {
                Ok(user) => format!("USER {}", user.email.unwrap_or_default()),
                Err(e) => format!("ERR {e}"),
            }
        }
        Ok(client) => format!("OK {}", client.baseurl()),
        Err(e) => format!("ERR {e}"),
    };
    println!("FROM_ENV {line}");
}

/// Runs [`from_env_child`] with exactly these `PARTOO_*` variables and returns what it printed.
fn from_env(vars: &[(&str, &str)]) -> String {
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut command = Command::new(exe);
    command.args([
        CHILD,
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ]);
    for name in [
        "PARTOO_API_KEY",
        "PARTOO_ENV",
        "PARTOO_BASE_URL",
        "FROM_ENV_CALL",
    ] {
        command.env_remove(name);
    }
    command.envs(vars.iter().copied());
    let output = command.output().expect("the child test runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "child failed: {stdout}");
    stdout
        .lines()
        .find_map(|line| {
            line.split_once("FROM_ENV ")
                .map(|(_, rest)| rest.to_owned())
        })
        .unwrap_or_else(|| panic!("no FROM_ENV line in {stdout}"))
}

#[test]
fn from_env_needs_the_api_key() {
    assert_eq!(
        from_env(&[("PARTOO_ENV", "sandbox")]),
        "ERR client configuration: PARTOO_API_KEY is not set"
    );
}

#[test]
fn from_env_defaults_to_production() {
    assert_eq!(
        from_env(&[("PARTOO_API_KEY", "k")]),
        format!("OK {PRODUCTION_URL}")
    );
    let explicit = from_env(&[("PARTOO_API_KEY", "k"), ("PARTOO_ENV", "production")]);
    assert_eq!(explicit, format!("OK {PRODUCTION_URL}"));
}

#[test]
fn from_env_reads_partoo_env() {
    let sandbox = from_env(&[("PARTOO_API_KEY", "k"), ("PARTOO_ENV", "SANDBOX")]);
    assert_eq!(sandbox, format!("OK {SANDBOX_URL}"));
    let unknown = from_env(&[("PARTOO_API_KEY", "k"), ("PARTOO_ENV", "staging")]);
    assert!(unknown.starts_with("ERR "), "{unknown}");
    assert!(
        unknown.contains("unknown Partoo environment \"staging\""),
        "{unknown}"
    );
}

#[test]
fn from_env_partoo_base_url_overrides_partoo_env() {
    let url = from_env(&[
        ("PARTOO_API_KEY", "k"),
        ("PARTOO_ENV", "sandbox"),
        (
            "PARTOO_BASE_URL",
            "https://partoo-proxy.internal.example/v2/",
        ),
    ]);
    assert_eq!(url, "OK https://partoo-proxy.internal.example/v2");
    let refused = from_env(&[
        ("PARTOO_API_KEY", "k"),
        ("PARTOO_BASE_URL", "http://api.partoo.co"),
    ]);
    assert!(refused.contains("refusing plain http"), "{refused}");
}

#[tokio::test]
async fn from_env_sends_the_key_from_the_environment() {
    let server = MockServer::builder().start().await;
    mock_user(&server, "/user/me", "env-key-1b9e").await;
    let uri = server.uri();
    // The child blocks on its own runtime; keep this runtime free to let wiremock's answer through.
    let line = tokio::task::spawn_blocking(move || {
        from_env(&[
            ("PARTOO_API_KEY", "env-key-1b9e"),
            ("PARTOO_BASE_URL", uri.as_str()),
            ("FROM_ENV_CALL", "1"),
        ])
    })
    .await
    .unwrap();
    assert_eq!(line, "USER camille.moreau@maison-lumiere.fr");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}
