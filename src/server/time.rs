//! Time as the API shows it: ISO-8601 UTC with milliseconds, Unix ms inside.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};

/// Now in Unix milliseconds.
pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// `2026-11-27T02:15:35.123Z`.
pub fn iso_from_ms(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parse an ISO-8601 timestamp to Unix ms. Accepts RFC 3339 (any offset), a
/// date-time without offset (taken as UTC) and a bare date (midnight UTC),
/// which covers what clients and people type.
pub fn parse_iso_ms(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Some(dt.timestamp_millis());
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(text, fmt) {
            return Some(dt.and_utc().timestamp_millis());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|dt| dt.and_utc().timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_round_trip_keeps_milliseconds() {
        let ms = 1_795_746_935_123;
        let text = iso_from_ms(ms);
        assert_eq!(text, "2026-11-27T02:35:35.123Z");
        assert_eq!(parse_iso_ms(&text), Some(ms));
    }

    #[test]
    fn accepts_common_iso_forms() {
        let base = parse_iso_ms("2026-11-27T00:00:00Z").unwrap();
        assert_eq!(parse_iso_ms("2026-11-27"), Some(base));
        assert_eq!(parse_iso_ms("2026-11-27T00:00:00"), Some(base));
        assert_eq!(parse_iso_ms("2026-11-27T01:00:00+01:00"), Some(base));
        assert_eq!(parse_iso_ms("yesterday"), None);
        assert_eq!(parse_iso_ms("2026-13-01"), None);
    }
}
