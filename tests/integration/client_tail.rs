//! `Tailer` against the real server while a writer sends ~1,000 lines/s:
//! every line comes back exactly once, in order.

use crate::common;

use std::collections::HashMap;
use std::time::Duration;

use aepipe::client::{LogEntry, RawLogEntry, TailOptions, TailStart, Tailer};
use common::TestServer;

/// Sends `total` numbered lines, 20 every 20 ms (~1,000/s).
async fn write_lines(client: aepipe::client::Client, total: usize) {
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    let mut seq = 0;
    while seq < total {
        tick.tick().await;
        let batch: Vec<LogEntry> = (seq..(seq + 20).min(total))
            .map(|i| LogEntry::new(format!("line {i}")).field("seq", i))
            .collect();
        seq += batch.len();
        client.log("tail", "live", &batch).await.unwrap();
    }
}

fn seqs(entries: &[RawLogEntry]) -> Vec<u64> {
    entries
        .iter()
        .filter_map(|e| e.data["seq"].as_u64())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_line_lost_or_doubled_at_a_thousand_per_second() {
    let server = TestServer::start().await;
    let c = server.client();
    // Lines before the tail starts: only the backlog of 5 is shown.
    let old: Vec<LogEntry> = (0..30).map(|i| LogEntry::new(format!("old {i}"))).collect();
    c.log("tail", "live", &old).await.unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;

    let mut tailer = Tailer::new(
        c.clone(),
        "tail",
        "live",
        TailOptions {
            start: TailStart::Backlog(5),
            ..TailOptions::default()
        },
    );
    let first = tailer.poll().await.unwrap();
    let firsts: Vec<_> = first.iter().map(|e| e.data["message"].clone()).collect();
    assert_eq!(firsts, ["old 25", "old 26", "old 27", "old 28", "old 29"]);

    let total = 3_000;
    let writer = tokio::spawn(write_lines(c.clone(), total));
    let mut got = Vec::new();
    let mut polls = 0;
    // Poll slowly (700 ms) so ~700 lines, more than the 200 page size,
    // arrive between polls and the tailer must page back.
    while !writer.is_finished() {
        tokio::time::sleep(Duration::from_millis(700)).await;
        got.extend(seqs(&tailer.poll().await.unwrap()));
        polls += 1;
    }
    writer.await.unwrap();
    for _ in 0..2 {
        got.extend(seqs(&tailer.poll().await.unwrap()));
    }
    let mut counts: HashMap<u64, usize> = HashMap::new();
    for s in &got {
        *counts.entry(*s).or_default() += 1;
    }
    let doubled: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(doubled.is_empty(), "doubled: {doubled:?}");
    assert_eq!(got.len(), total, "after {polls} polls");
    assert_eq!(got, (0..total as u64).collect::<Vec<_>>(), "in order");
    assert!(tailer.poll().await.unwrap().is_empty());
}
