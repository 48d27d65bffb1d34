//! `aepipe ingest` when some batches fail and others are written: the
//! summary counts both, the failed items are named on stderr, the exit code
//! is 1, and the written batches really are stored.

use crate::common::TestServer;

use aepipe::client::RawLogRequest;
use assert_cmd::Command;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partly_failed_ingest_exits_1_and_keeps_what_was_written() {
    // A body limit the big batch exceeds (413) and the small one does not.
    let server = TestServer::start_with(|c| c.max_body_bytes = 64 * 1024).await;
    let home = tempfile::tempdir().unwrap();
    // 250 points of ~1 KB (one batch, over the limit), then 10 small ones.
    let mut points: Vec<Value> = (0..250)
        .map(|i| json!({"event": "big", "blobs": ["x".repeat(1000)], "doubles": [i]}))
        .collect();
    points.extend((0..10).map(|i| json!({"event": "small", "doubles": [i]})));
    let out = Command::cargo_bin("aepipe")
        .unwrap()
        .args(["ingest", "part", "ial", "-", "--format", "json"])
        .env_remove("AEPIPE_PROFILE")
        .env("AEPIPE_URL", server.url())
        .env("AEPIPE_TOKEN", server.token())
        .env("XDG_CONFIG_HOME", home.path())
        .env("HOME", home.path())
        .write_stdin(Value::Array(points).to_string())
        .assert()
        .code(1)
        .get_output()
        .clone();
    let summary: Value = serde_json::from_slice(&out.stdout).expect("a JSON summary");
    assert_eq!(summary["items"], 260);
    assert_eq!(summary["batches"], 2);
    assert_eq!(summary["written"], 10);
    assert_eq!(summary["failed_items"], 250);
    assert_eq!(summary["failed"][0]["items"], json!([0, 250]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("batch 0 (items 0..250) failed"), "{stderr}");
    assert!(stderr.contains("413"), "{stderr}");
    assert!(stderr.contains("1 of 2 batches failed"), "{stderr}");

    // The small batch is stored, the big one is not.
    let raw = server
        .client()
        .rawlog("part", "ial", &RawLogRequest::default())
        .await
        .unwrap();
    let mut events: Vec<(String, i64)> = raw
        .logs
        .iter()
        .map(|e| {
            (
                e.data["event"].as_str().unwrap_or_default().to_string(),
                e.data["doubles"][0].as_f64().unwrap_or(-1.0) as i64,
            )
        })
        .collect();
    events.sort();
    let want: Vec<(String, i64)> = (0..10).map(|i| ("small".to_string(), i)).collect();
    assert_eq!(events, want);
}
