//! Benchmark of the local server over real HTTP on loopback:
//! - ingest throughput: 250-point batches from 4 concurrent clients (goal ≥ 100,000 points/s);
//! - resident memory after 1,000,000 events (goal ≤ 250 MB);
//! - with 1M events in one tenant: GROUP BY event with count() and a 24-hour
//!   toStartOfInterval bucket count (goal ≤ 300 ms each), and a query on a
//!   small tenant while the big one runs (goal ≤ 20 ms).
//!
//! `cargo bench --bench server_ingest` runs the full sizes; without `--bench`
//! (e.g. `cargo test --benches`) it runs a small smoke version.

use std::time::{Duration, Instant};

use aepipe::client::{Client, DataPoint};
use aepipe::server::{start, ServerConfig};

const CLIENTS: usize = 4;
const BATCH: usize = 250;

fn points(seed: usize) -> Vec<DataPoint> {
    const EVENTS: [&str; 8] = [
        "http_request",
        "http_request",
        "http_request",
        "cache_miss",
        "login",
        "payment",
        "job_done",
        "http_error",
    ];
    const PATHS: [&str; 5] = [
        "/api/cart",
        "/api/search",
        "/api/orders",
        "/api/products",
        "/health",
    ];
    (0..BATCH)
        .map(|i| {
            let n = seed * BATCH + i;
            DataPoint::new(EVENTS[n % EVENTS.len()])
                .level(if n.is_multiple_of(50) {
                    "error"
                } else {
                    "info"
                })
                .blobs([
                    PATHS[n % PATHS.len()],
                    if n.is_multiple_of(3) { "POST" } else { "GET" },
                    "200",
                    "eu-west",
                    &format!("u{:04}", n % 997),
                ])
                .doubles([(n % 400) as f64 + 0.5, (n % 9000) as f64, 1.0])
        })
        .collect()
}

/// Send `batches_per_client` batches from each of 4 clients; points/s.
async fn ingest(
    url: &str,
    token: &str,
    project: &str,
    batches_per_client: usize,
) -> (usize, Duration) {
    let started = Instant::now();
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|c| {
            // One connection pool per client, as 4 separate producers would have.
            let client = Client::new(url, token).expect("client");
            let project = project.to_string();
            tokio::spawn(async move {
                let batches: Vec<Vec<DataPoint>> = (0..8).map(|s| points(c * 8 + s)).collect();
                let mut written = 0;
                for b in 0..batches_per_client {
                    let r = client
                        .ingest(&project, "big", &batches[b % batches.len()])
                        .await
                        .expect("ingest");
                    written += r.written as usize;
                }
                written
            })
        })
        .collect();
    let mut total = 0;
    for t in tasks {
        total += t.await.expect("client task");
    }
    (total, started.elapsed())
}

/// CPU seconds (user + system) of this process, and of its writer thread.
fn cpu_seconds() -> (f64, f64) {
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100/s here).
    fn ticks(stat: &str) -> f64 {
        let after_comm = stat.rsplit(')').next().unwrap_or("");
        let fields: Vec<&str> = after_comm.split_whitespace().collect();
        let get = |i: usize| {
            fields
                .get(i)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        (get(11) + get(12)) / 100.0
    }
    let process = ticks(&std::fs::read_to_string("/proc/self/stat").unwrap_or_default());
    let mut writer = 0.0;
    if let Ok(tasks) = std::fs::read_dir("/proc/self/task") {
        for task in tasks.flatten() {
            let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
            if comm.trim() == "aepipe-writer" {
                writer +=
                    ticks(&std::fs::read_to_string(task.path().join("stat")).unwrap_or_default());
            }
        }
    }
    (process, writer)
}

fn rss_mb(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// Median of 5 runs, or the error text.
async fn time_query(client: &Client, project: &str, logstore: &str, sql: &str) -> String {
    let mut times = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        match client.query(project, logstore, sql).await {
            Ok(_) => times.push(started.elapsed()),
            Err(e) => return format!("failed: {e}"),
        }
    }
    times.sort();
    format!("median {:?}", times[times.len() / 2])
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (throughput_batches, mut total_events) = if full { (300, 1_000_000) } else { (4, 20_000) };
    // For profiling a shorter run: AEPIPE_BENCH_EVENTS=200000.
    if let Some(n) = std::env::var("AEPIPE_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        total_events = n;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let dir = tempfile::tempdir().expect("temp dir");
        let token = "bench-token".to_string();
        let server = start(ServerConfig::local(dir.path(), token.clone()))
            .await
            .expect("server");
        let url = server.url();
        let client = Client::new(&url, &token).expect("client");
        println!("server_ingest ({}):", if full { "full" } else { "smoke" });

        // Warm-up: connections, statement caches, file growth.
        ingest(&url, &token, "acme", 2).await;
        let (cpu_before, writer_before) = cpu_seconds();
        let (n, took) = ingest(&url, &token, "acme", throughput_batches).await;
        let (cpu_after, writer_after) = cpu_seconds();
        println!(
            "  ingest: {n} points in 250-point batches from {CLIENTS} clients in {:.2} s = {:.0} points/s",
            took.as_secs_f64(),
            n as f64 / took.as_secs_f64()
        );
        let cpu = cpu_after - cpu_before;
        let writer = writer_after - writer_before;
        println!(
            "    CPU used: {cpu:.2} s for the whole process (server and clients, {:.1} us/point); \
             the single writer thread {writer:.2} s ({:.1} us/point, so at most {:.0} points/s with a core of its own)",
            cpu * 1e6 / n as f64,
            writer * 1e6 / n as f64,
            n as f64 / writer.max(1e-9)
        );
        println!(
            "    machine load average during the run: {}",
            std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim()
        );

        let mut have = n + 2 * CLIENTS * BATCH;
        while have < total_events {
            let batches = (total_events - have).div_ceil(CLIENTS * BATCH).min(100);
            let (n, _) = ingest(&url, &token, "acme", batches).await;
            have += n;
        }
        println!(
            "  memory at {have} events: VmRSS {:.0} MB, peak VmHWM {:.0} MB (whole bench process: server and clients)",
            rss_mb("VmRSS:"),
            rss_mb("VmHWM:")
        );

        // Spread the events over the last 24 hours so buckets have shape.
        let db = rusqlite::Connection::open(dir.path().join(aepipe::server::store::DB_FILE))
            .expect("db");
        db.busy_timeout(Duration::from_secs(30)).expect("busy");
        db.execute("UPDATE events SET timestamp = timestamp - (id * 7919) % 86400", [])
            .expect("spread timestamps");
        // The server never moves events; the per-minute rollup follows.
        aepipe::server::store::rollup::backfill(&db).expect("rebuild the rollup");
        drop(db);
        client
            .ingest("small", "tenant", &points(1)[..20])
            .await
            .expect("small tenant");

        let group = "SELECT blob3 AS event, count() AS n FROM aepipe GROUP BY event ORDER BY n DESC";
        let buckets = "SELECT toStartOfInterval(timestamp, INTERVAL '1' HOUR) AS t, count() AS n \
                       FROM aepipe WHERE timestamp > now() - INTERVAL '24' HOUR GROUP BY t ORDER BY t";
        let small = "SELECT blob3 AS event, count() AS n FROM aepipe GROUP BY event";
        let g = time_query(&client, "acme", "big", group).await;
        println!("  GROUP BY event, count() over {have} events: {g}");
        let b = time_query(&client, "acme", "big", buckets).await;
        println!("  24 h toStartOfInterval buckets over {have} events: {b}");
        // The small tenant's query while the big one runs.
        let big_client = client.clone();
        let busy = tokio::spawn(async move {
            for _ in 0..3 {
                let _ = big_client.query("acme", "big", group).await;
            }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        let s = time_query(&client, "small", "tenant", small).await;
        busy.await.ok();
        println!("  small tenant's query during big queries: {s}");
        server.shutdown().await;
    });
}
