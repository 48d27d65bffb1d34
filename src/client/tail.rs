//! Live tail over `rawlog`, shared by `aepipe tail -f` and the explorer.
//!
//! `rawlog` answers the newest `limit` (≤ 200) records of `start <= ts <= end`
//! newest first. A tail must print every record once, in order, even when far
//! more than `limit` arrive between two polls. So each poll:
//! 1. asks for everything from a little before the newest record already seen
//!    (the *overlap*, because a record stamped earlier may become visible
//!    later) up to now;
//! 2. when a page comes back full, pages back by lowering `end` to the page's
//!    oldest timestamp (inclusive, so records sharing that millisecond are
//!    fetched again whole and the partial copy is dropped);
//! 3. compares what it fetched with a multiset of what it already returned in
//!    the overlap (identical lines in the same millisecond are each counted),
//!    and returns only the surplus, oldest first.
//!
//! The paging and dedup live in [`TailState`] and [`PagedPoll`], which do no
//! I/O and are tested on their own; [`Tailer`] drives them with a [`Client`].

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};

use super::{Client, Error, RawLogEntry, RawLogRequest, Result};
use crate::limits::RAWLOG_MAX_LIMIT;

/// Where a tail starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TailStart {
    /// The first poll returns the newest `n` records (≤ `limit`), like `tail -n`.
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
    /// How far before the newest record seen each poll looks again, to catch
    /// records that became visible late. Longer costs more requests per poll.
    pub overlap: Duration,
    pub start: TailStart,
    /// How often the caller should poll; [`Tailer::poll`] itself does not sleep.
    pub interval: Duration,
}

impl Default for TailOptions {
    fn default() -> Self {
        Self {
            limit: RAWLOG_MAX_LIMIT,
            overlap: Duration::from_secs(2),
            start: TailStart::Backlog(0),
            interval: Duration::from_secs(1),
        }
    }
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
    /// exactly once.
    pub async fn poll(&mut self) -> Result<Vec<RawLogEntry>> {
        let mut poll = self.state.begin();
        loop {
            let page = self
                .client
                .rawlog(&self.project, &self.logstore, &poll.request())
                .await?;
            if !poll.accept(page.logs)? {
                break;
            }
        }
        Ok(self.state.finish(poll))
    }
}

/// What a tail has already returned, and where the next poll starts.
#[derive(Debug, Clone)]
pub struct TailState {
    options: TailOptions,
    /// Records returned (or deliberately skipped) at or after `newest - overlap`:
    /// timestamp → identity → how many times.
    seen: BTreeMap<i64, HashMap<String, u32>>,
    newest_ms: Option<i64>,
    /// Records older than this are never returned.
    floor_ms: Option<i64>,
    first: bool,
}

/// One poll in progress: the pages fetched so far and the next request.
#[derive(Debug, Clone)]
pub struct PagedPoll {
    limit: u32,
    start_ms: Option<i64>,
    end_ms: Option<i64>,
    /// First poll of a backlog tail: one page only, no paging back.
    single_page: bool,
    /// Records known complete for their timestamp, with their parsed time.
    collected: Vec<(i64, RawLogEntry)>,
    /// A single page was full: the oldest timestamp is partial.
    truncated_at: Option<i64>,
}

impl TailState {
    pub fn new(mut options: TailOptions) -> Self {
        options.limit = options.limit.clamp(1, RAWLOG_MAX_LIMIT);
        let floor_ms = match options.start {
            TailStart::Since(t) => Some(t.timestamp_millis()),
            TailStart::Backlog(_) => None,
        };
        Self {
            options,
            seen: BTreeMap::new(),
            newest_ms: None,
            floor_ms,
            first: true,
        }
    }

    /// Start a poll: from the overlap before the newest record seen (or the
    /// floor, or the server's default window when nothing was seen yet).
    pub fn begin(&self) -> PagedPoll {
        let overlap_ms = i64::try_from(self.options.overlap.as_millis()).unwrap_or(i64::MAX);
        let from_newest = self.newest_ms.map(|n| n.saturating_sub(overlap_ms));
        let start_ms = match (from_newest, self.floor_ms) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        PagedPoll {
            limit: self.options.limit,
            start_ms,
            end_ms: None,
            single_page: self.first && matches!(self.options.start, TailStart::Backlog(_)),
            collected: Vec::new(),
            truncated_at: None,
        }
    }

    /// Finish a poll: what it fetched beyond what was already returned, oldest first.
    pub fn finish(&mut self, poll: PagedPoll) -> Vec<RawLogEntry> {
        let first = std::mem::replace(&mut self.first, false);
        let mut fetched = poll.collected;
        if let Some(floor) = self.floor_ms {
            fetched.retain(|(ts, _)| *ts >= floor);
        }
        if let Some(t) = poll.truncated_at {
            // The backlog page was full: it holds the newest records (so the
            // backlog shown is right), but those of its oldest millisecond may
            // be partial. Never look at that millisecond again, or its unseen
            // records would show up later as new.
            self.floor_ms = Some(t + 1);
        }
        // Oldest first; the server sends newest first, so reversing keeps the
        // server's order among records of the same millisecond.
        fetched.reverse();
        fetched.sort_by_key(|(ts, _)| *ts);

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
        if let Some(newest) = self.newest_ms {
            let overlap_ms = i64::try_from(self.options.overlap.as_millis()).unwrap_or(i64::MAX);
            let keep_from = newest.saturating_sub(overlap_ms);
            self.seen = self.seen.split_off(&keep_from);
        }
        self.seen.retain(|_, ids| !ids.is_empty());

        if first {
            if let TailStart::Backlog(n) = self.options.start {
                let skip = fresh.len().saturating_sub(n);
                fresh.drain(..skip);
            }
        }
        fresh.into_iter().map(|(_, e)| e).collect()
    }

    /// How many distinct timestamps the dedup memory holds (bounded by the overlap).
    pub fn remembered(&self) -> usize {
        self.seen.len()
    }
}

impl PagedPoll {
    /// The next `rawlog` request of this poll.
    pub fn request(&self) -> RawLogRequest {
        RawLogRequest {
            limit: Some(self.limit),
            start: self.start_ms.map(iso_ms),
            end: self.end_ms.map(iso_ms),
        }
    }

    /// Take one page (newest first, as the server sends it). Returns true when
    /// another, older page is needed.
    pub fn accept(&mut self, page: Vec<RawLogEntry>) -> Result<bool> {
        let full = page.len() >= self.limit as usize;
        let mut parsed = Vec::with_capacity(page.len());
        for entry in page {
            let ts = parse_ts(&entry.timestamp)?;
            let inside =
                self.start_ms.is_none_or(|s| ts >= s) && self.end_ms.is_none_or(|e| ts <= e);
            if inside {
                parsed.push((ts, entry));
            }
        }
        let Some(oldest) = parsed.iter().map(|(ts, _)| *ts).min() else {
            return Ok(false);
        };
        if !full {
            self.collected.extend(parsed);
            return Ok(false);
        }
        if self.single_page {
            self.collected.extend(parsed);
            self.truncated_at = Some(oldest);
            return Ok(false);
        }
        if self.end_ms == Some(oldest) && parsed.iter().all(|(ts, _)| *ts == oldest) {
            // More than `limit` records in one millisecond: no `end` can page
            // past them, so keep this page and go on below that millisecond.
            self.collected.extend(parsed);
            self.end_ms = Some(oldest - 1);
        } else {
            // Records at `oldest` may be partial; the next page (end = oldest,
            // inclusive) brings them whole.
            self.collected
                .extend(parsed.into_iter().filter(|(ts, _)| *ts > oldest));
            self.end_ms = Some(oldest);
        }
        Ok(self
            .start_ms
            .is_none_or(|s| self.end_ms.is_some_and(|e| e >= s)))
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

fn parse_ts(ts: &str) -> Result<i64> {
    DateTime::parse_from_rfc3339(ts)
        .map(|t| t.timestamp_millis())
        .map_err(|e| Error::Decode {
            body: ts.to_string(),
            path: "logs[].timestamp".to_string(),
            message: format!("not an ISO-8601 timestamp: {e}"),
        })
}

/// A Unix-ms time as the ISO-8601 UTC string `rawlog` takes.
pub fn iso_ms(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// An in-memory rawlog with the local server's semantics: newest first,
    /// `start <= ts <= end` inclusive, at most `limit`.
    #[derive(Default)]
    struct FakeLog {
        records: Vec<(i64, RawLogEntry)>,
        requests: usize,
    }

    impl FakeLog {
        fn write(&mut self, ts: i64, msg: &str) {
            self.records.push((
                ts,
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
            // Newest first; among equal timestamps the latest written first
            // (as an `ORDER BY ts DESC, rowid DESC` would).
            let mut hits: Vec<_> = self
                .records
                .iter()
                .enumerate()
                .filter(|(_, (ts, _))| {
                    start.is_none_or(|s| *ts >= s) && end.is_none_or(|e| *ts <= e)
                })
                .map(|(i, (ts, e))| (*ts, i, e.clone()))
                .collect();
            hits.sort_by_key(|(ts, i, _)| std::cmp::Reverse((*ts, *i)));
            hits.truncate(req.limit.unwrap_or(50) as usize);
            hits.into_iter().map(|(_, _, e)| e).collect()
        }
        fn poll(&mut self, state: &mut TailState) -> Vec<String> {
            let mut poll = state.begin();
            while poll.accept(self.answer(&poll.request())).unwrap() {}
            state
                .finish(poll)
                .into_iter()
                .map(|e| e.data["message"].as_str().unwrap().to_string())
                .collect()
        }
    }

    fn opts(limit: u32, start: TailStart) -> TailOptions {
        TailOptions {
            limit,
            overlap: Duration::from_millis(500),
            start,
            interval: Duration::from_secs(1),
        }
    }

    #[test]
    fn backlog_then_only_new_lines() {
        let mut log = FakeLog::default();
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
        let mut log = FakeLog::default();
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
        let mut log = FakeLog::default();
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
    fn more_than_limit_in_one_millisecond_still_progresses() {
        let mut log = FakeLog::default();
        let mut state = TailState::new(opts(5, TailStart::Backlog(0)));
        assert!(log.poll(&mut state).is_empty());
        for i in 0..3 {
            log.write(2_999, &format!("a{i}"));
        }
        for i in 0..7 {
            log.write(3_000, &format!("b{i}"));
        }
        let got = log.poll(&mut state);
        // 7 lines in one ms with pages of 5: 5 of them are reachable.
        assert_eq!(got.iter().filter(|m| m.starts_with('b')).count(), 5);
        assert_eq!(&got[..3], ["a0", "a1", "a2"]);
    }

    #[test]
    fn late_record_inside_the_overlap_is_caught() {
        let mut log = FakeLog::default();
        let mut state = TailState::new(opts(200, TailStart::Backlog(0)));
        log.write(10_000, "a");
        assert!(log.poll(&mut state).is_empty());
        log.write(10_100, "b");
        assert_eq!(log.poll(&mut state), ["b"]);
        // Stamped before "b" but visible only now.
        log.write(10_050, "late");
        assert_eq!(log.poll(&mut state), ["late"]);
        assert!(log.poll(&mut state).is_empty());
    }

    #[test]
    fn since_returns_everything_from_then_and_memory_stays_bounded() {
        let mut log = FakeLog::default();
        for i in 0..1_000 {
            log.write(i * 10, &format!("m{i}"));
        }
        let since = Utc.timestamp_millis_opt(5_000).unwrap();
        let mut state = TailState::new(opts(200, TailStart::Since(since)));
        let got = log.poll(&mut state);
        assert_eq!(got.len(), 500);
        assert_eq!(got[0], "m500");
        assert_eq!(got[499], "m999");
        assert!(state.remembered() <= 51, "{}", state.remembered());
    }

    #[test]
    fn full_backlog_page_starts_after_its_partial_millisecond() {
        let mut log = FakeLog::default();
        for i in 0..6 {
            log.write(100, &format!("x{i}"));
        }
        log.write(101, "y");
        let mut state = TailState::new(opts(5, TailStart::Backlog(100)));
        // The page: y and the newest 4 of the six x.
        assert_eq!(log.poll(&mut state), ["x2", "x3", "x4", "x5", "y"]);
        assert!(log.poll(&mut state).is_empty(), "x0 and x1 never appear");
        log.write(102, "z");
        assert_eq!(log.poll(&mut state), ["z"]);
    }

    #[test]
    fn backlog_inside_one_busy_millisecond() {
        let mut log = FakeLog::default();
        for i in 0..300 {
            log.write(7_000, &format!("b{i}"));
        }
        let mut state = TailState::new(opts(200, TailStart::Backlog(3)));
        assert_eq!(log.poll(&mut state), ["b297", "b298", "b299"]);
        assert!(log.poll(&mut state).is_empty());
        log.write(7_001, "next");
        assert_eq!(log.poll(&mut state), ["next"]);
    }

    #[test]
    fn iso_ms_round_trips() {
        let s = iso_ms(1_795_745_735_123);
        assert!(s.ends_with(".123Z"), "{s}");
        assert_eq!(parse_ts(&s).unwrap(), 1_795_745_735_123);
        assert!(parse_ts("yesterday").is_err());
    }
}
