//! `Bulk`'s progress log through `tracing`, alone in its test binary.
//!
//! tracing caches whether a log line is wanted once per line of code, for the whole process, from the first
//! thread that reaches it (tokio-rs/tracing#3611). In `bulk.rs`, a sibling test running `Bulk::run` on a
//! thread without a subscriber could reach "bulk run finished" first and switch it off for this test's scoped
//! subscriber: the event went missing in a CI run. With one test per process, no other thread gets there.

use std::sync::Arc;
use std::time::Duration;

use futures_util::stream;
use partoo_api::bulk::Bulk;

const SECOND: Duration = Duration::from_secs(1);

/// The times (paused clock, since `origin`) and messages of the `partoo_api::bulk` events.
#[derive(Clone, Default)]
struct BulkLog(
    Arc<std::sync::Mutex<Vec<(Duration, String)>>>,
    Option<tokio::time::Instant>,
);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for BulkLog {
    fn on_event(
        &self,
        event: &tracing::Event<'_>,
        _ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        struct Message(String);
        impl tracing::field::Visit for Message {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "message" {
                    self.0 = format!("{value:?}");
                }
            }
        }
        if event.metadata().target() != "partoo_api::bulk" {
            return;
        }
        let mut message = Message(String::new());
        event.record(&mut message);
        let at = self.1.map_or(Duration::ZERO, |origin| origin.elapsed());
        self.0.lock().expect("the log").push((at, message.0));
    }
}

#[tokio::test(start_paused = true)]
async fn progress_is_logged_every_interval_while_items_wait() {
    use tracing_subscriber::layer::SubscriberExt;
    // One item takes 35 s (a long pause after a 429, say): the progress is logged at 10, 20 and 30 s,
    // not only when it finishes.
    let log = BulkLog(Arc::default(), Some(tokio::time::Instant::now()));
    let _guard = tracing::subscriber::set_default(tracing_subscriber::registry().with(log.clone()));
    let report = Bulk::new(1)
        .log_interval(10 * SECOND)
        .run(stream::iter([35u64, 1]), |secs| async move {
            tokio::time::sleep(Duration::from_secs(secs)).await;
            Ok::<_, String>(())
        })
        .await;
    assert_eq!(report.done, 2);
    let events = log.0.lock().expect("the log").clone();
    let times: Vec<u64> = events.iter().map(|(at, _)| at.as_secs()).collect();
    assert_eq!(times, [10, 20, 30, 36], "{events:?}");
    assert_eq!(
        events[0].1,
        "0/2 finished (0 done, 0 failed), 1 in progress, 10.0 s elapsed"
    );
    assert_eq!(events[3].1, "bulk run finished");
}
