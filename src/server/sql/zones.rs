//! Time zones of `DateTime('Zone')` values (the tz database of chrono-tz).
//! Values stay Unix seconds; a zone only changes how they are read as wall
//! time: rendering, formatDateTime, toStartOf…, toHour & co.
//!
//! The translator computes a zoned function on the *local* wall time
//! (`to_local`, Unix seconds as if the wall clock were UTC) with the same
//! UTC code as unzoned values, then turns a DateTime result back into an
//! instant (`from_local`); Date results are calendar days and need nothing.

use chrono::{LocalResult, Offset, TimeZone};
pub use chrono_tz::Tz;

/// The zone a name denotes, as ClickHouse accepts it (IANA names, exact case).
pub fn parse(name: &str) -> Option<Tz> {
    name.parse::<Tz>().ok()
}

/// Every zone name the tz database knows, for SHOW TIMEZONES.
pub fn all_names() -> impl Iterator<Item = &'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|z| z.name())
}

/// Whether wall time in `tz` is always UTC, so no conversion is needed.
pub fn is_utc(tz: Tz) -> bool {
    UTC_NAMES.contains(&tz.name())
}

/// The tz database's names for UTC itself.
const UTC_NAMES: [&str; 18] = [
    "UTC",
    "Etc/UTC",
    "GMT",
    "Etc/GMT",
    "Zulu",
    "Etc/Zulu",
    "Universal",
    "Etc/Universal",
    "UCT",
    "Etc/UCT",
    "GMT0",
    "Etc/GMT0",
    "GMT+0",
    "GMT-0",
    "Etc/GMT+0",
    "Etc/GMT-0",
    "Greenwich",
    "Etc/Greenwich",
];

/// Seconds east of UTC in `tz` at the instant `secs`.
pub fn offset_at(secs: i64, tz: Tz) -> i64 {
    match chrono::DateTime::from_timestamp(secs, 0) {
        Some(t) => i64::from(
            tz.offset_from_utc_datetime(&t.naive_utc())
                .fix()
                .local_minus_utc(),
        ),
        None => 0,
    }
}

/// The wall time of `secs` in `tz`, as Unix seconds of that wall time in UTC.
pub fn to_local(secs: i64, tz: Tz) -> i64 {
    secs.saturating_add(offset_at(secs, tz))
}

/// The instant whose wall time in `tz` is `local`. A wall time that occurs
/// twice (clocks going back) is its first instant; one skipped by clocks
/// going forward is read with the offset before the gap.
pub fn from_local(local: i64, tz: Tz) -> i64 {
    let Some(naive) = chrono::DateTime::from_timestamp(local, 0).map(|t| t.naive_utc()) else {
        return local;
    };
    match tz.offset_from_local_datetime(&naive) {
        LocalResult::Single(o) | LocalResult::Ambiguous(o, _) => {
            local - i64::from(o.fix().local_minus_utc())
        }
        LocalResult::None => local - offset_at(local - 86_400, tz),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wall_time_round_trips() {
        let berlin = parse("Europe/Berlin").unwrap_or(Tz::UTC);
        // 2026-07-01 12:00:00 UTC is 14:00 in Berlin (CEST, +2).
        let t = 1_782_907_200;
        assert_eq!(offset_at(t, berlin), 7200);
        assert_eq!(to_local(t, berlin), t + 7200);
        assert_eq!(from_local(t + 7200, berlin), t);
        assert!(parse("Mars/Olympus").is_none());
        assert!(parse("Etc/UTC").is_some_and(is_utc) && !is_utc(berlin));
    }
}
