//! The Analytics Engine SQL dialect (`docs/sql.md`) on SQLite:
//! parse → scope → translate → type, each its own file.
//!
//! - parse.rs: sqlparser (ClickHouse dialect) and the statements AE refuses;
//! - scope.rs: which tables a query may read, and the tenant filter;
//! - translate.rs: queries (sources, aliases, grouping, LIMIT) → SQLite SQL;
//! - expr.rs, functions.rs, aggregates.rs, bits.rs: expressions and calls;
//! - pre_aggregate.rs: time-bucket counts without a sort of every event;
//! - rollup_plan.rs: aggregates from the per-minute rollup of the store;
//! - index_hint.rs: the level or time index a filter reads;
//! - types.rs: ClickHouse types of every expression (meta, rendering);
//! - render.rs: the FORMAT JSON answer; udf.rs: the `ae_` SQLite functions.

mod aggregates;
mod bits;
mod datetime;
mod error;
mod expr;
mod functions;
mod index_hint;
mod names;
mod parse;
mod pre_aggregate;
mod render;
mod rollup_plan;
mod scope;
mod time_functions;
mod translate;
mod types;
mod udf;
mod zones;

use std::time::Instant;

use rusqlite::types::ValueRef;
use rusqlite::Connection;

pub use error::SqlError;
/// A string literal of the dialect (backslash escapes), for clients that
/// write SQL: the explorer's drill-down and time range.
pub use names::quote as string_literal;
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
/// Only the tests and benches query without a visibility bound; the server
/// always goes through [`run_query_visible`].
#[cfg(feature = "internals")]
pub fn run_query(
    conn: &Connection,
    scope: Scope<'_>,
    sql: &str,
    now_unix: i64,
) -> Result<String, SqlError> {
    run_query_visible(conn, scope, sql, now_unix, None)
}

/// [`run_query`] reading only the events visible by `visible_by_ms` when
/// given (the realistic mode's late visibility).
pub fn run_query_visible(
    conn: &Connection,
    scope: Scope<'_>,
    sql: &str,
    now_unix: i64,
    visible_by_ms: Option<i64>,
) -> Result<String, SqlError> {
    let started = Instant::now();
    let tenant = scope::tenant_key(scope)?;
    match prepare(sql, &tenant, now_unix, visible_by_ms)? {
        Prepared::Fixed(column, values) => Ok(fixed_answer(column, &values, started)),
        Prepared::Select(compiled) => execute(conn, &compiled, started),
    }
}

/// What a request becomes before it touches SQLite.
enum Prepared {
    Fixed(&'static str, Vec<&'static str>),
    Select(Compiled),
}

/// Stack for parsing and translating: both recurse over the syntax tree (and
/// dropping a tree recurses too), and a stack overflow aborts the whole
/// server rather than failing one query. Reserved, not committed, memory.
const TRANSLATE_STACK_BYTES: usize = 64 << 20;

/// Parse and translate on a deep stack of its own; the answer is flat. The
/// stack is switched to on the calling thread (`stacker`): a thread per
/// query cost ~0.2 ms to start and join, and under load the new thread
/// waited for a CPU, which a 2 ms query of a small tenant could not afford.
fn prepare(
    sql: &str,
    tenant: &str,
    now_unix: i64,
    visible_by_ms: Option<i64>,
) -> Result<Prepared, SqlError> {
    let work = move || -> Result<Prepared, SqlError> {
        Ok(match parse::parse(sql)? {
            Request::ShowTables => Prepared::Fixed("name", vec![scope::TABLE_NAME]),
            // The server's own zone; DateTime('Zone') takes any of the others.
            Request::ShowTimezone => Prepared::Fixed("timezone", vec!["Etc/UTC"]),
            Request::ShowTimezones => Prepared::Fixed("timezone", zones::all_names().collect()),
            Request::Select(query) => Prepared::Select(translate::compile_visible(
                &query,
                tenant,
                now_unix,
                visible_by_ms,
            )?),
        })
    };
    // A panic while translating fails this query, not the reader's thread.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        stacker::grow(TRANSLATE_STACK_BYTES, work)
    }))
    .unwrap_or_else(|_| Err(SqlError::new("internal error while translating the query")))
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
    // Literals are bound parameters, so the same query (a watched one, the
    // chart's, a snippet) is the same text: SQLite's plan is made once per
    // reader connection, not on every run.
    let mut stmt = conn.prepare_cached(&c.sql).map_err(sqlite_error)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(conn: &Connection, sql: &str) -> String {
        let Ok(Request::Select(q)) = parse::parse(sql) else {
            panic!("not a select: {sql}");
        };
        let c = translate::compile(&q, "p/l", 0).unwrap_or_else(|e| panic!("{sql}: {e}"));
        let mut stmt = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {}", c.sql))
            .unwrap_or_else(|e| panic!("{}: {e}", c.sql));
        let n = stmt.parameter_count();
        for (i, p) in c.params.iter().enumerate().take(n) {
            stmt.raw_bind_parameter(i + 1, p)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let mut rows = stmt.raw_query();
        let mut out = Vec::new();
        while let Ok(Some(r)) = rows.next() {
            out.push(r.get::<_, String>(3).unwrap_or_default());
        }
        out.join("; ")
    }

    /// The tenant filter must let SQLite seek its (index1, …) indexes rather
    /// than scan every tenant's rows.
    #[test]
    fn tenant_queries_use_the_tenant_indexes() {
        let conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        conn.execute_batch(&crate::server::store::schema::create_statements())
            .unwrap_or_else(|e| panic!("{e}"));
        register_functions(&conn).unwrap_or_else(|e| panic!("{e}"));
        for sql in [
            "SELECT blob3 AS e, count() AS c FROM aepipe GROUP BY e ORDER BY c DESC",
            "SELECT toStartOfInterval(timestamp, INTERVAL '5' MINUTE) AS t, count() FROM aepipe \
             WHERE timestamp > now() - INTERVAL '1' DAY GROUP BY t",
            "SELECT * FROM aepipe WHERE blob3 = 'x' OR 1=1 ORDER BY timestamp DESC LIMIT 10",
            "SELECT count() FROM (SELECT * FROM aepipe WHERE double1 > 1)",
            "SELECT (SELECT count() FROM aepipe) AS n",
        ] {
            let p = plan(&conn, sql);
            assert!(p.contains("USING"), "{sql}\n  plan: {p}");
            assert!(
                !p.contains("SCAN events"),
                "{sql} scans all tenants\n  plan: {p}"
            );
        }
        // A time-bounded breakdown the rollup cannot answer (by path) reads
        // only that time range of the events.
        let p = plan(
            &conn,
            "SELECT blob6, count() FROM aepipe WHERE timestamp > now() - INTERVAL 1 HOUR GROUP BY blob6",
        );
        assert!(
            p.contains("events_tenant_time (index1=? AND timestamp>?)"),
            "{p}"
        );
        // Grouping by path walks the tenant's rows in one index, no table scan.
        let p = plan(&conn, "SELECT blob6, count() FROM aepipe GROUP BY blob6");
        assert!(p.contains("USING INDEX events_tenant_"), "{p}");
        // By event, the rollup answers: its whole minutes in the range, and
        // the events of the cut minute only.
        let p = plan(
            &conn,
            "SELECT blob3, count() FROM aepipe WHERE timestamp > now() - INTERVAL 1 HOUR GROUP BY blob3",
        );
        assert!(
            p.contains("SEARCH r USING PRIMARY KEY (index1=? AND minute>?)")
                && p.contains("events_tenant_time (index1=? AND timestamp>? AND timestamp<?)"),
            "{p}"
        );
        let p = plan(&conn, "SELECT blob3, count() FROM aepipe GROUP BY blob3");
        assert!(
            p.contains("SEARCH r USING PRIMARY KEY (index1=?)") && !p.contains("events"),
            "{p}"
        );
        // A value of one level reads the level's slice of the narrow level
        // index alone, not the wide rows of every level.
        let p = plan(
            &conn,
            "SELECT quantileExactWeighted(0.95)(double1, _sample_interval) FROM aepipe WHERE blob4 = 'error'",
        );
        assert!(
            p.contains("COVERING INDEX events_tenant_rare_level (index1=? AND blob4=?)"),
            "{p}"
        );
        let p = plan(
            &conn,
            "SELECT timestamp, blob3 FROM aepipe WHERE blob4 = 'error' \
             AND timestamp > now() - INTERVAL 1 HOUR ORDER BY timestamp DESC LIMIT 10",
        );
        assert!(
            p.contains("INDEX events_tenant_rare_level (index1=? AND blob4=? AND timestamp>?)")
                && !p.contains("TEMP B-TREE"),
            "{p}"
        );
        // Debug and info are most of the rows: not in the level index.
        let p = plan(
            &conn,
            "SELECT quantileExactWeighted(0.95)(double1, _sample_interval) FROM aepipe WHERE blob4 = 'info'",
        );
        assert!(!p.contains("rare_level"), "{p}");
    }
}
