//! Periodic retention: events older than `--retention-days`, raw records
//! older than `--rawlog-retention-days`, expired payloads.

use std::time::Duration;

use super::store::{self, Store, StoreError};
use super::time::now_ms;

/// How often retention runs (also once at start).
pub const INTERVAL: Duration = Duration::from_secs(600);

/// Run one retention pass now; returns the rows removed. Each chunk is its
/// own write, so requests interleave with a long purge instead of waiting.
pub async fn purge_once(
    store: &Store,
    retention_days: u32,
    rawlog_retention_days: u32,
) -> Result<usize, StoreError> {
    let now = now_ms();
    let events_before_s = now / 1000 - i64::from(retention_days) * 86_400;
    let rawlogs_before_ms = now - i64::from(rawlog_retention_days) * 86_400_000;
    let mut removed = 0;
    for (project, logstore) in store.read(store::list_tenants).await? {
        let index = crate::limits::index_of(&project, &logstore);
        loop {
            let index = index.clone();
            let n = store
                .write(move |c| store::purge_old_events(c, &index, events_before_s))
                .await?;
            removed += n;
            if n < store::PURGE_CHUNK {
                break;
            }
        }
        loop {
            let (p, l) = (project.clone(), logstore.clone());
            let n = store
                .write(move |c| store::purge_old_rawlogs(c, &p, &l, rawlogs_before_ms))
                .await?;
            removed += n;
            if n < store::PURGE_CHUNK {
                break;
            }
        }
    }
    loop {
        let n = store
            .write(move |c| store::purge_expired_payloads(c, now))
            .await?;
        removed += n;
        if n < crate::limits::PAYLOAD_PURGE_BATCH {
            break;
        }
    }
    Ok(removed)
}

/// Purge now and every [`INTERVAL`] until the task is aborted.
pub async fn run(store: Store, retention_days: u32, rawlog_retention_days: u32) {
    let mut tick = tokio::time::interval(INTERVAL);
    loop {
        tick.tick().await;
        match purge_once(&store, retention_days, rawlog_retention_days).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(rows = n, "retention purged old rows"),
            Err(e) => tracing::warn!(error = %e, "retention pass failed"),
        }
    }
}
