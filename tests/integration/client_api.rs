//! The SDK against the real local server on loopback: every method, every
//! client-side validation rule at its boundary, and `ingest_all` at scale.

use crate::client_common;
use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use aepipe::client::{BatchOptions, Client, DataPoint, Error, LogEntry, RawLogRequest};
use client_common::closed_port;
use common::TestServer;
use serde_json::json;

/// A client whose requests cannot reach anything: a validation error from it
/// proves nothing was sent (a sent request would be a transport error).
fn unreachable_client() -> Client {
    Client::builder(format!("http://{}", closed_port()), "t")
        .max_retries(0)
        .build()
        .unwrap()
}

fn is_validation<T: std::fmt::Debug>(r: Result<T, Error>) -> bool {
    matches!(r, Err(Error::Validation(_)))
}

#[tokio::test]
async fn every_method_round_trips() {
    let server = TestServer::start().await;
    let c = server.client();

    let payload = json!({"user": "u1", "items": [1, 2]});
    let points = vec![
        DataPoint::new("http_request")
            .level("warn")
            .blobs(["GET", "/api"])
            .doubles([12.5, 200.0])
            .payload(payload.as_object().unwrap().clone()),
        DataPoint::new("plain"),
    ];
    let r = c.ingest("shop", "web", &points).await.unwrap();
    assert!(r.ok);
    assert_eq!(r.written, 2);

    let logs = vec![
        LogEntry::new("hello").level("error").field("user", "u2"),
        LogEntry::new("second"),
    ];
    assert_eq!(c.log("shop", "web", &logs).await.unwrap().written, 2);
    c.log("shop", "api", &[LogEntry::new("x")]).await.unwrap();
    c.log("blog", "web", &[LogEntry::new("y")]).await.unwrap();

    assert_eq!(c.list_projects().await.unwrap(), ["blog", "shop"]);
    assert_eq!(c.list_logstores("shop").await.unwrap(), ["api", "web"]);

    let raw = c
        .rawlog("shop", "web", &RawLogRequest::default())
        .await
        .unwrap();
    assert_eq!(raw.count, 4);
    assert_eq!(raw.logs.len(), 4);
    let hello = raw
        .logs
        .iter()
        .find(|e| e.data["message"] == "hello")
        .expect("log entry stored");
    assert_eq!(hello.level, "error");
    assert_eq!(hello.data["user"], "u2");
    let point = raw
        .logs
        .iter()
        .find(|e| e.data["event"] == "http_request")
        .expect("point stored raw");
    assert_eq!(point.data["doubles"], json!([12.5, 200.0]));

    let limited = c
        .rawlog(
            "shop",
            "web",
            &RawLogRequest {
                limit: Some(1),
                ..RawLogRequest::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(limited.logs.len(), 1);

    let q = c
        .query(
            "shop",
            "web",
            "SELECT blob3 AS event, blob5 AS ref_id, double1 AS d, count() AS n \
             FROM aepipe GROUP BY event, ref_id, d ORDER BY event",
        )
        .await
        .unwrap();
    assert_eq!(q.len(), 2);
    assert_eq!(q.get_str(0, 0), Some("http_request"));
    assert_eq!(q.get_f64(0, 2), Some(12.5));
    assert_eq!(q.get_u64(0, 3), Some(1));
    assert_eq!(q.get_str(1, 0), Some("plain"));
    assert_eq!(q.get_str(1, 1), Some(""));
    let ref_id = q.get_str(0, 1).unwrap().to_string();
    assert_eq!(ref_id.len(), 36);

    let d = c
        .detail("shop", "web", &[ref_id.clone(), "no-such-id".into()])
        .await
        .unwrap();
    assert_eq!(d.results.len(), 1);
    assert_eq!(d.results[0].ref_id, ref_id);
    assert_eq!(d.results[0].payload, payload);
    assert!(d.results[0].expires_at > d.results[0].created_at);
    // Another tenant does not see it.
    let other = c.detail("blog", "web", &[ref_id]).await.unwrap();
    assert!(other.results.is_empty());
}

#[tokio::test]
async fn ingest_all_writes_ten_thousand_points() {
    let server = TestServer::start().await;
    let c = server.client();
    let points: Vec<DataPoint> = (0..10_000)
        .map(|i| DataPoint::new("bulk").doubles([f64::from(i)]))
        .collect();
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let summary = c
        .ingest_all(
            "bulk",
            "points",
            &points,
            &BatchOptions::default().on_progress(move |_| {
                seen.fetch_add(1, Ordering::SeqCst);
            }),
        )
        .await
        .unwrap();
    assert!(summary.is_complete(), "{:?}", summary.failed);
    assert_eq!(summary.written, 10_000);
    assert_eq!(summary.batches, 40);
    assert_eq!(calls.load(Ordering::SeqCst), 40);
    let q = c
        .query(
            "bulk",
            "points",
            "SELECT count() AS n, sum(double1) AS s FROM aepipe",
        )
        .await
        .unwrap();
    assert_eq!(q.get_u64(0, 0), Some(10_000));
    assert_eq!(q.get_f64(0, 1), Some(49_995_000.0));

    let logs: Vec<LogEntry> = (0..1_000).map(|i| LogEntry::new(format!("l{i}"))).collect();
    let s = c
        .log_all(
            "bulk",
            "logs",
            &logs,
            &BatchOptions::default().concurrency(2),
        )
        .await
        .unwrap();
    assert_eq!((s.written, s.batches), (1_000, 4));
}

#[tokio::test]
async fn ingest_all_reports_the_bad_batch_and_writes_the_rest() {
    let server = TestServer::start().await;
    let c = server.client();
    let mut points: Vec<DataPoint> = (0..600).map(|_| DataPoint::new("e")).collect();
    points[300] = DataPoint::new("e").blobs(vec!["b"; 16]);
    let summary = c
        .ingest_all("p", "l", &points, &BatchOptions::default())
        .await
        .unwrap();
    assert_eq!(summary.written, 350);
    assert_eq!(summary.failed.len(), 1);
    assert_eq!(summary.failed[0].items, 250..500);
    assert!(matches!(summary.failed[0].error, Error::Validation(_)));
}

#[tokio::test]
async fn batch_sizes_at_the_boundary() {
    let server = TestServer::start().await;
    let c = server.client();
    let points = vec![DataPoint::new("e"); 250];
    assert_eq!(c.ingest("p", "l", &points).await.unwrap().written, 250);
    let logs = vec![LogEntry::new("m"); 250];
    assert_eq!(c.log("p", "l", &logs).await.unwrap().written, 250);

    let u = unreachable_client();
    assert!(is_validation(
        u.ingest("p", "l", &vec![DataPoint::new("e"); 251]).await
    ));
    assert!(is_validation(
        u.log("p", "l", &vec![LogEntry::new("m"); 251]).await
    ));
}

#[tokio::test]
async fn blob_and_double_counts_at_the_boundary() {
    let server = TestServer::start().await;
    let c = server.client();
    let ok = DataPoint::new("e")
        .blobs(vec!["b"; 15])
        .doubles(vec![1.0; 20]);
    assert_eq!(c.ingest("p", "l", &[ok]).await.unwrap().written, 1);
    let u = unreachable_client();
    let blobs16 = DataPoint::new("e").blobs(vec!["b"; 16]);
    assert!(is_validation(u.ingest("p", "l", &[blobs16]).await));
    let doubles21 = DataPoint::new("e").doubles(vec![1.0; 21]);
    assert!(is_validation(u.ingest("p", "l", &[doubles21]).await));
}

#[tokio::test]
async fn blob_bytes_at_the_boundary_count_utf8() {
    let server = TestServer::start().await;
    let c = server.client();
    // System blobs: "p" + "l" + "e" + "info" = 7 bytes; 8,188 × "é" (2 bytes) + "a" = 16,377.
    let fill = "é".repeat(8_188) + "a";
    let at_limit = DataPoint::new("e").blobs([fill.clone()]);
    assert_eq!(c.ingest("p", "l", &[at_limit]).await.unwrap().written, 1);
    let over = DataPoint::new("e").blobs([fill.clone() + "a"]);
    let u = unreachable_client();
    match u.ingest("p", "l", &[over]).await {
        Err(Error::Validation(m)) => assert!(m.contains("16385"), "{m}"),
        other => panic!("expected a validation error, got {other:?}"),
    }
    // A payload's 36-byte ref_id counts too.
    let with_payload = DataPoint::new("e")
        .blobs([fill])
        .payload(serde_json::Map::new());
    assert!(is_validation(u.ingest("p", "l", &[with_payload]).await));
}

#[tokio::test]
async fn names_and_index_at_the_boundary() {
    let server = TestServer::start().await;
    let c = server.client();
    let n64 = "a".repeat(64);
    assert_eq!(
        c.log(&n64, "l", &[LogEntry::new("m64")])
            .await
            .unwrap()
            .written,
        1
    );
    // 47 + "/" + 48 = 96 bytes.
    let (p47, l48) = ("p".repeat(47), "l".repeat(48));
    assert_eq!(
        c.log(&p47, &l48, &[LogEntry::new("m96")])
            .await
            .unwrap()
            .written,
        1
    );
    // Stored under exactly those names, and read back through them.
    assert_eq!(c.list_logstores(&n64).await.unwrap(), ["l"]);
    assert_eq!(c.list_logstores(&p47).await.unwrap(), vec![l48.clone()]);
    for (p, l, message) in [(&n64, "l", "m64"), (&p47, l48.as_str(), "m96")] {
        let raw = c.rawlog(p, l, &RawLogRequest::default()).await.unwrap();
        let messages: Vec<&str> = raw
            .logs
            .iter()
            .filter_map(|e| e.data["message"].as_str())
            .collect();
        assert_eq!(messages, [message], "{p}/{l}");
    }

    let u = unreachable_client();
    let n65 = "a".repeat(65);
    assert!(is_validation(u.log(&n65, "l", &[LogEntry::new("m")]).await));
    assert!(is_validation(u.log("p", &n65, &[LogEntry::new("m")]).await));
    assert!(is_validation(
        u.log("p", "a/b", &[LogEntry::new("m")]).await
    ));
    assert!(is_validation(u.list_logstores(&n65).await));
    let p48 = "p".repeat(48);
    assert!(is_validation(
        u.log(&p48, &l48, &[LogEntry::new("m")]).await
    ));
    assert!(is_validation(u.query(&p48, &l48, "SELECT 1").await));
    assert!(is_validation(
        u.rawlog(&p48, &l48, &RawLogRequest::default()).await
    ));
}

#[tokio::test]
async fn ref_ids_at_the_boundary_and_empty_detail_sends_nothing() {
    let server = TestServer::start().await;
    let c = server.client();
    let ids: Vec<String> = (0..100).map(|i| format!("id-{i}")).collect();
    assert!(c.detail("p", "l", &ids).await.unwrap().results.is_empty());
    let u = unreachable_client();
    let ids101: Vec<String> = (0..101).map(|i| format!("id-{i}")).collect();
    assert!(is_validation(u.detail("p", "l", &ids101).await));
    // No request: an unreachable server still answers an empty result.
    assert!(u.detail("p", "l", &[]).await.unwrap().results.is_empty());
}
