//! The live tail against records that become visible late and out of order
//! (`aepipe serve --visibility-delay D`), at 200 lines/s: for each maximum
//! delay, how many lines were lost or doubled, the write-to-tail latency
//! (p50, p95, max) and the rawlog requests per second the tail made. The
//! tail runs with its defaults (horizon 60 s, one poll a second, at most 30
//! requests a poll).
//!
//! Run: `cargo bench --bench tail_realism`. `AEPIPE_TAIL_BENCH_SECS` sets how
//! long the writer writes (default 20 s); each delay then tails until every
//! line arrived or the delay plus 10 s passed after the last write.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use aepipe::client::{Client, LogEntry, TailOptions, TailStart, Tailer};
use aepipe::server::{start, Realism, ServerConfig};

const LINES_PER_SECOND: u64 = 200;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

async fn run(delay: Duration, write_secs: u64) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = ServerConfig::local(dir.path(), "bench-token");
    config.realism = Realism {
        seed: 42,
        max_visibility_delay: delay,
        ..Realism::default()
    };
    let server = start(config).await.expect("server starts");
    let client = Client::new(server.url(), "bench-token").expect("client");
    let mut tailer = Tailer::new(
        client.clone(),
        "bench",
        "tail",
        TailOptions {
            start: TailStart::Backlog(0),
            ..TailOptions::default()
        },
    );
    tailer.poll_batch().await.expect("first poll");
    let calls_before = server.request_counts().rawlog;

    let total = (LINES_PER_SECOND * write_secs) as usize;
    let mut writer = Some(tokio::spawn(async move {
        let mut written: Vec<Instant> = Vec::with_capacity(total);
        let mut tick = tokio::time::interval(Duration::from_millis(50));
        let per_tick = (LINES_PER_SECOND / 20) as usize;
        while written.len() < total {
            tick.tick().await;
            let from = written.len();
            let batch: Vec<LogEntry> = (from..(from + per_tick).min(total))
                .map(|i| LogEntry::new("bench line").field("seq", i))
                .collect();
            let at = Instant::now();
            client.log("bench", "tail", &batch).await.expect("log");
            written.extend(std::iter::repeat_n(at, batch.len()));
        }
        (written, Instant::now())
    }));

    let started = Instant::now();
    let mut first_seen: HashMap<u64, Instant> = HashMap::new();
    let mut doubled = 0usize;
    let mut gaps = Vec::new();
    let mut last_write: Option<Instant> = None;
    let mut written = Vec::new();
    loop {
        let batch = tailer.poll_batch().await.expect("poll");
        let now = Instant::now();
        for e in batch.records {
            if let Some(seq) = e.data["seq"].as_u64() {
                if first_seen.insert(seq, now).is_some() {
                    doubled += 1;
                }
            }
        }
        gaps.extend(batch.gaps);
        if let Some(done) = writer.take_if(|w| w.is_finished()) {
            let (w, at) = done.await.expect("writer");
            written = w;
            last_write = Some(at);
            continue;
        }
        if let Some(at) = last_write {
            if first_seen.len() >= total || at.elapsed() > delay + Duration::from_secs(10) {
                break;
            }
        }
        tokio::time::sleep(tailer.options().interval).await;
    }
    let tail_secs = started.elapsed().as_secs_f64();
    let calls = server.request_counts().rawlog - calls_before;
    let mut latencies: Vec<Duration> = first_seen
        .iter()
        .filter_map(|(seq, seen)| {
            written
                .get(*seq as usize)
                .map(|w| seen.saturating_duration_since(*w))
        })
        .collect();
    latencies.sort();
    let lost = total - first_seen.len().min(total);
    println!(
        "delay ≤ {:>2} s: {total} lines, lost {lost}, doubled {doubled}, latency p50 {:.1} s \
         p95 {:.1} s max {:.1} s, {:.1} rawlog calls/s, {} gaps reported",
        delay.as_secs(),
        percentile(&latencies, 0.5).as_secs_f64(),
        percentile(&latencies, 0.95).as_secs_f64(),
        latencies.last().copied().unwrap_or_default().as_secs_f64(),
        calls as f64 / tail_secs,
        gaps.len()
    );
    server.shutdown().await;
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let write_secs: u64 = std::env::var("AEPIPE_TAIL_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    println!(
        "tail at {LINES_PER_SECOND} lines/s for {write_secs} s of writing, default tail options"
    );
    let delays: Vec<u64> = std::env::var("AEPIPE_TAIL_BENCH_DELAYS")
        .ok()
        .map(|s| s.split(',').filter_map(|d| d.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![0, 5, 20, 60]);
    for d in delays {
        run(Duration::from_secs(d), write_secs).await;
    }
}
