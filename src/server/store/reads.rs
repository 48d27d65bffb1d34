//! Reads of the raw records and the tenant lists, on a reader connection.

use rusqlite::{params, Connection};

use super::StoreError;

/// One raw record as `rawlog` answers it.
#[derive(Debug, Clone)]
pub struct RawRow {
    pub ts_ms: i64,
    pub level: String,
    pub data: String,
}

/// Newest raw records of a tenant with `start_ms <= ts <= end_ms` that are
/// visible at `now_ms` (see `visible_at`).
pub fn read_rawlogs(
    conn: &Connection,
    project: &str,
    logstore: &str,
    start_ms: i64,
    end_ms: i64,
    limit: u32,
    now_ms: i64,
) -> Result<Vec<RawRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT ts_ms, level, data FROM rawlogs
         WHERE project = ? AND logstore = ? AND ts_ms >= ? AND ts_ms <= ? AND visible_at <= ?
         ORDER BY ts_ms DESC, id DESC LIMIT ?",
    )?;
    let params = params![project, logstore, start_ms, end_ms, now_ms, limit];
    let rows = stmt.query_map(params, |row| {
        Ok(RawRow {
            ts_ms: row.get(0)?,
            level: row.get(1)?,
            data: row.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// All projects, sorted.
pub fn list_projects(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT DISTINCT project FROM logstores ORDER BY project")?;
    let rows = stmt.query_map([], |row| row.get(0))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Logstores of a project, sorted.
pub fn list_logstores(conn: &Connection, project: &str) -> Result<Vec<String>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT logstore FROM logstores WHERE project = ? ORDER BY logstore")?;
    let rows = stmt.query_map([project], |row| row.get(0))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
