//! Per-minute rollups of the events, kept on write: for each tenant, minute,
//! event (blob3) and level (blob4) the row count, the sum of
//! `_sample_interval`, and the sum, minimum and maximum of every double. The
//! SQL planner (src/server/sql/rollup_plan.rs) answers bucketed aggregates
//! from it instead of reading every event.
//!
//! The writer keeps it: `insert_point` and `write_points` add each stored
//! event ([`Pending`]), retention, the only delete, rebuilds the minutes it
//! touched ([`after_purge`]), and a database from before the rollup is
//! filled once on open ([`backfill`]). Events are never updated in place;
//! whoever writes the events table directly (benchmarks, test fixtures)
//! calls [`backfill`] after. Triggers did this for every writer at once, but
//! cost the writer about three times its time per point.
//!
//! Sums of doubles are added in write order, so they may differ from a sum
//! over the raw rows in the last bits, as ClickHouse's own parallel sums do.

use std::collections::HashMap;
use std::sync::OnceLock;

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection};

use super::StoreError;
use crate::limits::MAX_DOUBLES;

/// The rollup table.
pub const TABLE: &str = "rollup_minutes";

/// Seconds per rollup row.
pub const MINUTE: i64 = 60;

/// Column of the sum of double `k` (1-based) in [`TABLE`].
pub fn sum_column(k: usize) -> String {
    format!("s{k}")
}

/// Column of the minimum of double `k` (1-based).
pub fn min_column(k: usize) -> String {
    format!("lo{k}")
}

/// Column of the maximum of double `k` (1-based).
pub fn max_column(k: usize) -> String {
    format!("hi{k}")
}

/// `ts` floored to its minute (right before 1970 too).
fn minute_of(ts: &str) -> String {
    format!("({ts} - ((({ts}) % {MINUTE}) + {MINUTE}) % {MINUTE})")
}

fn doubles() -> std::ops::RangeInclusive<usize> {
    1..=MAX_DOUBLES
}

/// The table; idempotent. Part of `schema::create_statements`.
pub fn create_statements() -> String {
    let columns: String = doubles()
        .map(|k| {
            format!(
                ",\n    {} REAL, {} REAL, {} REAL",
                sum_column(k),
                min_column(k),
                max_column(k)
            )
        })
        .collect();
    format!(
        "
-- Per-minute rollup of events (src/server/store/rollup.rs). Early builds of
-- it used triggers; the writer keeps it now.
DROP TRIGGER IF EXISTS events_rollup;
DROP TRIGGER IF EXISTS events_rollup_update;
CREATE TABLE IF NOT EXISTS {TABLE} (
    index1 TEXT NOT NULL,
    minute INTEGER NOT NULL,
    blob3 TEXT NOT NULL,
    blob4 TEXT NOT NULL,
    n INTEGER NOT NULL,
    si INTEGER NOT NULL{columns},
    PRIMARY KEY (index1, minute, blob3, blob4)
) WITHOUT ROWID;
"
    )
}

/// The upsert adding a batch's partial row to its rollup row.
fn upsert_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        let marks = vec!["?"; 6 + 3 * MAX_DOUBLES].join(",");
        let doubles: String = doubles()
            .map(|k| {
                let (s, lo, hi) = (sum_column(k), min_column(k), max_column(k));
                format!(
                    ", {s} = {s} + excluded.{s}, {lo} = min({lo}, excluded.{lo}), {hi} = max({hi}, excluded.{hi})"
                )
            })
            .collect();
        format!(
            "INSERT INTO {TABLE} VALUES ({marks}) ON CONFLICT DO UPDATE SET \
             n = n + excluded.n, si = si + excluded.si{doubles}"
        )
    })
}

/// One rollup row's partial values: (sum, min, max) of each double.
#[derive(Debug, Clone)]
struct Partial {
    n: i64,
    si: i64,
    doubles: [(f64, f64, f64); MAX_DOUBLES],
}

/// The rollup rows of one tenant's events written in one transaction, added
/// up in memory and written once per (minute, event, level): a batch of
/// points usually shares a handful of keys, so the writer pays a few upserts
/// per batch instead of one per point. Keys borrow from the points, so
/// counting a point allocates nothing.
#[derive(Debug)]
pub struct Pending<'a> {
    index1: &'a str,
    rows: HashMap<(i64, &'a str, &'a str), Partial>,
}

impl<'a> Pending<'a> {
    /// Nothing counted yet for the tenant `index1`.
    pub fn new(index1: &'a str) -> Self {
        Self {
            index1,
            rows: HashMap::new(),
        }
    }

    /// Count one stored event; doubles past the given ones are 0, as stored.
    pub fn add(
        &mut self,
        timestamp: i64,
        (event, level): (&'a str, &'a str),
        sample_interval: i64,
        doubles: &[f64],
    ) {
        let minute = timestamp - timestamp.rem_euclid(MINUTE);
        let value = |k: usize| doubles.get(k).copied().unwrap_or(0.0);
        let p = self
            .rows
            .entry((minute, event, level))
            .or_insert_with(|| Partial {
                n: 0,
                si: 0,
                doubles: std::array::from_fn(|k| (0.0, value(k), value(k))),
            });
        p.n += 1;
        p.si = p.si.saturating_add(sample_interval);
        for (k, (s, lo, hi)) in p.doubles.iter_mut().enumerate() {
            let v = value(k);
            *s += v;
            *lo = lo.min(v);
            *hi = hi.max(v);
        }
    }

    /// Write the rows into the rollup, inside the caller's transaction.
    pub fn flush(self, conn: &Connection) -> Result<(), StoreError> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let mut upsert = conn.prepare_cached(upsert_sql())?;
        for ((minute, event, level), p) in self.rows {
            let mut values: Vec<Value> = Vec::with_capacity(6 + 3 * MAX_DOUBLES);
            values.extend([
                Value::Text(self.index1.to_string()),
                Value::Integer(minute),
                Value::Text(event.to_string()),
                Value::Text(level.to_string()),
                Value::Integer(p.n),
                Value::Integer(p.si),
            ]);
            for (s, lo, hi) in p.doubles {
                values.extend([Value::Real(s), Value::Real(lo), Value::Real(hi)]);
            }
            upsert.execute(params_from_iter(values))?;
        }
        Ok(())
    }
}

/// The rollup rows of `index1`'s events with `from <= timestamp < to`, as an
/// INSERT … SELECT (parameters: index1, from, to).
fn rebuild_sql() -> String {
    let aggregates: String = doubles()
        .map(|k| format!(", TOTAL(double{k}), MIN(double{k}), MAX(double{k})"))
        .collect();
    format!(
        "INSERT INTO {TABLE} SELECT index1, {} AS m, blob3, blob4, COUNT(*), SUM(_sample_interval){aggregates}
         FROM events WHERE index1 = ?1 AND timestamp >= ?2 AND timestamp < ?3
         GROUP BY m, blob3, blob4",
        minute_of("timestamp")
    )
}

/// Whether the rollup table exists (a database from before it has none).
pub fn exists(conn: &Connection) -> Result<bool, StoreError> {
    Ok(conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
        params![TABLE],
        |r| r.get::<_, i64>(0),
    )? == 1)
}

/// Fill the rollup from every stored event: for a database whose events
/// predate the table. Runs inside the caller's transaction.
pub fn backfill(conn: &Connection) -> Result<(), StoreError> {
    conn.execute(&format!("DELETE FROM {TABLE}"), [])?;
    let mut tenants = conn.prepare("SELECT DISTINCT index1 FROM events")?;
    let tenants = tenants
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut insert = conn.prepare(&rebuild_sql())?;
    for index1 in tenants {
        insert.execute(params![index1, i64::MIN, i64::MAX])?;
    }
    Ok(())
}

/// After retention deleted `index1`'s oldest events (in timestamp order):
/// minutes before the oldest event left are empty, and that event's minute
/// may have lost some of its events, so it is rebuilt from the events.
pub fn after_purge(conn: &Connection, index1: &str) -> Result<(), StoreError> {
    let oldest: Option<i64> = conn
        .prepare_cached("SELECT MIN(timestamp) FROM events WHERE index1 = ?1")?
        .query_row(params![index1], |r| r.get(0))?;
    let Some(oldest) = oldest else {
        conn.prepare_cached(&format!("DELETE FROM {TABLE} WHERE index1 = ?1"))?
            .execute(params![index1])?;
        return Ok(());
    };
    let minute = oldest - oldest.rem_euclid(MINUTE);
    conn.prepare_cached(&format!(
        "DELETE FROM {TABLE} WHERE index1 = ?1 AND minute <= ?2"
    ))?
    .execute(params![index1, minute])?;
    conn.prepare_cached(&rebuild_sql())?
        .execute(params![index1, minute, minute + MINUTE])?;
    Ok(())
}
