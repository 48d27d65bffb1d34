//! `aepipe query --format ndjson` end to end: one JSON object per row, keys
//! in column order, values as AE sent them, written row by row as the
//! answer is decoded; an SQL error still exits 1.

use crate::common;

use aepipe::client::DataPoint;
use assert_cmd::Command;
use common::TestServer;
use serde_json::{json, Value};

fn connected(server: &TestServer, home: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("aepipe").expect("binary");
    cmd.env_remove("AEPIPE_PROFILE")
        .env("XDG_CONFIG_HOME", home)
        .env("HOME", home)
        .env("NO_COLOR", "1")
        .env("AEPIPE_URL", server.url())
        .env("AEPIPE_TOKEN", server.token());
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_ndjson_writes_one_object_per_row_in_column_order() {
    let server = TestServer::start().await;
    let home = tempfile::tempdir().expect("home");
    let points: Vec<DataPoint> = (0..300)
        .map(|i| DataPoint::new(format!("e{}", i % 3)).doubles([f64::from(i)]))
        .collect();
    let client = server.client();
    for chunk in points.chunks(250) {
        client.ingest("shop", "api", chunk).await.expect("ingest");
    }
    let out = connected(&server, home.path())
        .args([
            "query",
            "shop",
            "api",
            "--format",
            "ndjson",
            "SELECT blob3 AS event, count() AS n, max(double1) AS top FROM aepipe GROUP BY event ORDER BY event",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].starts_with("{\"event\":"),
        "keys in column order: {}",
        lines[0]
    );
    let rows: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).expect("a JSON object per line"))
        .collect();
    assert_eq!(rows[0], json!({"event": "e0", "n": "100", "top": 297.0}));
    assert_eq!(rows[2], json!({"event": "e2", "n": "100", "top": 299.0}));

    // Many rows: every one arrives, in order.
    let out = connected(&server, home.path())
        .args([
            "query",
            "shop",
            "api",
            "--format",
            "ndjson",
            "SELECT double1 AS d FROM aepipe ORDER BY d",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).expect("utf-8");
    let ds: Vec<f64> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).expect("json")["d"]
                .as_f64()
                .unwrap_or(-1.0)
        })
        .collect();
    assert_eq!(ds, (0..300).map(f64::from).collect::<Vec<_>>());

    connected(&server, home.path())
        .args([
            "query",
            "shop",
            "api",
            "--format",
            "ndjson",
            "SELECT nope FROM aepipe",
        ])
        .assert()
        .code(1);
}
