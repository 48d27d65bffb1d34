//! The SQLite schema of the local server: one database standing in for
//! Analytics Engine (events), D1 (payloads) and Workers Logs (rawlogs).
//! Shared knowledge of the store and the SQL translator, so it lives here once.

/// Columns added after the first release: (table, column, definition).
/// Databases created before them get them on open (see [`migrate`]).
const ADDED_COLUMNS: [(&str, &str, &str); 2] = [
    ("events", "visible_at", "INTEGER NOT NULL DEFAULT 0"),
    ("rawlogs", "visible_at", "INTEGER NOT NULL DEFAULT 0"),
];

/// Add the columns an older database lacks; idempotent. A constant default
/// makes `ADD COLUMN` instant in SQLite (no table rewrite).
pub fn migrate(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    for (table, column, definition) in ADDED_COLUMNS {
        let mut stmt = conn.prepare(&format!("PRAGMA table_info({table})"))?;
        let names = stmt
            .query_map([], |row| row.get::<_, String>(1))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if !names.iter().any(|n| n == column) {
            conn.execute_batch(&format!(
                "ALTER TABLE {table} ADD COLUMN {column} {definition}"
            ))?;
        }
    }
    Ok(())
}

/// Page size of a new database. A query that filters on a blob no index
/// holds (a path, a user id) reads every row of the tenant; 16 KiB pages
/// make that a quarter of the page reads of SQLite's default 4 KiB
/// (benches/sql_query.rs). A database keeps the size it was made with.
pub const PAGE_SIZE: i64 = 16_384;

/// The (index1, timestamp) index: time ranges and time buckets.
pub const TIME_INDEX: &str = "events_tenant_time";
/// The (index1, blob3) index: breakdowns by event.
pub const EVENT_INDEX: &str = "events_tenant_event";
/// The (index1, blob4, timestamp, id, double1, _sample_interval) index of
/// the rarer levels: filters on a level other than debug and info (warn,
/// error, fatal …), with or without a time range. It covers the level's
/// value aggregates (e.g. a latency quantile of the errors), so they read a
/// narrow index, not every wide row of the tenant. Partial: most writes are
/// debug or info and cost it nothing, and filters on those are seldom what an
/// investigation narrows to. Keyed by (time, id) after the level, so a write
/// appends at the end of its level's range.
pub const LEVEL_INDEX: &str = "events_tenant_rare_level";
/// The levels the level index leaves out.
pub const BULK_LEVELS: [&str; 2] = ["debug", "info"];
/// The level index's WHERE. A query reads a partial index only when its own
/// WHERE carries this term verbatim, so a query that pins rarer levels adds
/// it (src/server/sql/index_hint.rs).
pub const LEVEL_INDEX_WHERE: &str = "blob4 NOT IN ('debug', 'info')";

/// Statements that create the schema; idempotent.
pub fn create_statements() -> String {
    let blobs: String = (1..=20)
        .map(|i| format!(",\n    blob{i} TEXT NOT NULL DEFAULT ''"))
        .collect();
    let doubles: String = (1..=20)
        .map(|i| format!(",\n    double{i} REAL NOT NULL DEFAULT 0"))
        .collect();
    let rollup = super::rollup::create_statements();
    format!(
        "
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    -- AE's timestamp: Unix seconds, UTC (DateTime, second precision)
    timestamp INTEGER NOT NULL,
    _sample_interval INTEGER NOT NULL DEFAULT 1,
    -- Unix ms from which queries see the row (realistic mode: AE is late)
    visible_at INTEGER NOT NULL DEFAULT 0,
    -- `project/logstore`: the tenant key every query is scoped by
    index1 TEXT NOT NULL{blobs}{doubles}
);
-- Each index is kept up to date on every write. A covering index whose key
-- puts a value before the row id (e.g. double1 right after the time) makes
-- writes land at random places in it and halved ingest throughput
-- (benches/server_ingest.rs); the level index's key ends in (timestamp, id),
-- so a write appends, and its last columns only carry the values it covers;
-- it holds the rarer levels only.
DROP INDEX IF EXISTS events_by_time;
DROP INDEX IF EXISTS events_by_event;
DROP INDEX IF EXISTS events_tenant_level;
CREATE INDEX IF NOT EXISTS {TIME_INDEX} ON events(index1, timestamp);
CREATE INDEX IF NOT EXISTS {EVENT_INDEX} ON events(index1, blob3);
CREATE INDEX IF NOT EXISTS {LEVEL_INDEX}
    ON events(index1, blob4, timestamp, id, double1, _sample_interval)
    WHERE {LEVEL_INDEX_WHERE};

-- D1's payload table, plus the tenant so `detail` answers only its own tenant.
CREATE TABLE IF NOT EXISTS payloads (
    ref_id TEXT PRIMARY KEY,
    project TEXT NOT NULL,
    logstore TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL,  -- Unix ms
    expires_at INTEGER NOT NULL   -- Unix ms
);
CREATE INDEX IF NOT EXISTS payloads_expires ON payloads(expires_at);

-- Workers Logs: a raw JSON copy of every ingested point and log entry.
CREATE TABLE IF NOT EXISTS rawlogs (
    id INTEGER PRIMARY KEY,
    project TEXT NOT NULL,
    logstore TEXT NOT NULL,
    ts_ms INTEGER NOT NULL,       -- Unix ms
    level TEXT NOT NULL,
    data TEXT NOT NULL,           -- the stored JSON object
    visible_at INTEGER NOT NULL DEFAULT 0  -- Unix ms from which rawlog returns it
);
CREATE INDEX IF NOT EXISTS rawlogs_tenant_time ON rawlogs(project, logstore, ts_ms);

-- Projects and logstores are implicit upstream; we remember them on write so
-- the lists stay fast at millions of events.
CREATE TABLE IF NOT EXISTS logstores (
    project TEXT NOT NULL,
    logstore TEXT NOT NULL,
    PRIMARY KEY (project, logstore)
) WITHOUT ROWID;
{rollup}"
    )
}
