//! Many writers and readers at once: with group commit every acknowledged
//! write is stored exactly once, and reads run beside writes.

use crate::common;

use std::collections::HashSet;

use aepipe::client::{DataPoint, LogEntry, RawLogRequest};
use common::TestServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_are_all_stored_exactly_once() {
    let server = TestServer::start().await;
    let mut tasks = Vec::new();
    for w in 0..8 {
        let client = server.client();
        tasks.push(tokio::spawn(async move {
            let mut written = 0;
            for b in 0..15 {
                let points: Vec<DataPoint> = (0..100)
                    .map(|i| DataPoint::new(format!("w{w}-b{b}-p{i}")).doubles([i as f64]))
                    .collect();
                written += client.ingest("con", "cur", &points).await.unwrap().written;
                let logs = vec![LogEntry::new(format!("w{w}-b{b}"))];
                written += client.log("con", "cur", &logs).await.unwrap().written;
                // A read in the middle of the writes.
                client
                    .query("con", "cur", "SELECT count() AS n FROM aepipe")
                    .await
                    .unwrap();
            }
            written
        }));
    }
    let mut acknowledged = 0;
    for t in tasks {
        acknowledged += t.await.unwrap();
    }
    assert_eq!(acknowledged, 8 * 15 * 101);
    let db = server.db();
    let events: Vec<String> = db
        .prepare("SELECT blob3 FROM events")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(events.len(), 8 * 15 * 100);
    assert_eq!(events.iter().collect::<HashSet<_>>().len(), events.len());
    let raw: i64 = db
        .query_row("SELECT count(*) FROM rawlogs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(raw, 8 * 15 * 101);
    let q = server
        .client()
        .query(
            "con",
            "cur",
            "SELECT count() AS n, sum(double1) AS s FROM aepipe",
        )
        .await
        .unwrap();
    assert_eq!(q.get_u64(0, 0), Some(12_000));
    assert_eq!(q.get_f64(0, 1), Some(120.0 * 4950.0));
    let newest = server
        .client()
        .rawlog("con", "cur", &RawLogRequest::default())
        .await
        .unwrap();
    assert_eq!(newest.count, 50);
}
