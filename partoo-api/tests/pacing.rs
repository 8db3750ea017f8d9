//! The client-side rate limit and the pause after a 429, on paused virtual time against a loopback server
//! that stamps each request with the virtual time it arrived at.
//!
//! - every window of length W holds at most n requests (`rate_limit_per_minute(300)`, `rate_limit(n, W)`),
//!   with tasks that come late and bunch up;
//! - a 429 with `Retry-After` holds back the requests of every clone, not only the retry of the one that got it;
//!   a 429 without it does too, for the cool-down.

mod loopback;

use std::time::Duration;

use loopback::{Answer, Loopback};
use partoo_api::{Client, RetryPolicy, SendExt};
use tokio::time::Instant;

/// Sends `requests` in all from `tasks` concurrent tasks, each on its own clone of `client`. Task `k` sleeps
/// a varying while before some of its requests (a task that is late to use its turn), so requests come both
/// in floods and after idle gaps.
async fn drive(client: &Client, tasks: usize, requests: usize) {
    let mut handles = Vec::new();
    for k in 0..tasks {
        let client = client.clone();
        let mine = requests / tasks + usize::from(k < requests % tasks);
        handles.push(tokio::spawn(async move {
            for i in 0..mine {
                if (i + k) % 7 == 0 {
                    let late = Duration::from_millis(((i * 37 + k * 101) % 900) as u64);
                    tokio::time::sleep(late).await;
                }
                client
                    .get_my_user()
                    .send()
                    .into_result()
                    .await
                    .expect("the loopback server answers");
            }
        }));
    }
    for handle in handles {
        handle.await.expect("a task ends");
    }
}

/// The shortest span of `n + 1` consecutive arrivals: every window shorter than it holds at most `n`.
fn tightest(arrivals: &[Instant], n: usize) -> Duration {
    arrivals
        .windows(n + 1)
        .map(|w| w[n] - w[0])
        .min()
        .expect("more than n arrivals")
}

#[tokio::test(start_paused = true)]
async fn rate_limit_per_minute_keeps_every_minute_at_or_under_the_limit() {
    let server = Loopback::start(|_| Answer::User).await;
    let client = server
        .client()
        .rate_limit_per_minute(300)
        .build()
        .expect("client builds");
    // More than a minute's worth: governor's `Quota::per_minute(300)` sends 300 at once and 300 more within
    // the same minute.
    drive(&client, 8, 340).await;
    let arrivals: Vec<Instant> = server.arrivals().iter().map(|a| a.at).collect();
    assert_eq!(arrivals.len(), 340);
    let span = tightest(&arrivals, 300);
    assert!(
        span >= Duration::from_secs(60),
        "301 requests within {span:?}: a 60 s window held more than 300"
    );
}

#[tokio::test(start_paused = true)]
async fn rate_limit_keeps_every_window_at_or_under_n_with_late_tasks() {
    for (n, window) in [
        (20, Duration::from_secs(1)),
        (300, Duration::from_secs(3)),
        (3, Duration::from_millis(500)),
    ] {
        let server = Loopback::start(|_| Answer::User).await;
        let client = server
            .client()
            .rate_limit(n, window)
            .build()
            .expect("client builds");
        let requests = 3 * n as usize + 7;
        drive(&client, 6, requests).await;
        let arrivals: Vec<Instant> = server.arrivals().iter().map(|a| a.at).collect();
        assert_eq!(arrivals.len(), requests);
        let span = tightest(&arrivals, n as usize);
        assert!(
            span >= window,
            "{n} per {window:?}: {} requests within {span:?}",
            n + 1
        );
    }
}

#[tokio::test]
async fn a_bad_rate_limit_is_refused_by_name() {
    for (n, per) in [(0, Duration::from_secs(60)), (10, Duration::ZERO)] {
        let err = Client::builder()
            .api_key("k")
            .rate_limit(n, per)
            .build()
            .expect_err("refused")
            .to_string();
        assert!(err.contains("rate_limit"), "{err}");
    }
}

/// The 5th request to arrive gets a 429 asking for 5 s; the others get the user.
fn fifth_is_too_many(arrival: usize) -> Answer {
    if arrival == 4 {
        Answer::TooMany("5")
    } else {
        Answer::User
    }
}

/// The 5th request to arrive gets a 429 without `Retry-After`; the others get the user.
fn fifth_is_too_many_without_a_wait(arrival: usize) -> Answer {
    if arrival == 4 {
        Answer::TooManyBare
    } else {
        Answer::User
    }
}

#[tokio::test(start_paused = true)]
async fn a_429_pauses_every_clone_for_its_retry_after() {
    let server = Loopback::start(fifth_is_too_many).await;
    let client = server.client().build().expect("client builds");
    every_clone_waits(&server, &client, Duration::from_secs(5)).await;
}

#[tokio::test(start_paused = true)]
async fn a_429_without_retry_after_pauses_every_clone_for_the_cool_down() {
    let server = Loopback::start(fifth_is_too_many_without_a_wait).await;
    let policy = RetryPolicy {
        base_delay: Duration::from_secs(2),
        ..RetryPolicy::default()
    };
    let client = server
        .client()
        .retry_policy(policy)
        .build()
        .expect("client builds");
    // The first 429 of a streak: the cool-down is the base delay.
    every_clone_waits(&server, &client, Duration::from_secs(2)).await;
}

/// Four tasks on clones of `client` send ten requests each; one gets a 429 (then retries and succeeds). No
/// request may leave during the `pause` that follows the 429.
async fn every_clone_waits(server: &Loopback, client: &Client, pause: Duration) {
    const TASKS: usize = 4;
    // No rate limit: without the shared pause, the other tasks go on sending at once.
    let mut handles = Vec::new();
    for _ in 0..TASKS {
        let client = client.clone();
        handles.push(tokio::spawn(async move {
            for _ in 0..10 {
                client
                    .get_my_user()
                    .send()
                    .into_result()
                    .await
                    .expect("the retry after the 429 succeeds");
            }
        }));
    }
    for handle in handles {
        handle.await.expect("a task ends");
    }
    let arrivals = server.arrivals();
    assert_eq!(arrivals.len(), TASKS * 10 + 1, "40 requests and one retry");
    let (index, refused) = arrivals
        .iter()
        .enumerate()
        .find(|(_, a)| a.answer != Answer::User)
        .expect("the 429 was served");
    let resume = refused.at + pause;
    // Requests already on their way when the 429 was answered may still arrive (one per other task at most);
    // no request may *leave* during the pause.
    let during_pause = arrivals[index + 1..]
        .iter()
        .filter(|a| a.at < resume)
        .count();
    assert!(
        during_pause < TASKS,
        "{during_pause} requests arrived during the {pause:?} pause (at most {} were in flight)",
        TASKS - 1
    );
    assert!(
        arrivals[index + 1..].iter().any(|a| a.at >= resume),
        "work resumed after the pause"
    );
}

#[tokio::test(start_paused = true)]
async fn each_redirect_hop_waits_for_a_slot_of_the_rate_limit() {
    // reqwest followed same-origin redirects inside one request: the hops left at once, outside the limit.
    let server = Loopback::start(|i| match i {
        0 => Answer::Redirect("/user/me?hop=1"),
        1 => Answer::Redirect("/user/me?hop=2"),
        _ => Answer::User,
    })
    .await;
    let client = server
        .client()
        .rate_limit(1, Duration::from_secs(60))
        .build()
        .expect("client builds");
    let started = Instant::now();
    client
        .get_my_user()
        .send()
        .into_result()
        .await
        .expect("the last hop answers");
    let arrivals = server.arrivals();
    assert_eq!(arrivals.len(), 3, "{arrivals:?}");
    for pair in arrivals.windows(2) {
        assert!(
            pair[1].at - pair[0].at >= Duration::from_secs(60),
            "hops {:?} apart",
            pair[1].at - pair[0].at
        );
    }
    assert!(started.elapsed() >= Duration::from_secs(120));
}
