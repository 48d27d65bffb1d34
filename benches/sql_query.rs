//! Speed of the AE SQL dialect on SQLite through `run_query`, side by side
//! with plain SQLite on the same rows (issue 11 targets): 1,000,000 events in
//! one tenant, all within the last 24 hours. "plain" is a copy of the rows in
//! a table with only a tenant index, queried with hand-written SQLite SQL
//! that computes the same answer; the ratio ours / plain is the figure that
//! survives a loaded machine.
//!
//! Run: `cargo bench --bench sql_query`. The databases are built once under
//! /var/tmp/aepipe-bench-sql (bulk insert in one transaction) and reused.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use aepipe::server::sql::{register_functions, run_query, Scope};
use aepipe::server::store::schema::PAGE_SIZE;
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

fn plain_path() -> PathBuf {
    PathBuf::from("/var/tmp/aepipe-bench-sql/plain.db")
}

/// The same rows in a table with only a tenant index, for the comparison.
fn build_plain(events: &std::path::Path, plain: &std::path::Path) -> rusqlite::Result<()> {
    let _ = std::fs::remove_file(plain);
    let conn = Connection::open(plain)?;
    conn.pragma_update(None, "page_size", PAGE_SIZE)?;
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;")?;
    conn.execute(
        "ATTACH DATABASE ?1 AS src",
        params![events.to_string_lossy()],
    )?;
    conn.execute_batch(
        "CREATE TABLE events AS SELECT * FROM src.events;
         CREATE INDEX events_tenant ON events(index1);
         DETACH DATABASE src;
         ANALYZE;",
    )
}

fn build(path: &PathBuf) -> rusqlite::Result<()> {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let _ = std::fs::remove_file(path);
    let mut conn = Connection::open(path)?;
    // As the server makes its database.
    conn.pragma_update(None, "page_size", PAGE_SIZE)?;
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
    // Rows written straight into the table: the server's writer would have
    // kept the per-minute rollup; fill it once.
    if let Err(e) = aepipe::server::store::rollup::backfill(&tx) {
        eprintln!("filling the rollup: {e}");
        std::process::exit(1);
    }
    tx.commit()?;
    conn.execute_batch("ANALYZE;")?;
    Ok(())
}

fn ready(path: &PathBuf) -> bool {
    let Ok(conn) = Connection::open(path) else {
        return false;
    };
    // Built with the current schema (its indexes and rollup) too.
    let current = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name IN (?1, ?2, ?3, ?4)",
            params![
                aepipe::server::store::schema::TIME_INDEX,
                aepipe::server::store::schema::EVENT_INDEX,
                aepipe::server::store::schema::LEVEL_INDEX,
                aepipe::server::store::rollup::TABLE
            ],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n == 4)
        .unwrap_or(false);
    let page_size = conn
        .query_row("PRAGMA page_size", [], |r| r.get::<_, i64>(0))
        .unwrap_or(0);
    current
        && page_size == PAGE_SIZE
        && conn
            .query_row(
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

/// Median of RUNS runs of a plain SQLite query (all rows stepped through).
fn time_plain(conn: &Connection, sql: &str) -> Duration {
    let run = || -> rusqlite::Result<usize> {
        let mut stmt = conn.prepare_cached(sql)?;
        let n = stmt.column_count();
        let mut rows = stmt.query([])?;
        let mut cells = 0;
        while let Some(row) = rows.next()? {
            for i in 0..n {
                let _ = row.get_ref(i)?;
                cells += 1;
            }
        }
        Ok(cells)
    };
    if let Err(e) = run() {
        eprintln!("plain query failed: {e}\n  {sql}");
        std::process::exit(1);
    }
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let _ = run();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn open_reader(path: &PathBuf) -> Connection {
    let conn = match Connection::open(path) {
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
    conn
}

/// One comparison: our dialect through run_query, and plain SQLite SQL
/// computing the same answer; `target` in ms for ours (0: none).
struct Case {
    name: &'static str,
    big: bool,
    ours: &'static str,
    plain: &'static str,
    target: u128,
}

const CASES: &[Case] = &[
    Case {
        name: "GROUP BY blob3, count()",
        big: true,
        ours: "SELECT blob3 AS event, count() AS cnt FROM aepipe GROUP BY event ORDER BY cnt DESC",
        plain: "SELECT blob3, count(*) AS c FROM events WHERE index1 = 'big/main' GROUP BY blob3 ORDER BY c DESC",
        target: 60,
    },
    Case {
        name: "hourly buckets, count() + avg(double1)",
        big: true,
        ours: "SELECT toStartOfInterval(timestamp, INTERVAL '1' HOUR) AS t, count() AS c, avg(double1) AS a \
               FROM aepipe WHERE timestamp > now() - INTERVAL '1' DAY GROUP BY t ORDER BY t",
        plain: "SELECT timestamp / 3600 * 3600 AS t, count(*), avg(double1) FROM events \
                WHERE index1 = 'big/main' AND timestamp > 1795659335 GROUP BY t ORDER BY t",
        target: 150,
    },
    Case {
        name: "5-min buckets, count/sum/min/max/SUM(_si)",
        big: true,
        ours: "SELECT toStartOfInterval(timestamp, INTERVAL '5' MINUTE) AS t, count() AS c, sum(double2) AS s, \
               min(double1) AS lo, max(double1) AS hi, SUM(_sample_interval) AS n \
               FROM aepipe WHERE timestamp > now() - INTERVAL '1' DAY GROUP BY t ORDER BY t",
        plain: "SELECT timestamp / 300 * 300 AS t, count(*), total(double2), min(double1), max(double1), \
                sum(_sample_interval) FROM events WHERE index1 = 'big/main' AND timestamp > 1795659335 \
                GROUP BY t ORDER BY t",
        target: 150,
    },
    Case {
        name: "events per minute, last hour (snippet)",
        big: true,
        ours: "SELECT toStartOfInterval(timestamp, INTERVAL '1' MINUTE) AS minute, SUM(_sample_interval) AS events \
               FROM aepipe WHERE timestamp > NOW() - INTERVAL '1' HOUR GROUP BY minute ORDER BY minute",
        plain: "SELECT timestamp / 60 * 60 AS t, sum(_sample_interval) FROM events \
                WHERE index1 = 'big/main' AND timestamp > 1795742135 GROUP BY t ORDER BY t",
        target: 150,
    },
    Case {
        name: "blob4 = 'error': quantileExactWeighted(0.95)",
        big: true,
        ours: "SELECT quantileExactWeighted(0.95)(double1, _sample_interval) AS p95 FROM aepipe WHERE blob4 = 'error'",
        plain: "SELECT double1 FROM events WHERE index1 = 'big/main' AND blob4 = 'error' ORDER BY double1 \
                LIMIT 1 OFFSET (SELECT CAST(count(*) * 0.95 AS INTEGER) FROM events \
                WHERE index1 = 'big/main' AND blob4 = 'error')",
        target: 150,
    },
    Case {
        name: "blob4 = 'error' by event, count + avg",
        big: true,
        ours: "SELECT blob3 AS event, count() AS c, avg(double1) AS latency FROM aepipe \
               WHERE blob4 = 'error' GROUP BY event ORDER BY c DESC LIMIT 5",
        plain: "SELECT blob3, count(*) AS c, avg(double1) FROM events WHERE index1 = 'big/main' \
                AND blob4 = 'error' GROUP BY blob3 ORDER BY c DESC LIMIT 5",
        target: 150,
    },
    Case {
        name: "blob3 = 'login': count + max(double1)",
        big: true,
        ours: "SELECT count() AS c, max(double1) AS m FROM aepipe WHERE blob3 = 'login'",
        plain: "SELECT count(*), max(double1) FROM events WHERE index1 = 'big/main' AND blob3 = 'login'",
        target: 150,
    },
    Case {
        name: "blob6 = one path: count + avg(double2)",
        big: true,
        ours: "SELECT count() AS c, avg(double2) AS a FROM aepipe WHERE blob6 = '/api/v1/item/7'",
        plain: "SELECT count(*), avg(double2) FROM events WHERE index1 = 'big/main' AND blob6 = '/api/v1/item/7'",
        target: 150,
    },
    Case {
        name: "last day by event, avg/max (snippet)",
        big: true,
        ours: "SELECT blob3 AS event, round(avg(double1), 2) AS avg_double1, max(double1) AS max_double1, \
               SUM(_sample_interval) AS events FROM aepipe WHERE timestamp > NOW() - INTERVAL '1' DAY \
               GROUP BY event ORDER BY events DESC LIMIT 20",
        plain: "SELECT blob3, round(avg(double1), 2), max(double1), sum(_sample_interval) AS n FROM events \
                WHERE index1 = 'big/main' AND timestamp > 1795659335 GROUP BY blob3 ORDER BY n DESC LIMIT 20",
        target: 0,
    },
    Case {
        name: "newest 100 events",
        big: true,
        ours: "SELECT timestamp, blob3, blob4, double1 FROM aepipe ORDER BY timestamp DESC LIMIT 100",
        plain: "SELECT timestamp, blob3, blob4, double1 FROM events WHERE index1 = 'big/main' \
                ORDER BY timestamp DESC LIMIT 100",
        target: 0,
    },
    Case {
        name: "100,000 rows x 25 columns",
        big: true,
        ours: "SELECT timestamp, blob1, blob2, blob3, blob4, blob5, blob6, blob7, blob8, blob9, blob10, \
               blob11, blob12, blob13, blob14, blob15, blob16, blob17, blob18, blob19, blob20, \
               double1, double2, double3, double4 FROM aepipe LIMIT 100000",
        plain: "SELECT timestamp, blob1, blob2, blob3, blob4, blob5, blob6, blob7, blob8, blob9, blob10, \
                blob11, blob12, blob13, blob14, blob15, blob16, blob17, blob18, blob19, blob20, \
                double1, double2, double3, double4 FROM events WHERE index1 = 'big/main' LIMIT 100000",
        target: 350,
    },
    Case {
        name: "small tenant: count() (2k rows)",
        big: false,
        ours: "SELECT count() AS n FROM aepipe",
        plain: "SELECT count(*) FROM events WHERE index1 = 'small/app'",
        target: 2,
    },
    Case {
        name: "small tenant: 24h buckets (2k rows)",
        big: false,
        ours: "SELECT toStartOfInterval(timestamp, INTERVAL '1' HOUR) AS t, count() AS c FROM aepipe \
               WHERE timestamp > now() - INTERVAL '1' DAY GROUP BY t ORDER BY t",
        plain: "SELECT timestamp / 3600 * 3600 AS t, count(*) FROM events WHERE index1 = 'small/app' \
                AND timestamp > 1795659335 GROUP BY t ORDER BY t",
        target: 2,
    },
];

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    // `cargo test --benches` runs bench binaries with --test-ish args; only
    // `cargo bench` (which passes --bench) does the work.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let path = db_path();
    let plain_db = plain_path();
    if !ready(&path) {
        let start = Instant::now();
        if let Err(e) = build(&path) {
            eprintln!("building {}: {e}", path.display());
            std::process::exit(1);
        }
        let _ = std::fs::remove_file(&plain_db);
        println!(
            "built {} events in {:.1?} at {}",
            BIG_EVENTS + SMALL_EVENTS,
            start.elapsed(),
            path.display()
        );
    }
    if !plain_db.exists() {
        if let Err(e) = build_plain(&path, &plain_db) {
            eprintln!("building {}: {e}", plain_db.display());
            std::process::exit(1);
        }
    }
    let conn = open_reader(&path);
    let plain = open_reader(&plain_db);
    let big = Scope {
        project: "big",
        logstore: "main",
    };
    let small = Scope {
        project: "small",
        logstore: "app",
    };
    println!(
        "{:<46} {:>8} {:>8} {:>8} {:>7}  target (ours)",
        "query (medians of 7 runs)", "ours ms", "max", "plain ms", "ratio"
    );
    for case in CASES {
        let scope = if case.big { big } else { small };
        let (times, answer) = time(&conn, scope, case.ours);
        let median = times[times.len() / 2];
        let plain_median = time_plain(&plain, case.plain);
        let verdict = match case.target {
            0 => "-".to_string(),
            t if ms(median) <= t as f64 => format!("≤ {t} ms ok"),
            t => format!("≤ {t} ms MISSED"),
        };
        println!(
            "{:<46} {:>8.1} {:>8.1} {:>8.1} {:>7.2}  {verdict}",
            case.name,
            ms(median),
            ms(times[times.len() - 1]),
            ms(plain_median),
            median.as_secs_f64() / plain_median.as_secs_f64().max(1e-9),
        );
        let v = serde_json::from_str::<serde_json::Value>(&answer).unwrap_or_default();
        let shown = v["data"].to_string();
        let shown: String = shown.chars().take(110).collect();
        println!("{:<46} rows={} {shown}", "", v["rows"]);
    }
    small_tenant_during_a_big_query(&path, small);
}

/// The small tenant's count() on one reader while another reader runs the
/// big tenant's bucket query over and over (the server's pool does this).
fn small_tenant_during_a_big_query(path: &PathBuf, small: Scope<'_>) {
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let busy = {
        let stop = std::sync::Arc::clone(&stop);
        let path = path.clone();
        std::thread::spawn(move || {
            let conn = open_reader(&path);
            let big = Scope {
                project: "big",
                logstore: "main",
            };
            let mut runs = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = run_query(&conn, big, CASES[1].ours, NOW);
                runs += 1;
            }
            runs
        })
    };
    let conn = open_reader(path);
    let mut times: Vec<Duration> = (0..50)
        .map(|_| {
            let start = Instant::now();
            let _ = run_query(&conn, small, CASES[11].ours, NOW);
            let took = start.elapsed();
            std::thread::sleep(Duration::from_millis(5));
            took
        })
        .collect();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let big_runs = busy.join().unwrap_or(0);
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "{:<46} {:>8.2} {:>8.2} (p50, max of 50; {big_runs} big queries ran meanwhile)  {}",
        "small tenant count() during a big query",
        ms(median),
        ms(times[times.len() - 1]),
        if ms(median) <= 2.0 {
            "≤ 2 ms ok"
        } else {
            "≤ 2 ms MISSED"
        }
    );
}
