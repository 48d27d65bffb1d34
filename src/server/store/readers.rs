//! A small pool of read-only connections. A semaphore bounds the number of
//! queries in flight to the number of connections, so taking one never fails.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::Connection;
use tokio::sync::Semaphore;

use super::{open_reader, StoreError};

#[derive(Clone)]
pub struct ReaderPool {
    idle: Arc<Mutex<Vec<Connection>>>,
    permits: Arc<Semaphore>,
    path: PathBuf,
}

impl ReaderPool {
    pub fn open(path: &Path, size: usize) -> Result<Self, StoreError> {
        let conns = (0..size)
            .map(|_| open_reader(path))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            idle: Arc::new(Mutex::new(conns)),
            permits: Arc::new(Semaphore::new(size)),
            path: path.to_path_buf(),
        })
    }

    pub async fn run<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|e| StoreError::Task(e.to_string()))?;
        let idle = Arc::clone(&self.idle);
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let taken = idle.lock().map_err(|_| StoreError::Poisoned)?.pop();
            // A connection lost to a panic is replaced rather than shrinking the pool.
            let conn = match taken {
                Some(conn) => conn,
                None => open_reader(&path)?,
            };
            let result = f(&conn);
            idle.lock().map_err(|_| StoreError::Poisoned)?.push(conn);
            result
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?
    }
}
