//! Live tail over `rawlog`, shared by `aepipe tail -f` and the explorer: one
//! follow loop ([`follow`]) over one poller ([`Tailer`]).
//!
//! On a real deployment raw records become visible late — up to a minute
//! after their timestamp — and out of order; `rawlog` only filters by
//! timestamp and answers at most 200 records, newest first. So "everything
//! after the newest record seen" loses every record that surfaces late. Each
//! poll therefore reads again the whole *horizon* `[newest - horizon, now]`
//! and keeps a record only when it was not returned before. A record is known
//! by its timestamp, level and stored JSON; identical records in one
//! millisecond are counted, so each copy is returned once. What was returned
//! is remembered only inside the horizon, so memory stays bounded.
//!
//! Reading the horizon again costs `rate × horizon / 200` requests. To keep
//! requests bounded, the horizon is cut into slices that each hold about
//! three quarters of a page of known records (read side by side, a few at a
//! time), and a poll makes at most `max_calls_per_poll` requests: when that
//! is not enough, the newest records come first and the older slices are read
//! by the following polls. Whatever it cannot vouch for it reports as a
//! [`Gap`] — a stretch that left the horizon unread, a millisecond with more
//! records than a page, records arriving nearly a horizon late — and
//! records it cannot place (no valid timestamp) are skipped and counted.
//!
//! The first poll learns the whole horizon, however small the backlog it
//! shows (`tail -n 0` included): a record stamped before the start that is
//! visible then is old, one that surfaces after it is new, and only a tail
//! that knows everything visible in the horizon at its start can tell the
//! two apart. It reads the horizon in slices side by side, then pages back
//! past it only while the backlog wants more lines.
//!
//! The paging and dedup live in [`TailState`] and [`PagedPoll`], which do no
//! I/O and are tested on their own; [`Tailer`] drives them with a [`Client`].

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};

use super::retry::{self, FailureAdvice};
use super::{Client, RawLogEntry, RawLogRequest, Result};
use crate::limits::RAWLOG_MAX_LIMIT;

/// How late a record may become visible and still be shown by default.
pub const DEFAULT_HORIZON: Duration = Duration::from_secs(60);

/// Pages a backlog reads at most while looking for matching records older
/// than the horizon.
const MAX_BACKLOG_PAGES: u32 = 50;

/// Pages the first poll reads at most to learn the whole horizon (what is
/// already visible there is old; what surfaces there later is new): 20,000
/// records, a minute at 333 lines/s.
const MAX_HORIZON_PAGES: u32 = 100;

/// Stretches of the horizon the first poll reads side by side.
const HORIZON_SLICES: i64 = 8;

/// Where a tail starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TailStart {
    /// The first poll returns the newest `n` records, like `tail -n`.
    Backlog(usize),
    /// The first poll returns every record since this time (paging back as far
    /// as needed), then follows.
    Since(DateTime<Utc>),
}

/// How a [`Tailer`] polls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TailOptions {
    /// Page size asked of `rawlog`; capped at 200, the server's maximum.
    pub limit: u32,
    /// How late (after its timestamp) a record may become visible and still
    /// be shown. Longer costs more requests per poll.
    pub horizon: Duration,
    pub start: TailStart,
    /// How often to poll; [`Tailer::poll`] itself does not sleep, [`follow`] does.
    pub interval: Duration,
    /// Most `rawlog` requests of one poll (after the first).
    pub max_calls_per_poll: u32,
    /// Most requests of one poll in flight at once.
    pub concurrency: usize,
}

impl Default for TailOptions {
    fn default() -> Self {
        Self {
            limit: RAWLOG_MAX_LIMIT,
            horizon: DEFAULT_HORIZON,
            start: TailStart::Backlog(0),
            interval: Duration::from_secs(1),
            max_calls_per_poll: 30,
            concurrency: 8,
        }
    }
}

/// What a tail cannot vouch for. Times are Unix milliseconds of the
/// records' timestamps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gap {
    /// Records stamped in `[from_ms, to_ms]` were not all read before they
    /// left the horizon: the call budget is too small for the rate.
    Unread { from_ms: i64, to_ms: i64 },
    /// A full page of records shares this millisecond: any more there cannot
    /// be reached (`rawlog` cannot page inside one millisecond).
    Crowded { at_ms: i64 },
    /// A record showed up `late` after its timestamp, close to the horizon:
    /// records later still would be missed.
    NearHorizon { late: Duration, horizon: Duration },
}

impl std::fmt::Display for Gap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Gap::Unread { from_ms, to_ms } => write!(
                f,
                "records stamped {} to {} may be missing: too many records for the call budget",
                iso_ms(*from_ms),
                iso_ms(*to_ms)
            ),
            Gap::Crowded { at_ms } => write!(
                f,
                "a page or more of records share {}: any beyond a page cannot be read",
                iso_ms(*at_ms)
            ),
            Gap::NearHorizon { late, horizon } => write!(
                f,
                "a record arrived {} s late (horizon {} s): later ones would be missed",
                late.as_secs(),
                horizon.as_secs()
            ),
        }
    }
}

/// What one poll found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TailBatch {
    /// New records, oldest first; each exactly once.
    pub records: Vec<RawLogEntry>,
    pub gaps: Vec<Gap>,
    /// Records skipped because they have no valid timestamp.
    pub malformed: usize,
    /// One of them, as the server sent it (for the message).
    pub malformed_example: Option<String>,
    /// `rawlog` requests this poll made.
    pub calls: u32,
}

/// Polls one logstore's raw logs. Dropping a `poll()` future half-way (e.g. a
/// cancelled task) loses nothing: the state only changes once a poll completes.
#[derive(Debug)]
pub struct Tailer {
    client: Client,
    project: String,
    logstore: String,
    state: TailState,
}

impl Tailer {
    pub fn new(
        client: Client,
        project: impl Into<String>,
        logstore: impl Into<String>,
        options: TailOptions,
    ) -> Self {
        Self {
            client,
            project: project.into(),
            logstore: logstore.into(),
            state: TailState::new(options),
        }
    }

    pub fn options(&self) -> &TailOptions {
        &self.state.options
    }

    /// The records that arrived since the last poll, oldest first; each one
    /// exactly once. Gaps and skipped records are dropped: see [`Tailer::poll_batch`].
    pub async fn poll(&mut self) -> Result<Vec<RawLogEntry>> {
        Ok(self.poll_batch().await?.records)
    }

    /// One poll: the new records, and what it cannot vouch for.
    pub async fn poll_batch(&mut self) -> Result<TailBatch> {
        if self.state.first {
            if let TailStart::Backlog(n) = self.state.options.start {
                return self.backlog_matching(n, |_| true).await;
            }
        }
        let mut poll = self.state.begin(Utc::now().timestamp_millis());
        self.drive(&mut poll, |_| true).await?;
        Ok(self.state.finish(poll))
    }

    /// Start with the newest `n` records that `matches` (paging back as far
    /// as needed, up to 50 pages), then follow. Records that do not match are
    /// remembered too, so later polls never show them as new.
    pub async fn backlog_matching(
        &mut self,
        n: usize,
        matches: impl Fn(&RawLogEntry) -> bool,
    ) -> Result<TailBatch> {
        let mut poll = self.state.begin_backlog(Utc::now().timestamp_millis());
        self.drive(&mut poll, |p| {
            p.collected.iter().filter(|(_, e)| matches(e)).count() >= n
        })
        .await?;
        let mut batch = self.state.finish(poll);
        batch.records.retain(|e| matches(e));
        let skip = batch.records.len().saturating_sub(n);
        batch.records.drain(..skip);
        Ok(batch)
    }

    /// Send the poll's requests, a few at a time, until it is done; a
    /// backlog stops paging past the horizon once it has `enough`.
    async fn drive(&self, poll: &mut PagedPoll, enough: impl Fn(&PagedPoll) -> bool) -> Result<()> {
        let concurrency = self.state.options.concurrency.max(1);
        loop {
            let requests = poll.next_requests(concurrency, !enough(poll));
            if requests.is_empty() {
                return Ok(());
            }
            let answers = futures::future::join_all(
                requests
                    .iter()
                    .map(|(_, r)| self.client.rawlog(&self.project, &self.logstore, r)),
            )
            .await;
            for ((cursor, _), answer) in requests.into_iter().zip(answers) {
                poll.accept(cursor, answer?.logs);
            }
        }
    }
}

/// What the follow loop reports.
#[derive(Debug, Clone, PartialEq)]
pub enum FollowEvent {
    /// A poll succeeded: its new records (possibly none, a sign of life),
    /// gaps and skipped records.
    Batch(TailBatch),
    /// A poll failed; the next try is in `retry_in`.
    Retrying {
        message: String,
        attempt: u32,
        retry_in: Duration,
    },
    /// The tail stopped: retrying cannot help.
    Failed(String),
}

/// Longest wait between polls after failures.
pub const MAX_FOLLOW_BACKOFF: Duration = Duration::from_secs(30);

/// The follow loop of `aepipe tail -f` and the explorer's live tail: poll,
/// report, wait the interval; on failure, ask the failure policy
/// ([`retry::advise`]) and back off or stop. Returns when `report` returns
/// false or after a failure that retrying cannot mend.
pub async fn follow<F, Fut>(mut tailer: Tailer, mut report: F)
where
    F: FnMut(FollowEvent) -> Fut,
    Fut: Future<Output = bool>,
{
    let interval = tailer.options().interval;
    let mut attempt = 0u32;
    loop {
        let wait = match tailer.poll_batch().await {
            Ok(batch) => {
                attempt = 0;
                if !report(FollowEvent::Batch(batch)).await {
                    return;
                }
                interval
            }
            Err(e) => match retry::advise(retry::RequestKind::Poll, &e) {
                FailureAdvice::Retry => {
                    // The client already waited out Retry-After and its own
                    // backoff; the loop backs off further, doubling.
                    attempt = attempt.saturating_add(1);
                    let retry_in = interval
                        .saturating_mul(2u32.saturating_pow((attempt - 1).min(16)))
                        .min(MAX_FOLLOW_BACKOFF);
                    let event = FollowEvent::Retrying {
                        message: retry::describe(&e),
                        attempt,
                        retry_in,
                    };
                    if !report(event).await {
                        return;
                    }
                    retry_in
                }
                FailureAdvice::Never => {
                    report(FollowEvent::Failed(retry::describe(&e))).await;
                    return;
                }
            },
        };
        tokio::time::sleep(wait).await;
    }
}

/// What a tail has already returned, and where the next poll reads.
#[derive(Debug, Clone)]
pub struct TailState {
    options: TailOptions,
    /// Records returned (or deliberately skipped) inside the horizon:
    /// timestamp → identity → how many times.
    seen: BTreeMap<i64, HashMap<String, u32>>,
    /// Newest timestamp returned: the server's clock as far as we know it.
    newest_ms: Option<i64>,
    /// Records older than this are never returned.
    floor_ms: Option<i64>,
    /// An older stretch the last poll's budget did not reach: `(lo, hi)`.
    pending: Option<(i64, i64)>,
    /// Latest lateness reported as a [`Gap::NearHorizon`].
    reported_late_ms: i64,
    /// Crowded milliseconds already reported.
    reported_crowded: BTreeSet<i64>,
    first: bool,
}

/// One range of timestamps read page by page, newest first.
#[derive(Debug, Clone)]
struct Cursor {
    /// Inclusive lower bound; `None`: the server's default window.
    lo: Option<i64>,
    /// Inclusive upper bound of the next page; `None`: now.
    end: Option<i64>,
    done: bool,
    in_flight: bool,
    /// Read only while a backlog wants more records (past the horizon), and
    /// only after every other cursor is done.
    optional: bool,
}

impl Cursor {
    fn new(lo: Option<i64>, end: Option<i64>) -> Self {
        Self {
            lo,
            end,
            done: false,
            in_flight: false,
            optional: false,
        }
    }
}

/// One poll in progress: the pages fetched so far and the next requests.
#[derive(Debug, Clone)]
pub struct PagedPoll {
    limit: u32,
    cursors: Vec<Cursor>,
    calls_left: u32,
    calls: u32,
    /// First poll of a backlog: the newest records matter, not a window.
    backlog: bool,
    /// Records known complete for their timestamp, with their parsed time.
    collected: Vec<(i64, RawLogEntry)>,
    malformed: usize,
    malformed_example: Option<String>,
    crowded: Vec<i64>,
    gaps: Vec<Gap>,
    now_ms: i64,
}

impl TailState {
    pub fn new(mut options: TailOptions) -> Self {
        options.limit = options.limit.clamp(1, RAWLOG_MAX_LIMIT);
        options.max_calls_per_poll = options.max_calls_per_poll.max(1);
        let floor_ms = match options.start {
            TailStart::Since(t) => Some(t.timestamp_millis()),
            TailStart::Backlog(_) => None,
        };
        Self {
            options,
            seen: BTreeMap::new(),
            newest_ms: None,
            floor_ms,
            pending: None,
            reported_late_ms: 0,
            reported_crowded: BTreeSet::new(),
            first: true,
        }
    }

    fn horizon_ms(&self) -> i64 {
        i64::try_from(self.options.horizon.as_millis()).unwrap_or(i64::MAX)
    }

    /// The oldest timestamp the next poll reads: a horizon before the newest
    /// record (or before `now_ms` when that is earlier, so a client clock
    /// running ahead cannot skip records), never before the floor.
    fn window_start(&self, now_ms: i64) -> i64 {
        let base = self.newest_ms.map_or(now_ms, |n| n.min(now_ms));
        let start = base.saturating_sub(self.horizon_ms());
        self.floor_ms.map_or(start, |f| f.max(start))
    }

    /// The first poll of a backlog tail, at client time `now_ms`. It reads
    /// the whole horizon `[now - horizon, now]` (in slices, side by side),
    /// whatever the backlog's size: a record stamped there that is visible
    /// now is old, one that surfaces later is new — which only a tail that
    /// knows the whole horizon can tell apart. Then, when the backlog wants
    /// more, it pages back past the horizon.
    pub fn begin_backlog(&self, now_ms: i64) -> PagedPoll {
        let mut poll = self.empty_poll(now_ms, MAX_HORIZON_PAGES + MAX_BACKLOG_PAGES);
        poll.backlog = true;
        let horizon_lo = now_ms.saturating_sub(self.horizon_ms());
        let step = (self.horizon_ms() / HORIZON_SLICES).max(1);
        // Newest first, so a budget that runs out leaves the oldest unread.
        let mut hi: Option<i64> = None;
        let mut lo = now_ms.saturating_sub(step);
        while lo > horizon_lo {
            poll.cursors.push(Cursor::new(Some(lo), hi));
            hi = Some(lo - 1);
            lo = lo.saturating_sub(step);
        }
        poll.cursors.push(Cursor::new(Some(horizon_lo), hi));
        let mut older = Cursor::new(None, Some(horizon_lo - 1));
        older.optional = true;
        poll.cursors.push(older);
        poll
    }

    fn empty_poll(&self, now_ms: i64, calls_left: u32) -> PagedPoll {
        PagedPoll {
            limit: self.options.limit,
            cursors: Vec::new(),
            calls_left,
            calls: 0,
            backlog: false,
            collected: Vec::new(),
            malformed: 0,
            malformed_example: None,
            crowded: Vec::new(),
            gaps: Vec::new(),
            now_ms,
        }
    }

    /// Start a poll at client time `now_ms`.
    pub fn begin(&self, now_ms: i64) -> PagedPoll {
        if self.first {
            // `Since`: everything from the floor, however many pages.
            let mut poll = self.empty_poll(now_ms, u32::MAX);
            poll.cursors.push(Cursor::new(self.floor_ms, None));
            return poll;
        }
        let mut poll = self.empty_poll(now_ms, self.options.max_calls_per_poll);
        let start = self.window_start(now_ms);
        match self.pending {
            None => self.slice(&mut poll, start, None),
            Some((lo, hi)) => {
                // The newest first, then the stretch the last poll left.
                let top = self
                    .newest_ms
                    .map_or(start, |n| n.saturating_add(1).max(start));
                self.slice(&mut poll, top, None);
                let hi = hi.min(top - 1);
                if lo < start {
                    poll.gaps.push(Gap::Unread {
                        from_ms: lo,
                        to_ms: hi.min(start - 1),
                    });
                }
                if hi >= start {
                    self.slice(&mut poll, lo.max(start), Some(hi));
                }
            }
        }
        poll
    }

    /// Add cursors for `[lo, hi]` (hi `None`: now), newest first, each
    /// holding about three quarters of a page of the records already known
    /// there, so most slices take one request and all can go at once.
    fn slice(&self, poll: &mut PagedPoll, lo: i64, hi: Option<i64>) {
        let per_slice = u64::from(self.options.limit) * 3 / 4;
        let mut cuts = Vec::new();
        let mut in_slice = 0u64;
        let range = match hi {
            Some(hi) if hi < lo => return,
            Some(hi) => self.seen.range(lo..=hi),
            None => self.seen.range(lo..),
        };
        for (ts, ids) in range {
            let n: u64 = ids.values().map(|n| u64::from(*n)).sum();
            if in_slice + n > per_slice && in_slice > 0 {
                cuts.push(*ts);
                in_slice = 0;
            }
            in_slice += n;
        }
        // cuts ascending: slices [lo, c1-1], [c1, c2-1], …, [ck, hi].
        let mut bounds = vec![lo];
        bounds.extend(cuts);
        for (i, from) in bounds.iter().enumerate().rev() {
            let end = match bounds.get(i + 1) {
                Some(next) => Some(next - 1),
                None => hi,
            };
            poll.cursors.push(Cursor::new(Some(*from), end));
        }
    }

    /// Finish a poll: what it fetched beyond what was already returned,
    /// oldest first, and what it cannot vouch for.
    pub fn finish(&mut self, poll: PagedPoll) -> TailBatch {
        let first = std::mem::replace(&mut self.first, false);
        let mut fetched = poll.collected;
        if let Some(floor) = self.floor_ms {
            fetched.retain(|(ts, _)| *ts >= floor);
        }
        let mut gaps = poll.gaps;
        if poll.backlog {
            // Records below what the backlog read are not new: start above
            // the highest millisecond left unread (or partly read). Inside
            // the horizon that happens only when the page budget ran out; the
            // records that surface there late cannot be told from old ones,
            // so that stretch is a gap.
            let unread_horizon = poll
                .cursors
                .iter()
                .filter(|c| !c.done && !c.optional)
                .map(|c| c.end.unwrap_or(poll.now_ms))
                .max();
            let older = poll.cursors.iter().find(|c| c.optional && !c.done);
            let floor_below = match (unread_horizon, older) {
                (Some(hi), _) => {
                    let from_ms = poll.now_ms.saturating_sub(self.horizon_ms());
                    gaps.push(Gap::Unread { from_ms, to_ms: hi });
                    Some(hi)
                }
                (None, Some(c)) => c.end,
                (None, None) => None,
            };
            if let Some(end) = floor_below {
                self.floor_ms = Some(end + 1);
                fetched.retain(|(ts, _)| *ts > end);
            }
        }
        // Oldest first; the server sends newest first, so reversing keeps the
        // server's order among records of the same millisecond.
        fetched.reverse();
        fetched.sort_by_key(|(ts, _)| *ts);

        let newest_before = self.newest_ms;
        let mut fresh = Vec::new();
        let mut counts: HashMap<(i64, String), u32> = HashMap::new();
        for (ts, entry) in fetched {
            let id = identity(&entry);
            let n = counts.entry((ts, id.clone())).or_insert(0);
            *n += 1;
            let seen = self.seen.entry(ts).or_default().entry(id).or_insert(0);
            if *n > *seen {
                *seen = *n;
                fresh.push((ts, entry));
            }
        }
        if let Some(newest) = fresh.iter().map(|(ts, _)| *ts).max() {
            self.newest_ms = Some(self.newest_ms.map_or(newest, |n| n.max(newest)));
        }
        if !first {
            // How late the latest arrival is, by the server's clock (the
            // newest record), not ours.
            if let (Some(newest), Some(oldest_fresh)) =
                (newest_before, fresh.iter().map(|(ts, _)| *ts).min())
            {
                let late = newest.saturating_sub(oldest_fresh);
                if late > self.horizon_ms() * 3 / 4 && late > self.reported_late_ms {
                    self.reported_late_ms = late;
                    gaps.push(Gap::NearHorizon {
                        late: Duration::from_millis(u64::try_from(late).unwrap_or(0)),
                        horizon: self.options.horizon,
                    });
                }
            }
        }
        for at_ms in poll.crowded {
            if self.reported_crowded.insert(at_ms) {
                gaps.push(Gap::Crowded { at_ms });
            }
        }
        // The stretch this poll did not reach, for the next one.
        let left: Vec<(i64, i64)> = poll
            .cursors
            .iter()
            .filter(|c| !c.done && !poll.backlog && !first)
            .map(|c| {
                let lo = c.lo.unwrap_or(i64::MIN);
                (lo, c.end.unwrap_or(i64::MAX).max(lo))
            })
            .collect();
        self.pending = left.iter().fold(None, |acc, &(lo, hi)| match acc {
            None => Some((lo, hi)),
            Some((a, b)) => Some((a.min(lo), b.max(hi))),
        });
        let keep_from = self.window_start(poll.now_ms.max(self.newest_ms.unwrap_or(0)));
        self.seen = self.seen.split_off(&keep_from);
        self.reported_crowded = self.reported_crowded.split_off(&keep_from);
        TailBatch {
            records: fresh.into_iter().map(|(_, e)| e).collect(),
            gaps,
            malformed: poll.malformed,
            malformed_example: poll.malformed_example,
            calls: poll.calls,
        }
    }

    /// How many distinct timestamps the dedup memory holds (bounded by the horizon).
    pub fn remembered(&self) -> usize {
        self.seen.len()
    }
}

impl PagedPoll {
    /// The next requests: at most `max` (and what the budget allows), each
    /// with the index of its cursor for [`PagedPoll::accept`]. A backlog
    /// pages past the horizon only once the horizon is read and while
    /// `want_older`.
    pub fn next_requests(&mut self, max: usize, want_older: bool) -> Vec<(usize, RawLogRequest)> {
        let required_done = self.cursors.iter().all(|c| c.optional || c.done);
        let mut out = Vec::new();
        for (i, c) in self.cursors.iter_mut().enumerate() {
            if out.len() >= max || self.calls_left == 0 {
                break;
            }
            if c.done || c.in_flight || (c.optional && !(required_done && want_older)) {
                continue;
            }
            c.in_flight = true;
            self.calls_left -= 1;
            self.calls += 1;
            out.push((
                i,
                RawLogRequest {
                    limit: Some(self.limit),
                    start: c.lo.map(iso_ms),
                    end: c.end.map(iso_ms),
                },
            ));
        }
        out
    }

    /// Take the page (newest first, as the server sends it) asked by
    /// cursor `i`'s request.
    pub fn accept(&mut self, i: usize, page: Vec<RawLogEntry>) {
        let Some(c) = self.cursors.get_mut(i) else {
            return;
        };
        c.in_flight = false;
        let full = page.len() >= self.limit as usize;
        let mut parsed = Vec::with_capacity(page.len());
        for entry in page {
            let Some(ts) = parse_ts(&entry.timestamp) else {
                // A telemetry event without a time cannot be placed in a
                // window or told apart from a later copy: count and skip.
                self.malformed += 1;
                if self.malformed_example.is_none() {
                    self.malformed_example = serde_json::to_string(&entry).ok();
                }
                continue;
            };
            let inside = c.lo.is_none_or(|s| ts >= s) && c.end.is_none_or(|e| ts <= e);
            if inside {
                parsed.push((ts, entry));
            }
        }
        let Some(oldest) = parsed.iter().map(|(ts, _)| *ts).min() else {
            c.done = true;
            return;
        };
        if !full {
            self.collected.extend(parsed);
            c.done = true;
            return;
        }
        if c.end == Some(oldest) && parsed.iter().all(|(ts, _)| *ts == oldest) {
            // More than `limit` records in one millisecond: no `end` can page
            // past them, so keep this page and go on below that millisecond.
            self.collected.extend(parsed);
            self.crowded.push(oldest);
            c.end = Some(oldest - 1);
        } else {
            // Records at `oldest` may be partial; the next page (end = oldest,
            // inclusive) brings them whole.
            self.collected
                .extend(parsed.into_iter().filter(|(ts, _)| *ts > oldest));
            c.end = Some(oldest);
        }
        c.done = c.lo.is_some_and(|s| c.end.is_some_and(|e| e < s));
    }
}

/// What makes two records the same line: level and stored JSON (timestamps
/// are compared separately).
fn identity(entry: &RawLogEntry) -> String {
    let mut id = entry.level.clone();
    id.push('\u{1f}');
    id.push_str(&entry.data.to_string());
    id
}

fn parse_ts(ts: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(ts)
        .ok()
        .map(|t| t.timestamp_millis())
}

/// A Unix-ms time as the ISO-8601 UTC string `rawlog` takes.
pub fn iso_ms(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// What to say of a head sampling rate below 1 (the CLI and the explorer
/// say the same).
pub fn sampling_note(rate: Option<f64>) -> Option<String> {
    let rate = rate.filter(|r| *r < 1.0)?;
    Some(format!(
        "raw logs are head-sampled at {}% by this deployment (Workers Logs): \
         about 1 write in {:.0} appears here; the others are never shown",
        percent(rate),
        (1.0 / rate).round()
    ))
}

/// A rate as a short percentage: 25, 2.5, 0.1.
pub fn percent(rate: f64) -> String {
    let p = rate * 100.0;
    if p >= 10.0 {
        format!("{p:.0}")
    } else {
        let s = format!("{p:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn sampling_is_said_in_plain_numbers() {
        assert_eq!(sampling_note(None), None);
        assert_eq!(sampling_note(Some(1.0)), None);
        let note = sampling_note(Some(0.25)).unwrap();
        assert!(
            note.contains("25%") && note.contains("1 write in 4"),
            "{note}"
        );
        assert_eq!(percent(0.025), "2.5");
        assert_eq!(percent(0.001), "0.1");
        assert_eq!(percent(0.5), "50");
    }
    use super::*;
    use serde_json::json;

    /// An in-memory rawlog with the local server's semantics: newest first,
    /// `start <= ts <= end` inclusive, at most `limit`, and each record
    /// visible only from its `visible_at` on (the realistic mode).
    #[derive(Default)]
    struct FakeLog {
        /// (ts, visible_at, entry)
        records: Vec<(i64, i64, RawLogEntry)>,
        requests: usize,
        now: i64,
    }

    impl FakeLog {
        fn write(&mut self, ts: i64, msg: &str) {
            self.write_late(ts, 0, msg);
        }
        fn write_late(&mut self, ts: i64, delay: i64, msg: &str) {
            self.records.push((
                ts,
                ts + delay,
                RawLogEntry {
                    timestamp: iso_ms(ts),
                    level: "info".into(),
                    data: json!({ "message": msg }),
                },
            ));
        }
        fn answer(&mut self, req: &RawLogRequest) -> Vec<RawLogEntry> {
            self.requests += 1;
            let ms = |s: &Option<String>| s.as_deref().map(|s| parse_ts(s).unwrap());
            let (start, end) = (ms(&req.start), ms(&req.end));
            let now = self.now;
            let mut hits: Vec<_> = self
                .records
                .iter()
                .enumerate()
                .filter(|(_, (ts, vis, _))| {
                    *vis <= now && start.is_none_or(|s| *ts >= s) && end.is_none_or(|e| *ts <= e)
                })
                .map(|(i, (ts, _, e))| (*ts, i, e.clone()))
                .collect();
            hits.sort_by_key(|(ts, i, _)| std::cmp::Reverse((*ts, *i)));
            hits.truncate(req.limit.unwrap_or(50) as usize);
            hits.into_iter().map(|(_, _, e)| e).collect()
        }
        /// One poll as [`Tailer::poll_batch`] makes it.
        fn batch(&mut self, state: &mut TailState) -> TailBatch {
            let backlog = match state.options.start {
                TailStart::Backlog(n) if state.first => Some(n),
                _ => None,
            };
            let mut poll = match backlog {
                Some(_) => state.begin_backlog(self.now),
                None => state.begin(self.now),
            };
            loop {
                let want_older = backlog.is_some_and(|n| poll.collected.len() < n);
                let reqs = poll.next_requests(3, want_older);
                if reqs.is_empty() {
                    break;
                }
                for (i, r) in reqs {
                    let page = self.answer(&r);
                    poll.accept(i, page);
                }
            }
            let mut batch = state.finish(poll);
            if let Some(n) = backlog {
                let skip = batch.records.len().saturating_sub(n);
                batch.records.drain(..skip);
            }
            batch
        }
        fn poll(&mut self, state: &mut TailState) -> Vec<String> {
            self.batch(state)
                .records
                .into_iter()
                .map(|e| e.data["message"].as_str().unwrap().to_string())
                .collect()
        }
    }

    fn opts(limit: u32, start: TailStart) -> TailOptions {
        TailOptions {
            limit,
            horizon: Duration::from_secs(10),
            start,
            interval: Duration::from_secs(1),
            max_calls_per_poll: 1_000,
            concurrency: 3,
        }
    }

    #[test]
    fn backlog_then_only_new_lines() {
        let mut log = FakeLog {
            now: 2_000,
            ..FakeLog::default()
        };
        for i in 0..10 {
            log.write(1_000 + i, &format!("old{i}"));
        }
        let mut state = TailState::new(opts(200, TailStart::Backlog(3)));
        assert_eq!(log.poll(&mut state), ["old7", "old8", "old9"]);
        assert!(log.poll(&mut state).is_empty());
        log.write(1_010, "new0");
        log.write(1_010, "new1");
        assert_eq!(log.poll(&mut state), ["new0", "new1"]);
        assert!(log.poll(&mut state).is_empty());
    }

    #[test]
    fn pages_back_when_more_than_limit_arrive() {
        let mut log = FakeLog {
            now: 10_000,
            ..FakeLog::default()
        };
        log.write(500, "before");
        let mut state = TailState::new(opts(10, TailStart::Backlog(0)));
        assert!(log.poll(&mut state).is_empty());
        // 95 lines, several per millisecond, between two polls.
        let written: Vec<String> = (0..95).map(|i| format!("l{i}")).collect();
        for (i, m) in written.iter().enumerate() {
            log.write(600 + (i as i64) / 3, m);
        }
        let before = log.requests;
        let got = log.poll(&mut state);
        assert_eq!(got, written);
        assert!(log.requests - before >= 10, "it paged back");
        assert!(log.poll(&mut state).is_empty());
    }

    #[test]
    fn identical_lines_in_one_millisecond_are_each_returned_once() {
        let mut log = FakeLog {
            now: 5_000,
            ..FakeLog::default()
        };
        let mut state = TailState::new(opts(4, TailStart::Backlog(0)));
        assert!(log.poll(&mut state).is_empty());
        for _ in 0..3 {
            log.write(2_000, "same");
        }
        assert_eq!(log.poll(&mut state), ["same", "same", "same"]);
        log.write(2_000, "same");
        assert_eq!(log.poll(&mut state), ["same"], "a late twin is new");
        assert!(log.poll(&mut state).is_empty());
    }

    #[test]
    fn more_than_limit_in_one_millisecond_is_reported_as_a_gap() {
        let mut log = FakeLog {
            now: 5_000,
            ..FakeLog::default()
        };
        let mut state = TailState::new(opts(5, TailStart::Backlog(0)));
        assert!(log.poll(&mut state).is_empty());
        for i in 0..3 {
            log.write(2_999, &format!("a{i}"));
        }
        for i in 0..7 {
            log.write(3_000, &format!("b{i}"));
        }
        let batch = log.batch(&mut state);
        let got: Vec<_> = batch
            .records
            .iter()
            .map(|e| e.data["message"].clone())
            .collect();
        // 7 lines in one ms with pages of 5: 5 of them are reachable.
        assert_eq!(
            got.iter()
                .filter(|m| m.as_str().unwrap().starts_with('b'))
                .count(),
            5
        );
        assert_eq!(got[..3], [json!("a0"), json!("a1"), json!("a2")]);
        assert_eq!(batch.gaps, [Gap::Crowded { at_ms: 3_000 }]);
        assert!(log.batch(&mut state).gaps.is_empty(), "reported once");
    }

    #[test]
    fn late_and_out_of_order_records_inside_the_horizon_are_caught_once() {
        let mut log = FakeLog {
            now: 100_000,
            ..FakeLog::default()
        };
        let mut state = TailState::new(opts(20, TailStart::Backlog(0)));
        assert!(log.poll(&mut state).is_empty());
        // 300 lines over 3 s, each visible up to 8 s late (horizon 10 s).
        let mut shown = Vec::new();
        for i in 0..300i64 {
            let delay = (i * 7919) % 8_000;
            log.write_late(100_000 + i * 10, delay, &format!("m{i}"));
        }
        for step in 0..15 {
            log.now = 100_000 + step * 1_000;
            shown.extend(log.poll(&mut state));
        }
        let mut sorted = shown.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), shown.len(), "none doubled");
        assert_eq!(shown.len(), 300, "none lost");
        assert!(state.remembered() <= 400);
    }

    #[test]
    fn a_budget_too_small_for_the_rate_says_where_it_may_miss() {
        let mut log = FakeLog {
            now: 0,
            ..FakeLog::default()
        };
        let mut state = TailState::new(TailOptions {
            max_calls_per_poll: 2,
            ..opts(10, TailStart::Backlog(0))
        });
        assert!(log.poll(&mut state).is_empty());
        let mut gaps = Vec::new();
        let mut shown = Vec::new();
        for step in 0..40i64 {
            log.now = step * 1_000;
            for i in 0..100 {
                // Visible 5 s late: only a rescan of older stretches sees them.
                log.write_late(log.now + i, 5_000, &format!("s{step}-{i}"));
            }
            let b = log.batch(&mut state);
            shown.extend(b.records.into_iter().map(|e| e.data["message"].to_string()));
            gaps.extend(b.gaps);
        }
        let n = shown.len();
        shown.sort();
        shown.dedup();
        assert_eq!(shown.len(), n, "none doubled even when behind");
        assert!(
            gaps.iter().any(|g| matches!(g, Gap::Unread { .. })),
            "{gaps:?}"
        );
    }

    #[test]
    fn since_returns_everything_from_then_and_memory_stays_bounded() {
        let mut log = FakeLog {
            now: 20_000,
            ..FakeLog::default()
        };
        for i in 0..1_000 {
            log.write(i * 10, &format!("m{i}"));
        }
        let since = Utc.timestamp_millis_opt(5_000).unwrap();
        let mut state = TailState::new(TailOptions {
            horizon: Duration::from_millis(500),
            ..opts(200, TailStart::Since(since))
        });
        let got = log.poll(&mut state);
        assert_eq!(got.len(), 500);
        assert_eq!(got[0], "m500");
        assert_eq!(got[499], "m999");
        assert!(state.remembered() <= 51, "{}", state.remembered());
    }

    #[test]
    fn full_backlog_page_starts_after_its_partial_millisecond() {
        let mut log = FakeLog {
            now: 1_000,
            ..FakeLog::default()
        };
        for i in 0..4 {
            log.write(100, &format!("x{i}"));
        }
        log.write(101, "y");
        log.write(102, "z");
        let mut state = TailState::new(opts(5, TailStart::Backlog(2)));
        // The page: z, y and three of the four x; x's millisecond is partial.
        assert_eq!(log.poll(&mut state), ["y", "z"]);
        assert!(log.poll(&mut state).is_empty(), "x never appears");
        log.write(103, "w");
        assert_eq!(log.poll(&mut state), ["w"]);
    }

    #[test]
    fn records_stamped_before_the_start_that_surface_later_are_new() {
        // A busy log: far more than a page is visible when the tail starts.
        let mut log = FakeLog {
            now: 50_000,
            ..FakeLog::default()
        };
        for i in 0..100 {
            log.write(41_000 + i * 90, &format!("old{i}"));
        }
        // Written before the start, stamped 8 s and 1 s before it, visible
        // only after it (late, out of order).
        log.write_late(42_000, 12_000, "late-a");
        log.write_late(49_000, 3_000, "late-b");
        let mut state = TailState::new(opts(10, TailStart::Backlog(0)));
        let first = log.batch(&mut state);
        assert!(first.records.is_empty(), "{:?}", first.records);
        assert!(first.gaps.is_empty(), "{:?}", first.gaps);
        log.now = 52_500;
        assert_eq!(log.poll(&mut state), ["late-b"]);
        log.now = 55_000;
        log.write(54_500, "new");
        assert_eq!(log.poll(&mut state), ["late-a", "new"]);
        assert!(log.poll(&mut state).is_empty());
    }

    #[test]
    fn a_backlog_pages_back_past_the_horizon_only_for_more_lines() {
        let mut log = FakeLog {
            now: 100_000,
            ..FakeLog::default()
        };
        for i in 0..6 {
            log.write(10_000 + i, &format!("ancient{i}"));
        }
        log.write(95_000, "recent");
        let mut state = TailState::new(opts(2, TailStart::Backlog(4)));
        assert_eq!(
            log.poll(&mut state),
            ["ancient3", "ancient4", "ancient5", "recent"]
        );
        let mut state = TailState::new(opts(2, TailStart::Backlog(1)));
        let before = log.requests;
        assert_eq!(log.poll(&mut state), ["recent"]);
        assert_eq!(
            log.requests - before,
            8,
            "one request per horizon slice, none past it"
        );
    }

    #[test]
    fn a_horizon_too_busy_for_the_first_poll_is_a_gap_not_old_lines() {
        let mut log = FakeLog {
            now: 100_000,
            ..FakeLog::default()
        };
        // More records in the horizon than the first poll's page budget.
        let n = (MAX_HORIZON_PAGES + MAX_BACKLOG_PAGES) as i64 * 2;
        for i in 0..n {
            log.write(95_000 + i, &format!("old{i}"));
        }
        let mut state = TailState::new(opts(1, TailStart::Backlog(0)));
        let first = log.batch(&mut state);
        assert!(first.records.is_empty());
        assert!(
            first.gaps.iter().any(|g| matches!(
                g,
                Gap::Unread {
                    from_ms: 90_000,
                    ..
                }
            )),
            "{:?}",
            first.gaps
        );
        log.now = 100_500;
        log.write(100_400, "new");
        let mut shown = Vec::new();
        for _ in 0..5 {
            shown.extend(log.poll(&mut state));
        }
        assert_eq!(shown, ["new"], "no old line comes back as new");
    }

    #[test]
    fn records_without_a_time_are_skipped_and_counted() {
        let mut log = FakeLog {
            now: 1_000,
            ..FakeLog::default()
        };
        let mut state = TailState::new(opts(200, TailStart::Backlog(0)));
        assert!(log.poll(&mut state).is_empty());
        log.write(500, "ok");
        let mut poll = state.begin(log.now);
        let reqs = poll.next_requests(1, false);
        let mut page = log.answer(&reqs[0].1);
        page.push(RawLogEntry {
            timestamp: String::new(),
            level: "info".into(),
            data: json!("some text"),
        });
        page.push(RawLogEntry {
            timestamp: "yesterday".into(),
            level: "info".into(),
            data: json!({}),
        });
        poll.accept(reqs[0].0, page);
        let batch = state.finish(poll);
        assert_eq!(batch.records.len(), 1);
        assert_eq!(batch.malformed, 2);
        assert!(batch.malformed_example.unwrap().contains("some text"));
    }

    #[test]
    fn iso_ms_round_trips() {
        let s = iso_ms(1_795_745_735_123);
        assert!(s.ends_with(".123Z"), "{s}");
        assert_eq!(parse_ts(&s), Some(1_795_745_735_123));
        assert!(parse_ts("yesterday").is_none());
        assert!(parse_ts("").is_none());
    }
}
