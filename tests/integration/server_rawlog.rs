//! `rawlog`: windows (`start <= ts <= end`, default the last 6 hours), the
//! limit (default 50, capped at 200, 400 when not an integer >= 1), newest
//! first, ISO-8601 timestamps with milliseconds.

use crate::common;

use std::time::Duration;

use aepipe::client::{LogEntry, RawLogRequest};
use aepipe::server::time::{iso_from_ms, parse_iso_ms};
use common::TestServer;
use serde_json::json;

async fn log_one(server: &TestServer, message: &str) {
    server
        .client()
        .log("p", "l", &[LogEntry::new(message)])
        .await
        .unwrap();
}

#[tokio::test]
async fn newest_first_with_inclusive_bounds() {
    let server = TestServer::start().await;
    for m in ["one", "two", "three"] {
        log_one(&server, m).await;
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
    let all = server.post("/v1/p/l/rawlog", json!({})).await;
    let logs = all.body["logs"].as_array().unwrap().clone();
    let messages: Vec<_> = logs.iter().map(|l| l["data"]["message"].clone()).collect();
    assert_eq!(messages, vec![json!("three"), json!("two"), json!("one")]);
    let stamps: Vec<String> = logs
        .iter()
        .map(|l| l["timestamp"].as_str().unwrap().to_string())
        .collect();
    for s in &stamps {
        // 2026-11-27T02:15:35.123Z
        assert_eq!(s.len(), 24, "{s}");
        assert!(s.ends_with('Z') && s.as_bytes()[19] == b'.', "{s}");
    }
    // A window of exactly the middle record's millisecond holds only it.
    let two = &stamps[1];
    let a = server
        .post("/v1/p/l/rawlog", json!({"start": two, "end": two}))
        .await;
    assert_eq!(a.body["count"], 1);
    assert_eq!(a.body["logs"][0]["data"]["message"], "two");
    // start at "two" keeps two and three; end at "two" keeps one and two.
    let a = server.post("/v1/p/l/rawlog", json!({"start": two})).await;
    assert_eq!(a.body["count"], 2);
    assert_eq!(a.body["logs"][1]["data"]["message"], "two");
    let a = server.post("/v1/p/l/rawlog", json!({"end": two})).await;
    assert_eq!(a.body["count"], 2);
    assert_eq!(a.body["logs"][0]["data"]["message"], "two");
    // One millisecond past either side excludes it.
    let ms = parse_iso_ms(two).unwrap();
    let a = server
        .post(
            "/v1/p/l/rawlog",
            json!({"start": iso_from_ms(ms + 1), "end": iso_from_ms(ms + 1)}),
        )
        .await;
    assert_eq!(a.body["count"], 0);
    // Other offsets of the same instant work too.
    let dt = chrono::DateTime::parse_from_rfc3339(two)
        .unwrap()
        .with_timezone(&chrono::FixedOffset::east_opt(2 * 3600).unwrap());
    let a = server
        .post(
            "/v1/p/l/rawlog",
            json!({"start": dt.to_rfc3339(), "end": dt.to_rfc3339()}),
        )
        .await;
    assert_eq!(a.body["count"], 1);
    // start after end: nothing, not an error.
    let a = server
        .post(
            "/v1/p/l/rawlog",
            json!({"start": stamps[0], "end": stamps[2]}),
        )
        .await;
    assert_eq!((a.status, &a.body["count"]), (200, &json!(0)));
}

#[tokio::test]
async fn limit_defaults_to_50_and_is_capped_at_200() {
    let server = TestServer::start().await;
    let client = server.client();
    let batch: Vec<LogEntry> = (0..250).map(|i| LogEntry::new(format!("m{i}"))).collect();
    client.log("p", "l", &batch).await.unwrap();
    let a = server.post("/v1/p/l/rawlog", json!({})).await;
    assert_eq!(a.body["count"], 50);
    assert_eq!(a.body["logs"].as_array().unwrap().len(), 50);
    for (limit, expected) in [(1, 1), (199, 199), (200, 200), (201, 200), (100_000, 200)] {
        let a = server
            .post("/v1/p/l/rawlog", json!({ "limit": limit }))
            .await;
        assert_eq!(a.body["count"], expected, "limit {limit}");
    }
    // Same millisecond: the later write comes first.
    let a = server.post("/v1/p/l/rawlog", json!({"limit": 2})).await;
    assert_eq!(a.body["logs"][0]["data"]["message"], "m249");
    assert_eq!(a.body["logs"][1]["data"]["message"], "m248");
    // The SDK's request type reaches the same answer.
    let r = client
        .rawlog(
            "p",
            "l",
            &RawLogRequest {
                limit: Some(7),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(r.count, 7);
}

#[tokio::test]
async fn bad_limits_and_times_are_400() {
    let server = TestServer::start().await;
    for limit in [
        json!(0),
        json!(-5),
        json!(1.5),
        json!("10"),
        json!(true),
        json!([1]),
    ] {
        let a = server
            .post("/v1/p/l/rawlog", json!({ "limit": limit }))
            .await;
        assert_eq!(a.status, 400, "{limit}");
        assert!(
            a.error().starts_with("limit must be an integer >= 1"),
            "{}",
            a.error()
        );
    }
    for (key, value) in [
        ("start", json!("yesterday")),
        ("end", json!("2026-02-30T00:00:00Z")),
        ("start", json!(1_700_000_000)),
        ("end", json!({})),
    ] {
        let a = server.post("/v1/p/l/rawlog", json!({ key: value })).await;
        assert_eq!(a.status, 400, "{key} {value}");
        assert!(a.error().starts_with(&format!("{key} must be an ISO-8601")));
    }
    let a = server.send("POST", "/v1/p/l/rawlog", Some(vec![])).await;
    assert_eq!((a.status, a.error()), (400, "invalid json"));
    let a = server.post("/v1/p/l/rawlog", json!([])).await;
    assert_eq!(a.status, 400);
    // null means "default".
    let a = server
        .post(
            "/v1/p/l/rawlog",
            json!({"limit": null, "start": null, "end": null}),
        )
        .await;
    assert_eq!(a.body, json!({"logs": [], "count": 0}));
}

#[tokio::test]
async fn default_window_is_the_last_six_hours() {
    let server = TestServer::start().await;
    log_one(&server, "old").await;
    log_one(&server, "new").await;
    let now = chrono::Utc::now().timestamp_millis();
    server
        .db()
        .execute(
            "UPDATE rawlogs SET ts_ms = ?1 WHERE data LIKE '%\"old\"%'",
            [now - 6 * 3_600_000 - 60_000],
        )
        .unwrap();
    let a = server.post("/v1/p/l/rawlog", json!({})).await;
    assert_eq!(a.body["count"], 1);
    assert_eq!(a.body["logs"][0]["data"]["message"], "new");
    let a = server
        .post(
            "/v1/p/l/rawlog",
            json!({"start": iso_from_ms(now - 7 * 3_600_000)}),
        )
        .await;
    assert_eq!(a.body["count"], 2);
    // An end in the past gives the six hours before it.
    let a = server
        .post(
            "/v1/p/l/rawlog",
            json!({"end": iso_from_ms(now - 6 * 3_600_000)}),
        )
        .await;
    assert_eq!(a.body["count"], 1);
    assert_eq!(a.body["logs"][0]["data"]["message"], "old");
}

#[tokio::test]
async fn points_and_logs_both_appear_with_their_levels() {
    let server = TestServer::start().await;
    server
        .post(
            "/v1/p/l/ingest",
            json!({"points": [{"event": "e", "level": "error", "blobs": ["x"], "doubles": [1], "ttl": 60}]}),
        )
        .await;
    server
        .post(
            "/v1/p/l/log",
            json!({"logs": [{"message": "m", "level": "debug"}]}),
        )
        .await;
    let a = server.post("/v1/p/l/rawlog", json!({})).await;
    assert_eq!(a.body["count"], 2);
    let levels: Vec<_> = a.body["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["level"].as_str().unwrap().to_string())
        .collect();
    assert!(levels.contains(&"error".to_string()) && levels.contains(&"debug".to_string()));
    let point = a.body["logs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["data"]["event"] == "e")
        .unwrap();
    assert_eq!(
        point["data"],
        json!({"project": "p", "logstore": "l", "event": "e", "level": "error", "blobs": ["x"], "doubles": [1], "ttl": 60})
    );
}
