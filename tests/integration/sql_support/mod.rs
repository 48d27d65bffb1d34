//! Helpers of the SQL dialect tests: an in-memory store with the real schema,
//! the real `register_functions`, and a small fixed dataset in three tenants.
#![allow(dead_code)]

use aepipe::server::sql::{register_functions, run_query, Scope, SqlError};
use rusqlite::{params, Connection};
use serde_json::Value;

/// A repeatable stream of pseudo-random numbers from `seed` (xorshift), for
/// generated datasets without a dependency.
pub fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

/// 2026-11-27 02:15:35 UTC (a Friday): `now()` of every test query.
pub const NOW: i64 = 1_795_745_735;

pub const TENANT: Scope<'static> = Scope {
    project: "shop",
    logstore: "web",
};

/// One fixture event: (seconds before NOW, event, level, blob6, double1, double2, sample interval).
type Row = (i64, &'static str, &'static str, &'static str, f64, f64, i64);

/// The tenant under test, `shop/web`.
pub const WEB_ROWS: [Row; 6] = [
    (
        25 * 3600,
        "http_request",
        "info",
        "/api/users",
        120.5,
        200.0,
        1,
    ),
    (3600, "http_request", "info", "/api/users", 80.0, 200.0, 1),
    (
        1800,
        "http_request",
        "error",
        "/api/orders",
        300.0,
        500.0,
        2,
    ),
    (600, "login", "info", "héllo wörld", 0.0, 0.0, 1),
    (60, "http_request", "warn", "/api/orders", 50.25, 404.0, 1),
    (5, "Zebra", "debug", "", 1.0, 0.0, 1),
];

/// Other tenants, whose rows no query of `shop/web` may ever see.
pub const SECRET_ROWS: [(&str, &str, Row); 3] = [
    (
        "shop",
        "admin",
        (100, "secret_event", "info", "TOP SECRET", 999.0, 1.0, 1),
    ),
    (
        "shop",
        "admin",
        (200, "secret_event", "error", "TOP SECRET", 999.0, 1.0, 1),
    ),
    (
        "other",
        "web",
        (300, "http_request", "info", "TOP SECRET", 999.0, 1.0, 1),
    ),
];

pub fn insert(conn: &Connection, project: &str, logstore: &str, row: &Row) {
    let (ago, event, level, b6, d1, d2, si) = *row;
    conn.execute(
        "INSERT INTO events (timestamp, _sample_interval, index1, blob1, blob2, blob3, blob4, blob6, double1, double2)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![NOW - ago, si, format!("{project}/{logstore}"), project, logstore, event, level, b6, d1, d2],
    )
    .expect("insert fixture row");
}

/// A fresh in-memory store with the fixture.
pub fn db() -> Connection {
    let conn = Connection::open_in_memory().expect("in-memory db");
    conn.execute_batch(&aepipe::server::store::schema::create_statements())
        .expect("schema");
    register_functions(&conn).expect("functions");
    for row in &WEB_ROWS {
        insert(&conn, "shop", "web", row);
    }
    for (p, l, row) in &SECRET_ROWS {
        insert(&conn, p, l, row);
    }
    // Rows written straight into the table: fill the per-minute rollup the
    // server's writer would have kept.
    aepipe::server::store::rollup::backfill(&conn).expect("rollup");
    conn
}

pub fn run(conn: &Connection, sql: &str) -> Result<Value, SqlError> {
    let text = run_query(conn, TENANT, sql, NOW)?;
    Ok(serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("answer of {sql} is not JSON ({e}): {text}")))
}

/// The answer of a query that must succeed.
pub fn ok(conn: &Connection, sql: &str) -> Value {
    run(conn, sql).unwrap_or_else(|e| panic!("{sql} failed: {e}"))
}

/// The message of a query that must fail.
pub fn fail(conn: &Connection, sql: &str) -> String {
    match run(conn, sql) {
        Ok(v) => panic!("{sql} should have failed, answered {v}"),
        Err(e) => e.message,
    }
}

/// `meta` as (name, type) pairs.
pub fn meta(v: &Value) -> Vec<(String, String)> {
    v["meta"]
        .as_array()
        .map(|m| {
            m.iter()
                .map(|c| {
                    (
                        c["name"].as_str().unwrap_or_default().to_string(),
                        c["type"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The single row of an answer.
pub fn row(v: &Value) -> &Value {
    assert_eq!(v["rows"], 1, "expected one row: {v}");
    &v["data"][0]
}

/// One column of every row.
pub fn column(v: &Value, name: &str) -> Vec<Value> {
    v["data"]
        .as_array()
        .map(|rows| rows.iter().map(|r| r[name].clone()).collect())
        .unwrap_or_default()
}
