//! A minimal HTTP/1.1 server on 127.0.0.1 (thread per connection, keep-alive), stopped when dropped.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

// ---------------------------------------------------------------------------------------------------------
// Loopback HTTP/1.1 server
// ---------------------------------------------------------------------------------------------------------

/// Connections served at once; more are closed on accept.
pub(crate) const MAX_CONNECTIONS: usize = 64;
/// Largest request head (request line and headers) accepted.
pub(crate) const MAX_HEAD: usize = 64 * 1024;
/// Largest request body accepted.
pub(crate) const MAX_BODY: usize = 1024 * 1024;
/// How often an idle connection checks whether the server is stopping.
pub(crate) const POLL: Duration = Duration::from_millis(100);

pub(crate) type Respond = dyn Fn(&str) -> Arc<Vec<u8>> + Send + Sync;

/// A thread-per-connection server on 127.0.0.1; stops (and joins its threads) when dropped.
pub(crate) struct Server {
    pub(crate) addr: SocketAddr,
    stop: Arc<AtomicBool>,
    served: Arc<AtomicUsize>,
    acceptor: Option<JoinHandle<()>>,
}

impl Server {
    /// `respond` maps the request target (`/path?query`) to a complete HTTP response; each request is
    /// answered after `delay`.
    pub(crate) fn start(
        delay: Duration,
        respond: impl Fn(&str) -> Arc<Vec<u8>> + Send + Sync + 'static,
    ) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("the listener's address");
        let stop = Arc::new(AtomicBool::new(false));
        let served = Arc::new(AtomicUsize::new(0));
        let respond: Arc<Respond> = Arc::new(respond);
        let acceptor = std::thread::Builder::new()
            .name("bench-accept".into())
            .spawn({
                let stop = Arc::clone(&stop);
                let served = Arc::clone(&served);
                move || accept_loop(listener, &stop, &served, delay, &respond)
            })
            .expect("spawn the accept thread");
        Server {
            addr,
            stop,
            served,
            acceptor: Some(acceptor),
        }
    }

    pub(crate) fn served(&self) -> usize {
        self.served.load(Ordering::Relaxed)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept.
        drop(TcpStream::connect(self.addr));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

pub(crate) fn accept_loop(
    listener: TcpListener,
    stop: &Arc<AtomicBool>,
    served: &Arc<AtomicUsize>,
    delay: Duration,
    respond: &Arc<Respond>,
) {
    let live = Arc::new(AtomicUsize::new(0));
    let mut workers: Vec<JoinHandle<()>> = Vec::new();
    for conn in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = conn else { continue };
        workers.retain(|w| !w.is_finished());
        if live.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
            continue;
        }
        live.fetch_add(1, Ordering::SeqCst);
        let (live, stop, served, respond) = (
            Arc::clone(&live),
            Arc::clone(stop),
            Arc::clone(served),
            Arc::clone(respond),
        );
        let spawned = std::thread::Builder::new()
            .name("bench-conn".into())
            .spawn(move || {
                serve(stream, &stop, &served, delay, &*respond);
                live.fetch_sub(1, Ordering::SeqCst);
            });
        match spawned {
            Ok(worker) => workers.push(worker),
            Err(_) => break,
        }
    }
    for worker in workers {
        let _ = worker.join();
    }
}

/// Serves requests on one keep-alive connection until the peer closes, asks to close, or the server stops.
pub(crate) fn serve(
    mut stream: TcpStream,
    stop: &AtomicBool,
    served: &AtomicUsize,
    delay: Duration,
    respond: &Respond,
) {
    let _ = stream.set_nodelay(true);
    if stream.set_read_timeout(Some(POLL)).is_err() {
        return;
    }
    let mut buf: Vec<u8> = Vec::with_capacity(8 * 1024);
    loop {
        let head_end = loop {
            if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break pos + 4;
            }
            if buf.len() > MAX_HEAD || !read_more(&mut stream, &mut buf, stop) {
                return;
            }
        };
        let Some(head) = Head::parse(&buf[..head_end]) else {
            let _ = stream.write_all(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
            return;
        };
        if head.content_length > MAX_BODY {
            return;
        }
        while buf.len() < head_end + head.content_length {
            if !read_more(&mut stream, &mut buf, stop) {
                return;
            }
        }
        buf.drain(..head_end + head.content_length);
        // Decided on arrival (the quota server stamps the request then), sent after the delay.
        let response = if head.target.starts_with("/business") {
            respond(&head.target)
        } else {
            Arc::new(not_found())
        };
        if !delay.is_zero() {
            std::thread::sleep(delay);
        }
        if stream.write_all(&response).is_err() {
            return;
        }
        served.fetch_add(1, Ordering::Relaxed);
        if head.close {
            return;
        }
    }
}

/// Reads what is available into `buf`; `false` on end of stream, error, or when the server stops.
pub(crate) fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>, stop: &AtomicBool) -> bool {
    let mut chunk = [0u8; 8 * 1024];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => return false,
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                return true;
            }
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                ) =>
            {
                if stop.load(Ordering::SeqCst) {
                    return false;
                }
            }
            Err(_) => return false,
        }
    }
}

/// What the server needs from a request head.
pub(crate) struct Head {
    target: String,
    content_length: usize,
    close: bool,
}

impl Head {
    fn parse(raw: &[u8]) -> Option<Head> {
        let text = std::str::from_utf8(raw).ok()?;
        let mut lines = text.split("\r\n");
        let mut request_line = lines.next()?.split(' ');
        let _method = request_line.next()?;
        let target = request_line.next()?.to_owned();
        let version = request_line.next()?;
        let mut head = Head {
            target,
            content_length: 0,
            close: version == "HTTP/1.0",
        };
        for line in lines.filter(|l| !l.is_empty()) {
            let (name, value) = line.split_once(':')?;
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                head.content_length = value.parse().ok()?;
            } else if name.eq_ignore_ascii_case("connection") {
                head.close = value.eq_ignore_ascii_case("close");
            }
        }
        Some(head)
    }
}

pub(crate) fn ok_response(body: &[u8]) -> Vec<u8> {
    let mut response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    response.extend_from_slice(body);
    response
}

pub(crate) fn not_found() -> Vec<u8> {
    let body = br#"{"errors":{"json":"not found"}}"#;
    let mut response = format!(
        "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    response.extend_from_slice(body);
    response
}

/// The value of `key` in the query of a request target (no percent-decoding needed for page numbers).
pub(crate) fn query_value<'t>(target: &'t str, key: &str) -> Option<&'t str> {
    let (_, query) = target.split_once('?')?;
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}
