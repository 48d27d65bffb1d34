//! DateTime values as ClickHouse reads and prints them (UTC only): parsing
//! `'YYYY-MM-DD hh:mm:ss'` strings, rendering, and `formatDateTime` codes.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};

const SECONDS_PER_DAY: i64 = 86_400;

/// Parse what ClickHouse accepts as a DateTime from a string: `YYYY-MM-DD
/// hh:mm:ss` (also with `T`, fractional seconds or a trailing `Z`),
/// `YYYY-MM-DD`, or a Unix timestamp in digits.
pub fn parse_datetime(text: &str) -> Option<i64> {
    let s = text.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<i64>().ok();
    }
    let s = s.strip_suffix('Z').unwrap_or(s);
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(t.and_utc().timestamp());
        }
    }
    parse_date(s)
}

/// Parse `YYYY-MM-DD` to the Unix seconds of its midnight.
pub fn parse_date(text: &str) -> Option<i64> {
    let d = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()?;
    Some(d.and_hms_opt(0, 0, 0)?.and_utc().timestamp())
}

fn utc(secs: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(secs, 0)
}

/// `YYYY-MM-DD hh:mm:ss`, ClickHouse's DateTime text.
pub fn render_datetime(secs: i64) -> String {
    match utc(secs) {
        Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        None => secs.to_string(),
    }
}

/// [`render_datetime`] appended to `out` without the format machinery: it
/// runs for every DateTime cell of an answer.
pub fn push_datetime(out: &mut String, secs: i64) {
    use std::fmt::Write as _;
    match utc(secs) {
        Some(t) if (0..=9999).contains(&t.year()) => {
            let _ = write!(
                out,
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            );
        }
        _ => out.push_str(&render_datetime(secs)),
    }
}

/// `YYYY-MM-DD`, ClickHouse's Date text.
pub fn render_date(secs: i64) -> String {
    match utc(secs) {
        Some(t) => t.format("%Y-%m-%d").to_string(),
        None => secs.to_string(),
    }
}

/// Floor division that is right for instants before 1970 too.
pub fn floor_to(secs: i64, step: i64) -> i64 {
    secs - secs.rem_euclid(step)
}

/// Start of the `n`-month period holding `secs`, counting periods from
/// 1970-01 as ClickHouse's toStartOfInterval does.
pub fn start_of_months(secs: i64, n: i64) -> Option<i64> {
    let t = utc(secs)?;
    let months = i64::from(t.year()) * 12 + i64::from(t.month0()) - 1970 * 12;
    let start = months - months.rem_euclid(n.max(1)) + 1970 * 12;
    let year = i32::try_from(start.div_euclid(12)).ok()?;
    let month = u32::try_from(start.rem_euclid(12) + 1).ok()?;
    let d = NaiveDate::from_ymd_opt(year, month, 1)?;
    Some(d.and_hms_opt(0, 0, 0)?.and_utc().timestamp())
}

/// `secs` moved by `n` calendar months, the day clamped to the month's
/// last day (ClickHouse's addMonths).
pub fn add_months(secs: i64, n: i64) -> Option<i64> {
    let t = utc(secs)?;
    let months = (i64::from(t.year()) * 12 + i64::from(t.month0())).checked_add(n)?;
    let year = i32::try_from(months.div_euclid(12)).ok()?;
    let month = u32::try_from(months.rem_euclid(12) + 1).ok()?;
    let mut day = t.day();
    loop {
        if let Some(d) = NaiveDate::from_ymd_opt(year, month, day) {
            return Some(d.and_time(t.time()).and_utc().timestamp());
        }
        if day <= 28 {
            return None;
        }
        day -= 1;
    }
}

/// The first day (Monday, else Sunday) of the week holding `secs`, as a
/// Date. ClickHouse's Date starts at 1970-01-01 (a Thursday), so the weeks
/// holding its first days start there rather than in 1969.
pub fn start_of_week(secs: i64, monday: bool) -> i64 {
    let day = secs.div_euclid(SECONDS_PER_DAY);
    // Days since the week's first day: 1970-01-01 is 3 after a Monday,
    // 4 after a Sunday.
    let shift = if monday { 3 } else { 4 };
    let first = day - (day + shift).rem_euclid(7);
    let first = if (0..7).contains(&day) {
        first.max(0)
    } else {
        first
    };
    first.saturating_mul(SECONDS_PER_DAY)
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// ClickHouse's `formatDateTime(t, fmt)` (MySQL-style codes, as documented
/// for current ClickHouse: `%i` minutes, `%M` month name). Unknown codes are
/// an error, as in ClickHouse.
/// `secs` is the wall time (Unix seconds as if the wall clock were UTC) and
/// `offset` the zone's offset east of UTC in seconds, for `%z`.
pub fn format_datetime(secs: i64, offset: i64, fmt: &str) -> Result<String, String> {
    let t = utc(secs).ok_or_else(|| format!("timestamp {secs} is out of range"))?;
    let mut out = String::with_capacity(fmt.len() + 8);
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(code) = chars.next() else {
            return Err("formatDateTime: the format ends with a lone '%'".into());
        };
        let hour12 = match t.hour() % 12 {
            0 => 12,
            h => h,
        };
        let month = MONTHS[t.month0() as usize];
        let weekday = WEEKDAYS[t.weekday().num_days_from_monday() as usize];
        match code {
            'a' => out.push_str(&weekday[..3]),
            'b' | 'h' => out.push_str(&month[..3]),
            'c' | 'm' => out.push_str(&format!("{:02}", t.month())),
            'C' => out.push_str(&format!("{:02}", t.year() / 100)),
            'd' => out.push_str(&format!("{:02}", t.day())),
            'D' => out.push_str(&format!(
                "{:02}/{:02}/{:02}",
                t.month(),
                t.day(),
                t.year() % 100
            )),
            // formatdatetime_e_with_space_padding is off by default.
            'e' => out.push_str(&t.day().to_string()),
            'f' => out.push_str("000000"),
            'F' => out.push_str(&format!("{:04}-{:02}-{:02}", t.year(), t.month(), t.day())),
            'g' => out.push_str(&format!("{:02}", t.iso_week().year() % 100)),
            'G' => out.push_str(&format!("{:04}", t.iso_week().year())),
            'H' => out.push_str(&format!("{:02}", t.hour())),
            'I' => out.push_str(&format!("{hour12:02}")),
            'i' => out.push_str(&format!("{:02}", t.minute())),
            'j' => out.push_str(&format!("{:03}", t.ordinal())),
            // formatdatetime_format_without_leading_zeros is off by default:
            // %k and %l are zero-padded like %H and %I.
            'k' => out.push_str(&format!("{:02}", t.hour())),
            'l' => out.push_str(&format!("{hour12:02}")),
            'M' => out.push_str(month),
            'n' => out.push('\n'),
            'p' => out.push_str(if t.hour() < 12 { "AM" } else { "PM" }),
            'Q' => out.push_str(&(t.month0() / 3 + 1).to_string()),
            'r' => out.push_str(&format!(
                "{hour12:02}:{:02} {}",
                t.minute(),
                if t.hour() < 12 { "AM" } else { "PM" }
            )),
            'R' => out.push_str(&format!("{:02}:{:02}", t.hour(), t.minute())),
            's' | 'S' => out.push_str(&format!("{:02}", t.second())),
            't' => out.push('\t'),
            'T' => out.push_str(&format!(
                "{:02}:{:02}:{:02}",
                t.hour(),
                t.minute(),
                t.second()
            )),
            'u' => out.push_str(&t.weekday().number_from_monday().to_string()),
            'V' => out.push_str(&format!("{:02}", t.iso_week().week())),
            'w' => out.push_str(&t.weekday().num_days_from_sunday().to_string()),
            'W' => out.push_str(weekday),
            'y' => out.push_str(&format!("{:02}", t.year() % 100)),
            'Y' => out.push_str(&format!("{:04}", t.year())),
            'z' => {
                let sign = if offset < 0 { '-' } else { '+' };
                let m = offset.abs() / 60;
                out.push_str(&format!("{sign}{:02}{:02}", m / 60, m % 60));
            }
            '%' => out.push('%'),
            other => return Err(format!("formatDateTime: unknown format code '%{other}'")),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-11-27 02:15:35 UTC, a Friday
    const T: i64 = 1_795_745_735;

    #[test]
    fn parses_clickhouse_datetime_strings() {
        assert_eq!(parse_datetime("2026-11-27 02:15:35"), Some(T));
        assert_eq!(parse_datetime("2026-11-27T02:15:35Z"), Some(T));
        assert_eq!(parse_datetime("1795745735"), Some(T));
        assert_eq!(
            parse_datetime("2026-11-27"),
            Some(T - 2 * 3600 - 15 * 60 - 35)
        );
        assert_eq!(parse_datetime("yesterday"), None);
        assert_eq!(parse_datetime(""), None);
    }

    #[test]
    fn renders_and_floors() {
        assert_eq!(render_datetime(T), "2026-11-27 02:15:35");
        for t in [T, 0, -1, 253_402_300_799, 253_402_300_800] {
            let mut fast = String::new();
            push_datetime(&mut fast, t);
            assert_eq!(fast, render_datetime(t), "{t}");
        }
        assert_eq!(render_date(T), "2026-11-27");
        assert_eq!(
            render_datetime(start_of_week(T, true)),
            "2026-11-23 00:00:00"
        );
        assert_eq!(
            render_date(start_of_months(T, 1).unwrap_or(0)),
            "2026-11-01"
        );
        assert_eq!(
            render_date(start_of_months(T, 3).unwrap_or(0)),
            "2026-10-01"
        );
        assert_eq!(
            render_date(start_of_months(T, 12).unwrap_or(0)),
            "2026-01-01"
        );
        assert_eq!(floor_to(-1, 60), -60);
    }

    #[test]
    fn formats_clickhouse_codes() {
        assert_eq!(
            format_datetime(T, 0, "%Y-%m-%d %H:%i:%S").as_deref(),
            Ok("2026-11-27 02:15:35")
        );
        assert_eq!(
            format_datetime(T, 0, "%F %T").as_deref(),
            Ok("2026-11-27 02:15:35")
        );
        assert_eq!(
            format_datetime(T, 0, "%a %b %e %W %M %u %j").as_deref(),
            Ok("Fri Nov 27 Friday November 5 331")
        );
        assert_eq!(format_datetime(T, 0, "%I%p %%").as_deref(), Ok("02AM %"));
        assert!(format_datetime(T, 0, "%q").is_err());
    }
}
