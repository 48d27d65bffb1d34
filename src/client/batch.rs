//! `ingest_all` / `log_all`: any number of items, sent as requests of at most
//! 250 with bounded concurrency, reporting progress and, at the end, exactly
//! what was written, what the server skipped and which batches failed (with
//! the items they held), so nothing is dropped without a word.

use std::future::Future;
use std::ops::Range;
use std::sync::Arc;

use futures::stream::{self, StreamExt};

use super::Error;

/// Default number of requests in flight.
pub const DEFAULT_CONCURRENCY: usize = 4;

/// Progress after each finished batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchProgress {
    pub items_done: usize,
    pub items_total: usize,
    pub batches_done: usize,
    pub batches_total: usize,
    pub batches_failed: usize,
}

type ProgressFn = Arc<dyn Fn(BatchProgress) + Send + Sync>;

/// How `ingest_all` / `log_all` send.
#[derive(Clone)]
pub struct BatchOptions {
    concurrency: usize,
    progress: Option<ProgressFn>,
}

impl Default for BatchOptions {
    fn default() -> Self {
        Self {
            concurrency: DEFAULT_CONCURRENCY,
            progress: None,
        }
    }
}

impl std::fmt::Debug for BatchOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchOptions")
            .field("concurrency", &self.concurrency)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl BatchOptions {
    /// Requests in flight at once (at least 1).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }
    /// Called after each batch finishes, from the task awaiting `*_all`.
    pub fn on_progress(mut self, f: impl Fn(BatchProgress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }
}

/// One batch that was not written.
#[derive(Debug)]
pub struct FailedBatch {
    /// 0-based batch number.
    pub batch: usize,
    /// Indices of the items it held, in the slice given to `*_all`.
    pub items: Range<usize>,
    pub error: Error,
}

/// What `ingest_all` / `log_all` did.
#[derive(Debug, Default)]
pub struct BatchSummary {
    pub items: usize,
    pub batches: usize,
    /// Items the server wrote.
    pub written: u64,
    /// Items sent in successful batches but skipped by the server (e.g. a
    /// point without `event`, a log entry without `message`).
    pub skipped: u64,
    /// Batches that failed, in batch order.
    pub failed: Vec<FailedBatch>,
}

impl BatchSummary {
    /// True when every batch succeeded (skipped items aside).
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty()
    }
    /// Items in failed batches.
    pub fn failed_items(&self) -> usize {
        self.failed.iter().map(|f| f.items.len()).sum()
    }
}

/// Send `items` in chunks of `chunk` through `send`, which answers the number
/// of items written.
pub(crate) async fn run<'a, T, F, Fut>(
    items: &'a [T],
    chunk: usize,
    options: &BatchOptions,
    send: F,
) -> BatchSummary
where
    F: Fn(&'a [T]) -> Fut,
    Fut: Future<Output = Result<u64, Error>> + 'a,
{
    let chunk = chunk.max(1);
    let batches_total = items.len().div_ceil(chunk);
    let mut summary = BatchSummary {
        items: items.len(),
        batches: batches_total,
        ..BatchSummary::default()
    };
    let mut progress = BatchProgress {
        items_done: 0,
        items_total: items.len(),
        batches_done: 0,
        batches_total,
        batches_failed: 0,
    };
    let send = &send;
    // Futures built in a plain loop, not a `.map` closure over borrowed
    // chunks: that closure would make the whole future non-Send (a
    // higher-ranked lifetime rustc cannot prove), and callers spawn it.
    let mut pending = Vec::with_capacity(batches_total);
    for (i, batch) in items.chunks(chunk).enumerate() {
        let start = i * chunk;
        pending.push(async move { (i, start..start + batch.len(), send(batch).await) });
    }
    let mut results = stream::iter(pending).buffer_unordered(options.concurrency);
    while let Some((batch, range, result)) = results.next().await {
        progress.items_done += range.len();
        progress.batches_done += 1;
        match result {
            Ok(written) => {
                summary.written += written;
                summary.skipped += (range.len() as u64).saturating_sub(written);
            }
            Err(error) => {
                progress.batches_failed += 1;
                summary.failed.push(FailedBatch {
                    batch,
                    items: range,
                    error,
                });
            }
        }
        if let Some(f) = &options.progress {
            f(progress);
        }
    }
    summary.failed.sort_by_key(|f| f.batch);
    summary
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;

    #[tokio::test]
    async fn splits_counts_and_reports_failures_with_their_items() {
        let items: Vec<u32> = (0..1_001).collect();
        let in_flight = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let calls = Arc::new(Mutex::new(Vec::new()));
        let calls2 = calls.clone();
        let seen2 = seen.clone();
        let opts = BatchOptions::default()
            .concurrency(3)
            .on_progress(move |p| seen2.lock().unwrap().push(p));
        let summary = run(&items, 250, &opts, |batch: &[u32]| {
            let (in_flight, peak, calls) = (in_flight.clone(), peak.clone(), calls2.clone());
            async move {
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                in_flight.fetch_sub(1, Ordering::SeqCst);
                calls.lock().unwrap().push(batch.len());
                match batch[0] {
                    250 => Err(Error::Api {
                        status: 503,
                        message: "busy".into(),
                    }),
                    // The server skipped one item of this batch.
                    500 => Ok(batch.len() as u64 - 1),
                    _ => Ok(batch.len() as u64),
                }
            }
        })
        .await;
        assert_eq!(summary.batches, 5);
        let mut sizes = calls.lock().unwrap().clone();
        sizes.sort();
        assert_eq!(sizes, [1, 250, 250, 250, 250]);
        assert_eq!(summary.written, 1_001 - 250 - 1);
        assert_eq!(summary.skipped, 1);
        assert_eq!(summary.failed.len(), 1);
        assert_eq!(summary.failed[0].items, 250..500);
        assert_eq!(summary.failed_items(), 250);
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 5);
        let last = seen[4];
        assert_eq!(
            (last.items_done, last.batches_done, last.batches_failed),
            (1_001, 5, 1)
        );
        assert!(peak.load(Ordering::SeqCst) <= 3);
        assert!(peak.load(Ordering::SeqCst) >= 2, "ran concurrently");
    }

    #[tokio::test]
    async fn empty_input_sends_nothing() {
        let summary = run(&[] as &[u8], 250, &BatchOptions::default(), |_| async {
            panic!("no request expected")
        })
        .await;
        assert_eq!((summary.batches, summary.written), (0, 0));
        assert!(summary.is_complete());
    }
}
