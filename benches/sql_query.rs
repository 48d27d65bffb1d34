//! Speed of the AE SQL dialect on SQLite through `run_query` (issue 2 targets):
//! 1,000,000 events in one tenant, all within the last 24 hours —
//!   GROUP BY event with count()             ≤ 300 ms
//!   24-hour toStartOfInterval bucket count  ≤ 300 ms
//!   a query on another, small tenant        ≤  20 ms
//!
//! Run: `cargo bench --bench sql_query`. The database is built once under
//! /var/tmp/aepipe-bench-sql (bulk insert in one transaction) and reused.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use aepipe::server::sql::{register_functions, run_query, Scope};
use rusqlite::{params, Connection};

const BIG_EVENTS: i64 = 1_000_000;
const SMALL_EVENTS: i64 = 2_000;
const NOW: i64 = 1_795_745_735;
const RUNS: usize = 7;

const EVENTS: [&str; 12] = [
    "http_request",
    "login",
    "logout",
    "page_view",
    "api_call",
    "cache_miss",
    "job_start",
    "job_end",
    "payment",
    "signup",
    "search",
    "error",
];
const LEVELS: [&str; 4] = ["debug", "info", "warn", "error"];

fn db_path() -> PathBuf {
    PathBuf::from("/var/tmp/aepipe-bench-sql/events.db")
}

fn build(path: &PathBuf) -> rusqlite::Result<()> {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let _ = std::fs::remove_file(path);
    let mut conn = Connection::open(path)?;
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;")?;
    conn.execute_batch(&aepipe::server::store::schema::create_statements())?;
    let tx = conn.transaction()?;
    {
        let mut insert = tx.prepare(
            "INSERT INTO events (timestamp, _sample_interval, index1, blob1, blob2, blob3, blob4, blob6, double1, double2)
             VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            // xorshift: a repeatable spread without a dependency.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for (tenant, n) in [
            (("big", "main"), BIG_EVENTS),
            (("small", "app"), SMALL_EVENTS),
        ] {
            let key = format!("{}/{}", tenant.0, tenant.1);
            for i in 0..n {
                let r = next();
                let ts = NOW - 86_400 + (i * 86_400) / n;
                let event = EVENTS[(r % EVENTS.len() as u64) as usize];
                let level = LEVELS[((r >> 8) % LEVELS.len() as u64) as usize];
                let path = format!("/api/v1/item/{}", (r >> 16) % 500);
                let latency = ((r >> 24) % 2_000) as f64 / 3.0;
                let size = ((r >> 32) % 100_000) as f64;
                insert.execute(params![
                    ts, key, tenant.0, tenant.1, event, level, path, latency, size
                ])?;
            }
        }
    }
    tx.commit()?;
    conn.execute_batch("ANALYZE;")?;
    Ok(())
}

fn ready(path: &PathBuf) -> bool {
    let Ok(conn) = Connection::open(path) else {
        return false;
    };
    conn.query_row(
        "SELECT count(*) FROM events WHERE index1 = 'big/main'",
        [],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n == BIG_EVENTS)
    .unwrap_or(false)
}

fn time(conn: &Connection, scope: Scope<'_>, sql: &str) -> (Vec<Duration>, String) {
    let mut times = Vec::with_capacity(RUNS);
    let mut last = String::new();
    // One warm-up run fills SQLite's page cache.
    let _ = run_query(conn, scope, sql, NOW);
    for _ in 0..RUNS {
        let start = Instant::now();
        match run_query(conn, scope, sql, NOW) {
            Ok(text) => last = text,
            Err(e) => {
                eprintln!("query failed: {e}\n  {sql}");
                std::process::exit(1);
            }
        }
        times.push(start.elapsed());
    }
    times.sort();
    (times, last)
}

fn main() {
    // `cargo test --benches` runs bench binaries with --test-ish args; only
    // `cargo bench` (which passes --bench) does the work.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let path = db_path();
    if !ready(&path) {
        let start = Instant::now();
        if let Err(e) = build(&path) {
            eprintln!("building {}: {e}", path.display());
            std::process::exit(1);
        }
        println!(
            "built {} events in {:.1?} at {}",
            BIG_EVENTS + SMALL_EVENTS,
            start.elapsed(),
            path.display()
        );
    }
    let conn = match Connection::open(&path) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("opening {}: {e}", path.display());
            std::process::exit(1);
        }
    };
    // The server's reader connections use these (src/server/store).
    if let Err(e) = conn.execute_batch("PRAGMA query_only = 1; PRAGMA cache_size = -16384;") {
        eprintln!("pragmas: {e}");
        std::process::exit(1);
    }
    if let Err(e) = register_functions(&conn) {
        eprintln!("registering functions: {e}");
        std::process::exit(1);
    }
    let big = Scope {
        project: "big",
        logstore: "main",
    };
    let small = Scope {
        project: "small",
        logstore: "app",
    };
    let cases: [(&str, Scope<'_>, &str, u128); 7] = [
        (
            "group by event, count() (1M rows)",
            big,
            "SELECT blob3 AS event, count() AS cnt FROM aepipe GROUP BY event ORDER BY cnt DESC",
            300,
        ),
        (
            "24h toStartOfInterval 5-minute buckets (1M rows)",
            big,
            "SELECT toStartOfInterval(timestamp, INTERVAL '5' MINUTE) AS t, count() AS c FROM aepipe \
             WHERE timestamp > now() - INTERVAL '1' DAY GROUP BY t ORDER BY t",
            300,
        ),
        (
            "small tenant: group by event (2k rows)",
            small,
            "SELECT blob3 AS event, count() AS cnt FROM aepipe GROUP BY event ORDER BY cnt DESC",
            20,
        ),
        (
            "small tenant: 24h buckets (2k rows)",
            small,
            "SELECT toStartOfInterval(timestamp, INTERVAL '1' HOUR) AS t, count() AS c FROM aepipe \
             WHERE timestamp > now() - INTERVAL '1' DAY GROUP BY t ORDER BY t",
            20,
        ),
        (
            "last hour by event (1M rows, ~42k in the hour)",
            big,
            "SELECT blob3 AS event, count() AS cnt FROM aepipe WHERE timestamp > now() - INTERVAL 1 HOUR \
             GROUP BY event ORDER BY cnt DESC",
            0,
        ),
        (
            "newest 100 events (1M rows)",
            big,
            "SELECT timestamp, blob3, blob4, double1 FROM aepipe ORDER BY timestamp DESC LIMIT 100",
            0,
        ),
        (
            "level = 'error' by event, avg latency (1M rows)",
            big,
            "SELECT blob3 AS event, count() AS c, avg(double1) AS latency FROM aepipe \
             WHERE blob4 = 'error' GROUP BY event ORDER BY c DESC LIMIT 5",
            0,
        ),
    ];
    println!(
        "{:<50} {:>9} {:>9} {:>9}  target",
        "query", "min ms", "median", "max"
    );
    for (name, scope, sql, target) in cases {
        let (times, answer) = time(&conn, scope, sql);
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let median = times[times.len() / 2];
        let verdict = match target {
            0 => "-".to_string(),
            t if median.as_millis() <= t => format!("≤ {t} ms ok"),
            t => format!("≤ {t} ms MISSED"),
        };
        println!(
            "{name:<50} {:>9.1} {:>9.1} {:>9.1}  {verdict}",
            ms(times[0]),
            ms(median),
            ms(times[times.len() - 1])
        );
        let rows = serde_json::from_str::<serde_json::Value>(&answer)
            .map(|v| v["rows"].clone())
            .unwrap_or_default();
        println!("{:<50} rows={rows}", "");
    }
}
