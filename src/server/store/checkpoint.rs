//! WAL checkpoints off the write path. SQLite's automatic checkpoint runs in
//! the committing connection and fsyncs there, so every few MB one request
//! would wait on the disk. Here a thread of its own copies the WAL into the
//! database every half second (PASSIVE: it never blocks writers or readers);
//! the writer keeps a large automatic threshold only as a backstop.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use rusqlite::Connection;

use super::StoreError;

const EVERY: Duration = Duration::from_millis(500);

/// WAL size after which the writer checkpoints itself anyway.
const WRITER_BACKSTOP_BYTES: i64 = 64 << 20;

/// [`WRITER_BACKSTOP_BYTES`] in pages of `page_size` (SQLite counts pages;
/// a database keeps the page size it was made with).
pub fn writer_backstop_pages(page_size: i64) -> i64 {
    WRITER_BACKSTOP_BYTES / page_size.max(512)
}

/// Keeps the checkpoint thread alive; it stops when the last clone is dropped.
#[derive(Clone)]
pub struct Checkpointer {
    _alive: mpsc::Sender<()>,
}

impl Checkpointer {
    pub fn spawn(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(Duration::from_secs(1))?;
        let (alive, stopped) = mpsc::channel::<()>();
        std::thread::Builder::new()
            .name("aepipe-checkpoint".into())
            .spawn(move || loop {
                match stopped.recv_timeout(EVERY) {
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        let result: rusqlite::Result<(i64, i64, i64)> =
                            conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                            });
                        if let Err(e) = result {
                            tracing::debug!(error = %e, "checkpoint skipped");
                        }
                    }
                    // Every Store handle is gone: stop.
                    _ => return,
                }
            })
            .map_err(|e| StoreError::Task(format!("cannot start the checkpoint thread: {e}")))?;
        Ok(Self { _alive: alive })
    }
}
