//! The raw logs around a moment (a grid row's time, a tail line's time):
//! ±N minutes ([`AROUND_MINUTES`] at first; `+`/`-` step through
//! [`SPANS`], `raw_window_minutes` in explorer.toml sets the first) fetched
//! with `rawlog` and shown in the tail pane, paused, instead of the live
//! tail, until the user goes live again.
//!
//! `rawlog` answers the newest `limit` (at most 200) records of a time span,
//! so the span is asked in two halves: before the moment (its newest are
//! the ones nearest the moment) and from the moment on. When a half comes
//! back full, what it could not return is said on a line of its own where
//! the missing records would be, never left out silently.

use chrono::{DateTime, Utc};

use crate::client::tail::iso_ms;
use crate::client::{RawLogEntry, RawLogRequest};

/// Minutes on each side of the moment at first (as the grid's `T`
/// narrows to).
pub const AROUND_MINUTES: i64 = 5;

/// The spans `+`/`-` step through, minutes on each side.
pub const SPANS: [i64; 4] = [1, 5, 15, 60];

/// The largest span a window may have (a setting outside [`SPANS`] is
/// bounded to this, and to at least one minute).
pub const MAX_MINUTES: i64 = 60;

/// The next wider span of [`SPANS`] after `minutes` (the widest stays).
pub fn wider(minutes: i64) -> i64 {
    SPANS
        .iter()
        .copied()
        .find(|s| *s > minutes)
        .unwrap_or(minutes.clamp(1, MAX_MINUTES))
}

/// The next narrower span of [`SPANS`] before `minutes` (the narrowest
/// stays).
pub fn narrower(minutes: i64) -> i64 {
    SPANS
        .iter()
        .rev()
        .copied()
        .find(|s| *s < minutes)
        .unwrap_or(minutes.clamp(1, MAX_MINUTES))
}

/// Records asked of each half: the server's maximum.
pub const HALF_LIMIT: u32 = 200;

/// What the pane shows while it holds a window instead of the live tail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawWindow {
    /// The moment, Unix ms.
    pub center_ms: i64,
    /// Minutes on each side of it.
    pub minutes: i64,
    /// Records received (before the notes about missing ones).
    pub count: usize,
    /// The half after the moment came back full: later records are missing
    /// between the moment and the oldest of them.
    pub after_full: bool,
    /// The half before came back full: older records are missing.
    pub before_full: bool,
}

impl RawWindow {
    /// "±5 min around 2026-11-27 02:15:30 UTC · 37 lines" (the pane's
    /// title says "raw logs").
    pub fn label(&self) -> String {
        let at = DateTime::<Utc>::from_timestamp_millis(self.center_ms).map_or_else(
            || self.center_ms.to_string(),
            |t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        );
        format!("±{} min around {at} · {} lines", self.minutes, self.count)
    }
}

/// The two requests for the window of ±`minutes` around `center_ms`:
/// [from, center) and [center, to] (`rawlog` bounds are inclusive).
pub fn requests(center_ms: i64, minutes: i64) -> (RawLogRequest, RawLogRequest) {
    let span = minutes.clamp(1, MAX_MINUTES) * 60_000;
    let before = RawLogRequest {
        limit: Some(HALF_LIMIT),
        start: Some(iso_ms(center_ms.saturating_sub(span))),
        end: Some(iso_ms(center_ms.saturating_sub(1))),
    };
    let after = RawLogRequest {
        limit: Some(HALF_LIMIT),
        start: Some(iso_ms(center_ms)),
        end: Some(iso_ms(center_ms.saturating_add(span))),
    };
    (before, after)
}

/// The two answers as lines, oldest first, with a line for each run of
/// records a full half could not return. Bounded: at most two halves of
/// `HALF_LIMIT` and two notes.
pub fn assemble(
    center_ms: i64,
    minutes: i64,
    mut before: Vec<RawLogEntry>,
    mut after: Vec<RawLogEntry>,
) -> (RawWindow, Vec<RawLogEntry>) {
    let limit = HALF_LIMIT as usize;
    before.truncate(limit);
    after.truncate(limit);
    let window = RawWindow {
        center_ms,
        minutes,
        count: before.len() + after.len(),
        before_full: before.len() == limit,
        after_full: after.len() == limit,
    };
    // Oldest first, as the tail shows them; a record whose time does not
    // parse sorts first rather than being dropped.
    let key = |e: &RawLogEntry| {
        DateTime::parse_from_rfc3339(&e.timestamp)
            .map(|t| t.timestamp_millis())
            .unwrap_or(i64::MIN)
    };
    before.sort_by_key(key);
    after.sort_by_key(key);
    let note = |at_ms: i64, text: &str| RawLogEntry {
        timestamp: iso_ms(at_ms),
        level: super::GAP_LEVEL.to_string(),
        data: serde_json::json!({ "message": format!("── {text} ──") }),
    };
    let mut lines = Vec::with_capacity(window.count + 2);
    if window.before_full {
        let at = before.first().map_or(center_ms, key);
        lines.push(note(
            at,
            &format!("older records of the window not shown (over {limit})"),
        ));
    }
    lines.extend(before);
    if window.after_full {
        lines.push(note(
            center_ms,
            &format!("records from here until the next line not shown (over {limit})"),
        ));
    }
    lines.extend(after);
    (window, lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(ms: i64) -> RawLogEntry {
        RawLogEntry {
            timestamp: iso_ms(ms),
            level: "info".into(),
            data: json!({"message": ms.to_string()}),
        }
    }

    #[test]
    fn the_halves_meet_at_the_moment_without_overlap() {
        let (before, after) = requests(1_795_745_735_123, 5);
        assert_eq!(before.end.as_deref(), Some("2026-11-27T02:15:35.122Z"));
        assert_eq!(after.start.as_deref(), Some("2026-11-27T02:15:35.123Z"));
        assert_eq!(before.start.as_deref(), Some("2026-11-27T02:10:35.123Z"));
        assert_eq!(after.end.as_deref(), Some("2026-11-27T02:20:35.123Z"));
        assert_eq!(after.limit, Some(200));
        let (before, after) = requests(1_795_745_735_123, 15);
        assert_eq!(before.start.as_deref(), Some("2026-11-27T02:00:35.123Z"));
        assert_eq!(after.end.as_deref(), Some("2026-11-27T02:30:35.123Z"));
    }

    #[test]
    fn spans_step_through_one_five_fifteen_sixty_minutes() {
        assert_eq!(wider(1), 5);
        assert_eq!(wider(5), 15);
        assert_eq!(wider(15), 60);
        assert_eq!(wider(60), 60, "the widest stays");
        assert_eq!(narrower(60), 15);
        assert_eq!(narrower(1), 1, "the narrowest stays");
        assert_eq!(wider(7), 15, "a configured span joins the steps");
        assert_eq!(narrower(7), 5);
    }

    #[test]
    fn lines_come_oldest_first_and_full_halves_are_said() {
        let (w, lines) = assemble(100, 5, vec![at(90), at(50)], vec![at(150), at(100)]);
        let times: Vec<_> = lines.iter().map(|l| l.timestamp.clone()).collect();
        assert_eq!(times, [iso_ms(50), iso_ms(90), iso_ms(100), iso_ms(150)]);
        assert_eq!((w.count, w.before_full, w.after_full), (4, false, false));
        let full: Vec<_> = (0..300).map(|i| at(1000 + i)).collect();
        let (w, lines) = assemble(1000, 5, Vec::new(), full);
        assert!(w.after_full);
        assert_eq!(lines.len(), 201, "bounded, and one note");
        assert_eq!(lines[0].level, "gap");
        assert!(w
            .label()
            .starts_with("±5 min around 1970-01-01 00:00:01 UTC"));
    }
}
