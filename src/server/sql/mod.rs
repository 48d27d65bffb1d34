//! The Analytics Engine SQL dialect (`shared/spec/ae-sql.md`) on SQLite:
//! parse → scope → translate → type, each its own file.

use rusqlite::Connection;

/// The tenant a query is confined to.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub project: &'a str,
    pub logstore: &'a str,
}

/// A query we cannot run; always a 400 with this message, never a 500.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct SqlError {
    pub message: String,
}

/// Register the functions SQLite lacks on a connection that will run queries.
pub fn register_functions(_conn: &Connection) -> rusqlite::Result<()> {
    Ok(())
}

/// Run `sql` for `scope` and return AE's FORMAT JSON answer as text.
/// `now_unix` is the query's `now()` in Unix seconds.
pub fn run_query(
    _conn: &Connection,
    _scope: Scope<'_>,
    _sql: &str,
    _now_unix: i64,
) -> Result<String, SqlError> {
    Err(SqlError {
        message: "SQL is not implemented yet".into(),
    })
}
