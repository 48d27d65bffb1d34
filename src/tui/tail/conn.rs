//! The tail's connection state as the user sees it.

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
