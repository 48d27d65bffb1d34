//! The per-minute rollup (src/server/store/rollup.rs, src/server/sql/rollup_plan.rs)
//! answers exactly what reading every event answers: each query runs once
//! normally and once in the realistic mode's visibility path, which never
//! reads the rollup, on events spread over hours at uneven seconds, with
//! sampling, and time filters that cut minutes. A second test spoils the
//! rollup to prove those queries really read it, and a third checks that
//! the writer and retention keep it right.

use aepipe::server::sql::run_query_visible;
use aepipe::server::store::{write_points, NewPoint, RowShape};
use rusqlite::Connection;
use serde_json::Value;

use crate::sql_support::{self, NOW, TENANT};

const EVENTS: [&str; 5] = ["http_request", "login", "payment", "search", "error"];
const LEVELS: [&str; 4] = ["debug", "info", "warn", "error"];

/// 6,000 events of the tenant over the last 5 hours, plus other tenants',
/// written as the server writes them (a few points per write, so rollup
/// rows are added to across writes).
fn spread_db() -> Connection {
    let conn = sql_support::db();
    let mut next = sql_support::xorshift(0x2545_F491_4F6C_DD1D);
    let mut written = 0;
    while written < 6_000 {
        let r = next();
        let logstore = if r % 10 == 9 { "admin" } else { "web" };
        let ts_ms = (NOW - (r % (5 * 3600)) as i64) * 1000 + (r >> 50) as i64 % 1000;
        let batch: Vec<NewPoint> = (0..1 + (r >> 32) % 4)
            .map(|_| {
                let r = next();
                NewPoint {
                    event: EVENTS[(r >> 8) as usize % EVENTS.len()].into(),
                    level: LEVELS[(r >> 12) as usize % LEVELS.len()].into(),
                    blobs: vec![format!("/p/{}", (r >> 16) % 7)],
                    doubles: vec![
                        ((r >> 24) % 100_000) as f64 / 7.0,
                        ((r >> 40) % 1000) as f64 - 500.0,
                    ],
                    payload: None,
                    raw: "{}".into(),
                    shape: RowShape {
                        sample_interval: [1, 1, 1, 2, 5][(r >> 20) as usize % 5],
                        event_delay_ms: 0,
                        raw_delay_ms: None,
                    },
                }
            })
            .collect();
        written += batch.len();
        write_points(&conn, "shop", logstore, &batch, ts_ms).expect("write");
    }
    conn
}

/// Queries the rollup can answer (rows in a total order: ties between
/// equal counts may come in any order, here as in ClickHouse) (bucketed or grouped by event/level, with
/// counts, sampling sums, sums, averages, minima and maxima).
const ROLLUP_QUERIES: &[&str] = &[
    "SELECT toStartOfInterval(timestamp, INTERVAL '1' HOUR) AS t, count() AS c, avg(double1) AS a \
     FROM aepipe WHERE timestamp > now() - INTERVAL '1' DAY GROUP BY t ORDER BY t",
    "SELECT toStartOfInterval(timestamp, INTERVAL '5' MINUTE) AS t, count() AS c, sum(double2) AS s, \
     min(double1) AS lo, max(double1) AS hi, SUM(_sample_interval) AS n \
     FROM aepipe WHERE timestamp > now() - INTERVAL '2' HOUR GROUP BY t ORDER BY t",
    "SELECT toStartOfInterval(timestamp, INTERVAL '1' MINUTE) AS minute, SUM(_sample_interval) AS events \
     FROM aepipe WHERE timestamp > NOW() - INTERVAL '1' HOUR GROUP BY minute ORDER BY minute",
    "SELECT blob3 AS event, SUM(_sample_interval) AS errors FROM aepipe \
     WHERE blob4 = 'error' AND timestamp > NOW() - INTERVAL '1' DAY GROUP BY event ORDER BY errors DESC, event LIMIT 20",
    "SELECT blob4 AS level, SUM(_sample_interval) AS events FROM aepipe \
     WHERE timestamp > NOW() - INTERVAL '1' DAY GROUP BY level ORDER BY events DESC, level",
    "SELECT blob3 AS event, round(avg(double1), 2) AS avg_double1, max(double1) AS max_double1, \
     SUM(_sample_interval) AS events FROM aepipe WHERE timestamp > NOW() - INTERVAL '1' DAY \
     GROUP BY event ORDER BY events DESC, event LIMIT 20",
    "SELECT blob3 AS event, count() AS cnt FROM aepipe GROUP BY event ORDER BY cnt DESC, event",
    "SELECT count() AS c, max(double1) AS m FROM aepipe WHERE blob3 = 'login'",
    "SELECT toStartOfInterval(timestamp, INTERVAL '10' MINUTE) AS t, count() AS c, sum(double1) AS s \
     FROM aepipe WHERE timestamp >= '2026-11-27 00:30:20' AND timestamp < now() - INTERVAL 7 MINUTE \
     GROUP BY t ORDER BY t",
    "SELECT toStartOfFifteenMinutes(timestamp) AS t, blob4 AS level, count() AS c, min(double2) AS lo \
     FROM aepipe GROUP BY t, level HAVING count() > 5 ORDER BY t, level",
    "SELECT avg(_sample_interval) AS a, sum(double1) AS s, count(double2) AS n FROM aepipe \
     WHERE blob4 IN ('warn', 'error') AND timestamp <= now() - INTERVAL 90 MINUTE",
    "SELECT max(c) AS most FROM (SELECT toStartOfHour(timestamp) AS t, count() AS c FROM aepipe GROUP BY t)",
    "SELECT blob3 AS e, blob4 AS l, min(double1) AS lo, max(double2) AS hi, count() AS c \
     FROM aepipe WHERE timestamp > now() - INTERVAL 3 HOUR AND blob3 != 'login' GROUP BY e, l ORDER BY e, l",
    "SELECT toDate(timestamp) AS d, toStartOfInterval(timestamp, INTERVAL 60 SECOND) AS m, count() AS c \
     FROM aepipe WHERE 1795740000 < timestamp GROUP BY d, m ORDER BY m DESC LIMIT 7",
    "SELECT count() AS c, sum(double1) AS s FROM aepipe WHERE timestamp > now() - 90",
];

/// Queries whose answer a spoiled rollup leaves alone: one that matches no
/// rollup row, and those the rollup must leave to the events.
const OTHER_QUERIES: &[&str] = &[
    "SELECT count() AS c FROM aepipe WHERE blob3 = 'nope'",
    "SELECT toStartOfInterval(timestamp, INTERVAL 30 SECOND) AS t, count() AS c FROM aepipe \
     WHERE timestamp > now() - INTERVAL 10 MINUTE GROUP BY t ORDER BY t",
    "SELECT blob6 AS p, count() AS c FROM aepipe GROUP BY p ORDER BY p",
    "SELECT count() AS c FROM aepipe WHERE timestamp BETWEEN now() - 3600 AND now()",
    "SELECT toStartOfHour(timestamp) AS t, countIf(double1 > 100) AS c FROM aepipe GROUP BY t ORDER BY t",
    "SELECT blob3 AS e, count() AS c FROM aepipe WHERE double1 > 5000 GROUP BY e ORDER BY e",
];

fn answer(conn: &Connection, sql: &str, raw: bool) -> Value {
    // The realistic mode's visibility filter never reads the rollup; with
    // every row visible it answers from the events alone.
    let visible = raw.then_some(i64::MAX);
    let text = run_query_visible(conn, TENANT, sql, NOW, visible)
        .unwrap_or_else(|e| panic!("{sql} failed: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{sql}: not JSON ({e}): {text}"))
}

/// Equal, floats up to rounding (sums added in another order).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y || (x - y).abs() <= 1e-9 * x.abs().max(y.abs()),
            _ => x == y,
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| k == "statistics" || y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

#[test]
fn rollup_answers_equal_answers_from_every_event() {
    let conn = spread_db();
    for sql in ROLLUP_QUERIES.iter().chain(OTHER_QUERIES) {
        let fast = answer(&conn, sql, false);
        let raw = answer(&conn, sql, true);
        assert!(
            fast["rows"].as_u64().is_some_and(|n| n > 0),
            "{sql}: {fast}"
        );
        assert!(same(&fast, &raw), "{sql}\n rollup: {fast}\n events: {raw}");
    }
}

#[test]
fn those_queries_read_the_rollup() {
    let conn = spread_db();
    let before: Vec<Value> = ROLLUP_QUERIES
        .iter()
        .map(|sql| answer(&conn, sql, false))
        .collect();
    // Spoil every rollup row: a query that reads it answers differently.
    conn.execute_batch(
        "UPDATE rollup_minutes SET n = n + 1000, si = si + 1000, s1 = s1 + 1e6, s2 = s2 + 1e6,
             lo1 = lo1 - 1e6, hi1 = hi1 + 1e6, lo2 = lo2 - 1e6, hi2 = hi2 + 1e6",
    )
    .expect("spoil the rollup");
    for (sql, before) in ROLLUP_QUERIES.iter().zip(&before) {
        let after = answer(&conn, sql, false);
        assert!(!same(&after, before), "{sql} did not read the rollup");
    }
    for sql in OTHER_QUERIES {
        assert!(
            same(&answer(&conn, sql, false), &answer(&conn, sql, true)),
            "{sql} read the rollup"
        );
    }
}

/// A rollup row: tenant, minute, event, level, n, si, s1 (rounded), hi1.
type RollupRow = (String, i64, String, String, i64, i64, f64, f64);

#[test]
fn the_writer_and_retention_keep_the_rollup_exact() {
    let conn = spread_db();
    let rebuilt = |conn: &Connection| -> Vec<RollupRow> {
        let mut stmt = conn
            .prepare(
                "SELECT index1, minute, blob3, blob4, n, si, round(s1, 3), hi1 FROM rollup_minutes
                 ORDER BY 1, 2, 3, 4",
            )
            .expect("read rollup");
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            })
            .expect("rows");
        rows.collect::<Result<_, _>>().expect("rollup rows")
    };
    // What the writer kept is what the events give.
    let kept = rebuilt(&conn);
    aepipe::server::store::rollup::backfill(&conn).expect("backfill");
    assert_eq!(kept, rebuilt(&conn), "the writer's rollup differs");

    // Retention with a cut-off in the middle of a minute, in chunks.
    let index = "shop/web";
    let cutoff = NOW - 3 * 3600 - 17;
    while aepipe::server::store::purge_old_events(&conn, index, cutoff).expect("purge")
        == aepipe::server::store::PURGE_CHUNK
    {}
    let kept = rebuilt(&conn);
    assert!(kept.iter().all(|r| r.0 != index || r.1 + 60 > cutoff));
    aepipe::server::store::rollup::backfill(&conn).expect("backfill");
    assert_eq!(kept, rebuilt(&conn), "retention left the rollup stale");
    for sql in ROLLUP_QUERIES {
        assert!(
            same(&answer(&conn, sql, false), &answer(&conn, sql, true)),
            "{sql}"
        );
    }
}
