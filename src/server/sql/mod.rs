//! The Analytics Engine SQL dialect (`shared/spec/ae-sql.md`) on SQLite:
//! parse → scope → translate → type, each its own file.
//!
//! - parse.rs: sqlparser (ClickHouse dialect) and the statements AE refuses;
//! - scope.rs: which tables a query may read, and the tenant filter;
//! - translate.rs + functions.rs: AST → SQLite SQL with bound literals;
//! - types.rs: ClickHouse types of every expression (meta, rendering);
//! - render.rs: the FORMAT JSON answer; udf.rs: the `ae_` SQLite functions.

mod datetime;
mod error;
mod functions;
mod names;
mod parse;
mod render;
mod scope;
mod translate;
mod types;
mod udf;

use std::time::Instant;

use rusqlite::types::ValueRef;
use rusqlite::Connection;

pub use error::SqlError;
use parse::Request;
use render::JsonWriter;
use translate::{Compiled, OutColumn};
use types::ChType;

/// The tenant a query is confined to.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub project: &'a str,
    pub logstore: &'a str,
}

/// Register the functions SQLite lacks on a connection that will run queries.
pub fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    udf::register(conn)
}

/// Run `sql` for `scope` and return AE's FORMAT JSON answer as text.
/// `now_unix` is the query's `now()` in Unix seconds.
pub fn run_query(
    conn: &Connection,
    scope: Scope<'_>,
    sql: &str,
    now_unix: i64,
) -> Result<String, SqlError> {
    let started = Instant::now();
    match parse::parse(sql)? {
        Request::ShowTables => Ok(fixed_answer("name", &[scope::TABLE_NAME], started)),
        Request::ShowTimezone => Ok(fixed_answer("timezone", &["Etc/UTC"], started)),
        // The local server computes in UTC only, so these are the zones it honours.
        Request::ShowTimezones => Ok(fixed_answer(
            "timezone",
            &[
                "Etc/GMT",
                "Etc/UTC",
                "Etc/Universal",
                "GMT",
                "UTC",
                "Universal",
                "Zulu",
            ],
            started,
        )),
        Request::Select(query) => {
            let compiled = translate::compile(&query, &scope::tenant_key(scope), now_unix)?;
            execute(conn, &compiled, started)
        }
    }
}

/// Translate without running: the SQLite text and parameters (tests, EXPLAIN).
pub fn translate_for_test(
    scope: Scope<'_>,
    sql: &str,
    now_unix: i64,
) -> Result<(String, usize), SqlError> {
    match parse::parse(sql)? {
        Request::Select(query) => {
            let c = translate::compile(&query, &scope::tenant_key(scope), now_unix)?;
            Ok((c.sql, c.params.len()))
        }
        _ => Err(SqlError::new("not a SELECT")),
    }
}

fn fixed_answer(column: &str, values: &[&str], started: Instant) -> String {
    let columns = [OutColumn {
        name: column.to_string(),
        ty: ChType::String,
    }];
    let mut w = JsonWriter::new(&columns);
    for v in values {
        w.push_row(|_| ValueRef::Text(v.as_bytes()));
    }
    w.finish(None, started.elapsed().as_secs_f64(), values.len() as u64)
}

fn sqlite_error(e: rusqlite::Error) -> SqlError {
    let text = match &e {
        rusqlite::Error::SqliteFailure(_, Some(m)) => m.clone(),
        other => other.to_string(),
    };
    SqlError::new(format!("query failed: {text}"))
}

fn execute(conn: &Connection, c: &Compiled, started: Instant) -> Result<String, SqlError> {
    let mut stmt = conn.prepare(&c.sql).map_err(sqlite_error)?;
    // Literals folded at translation (e.g. a string parsed as a DateTime)
    // leave their parameter unused; SQLite only knows up to the last one used.
    let used = stmt.parameter_count();
    for (i, p) in c.params.iter().enumerate().take(used) {
        stmt.raw_bind_parameter(i + 1, p).map_err(sqlite_error)?;
    }
    let mut rows = stmt.raw_query();
    let mut writer = JsonWriter::new(&c.columns);
    let (offset, limit) = match c.window {
        Some(w) => (w.offset, w.limit),
        None => (0, None),
    };
    let mut seen: u64 = 0;
    while let Some(row) = rows.next().map_err(sqlite_error)? {
        seen += 1;
        if seen <= offset {
            continue;
        }
        if limit.is_some_and(|l| seen - offset > l) {
            // Past the window: only counted for rows_before_limit_at_least.
            continue;
        }
        writer.push_row(|i| row.get_ref(i).unwrap_or(ValueRef::Null));
    }
    let before_limit = c.window.map(|_| seen);
    Ok(writer.finish(before_limit, started.elapsed().as_secs_f64(), seen))
}
