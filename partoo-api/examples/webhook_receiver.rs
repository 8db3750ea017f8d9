//! A webhook receiver on 127.0.0.1 (hyper): verifies each delivery, drops repeats, hands the event to a
//! worker, answers.
//!
//! ```sh
//! cargo run -p partoo-api --example webhook_receiver                      # demo: signs and sends to itself
//! cargo run -p partoo-api --example webhook_receiver -- --listen 127.0.0.1:8080 [--environment sandbox]
//! cargo run -p partoo-api --example webhook_receiver -- --listen 127.0.0.1:8080 --public-key key.pem
//! ```
//!
//! Answers: 200 once the event is queued, including a signed body that could not be typed
//! (`Event::Unparsed`: it is Partoo's, and a 4xx would lose it for good, Partoo does not retry those; the
//! worker keeps its raw bytes); 200 without handling it again for a body already handled (Partoo signs the
//! body only, so a captured delivery can be replayed; `Deduplicator` remembers recent bodies); 401 for a
//! missing or bad signature; 413 for a body over 1 MiB; 400 for one the sender broke off; 503 only when the application cannot take the event
//! right now (its queue is full), which Partoo retries (the body is forgotten by the de-duplicator first, so
//! the retry is handled).
//!
//! Without `--listen` it runs a demo and exits: a key pair is made, and the receiver gets a valid delivery, a
//! tampered one, an unsigned one, one whose payload does not fit its schema, a replay of the first, and a
//! test (tryout) delivery, from a local hyper client.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use partoo_api::Environment;
use partoo_api::webhooks::{Deduplicator, Delivery, Event, PublicKey, Verifier};
use ring::signature::{Ed25519KeyPair, KeyPair};
use tokio::sync::mpsc;

/// Partoo's events are a few kB; anything far larger is refused before it is read whole.
const MAX_BODY: usize = 1024 * 1024;
/// Events waiting for the worker; when full, deliveries get 503 and Partoo retries later.
const QUEUE: usize = 64;
/// Bodies remembered to drop repeats (about 1.6 MB, see `Deduplicator`), and for how long: longer than
/// Partoo's retries.
const REMEMBERED: NonZeroUsize = NonZeroUsize::new(10_000).expect("not zero");
const REMEMBER_FOR: Duration = Duration::from_secs(24 * 60 * 60);

type Error = Box<dyn std::error::Error + Send + Sync>;

struct State {
    verifier: Verifier,
    seen: Deduplicator,
    events: mpsc::Sender<Delivery>,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // A flag's value, `None` when the flag is absent; a flag without a value is an error.
    let flag = |name: &str| -> Result<Option<&String>, Error> {
        match args.iter().position(|a| a == name) {
            None => Ok(None),
            Some(i) => match args.get(i + 1).filter(|v| !v.starts_with("--")) {
                Some(value) => Ok(Some(value)),
                None => Err(format!("{name} needs a value").into()),
            },
        }
    };
    match flag("--listen")? {
        Some(addr) => {
            let verifier = match (flag("--public-key")?, flag("--environment")?) {
                (Some(file), _) => {
                    let pem = std::fs::read_to_string(file).map_err(|e| {
                        format!("--public-key {file}: {e} (a PEM file is expected)")
                    })?;
                    let key = PublicKey::from_pem(&pem)
                        .map_err(|e| format!("--public-key {file}: {e}"))?;
                    Verifier::new(key)
                }
                (None, Some(env)) => Verifier::for_environment(
                    env.parse::<Environment>()
                        .map_err(|e| format!("--environment {env}: {e}"))?,
                ),
                (None, None) => Verifier::for_environment(Environment::Production),
            };
            let addr: SocketAddr = addr
                .parse()
                .map_err(|e| format!("--listen {addr}: {e} (an address such as 127.0.0.1:8080)"))?;
            if !addr.ip().is_loopback() {
                return Err(
                    "this example listens on 127.0.0.1 only (put a TLS proxy in front)".into(),
                );
            }
            let (state, worker) = start(verifier);
            say(format_args!(
                "listening on http://{addr} with {:?}",
                state.verifier.keys()
            ));
            tokio::spawn(worker);
            serve(tokio::net::TcpListener::bind(addr).await?, state).await
        }
        None => demo().await,
    }
}

/// Prints one line. A closed standard output (`| head -1`) is not a reason for a receiver to stop, so the
/// error is ignored (`println!` panics on it).
fn say(line: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stdout(), "{line}");
}

/// The application side: a worker that takes events off a bounded queue (here it prints them).
fn start(verifier: Verifier) -> (Arc<State>, impl Future<Output = ()>) {
    let (events, mut queue) = mpsc::channel::<Delivery>(QUEUE);
    let worker = async move {
        while let Some(delivery) = queue.recv().await {
            // The tryout header is not signed: it only labels the event here, it changes no check.
            let test = if delivery.is_tryout {
                " (test delivery)"
            } else {
                ""
            };
            let event = &delivery.event;
            // A real application stores `delivery.raw`, the signed bytes, with every event (its record, and
            // what to replay once a schema is fixed): the typed event leaves out undeclared fields, and
            // `Event::Other` holds a parse of the body; nothing signed by Partoo is thrown away.
            match event {
                Event::Unparsed { .. } => {
                    say(format_args!("kept unparsed{test}: {}", event.summary()));
                }
                _ => say(format_args!(
                    "handled{test}: {} ({} bytes kept)",
                    event.summary(),
                    delivery.raw.len()
                )),
            }
        }
    };
    let seen = Deduplicator::new(REMEMBERED, REMEMBER_FOR);
    (
        Arc::new(State {
            verifier,
            seen,
            events,
        }),
        worker,
    )
}

async fn serve(listener: tokio::net::TcpListener, state: Arc<State>) -> Result<(), Error> {
    loop {
        let (stream, _) = listener.accept().await?;
        let state = Arc::clone(&state);
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| receive(Arc::clone(&state), req));
            // A client that hangs up mid-request is its own problem, not the receiver's.
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn receive(
    state: Arc<State>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    if parts.method != hyper::Method::POST {
        return Ok(answer(StatusCode::METHOD_NOT_ALLOWED, "POST only"));
    }
    // The signature covers these exact bytes: read them whole, verify, and only then decode.
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        // Over the limit: named, so an operator can tell it from a sender that broke off.
        Err(e) if e.is::<LengthLimitError>() => {
            say(format_args!(
                "refused (413): body over {MAX_BODY} bytes (MAX_BODY)"
            ));
            return Ok(answer(StatusCode::PAYLOAD_TOO_LARGE, "body over 1 MiB"));
        }
        Err(e) => {
            say(format_args!("refused (400): body not read whole: {e}"));
            return Ok(answer(StatusCode::BAD_REQUEST, "body not read whole"));
        }
    };
    // Every error is a signature failure; a verified body always comes back as an event (maybe Unparsed).
    let delivery = match state.verifier.verify_request(&parts.headers, &body) {
        Ok(delivery) => delivery,
        Err(e) => {
            say(format_args!("refused (401): {e}"));
            return Ok(answer(StatusCode::UNAUTHORIZED, "bad signature"));
        }
    };
    // After verification, so unsigned junk cannot fill the memory of bodies seen.
    if !state.seen.first_seen(&body) {
        return Ok(answer(StatusCode::OK, "duplicate, already handled"));
    }
    Ok(match state.events.try_send(delivery) {
        Ok(()) => answer(StatusCode::OK, "ok"),
        // Transient: the worker is behind (or gone). Partoo retries 5xx with backoff, and the retry
        // must not be taken for a repeat.
        Err(_) => {
            state.seen.forget(&body);
            answer(StatusCode::SERVICE_UNAVAILABLE, "busy, retry later")
        }
    })
}

fn answer(status: StatusCode, text: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *response.status_mut() = status;
    response
}

/// Runs the receiver with a key made here and sends it six deliveries.
async fn demo() -> Result<(), Error> {
    let pair = Ed25519KeyPair::from_seed_unchecked(&[42; 32]).map_err(|e| e.to_string())?;
    let key = PublicKey::from_bytes(pair.public_key().as_ref())?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (state, worker) = start(Verifier::new(key));
    tokio::spawn(worker);
    tokio::spawn(serve(listener, state));
    let body = br#"{"type": "review_updated", "org_id": 7, "payload": {"review": {"id": 12, "rating": 5}}}"#;
    let sign = |body: &[u8]| base64::engine::general_purpose::STANDARD.encode(pair.sign(body));
    let signature = sign(body);
    let tampered = body.replace_rating();
    // Signed, but `review.id` is a string where the schema has an integer.
    let off_schema =
        br#"{"type": "review_updated", "org_id": 7, "payload": {"review": {"id": "12-b"}}}"#;
    let off_schema_signature = sign(off_schema);
    let tryout = br#"{"type": "review_updated", "org_id": 1, "payload": {"review": {"id": 1}}}"#;
    let tryout_signature = sign(tryout);
    let cases: [(&str, &[u8], Option<&str>, bool); 6] = [
        ("valid", body, Some(&signature), false),
        ("tampered", &tampered, Some(&signature), false),
        ("unsigned", body, None, false),
        ("off-schema", off_schema, Some(&off_schema_signature), false),
        ("replayed", body, Some(&signature), false),
        ("tryout", tryout, Some(&tryout_signature), true),
    ];
    for (name, body, signature, tryout) in cases {
        let mut request = Request::post("/partoo").header(hyper::header::HOST, addr.to_string());
        if let Some(signature) = signature {
            request = request.header("X-Partoo-Signature-v1", signature);
        }
        if tryout {
            request = request.header("X-Partoo-Webhook-Tryout", "1");
        }
        let request = request.body(Full::new(Bytes::copy_from_slice(body)))?;
        // One connection per delivery, as a plain hyper client (no TLS on loopback).
        let stream = tokio::net::TcpStream::connect(addr).await?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        let response = sender.send_request(request).await?;
        let status = response.status();
        let text = response.into_body().collect().await?.to_bytes();
        say(format_args!(
            "{name} delivery → {status} {}",
            String::from_utf8_lossy(&text)
        ));
    }
    // Let the worker print the last event before the runtime stops.
    tokio::task::yield_now().await;
    Ok(())
}

/// The demo's tampering: one byte of the rating changed.
trait Tamper {
    fn replace_rating(&self) -> Vec<u8>;
}

impl Tamper for [u8] {
    fn replace_rating(&self) -> Vec<u8> {
        String::from_utf8_lossy(self)
            .replace("\"rating\": 5", "\"rating\": 1")
            .into_bytes()
    }
}
