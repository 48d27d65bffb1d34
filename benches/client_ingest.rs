//! 100,000 points through `ingest_all` against the local server, and the same
//! points through the official Python SDK's `ingest` (aepipe-sdk 0.1.1, in
//! 250-point batches, one after another as its API allows) against the same
//! server. Reports both rates and their ratio (target ≥ 10×).
//!
//! The local server is usually the bottleneck (one SQLite writer), so the
//! same comparison is also run against a null server that only counts the
//! points of each body, on loopback and at 50 ms: that isolates what each
//! client itself costs, and what distance costs it.
//!
//! Run: `cargo bench --bench client_ingest`. The Python SDK is looked up in
//! `$AEPIPE_PYSDK` or `$CARGO_TARGET_DIR/pysdk-0.1.1`; install it with
//! `python3 -m pip install --target "$CARGO_TARGET_DIR/pysdk-0.1.1" aepipe-sdk==0.1.1`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use aepipe::client::{BatchOptions, Client, DataPoint};
use aepipe::server::{start, Realism, ServerConfig};

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
url, token, path, logstore = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
raw = json.load(open(path))
points = [DataPoint(event=p["event"], level=p["level"], blobs=p["blobs"], doubles=p["doubles"]) for p in raw]
client = Aepipe(url, token)
t = time.perf_counter()
written = 0
for i in range(0, len(points), 250):
    written += client.ingest("bench", logstore, points[i:i + 250]).written
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

/// Answers every ingest with the number of points in its body after
/// `delay` (a round trip), storing nothing.
async fn null_server(delay: Duration) -> String {
    #[derive(serde::Deserialize)]
    struct Body {
        points: Vec<serde::de::IgnoredAny>,
    }
    let app = axum::Router::new().fallback(move |body: axum::body::Bytes| async move {
        tokio::time::sleep(delay).await;
        let n = serde_json::from_slice::<Body>(&body).map_or(0, |b| b.points.len());
        axum::Json(serde_json::json!({ "ok": true, "written": n }))
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// Seconds for `ingest_all` of all points into `logstore`.
async fn rust_run(client: &Client, points: &[DataPoint], logstore: &str) -> f64 {
    client
        .ingest("bench", "warmup", &points[..250])
        .await
        .expect("warm-up");
    let t = Instant::now();
    let summary = client
        .ingest_all("bench", logstore, points, &BatchOptions::default())
        .await
        .expect("ingest_all");
    let s = t.elapsed().as_secs_f64();
    assert!(summary.is_complete(), "{:?}", summary.failed);
    assert_eq!(summary.written, POINTS as u64);
    s
}

/// Seconds the Python SDK takes, or why it could not run.
async fn python_run(
    pysdk: &std::path::Path,
    url: &str,
    data: &std::path::Path,
    logstore: &str,
) -> Result<f64, String> {
    let out = tokio::process::Command::new("python3")
        .arg("-c")
        .arg(PYTHON)
        .arg(url)
        .arg("bench-token")
        .arg(data)
        .arg(logstore)
        .env("PYTHONPATH", pysdk)
        .output()
        .await
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
    if report["written"].as_u64() != Some(POINTS as u64) {
        return Err(format!("python wrote {}", report["written"]));
    }
    report["seconds"].as_f64().ok_or("no timing".to_string())
}

fn rate(label: &str, seconds: f64) {
    println!(
        "{label}: {POINTS} points in {seconds:.2} s = {:.0} points/s",
        POINTS as f64 / seconds
    );
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start(ServerConfig::local(dir.path(), "bench-token"))
        .await
        .expect("server starts");
    let points = points();
    let data = dir.path().join("points.json");
    std::fs::write(&data, serde_json::to_vec(&points).expect("json")).expect("write data");
    let pysdk = pysdk_dir();
    if pysdk.is_none() {
        println!("python SDK not found: set AEPIPE_PYSDK (see the header of this file)");
    }

    // The same server at 50 ms round trip (`aepipe serve --latency 50ms`):
    // one request at a time is bound by distance; ingest_all adapts.
    let far_dir = tempfile::tempdir().expect("temp dir");
    let mut far_config = ServerConfig::local(far_dir.path(), "bench-token");
    far_config.realism = Realism {
        latency: Duration::from_millis(50),
        ..Realism::default()
    };
    let far = start(far_config).await.expect("server starts");

    // The null server takes the local server's own cost out: what is left
    // is each client's, at the distance alone.
    let null_url = null_server(Duration::ZERO).await;
    let null_far_url = null_server(Duration::from_millis(50)).await;
    for (name, url) in [
        ("local server, loopback", server.url()),
        ("local server, 50 ms round trip", far.url()),
        ("null server, loopback", null_url),
        ("null server, 50 ms round trip", null_far_url),
    ] {
        println!("== {name}");
        let client = Client::new(&url, "bench-token").expect("client");
        let rust_s = rust_run(&client, &points, "rust").await;
        rate("rust ingest_all (adaptive, up to 32 in flight)", rust_s);
        let Some(pysdk) = &pysdk else { continue };
        match python_run(pysdk, &url, &data, "python").await {
            Ok(py_s) => {
                rate("python aepipe-sdk 0.1.1 ingest (250/batch)", py_s);
                println!("ratio: rust is {:.1}× faster (target ≥ 10×)", py_s / rust_s);
            }
            Err(e) => println!("python failed: {e}"),
        }
    }
    server.shutdown().await;
    far.shutdown().await;
}
