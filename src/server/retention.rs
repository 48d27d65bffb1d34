//! Periodic retention: events older than `--retention-days`, raw records
//! older than `--rawlog-retention-days`, expired payloads.

use std::time::Duration;

use super::store::{self, Store, StoreError};
use super::time::now_ms;

/// How often retention runs (also once at start).
pub const INTERVAL: Duration = Duration::from_secs(600);

/// Run one retention pass now; returns the rows removed.
pub async fn purge_once(
    store: &Store,
    retention_days: u32,
    rawlog_retention_days: u32,
) -> Result<usize, StoreError> {
    let now = now_ms();
    let events_before_s = now / 1000 - i64::from(retention_days) * 86_400;
    let rawlogs_before_ms = now - i64::from(rawlog_retention_days) * 86_400_000;
    store
        .write_alone(move |conn| store::purge_old(conn, events_before_s, rawlogs_before_ms, now))
        .await
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
