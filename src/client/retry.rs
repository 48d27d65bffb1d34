//! When a failed request is tried again, and how long to wait first.
//!
//! Reads (query, rawlog, detail, the lists) are retried on connection errors,
//! 429, 502, 503 and 504 — except a 502 whose message starts `CF API 4`: that
//! is Analytics Engine rejecting the SQL, and asking again cannot help.
//!
//! Writes (ingest, log) are retried only when the request provably never
//! reached the server (the connection was refused or could not be set up). A
//! write that timed out, or got a 5xx, may already have been stored: AE and
//! Workers Logs have no idempotency key, so sending it again could duplicate
//! every event in the batch. The caller gets the error and decides.
//!
//! Timeouts are not retried either: a query that took the whole timeout would
//! most likely take it again, and the user is better served by the error.

use std::time::Duration;

use rand::Rng;

use super::Error;

/// Whether a request may be repeated without side effects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    Read,
    Write,
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

/// Whether this failure of this kind of request is worth another attempt.
pub fn is_retryable(kind: RequestKind, error: &Error) -> bool {
    match (kind, error) {
        (
            _,
            Error::Transport {
                never_sent: true, ..
            },
        ) => true,
        (RequestKind::Write, _) => false,
        (RequestKind::Read, Error::Transport { .. }) => true,
        (RequestKind::Read, Error::Api { status, message }) => match status {
            429 | 503 | 504 => true,
            502 => !message.starts_with("CF API 4"),
            _ => false,
        },
        _ => false,
    }
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
        assert!(is_retryable(Read, &api(502, "CF API 500: oops")));
        assert!(is_retryable(Read, &transport(false)));
        assert!(!is_retryable(Read, &Error::Timeout(Duration::from_secs(1))));
        assert!(!is_retryable(Read, &Error::Validation("v".into())));
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
