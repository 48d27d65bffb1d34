//! The tail against `aepipe serve`'s realistic mode: records become visible
//! late and out of order, and still each is returned exactly once; what the
//! tail cannot vouch for comes back as a gap. The writer's pace is not
//! asserted on; the tests wait for conditions, never for a fixed time.

use crate::common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use aepipe::client::tail::Gap;
use aepipe::client::{Client, LogEntry, TailBatch, TailOptions, TailStart, Tailer};
use aepipe::server::Realism;
use common::TestServer;

async fn late_server(max_delay: Duration, seed: u64) -> TestServer {
    TestServer::start_with(|c| {
        c.realism = Realism {
            seed,
            max_visibility_delay: max_delay,
            ..Realism::default()
        }
    })
    .await
}

/// Writes `total` numbered lines at about `per_second`, 10 per request.
async fn write_lines(client: Client, logstore: &'static str, total: usize, per_second: u64) {
    let mut tick = tokio::time::interval(Duration::from_millis(10_000 / per_second));
    let mut seq = 0;
    while seq < total {
        tick.tick().await;
        let batch: Vec<LogEntry> = (seq..(seq + 10).min(total))
            .map(|i| LogEntry::new(format!("line {i}")).field("seq", i))
            .collect();
        seq += batch.len();
        client.log("tail", logstore, &batch).await.unwrap();
    }
}

fn fast(horizon: Duration) -> TailOptions {
    TailOptions {
        start: TailStart::Backlog(0),
        interval: Duration::from_millis(100),
        horizon,
        ..TailOptions::default()
    }
}

/// Poll until `total` distinct lines came back (or 60 s pass), then a few
/// more polls; returns each line's count and every batch's gaps.
async fn tail_until(
    tailer: &mut Tailer,
    total: usize,
    until_gap: Option<fn(&Gap) -> bool>,
) -> (HashMap<u64, usize>, Vec<Gap>) {
    fn take(b: TailBatch, counts: &mut HashMap<u64, usize>, gaps: &mut Vec<Gap>) {
        for e in b.records {
            if let Some(s) = e.data["seq"].as_u64() {
                *counts.entry(s).or_default() += 1;
            }
        }
        gaps.extend(b.gaps);
    }
    let mut counts: HashMap<u64, usize> = HashMap::new();
    let mut gaps = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    let found = |gaps: &[Gap]| until_gap.is_some_and(|f| gaps.iter().any(f));
    while counts.len() < total && !found(&gaps) && Instant::now() < deadline {
        let b = tailer.poll_batch().await.unwrap();
        take(b, &mut counts, &mut gaps);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for _ in 0..3 {
        let b = tailer.poll_batch().await.unwrap();
        take(b, &mut counts, &mut gaps);
    }
    (counts, gaps)
}

async fn exactly_once(max_delay: Duration, per_second: u64, total: usize, logstore: &'static str) {
    let server = late_server(max_delay, 21).await;
    let c = server.client();
    let mut tailer = Tailer::new(c.clone(), "tail", logstore, fast(Duration::from_secs(60)));
    assert!(tailer.poll().await.unwrap().is_empty());
    let writer = tokio::spawn(write_lines(c, logstore, total, per_second));
    let (counts, gaps) = tail_until(&mut tailer, total, None).await;
    writer.await.unwrap();
    let doubled: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(doubled.is_empty(), "doubled: {doubled:?}");
    let lost: Vec<u64> = (0..total as u64)
        .filter(|s| !counts.contains_key(s))
        .collect();
    assert!(
        lost.is_empty(),
        "lost {} lines: {:?}…",
        lost.len(),
        &lost[..lost.len().min(10)]
    );
    assert!(gaps.is_empty(), "{gaps:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_once_with_records_up_to_3_s_late_at_500_lines_per_second() {
    exactly_once(Duration::from_secs(3), 500, 1_500, "d3").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_once_with_records_up_to_8_s_late_at_200_lines_per_second() {
    exactly_once(Duration::from_secs(8), 200, 800, "d8").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_later_than_the_horizon_are_reported_not_hidden() {
    let server = late_server(Duration::from_secs(4), 5).await;
    let c = server.client();
    let mut tailer = Tailer::new(c.clone(), "tail", "h", fast(Duration::from_secs(1)));
    assert!(tailer.poll().await.unwrap().is_empty());
    let writer = tokio::spawn(write_lines(c, "h", 200, 200));
    let (counts, gaps) = tail_until(
        &mut tailer,
        200,
        Some(|g| matches!(g, Gap::NearHorizon { .. })),
    )
    .await;
    writer.await.unwrap();
    assert!(counts.values().all(|n| *n == 1), "none doubled");
    assert!(
        gaps.iter().any(|g| matches!(g, Gap::NearHorizon { .. })),
        "{} of 200 shown, gaps {gaps:?}",
        counts.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_budget_too_small_for_the_rate_is_reported() {
    let server = late_server(Duration::from_secs(2), 9).await;
    let c = server.client();
    // One request of 20 records a poll, while ~1,000 lines/s arrive: the
    // stretches it could not reread leave the horizon unread.
    let options = TailOptions {
        limit: 20,
        max_calls_per_poll: 1,
        ..fast(Duration::from_secs(2))
    };
    let mut tailer = Tailer::new(c.clone(), "tail", "budget", options);
    assert!(tailer.poll().await.unwrap().is_empty());
    let writer = tokio::spawn(write_lines(c, "budget", 3_000, 1_000));
    let (counts, gaps) = tail_until(
        &mut tailer,
        3_000,
        Some(|g| matches!(g, Gap::Unread { .. })),
    )
    .await;
    writer.await.unwrap();
    assert!(counts.values().all(|n| *n == 1), "none doubled");
    assert!(
        gaps.iter().any(|g| matches!(g, Gap::Unread { .. })),
        "{} of 3000 shown, gaps {gaps:?}",
        counts.len()
    );
}

/// Every record visible now, read completely (a `Since` tail's first poll
/// pages back as far as needed).
async fn everything_visible(c: &Client, logstore: &str) -> std::collections::HashSet<u64> {
    let since = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
    let options = TailOptions {
        start: TailStart::Since(since),
        ..TailOptions::default()
    };
    let mut sweep = Tailer::new(c.clone(), "tail", logstore, options);
    let batch = sweep.poll_batch().await.unwrap();
    batch
        .records
        .iter()
        .filter_map(|e| e.data["seq"].as_u64())
        .collect()
}

/// `tail -f -n 0` started while a busy logstore's records surface late: the
/// records written before the start that surface only after it are new and
/// shown, once; the ones already visible are not. (A tail that learned only
/// the newest page at its start lost the late ones stamped below that page.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tail_started_mid_stream_shows_what_surfaces_after_its_start() {
    let server = late_server(Duration::from_secs(5), 33).await;
    let c = server.client();
    let total = 2_400;
    let writer = tokio::spawn(write_lines(c.clone(), "mid", total, 200));
    // Start once well over a page is visible, with more still hidden.
    let deadline = Instant::now() + Duration::from_secs(60);
    while everything_visible(&c, "mid").await.len() < 600 {
        assert!(Instant::now() < deadline, "the writer never got going");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // What the tail's first poll saw lies between these two reads.
    let before = everything_visible(&c, "mid").await;
    let mut tailer = Tailer::new(c.clone(), "tail", "mid", fast(Duration::from_secs(60)));
    let first = tailer.poll_batch().await.unwrap();
    assert!(first.records.is_empty(), "-n 0 shows no backlog");
    assert!(first.gaps.is_empty(), "{:?}", first.gaps);
    let after = everything_visible(&c, "mid").await;
    let (counts, gaps) = tail_until(&mut tailer, total - after.len(), None).await;
    writer.await.unwrap();
    // The writer is done: wait until its last late records have surfaced
    // (on a loaded machine the tail may have counted enough lines before
    // they did), then let the tail read them.
    let deadline = Instant::now() + Duration::from_secs(60);
    while everything_visible(&c, "mid").await.len() < total {
        assert!(Instant::now() < deadline, "the last records never surfaced");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (counts, gaps) = {
        let (more, more_gaps) = tail_until(&mut tailer, 0, None).await;
        let mut counts = counts;
        for (s, n) in more {
            *counts.entry(s).or_default() += n;
        }
        (counts, [gaps, more_gaps].concat())
    };
    let doubled: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(doubled.is_empty(), "doubled: {doubled:?}");
    let old_shown: Vec<_> = counts.keys().filter(|s| before.contains(s)).collect();
    assert!(
        old_shown.is_empty(),
        "already visible at the start: {old_shown:?}"
    );
    let lost: Vec<u64> = (0..total as u64)
        .filter(|s| !after.contains(s) && !counts.contains_key(s))
        .collect();
    assert!(
        lost.is_empty(),
        "lost {} lines that surfaced after the start: {:?}…",
        lost.len(),
        &lost[..lost.len().min(10)]
    );
    assert!(gaps.is_empty(), "{gaps:?}");
    assert!(
        counts.len() + after.len() >= total,
        "{} shown + {} visible at the start < {total}",
        counts.len(),
        after.len()
    );
}
