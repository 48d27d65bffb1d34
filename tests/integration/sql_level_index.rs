//! Filters on the rarer levels read the partial level index
//! (src/server/sql/index_hint.rs, src/server/store/schema.rs LEVEL_INDEX),
//! filters on debug and info the table: both answer what is worked out by
//! hand from the points written, for one tenant only, with and without a
//! time range, in the plain and the realistic (visibility) path.

use aepipe::server::sql::run_query_visible;
use aepipe::server::store::{write_points, NewPoint, RowShape};
use rusqlite::Connection;
use serde_json::{json, Value};

use crate::sql_support::{self, NOW, TENANT};

const LEVELS: [&str; 5] = ["debug", "info", "warn", "error", "fatal"];

/// One point of the tenant as written: level, seconds, double1, weight.
struct Written {
    level: &'static str,
    ts: i64,
    value: f64,
    weight: i64,
}

/// 3,000 points of the tenant (shop/web) and 3,000 of another (shop/admin)
/// with the same levels and larger values, so a leak shows in every answer.
fn level_db() -> (Connection, Vec<Written>) {
    let conn = sql_support::db();
    // The fixture's own rows are not part of what this test works out.
    conn.execute_batch("DELETE FROM events; DELETE FROM rollup_minutes;")
        .expect("empty the fixture");
    let mut next = sql_support::xorshift(0x9E37_79B9_7F4A_7C15);
    let mut own = Vec::new();
    for i in 0..6_000 {
        let r = next();
        let logstore = if i % 2 == 0 { "web" } else { "admin" };
        let level = LEVELS[(r % 5) as usize];
        let ts = NOW - (r >> 8) as i64 % (3 * 3600);
        // Values repeat (ties in the quantile) and differ in their weights.
        let value = ((r >> 24) % 500) as f64 / 4.0 + if logstore == "admin" { 1e6 } else { 0.0 };
        let weight = [1, 1, 2, 5][((r >> 40) % 4) as usize];
        let point = NewPoint {
            event: "request".into(),
            level: level.into(),
            blobs: vec![],
            doubles: vec![value],
            payload: None,
            raw: "{}".into(),
            shape: RowShape {
                sample_interval: weight,
                event_delay_ms: 0,
                raw_delay_ms: None,
            },
        };
        write_points(&conn, "shop", logstore, &[point], ts * 1000).expect("write");
        if logstore == "web" {
            own.push(Written {
                level,
                ts,
                value,
                weight,
            });
        }
    }
    (conn, own)
}

/// ClickHouse's quantileExactWeighted: the first value, in ascending order,
/// whose running weight reaches ceil(level × total weight).
fn weighted_quantile(points: &[(f64, i64)], level: f64) -> f64 {
    let mut sorted = points.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: i64 = sorted.iter().map(|p| p.1).sum();
    let threshold = (level * total as f64).ceil() as i64;
    let mut running = 0;
    for (x, w) in &sorted {
        running += w;
        if running >= threshold {
            return *x;
        }
    }
    sorted.last().map_or(f64::NAN, |p| p.0)
}

fn answer(conn: &Connection, sql: &str, realistic: bool) -> Value {
    let visible = realistic.then_some(i64::MAX);
    let text = run_query_visible(conn, TENANT, sql, NOW, visible)
        .unwrap_or_else(|e| panic!("{sql} failed: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{sql}: not JSON ({e}): {text}"))
}

#[test]
fn level_filters_answer_what_was_written_for_the_tenant_alone() {
    let (conn, own) = level_db();
    for level in LEVELS {
        for since in [None, Some(3600)] {
            let chosen: Vec<&Written> = own
                .iter()
                .filter(|w| w.level == level && since.is_none_or(|s| w.ts > NOW - s))
                .collect();
            let points: Vec<(f64, i64)> = chosen.iter().map(|w| (w.value, w.weight)).collect();
            let time = since.map_or(String::new(), |s| format!(" AND timestamp > now() - {s}"));
            let sql = format!(
                "SELECT count() AS c, SUM(_sample_interval) AS n, max(double1) AS hi, \
                 quantileExactWeighted(0.95)(double1, _sample_interval) AS p95, \
                 quantileExactWeighted(0.5)(double1, _sample_interval) AS p50 \
                 FROM aepipe WHERE blob4 = '{level}'{time}"
            );
            let count = json!(chosen.len().to_string());
            let weights = json!(points.iter().map(|p| p.1).sum::<i64>().to_string());
            let max = points.iter().map(|p| p.0).fold(f64::MIN, f64::max);
            let (p95, p50) = (
                weighted_quantile(&points, 0.95),
                weighted_quantile(&points, 0.5),
            );
            assert!(chosen.len() > 100, "too few {level} points to test");
            for realistic in [false, true] {
                let got = answer(&conn, &sql, realistic);
                let row = &got["data"][0];
                let float = |k: &str| row[k].as_f64();
                assert!(
                    row["c"] == count
                        && row["n"] == weights
                        && float("hi") == Some(max)
                        && float("p95") == Some(p95)
                        && float("p50") == Some(p50),
                    "{sql} (realistic: {realistic}): got {row}, want c={count} n={weights} \
                     hi={max} p95={p95} p50={p50}"
                );
            }
        }
    }
}

#[test]
fn the_newest_rows_of_a_level_come_in_time_order() {
    let (conn, own) = level_db();
    let mut errors: Vec<i64> = own
        .iter()
        .filter(|w| w.level == "fatal" || w.level == "warn")
        .map(|w| w.ts)
        .collect();
    errors.sort_unstable_by(|a, b| b.cmp(a));
    let sql = "SELECT toUnixTimestamp(timestamp) AS t FROM aepipe \
               WHERE blob4 IN ('warn', 'fatal') ORDER BY t DESC LIMIT 25";
    let got: Vec<i64> = answer(&conn, sql, false)["data"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            r["t"]
                .as_i64()
                .or_else(|| r["t"].as_str()?.parse().ok())
                .expect("t")
        })
        .collect();
    assert_eq!(got, errors[..25].to_vec(), "{sql}");
}
