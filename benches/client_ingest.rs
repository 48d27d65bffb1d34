//! 100,000 points through `ingest_all` against the local server, and the same
//! points through the official Python SDK's `ingest` (aepipe-sdk 0.1.1, in
//! 250-point batches, one after another as its API allows) against the same
//! server. Reports both rates and their ratio (target ≥ 10×).
//!
//! Run: `cargo bench --bench client_ingest`. The Python SDK is looked up in
//! `$AEPIPE_PYSDK` or `$CARGO_TARGET_DIR/pysdk-0.1.1`; install it with
//! `python3 -m pip install --target "$CARGO_TARGET_DIR/pysdk-0.1.1" aepipe-sdk==0.1.1`.

use std::path::PathBuf;
use std::time::Instant;

use aepipe::client::{BatchOptions, Client, DataPoint};
use aepipe::server::{start, ServerConfig};

const POINTS: usize = 100_000;

/// The data both clients send: JSON-compatible so Python reads the very same.
fn points() -> Vec<DataPoint> {
    let events = ["http_request", "db_query", "cache_miss", "job_done"];
    let levels = ["info", "warn", "error", "debug"];
    (0..POINTS)
        .map(|i| {
            DataPoint::new(events[i % 4])
                .level(levels[i % 4])
                .blobs([
                    format!("GET /api/v1/items/{}", i % 500),
                    format!("user-{}", i % 1000),
                    "eu-west".to_string(),
                ])
                .doubles([(i % 1000) as f64 / 4.0, 200.0, (i % 7) as f64])
        })
        .collect()
}

const PYTHON: &str = r#"
import json, sys, time
from aepipe import Aepipe, DataPoint
url, token, path = sys.argv[1], sys.argv[2], sys.argv[3]
raw = json.load(open(path))
points = [DataPoint(event=p["event"], level=p["level"], blobs=p["blobs"], doubles=p["doubles"]) for p in raw]
client = Aepipe(url, token)
t = time.perf_counter()
written = 0
for i in range(0, len(points), 250):
    written += client.ingest("bench", "python", points[i:i + 250]).written
print(json.dumps({"seconds": time.perf_counter() - t, "written": written}))
"#;

fn pysdk_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("AEPIPE_PYSDK")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("CARGO_TARGET_DIR").map(|t| PathBuf::from(t).join("pysdk-0.1.1"))
        })?;
    dir.join("aepipe").is_dir().then_some(dir)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start(ServerConfig::local(dir.path(), "bench-token"))
        .await
        .expect("server starts");
    let client = Client::new(server.url(), "bench-token").expect("client");
    let points = points();

    // Warm the connection pool and the server's first write.
    client
        .ingest("bench", "warmup", &points[..250])
        .await
        .expect("warm-up");

    let t = Instant::now();
    let summary = client
        .ingest_all("bench", "rust", &points, &BatchOptions::default())
        .await
        .expect("ingest_all");
    let rust_s = t.elapsed().as_secs_f64();
    assert!(summary.is_complete(), "{:?}", summary.failed);
    assert_eq!(summary.written, POINTS as u64);
    println!(
        "rust ingest_all (concurrency 4): {POINTS} points in {:.2} s = {:.0} points/s",
        rust_s,
        POINTS as f64 / rust_s
    );

    let Some(pysdk) = pysdk_dir() else {
        println!("python SDK not found: set AEPIPE_PYSDK (see the header of this file)");
        server.shutdown().await;
        return;
    };
    let data = dir.path().join("points.json");
    std::fs::write(&data, serde_json::to_vec(&points).expect("json")).expect("write data");
    let out = tokio::process::Command::new("python3")
        .arg("-c")
        .arg(PYTHON)
        .arg(server.url())
        .arg("bench-token")
        .arg(&data)
        .env("PYTHONPATH", &pysdk)
        .output()
        .await
        .expect("python3 runs");
    if !out.status.success() {
        println!("python failed: {}", String::from_utf8_lossy(&out.stderr));
        server.shutdown().await;
        return;
    }
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("python prints its timing");
    let py_s = report["seconds"].as_f64().unwrap_or(f64::NAN);
    assert_eq!(report["written"].as_u64(), Some(POINTS as u64));
    println!(
        "python aepipe-sdk 0.1.1 ingest (250/batch): {POINTS} points in {:.2} s = {:.0} points/s",
        py_s,
        POINTS as f64 / py_s
    );
    println!("ratio: rust is {:.1}× faster (target ≥ 10×)", py_s / rust_s);
    server.shutdown().await;
}
