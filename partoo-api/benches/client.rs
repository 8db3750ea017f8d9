//! `cargo bench -p partoo-api --bench client [-- --quick]` (run by `cargo xtask bench`).
//!
//! Three measurements against loopback servers started here (plain `std::net` threads speaking minimal
//! HTTP/1.1 with keep-alive, bound to 127.0.0.1, stopped when the bench ends):
//!
//! 1. request overhead: `Client` with the whole hand-written layer (API key header, retry policy, tracing span,
//!    error capture, `into_result`) against the same `reqwest::Client` used raw, decoding into the same type;
//! 2. pagination: `pages().concurrency(c).stream()` over pages answered after 20 ms, against the ideal time;
//! 3. decoding a 100-business page into `types::SearchBusinessesResponse` against `serde_json::Value`.
//!
//! Every result is one line ending with its ratio; nothing fails on a time.

use std::hint::black_box;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use partoo_api::{Client, ClientInfo, Paginate, SendExt, types};
use serde_json::{Value, json};

const API_KEY: &str = "bench-key-0123456789abcdef";

/// Iteration counts: full run, or `--quick` for a smoke run.
struct Plan {
    quick: bool,
    warmup: usize,
    requests: usize,
    pages: i64,
    decode_iters: usize,
}

impl Plan {
    fn from_args() -> Self {
        let quick = std::env::args().any(|a| a == "--quick");
        if quick {
            Plan {
                quick,
                warmup: 50,
                requests: 300,
                pages: 30,
                decode_iters: 100,
            }
        } else {
            Plan {
                quick,
                warmup: 200,
                requests: 2_000,
                pages: 100,
                decode_iters: 1_000,
            }
        }
    }
}

fn main() {
    let plan = Plan::from_args();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    println!(
        "bench client ({} mode, release profile, tokio multi-thread runtime with {} workers)",
        if plan.quick { "quick" } else { "full" },
        std::thread::available_parallelism().map_or(1, usize::from)
    );
    request_overhead(&runtime, &plan);
    pagination(&runtime, &plan, 1, PAGE_SIZE);
    pagination(&runtime, &plan, 8, PAGE_SIZE);
    // The same with 1-business pages: the pagination machinery with almost no decoding work.
    pagination(&runtime, &plan, 8, 1);
    decoding(&plan);
}

// ---------------------------------------------------------------------------------------------------------
// 1. Request overhead
// ---------------------------------------------------------------------------------------------------------

fn request_overhead(runtime: &tokio::runtime::Runtime, plan: &Plan) {
    let body = page_body(1, 10, 287, 30);
    let body_len = body.len();
    let response = Arc::new(ok_response(&body));
    let server = Server::start(Duration::ZERO, move |_target| Arc::clone(&response));
    let base = format!("http://{}", server.addr);
    let client = Client::builder()
        .api_key(API_KEY)
        .base_url(base.as_str())
        .build()
        .expect("a client for the loopback server");
    // The very `reqwest::Client` inside `client`: same timeouts, user agent and connection pool, so the
    // difference is the generated + hand-written layer alone.
    let raw = ClientInfo::client(&client).clone();
    let url = format!("{base}/business/search");

    let (client_ns, raw_ns) = runtime.block_on(async {
        for _ in 0..plan.warmup {
            black_box(via_client(&client).await);
            black_box(via_raw(&raw, &url).await);
        }
        let mut client_ns = Vec::with_capacity(plan.requests);
        let mut raw_ns = Vec::with_capacity(plan.requests);
        // Interleaved one request at a time, the order flipping every pair, so that drift and the load of
        // neighbouring processes hit both sides alike.
        for i in 0..plan.requests {
            for side in [i % 2, 1 - i % 2] {
                let started = Instant::now();
                if side == 0 {
                    drop(black_box(via_client(&client).await));
                    client_ns.push(started.elapsed().as_nanos() as f64);
                } else {
                    drop(black_box(via_raw(&raw, &url).await));
                    raw_ns.push(started.elapsed().as_nanos() as f64);
                }
            }
        }
        (client_ns, raw_ns)
    });
    let served = server.served();
    drop(client);
    drop(raw);
    drop(server);

    let (c_mean, r_mean) = (mean(&client_ns) / 1e3, mean(&raw_ns) / 1e3);
    let (c_p50, r_p50) = (median(&client_ns) / 1e3, median(&raw_ns) / 1e3);
    println!(
        "request overhead: {} sequential requests each (interleaved) after {} warm-up, 30-business page ({:.1} kB), keep-alive, \
         {served} served; client (SendExt::into_result, default retry policy) {c_mean:.1} µs/req (p50 {c_p50:.1}); \
         raw reqwest GET + serde_json into types::SearchBusinessesResponse {r_mean:.1} µs/req (p50 {r_p50:.1}); \
         goal ≤ 1.05; ratio client/raw {:.3}",
        client_ns.len(),
        plan.warmup,
        body_len as f64 / 1e3,
        c_mean / r_mean
    );
}

async fn via_client(client: &Client) -> types::SearchBusinessesResponse {
    let page = client
        .search_businesses()
        .send()
        .into_result()
        .await
        .expect("the client's request succeeds");
    assert_eq!(page.businesses.as_ref().map(Vec::len), Some(30));
    page
}

async fn via_raw(raw: &reqwest::Client, url: &str) -> types::SearchBusinessesResponse {
    let response = raw
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .header("api-version", <Client as ClientInfo<_>>::api_version())
        .header("x-APIKey", API_KEY)
        .send()
        .await
        .expect("the raw request succeeds")
        .error_for_status()
        .expect("the raw request gets a 2xx");
    let bytes = response.bytes().await.expect("the raw body arrives");
    let page: types::SearchBusinessesResponse =
        serde_json::from_slice(&bytes).expect("the raw body decodes");
    assert_eq!(page.businesses.as_ref().map(Vec::len), Some(30));
    page
}

// ---------------------------------------------------------------------------------------------------------
// 2. Pagination
// ---------------------------------------------------------------------------------------------------------

const PAGE_DELAY: Duration = Duration::from_millis(20);
const PAGE_SIZE: usize = 30;

fn pagination(runtime: &tokio::runtime::Runtime, plan: &Plan, concurrency: usize, size: usize) {
    let pages = plan.pages;
    let count = pages * size as i64;
    let responses: Vec<Arc<Vec<u8>>> = (1..=pages)
        .map(|n| Arc::new(ok_response(&page_body(n, pages, count, size))))
        .collect();
    let empty = Arc::new(ok_response(&page_body(pages + 1, pages, count, 0)));
    let server = Server::start(PAGE_DELAY, move |target| {
        let page = query_value(target, "page")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(1);
        usize::try_from(page - 1)
            .ok()
            .and_then(|i| responses.get(i))
            .map_or_else(|| Arc::clone(&empty), Arc::clone)
    });
    let client = Client::builder()
        .api_key(API_KEY)
        .base_url(format!("http://{}", server.addr))
        .build()
        .expect("a client for the loopback server");

    let (elapsed, got_pages, got_items) = runtime.block_on(async {
        let started = Instant::now();
        let all: Vec<_> = client
            .search_businesses()
            .pages()
            .concurrency(concurrency)
            .stream()
            .try_collect()
            .await
            .expect("every page arrives");
        let elapsed = started.elapsed();
        let items: usize = all.iter().map(|p| p.items.len()).sum();
        (elapsed, all.len(), items)
    });
    let served = server.served();
    drop(client);
    drop(server);
    assert_eq!(got_pages as i64, pages, "pages streamed");
    assert_eq!(got_items as i64, count, "items streamed");

    let delay = PAGE_DELAY.as_secs_f64();
    let ideal = delay * pages as f64 / concurrency as f64;
    // `Pages::concurrency` fetches page 1 alone, then the rest with up to c in flight: the best it can do.
    let waves = 1 + (pages as usize - 1).div_ceil(concurrency);
    let floor = delay * waves as f64;
    let goal = if concurrency == 8 && size == PAGE_SIZE {
        "; goal ≤ 1.2"
    } else {
        ""
    };
    let label = if size == PAGE_SIZE {
        format!("pagination c={concurrency}")
    } else {
        format!("pagination c={concurrency}, {size}-business pages")
    };
    println!(
        "{label}: {pages} pages × {size} businesses, server waits {} ms per request, \
         {served} requests; elapsed {:.1} ms; ideal pages × {} ms / c = {:.1} ms (page 1 alone, then c in \
         flight: at best {waves} waits = {:.1} ms, {:.3} × ideal){goal}; ratio to ideal {:.3}",
        PAGE_DELAY.as_millis(),
        elapsed.as_secs_f64() * 1e3,
        PAGE_DELAY.as_millis(),
        ideal * 1e3,
        floor * 1e3,
        floor / ideal,
        elapsed.as_secs_f64() / ideal
    );
}

// ---------------------------------------------------------------------------------------------------------
// 3. Decoding
// ---------------------------------------------------------------------------------------------------------

fn decoding(plan: &Plan) {
    let body = page_body(1, 3, 287, 100);
    // Sanity: the typed decode sees every business and every custom field as its typed variant.
    let typed: types::SearchBusinessesResponse =
        serde_json::from_slice(&body).expect("the 100-business page decodes");
    let businesses = typed.businesses.expect("businesses present");
    assert_eq!(businesses.len(), 100);
    let untyped_fields = businesses
        .iter()
        .flat_map(|b| b.custom_fields.iter().flat_map(|f| f.iter()))
        .filter(|f| matches!(f, types::CustomFieldsFieldBase::Object(_)))
        .count();
    assert_eq!(
        untyped_fields, 0,
        "custom fields fell back to a plain object"
    );

    let rounds = 10;
    let per_round = plan.decode_iters.div_ceil(rounds);
    let (mut typed_ns, mut value_ns) = (0u128, 0u128);
    for _ in 0..per_round.min(20) {
        black_box(serde_json::from_slice::<types::SearchBusinessesResponse>(&body).ok());
        black_box(serde_json::from_slice::<Value>(&body).ok());
    }
    for round in 0..rounds {
        for side in [round % 2, 1 - round % 2] {
            let started = Instant::now();
            for _ in 0..per_round {
                if side == 0 {
                    let page: types::SearchBusinessesResponse =
                        serde_json::from_slice(black_box(&body)).expect("typed decode");
                    drop(black_box(page));
                } else {
                    let page: Value =
                        serde_json::from_slice(black_box(&body)).expect("value decode");
                    drop(black_box(page));
                }
            }
            let ns = started.elapsed().as_nanos();
            if side == 0 {
                typed_ns += ns;
            } else {
                value_ns += ns;
            }
        }
    }
    let n = (per_round * rounds) as f64;
    let (typed_per, value_per) = (typed_ns as f64 / n, value_ns as f64 / n);
    println!(
        "decode 100-business page: {:.1} kB, {} iterations each; types::SearchBusinessesResponse {} ns/page \
         ({:.0} MB/s); serde_json::Value {} ns/page ({:.0} MB/s); ratio typed/value {:.3}",
        body.len() as f64 / 1e3,
        per_round * rounds,
        thousands(typed_per),
        body.len() as f64 / typed_per * 1e3,
        thousands(value_per),
        body.len() as f64 / value_per * 1e3,
        typed_per / value_per
    );
}

// ---------------------------------------------------------------------------------------------------------
// Fixtures: realistic Partoo businesses
// ---------------------------------------------------------------------------------------------------------

/// `(city, slug, zipcode, region, lat, long, phone prefix)`.
const CITIES: [(&str, &str, &str, &str, f64, f64, &str); 8] = [
    (
        "Paris",
        "paris-11",
        "75011",
        "Île-de-France",
        48.8589,
        2.3795,
        "+33 1 43",
    ),
    (
        "Lyon",
        "lyon-2",
        "69002",
        "Auvergne-Rhône-Alpes",
        45.7578,
        4.8320,
        "+33 4 78",
    ),
    (
        "Marseille",
        "marseille-1",
        "13001",
        "Provence-Alpes-Côte d'Azur",
        43.2965,
        5.3698,
        "+33 4 91",
    ),
    (
        "Bordeaux",
        "bordeaux",
        "33000",
        "Nouvelle-Aquitaine",
        44.8378,
        -0.5792,
        "+33 5 56",
    ),
    (
        "Lille",
        "lille",
        "59000",
        "Hauts-de-France",
        50.6292,
        3.0573,
        "+33 3 20",
    ),
    (
        "Nantes",
        "nantes",
        "44000",
        "Pays de la Loire",
        47.2184,
        -1.5536,
        "+33 2 40",
    ),
    (
        "Toulouse",
        "toulouse",
        "31000",
        "Occitanie",
        43.6047,
        1.4442,
        "+33 5 61",
    ),
    (
        "Strasbourg",
        "strasbourg",
        "67000",
        "Grand Est",
        48.5734,
        7.7521,
        "+33 3 88",
    ),
];

/// `(brand, slug, categories, short description)`.
const BRANDS: [(&str, &str, &[&str], &str); 5] = [
    (
        "Boulangerie Delmas",
        "boulangerie-delmas",
        &["gcid:bakery", "gcid:pastry_shop"],
        "Pain au levain, viennoiseries pur beurre et pâtisseries maison.",
    ),
    (
        "Pharmacie du Centre",
        "pharmacie-du-centre",
        &["gcid:pharmacy"],
        "Conseil, orthopédie, matériel médical et préparations magistrales.",
    ),
    (
        "Garage Martin",
        "garage-martin",
        &["gcid:auto_repair_shop", "gcid:car_dealer"],
        "Entretien toutes marques, pneus, climatisation et contrôle technique.",
    ),
    (
        "Le Petit Bistrot",
        "le-petit-bistrot",
        &["gcid:restaurant", "gcid:french_restaurant", "gcid:bar"],
        "Cuisine de saison, plat du jour et terrasse ombragée.",
    ),
    (
        "Optique Lumière",
        "optique-lumiere",
        &["gcid:optician"],
        "Lunettes de vue et de soleil, lentilles, examen de vue sur rendez-vous.",
    ),
];

const STREETS: [(&str, &str); 5] = [
    ("rue", "de la République"),
    ("avenue", "Jean Jaurès"),
    ("boulevard", "Voltaire"),
    ("place", "du Marché"),
    ("rue", "Victor Hugo"),
];

/// One business as `GET /business/search` returns it (schema `BusinessWithCustomFields`).
fn business(i: usize) -> Value {
    let (city, city_slug, zipcode, region, lat, long, phone) = CITIES[i % CITIES.len()];
    let (brand, slug, categories, short) = BRANDS[i % BRANDS.len()];
    let (street_type, street_name) = STREETS[i % STREETS.len()];
    let number = 1 + (i * 7) % 180;
    let jitter = (i as f64 * 0.000_37) % 0.02;
    let id = format!("5f{:022x}", 0x0009_c3a1_7e05_u64.wrapping_mul(i as u64 + 1));
    let weekday = json!(["09:00-12:30", "14:00-19:00"]);
    // Built in parts: one `json!` for the whole business exceeds the default macro recursion limit.
    let open_hours = json!({
        "monday": [],
        "tuesday": weekday,
        "wednesday": weekday,
        "thursday": weekday,
        "friday": weekday,
        "saturday": ["09:00-13:00", "14:00-18:00"],
        "sunday": [],
    });
    let specific_hours = json!({
        "open": [{"starts_at": "2024-12-24", "ends_at": "2024-12-24", "open_hours": ["09:00-16:00"]}],
        "close": [
            {"starts_at": "2024-12-25", "ends_at": "2024-12-26"},
            {"starts_at": "2025-01-01", "ends_at": "2025-01-01"},
        ],
    });
    let contacts = json!([{
        "name": "Camille Durand",
        "email": format!("{city_slug}@{slug}.fr"),
        "phone_numbers": [format!("{phone} {:02} {:02} {:02}", i % 100, (i * 3) % 100, (i * 7) % 100)],
    }]);
    let photos = json!({
        "LOGO": format!("https://cdn.partoo.co/business/{id}/logo.png"),
        "primary": format!("https://cdn.partoo.co/business/{id}/primary.jpg"),
        "secondary": [
            format!("https://cdn.partoo.co/business/{id}/1.jpg"),
            format!("https://cdn.partoo.co/business/{id}/2.jpg"),
            format!("https://cdn.partoo.co/business/{id}/3.jpg"),
        ],
    });
    let subscriptions = json!({
        "presence_management": {"active": true},
        "review_management": {"active": !i.is_multiple_of(3)},
        "review_booster": {"active": i.is_multiple_of(5)},
    });
    let custom_fields = json!([
        {"id": 11, "type": "BOOLEAN", "name": "Parking", "value": i.is_multiple_of(2), "order": 1},
        {"id": 12, "type": "TEXT", "name": "Responsable", "value": "Camille Durand", "order": 2},
        {"id": 13, "type": "INTEGER", "name": "Surface (m²)", "value": 80 + i % 200, "order": 3},
        {"id": 14, "type": "MULTIPLE_SELECT", "name": "Paiement", "value": ["Carte bancaire", "Espèces"], "order": 4},
    ]);
    let description_long = format!(
        "{brand} vous accueille au {number} {street_type} {street_name} à {city} du mardi au samedi. {short} \
         Notre équipe vous conseille sur place et par téléphone ; retrait des commandes passées en ligne sous \
         deux heures, paiement sans contact et accès aux personnes à mobilité réduite."
    );
    let google_location_id = format!(
        "accounts/1069{:014}/locations/{:019}",
        i * 31,
        4_000_000_000_000_000_000u64 + i as u64 * 7919
    );
    json!({
        "id": id,
        "created": 1_409_925_979.5 + i as f64 * 86_400.0,
        "modified": 1_712_000_000.25 + i as f64 * 3_600.0,
        "code": format!("FR-{zipcode}-{i:04}"),
        "status": if i % 17 == 16 { "closed" } else { "open" },
        "org_id": 4213,
        "group_id": 100 + i % 12,
        "name": format!("{brand} {city}"),
        "address_details": {
            "number": number.to_string(),
            "street_type": street_type,
            "street_name": street_name,
        },
        "address": format!("{number} {street_type} {street_name}"),
        "address2": "",
        "city": city,
        "zipcode": zipcode,
        "region": region,
        "country": "FR",
        "categories": categories,
        "open_hours": open_hours,
        "specific_hours": specific_hours,
        "description_short": short,
        "description_long": description_long,
        "website_url": format!("https://www.{slug}.fr/magasins/{city_slug}"),
        "facebook_url": format!("https://www.facebook.com/{slug}.{city_slug}"),
        "twitter_url": format!("https://twitter.com/{slug}"),
        "google_location_id": google_location_id,
        "facebook_page_id": format!("10{:013}", 2_781_000_000_000u64 + i as u64 * 104_729),
        "national_identification_number": format!("{:014}", 44_306_184_100_000u64 + i as u64 * 13),
        "logo_url": format!("https://cdn.partoo.co/business/logo/{slug}.png"),
        "contacts": contacts,
        "photos": photos,
        "lat": lat + jitter,
        "long": long - jitter,
        "subscriptions": subscriptions,
        "custom_fields": custom_fields,
    })
}

/// `{"page": .., "max_page": .., "count": .., "businesses": [..]}` as JSON bytes.
fn page_body(page: i64, max_page: i64, count: i64, size: usize) -> Vec<u8> {
    let first = usize::try_from(page - 1).unwrap_or(0) * size;
    let businesses: Vec<Value> = (first..first + size).map(business).collect();
    serde_json::to_vec(&json!({
        "page": page,
        "max_page": max_page,
        "count": count,
        "businesses": businesses,
    }))
    .expect("a page serializes")
}

// ---------------------------------------------------------------------------------------------------------
// Loopback HTTP/1.1 server
// ---------------------------------------------------------------------------------------------------------

/// Connections served at once; more are closed on accept.
const MAX_CONNECTIONS: usize = 64;
/// Largest request head (request line and headers) accepted.
const MAX_HEAD: usize = 64 * 1024;
/// Largest request body accepted.
const MAX_BODY: usize = 1024 * 1024;
/// How often an idle connection checks whether the server is stopping.
const POLL: Duration = Duration::from_millis(100);

type Respond = dyn Fn(&str) -> Arc<Vec<u8>> + Send + Sync;

/// A thread-per-connection server on 127.0.0.1; stops (and joins its threads) when dropped.
struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    served: Arc<AtomicUsize>,
    acceptor: Option<JoinHandle<()>>,
}

impl Server {
    /// `respond` maps the request target (`/path?query`) to a complete HTTP response; each request is
    /// answered after `delay`.
    fn start(
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

    fn served(&self) -> usize {
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

fn accept_loop(
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
fn serve(
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
        if !delay.is_zero() {
            std::thread::sleep(delay);
        }
        let response = if head.target.starts_with("/business/search") {
            respond(&head.target)
        } else {
            Arc::new(not_found())
        };
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
fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>, stop: &AtomicBool) -> bool {
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
struct Head {
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

fn ok_response(body: &[u8]) -> Vec<u8> {
    let mut response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    response.extend_from_slice(body);
    response
}

fn not_found() -> Vec<u8> {
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
fn query_value<'t>(target: &'t str, key: &str) -> Option<&'t str> {
    let (_, query) = target.split_once('?')?;
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

// ---------------------------------------------------------------------------------------------------------
// Statistics and formatting
// ---------------------------------------------------------------------------------------------------------

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len().max(1) as f64
}

fn median(xs: &[f64]) -> f64 {
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(0.0)
}

/// `1234567.8` → `1,234,568`.
fn thousands(x: f64) -> String {
    let digits = format!("{:.0}", x);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
