//! Retention (`--retention-days`, `--rawlog-retention-days`) and payload
//! expiry (`ttl`, D1's purge of up to 1000 expired rows per payload call).

use crate::common;

use common::TestServer;
use serde_json::json;

fn count(server: &TestServer, sql: &str) -> i64 {
    server.db().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[tokio::test]
async fn a_restart_purges_rows_past_retention() {
    let server = TestServer::start_with(|c| {
        c.retention_days = 3;
        c.rawlog_retention_days = 1;
    })
    .await;
    let points: Vec<_> = (0..10).map(|i| json!({"event": format!("e{i}")})).collect();
    server
        .post("/v1/p/l/ingest", json!({ "points": points }))
        .await;
    let db = server.db();
    let day_s = 86_400;
    // Four events are 4 days old, two are 2 days old.
    db.execute(
        "UPDATE events SET timestamp = timestamp - ?1 WHERE blob3 IN ('e0','e1','e2','e3')",
        [4 * day_s],
    )
    .unwrap();
    db.execute(
        "UPDATE events SET timestamp = timestamp - ?1 WHERE blob3 IN ('e4','e5')",
        [2 * day_s],
    )
    .unwrap();
    // Three raw records are 2 days old.
    db.execute(
        "UPDATE rawlogs SET ts_ms = ts_ms - ?1 WHERE id IN (SELECT id FROM rawlogs LIMIT 3)",
        [2 * day_s * 1000],
    )
    .unwrap();
    drop(db);
    let dir = server.stop().await;
    let server = TestServer::start_in(dir, |c| {
        c.retention_days = 3;
        c.rawlog_retention_days = 1;
    })
    .await;
    assert_eq!(count(&server, "SELECT count(*) FROM events"), 6);
    assert_eq!(
        count(
            &server,
            "SELECT count(*) FROM events WHERE blob3 IN ('e4','e5')"
        ),
        2
    );
    assert_eq!(count(&server, "SELECT count(*) FROM rawlogs"), 7);
    // The tenant is still listed and its fresh raw records are served.
    let raw = server.post("/v1/p/l/rawlog", json!({"limit": 200})).await;
    assert_eq!(raw.body["count"], 7);
}

#[tokio::test]
async fn default_retention_is_92_days_of_events_and_7_of_raw_records() {
    let server = TestServer::start().await;
    server
        .post(
            "/v1/p/l/ingest",
            json!({"points": [{"event": "a"}, {"event": "b"}]}),
        )
        .await;
    let db = server.db();
    db.execute(
        "UPDATE events SET timestamp = timestamp - 91 * 86400 WHERE blob3 = 'a'",
        [],
    )
    .unwrap();
    db.execute(
        "UPDATE events SET timestamp = timestamp - 93 * 86400 WHERE blob3 = 'b'",
        [],
    )
    .unwrap();
    db.execute(
        "UPDATE rawlogs SET ts_ms = ts_ms - 8 * 86400000 WHERE data LIKE '%\"a\"%'",
        [],
    )
    .unwrap();
    drop(db);
    let dir = server.stop().await;
    let server = TestServer::start_in(dir, |_| {}).await;
    assert_eq!(
        count(&server, "SELECT count(*) FROM events WHERE blob3 = 'a'"),
        1
    );
    assert_eq!(
        count(&server, "SELECT count(*) FROM events WHERE blob3 = 'b'"),
        0
    );
    assert_eq!(count(&server, "SELECT count(*) FROM rawlogs"), 1);
}

#[tokio::test]
async fn payloads_expire_after_their_ttl() {
    let server = TestServer::start().await;
    server
        .post(
            "/v1/p/l/ingest",
            json!({"points": [
                {"event": "short", "payload": {"n": 1}, "ttl": 2},
                {"event": "zero", "payload": {"n": 0}, "ttl": 0},
                {"event": "long", "payload": {"n": 2}},
            ]}),
        )
        .await;
    let ids: Vec<String> = {
        let db = server.db();
        let mut stmt = db.prepare("SELECT blob5 FROM events ORDER BY id").unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let a = server
        .post("/v1/p/l/detail", json!({ "ref_ids": ids }))
        .await;
    let found: Vec<_> = a.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["payload"]["n"].clone())
        .collect();
    assert_eq!(found, vec![json!(1), json!(2)], "ttl 0 is already expired");
    let short = &a.body["results"][0];
    assert_eq!(
        short["expires_at"].as_i64().unwrap() - short["created_at"].as_i64().unwrap(),
        2000
    );
    // Age both payloads by 2.1 s instead of waiting: the 2 s one expires.
    server
        .db()
        .execute(
            "UPDATE payloads SET created_at = created_at - 2100, expires_at = expires_at - 2100",
            [],
        )
        .unwrap();
    let a = server
        .post("/v1/p/l/detail", json!({ "ref_ids": ids }))
        .await;
    assert_eq!(a.body["results"].as_array().unwrap().len(), 1);
    assert_eq!(a.body["results"][0]["payload"]["n"], 2);
    // The read purged the expired rows.
    assert_eq!(count(&server, "SELECT count(*) FROM payloads"), 1);
}

#[tokio::test]
async fn each_payload_call_purges_at_most_1000_expired_rows() {
    let server = TestServer::start().await;
    {
        let mut db = server.db();
        let tx = db.transaction().unwrap();
        for i in 0..1500 {
            tx.execute(
                "INSERT INTO payloads (ref_id, project, logstore, payload, created_at, expires_at)
                 VALUES (?1, 'p', 'l', '{}', 1, 2)",
                [format!("old-{i}")],
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }
    server
        .post("/v1/p/l/detail", json!({"ref_ids": ["old-1"]}))
        .await;
    assert_eq!(count(&server, "SELECT count(*) FROM payloads"), 500);
    // A write with a payload purges too.
    server
        .post(
            "/v1/p/l/ingest",
            json!({"points": [{"event": "e", "payload": {}}]}),
        )
        .await;
    assert_eq!(count(&server, "SELECT count(*) FROM payloads"), 1);
}

#[tokio::test]
async fn retention_removes_more_than_one_chunk() {
    let server = TestServer::start().await;
    server
        .post("/v1/p/l/log", json!({"logs": [{"message": "keep"}]}))
        .await;
    let old_s = chrono::Utc::now().timestamp() - 100 * 86_400;
    server
        .db()
        .execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 45000)
             INSERT INTO events (timestamp, index1, blob1, blob2, blob3)
             SELECT ?1 + i % 1000, 'p/l', 'p', 'l', 'old' FROM n",
            [old_s],
        )
        .unwrap();
    let dir = server.stop().await;
    let server = TestServer::start_in(dir, |_| {}).await;
    assert_eq!(count(&server, "SELECT count(*) FROM events"), 0);
    assert_eq!(count(&server, "SELECT count(*) FROM rawlogs"), 1);
}
