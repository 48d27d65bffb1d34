//! Bad or unusual input at the HTTP edge of the local server, as upstream
//! and Analytics Engine treat it: doubles that must come back bit for bit,
//! a `level` that is not a string, and a path that is not UTF-8.

use crate::common;

use common::TestServer;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn doubles_round_trip_through_ingest_exactly() {
    let server = TestServer::start().await;
    // Values whose shortest decimal form the default JSON float parser
    // reads one bit off.
    let values: [f64; 5] = [
        3.7e-298,
        2.2250738585072014e-308,
        0.1 + 0.2,
        1.7976931348623157e308,
        5e-324,
    ];
    let body = format!(
        "{{\"points\": [{{\"event\": \"e\", \"doubles\": [{}]}}]}}",
        values.map(|v| format!("{v:e}")).join(", ")
    );
    let a = server
        .send("POST", "/v1/p/l/ingest", Some(body.into_bytes()))
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let stored: Vec<f64> = server
        .db()
        .query_row(
            "SELECT double1, double2, double3, double4, double5 FROM events WHERE index1 = 'p/l'",
            [],
            |r| {
                Ok((0..5)
                    .map(|i| r.get::<_, f64>(i).unwrap_or(f64::NAN))
                    .collect())
            },
        )
        .expect("row stored");
    for (got, want) in stored.iter().zip(values) {
        assert_eq!(got.to_bits(), want.to_bits(), "{got:e} != {want:e}");
    }
}

#[tokio::test]
async fn a_point_level_must_be_a_string() {
    let server = TestServer::start().await;
    let a = server
        .post(
            "/v1/p/l/ingest",
            json!({"points": [{"event": "ok"}, {"event": "e", "level": 5}]}),
        )
        .await;
    assert_eq!(a.status, 400, "{}", a.text);
    assert_eq!(a.error(), "point 1: level must be a string");
    // Nothing of the refused batch was written.
    let n: i64 = server
        .db()
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .expect("count");
    assert_eq!(n, 0);
    // null or absent means the default level.
    let a = server
        .post(
            "/v1/p/l/ingest",
            json!({"points": [{"event": "a", "level": null}, {"event": "b"}]}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let levels: Vec<String> = {
        let db = server.db();
        let mut stmt = db
            .prepare("SELECT blob4 FROM events ORDER BY id")
            .expect("prepare");
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .expect("query");
        rows.map(|r| r.expect("row")).collect()
    };
    assert_eq!(levels, ["info", "info"]);
}

/// Send raw request bytes (the path may hold bytes no HTTP client sends)
/// and read the whole answer; the server closes after it.
async fn raw_request(server: &TestServer, method: &str, path: &[u8]) -> (u16, serde_json::Value) {
    let mut stream = tokio::net::TcpStream::connect(server.addr())
        .await
        .expect("connect");
    let mut req = format!("{method} ").into_bytes();
    req.extend_from_slice(path);
    req.extend_from_slice(
        format!(
            " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}",
            server.token()
        )
        .as_bytes(),
    );
    stream.write_all(&req).await.expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read");
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("");
    let body = serde_json::from_str(body).unwrap_or(serde_json::Value::Null);
    (status, body)
}

#[tokio::test]
async fn a_percent_encoded_path_that_is_not_utf8_is_a_400_with_a_json_error() {
    let server = TestServer::start().await;
    for (method, path) in [
        ("POST", &b"/v1/p%FF/l/query"[..]),
        ("POST", &b"/v1/p/l%C3%28/query"[..]),
        ("GET", &b"/v1/%FF/logstores"[..]),
    ] {
        let (status, body) = raw_request(&server, method, path).await;
        assert_eq!(status, 400, "{}", String::from_utf8_lossy(path));
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{}: {body}",
            String::from_utf8_lossy(path)
        );
    }
}
