//! Where our server is stricter than upstream: reserved fields cannot be
//! spoofed, payloads are only returned to their own tenant, every
//! client-side limit is enforced server-side (400 naming the point, nothing
//! written), and no input reaches the panic guard (no 500).

use crate::common;

use common::TestServer;
use serde_json::{json, Value};

#[tokio::test]
async fn log_entries_cannot_overwrite_project_logstore_or_level() {
    let server = TestServer::start().await;
    let a = server
        .post(
            "/v1/real/store/log",
            json!({"logs": [
                {"message": "spoof", "project": "victim", "logstore": "vstore", "level": "error"},
                {"message": "spoof2", "project": {"nested": true}, "level": ["x"]},
            ]}),
        )
        .await;
    assert_eq!(a.body["written"], 2);
    let raw = server.post("/v1/real/store/rawlog", json!({})).await;
    let logs = raw.body["logs"].as_array().unwrap();
    assert_eq!(logs.len(), 2);
    for entry in logs {
        assert_eq!(entry["data"]["project"], "real");
        assert_eq!(entry["data"]["logstore"], "store");
    }
    let spoof = logs
        .iter()
        .find(|l| l["data"]["message"] == "spoof")
        .unwrap();
    // The level is the entry's own level (it picks the console method), never
    // the reserved fields.
    assert_eq!(spoof["level"], "error");
    assert_eq!(spoof["data"]["level"], "error");
    let spoof2 = logs
        .iter()
        .find(|l| l["data"]["message"] == "spoof2")
        .unwrap();
    assert_eq!(spoof2["level"], "info");
    assert_eq!(spoof2["data"]["level"], "info");
    // The victim tenant saw nothing and does not exist.
    let victim = server.post("/v1/victim/vstore/rawlog", json!({})).await;
    assert_eq!(victim.body["count"], 0);
    let projects = server.send("GET", "/v1/projects", None).await;
    assert_eq!(projects.body, json!({"projects": ["real"]}));
}

#[tokio::test]
async fn points_cannot_overwrite_project_or_logstore() {
    let server = TestServer::start().await;
    server
        .post(
            "/v1/real/store/ingest",
            json!({"points": [{"event": "e", "project": "victim", "logstore": "v", "index1": "victim/v"}]}),
        )
        .await;
    let raw = server.post("/v1/real/store/rawlog", json!({})).await;
    assert_eq!(raw.body["logs"][0]["data"]["project"], "real");
    assert_eq!(raw.body["logs"][0]["data"]["logstore"], "store");
    let (index1, blob1, blob2): (String, String, String) = server
        .db()
        .query_row("SELECT index1, blob1, blob2 FROM events", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(
        (&*index1, &*blob1, &*blob2),
        ("real/store", "real", "store")
    );
    assert_eq!(
        server.post("/v1/victim/v/rawlog", json!({})).await.body["count"],
        0
    );
}

#[tokio::test]
async fn payloads_are_only_returned_to_their_own_tenant() {
    let server = TestServer::start().await;
    server
        .post(
            "/v1/alice/app/ingest",
            json!({"points": [{"event": "e", "payload": {"secret": "alice's"}}]}),
        )
        .await;
    server
        .post(
            "/v1/bob/app/ingest",
            json!({"points": [{"event": "e", "payload": {"secret": "bob's"}}]}),
        )
        .await;
    let ids: Vec<(String, String)> = {
        let db = server.db();
        let mut stmt = db
            .prepare("SELECT blob1, blob5 FROM events ORDER BY blob1")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let alice_id = &ids[0].1;
    let bob_id = &ids[1].1;
    // Bob asking for Alice's id, from any of his logstores or another
    // logstore of Alice's project, gets nothing.
    for path in [
        "/v1/bob/app/detail",
        "/v1/bob/other/detail",
        "/v1/alice/other/detail",
    ] {
        let a = server
            .post(
                path,
                json!({ "ref_ids": [alice_id, alice_id.to_uppercase()] }),
            )
            .await;
        assert_eq!(a.body, json!({"results": []}), "{path}");
    }
    let a = server
        .post(
            "/v1/alice/app/detail",
            json!({ "ref_ids": [alice_id, bob_id] }),
        )
        .await;
    let results = a.body["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["payload"], json!({"secret": "alice's"}));
    // Through the SDK as well.
    let client = server.client();
    let mine = client
        .detail("bob", "app", std::slice::from_ref(bob_id))
        .await
        .unwrap();
    assert_eq!(mine.results.len(), 1);
    let theirs = client
        .detail("bob", "app", std::slice::from_ref(alice_id))
        .await
        .unwrap();
    assert!(theirs.results.is_empty());
}

#[tokio::test]
async fn rawlog_only_reads_its_own_tenant() {
    let server = TestServer::start().await;
    for (p, l) in [("a", "x"), ("a", "y"), ("b", "x")] {
        server
            .post(
                &format!("/v1/{p}/{l}/log"),
                json!({"logs": [{"message": format!("{p}/{l}")}]}),
            )
            .await;
    }
    for (p, l) in [("a", "x"), ("a", "y"), ("b", "x")] {
        let a = server
            .post(&format!("/v1/{p}/{l}/rawlog"), json!({"limit": 200}))
            .await;
        assert_eq!(a.body["count"], 1);
        assert_eq!(a.body["logs"][0]["data"]["message"], format!("{p}/{l}"));
    }
}

/// Ingest `points` into p/l and return (status, error, rows stored after).
async fn ingest(server: &TestServer, points: Value) -> (u16, String, i64) {
    let a = server
        .post("/v1/p/l/ingest", json!({ "points": points }))
        .await;
    let rows: i64 = server
        .db()
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap();
    (a.status, a.error().to_string(), rows)
}

#[tokio::test]
async fn blob_and_double_counts_are_enforced_at_their_boundaries() {
    let server = TestServer::start().await;
    let blobs = |n: usize| (0..n).map(|i| i.to_string()).collect::<Vec<_>>();
    let doubles = |n: usize| (0..n).map(|i| i as f64).collect::<Vec<_>>();
    assert_eq!(
        ingest(&server, json!([{"event": "e", "blobs": blobs(15)}])).await,
        (200, String::new(), 1)
    );
    let (status, error, rows) = ingest(
        &server,
        json!([{"event": "ok"}, {"event": "e", "blobs": blobs(16)}]),
    )
    .await;
    assert_eq!((status, rows), (400, 1), "nothing of the batch is written");
    assert_eq!(error, "point 1: 16 blobs; the maximum is 15");
    assert_eq!(
        ingest(&server, json!([{"event": "e", "doubles": doubles(20)}])).await,
        (200, String::new(), 2)
    );
    let (status, error, rows) =
        ingest(&server, json!([{"event": "e", "doubles": doubles(21)}])).await;
    assert_eq!((status, rows), (400, 2));
    assert_eq!(error, "point 0: 21 doubles; the maximum is 20");
    for bad in [
        json!({"event": "e", "blobs": [1]}),
        json!({"event": "e", "blobs": "x"}),
        json!({"event": "e", "doubles": ["1"]}),
        json!({"event": "e", "doubles": 1}),
        json!({"event": "e", "payload": "x"}),
        json!({"event": "e", "payload": [1]}),
        json!({"event": "e", "ttl": -1}),
        json!({"event": "e", "ttl": "60"}),
        json!({"event": "e", "ttl": 1.5}),
    ] {
        let (status, error, rows) = ingest(&server, json!([bad])).await;
        assert_eq!((status, rows), (400, 2), "{bad}");
        assert!(error.starts_with("point 0: "), "{error}");
    }
}

#[tokio::test]
async fn blob_bytes_are_enforced_at_16384_counting_system_blobs_and_ref_id() {
    let server = TestServer::start().await;
    // System blobs: "p" + "l" + "e" + "info" = 7 bytes.
    let fill = |n: usize| "x".repeat(n);
    assert_eq!(
        ingest(
            &server,
            json!([{"event": "e", "blobs": [fill(16_384 - 7)]}])
        )
        .await,
        (200, String::new(), 1)
    );
    let (status, error, rows) = ingest(
        &server,
        json!([{"event": "e", "blobs": [fill(16_384 - 6)]}]),
    )
    .await;
    assert_eq!((status, rows), (400, 1));
    assert_eq!(
        error,
        "point 0: its blobs take 16385 bytes; the maximum is 16384"
    );
    // A payload adds its 36-byte ref_id.
    let with_payload = |n: usize| json!([{"event": "e", "blobs": [fill(n)], "payload": {}}]);
    assert_eq!(
        ingest(&server, with_payload(16_384 - 7 - 36)).await,
        (200, String::new(), 2)
    );
    let (status, _, rows) = ingest(&server, with_payload(16_384 - 7 - 35)).await;
    assert_eq!((status, rows), (400, 2));
    // Bytes, not characters: "é" is 2 bytes.
    let e_acute = "é".repeat(8189); // 16378 bytes + 7 = 16385
    let (status, _, _) = ingest(&server, json!([{"event": "e", "blobs": [e_acute]}])).await;
    assert_eq!(status, 400);
    // The level counts: a long level pushes a point over.
    let (status, _, _) = ingest(
        &server,
        json!([{"event": "e", "level": fill(100), "blobs": [fill(16_384 - 102)]}]),
    )
    .await;
    assert_eq!(status, 400);
}

/// Every malformed input we can think of, on every route: never a 500, always
/// our JSON error shape. This is what shows the panic guard is never reached.
#[tokio::test]
async fn no_input_reaches_a_500() {
    let server = TestServer::start().await;
    let huge_number = "1".repeat(400);
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let bodies: Vec<Vec<u8>> = vec![
        vec![],
        b"null".to_vec(),
        b"true".to_vec(),
        b"0".to_vec(),
        b"\"s\"".to_vec(),
        b"[]".to_vec(),
        b"{}".to_vec(),
        deep.into_bytes(),
        format!("{{\"limit\": {huge_number}}}").into_bytes(),
        br#"{"points": [{"event": "e", "doubles": [1e308, -1e308, 0.0]}]}"#.to_vec(),
        br#"{"points": [{"event": "e", "ttl": 18446744073709551615}]}"#.to_vec(),
        br#"{"points": [{"event": "\u0000", "blobs": ["\u0000\ud800"]}]}"#.to_vec(),
        br#"{"points": [{"event": "e", "payload": {"a": {"b": {"c": [1, {"d": null}]}}}}]}"#
            .to_vec(),
        br#"{"logs": [{"message": "m", "level": null}]}"#.to_vec(),
        br#"{"logs": [{"message": "\ud83d\ude00", "level": "\u0000"}]}"#.to_vec(),
        br#"{"sql": "SELECT * FROM aepipe; DROP TABLE events"}"#.to_vec(),
        br#"{"sql": "\u0000"}"#.to_vec(),
        br#"{"sql": "SELECT ((((((((((1))))))))))"}"#.to_vec(),
        br#"{"ref_ids": [""]}"#.to_vec(),
        br#"{"ref_ids": ["'; DROP TABLE payloads; --"]}"#.to_vec(),
        br#"{"limit": 1, "start": "9999-12-31T23:59:59Z", "end": "0000-01-01"}"#.to_vec(),
        br#"{"limit": 1, "start": "+275760-09-13T00:00:00Z"}"#.to_vec(),
        br#"{"limit": 1e3}"#.to_vec(),
        br#"{"limit": -9223372036854775808}"#.to_vec(),
        br#"{"points": [], "logs": [], "sql": "", "ref_ids": []}"#.to_vec(),
    ];
    for action in ["ingest", "log", "query", "rawlog", "detail"] {
        for body in &bodies {
            let a = server
                .send("POST", &format!("/v1/p/l/{action}"), Some(body.clone()))
                .await;
            assert!(
                a.status < 500,
                "{action} {}: {} {}",
                String::from_utf8_lossy(body),
                a.status,
                a.text
            );
            assert!(a.body.is_object(), "{action}: not JSON: {}", a.text);
            if a.status >= 400 {
                assert!(!a.error().is_empty(), "{action}: {}", a.text);
            }
        }
    }
    // The server still answers after all that.
    let a = server.send("GET", "/v1/projects", None).await;
    assert_eq!(a.status, 200);
}
