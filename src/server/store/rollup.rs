//! Per-minute rollups of the events, kept on write: for each tenant, minute,
//! event (blob3) and level (blob4) the row count, the sum of
//! `_sample_interval`, and the sum, minimum and maximum of every double. The
//! SQL planner (src/server/sql/rollup_plan.rs) answers bucketed aggregates
//! from it instead of reading every event.
//!
//! Triggers keep it, so every path that inserts or updates events (requests,
//! the demo seed, benchmarks, tests) keeps it exact; retention, the only
//! delete, rebuilds the minutes it touched (see [`after_purge`]). Sums of doubles are
//! added in insertion order, so they may differ from a sum over the raw rows
//! in the last bits, as ClickHouse's own parallel sums do.

use rusqlite::{params, Connection};

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

/// Table and trigger; idempotent. Part of `schema::create_statements`.
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
    let values: String = doubles()
        .map(|k| format!(", NEW.double{k}, NEW.double{k}, NEW.double{k}"))
        .collect();
    let minute = minute_of("NEW.timestamp");
    format!(
        "
-- Per-minute rollup of events (src/server/store/rollup.rs).
CREATE TABLE IF NOT EXISTS {TABLE} (
    index1 TEXT NOT NULL,
    minute INTEGER NOT NULL,
    blob3 TEXT NOT NULL,
    blob4 TEXT NOT NULL,
    n INTEGER NOT NULL,
    si INTEGER NOT NULL{columns},
    PRIMARY KEY (index1, minute, blob3, blob4)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS events_rollup AFTER INSERT ON events BEGIN
    INSERT INTO {TABLE} VALUES (NEW.index1, {minute}, NEW.blob3, NEW.blob4, 1, NEW._sample_interval{values})
    ON CONFLICT DO UPDATE SET {upsert};
END;
{update}",
        upsert = upsert_set(),
        update = update_trigger(),
    )
}

/// The SET clause adding one event's values (`excluded`) to its row.
fn upsert_set() -> String {
    let doubles: String = doubles()
        .map(|k| {
            let (s, lo, hi) = (sum_column(k), min_column(k), max_column(k));
            format!(
                ",\n        {s} = {s} + excluded.{s}, {lo} = min({lo}, excluded.{lo}), {hi} = max({hi}, excluded.{hi})"
            )
        })
        .collect();
    format!("n = n + 1, si = si + excluded.si{doubles}")
}

/// Keeps the rollup exact when an event is changed in place (tests and
/// tools do; the server never does). The new values join their row first;
/// then the old ones leave theirs, and a row that lost its minimum or
/// maximum (or its last event) is rebuilt from its events, which by now hold
/// the new values.
fn update_trigger() -> String {
    let old_minute = minute_of("OLD.timestamp");
    let new_minute = minute_of("NEW.timestamp");
    let old_key = format!(
        "index1 = OLD.index1 AND minute = {old_minute} AND blob3 = OLD.blob3 AND blob4 = OLD.blob4"
    );
    let columns: Vec<String> = doubles().map(|k| format!("double{k}")).collect();
    let new_values: String = doubles()
        .map(|k| format!(", NEW.double{k}, NEW.double{k}, NEW.double{k}"))
        .collect();
    let decrements: String = doubles()
        .map(|k| format!(", {s} = {s} - OLD.double{k}", s = sum_column(k)))
        .collect();
    let extreme_left: Vec<String> = doubles()
        .map(|k| {
            let (lo, hi) = (min_column(k), max_column(k));
            format!("(OLD.double{k} IN ({lo}, {hi}) AND {lo} < {hi})")
        })
        .collect();
    let aggregates: String = doubles()
        .map(|k| format!(", TOTAL(double{k}), MIN(double{k}), MAX(double{k})"))
        .collect();
    format!(
        "
CREATE TRIGGER IF NOT EXISTS events_rollup_update
AFTER UPDATE OF timestamp, _sample_interval, index1, blob3, blob4, {columns} ON events BEGIN
    INSERT INTO {TABLE} VALUES (NEW.index1, {new_minute}, NEW.blob3, NEW.blob4, 1, NEW._sample_interval{new_values})
    ON CONFLICT DO UPDATE SET {upsert};
    UPDATE {TABLE} SET n = n - 1, si = si - OLD._sample_interval{decrements} WHERE {old_key};
    DELETE FROM {TABLE} WHERE {old_key} AND (n = 0 OR {extreme_left});
    INSERT INTO {TABLE} SELECT index1, {minute} AS m, blob3, blob4, COUNT(*), SUM(_sample_interval){aggregates}
    FROM events WHERE index1 = OLD.index1 AND timestamp >= {old_minute} AND timestamp < {old_minute} + {MINUTE}
        AND blob3 = OLD.blob3 AND blob4 = OLD.blob4
        AND NOT EXISTS (SELECT 1 FROM {TABLE} WHERE {old_key})
    GROUP BY m, blob3, blob4;
END;
",
        columns = columns.join(", "),
        upsert = upsert_set(),
        extreme_left = extreme_left.join(" OR "),
        minute = minute_of("timestamp"),
    )
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
