//! Corners of the AE SQL dialect where the local server must agree with
//! ClickHouse: time zones, UInt64 values of 2^63 and more, n-ary
//! least/greatest, float text, qualified column names, interval arithmetic,
//! formatDateTime padding and weeks near the epoch. Expected values follow
//! ClickHouse's documented behaviour, worked out by hand from the fixture
//! (`now()` is 2026-11-27 02:15:35 UTC, a Friday).

use crate::sql_support;

use serde_json::json;
use sql_support::*;

fn case(sql: &str, expect_meta: &[(&str, &str)], expect_data: serde_json::Value) {
    let c = db();
    let v = ok(&c, sql);
    let want: Vec<(String, String)> = expect_meta
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    assert_eq!(meta(&v), want, "meta of {sql}");
    assert_eq!(v["data"], expect_data, "data of {sql}");
}

// ---- time zones ---------------------------------------------------------------------

#[test]
fn to_date_time_with_a_zone_is_typed_and_rendered_in_it() {
    case(
        "SELECT toDateTime(now(), 'Asia/Tokyo') AS tokyo, toDateTime(now(), 'UTC') AS utc, \
         toString(toDateTime(now(), 'Europe/Berlin')) AS berlin, now('America/New_York') AS ny",
        &[
            ("tokyo", "DateTime('Asia/Tokyo')"),
            ("utc", "DateTime('UTC')"),
            ("berlin", "String"),
            ("ny", "DateTime('America/New_York')"),
        ],
        json!([{
            "tokyo": "2026-11-27 11:15:35",
            "utc": "2026-11-27 02:15:35",
            "berlin": "2026-11-27 03:15:35",
            "ny": "2026-11-26 21:15:35"
        }]),
    );
}

#[test]
fn a_string_read_in_a_zone_is_wall_time_there() {
    case(
        "SELECT toDateTime('2026-11-27 11:15:35', 'Asia/Tokyo') = now() AS same, \
         toUnixTimestamp(toDateTime('2026-07-01 14:00:00', 'Europe/Berlin')) AS summer",
        &[("same", "UInt8"), ("summer", "UInt32")],
        // Berlin is on CEST (+2) in July: 12:00 UTC.
        json!([{"same": 1, "summer": 1_782_907_200u64}]),
    );
}

#[test]
fn format_date_time_takes_a_zone() {
    case(
        "SELECT formatDateTime(now(), '%F %T %z', 'America/New_York') AS ny, \
         formatDateTime(toDateTime(now(), 'Asia/Kolkata'), '%H:%i %z') AS kolkata, \
         formatDateTime(now(), '%H:%i %z') AS utc",
        &[("ny", "String"), ("kolkata", "String"), ("utc", "String")],
        json!([{
            "ny": "2026-11-26 21:15:35 -0500",
            "kolkata": "07:45 +0530",
            "utc": "02:15 +0000"
        }]),
    );
}

#[test]
fn to_start_of_interval_buckets_in_the_zone() {
    case(
        "SELECT toStartOfInterval(now(), INTERVAL 1 HOUR, 'Asia/Kolkata') AS h, \
         toStartOfInterval(now(), INTERVAL 1 DAY, 'America/New_York') AS d, \
         toStartOfDay(toDateTime(now(), 'Asia/Tokyo')) AS day, \
         toHour(toDateTime(now(), 'Asia/Tokyo')) AS hour, toHour(now(), 'Asia/Tokyo') AS hour2",
        &[
            ("h", "DateTime('Asia/Kolkata')"),
            ("d", "Date"),
            ("day", "DateTime('Asia/Tokyo')"),
            ("hour", "UInt8"),
            ("hour2", "UInt8"),
        ],
        json!([{
            "h": "2026-11-27 07:00:00",
            "d": "2026-11-26",
            "day": "2026-11-27 00:00:00",
            "hour": 11,
            "hour2": 11
        }]),
    );
}

#[test]
fn daily_counts_follow_the_zone_s_midnight() {
    // In New York the oldest event (25 h ago) falls on Nov 25 and the rest
    // on Nov 26; in UTC they fall on Nov 26 and Nov 27.
    case(
        "SELECT toStartOfInterval(timestamp, INTERVAL 1 DAY, 'America/New_York') AS d, count() AS c \
         FROM aepipe GROUP BY d ORDER BY d",
        &[("d", "Date"), ("c", "UInt64")],
        json!([{"d": "2026-11-25", "c": "1"}, {"d": "2026-11-26", "c": "5"}]),
    );
    case(
        "SELECT toStartOfInterval(timestamp, INTERVAL 1 DAY) AS d, count() AS c \
         FROM aepipe GROUP BY d ORDER BY d",
        &[("d", "Date"), ("c", "UInt64")],
        json!([{"d": "2026-11-26", "c": "1"}, {"d": "2026-11-27", "c": "5"}]),
    );
}

#[test]
fn unknown_zones_are_refused_by_name() {
    let c = db();
    for sql in [
        "SELECT toDateTime(now(), 'Mars/Olympus')",
        "SELECT toHour(now(), 'Mars/Olympus')",
        "SELECT toStartOfInterval(now(), INTERVAL 1 HOUR, 'Mars/Olympus')",
    ] {
        let m = fail(&c, sql);
        assert!(m.contains("Mars/Olympus"), "{sql}: {m}");
    }
    let m = fail(&c, "SELECT toDateTime(now(), blob1) FROM aepipe");
    assert!(m.contains("constant"), "{m}");
}

// ---- UInt64 above 2^63 ----------------------------------------------------------------

#[test]
fn uint64_values_above_two_to_the_63_compare_and_divide_by_value() {
    case(
        "SELECT 18446744073709551615 AS m, m > 1 AS gt, 9223372036854775808 > 9223372036854775807 AS gt2, \
         m = 18446744073709551615 AS eq, intDiv(m, 2) AS half, m % 10 AS rem, \
         m / 18446744073709551615 AS one, toString(m) AS s",
        &[
            ("m", "UInt64"),
            ("gt", "UInt8"),
            ("gt2", "UInt8"),
            ("eq", "UInt8"),
            ("half", "UInt64"),
            ("rem", "UInt8"),
            ("one", "Float64"),
            ("s", "String"),
        ],
        json!([{
            "m": "18446744073709551615",
            "gt": 1,
            "gt2": 1,
            "eq": 1,
            "half": "9223372036854775807",
            "rem": 5,
            "one": 1,
            "s": "18446744073709551615"
        }]),
    );
}

#[test]
fn to_uint64_reads_the_whole_unsigned_range() {
    case(
        "SELECT toUInt64('18446744073709551615') AS p, toUInt64(1.8e19) AS f, \
         toUInt64(-1) AS wrapped, toUInt64(-1) > 0 AS positive, \
         toUInt64('18446744073709551615') > toUInt64('9223372036854775808') AS ordered",
        &[
            ("p", "UInt64"),
            ("f", "UInt64"),
            ("wrapped", "UInt64"),
            ("positive", "UInt8"),
            ("ordered", "UInt8"),
        ],
        json!([{
            "p": "18446744073709551615",
            "f": "18000000000000000000",
            "wrapped": "18446744073709551615",
            "positive": 1,
            "ordered": 1
        }]),
    );
}

// ---- functions and names --------------------------------------------------------------

#[test]
fn least_and_greatest_take_more_than_two_arguments() {
    case(
        "SELECT least(3, 1, 2) AS a, greatest(1, 2.5, 2) AS b, least(5, 300, -1, 7) AS c",
        // The supertype of UInt16 and Int8 is Int32, as in ClickHouse.
        &[("a", "UInt8"), ("b", "Float64"), ("c", "Int32")],
        json!([{"a": 1, "b": 2.5, "c": -1}]),
    );
}

#[test]
fn floats_print_integral_values_in_full_like_clickhouse() {
    case(
        "SELECT toString(1e18) AS a, toString(double1 * 1e16) AS b, 1e18 AS c, toString(0.1) AS d, \
         toString(1e-7) AS e FROM aepipe WHERE blob3 = 'Zebra'",
        &[
            ("a", "String"),
            ("b", "String"),
            ("c", "Float64"),
            ("d", "String"),
            ("e", "String"),
        ],
        json!([{
            "a": "1000000000000000000",
            "b": "10000000000000000",
            "c": 1_000_000_000_000_000_000u64,
            "d": "0.1",
            "e": "1e-7"
        }]),
    );
}

#[test]
fn a_qualified_column_is_named_without_its_qualifier() {
    case(
        "SELECT t.x, t.y AS z FROM (SELECT 1 AS x, 2 AS y) AS t",
        &[("x", "UInt8"), ("z", "UInt8")],
        json!([{"x": 1, "z": 2}]),
    );
    case(
        "SELECT a.blob3 FROM aepipe AS a WHERE a.blob3 = 'Zebra'",
        &[("blob3", "String")],
        json!([{"blob3": "Zebra"}]),
    );
}

#[test]
fn date_time_plus_or_minus_days_stays_a_date_time() {
    case(
        "SELECT now() - INTERVAL 1 DAY AS a, now() + INTERVAL '2' DAY AS b, INTERVAL 1 DAY + now() AS c, \
         toDate(now()) + INTERVAL 1 DAY AS d, toDateTime(now(), 'Asia/Tokyo') - INTERVAL 1 DAY AS e, \
         timestamp - INTERVAL 7 DAY AS f FROM aepipe WHERE blob3 = 'Zebra'",
        &[
            ("a", "DateTime"),
            ("b", "DateTime"),
            ("c", "DateTime"),
            ("d", "Date"),
            ("e", "DateTime('Asia/Tokyo')"),
            ("f", "DateTime"),
        ],
        json!([{
            "a": "2026-11-26 02:15:35",
            "b": "2026-11-29 02:15:35",
            "c": "2026-11-28 02:15:35",
            "d": "2026-11-28",
            "e": "2026-11-26 11:15:35",
            "f": "2026-11-20 02:15:30"
        }]),
    );
}

/// ClickHouse subtracts the day numbers of two Dates: the answer is in
/// days. A DateTime on either side gives seconds.
#[test]
fn date_minus_date_counts_days() {
    case(
        "SELECT toDate('2026-01-03') - toDate('2026-01-01') AS days, \
         toDate('2026-01-01') - toDate('2026-03-01') AS back, \
         toDate(now()) - toDate('2026-11-20') AS week, \
         toDateTime('2026-01-03 00:00:00') - toDateTime('2026-01-01 00:00:00') AS secs",
        &[
            ("days", "Int32"),
            ("back", "Int32"),
            ("week", "Int32"),
            ("secs", "Int32"),
        ],
        json!([{ "days": 2, "back": -59, "week": 7, "secs": 172800 }]),
    );
}

#[test]
fn format_date_time_pads_like_current_clickhouse() {
    // %e is not space-padded, %k and %l are zero-padded (the defaults of
    // formatdatetime_e_with_space_padding and
    // formatdatetime_format_without_leading_zeros).
    case(
        "SELECT formatDateTime(toDateTime('2026-11-02 03:04:05'), '%e|%k|%l|%c|%d|%H') AS f, \
         formatDateTime(toDateTime('2026-11-02 15:04:05'), '%l %p') AS pm",
        &[("f", "String"), ("pm", "String")],
        json!([{"f": "2|03|03|11|02|03", "pm": "03 PM"}]),
    );
}

#[test]
fn weeks_start_on_sunday_by_default_and_not_before_the_epoch() {
    case(
        "SELECT toStartOfWeek(now()) AS sun, toStartOfWeek(now(), 1) AS mon, toMonday(now()) AS monday, \
         toStartOfWeek(toDateTime('1970-01-02 05:00:00')) AS early, toMonday(toDate('1970-01-03')) AS early_mon, \
         toStartOfWeek(toDate('1970-01-11')) AS second",
        &[
            ("sun", "Date"),
            ("mon", "Date"),
            ("monday", "Date"),
            ("early", "Date"),
            ("early_mon", "Date"),
            ("second", "Date"),
        ],
        json!([{
            "sun": "2026-11-22",
            "mon": "2026-11-23",
            "monday": "2026-11-23",
            "early": "1970-01-01",
            "early_mon": "1970-01-01",
            "second": "1970-01-11"
        }]),
    );
}
