//! Times as people read them: UTC with the zone said, local, and relative
//! ("3 min ago", "in 89 d"). Shared by the detail and tail panes.

use chrono::{DateTime, Local, TimeZone, Utc};

/// `2026-11-27 02:15:35 UTC` from Unix milliseconds; the raw number when it
/// is out of chrono's range (a corrupt value must still show).
pub fn utc_from_ms(ms: i64) -> String {
    match Utc.timestamp_millis_opt(ms).single() {
        Some(t) => t.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        None => format!("{ms} ms"),
    }
}

/// `HH:MM:SS.mmm` in UTC, for log lines.
pub fn clock_utc(t: &DateTime<Utc>) -> String {
    t.format("%H:%M:%S%.3f").to_string()
}

/// `HH:MM:SS.mmm` in the machine's zone, for log lines.
pub fn clock_local(t: &DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%H:%M:%S%.3f").to_string()
}

/// How far `then_ms` is from `now_ms`, in the largest unit that fits:
/// `12 s ago`, `3 min ago`, `in 89 d`. Never "in 0 s": now is "now".
pub fn relative(then_ms: i64, now_ms: i64) -> String {
    let delta = now_ms.saturating_sub(then_ms);
    let secs = (delta / 1000).unsigned_abs();
    if secs == 0 {
        return "now".to_string();
    }
    let amount = if secs < 60 {
        format!("{secs} s")
    } else if secs < 3600 {
        format!("{} min", secs / 60)
    } else if secs < 86_400 {
        format!("{} h", secs / 3600)
    } else {
        format!("{} d", secs / 86_400)
    };
    if delta > 0 {
        format!("{amount} ago")
    } else {
        format!("in {amount}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_picks_the_largest_unit() {
        let now = 1_800_000_000_000;
        assert_eq!(relative(now, now), "now");
        assert_eq!(relative(now - 12_000, now), "12 s ago");
        assert_eq!(relative(now - 185_000, now), "3 min ago");
        assert_eq!(relative(now + 89 * 86_400_000 + 5000, now), "in 89 d");
        assert_eq!(relative(now - 7_300_000, now), "2 h ago");
    }

    #[test]
    fn utc_formats_and_survives_nonsense() {
        assert_eq!(utc_from_ms(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc_from_ms(i64::MAX), format!("{} ms", i64::MAX));
    }
}
