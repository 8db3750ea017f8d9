//! The API key never shows in `Debug`, `Display`, errors or tracing output; the request span carries its fields.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use partoo_api::{ApiKey, Client, ClientState, Error, RetryPolicy, SendExt};
use serde_json::json;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "sk_live_SECRET_1234";
const USER: &str = include_str!("fixtures/user_me.json");

fn assert_no_key(what: &str, text: &str) {
    assert!(!text.contains(KEY), "{what} shows the key: {text}");
    assert!(
        !text.contains("SECRET"),
        "{what} shows part of the key: {text}"
    );
}

#[test]
fn debug_of_client_builder_and_key_is_redacted() {
    let builder = Client::builder().api_key(KEY);
    let text = format!("{builder:?}");
    assert_no_key("ClientBuilder Debug", &text);
    assert!(text.contains("ApiKey(<redacted>)"), "{text}");
    assert_no_key("ClientBuilder {:#?}", &format!("{builder:#?}"));

    let client = builder.build().unwrap();
    let text = format!("{client:?}");
    assert_no_key("Client Debug", &text);
    assert!(text.contains("<redacted>"), "{text}");
    assert_no_key("Client {:#?}", &format!("{client:#?}"));
    assert_no_key("cloned Client Debug", &format!("{:?}", client.clone()));

    let state: &ClientState = partoo_api::ClientInfo::inner(&client);
    let text = format!("{state:?}");
    assert_no_key("ClientState Debug", &text);
    assert!(text.contains("api_key: \"<redacted>\""), "{text}");

    let key = ApiKey::new(KEY);
    assert_eq!(format!("{key:?}"), "ApiKey(<redacted>)");
    assert_eq!(format!("{key}"), "<redacted>");
    assert_eq!(key.to_string(), "<redacted>");
}

#[test]
fn config_errors_do_not_quote_the_key() {
    let bad = format!("{KEY}\r\n");
    let err = Client::builder().api_key(&bad).build().unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert_no_key("Config Display", &err.to_string());
    assert_no_key("Config Debug", &format!("{err:?}"));

    let err = Client::builder()
        .api_key(KEY)
        .base_url("http://api.partoo.co/v2")
        .build()
        .unwrap_err();
    assert_no_key("plain-http Config error", &format!("{err} {err:?}"));
}

// ---- captured tracing ----

/// One span or event as recorded: its name and every field, as `name=value` text.
#[derive(Clone, Debug, Default)]
struct Recorded {
    kind: &'static str,
    name: String,
    fields: Vec<(String, String)>,
}

impl Recorded {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

struct Fields<'a>(&'a mut Vec<(String, String)>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }
}

/// Keeps every span (with the fields recorded later) and every event.
#[derive(Clone, Default)]
struct Capture {
    spans: Arc<Mutex<Vec<(Id, Recorded)>>>,
    events: Arc<Mutex<Vec<Recorded>>>,
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _ctx: Context<'_, S>) {
        let mut recorded = Recorded {
            kind: "span",
            name: attrs.metadata().name().to_owned(),
            fields: Vec::new(),
        };
        attrs.record(&mut Fields(&mut recorded.fields));
        self.spans
            .lock()
            .expect("not poisoned")
            .push((id.clone(), recorded));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _ctx: Context<'_, S>) {
        let mut spans = self.spans.lock().expect("not poisoned");
        if let Some((_, recorded)) = spans.iter_mut().rev().find(|(i, _)| i == id) {
            values.record(&mut Fields(&mut recorded.fields));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut recorded = Recorded {
            kind: "event",
            name: event.metadata().target().to_owned(),
            fields: Vec::new(),
        };
        if let Some(span) = ctx.event_span(event) {
            recorded
                .fields
                .push(("in_span".into(), span.name().to_owned()));
        }
        event.record(&mut Fields(&mut recorded.fields));
        self.events.lock().expect("not poisoned").push(recorded);
    }
}

impl Capture {
    fn spans(&self) -> Vec<Recorded> {
        let spans = self.spans.lock().expect("not poisoned");
        spans.iter().map(|(_, r)| r.clone()).collect()
    }
    fn events(&self) -> Vec<Recorded> {
        self.events.lock().expect("not poisoned").clone()
    }
}

#[tokio::test]
async fn tracing_output_has_the_request_span_and_never_the_key() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/user/me"))
        .and(header("x-APIKey", KEY))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/user/me"))
        .and(header("x-APIKey", KEY))
        .respond_with(ResponseTemplate::new(200).set_body_raw(USER, "application/json"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/org"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({"errors": {"authorization": "Operation not allowed"}})),
        )
        .mount(&server)
        .await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(server.uri())
        .retry_policy(RetryPolicy::default().with_delays(
            std::time::Duration::from_millis(1),
            std::time::Duration::from_millis(2),
        ))
        .build()
        .unwrap();

    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry().with(capture.clone());
    // The test runtime is single-threaded: the default subscriber of this thread sees every span and event.
    let guard = tracing::subscriber::set_default(subscriber);
    let me = client.get_my_user().send().into_result().await.unwrap();
    let body: partoo_api::types::CreateOrganizationBody =
        serde_json::from_value(json!({"name": "Maison Lumière"})).unwrap();
    let err = client
        .create_organization()
        .body(body)
        .send()
        .into_result()
        .await
        .unwrap_err();
    drop(guard);
    assert_eq!(me.first_name.unwrap().as_str(), "Camille");
    assert_no_key("Api error", &format!("{err} {err:?}"));

    let spans = capture.spans();
    let events = capture.events();
    let everything = format!("{spans:?} {events:?}");
    assert_no_key("tracing output", &everything);

    let requests: Vec<_> = spans
        .iter()
        .filter(|s| s.name == "partoo_api.request")
        .collect();
    assert_eq!(
        requests.len(),
        2,
        "one span per request, not per attempt: {spans:?}"
    );
    let get = requests[0];
    assert_eq!(get.field("operation"), Some("get_my_user"));
    assert_eq!(get.field("method"), Some("GET"));
    assert_eq!(get.field("path"), Some("/user/me"));
    assert_eq!(get.field("status"), Some("200"));
    assert_eq!(get.field("attempt"), Some("2"), "the 503 was retried once");
    let elapsed: u64 = get
        .field("elapsed_ms")
        .expect("elapsed_ms")
        .parse()
        .unwrap();
    assert!(elapsed < 5_000, "{elapsed}");

    let post = requests[1];
    assert_eq!(post.field("operation"), Some("create_organization"));
    assert_eq!(post.field("method"), Some("POST"));
    assert_eq!(post.field("path"), Some("/org"));
    assert_eq!(post.field("status"), Some("403"));
    assert_eq!(post.field("attempt"), Some("1"));

    // The retry left a debug event inside the request span.
    let retry = events
        .iter()
        .find(|e| e.field("message") == Some("retrying"))
        .expect("a retry event");
    assert_eq!(retry.kind, "event");
    assert_eq!(retry.field("in_span"), Some("partoo_api.request"));
    assert_eq!(retry.field("status"), Some("503"));
}

/// Sends `get_business` for `id`, which must fail, with every span and event captured: the error, the request span and
/// the whole capture as text.
async fn failed_get_business(client: &Client, id: &str) -> (Error, Recorded, String) {
    let capture = Capture::default();
    let guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(capture.clone()));
    let err = client
        .get_business()
        .business_id(id)
        .send()
        .into_result()
        .await
        .expect_err("the request fails");
    drop(guard);
    let spans = capture.spans();
    let text = format!("{spans:?} {:?}", capture.events());
    let span = spans
        .into_iter()
        .find(|s| s.name == "partoo_api.request")
        .expect("a request span");
    (err, span, text)
}

fn no_retry_client(base: String, timeout: Duration) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(base)
        .retry_policy(RetryPolicy::none())
        .timeout(timeout)
        .build()
        .expect("client builds")
}

#[tokio::test]
async fn a_transport_failure_is_recorded_on_the_span() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener.local_addr().expect("an address").port()
    };
    let (err, span, text) = failed_get_business(
        &no_retry_client(format!("http://127.0.0.1:{port}"), Duration::from_secs(30)),
        "5d2f1a9e8b7c6d5e4f3a2b1c",
    )
    .await;
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_no_key("transport error", &format!("{err} {err:?}"));
    assert_no_key("tracing output", &text);
    assert_eq!(span.field("operation"), Some("get_business"));
    assert_eq!(
        span.field("path"),
        Some("/business/{business_id}"),
        "the template, not the id"
    );
    assert_eq!(
        span.field("status"),
        Some("connect error"),
        "nothing listens there"
    );
}

/// A refused redirect, a redirect loop and a timeout were all recorded as "transport error" on the span.
#[tokio::test]
async fn redirect_and_timeout_failures_are_named_on_the_span() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/business/elsewhere"))
        .respond_with(
            ResponseTemplate::new(302).insert_header("location", "https://example.invalid/b"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/business/slow"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/business/loop"))
        .respond_with(
            ResponseTemplate::new(302).insert_header("location", "/business/loop".to_owned()),
        )
        .mount(&server)
        .await;
    // The default timeout for the redirects: the 11 exchanges of the loop share one attempt's time.
    let client = no_retry_client(server.uri(), Duration::from_secs(30));
    let (err, span, _) = failed_get_business(&client, "loop").await;
    assert!(matches!(err, Error::TooManyRedirects { .. }), "{err:?}");
    assert_eq!(span.field("status"), Some("too many redirects"));
    let (err, span, _) = failed_get_business(&client, "elsewhere").await;
    assert!(matches!(err, Error::RedirectRefused { .. }), "{err:?}");
    assert_eq!(span.field("status"), Some("redirect refused"));
    let client = no_retry_client(server.uri(), Duration::from_secs(1));
    let (err, span, _) = failed_get_business(&client, "slow").await;
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert_eq!(span.field("status"), Some("timeout"));
}
