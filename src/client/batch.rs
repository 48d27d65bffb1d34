//! `ingest_all` / `log_all`: any number of items, sent as requests of at most
//! 250 with bounded concurrency, reporting progress and, at the end, exactly
//! what was written, what the server skipped and which batches failed (with
//! the items they held), so nothing is dropped without a word.
//!
//! Far from the server, throughput is requests in flight × 250 / round
//! trip, so the number in flight adapts (see [`Adaptive`]): it grows while
//! answers come back as fast as the fastest seen, and halves on a 429/503
//! or when answers slow down (the server is queueing). A failed batch is
//! never sent again here (a write may have been stored), so adapting cannot
//! duplicate anything.

use std::future::Future;
use std::ops::Range;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::stream::{FuturesUnordered, StreamExt};

use super::Error;

/// Requests in flight when a run starts.
pub const INITIAL_CONCURRENCY: usize = 4;

/// Default most requests in flight (the adaptive limit never goes above).
pub const DEFAULT_CONCURRENCY: usize = 32;

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
    /// Adapt the number in flight between 1 and `concurrency`; else fixed.
    adaptive: bool,
    progress: Option<ProgressFn>,
}

impl Default for BatchOptions {
    fn default() -> Self {
        Self {
            concurrency: DEFAULT_CONCURRENCY,
            adaptive: true,
            progress: None,
        }
    }
}

impl std::fmt::Debug for BatchOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchOptions")
            .field("concurrency", &self.concurrency)
            .field("adaptive", &self.adaptive)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl BatchOptions {
    /// Exactly this many requests in flight (at least 1), not adapted.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self.adaptive = false;
        self
    }
    /// Adapt the requests in flight, starting at 4, up to `max` (the default,
    /// with a maximum of 32).
    pub fn adaptive(mut self, max: usize) -> Self {
        self.concurrency = max.max(1);
        self.adaptive = true;
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
        pending.push(async move {
            let started = Instant::now();
            let result = send(batch).await;
            (i, start..start + batch.len(), result, started.elapsed())
        });
    }
    let mut limit = if options.adaptive {
        Adaptive::new(INITIAL_CONCURRENCY, options.concurrency)
    } else {
        Adaptive::fixed(options.concurrency)
    };
    let mut waiting = pending.into_iter();
    let mut running = FuturesUnordered::new();
    loop {
        while running.len() < limit.current() {
            match waiting.next() {
                Some(f) => running.push(f),
                None => break,
            }
        }
        let Some((batch, range, result, elapsed)) = running.next().await else {
            break;
        };
        limit.on_answer(elapsed, result.as_ref().err().is_some_and(is_overload));
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

/// A 429 or 503, direct or from Cloudflare behind a 502: slow down.
fn is_overload(e: &Error) -> bool {
    match e {
        Error::Api { status, message } => {
            matches!(status, 429 | 503)
                || (*status == 502
                    && matches!(super::retry::upstream_status(message), Some(429 | 503)))
        }
        _ => false,
    }
}

/// The number of requests in flight, adapted like TCP's congestion window:
/// doubling per round trip at first ("slow start"), then one more per round
/// trip, and halved on overload or when an answer takes much longer than the
/// fastest seen (the server queues instead of working).
#[derive(Debug, Clone)]
pub struct Adaptive {
    limit: f64,
    max: usize,
    slow_start: bool,
    adaptive: bool,
    fastest: Option<Duration>,
    last_cut: Option<Instant>,
}

/// Answers slower than twice the fastest plus this count as queueing.
const SLOW_MARGIN: Duration = Duration::from_millis(50);

impl Adaptive {
    pub fn new(initial: usize, max: usize) -> Self {
        let max = max.max(1);
        Self {
            limit: initial.clamp(1, max) as f64,
            max,
            slow_start: true,
            adaptive: true,
            fastest: None,
            last_cut: None,
        }
    }

    pub fn fixed(n: usize) -> Self {
        Self {
            adaptive: false,
            ..Self::new(n, n)
        }
    }

    /// Requests that may be in flight now.
    pub fn current(&self) -> usize {
        (self.limit as usize).clamp(1, self.max)
    }

    /// One answer came back after `elapsed`; `overloaded` if it said so.
    pub fn on_answer(&mut self, elapsed: Duration, overloaded: bool) {
        if !self.adaptive {
            return;
        }
        let fastest = self.fastest.map_or(elapsed, |f| f.min(elapsed));
        self.fastest = Some(fastest);
        let slow = elapsed > fastest * 2 + SLOW_MARGIN;
        if overloaded || slow {
            // One cut per round trip: the answers in flight all saw the same
            // congestion.
            let recent = self.last_cut.is_some_and(|t| t.elapsed() < fastest);
            if !recent {
                self.limit = (self.limit / 2.0).max(1.0);
                self.slow_start = false;
                self.last_cut = Some(Instant::now());
            }
        } else if self.slow_start {
            self.limit += 1.0;
        } else {
            self.limit += 1.0 / self.limit;
        }
        self.limit = self.limit.min(self.max as f64);
    }
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

    #[test]
    fn adaptive_grows_while_fast_and_halves_on_overload() {
        let ms = Duration::from_millis;
        let mut a = Adaptive::new(4, 32);
        for _ in 0..40 {
            a.on_answer(ms(50), false);
        }
        assert_eq!(a.current(), 32, "grows to the maximum while fast");
        a.on_answer(ms(50), true);
        assert_eq!(a.current(), 16, "halves on a 429/503");
        a.on_answer(ms(50), true);
        assert_eq!(a.current(), 16, "one cut per round trip");
        let mut b = Adaptive::new(8, 32);
        b.on_answer(ms(10), false);
        b.on_answer(ms(500), false);
        assert_eq!(b.current(), 4, "halves when answers slow down");
        let mut f = Adaptive::fixed(3);
        f.on_answer(ms(1), true);
        assert_eq!(f.current(), 3);
        assert!(is_overload(&Error::Api {
            status: 502,
            message: "CF API 429: slow".into()
        }));
        assert!(!is_overload(&Error::Api {
            status: 502,
            message: "CF API 422: bad".into()
        }));
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
