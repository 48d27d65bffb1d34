//! Which payloads to ask for, and when. Moving through the grid calls `want`
//! on every step; nothing is sent until the selection rests for the debounce
//! delay, then one `detail` call asks for the selected row's ref_id and the
//! other visible rows' (at most 100), skipping what is cached or already on
//! its way. Answers are kept by ref_id, so a late answer is still useful and
//! can never show under the wrong row.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::cache::{Cached, PayloadCache};
use crate::client::{self, DetailEntry, DetailResult};
use crate::limits::MAX_REF_IDS;

/// Wait this long after the last move before fetching.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(150);

/// A failed ref_id is asked for again when the selection moves after this
/// long, so one network hiccup does not leave every prefetched row failed.
pub const RETRY_FAILED_AFTER: Duration = Duration::from_secs(5);

/// Ask the host to call `client.detail(project, logstore, &ref_ids)` and
/// give the answer back with `req_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadRequest {
    pub req_id: u64,
    pub ref_ids: Vec<String>,
}

/// Why a `detail` call gave no payloads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayloadError {
    /// The server answered 501: it keeps no payloads at all.
    NoStorage,
    Failed(String),
}

impl From<&client::Error> for PayloadError {
    fn from(e: &client::Error) -> Self {
        match e.status() {
            Some(501) => PayloadError::NoStorage,
            _ => PayloadError::Failed(e.to_string()),
        }
    }
}

impl From<client::Error> for PayloadError {
    fn from(e: client::Error) -> Self {
        PayloadError::from(&e)
    }
}

/// What can be said about one ref_id right now.
#[derive(Debug, Clone, PartialEq)]
pub enum PayloadStatus {
    Loading,
    Found(DetailEntry),
    /// Not found or expired.
    Missing,
    NoStorage,
    Failed(String),
}

#[derive(Debug)]
pub struct FetchPlanner {
    cache: PayloadCache,
    debounce: Duration,
    due: Option<Instant>,
    wanted: Vec<String>,
    in_flight: HashMap<u64, Vec<String>>,
    /// Why and when fetching a ref_id failed.
    failed: HashMap<String, (String, Instant)>,
    no_storage: bool,
    next_req: u64,
}

impl Default for FetchPlanner {
    fn default() -> Self {
        Self::new(DEFAULT_DEBOUNCE, PayloadCache::default())
    }
}

impl FetchPlanner {
    pub fn new(debounce: Duration, cache: PayloadCache) -> Self {
        Self {
            cache,
            debounce,
            due: None,
            wanted: Vec::new(),
            in_flight: HashMap::new(),
            failed: HashMap::new(),
            no_storage: false,
            next_req: 1,
        }
    }

    /// The selection moved: plan a fetch of `selected` then `visible`
    /// ref_ids, restarting the debounce delay.
    pub fn want<'a>(
        &mut self,
        selected: Option<&'a str>,
        visible: impl IntoIterator<Item = &'a str>,
        now: Instant,
    ) {
        self.wanted.clear();
        if self.no_storage {
            self.due = None;
            return;
        }
        self.failed
            .retain(|_, (_, at)| now.saturating_duration_since(*at) < RETRY_FAILED_AFTER);
        for id in selected.into_iter().chain(visible) {
            if self.wanted.len() >= MAX_REF_IDS {
                break;
            }
            let fresh = !self.cache.contains(id)
                && !self.failed.contains_key(id)
                && !self.is_in_flight(id)
                && !self.wanted.iter().any(|w| w == id);
            if fresh {
                self.wanted.push(id.to_string());
            }
        }
        self.due = (!self.wanted.is_empty()).then(|| now + self.debounce);
    }

    /// Forget a failure and fetch `ref_id` at once.
    pub fn retry(&mut self, ref_id: &str, now: Instant) {
        self.failed.remove(ref_id);
        if !self.no_storage && !self.is_in_flight(ref_id) && !self.cache.contains(ref_id) {
            self.wanted.retain(|w| w != ref_id);
            self.wanted.insert(0, ref_id.to_string());
            self.wanted.truncate(MAX_REF_IDS);
            self.due = Some(now);
        }
    }

    /// The request to send now, if the debounce delay has passed.
    pub fn poll(&mut self, now: Instant) -> Option<PayloadRequest> {
        if self.due.is_some_and(|due| now >= due) && !self.wanted.is_empty() {
            self.due = None;
            let req_id = self.next_req;
            self.next_req += 1;
            let ref_ids = std::mem::take(&mut self.wanted);
            self.in_flight.insert(req_id, ref_ids.clone());
            return Some(PayloadRequest { req_id, ref_ids });
        }
        None
    }

    /// When the next request falls due (for the host's timer).
    pub fn due(&self) -> Option<Instant> {
        self.due
    }

    /// Take the answer to request `req_id`, whichever row is selected now.
    pub fn on_answer(&mut self, req_id: u64, answer: Result<DetailResult, PayloadError>) {
        let asked = self.in_flight.remove(&req_id).unwrap_or_default();
        match answer {
            Ok(result) => {
                let mut missing: Vec<String> = asked;
                for entry in result.results {
                    missing.retain(|id| *id != entry.ref_id);
                    self.failed.remove(&entry.ref_id);
                    self.cache
                        .insert(entry.ref_id.clone(), Cached::Found(entry));
                }
                for id in missing {
                    self.failed.remove(&id);
                    self.cache.insert(id, Cached::Missing);
                }
            }
            Err(PayloadError::NoStorage) => {
                self.no_storage = true;
                self.wanted.clear();
                self.due = None;
            }
            Err(PayloadError::Failed(message)) => {
                let at = Instant::now();
                for id in asked {
                    self.failed.insert(id, (message.clone(), at));
                }
            }
        }
    }

    pub fn status(&mut self, ref_id: &str) -> PayloadStatus {
        if let Some(hit) = self.cache.get(ref_id) {
            return match hit {
                Cached::Found(entry) => PayloadStatus::Found(entry.clone()),
                Cached::Missing => PayloadStatus::Missing,
            };
        }
        if self.no_storage {
            return PayloadStatus::NoStorage;
        }
        match self.failed.get(ref_id) {
            Some((message, _)) => PayloadStatus::Failed(message.clone()),
            None => PayloadStatus::Loading,
        }
    }

    fn is_in_flight(&self, id: &str) -> bool {
        self.in_flight
            .values()
            .any(|ids| ids.iter().any(|i| i == id))
    }

    /// Number of requests sent and not yet answered.
    #[cfg(any(test, feature = "internals"))]
    pub fn in_flight_count(&self) -> usize {
        self.in_flight.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(id: &str) -> DetailEntry {
        DetailEntry {
            ref_id: id.into(),
            payload: json!({"id": id}),
            created_at: 1,
            expires_at: 2,
        }
    }

    #[test]
    fn debounces_while_moving_and_sends_one_request() {
        let t0 = Instant::now();
        let mut p = FetchPlanner::default();
        p.want(Some("a"), ["a", "b"], t0);
        assert_eq!(p.poll(t0 + Duration::from_millis(100)), None);
        p.want(Some("b"), ["a", "b", "c"], t0 + Duration::from_millis(100));
        assert_eq!(
            p.poll(t0 + Duration::from_millis(200)),
            None,
            "the move restarted the delay"
        );
        let req = p.poll(t0 + Duration::from_millis(250)).expect("due");
        assert_eq!(
            req.ref_ids,
            ["b", "a", "c"],
            "selected first, no duplicates"
        );
        assert_eq!(p.poll(t0 + Duration::from_secs(1)), None, "sent once");
        assert_eq!(p.status("a"), PayloadStatus::Loading);
    }

    #[test]
    fn caps_a_request_at_the_api_limit() {
        let t0 = Instant::now();
        let ids: Vec<String> = (0..150).map(|i| format!("id{i}")).collect();
        let mut p = FetchPlanner::default();
        p.want(None, ids.iter().map(String::as_str), t0);
        let req = p.poll(t0 + DEFAULT_DEBOUNCE).expect("due");
        assert_eq!(req.ref_ids.len(), MAX_REF_IDS);
    }

    #[test]
    fn answers_fill_the_cache_and_absent_ids_are_missing() {
        let t0 = Instant::now();
        let mut p = FetchPlanner::default();
        p.want(Some("a"), ["a", "b"], t0);
        let req = p.poll(t0 + DEFAULT_DEBOUNCE).expect("due");
        p.on_answer(
            req.req_id,
            Ok(DetailResult {
                results: vec![entry("a")],
            }),
        );
        assert_eq!(p.status("a"), PayloadStatus::Found(entry("a")));
        assert_eq!(p.status("b"), PayloadStatus::Missing);
        p.want(Some("a"), ["a", "b"], t0);
        assert_eq!(p.due(), None, "everything is cached: nothing to send");
    }

    #[test]
    fn in_flight_ids_are_not_asked_twice() {
        let t0 = Instant::now();
        let mut p = FetchPlanner::default();
        p.want(Some("a"), [], t0);
        let _ = p.poll(t0 + DEFAULT_DEBOUNCE).expect("due");
        p.want(Some("a"), ["b"], t0 + DEFAULT_DEBOUNCE);
        let req = p.poll(t0 + DEFAULT_DEBOUNCE * 2).expect("due");
        assert_eq!(req.ref_ids, ["b"]);
    }

    #[test]
    fn a_501_stops_all_fetching() {
        let t0 = Instant::now();
        let mut p = FetchPlanner::default();
        p.want(Some("a"), [], t0);
        let req = p.poll(t0 + DEFAULT_DEBOUNCE).expect("due");
        let err = client::Error::Api {
            status: 501,
            message: "D1 payload storage is not configured".into(),
        };
        p.on_answer(req.req_id, Err(PayloadError::from(&err)));
        assert_eq!(p.status("a"), PayloadStatus::NoStorage);
        p.want(Some("z"), [], t0);
        assert_eq!(p.poll(t0 + Duration::from_secs(5)), None);
        assert_eq!(p.status("z"), PayloadStatus::NoStorage);
    }

    #[test]
    fn failures_show_until_retried() {
        let t0 = Instant::now();
        let mut p = FetchPlanner::default();
        p.want(Some("a"), [], t0);
        let req = p.poll(t0 + DEFAULT_DEBOUNCE).expect("due");
        p.on_answer(req.req_id, Err(PayloadError::Failed("boom".into())));
        assert_eq!(p.status("a"), PayloadStatus::Failed("boom".into()));
        p.want(Some("a"), [], t0);
        assert_eq!(p.due(), None, "a failure is not retried on every move");
        p.retry("a", t0);
        let again = p.poll(t0).expect("retry goes at once");
        assert_eq!(again.ref_ids, ["a"]);
    }

    #[test]
    fn failures_are_asked_again_after_a_while() {
        let t0 = Instant::now();
        let mut p = FetchPlanner::default();
        p.want(Some("a"), ["b"], t0);
        let req = p.poll(t0 + DEFAULT_DEBOUNCE).expect("due");
        p.on_answer(req.req_id, Err(PayloadError::Failed("reset".into())));
        let later = Instant::now() + RETRY_FAILED_AFTER;
        p.want(Some("b"), ["a", "b"], later);
        assert_eq!(p.status("b"), PayloadStatus::Loading);
        let again = p.poll(later + DEFAULT_DEBOUNCE).expect("asked again");
        assert_eq!(again.ref_ids, ["b", "a"]);
    }
}
