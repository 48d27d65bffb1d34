//! The tail's connection state as the user sees it, and the backoff the
//! polling task waits between failed polls.

use std::time::{Duration, Instant};

/// Say "no answer for N s" when no poll succeeded for this long.
pub const STALL_AFTER: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnState {
    /// Started, no answer yet.
    Connecting,
    Live,
    /// A poll failed; the task tries again at `at`.
    Retrying {
        at: Instant,
        attempt: u32,
        message: String,
    },
    /// Stopped for good (bad token, unknown logstore…): retrying won't help.
    Failed(String),
}

/// Delay before retry `attempt` (1-based): 1, 2, 4, 8, 16, then 30 s.
pub fn backoff(attempt: u32) -> Duration {
    let secs = 1u64 << attempt.saturating_sub(1).min(5);
    Duration::from_secs(secs.min(30))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_a_cap() {
        let secs: Vec<u64> = (1..=8).map(|a| backoff(a).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 30, 30, 30]);
    }
}
