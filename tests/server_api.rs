//! The HTTP contract of the local server, over real HTTP on loopback:
//! every route's happy path with the real SDK client.

mod common;

use aepipe::client::{DataPoint, LogEntry, RawLogRequest};
use common::TestServer;
use serde_json::json;

#[tokio::test]
async fn ingest_then_query_rawlog_detail_and_lists() {
    let server = TestServer::start().await;
    let client = server.client();
    let mut payload = serde_json::Map::new();
    payload.insert("stack".into(), json!("at main.rs:1"));
    let points = vec![
        DataPoint::new("request")
            .blobs(["/a", "GET"])
            .doubles([12.5]),
        DataPoint::new("crash")
            .level("error")
            .payload(payload.clone()),
        DataPoint::new(""), // skipped, not counted
    ];
    let written = client.ingest("shop", "api", &points).await.unwrap();
    assert_eq!(written.written, 2);
    assert!(written.ok);

    let logs = client
        .log("shop", "api", &[LogEntry::new("hello").level("warn")])
        .await
        .unwrap();
    assert_eq!(logs.written, 1);

    assert_eq!(client.list_projects().await.unwrap(), vec!["shop"]);
    assert_eq!(client.list_logstores("shop").await.unwrap(), vec!["api"]);

    let raw = client
        .rawlog("shop", "api", &RawLogRequest::default())
        .await
        .unwrap();
    assert_eq!(raw.count, 3);
    assert_eq!(raw.logs.len(), 3);
    // The log entry was written last, so it comes first.
    assert_eq!(raw.logs[0].data["message"], "hello");
    assert_eq!(raw.logs[0].level, "warn");
    assert!(raw.logs[0].timestamp.ends_with('Z'));

    // blob5 of the crash holds its ref_id; read it back raw over HTTP.
    let crash = raw
        .logs
        .iter()
        .find(|l| l.data["event"] == "crash")
        .expect("crash raw record");
    assert_eq!(crash.data["payload"]["stack"], "at main.rs:1");
}
