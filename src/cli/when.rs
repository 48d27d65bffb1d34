//! Durations (`15m`, `2h`, `500ms`) and times (`--start`, `--end`) on the
//! command line.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use super::UsageError;

/// `500ms`, `30s`, `15m`, `2h`, `7d`. A bare number is refused: `--since
/// 15` could mean minutes as well as seconds.
pub fn parse_duration(s: &str) -> Result<Duration, UsageError> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| UsageError(format!("{s:?} is not a duration (e.g. 30s, 15m, 2h, 7d)")))?;
    let ms = match unit.trim() {
        "ms" => 1,
        "" => {
            return Err(UsageError(format!(
                "{s:?} needs a unit: {s}s, {s}m, {s}h or {s}d (or ms)"
            )))
        }
        "s" | "sec" => 1_000,
        "m" | "min" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        other => {
            return Err(UsageError(format!(
                "unknown unit {other:?} in {s:?} (use ms, s, m, h or d)"
            )))
        }
    };
    n.checked_mul(ms)
        .map(Duration::from_millis)
        .ok_or_else(|| UsageError(format!("{s:?} is too long")))
}

/// ISO-8601 (`2026-11-27T02:00:00Z`, with offset or not), `2026-11-27 02:00:00`
/// (UTC) or a date.
pub fn parse_time(s: &str) -> Result<DateTime<Utc>, UsageError> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Ok(t.and_utc());
        }
    }
    if let Some(t) = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
    {
        return Ok(t.and_utc());
    }
    Err(UsageError(format!(
        "{s:?} is not a time (use ISO-8601, e.g. 2026-11-27T02:00:00Z)"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("2s").unwrap(), Duration::from_secs(2));
        let e = parse_duration("15").unwrap_err();
        assert!(e.0.contains("needs a unit"), "{e}");
        assert_eq!(parse_duration("1d").unwrap(), Duration::from_secs(86_400));
        assert!(parse_duration("m").is_err());
        assert!(parse_duration("5y").is_err());
        assert!(parse_duration("-5s").is_err());
    }

    #[test]
    fn times() {
        let t = parse_time("2026-11-27T02:15:35.123Z").unwrap();
        assert_eq!(t.timestamp_millis() % 1000, 123);
        assert_eq!(
            parse_time("2026-11-27 02:15:35").unwrap(),
            parse_time("2026-11-27T02:15:35Z").unwrap()
        );
        assert_eq!(
            parse_time("2026-11-27T03:15:35+01:00").unwrap(),
            parse_time("2026-11-27T02:15:35Z").unwrap()
        );
        assert!(parse_time("2026-11-27").is_ok());
        assert!(parse_time("yesterday").is_err());
    }
}
