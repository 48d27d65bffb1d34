//! Writes and payload reads, all on the writer connection. They run inside
//! the transaction the group committer opened (see `group_commit`), which
//! commits before any request is answered.

use std::sync::OnceLock;

use rusqlite::{params, params_from_iter, CachedStatement, Connection, ToSql};

use super::rollup::Pending;
use super::StoreError;
use crate::limits::{MAX_BLOBS, MAX_DOUBLES, PAYLOAD_PURGE_BATCH};

/// A validated data point, ready to store.
#[derive(Debug, Clone)]
pub struct NewPoint {
    pub event: String,
    pub level: String,
    /// User blobs (blob6…), at most 15.
    pub blobs: Vec<String>,
    /// double1…, at most 20.
    pub doubles: Vec<f64>,
    /// The payload object as JSON text, with its expiry.
    pub payload: Option<(String, i64)>,
    /// The raw record for Workers Logs, JSON object text.
    pub raw: String,
    pub shape: RowShape,
}

/// A validated log entry: its level and the raw record to store.
#[derive(Debug, Clone)]
pub struct NewLog {
    pub level: String,
    pub raw: String,
    /// Milliseconds after the write until `rawlog` returns it; `None`: not
    /// kept at all (Workers Logs head sampling).
    pub raw_delay_ms: Option<i64>,
}

/// How a point is stored: at once, whole and unsampled, except in the
/// server's realistic mode (`server::realism`), which imitates Cloudflare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowShape {
    /// AE's `_sample_interval`; 0: the point is not stored in AE (a sampled
    /// row elsewhere stands for it).
    pub sample_interval: i64,
    /// Milliseconds after the write until queries see the event.
    pub event_delay_ms: i64,
    /// Milliseconds after the write until `rawlog` returns the raw record;
    /// `None`: not kept (Workers Logs head sampling).
    pub raw_delay_ms: Option<i64>,
}

impl RowShape {
    /// What a plain local server does: visible at once, every point stored.
    pub const AT_ONCE: Self = Self {
        sample_interval: 1,
        event_delay_ms: 0,
        raw_delay_ms: Some(0),
    };
}

impl Default for RowShape {
    fn default() -> Self {
        Self::AT_ONCE
    }
}

/// One stored payload as `detail` answers it.
#[derive(Debug, Clone)]
pub struct DetailRow {
    pub ref_id: String,
    pub payload: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// The INSERT for a point with `blobs` user blobs and `doubles` doubles.
/// Columns it does not name take their defaults ('' and 0), so a typical
/// point binds a dozen values instead of 43. One text per shape, built once.
fn insert_event_sql(blobs: usize, doubles: usize) -> &'static str {
    const SHAPES: usize = (MAX_BLOBS + 1) * (MAX_DOUBLES + 1);
    static SQL: [OnceLock<String>; SHAPES] = [const { OnceLock::new() }; SHAPES];
    let (blobs, doubles) = (blobs.min(MAX_BLOBS), doubles.min(MAX_DOUBLES));
    SQL[blobs * (MAX_DOUBLES + 1) + doubles].get_or_init(|| {
        let mut columns = String::from(
            "timestamp,_sample_interval,visible_at,index1,blob1,blob2,blob3,blob4,blob5",
        );
        for i in 0..blobs {
            columns.push_str(&format!(",blob{}", i + 6));
        }
        for i in 0..doubles {
            columns.push_str(&format!(",double{}", i + 1));
        }
        let marks = vec!["?"; 9 + blobs + doubles].join(",");
        format!("INSERT INTO events ({columns}) VALUES ({marks})")
    })
}

/// Store `points` for a tenant at `now_ms`; returns the ref_ids given to
/// the payloads, in point order (`None` without one).
pub fn write_points(
    tx: &Connection,
    project: &str,
    logstore: &str,
    points: &[NewPoint],
    now_ms: i64,
) -> Result<Vec<Option<String>>, StoreError> {
    if points.iter().any(|p| p.payload.is_some()) {
        purge_expired_payloads(tx, now_ms)?;
    }
    let index = crate::limits::index_of(project, logstore);
    let mut rollup = Pending::new(&index);
    let mut statements = Statements::new(tx);
    let ref_ids = points
        .iter()
        .map(|point| {
            store_point(
                &mut statements,
                (project, logstore, &index),
                point,
                now_ms,
                &mut rollup,
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    drop(statements);
    rollup.flush(tx)?;
    if !points.is_empty() {
        remember_logstore(tx, project, logstore)?;
    }
    Ok(ref_ids)
}

/// Insert one point (event, payload, raw record) written at `ts_ms`, inside
/// the caller's transaction. Returns the payload's ref_id.
pub fn insert_point(
    tx: &Connection,
    project: &str,
    logstore: &str,
    point: &NewPoint,
    ts_ms: i64,
) -> Result<Option<String>, StoreError> {
    let index = crate::limits::index_of(project, logstore);
    let mut rollup = Pending::new(&index);
    let mut statements = Statements::new(tx);
    let ref_id = store_point(
        &mut statements,
        (project, logstore, &index),
        point,
        ts_ms,
        &mut rollup,
    )?;
    drop(statements);
    rollup.flush(tx)?;
    Ok(ref_id)
}

const INSERT_PAYLOAD: &str =
    "INSERT INTO payloads (ref_id, project, logstore, payload, created_at, expires_at)
     VALUES (?,?,?,?,?,?)";

const INSERT_RAW: &str = "INSERT INTO rawlogs (project, logstore, ts_ms, level, data, visible_at)
     VALUES (?,?,?,?,?,?)";

/// The insert statements of one batch, each taken from the connection's
/// statement cache once per batch rather than once per point (the cache
/// hashes and compares the SQL text on every lookup).
struct Statements<'c> {
    conn: &'c Connection,
    raw: Option<CachedStatement<'c>>,
    payload: Option<CachedStatement<'c>>,
    /// By (user blobs, doubles): a batch usually has one shape.
    events: Vec<((usize, usize), CachedStatement<'c>)>,
}

impl<'c> Statements<'c> {
    fn new(conn: &'c Connection) -> Self {
        Self {
            conn,
            raw: None,
            payload: None,
            events: Vec::new(),
        }
    }

    fn cached<'s>(
        conn: &'c Connection,
        slot: &'s mut Option<CachedStatement<'c>>,
        sql: &str,
    ) -> Result<&'s mut CachedStatement<'c>, StoreError> {
        let stmt = match slot.take() {
            Some(stmt) => stmt,
            None => conn.prepare_cached(sql)?,
        };
        Ok(slot.insert(stmt))
    }

    fn raw(&mut self) -> Result<&mut CachedStatement<'c>, StoreError> {
        Self::cached(self.conn, &mut self.raw, INSERT_RAW)
    }

    fn payload(&mut self) -> Result<&mut CachedStatement<'c>, StoreError> {
        Self::cached(self.conn, &mut self.payload, INSERT_PAYLOAD)
    }

    fn event(
        &mut self,
        blobs: usize,
        doubles: usize,
    ) -> Result<&mut CachedStatement<'c>, StoreError> {
        let shape = (blobs, doubles);
        let at = match self.events.iter().position(|(s, _)| *s == shape) {
            Some(at) => at,
            None => {
                let stmt = self.conn.prepare_cached(insert_event_sql(blobs, doubles))?;
                self.events.push((shape, stmt));
                self.events.len() - 1
            }
        };
        Ok(&mut self.events[at].1)
    }
}

/// [`insert_point`], its event counted in `rollup` (the tenant's; written
/// by the caller).
fn store_point<'a>(
    statements: &mut Statements<'_>,
    (project, logstore, index): (&str, &str, &str),
    point: &'a NewPoint,
    ts_ms: i64,
    rollup: &mut Pending<'a>,
) -> Result<Option<String>, StoreError> {
    let ref_id = match &point.payload {
        Some((payload, expires_at)) => {
            let id = uuid::Uuid::new_v4().to_string();
            statements
                .payload()?
                .execute(params![id, project, logstore, payload, ts_ms, expires_at])?;
            Some(id)
        }
        None => None,
    };
    let shape = point.shape;
    let visible_at = ts_ms.saturating_add(shape.event_delay_ms);
    if let Some(delay) = shape.raw_delay_ms {
        let raw_visible_at = ts_ms.saturating_add(delay);
        statements.raw()?.execute(params![
            project,
            logstore,
            ts_ms,
            &point.level,
            &point.raw,
            raw_visible_at
        ])?;
    }
    if shape.sample_interval < 1 {
        return Ok(ref_id);
    }
    let ts = ts_ms.div_euclid(1000);
    let empty = String::new();
    let blobs = &point.blobs[..point.blobs.len().min(MAX_BLOBS)];
    let doubles = &point.doubles[..point.doubles.len().min(MAX_DOUBLES)];
    let mut values: Vec<&dyn ToSql> = Vec::with_capacity(9 + blobs.len() + doubles.len());
    values.push(&ts);
    values.push(&shape.sample_interval);
    values.push(&visible_at);
    values.push(&index);
    values.push(&project);
    values.push(&logstore);
    values.push(&point.event);
    values.push(&point.level);
    values.push(ref_id.as_ref().unwrap_or(&empty));
    values.extend(blobs.iter().map(|b| b as &dyn ToSql));
    values.extend(doubles.iter().map(|d| d as &dyn ToSql));
    statements
        .event(blobs.len(), doubles.len())?
        .execute(params_from_iter(values))?;
    rollup.add(
        ts,
        (&point.event, &point.level),
        shape.sample_interval,
        doubles,
    );
    Ok(ref_id)
}

/// Insert one raw record (Workers Logs) written at `ts_ms`, returned by
/// `rawlog` from `visible_at_ms` on.
pub fn insert_raw(
    tx: &Connection,
    project: &str,
    logstore: &str,
    level: &str,
    data: &str,
    ts_ms: i64,
    visible_at_ms: i64,
) -> Result<(), StoreError> {
    tx.prepare_cached(INSERT_RAW)?.execute(params![
        project,
        logstore,
        ts_ms,
        level,
        data,
        visible_at_ms
    ])?;
    Ok(())
}

/// Store raw log entries for a tenant at `now_ms`.
pub fn write_logs(
    tx: &Connection,
    project: &str,
    logstore: &str,
    logs: &[NewLog],
    now_ms: i64,
) -> Result<(), StoreError> {
    for log in logs {
        if let Some(delay) = log.raw_delay_ms {
            let visible_at = now_ms.saturating_add(delay);
            insert_raw(
                tx, project, logstore, &log.level, &log.raw, now_ms, visible_at,
            )?;
        }
    }
    if !logs.is_empty() {
        remember_logstore(tx, project, logstore)?;
    }
    Ok(())
}

/// Remember that a tenant exists (projects and logstores are implicit).
pub fn remember_logstore(
    conn: &Connection,
    project: &str,
    logstore: &str,
) -> Result<(), StoreError> {
    conn.prepare_cached("INSERT OR IGNORE INTO logstores (project, logstore) VALUES (?, ?)")?
        .execute(params![project, logstore])?;
    Ok(())
}

/// D1's housekeeping: before each payload read or write, drop up to 1000
/// expired rows.
pub fn purge_expired_payloads(conn: &Connection, now_ms: i64) -> Result<usize, StoreError> {
    let n = conn
        .prepare_cached(
            "DELETE FROM payloads WHERE ref_id IN
             (SELECT ref_id FROM payloads WHERE expires_at <= ? LIMIT ?)",
        )?
        .execute(params![now_ms, PAYLOAD_PURGE_BATCH as i64])?;
    Ok(n)
}

/// Payloads of this tenant among `ref_ids`, unexpired, in storage order.
pub fn read_payloads(
    tx: &Connection,
    project: &str,
    logstore: &str,
    ref_ids: &[String],
    now_ms: i64,
) -> Result<Vec<DetailRow>, StoreError> {
    purge_expired_payloads(tx, now_ms)?;
    let marks = vec!["?"; ref_ids.len()].join(",");
    let sql = format!(
        "SELECT ref_id, payload, created_at, expires_at FROM payloads
         WHERE project = ? AND logstore = ? AND expires_at > ? AND ref_id IN ({marks})
         ORDER BY rowid"
    );
    let rows = {
        let mut stmt = tx.prepare(&sql)?;
        let mut values: Vec<&dyn ToSql> = vec![&project, &logstore, &now_ms];
        values.extend(ref_ids.iter().map(|id| id as &dyn ToSql));
        let rows = stmt.query_map(params_from_iter(values), |row| {
            Ok(DetailRow {
                ref_id: row.get(0)?,
                payload: row.get(1)?,
                created_at: row.get(2)?,
                expires_at: row.get(3)?,
            })
        })?;
        rows.collect::<Result<Vec<_>, _>>()?
    };
    Ok(rows)
}

/// Rows one retention delete removes at most, so that writers queued behind
/// it never wait long.
pub const PURGE_CHUNK: usize = 20_000;

/// Retention, one chunk: drop up to [`PURGE_CHUNK`] events of a tenant older
/// than `before_s` (Unix s), through the (tenant, time) index. Returns the
/// rows removed; fewer than a chunk means the tenant is done.
pub fn purge_old_events(
    conn: &Connection,
    index: &str,
    before_s: i64,
) -> Result<usize, StoreError> {
    // Oldest first, so the per-minute rollup has at most one minute to
    // rebuild after each chunk.
    let n = conn.execute(
        "DELETE FROM events WHERE id IN (SELECT id FROM events INDEXED BY events_tenant_time
         WHERE index1 = ?1 AND timestamp < ?2 ORDER BY timestamp LIMIT ?3)",
        params![index, before_s, PURGE_CHUNK as i64],
    )?;
    if n > 0 {
        super::rollup::after_purge(conn, index)?;
    }
    Ok(n)
}

/// Retention, one chunk: drop up to [`PURGE_CHUNK`] raw records of a tenant
/// older than `before_ms`.
pub fn purge_old_rawlogs(
    conn: &Connection,
    project: &str,
    logstore: &str,
    before_ms: i64,
) -> Result<usize, StoreError> {
    Ok(conn.execute(
        "DELETE FROM rawlogs WHERE id IN (SELECT id FROM rawlogs
         WHERE project = ?1 AND logstore = ?2 AND ts_ms < ?3 LIMIT ?4)",
        params![project, logstore, before_ms, PURGE_CHUNK as i64],
    )?)
}

/// Every tenant ever written, as (project, logstore).
pub fn list_tenants(conn: &Connection) -> Result<Vec<(String, String)>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT project, logstore FROM logstores")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
