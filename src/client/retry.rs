//! The one failure policy of the SDK, the CLI and the explorer: which
//! failures are worth another attempt, how long to wait, and how a failure is
//! told to the user. [`advise`] is the table of the API contract:
//!
//! | answer | retry a read? |
//! |---|---|
//! | 502 `CF API 400…`, `CF API 422…` (AE rejected the SQL) | never |
//! | 502 `CF API 429…`, 429 (rate or concurrency limit) | yes, honouring Retry-After |
//! | 502 `CF API 503…`, `CF API 5xx`, `CF Telemetry API 5xx`, 503, 504, Cloudflare 52x pages, connection errors | yes, with backoff |
//! | 502 `CF API 507…` (the query needs too many resources) | never: narrow the time range |
//! | other 4xx, 500, 501 | never |
//!
//! Writes (ingest, log) are retried only when the request provably never
//! reached the server (the connection was refused or could not be set up). A
//! write that timed out, or got a 5xx, may already have been stored: AE and
//! Workers Logs have no idempotency key, so sending it again could duplicate
//! every event in the batch. The caller gets the error and decides.
//!
//! A timeout is not retried for a single read (a query that took the whole
//! timeout would most likely take it again), but is for a [`RequestKind::Poll`]:
//! a tail polls again anyway.

use std::time::Duration;

use rand::Rng;

use super::Error;

/// Whether a request may be repeated without side effects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    Read,
    Write,
    /// A read made again and again (a tail's poll): timeouts and garbled
    /// answers are worth another try too.
    Poll,
}

/// What to do about a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureAdvice {
    /// Try again after a backoff (or the server's Retry-After).
    Retry,
    /// Trying again cannot help: tell the user.
    Never,
}

/// Retry settings of a [`Client`](super::Client).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt; 0 disables retrying.
    pub max_retries: u32,
    /// Wait before the first retry; doubled each time, with jitter.
    pub base_delay: Duration,
    /// Longest computed wait between attempts.
    pub max_delay: Duration,
    /// Longest `Retry-After` honoured; a server asking for more is capped here.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// The wait before retry number `retry` (0-based): `Retry-After` when the
    /// server sent one, else exponential backoff with "equal jitter" (a random
    /// point in the upper half), so many clients don't retry in lockstep.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(after) = retry_after {
            return after.min(self.max_retry_after);
        }
        let exp = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(retry))
            .min(self.max_delay);
        let half = exp / 2;
        let jitter_ms = u64::try_from(half.as_millis()).unwrap_or(u64::MAX);
        half + Duration::from_millis(rand::thread_rng().gen_range(0..=jitter_ms))
    }
}

/// The failure policy: whether this failure of this kind of request is
/// worth another attempt (see the table at the top of this module).
pub fn advise(kind: RequestKind, error: &Error) -> FailureAdvice {
    use FailureAdvice::{Never, Retry};
    let read = kind != RequestKind::Write;
    match error {
        Error::Transport {
            never_sent: true, ..
        } => Retry,
        _ if !read => Never,
        Error::Transport { .. } => Retry,
        Error::Timeout(_) | Error::Decode { .. } if kind == RequestKind::Poll => Retry,
        Error::Api { status, message } => match status {
            429 | 503 | 504 => Retry,
            // Cloudflare's own error pages (origin unreachable, timed out…).
            520..=527 => Retry,
            502 => match upstream_status(message) {
                Some(429) => Retry,
                Some(s) if (400..500).contains(&s) => Never,
                Some(507) => Never,
                _ => Retry,
            },
            _ => Never,
        },
        _ => Never,
    }
}

/// Whether this failure of this kind of request is worth another attempt.
pub fn is_retryable(kind: RequestKind, error: &Error) -> bool {
    advise(kind, error) == FailureAdvice::Retry
}

/// The status of the Cloudflare API behind a 502 `CF API <status>: …` or
/// `CF Telemetry API <status>: …`.
pub fn upstream_status(message: &str) -> Option<u16> {
    let rest = message
        .strip_prefix("CF API ")
        .or_else(|| message.strip_prefix("CF Telemetry API "))?;
    rest.get(..3)?.parse().ok()
}

/// A failure as the user should read it: what happened and, where there is
/// one, what to do. A Cloudflare HTML error page becomes its title.
pub fn describe(error: &Error) -> String {
    match error {
        Error::Api { status, message } => {
            if let Some(title) = html_title(message) {
                return format!("Cloudflare error page (HTTP {status}): {title}");
            }
            if *status == 502 && upstream_status(message) == Some(507) {
                return format!(
                    "{message} — the query needs too many resources: narrow the time range \
                     or read fewer rows"
                );
            }
            if *status == 502 && upstream_status(message) == Some(429) {
                return format!("{message} — rate limited by Cloudflare's SQL API");
            }
            error.to_string()
        }
        other => other.to_string(),
    }
}

/// The `<title>` of an HTML page, or its first 80 characters without tags.
fn html_title(body: &str) -> Option<String> {
    let lower = body.trim_start().get(..15)?.to_ascii_lowercase();
    if !(lower.starts_with("<!doctype html") || lower.starts_with("<html")) {
        return None;
    }
    let title = body
        .find("<title>")
        .and_then(|i| {
            let rest = &body[i + 7..];
            rest.find("</title>").map(|j| rest[..j].trim().to_string())
        })
        .unwrap_or_else(|| "not JSON".to_string());
    Some(title.chars().take(120).collect())
}

/// A `Retry-After` header: delay-seconds or an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.signed_duration_since(chrono::Utc::now());
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, message: &str) -> Error {
        Error::Api {
            status,
            message: message.to_string(),
        }
    }

    fn transport(never_sent: bool) -> Error {
        Error::Transport {
            message: "x".into(),
            never_sent,
        }
    }

    #[test]
    fn reads_retry_on_transient_failures_only() {
        use RequestKind::Read;
        for s in [429, 502, 503, 504] {
            assert!(is_retryable(Read, &api(s, "busy")), "{s}");
        }
        for s in [400, 401, 404, 413, 500, 501] {
            assert!(!is_retryable(Read, &api(s, "no")), "{s}");
        }
        assert!(!is_retryable(Read, &api(502, "CF API 422: bad SQL")));
        assert!(!is_retryable(Read, &api(502, "CF API 400: bad SQL")));
        assert!(!is_retryable(Read, &api(502, "CF API 507: too big")));
        assert!(!is_retryable(Read, &api(502, "CF Telemetry API 401: no")));
        assert!(is_retryable(Read, &api(502, "CF API 429: slow down")));
        assert!(is_retryable(Read, &api(502, "CF API 503: busy")));
        assert!(is_retryable(Read, &api(502, "CF Telemetry API 500: x")));
        assert!(is_retryable(Read, &api(502, "telemetry failed: a; b")));
        assert!(is_retryable(Read, &api(520, "<!DOCTYPE html>")));
        assert!(is_retryable(Read, &api(502, "CF API 500: oops")));
        assert!(is_retryable(Read, &transport(false)));
        assert!(!is_retryable(Read, &Error::Timeout(Duration::from_secs(1))));
        assert!(!is_retryable(Read, &Error::Validation("v".into())));
    }

    #[test]
    fn polls_also_retry_timeouts_and_garbled_answers() {
        use RequestKind::{Poll, Read};
        let timeout = Error::Timeout(Duration::from_secs(1));
        assert!(!is_retryable(Read, &timeout));
        assert!(is_retryable(Poll, &timeout));
        assert!(!is_retryable(Poll, &api(401, "unauthorized")));
        assert!(!is_retryable(Poll, &api(502, "CF API 422: x")));
    }

    #[test]
    fn descriptions_say_what_to_do() {
        let d = describe(&api(502, "CF API 507: Query exceeded the resource limit"));
        assert!(d.contains("narrow the time range"), "{d}");
        let page = "<!DOCTYPE html>\n<html><head><title>520: Web server is returning an unknown error</title>";
        let d = describe(&api(520, page));
        assert_eq!(
            d,
            "Cloudflare error page (HTTP 520): 520: Web server is returning an unknown error"
        );
        assert_eq!(upstream_status("CF Telemetry API 503: x"), Some(503));
        assert_eq!(upstream_status("boom"), None);
    }

    #[test]
    fn writes_retry_only_when_never_sent() {
        use RequestKind::Write;
        assert!(is_retryable(Write, &transport(true)));
        assert!(!is_retryable(Write, &transport(false)));
        for s in [429, 502, 503, 504] {
            assert!(!is_retryable(Write, &api(s, "busy")), "{s}");
        }
    }

    #[test]
    fn backoff_grows_with_jitter_and_caps() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
            ..RetryPolicy::default()
        };
        for _ in 0..50 {
            let d0 = p.delay(0, None);
            assert!(d0 >= Duration::from_millis(50) && d0 <= Duration::from_millis(100));
            let d2 = p.delay(2, None);
            assert!(d2 >= Duration::from_millis(200) && d2 <= Duration::from_millis(400));
            let d9 = p.delay(9, None);
            assert!(d9 >= Duration::from_millis(500) && d9 <= Duration::from_millis(1000));
        }
        assert_eq!(
            p.delay(0, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
        assert_eq!(
            p.delay(0, Some(Duration::from_secs(600))),
            Duration::from_secs(60)
        );
    }

    #[test]
    fn parses_retry_after_forms() {
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}
