//! SQLite storage of the local server: one database file in the data dir, in
//! WAL mode, with one writer thread (group commit: the writes of all waiting
//! requests in one transaction, each answered only after that commit) and a
//! small pool of read-only connections on tokio's blocking pool, so a long
//! query never blocks a small one or a write.

mod checkpoint;
mod group_commit;
mod readers;
mod reads;
pub mod rollup;
pub mod schema;
mod writer;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use checkpoint::Checkpointer;
use group_commit::Writer;

pub use readers::ReaderPool;
pub use reads::{list_logstores, list_projects, read_rawlogs};
pub use writer::{
    insert_point, insert_raw, list_tenants, purge_expired_payloads, purge_old_events,
    purge_old_rawlogs, read_payloads, remember_logstore, write_logs, write_points, NewLog,
    NewPoint, RowShape, PURGE_CHUNK,
};

/// File name of the database inside the data dir.
pub const DB_FILE: &str = "aepipe.sqlite3";

/// Readers kept open: enough for the explorer's parallel panes plus one slow
/// query, few enough that their page caches stay small.
const READERS: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create data dir {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("storage task failed: {0}")]
    Task(String),
    #[error("storage lock poisoned")]
    Poisoned,
}

/// The store shared by all requests. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    writer: Writer,
    readers: ReaderPool,
    _checkpointer: Checkpointer,
}

impl Store {
    /// Open (and create if needed) the database in `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let path = data_dir.join(DB_FILE);
        let writer = Connection::open(&path)?;
        // WAL + NORMAL: a commit is durable against a crash of the process
        // (kill -9), which is what "acknowledged" promises; only a power loss
        // can drop the last commits.
        // Before anything is written (a no-op on an existing database).
        writer.pragma_update(None, "page_size", schema::PAGE_SIZE)?;
        writer.pragma_update(None, "journal_mode", "WAL")?;
        writer.pragma_update(None, "synchronous", "NORMAL")?;
        writer.pragma_update(None, "cache_size", -32_768)?;
        // Each request's savepoint copies the pages it changes to a
        // sub-journal; in a temp file that was an open, writes and a delete
        // per group (about 8% of the writer's time).
        writer.pragma_update(None, "temp_store", "MEMORY")?;
        let page_size: i64 = writer.query_row("PRAGMA page_size", [], |r| r.get(0))?;
        writer.pragma_update(
            None,
            "wal_autocheckpoint",
            checkpoint::writer_backstop_pages(page_size),
        )?;
        writer.busy_timeout(std::time::Duration::from_secs(10))?;
        // A database from before the rollup gets it filled from its events
        // once, in the same transaction that creates it.
        let had_rollup = rollup::exists(&writer)?;
        writer.execute_batch("BEGIN IMMEDIATE")?;
        let created = writer
            .execute_batch(&schema::create_statements())
            .map_err(StoreError::from)
            .and_then(|()| schema::migrate(&writer).map_err(StoreError::from))
            .and_then(|()| {
                if had_rollup {
                    Ok(())
                } else {
                    rollup::backfill(&writer)
                }
            });
        match created {
            Ok(()) => writer.execute_batch("COMMIT")?,
            Err(e) => {
                let _ = writer.execute_batch("ROLLBACK");
                return Err(e);
            }
        }
        writer.set_prepared_statement_cache_capacity(64);
        let readers = ReaderPool::open(&path, READERS)?;
        Ok(Self {
            writer: Writer::spawn(writer)?,
            readers,
            _checkpointer: Checkpointer::spawn(&path)?,
        })
    }

    /// Run `f` on the writer inside a group-committed transaction (see
    /// [`group_commit`]); answered only after that transaction committed. An
    /// error from `f` rolls back `f`'s writes alone.
    pub async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.writer.grouped(f).await
    }

    /// Run `f` with the writer connection to itself; `f` manages its own
    /// transactions (long chunked deletes, the demo seed).
    pub async fn write_alone<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.writer.alone(f).await
    }

    /// Run `f` on a read-only connection on the blocking pool.
    pub async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.readers.run(f).await
    }
}

/// Open a connection for reading: `query_only` so no SQL that reaches it can
/// write, whatever the translator lets through.
fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.pragma_update(None, "query_only", true)?;
    conn.pragma_update(None, "cache_size", -16_384)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    super::sql::register_functions(&conn)?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pragma(conn: &Connection, name: &str) -> i64 {
        conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("PRAGMA {name}: {e}"))
    }

    async fn open_and_write(dir: &Path) -> Store {
        let store = Store::open(dir).unwrap_or_else(|e| panic!("open: {e}"));
        store
            .write(|tx| {
                tx.execute_batch(
                    "INSERT INTO events (timestamp, index1, blob4, double1)
                     VALUES (100, 'p/l', 'error', 7.5), (101, 'p/l', 'info', 1)",
                )?;
                Ok(())
            })
            .await
            .unwrap_or_else(|e| panic!("write: {e}"));
        store
    }

    #[tokio::test]
    async fn a_new_database_has_the_schema_page_size_and_a_64_mb_backstop() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store = open_and_write(dir.path()).await;
        let (page_size, backstop) = store
            .write_alone(|c| Ok((pragma(c, "page_size"), pragma(c, "wal_autocheckpoint"))))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(page_size, schema::PAGE_SIZE);
        assert_eq!(backstop * page_size, 64 << 20);
    }

    /// A database made with SQLite's default 4 KiB pages and before the
    /// level index keeps its pages, gets the index, and answers from it.
    #[tokio::test]
    async fn an_older_4_kib_database_keeps_its_pages_and_gets_the_level_index() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        {
            let old = Connection::open(dir.path().join(DB_FILE)).unwrap_or_else(|e| panic!("{e}"));
            old.execute_batch("PRAGMA journal_mode = WAL")
                .unwrap_or_else(|e| panic!("{e}"));
            let without_level_index = schema::create_statements().replace(
                &format!("CREATE INDEX IF NOT EXISTS {}", schema::LEVEL_INDEX),
                "CREATE INDEX IF NOT EXISTS not_the_level_index",
            );
            old.execute_batch(&without_level_index)
                .unwrap_or_else(|e| panic!("{e}"));
            old.execute_batch("DROP INDEX not_the_level_index")
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(pragma(&old, "page_size"), 4096);
        }
        let store = open_and_write(dir.path()).await;
        let (page_size, backstop, indexed, errors) = store
            .write_alone(|c| {
                let indexed: i64 = c.query_row(
                    "SELECT count(*) FROM sqlite_master WHERE name = ?1",
                    [schema::LEVEL_INDEX],
                    |r| r.get(0),
                )?;
                let errors: f64 = c.query_row(
                    &format!(
                        "SELECT sum(double1) FROM events INDEXED BY {} \
                         WHERE index1 = 'p/l' AND blob4 = 'error' AND {}",
                        schema::LEVEL_INDEX,
                        schema::LEVEL_INDEX_WHERE
                    ),
                    [],
                    |r| r.get(0),
                )?;
                Ok((
                    pragma(c, "page_size"),
                    pragma(c, "wal_autocheckpoint"),
                    indexed,
                    errors,
                ))
            })
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(page_size, 4096);
        assert_eq!(backstop * page_size, 64 << 20);
        assert_eq!(indexed, 1);
        assert_eq!(errors, 7.5);
    }
}
