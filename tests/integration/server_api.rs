//! The HTTP contract of the local server over real HTTP on loopback: every
//! route, status code, error text and JSON shape of the API spec, CORS and
//! OPTIONS, 413, and the order of the 404/401 checks.

use crate::common;

use aepipe::client::{DataPoint, Error, LogEntry, RawLogRequest};
use common::TestServer;
use serde_json::{json, Value};

fn payload(v: Value) -> serde_json::Map<String, Value> {
    v.as_object().cloned().expect("object")
}

#[tokio::test]
async fn the_sdk_round_trips_every_route() {
    let server = TestServer::start().await;
    let client = server.client();
    let points = vec![
        DataPoint::new("request")
            .blobs(["/a", "GET"])
            .doubles([12.5]),
        DataPoint::new("crash")
            .level("error")
            .payload(payload(json!({"stack": "at main.rs:1"}))),
    ];
    let written = client.ingest("shop", "api", &points).await.unwrap();
    assert!(written.ok);
    assert_eq!(written.written, 2);
    let logs = client
        .log("shop", "api", &[LogEntry::new("hello").level("warn")])
        .await
        .unwrap();
    assert_eq!(logs.written, 1);
    client
        .log("auth", "login", &[LogEntry::new("x")])
        .await
        .unwrap();
    client
        .log("shop", "checkout", &[LogEntry::new("x")])
        .await
        .unwrap();

    assert_eq!(client.list_projects().await.unwrap(), vec!["auth", "shop"]);
    assert_eq!(
        client.list_logstores("shop").await.unwrap(),
        vec!["api", "checkout"]
    );
    assert!(client.list_logstores("nobody").await.unwrap().is_empty());

    let raw = client
        .rawlog("shop", "api", &RawLogRequest::default())
        .await
        .unwrap();
    assert_eq!(raw.count, 3);
    assert_eq!(raw.logs[0].data["message"], "hello");
    assert_eq!(raw.logs[0].level, "warn");
    let crash = raw
        .logs
        .iter()
        .find(|l| l.data["event"] == "crash")
        .unwrap();
    assert_eq!(crash.level, "error");
    assert_eq!(crash.data["project"], "shop");
    assert_eq!(crash.data["payload"]["stack"], "at main.rs:1");

    let ref_id: String = server
        .db()
        .query_row("SELECT blob5 FROM events WHERE blob3 = 'crash'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(ref_id.len(), 36);
    let detail = client
        .detail("shop", "api", &[ref_id.clone(), "unknown-id".into()])
        .await
        .unwrap();
    assert_eq!(detail.results.len(), 1);
    let entry = &detail.results[0];
    assert_eq!(entry.ref_id, ref_id);
    assert_eq!(entry.payload, json!({"stack": "at main.rs:1"}));
    assert_eq!(entry.expires_at - entry.created_at, 7_776_000 * 1000);
}

#[tokio::test]
async fn events_land_in_ae_columns() {
    let server = TestServer::start().await;
    let client = server.client();
    let point = DataPoint::new("e").blobs(["b6", "b7"]).doubles([1.5, 2.5]);
    let before = chrono::Utc::now().timestamp();
    client.ingest("p", "l", &[point]).await.unwrap();
    let after = chrono::Utc::now().timestamp();
    let row: (
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        f64,
        f64,
        i64,
        i64,
    ) = server
        .db()
        .query_row(
            "SELECT index1, blob1, blob2, blob3, blob4, blob5, blob6, blob7, double1, double2,
                        _sample_interval, timestamp FROM events",
            [],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                    r.get(11)?,
                ))
            },
        )
        .unwrap();
    assert_eq!(
        (
            &row.0[..],
            &row.1[..],
            &row.2[..],
            &row.3[..],
            &row.4[..],
            &row.5[..]
        ),
        ("p/l", "p", "l", "e", "info", "")
    );
    assert_eq!(
        (&row.6[..], &row.7[..], row.8, row.9),
        ("b6", "b7", 1.5, 2.5)
    );
    assert_eq!(row.10, 1);
    // Stamped by the server while the request ran, in whole seconds.
    assert!(
        (before..=after).contains(&row.11),
        "timestamp {} outside the request's {before}..={after}",
        row.11
    );
}

#[tokio::test]
async fn auth_and_not_found_come_in_the_spec_order() {
    let server = TestServer::start().await;
    // Outside /v1: 404 even without a token.
    for path in ["/", "/x", "/v1", "/v2/projects", "/projects"] {
        let a = server.send_as(None, "GET", path, None).await;
        assert_eq!((a.status, a.error()), (404, "not found"), "{path}");
    }
    // Under /v1: the token comes first.
    for token in [None, Some("wrong"), Some("")] {
        let a = server.send_as(token, "GET", "/v1/projects", None).await;
        assert_eq!((a.status, a.error()), (401, "unauthorized"), "{token:?}");
        let a = server
            .send_as(token, "POST", "/v1/p/l/nope", Some(b"{}".to_vec()))
            .await;
        assert_eq!(a.status, 401);
    }
    // The right token with a different scheme is still unauthorized.
    let a = server
        .http()
        .get(server.at("/v1/projects"))
        .header("authorization", format!("Basic {}", server.token()))
        .send()
        .await
        .unwrap();
    assert_eq!(a.status(), 401);
    // A token that is a prefix of the real one is wrong.
    let prefix = &server.token()[..server.token().len() - 1];
    let a = server
        .send_as(Some(prefix), "GET", "/v1/projects", None)
        .await;
    assert_eq!(a.status, 401);
    // Authorized: unknown actions and methods are 404.
    for (method, path) in [
        ("POST", "/v1/p/l/nope"),
        ("GET", "/v1/p/l/ingest"),
        ("PUT", "/v1/p/l/query"),
        ("DELETE", "/v1/projects"),
        ("POST", "/v1/projects"),
        ("POST", "/v1/p/logstores"),
        ("GET", "/v1/p/l/x/y"),
        ("GET", "/v1/"),
    ] {
        let a = server.send(method, path, Some(b"{}".to_vec())).await;
        assert_eq!((a.status, a.error()), (404, "not found"), "{method} {path}");
    }
}

#[tokio::test]
async fn cors_headers_on_every_answer_and_options_is_204() {
    let server = TestServer::start().await;
    let check = |h: &reqwest::header::HeaderMap, what: &str| {
        assert_eq!(h["access-control-allow-origin"], "*", "{what}");
        assert_eq!(
            h["access-control-allow-methods"], "GET, POST, OPTIONS",
            "{what}"
        );
        assert_eq!(
            h["access-control-allow-headers"], "Authorization, Content-Type",
            "{what}"
        );
    };
    for path in ["/v1/p/l/ingest", "/v1/projects", "/anything", "/"] {
        let a = server.send_as(None, "OPTIONS", path, None).await;
        assert_eq!(a.status, 204, "{path}");
        assert!(a.text.is_empty());
        check(&a.headers, path);
    }
    let ok = server.send("GET", "/v1/projects", None).await;
    assert_eq!(ok.status, 200);
    check(&ok.headers, "200");
    let unauthorized = server.send_as(None, "GET", "/v1/projects", None).await;
    check(&unauthorized.headers, "401");
    let not_found = server.send_as(None, "GET", "/nope", None).await;
    check(&not_found.headers, "404");
    let bad = server
        .send("POST", "/v1/p/l/log", Some(b"{".to_vec()))
        .await;
    check(&bad.headers, "400");
}

#[tokio::test]
async fn bodies_that_are_not_json_are_invalid_json() {
    let server = TestServer::start().await;
    for action in ["ingest", "log", "query", "rawlog", "detail"] {
        for body in [&b""[..], b"{", b"not json", b"{\"points\": [}", b"\xff\xfe"] {
            let a = server
                .send("POST", &format!("/v1/p/l/{action}"), Some(body.to_vec()))
                .await;
            assert_eq!(
                (a.status, a.error()),
                (400, "invalid json"),
                "{action} {body:?}"
            );
        }
    }
}

#[tokio::test]
async fn bad_names_in_the_path_are_400() {
    let server = TestServer::start().await;
    let long = "a".repeat(65);
    for project in ["bad.name", "a%20b", "%C3%A9", long.as_str()] {
        for action in ["ingest", "log", "query", "rawlog", "detail"] {
            let a = server
                .post(&format!("/v1/{project}/l/{action}"), json!({}))
                .await;
            assert_eq!(
                (a.status, a.error()),
                (400, "invalid project name"),
                "{project} {action}"
            );
            let a = server
                .post(&format!("/v1/p/{project}/{action}"), json!({}))
                .await;
            assert_eq!(
                (a.status, a.error()),
                (400, "invalid logstore name"),
                "{project} {action}"
            );
        }
        let a = server
            .send("GET", &format!("/v1/{project}/logstores"), None)
            .await;
        assert_eq!((a.status, a.error()), (400, "invalid project name"));
    }
    // Names at the limit are fine; an index over 96 bytes is not.
    let p64 = "p".repeat(64);
    let a = server
        .post(
            &format!("/v1/{p64}/{}/log", "l".repeat(31)),
            json!({"logs": [{"message": "m"}]}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let a = server
        .post(
            &format!("/v1/{p64}/{}/log", "l".repeat(32)),
            json!({"logs": [{"message": "m"}]}),
        )
        .await;
    assert_eq!(a.status, 400);
    assert!(a.error().contains("97 bytes"), "{}", a.error());
}

#[tokio::test]
async fn ingest_errors_and_skipped_points() {
    let server = TestServer::start().await;
    for body in [
        json!({}),
        json!({"points": []}),
        json!({"points": {}}),
        json!({"points": "x"}),
        json!([]),
        json!(null),
    ] {
        let a = server.post("/v1/p/l/ingest", body.clone()).await;
        assert_eq!(
            (a.status, a.error()),
            (400, "points must be a non-empty array"),
            "{body}"
        );
    }
    let many: Vec<Value> = (0..251)
        .map(|i| json!({"event": format!("e{i}")}))
        .collect();
    let a = server
        .post("/v1/p/l/ingest", json!({ "points": many }))
        .await;
    assert_eq!((a.status, a.error()), (400, "max 250 points per request"));
    let full: Vec<Value> = (0..250)
        .map(|i| json!({"event": format!("e{i}")}))
        .collect();
    let a = server
        .post("/v1/p/l/ingest", json!({ "points": full }))
        .await;
    assert_eq!(a.body, json!({"ok": true, "written": 250}));

    let a = server
        .post(
            "/v1/p/m/ingest",
            json!({"points": [{"event": ""}, {"event": 3}, {"blobs": ["x"]}, 7, null, {"event": "ok"}]}),
        )
        .await;
    assert_eq!(a.body, json!({"ok": true, "written": 1}));
    // All skipped: 200 with nothing written, and the logstore stays unknown.
    let a = server
        .post("/v1/p/n/ingest", json!({"points": [{"event": ""}]}))
        .await;
    assert_eq!(a.body, json!({"ok": true, "written": 0}));
    let a = server.send("GET", "/v1/p/logstores", None).await;
    assert_eq!(a.body, json!({"logstores": ["l", "m"]}));
}

#[tokio::test]
async fn log_errors_and_skipped_entries() {
    let server = TestServer::start().await;
    for body in [
        json!({}),
        json!({"logs": []}),
        json!({"logs": 1}),
        json!("x"),
    ] {
        let a = server.post("/v1/p/l/log", body.clone()).await;
        assert_eq!(
            (a.status, a.error()),
            (400, "logs must be a non-empty array"),
            "{body}"
        );
    }
    let many: Vec<Value> = (0..251).map(|_| json!({"message": "m"})).collect();
    let a = server.post("/v1/p/l/log", json!({ "logs": many })).await;
    assert_eq!((a.status, a.error()), (400, "max 250 logs per request"));
    let a = server
        .post(
            "/v1/p/l/log",
            json!({"logs": [{"message": ""}, {"message": 1}, {"level": "error"}, {"message": "kept", "extra": {"k": [1, 2]}}]}),
        )
        .await;
    assert_eq!(a.body, json!({"ok": true, "written": 1}));
    let raw = server.post("/v1/p/l/rawlog", json!({})).await;
    assert_eq!(raw.body["count"], 1);
    assert_eq!(
        raw.body["logs"][0]["data"],
        json!({"project": "p", "logstore": "l", "level": "info", "message": "kept", "extra": {"k": [1, 2]}})
    );
}

#[tokio::test]
async fn query_requires_sql_and_bad_sql_is_a_400() {
    let server = TestServer::start().await;
    for body in [
        json!({}),
        json!({"sql": ""}),
        json!({"sql": "  \n\t "}),
        json!({"sql": 5}),
        json!({"sql": null}),
        json!([]),
    ] {
        let a = server.post("/v1/p/l/query", body.clone()).await;
        assert_eq!((a.status, a.error()), (400, "sql is required"), "{body}");
    }
    for sql in ["SELEC 1", "DROP TABLE events", "SELECT * FROM nope", "'"] {
        let a = server.post("/v1/p/l/query", json!({ "sql": sql })).await;
        assert_eq!(a.status, 400, "{sql}: {}", a.text);
        assert!(!a.error().is_empty());
    }
    // The SDK carries the status and text of the error.
    match server.client().query("p", "l", "SELEC 1").await {
        Err(Error::Api { status, message }) => {
            assert_eq!(status, 400);
            assert!(!message.is_empty());
        }
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn detail_errors() {
    let server = TestServer::start().await;
    for body in [json!({}), json!({"ref_ids": []}), json!({"ref_ids": "x"})] {
        let a = server.post("/v1/p/l/detail", body.clone()).await;
        assert_eq!(
            (a.status, a.error()),
            (400, "ref_ids must be a non-empty array"),
            "{body}"
        );
    }
    let ids: Vec<String> = (0..101).map(|i| format!("id-{i}")).collect();
    let a = server
        .post("/v1/p/l/detail", json!({ "ref_ids": ids }))
        .await;
    assert_eq!((a.status, a.error()), (400, "max 100 ref_ids per request"));
    let ids: Vec<String> = (0..100).map(|i| format!("id-{i}")).collect();
    let a = server
        .post("/v1/p/l/detail", json!({ "ref_ids": ids }))
        .await;
    assert_eq!(a.body, json!({"results": []}));
    let a = server
        .post("/v1/p/l/detail", json!({"ref_ids": ["a", 1]}))
        .await;
    assert_eq!(a.status, 400);
}

#[tokio::test]
async fn without_payload_storage_detail_is_501_before_the_body_is_read() {
    let server = TestServer::without_payloads().await;
    for body in [&b"not json"[..], b"{}", b"{\"ref_ids\":[\"x\"]}"] {
        let a = server
            .send("POST", "/v1/p/l/detail", Some(body.to_vec()))
            .await;
        assert_eq!(
            (a.status, a.error()),
            (501, "D1 payload storage is not configured")
        );
    }
    // Payloads are dropped and blob5 stays empty, as upstream without D1.
    let a = server
        .post(
            "/v1/p/l/ingest",
            json!({"points": [{"event": "e", "payload": {"a": 1}}]}),
        )
        .await;
    assert_eq!(a.body["written"], 1);
    let (blob5, payloads): (String, i64) = server
        .db()
        .query_row(
            "SELECT blob5, (SELECT count(*) FROM payloads) FROM events",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((blob5.as_str(), payloads), ("", 0));
}

#[tokio::test]
async fn bodies_over_the_limit_are_413_in_our_shape() {
    let server = TestServer::start_with(|c| c.max_body_bytes = 4096).await;
    let big = json!({"logs": [{"message": "x".repeat(5000)}]});
    let a = server.post("/v1/p/l/log", big).await;
    assert_eq!(a.status, 413);
    assert!(a.error().contains("4096"), "{}", a.text);
    assert_eq!(a.headers["access-control-allow-origin"], "*");
    let small = json!({"logs": [{"message": "x".repeat(3000)}]});
    assert_eq!(server.post("/v1/p/l/log", small).await.status, 200);
    // Nothing of the rejected body was stored.
    let raw = server.post("/v1/p/l/rawlog", json!({})).await;
    assert_eq!(raw.body["count"], 1);
}

#[tokio::test]
async fn the_default_body_limit_takes_the_largest_valid_batch() {
    let server = TestServer::start().await;
    // 250 points with 16 KB of blobs each, plus a payload each: ~4.5 MB.
    let blob = "b".repeat(1000);
    let points: Vec<Value> = (0..250)
        .map(|_| {
            json!({"event": "e", "blobs": vec![blob.clone(); 15], "payload": {"dump": "y".repeat(2000)}})
        })
        .collect();
    let a = server
        .post("/v1/p/l/ingest", json!({ "points": points }))
        .await;
    assert_eq!(a.body, json!({"ok": true, "written": 250}), "{}", a.text);
}
