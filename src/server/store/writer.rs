//! Writes and payload reads, all on the writer connection: every request's
//! rows go in one transaction that commits before the request is answered.

use rusqlite::{params, params_from_iter, Connection, ToSql, Transaction};

use super::StoreError;
use crate::limits::PAYLOAD_PURGE_BATCH;

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
}

/// A validated log entry: its level and the raw record to store.
#[derive(Debug, Clone)]
pub struct NewLog {
    pub level: String,
    pub raw: String,
}

/// One stored payload as `detail` answers it.
#[derive(Debug, Clone)]
pub struct DetailRow {
    pub ref_id: String,
    pub payload: String,
    pub created_at: i64,
    pub expires_at: i64,
}

fn insert_event_sql() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(build_insert_event_sql)
}

fn build_insert_event_sql() -> String {
    let blobs: Vec<String> = (1..=20).map(|i| format!("blob{i}")).collect();
    let doubles: Vec<String> = (1..=20).map(|i| format!("double{i}")).collect();
    let marks = vec!["?"; 3 + 20 + 20].join(",");
    format!(
        "INSERT INTO events (timestamp,_sample_interval,index1,{},{}) VALUES ({marks})",
        blobs.join(","),
        doubles.join(",")
    )
}

/// Store `points` for a tenant at `now_ms` in one transaction; returns the
/// ref_ids given to the payloads, in point order (`None` without one).
pub fn write_points(
    conn: &mut Connection,
    project: &str,
    logstore: &str,
    points: &[NewPoint],
    now_ms: i64,
) -> Result<Vec<Option<String>>, StoreError> {
    let tx = conn.transaction()?;
    if points.iter().any(|p| p.payload.is_some()) {
        purge_expired_payloads(&tx, now_ms)?;
    }
    let ref_ids = points
        .iter()
        .map(|point| insert_point(&tx, project, logstore, point, now_ms))
        .collect::<Result<Vec<_>, _>>()?;
    if !points.is_empty() {
        remember_logstore(&tx, project, logstore)?;
    }
    tx.commit()?;
    Ok(ref_ids)
}

/// Insert one point (event, payload, raw record) written at `ts_ms`, inside
/// the caller's transaction. Returns the payload's ref_id.
pub fn insert_point(
    tx: &Transaction<'_>,
    project: &str,
    logstore: &str,
    point: &NewPoint,
    ts_ms: i64,
) -> Result<Option<String>, StoreError> {
    let ref_id = match &point.payload {
        Some((payload, expires_at)) => {
            let id = uuid::Uuid::new_v4().to_string();
            tx.prepare_cached(
                "INSERT INTO payloads (ref_id, project, logstore, payload, created_at, expires_at)
                 VALUES (?,?,?,?,?,?)",
            )?
            .execute(params![id, project, logstore, payload, ts_ms, expires_at])?;
            Some(id)
        }
        None => None,
    };
    let index = crate::limits::index_of(project, logstore);
    let ts = ts_ms.div_euclid(1000);
    let empty = String::new();
    let mut values: Vec<&dyn ToSql> = Vec::with_capacity(43);
    values.push(&ts);
    values.push(&1_i64);
    values.push(&index);
    values.push(&project);
    values.push(&logstore);
    values.push(&point.event);
    values.push(&point.level);
    values.push(ref_id.as_ref().unwrap_or(&empty));
    for i in 0..15 {
        values.push(point.blobs.get(i).unwrap_or(&empty));
    }
    for i in 0..20 {
        values.push(point.doubles.get(i).unwrap_or(&0.0));
    }
    tx.prepare_cached(insert_event_sql())?
        .execute(params_from_iter(values))?;
    insert_raw(tx, project, logstore, &point.level, &point.raw, ts_ms)?;
    Ok(ref_id)
}

/// Insert one raw record (Workers Logs) written at `ts_ms`.
pub fn insert_raw(
    tx: &Transaction<'_>,
    project: &str,
    logstore: &str,
    level: &str,
    data: &str,
    ts_ms: i64,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO rawlogs (project, logstore, ts_ms, level, data) VALUES (?,?,?,?,?)",
    )?
    .execute(params![project, logstore, ts_ms, level, data])?;
    Ok(())
}

/// Store raw log entries for a tenant at `now_ms` in one transaction.
pub fn write_logs(
    conn: &mut Connection,
    project: &str,
    logstore: &str,
    logs: &[NewLog],
    now_ms: i64,
) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    for log in logs {
        insert_raw(&tx, project, logstore, &log.level, &log.raw, now_ms)?;
    }
    if !logs.is_empty() {
        remember_logstore(&tx, project, logstore)?;
    }
    tx.commit()?;
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
    conn: &mut Connection,
    project: &str,
    logstore: &str,
    ref_ids: &[String],
    now_ms: i64,
) -> Result<Vec<DetailRow>, StoreError> {
    let tx = conn.transaction()?;
    purge_expired_payloads(&tx, now_ms)?;
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
    tx.commit()?;
    Ok(rows)
}

/// Retention: drop events older than `events_before_s` (Unix s), raw records
/// older than `rawlogs_before_ms`, and expired payloads. Deletes go tenant by
/// tenant through the (tenant, time) indexes, never a full scan, in chunks so
/// writers never wait long behind a big purge.
pub fn purge_old(
    conn: &mut Connection,
    events_before_s: i64,
    rawlogs_before_ms: i64,
    now_ms: i64,
) -> Result<usize, StoreError> {
    const CHUNK: i64 = 20_000;
    let tenants: Vec<(String, String)> = {
        let mut stmt = conn.prepare("SELECT project, logstore FROM logstores")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    let mut total = 0;
    for (project, logstore) in &tenants {
        let index = crate::limits::index_of(project, logstore);
        loop {
            let n = conn.execute(
                "DELETE FROM events WHERE id IN (SELECT id FROM events
                 WHERE index1 = ?1 AND timestamp < ?2 LIMIT ?3)",
                params![index, events_before_s, CHUNK],
            )?;
            total += n;
            if (n as i64) < CHUNK {
                break;
            }
        }
        loop {
            let n = conn.execute(
                "DELETE FROM rawlogs WHERE id IN (SELECT id FROM rawlogs
                 WHERE project = ?1 AND logstore = ?2 AND ts_ms < ?3 LIMIT ?4)",
                params![project, logstore, rawlogs_before_ms, CHUNK],
            )?;
            total += n;
            if (n as i64) < CHUNK {
                break;
            }
        }
    }
    total += conn.execute(
        "DELETE FROM payloads WHERE expires_at <= ?",
        params![now_ms],
    )?;
    Ok(total)
}
