//! A loopback HTTP server that runs on the test's own tokio runtime, so that with paused time it stamps
//! each request with the *virtual* time it arrived at. (wiremock runs on a runtime of its own, in real time.)
//! It answers every request with the signed-in user, except the requests `answer` picks out by arrival number.

// Each test file uses a different subset of these helpers.
#![allow(dead_code)]

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use partoo_api::{Client, RetryPolicy};
use tokio::time::Instant;

const USER: &str = include_str!("../fixtures/user_me.json");

/// What the server does with the request of a given arrival number (0-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Answer {
    /// 200 with the user.
    User,
    /// 429 with this `Retry-After`.
    TooMany(&'static str),
    /// 429 without `Retry-After`.
    TooManyBare,
    /// 302 to this path of the same server.
    Redirect(&'static str),
}

/// One request as the server saw it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Arrival {
    pub(crate) at: Instant,
    pub(crate) answer: Answer,
}

pub(crate) struct Loopback {
    pub(crate) base_url: String,
    log: Arc<Mutex<Vec<Arrival>>>,
}

impl Loopback {
    /// Starts the server on the current runtime.
    pub(crate) async fn start(answer: fn(usize) -> Answer) -> Loopback {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("the listener's address");
        let log: Arc<Mutex<Vec<Arrival>>> = Arc::default();
        let shared = Arc::clone(&log);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let log = Arc::clone(&shared);
                let service = service_fn(move |_request| {
                    let at = Instant::now();
                    let mut log = log.lock().expect("the log");
                    let answer = answer(log.len());
                    log.push(Arrival { at, answer });
                    let response = match answer {
                        Answer::User => hyper::Response::builder()
                            .status(200)
                            .header("content-type", "application/json")
                            .body(Full::new(Bytes::from_static(USER.as_bytes()))),
                        Answer::TooMany(wait) => hyper::Response::builder()
                            .status(429)
                            .header("content-type", "application/json")
                            .header("retry-after", wait)
                            .body(Full::new(Bytes::from_static(
                                br#"{"errors":{"json":"Too many requests"}}"#,
                            ))),
                        Answer::Redirect(to) => hyper::Response::builder()
                            .status(302)
                            .header("location", to)
                            .body(Full::new(Bytes::new())),
                        Answer::TooManyBare => hyper::Response::builder()
                            .status(429)
                            .header("content-type", "application/json")
                            .body(Full::new(Bytes::from_static(
                                br#"{"errors":{"json":"Too many requests"}}"#,
                            ))),
                    };
                    async move { Ok::<_, Infallible>(response.expect("a valid response")) }
                });
                tokio::spawn(
                    hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service),
                );
            }
        });
        Loopback {
            base_url: format!("http://{addr}"),
            log,
        }
    }

    /// Every request so far, in arrival order.
    pub(crate) fn arrivals(&self) -> Vec<Arrival> {
        self.log.lock().expect("the log").clone()
    }

    /// A builder for a client of this server whose only timers are the client's own waits (see
    /// `rate_limited.rs`: reqwest's timeouts and pool timers would be jumped to by paused time).
    pub(crate) fn client(&self) -> partoo_api::ClientBuilder {
        let builder = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .pool_idle_timeout(None);
        Client::builder()
            .api_key("k")
            .base_url(self.base_url.as_str())
            .retry_policy(RetryPolicy::default())
            .http_client_builder(builder)
    }
}
