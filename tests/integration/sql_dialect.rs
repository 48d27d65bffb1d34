//! The AE SQL dialect on the local server: results and types as ClickHouse
//! documents them, refusals with AE's reasons, tenant isolation, and no panic
//! on malformed input. Expected values are worked out by hand from the
//! fixture in `sql_support` and ClickHouse's documented semantics.

use crate::common;
use crate::sql_support;

use aepipe::client::DataPoint;
use serde_json::{json, Value};
use sql_support::*;

/// Assert `meta` (name, type) and `data` of a query, exactly.
fn case(sql: &str, expect_meta: &[(&str, &str)], expect_data: Value) {
    let c = db();
    let v = ok(&c, sql);
    let want: Vec<(String, String)> = expect_meta
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    assert_eq!(meta(&v), want, "meta of {sql}");
    assert_eq!(v["data"], expect_data, "data of {sql}");
    let rows = expect_data.as_array().map_or(0, Vec::len);
    assert_eq!(v["rows"], json!(rows), "rows of {sql}");
}

/// Assert a query fails with a message containing every `needles`.
fn refused(sql: &str, needles: &[&str]) {
    let c = db();
    let m = fail(&c, sql);
    for n in needles {
        assert!(m.contains(n), "message of {sql} should mention {n:?}: {m}");
    }
}

// ---- counting, grouping, ordering -------------------------------------------------

#[test]
fn count_is_uint64_rendered_as_a_string() {
    case(
        "SELECT count() AS n FROM aepipe",
        &[("n", "UInt64")],
        json!([{"n": "6"}]),
    );
    case(
        "SELECT count() FROM aepipe",
        &[("count()", "UInt64")],
        json!([{"count()": "6"}]),
    );
    case(
        "SELECT count(*) FROM aepipe",
        &[("count()", "UInt64")],
        json!([{"count()": "6"}]),
    );
}

#[test]
fn sum_of_sample_interval_is_uint64() {
    case(
        "SELECT sum(_sample_interval) AS n FROM aepipe",
        &[("n", "UInt64")],
        json!([{"n": "7"}]),
    );
}

#[test]
fn group_by_event_orders_byte_wise() {
    case(
        "SELECT blob3 AS event, count() AS cnt FROM aepipe GROUP BY event ORDER BY cnt DESC, event",
        &[("event", "String"), ("cnt", "UInt64")],
        json!([
            {"event": "http_request", "cnt": "4"},
            {"event": "Zebra", "cnt": "1"},
            {"event": "login", "cnt": "1"}
        ]),
    );
}

#[test]
fn float_aggregates() {
    case(
        "SELECT sum(double1) AS s, min(double1) AS lo, max(double1) AS hi FROM aepipe",
        &[("s", "Float64"), ("lo", "Float64"), ("hi", "Float64")],
        json!([{"s": 551.75, "lo": 0, "hi": 300}]),
    );
    // avg is sum / count: 1304 / 6, printed with the shortest round-trip digits
    // (checked on the text: serde_json's default float parsing is not exact).
    let c = db();
    let text =
        aepipe::server::sql::run_query(&c, TENANT, "SELECT avg(double2) AS a FROM aepipe", NOW)
            .unwrap_or_default();
    assert!(
        text.contains(r#""data":[{"a":217.33333333333334}]"#),
        "{text}"
    );
}

#[test]
fn aggregates_of_no_rows() {
    // avg of nothing is nan (rendered null); sum is 0; count is 0.
    case(
        "SELECT avg(double1) AS a, sum(double1) AS s, count() AS c FROM aepipe WHERE blob3 = 'nope'",
        &[("a", "Float64"), ("s", "Float64"), ("c", "UInt64")],
        json!([{"a": null, "s": 0, "c": "0"}]),
    );
    case(
        "SELECT min(blob3) AS m, max(double1) AS x FROM aepipe WHERE blob3 = 'nope'",
        &[("m", "String"), ("x", "Float64")],
        json!([{"m": "", "x": 0}]),
    );
}

#[test]
fn aliases_work_in_where_group_by_having_and_order_by() {
    case(
        "SELECT blob3 AS event FROM aepipe WHERE event = 'login'",
        &[("event", "String")],
        json!([{"event": "login"}]),
    );
    case(
        "SELECT blob4 AS level, count() AS c FROM aepipe GROUP BY level HAVING c > 1 ORDER BY level",
        &[("level", "String"), ("c", "UInt64")],
        json!([{"level": "info", "c": "3"}]),
    );
}

#[test]
fn an_alias_wins_over_a_column_of_the_same_name() {
    // ClickHouse substitutes the alias: `blob3` in WHERE means blob4 here.
    case(
        "SELECT blob4 AS blob3 FROM aepipe WHERE blob3 = 'error'",
        &[("blob3", "String")],
        json!([{"blob3": "error"}]),
    );
}

#[test]
fn positional_group_by_and_order_by() {
    case(
        "SELECT blob4, count() FROM aepipe GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1",
        &[("blob4", "String"), ("count()", "UInt64")],
        json!([{"blob4": "info", "count()": "3"}]),
    );
}

#[test]
fn select_distinct_and_string_order_is_byte_wise() {
    case(
        "SELECT DISTINCT blob3 FROM aepipe ORDER BY blob3",
        &[("blob3", "String")],
        json!([{"blob3": "Zebra"}, {"blob3": "http_request"}, {"blob3": "login"}]),
    );
    case(
        "SELECT DISTINCT blob3 FROM aepipe WHERE blob3 < 'a'",
        &[("blob3", "String")],
        json!([{"blob3": "Zebra"}]),
    );
}

#[test]
fn limit_forms_and_rows_before_limit() {
    let c = db();
    let v = ok(
        &c,
        "SELECT DISTINCT blob4 FROM aepipe ORDER BY blob4 LIMIT 1, 2",
    );
    assert_eq!(v["data"], json!([{"blob4": "error"}, {"blob4": "info"}]));
    assert_eq!(v["rows_before_limit_at_least"], json!(4));
    let v = ok(
        &c,
        "SELECT DISTINCT blob4 FROM aepipe ORDER BY blob4 LIMIT 2 OFFSET 2",
    );
    assert_eq!(v["data"], json!([{"blob4": "info"}, {"blob4": "warn"}]));
    let v = ok(
        &c,
        "SELECT blob3 FROM aepipe ORDER BY timestamp DESC LIMIT 2",
    );
    assert_eq!(
        v["data"],
        json!([{"blob3": "Zebra"}, {"blob3": "http_request"}])
    );
    assert_eq!(v["rows"], json!(2));
    assert_eq!(v["rows_before_limit_at_least"], json!(6));
    let v = ok(&c, "SELECT blob3 FROM aepipe ORDER BY timestamp DESC");
    assert!(
        v.get("rows_before_limit_at_least").is_none(),
        "no LIMIT, no rows_before_limit: {v}"
    );
    assert!(v["statistics"]["elapsed"].is_number());
}

#[test]
fn subqueries_in_from() {
    case(
        "SELECT event, c FROM (SELECT blob3 AS event, count() AS c FROM aepipe GROUP BY event) WHERE c > 1",
        &[("event", "String"), ("c", "UInt64")],
        json!([{"event": "http_request", "c": "4"}]),
    );
    case(
        "SELECT count() AS n FROM (SELECT blob3 FROM aepipe ORDER BY timestamp LIMIT 3)",
        &[("n", "UInt64")],
        json!([{"n": "3"}]),
    );
}

// ---- literals, operators, types --------------------------------------------------

#[test]
fn integer_literals_take_the_smallest_type() {
    case(
        "SELECT 1 AS a, -1 AS b, 300 AS c, 70000 AS d, 5000000000 AS e, -129 AS f, 1.5 AS g, 'x' AS h",
        &[
            ("a", "UInt8"),
            ("b", "Int8"),
            ("c", "UInt16"),
            ("d", "UInt32"),
            ("e", "UInt64"),
            ("f", "Int16"),
            ("g", "Float64"),
            ("h", "String"),
        ],
        json!([{"a": 1, "b": -1, "c": 300, "d": 70000, "e": "5000000000", "f": -129, "g": 1.5, "h": "x"}]),
    );
}

#[test]
fn arithmetic_widens_like_clickhouse() {
    case(
        "SELECT 1 + 1 AS a, 200 + 100 AS b, 1 - 2 AS c, 2 * 300 AS d",
        &[
            ("a", "UInt16"),
            ("b", "UInt16"),
            ("c", "Int16"),
            ("d", "UInt32"),
        ],
        json!([{"a": 2, "b": 300, "c": -1, "d": 600}]),
    );
}

#[test]
fn division_is_always_float_and_intdiv_is_integer() {
    case(
        "SELECT 7 / 2 AS a, intDiv(7, 2) AS b, 6 / 3 AS c, 7 % 3 AS m",
        &[
            ("a", "Float64"),
            ("b", "UInt8"),
            ("c", "Float64"),
            ("m", "UInt8"),
        ],
        json!([{"a": 3.5, "b": 3, "c": 2, "m": 1}]),
    );
    // inf renders as null in ClickHouse's JSON.
    case(
        "SELECT 1 / 0 AS x",
        &[("x", "Float64")],
        json!([{"x": null}]),
    );
}

#[test]
fn unaliased_columns_are_named_as_clickhouse_prints_them() {
    case(
        "SELECT double1 + 1, blob4 = 'error', double1 / 2 FROM aepipe WHERE blob3 = 'login'",
        &[
            ("plus(double1, 1)", "Float64"),
            ("equals(blob4, 'error')", "UInt8"),
            ("divide(double1, 2)", "Float64"),
        ],
        json!([{"plus(double1, 1)": 1, "equals(blob4, 'error')": 0, "divide(double1, 2)": 0}]),
    );
    case(
        "SELECT SUM(double2) FROM aepipe",
        &[("SUM(double2)", "Float64")],
        json!([{"SUM(double2)": 1304}]),
    );
}

#[test]
fn comparisons_in_lists_and_ranges() {
    case(
        "SELECT countIf(blob4 IN ('error', 'warn')) AS i, countIf(blob4 NOT IN ('error', 'warn')) AS n, \
         countIf(double1 BETWEEN 50 AND 120.5) AS b, countIf(blob4 == 'warn') AS e, countIf(blob4 != 'info') AS ne \
         FROM aepipe",
        &[("i", "UInt64"), ("n", "UInt64"), ("b", "UInt64"), ("e", "UInt64"), ("ne", "UInt64")],
        json!([{"i": "2", "n": "4", "b": "3", "e": "1", "ne": "3"}]),
    );
}

#[test]
fn like_is_case_sensitive_and_ilike_is_not() {
    case(
        "SELECT countIf(blob6 LIKE '/API%') AS a, countIf(blob6 ILIKE '/API%') AS b, \
         countIf(blob6 NOT LIKE '%s') AS c, countIf(blob6 LIKE 'h_llo%') AS d FROM aepipe",
        &[
            ("a", "UInt64"),
            ("b", "UInt64"),
            ("c", "UInt64"),
            ("d", "UInt64"),
        ],
        json!([{"a": "0", "b": "4", "c": "2", "d": "1"}]),
    );
}

#[test]
fn null_and_booleans() {
    case(
        "SELECT NULL AS n, NULL IS NULL AS a, 1 IS NOT NULL AS b, true AS t, false AS f",
        &[
            ("n", "Nullable(Nothing)"),
            ("a", "UInt8"),
            ("b", "UInt8"),
            ("t", "Bool"),
            ("f", "Bool"),
        ],
        json!([{"n": null, "a": 1, "b": 1, "t": true, "f": false}]),
    );
}

#[test]
fn string_literal_escapes() {
    case(
        "SELECT 'it''s' AS a, 'tab\\there' AS b, 'q\\'x' AS c",
        &[("a", "String"), ("b", "String"), ("c", "String")],
        json!([{"a": "it's", "b": "tab\there", "c": "q'x"}]),
    );
}

#[test]
fn comments_are_ignored() {
    case(
        "SELECT /* a comment */ count() AS c -- trailing\nFROM aepipe",
        &[("c", "UInt64")],
        json!([{"c": "6"}]),
    );
}

#[test]
fn unset_blobs_are_empty_and_unset_doubles_zero() {
    case(
        "SELECT countIf(blob5 = '') AS e, sum(double3) AS z, any_dataset FROM (SELECT dataset AS any_dataset, blob5, double3 FROM aepipe) GROUP BY any_dataset",
        &[("e", "UInt64"), ("z", "Float64"), ("any_dataset", "String")],
        json!([{"e": "6", "z": 0, "any_dataset": "aepipe"}]),
    );
}

// ---- dates and times -------------------------------------------------------------

#[test]
fn datetime_compared_with_a_string_parses_the_string() {
    case(
        "SELECT count() AS c FROM aepipe WHERE timestamp >= '2026-11-27 01:45:35'",
        &[("c", "UInt64")],
        json!([{"c": "4"}]),
    );
}

#[test]
fn now_minus_interval_in_every_form() {
    case(
        "SELECT countIf(timestamp > now() - INTERVAL '1' HOUR) AS h, countIf(timestamp > NOW() - INTERVAL 1 DAY) AS d, \
         countIf(timestamp > now() - INTERVAL 2 MINUTES) AS m FROM aepipe",
        &[("h", "UInt64"), ("d", "UInt64"), ("m", "UInt64")],
        json!([{"h": "4", "d": "5", "m": "2"}]),
    );
}

#[test]
fn to_start_of_interval_buckets() {
    case(
        "SELECT toStartOfInterval(timestamp, INTERVAL '30' MINUTE) AS t, count() AS c FROM aepipe \
         WHERE timestamp > now() - INTERVAL '1' DAY GROUP BY t ORDER BY t",
        &[("t", "DateTime"), ("c", "UInt64")],
        json!([
            {"t": "2026-11-27 01:00:00", "c": "1"},
            {"t": "2026-11-27 01:30:00", "c": "1"},
            {"t": "2026-11-27 02:00:00", "c": "3"}
        ]),
    );
    case(
        "SELECT toStartOfInterval(timestamp, INTERVAL 1 DAY) AS d, count() AS c FROM aepipe GROUP BY d ORDER BY d",
        &[("d", "Date"), ("c", "UInt64")],
        json!([{"d": "2026-11-26", "c": "1"}, {"d": "2026-11-27", "c": "5"}]),
    );
    case(
        "SELECT toStartOfInterval(now(), INTERVAL 1 MONTH) AS m, toStartOfInterval(now(), INTERVAL 1 QUARTER) AS q",
        &[("m", "Date"), ("q", "Date")],
        json!([{"m": "2026-11-01", "q": "2026-10-01"}]),
    );
}

#[test]
fn bucket_counts_with_sample_interval_having_and_order() {
    // Served by counting per second first (pre_aggregate.rs): same answer.
    case(
        "SELECT toStartOfHour(timestamp) AS h, count() AS c, sum(_sample_interval) AS s FROM aepipe \
         GROUP BY h HAVING c >= 2 ORDER BY c DESC, h",
        &[("h", "DateTime"), ("c", "UInt64"), ("s", "UInt64")],
        json!([
            {"h": "2026-11-27 02:00:00", "c": "3", "s": "3"},
            {"h": "2026-11-27 01:00:00", "c": "2", "s": "3"}
        ]),
    );
    case(
        "SELECT toDate(timestamp) AS d, count() AS c, avg(double1) AS a FROM aepipe GROUP BY d ORDER BY d",
        &[("d", "Date"), ("c", "UInt64"), ("a", "Float64")],
        json!([
            {"d": "2026-11-26", "c": "1", "a": 120.5},
            {"d": "2026-11-27", "c": "5", "a": 86.25}
        ]),
    );
}

#[test]
fn to_start_of_day_hour_and_minutes_are_datetime() {
    case(
        "SELECT toStartOfDay(now()) AS a, toStartOfHour(now()) AS b, toStartOfFifteenMinutes(now()) AS c, \
         toStartOfTenMinutes(now()) AS d, toStartOfFiveMinutes(now()) AS e, toStartOfMinute(now()) AS f",
        &[
            ("a", "DateTime"),
            ("b", "DateTime"),
            ("c", "DateTime"),
            ("d", "DateTime"),
            ("e", "DateTime"),
            ("f", "DateTime"),
        ],
        json!([{
            "a": "2026-11-27 00:00:00", "b": "2026-11-27 02:00:00", "c": "2026-11-27 02:15:00",
            "d": "2026-11-27 02:10:00", "e": "2026-11-27 02:15:00", "f": "2026-11-27 02:15:00"
        }]),
    );
}

#[test]
fn to_start_of_year_month_week_are_dates_and_weeks_start_sunday_by_default() {
    // toStartOfWeek's default mode 0 starts weeks on Sunday; toMonday on Monday.
    case(
        "SELECT toStartOfYear(now()) AS y, toStartOfMonth(now()) AS m, toStartOfWeek(now()) AS w, toMonday(now()) AS mo",
        &[("y", "Date"), ("m", "Date"), ("w", "Date"), ("mo", "Date")],
        json!([{"y": "2026-01-01", "m": "2026-11-01", "w": "2026-11-22", "mo": "2026-11-23"}]),
    );
}

#[test]
fn day_of_week_counts_from_monday() {
    case(
        "SELECT toDayOfWeek(toDateTime('2026-11-23 10:00:00')) AS mon, toDayOfWeek(toDateTime('2026-11-29 10:00:00')) AS sun, toDayOfWeek(now()) AS fri",
        &[("mon", "UInt8"), ("sun", "UInt8"), ("fri", "UInt8")],
        json!([{"mon": 1, "sun": 7, "fri": 5}]),
    );
}

#[test]
fn date_parts_and_their_types() {
    case(
        "SELECT toYear(now()) AS y, toMonth(now()) AS m, toDayOfMonth(now()) AS d, toHour(now()) AS h, \
         toMinute(now()) AS mi, toSecond(now()) AS s, toYYYYMM(now()) AS ym",
        &[
            ("y", "UInt16"),
            ("m", "UInt8"),
            ("d", "UInt8"),
            ("h", "UInt8"),
            ("mi", "UInt8"),
            ("s", "UInt8"),
            ("ym", "UInt32"),
        ],
        json!([{"y": 2026, "m": 11, "d": 27, "h": 2, "mi": 15, "s": 35, "ym": 202611}]),
    );
    case(
        "SELECT extract(YEAR FROM now()) AS y, extract(HOUR FROM now()) AS h, extract(SECOND FROM now()) AS s",
        &[("y", "UInt16"), ("h", "UInt8"), ("s", "UInt8")],
        json!([{"y": 2026, "h": 2, "s": 35}]),
    );
}

#[test]
fn unix_timestamps_and_conversions_to_datetime() {
    case(
        "SELECT toUnixTimestamp(now()) AS u, toUnixTimestamp('2026-11-27 02:15:35') AS v, toDateTime(0) AS a, \
         toDateTime('1795745735') AS b, toDateTime('2026-01-02 03:04:05') AS c, now() AS n",
        &[
            ("u", "UInt32"),
            ("v", "UInt32"),
            ("a", "DateTime"),
            ("b", "DateTime"),
            ("c", "DateTime"),
            ("n", "DateTime"),
        ],
        json!([{
            "u": 1_795_745_735u64, "v": 1_795_745_735u64, "a": "1970-01-01 00:00:00",
            "b": "2026-11-27 02:15:35", "c": "2026-01-02 03:04:05", "n": "2026-11-27 02:15:35"
        }]),
    );
}

#[test]
fn to_date_and_today() {
    case(
        "SELECT toDate(now()) AS a, toDate('2026-01-02') AS b, today() AS c, toDate(timestamp) AS d FROM aepipe WHERE blob3 = 'Zebra'",
        &[("a", "Date"), ("b", "Date"), ("c", "Date"), ("d", "Date")],
        json!([{"a": "2026-11-27", "b": "2026-01-02", "c": "2026-11-27", "d": "2026-11-27"}]),
    );
}

#[test]
fn format_date_time_uses_clickhouse_codes() {
    case(
        "SELECT formatDateTime(now(), '%Y-%m-%d %H:%i:%S') AS a, formatDateTime(now(), '%F %T') AS b, \
         formatDateTime(now(), '%a %b %e %M %W %u %j') AS c",
        &[("a", "String"), ("b", "String"), ("c", "String")],
        json!([{"a": "2026-11-27 02:15:35", "b": "2026-11-27 02:15:35", "c": "Fri Nov 27 November Friday 5 331"}]),
    );
}

#[test]
fn month_arithmetic_clamps_to_the_last_day() {
    case(
        "SELECT toDateTime('2026-01-31 00:00:00') + INTERVAL 1 MONTH AS t, toDate('2026-03-01') - INTERVAL '1' DAY AS d",
        &[("t", "DateTime"), ("d", "Date")],
        json!([{"t": "2026-02-28 00:00:00", "d": "2026-02-28"}]),
    );
}

// ---- strings -----------------------------------------------------------------------

#[test]
fn length_and_substring_count_code_points_position_counts_bytes() {
    case(
        "SELECT length(blob6) AS l, substring(blob6, 2, 4) AS s, position(blob6, 'w') AS p, \
         position('w' IN blob6) AS q, substring(blob6, -5) AS t FROM aepipe WHERE blob3 = 'login'",
        &[
            ("l", "UInt64"),
            ("s", "String"),
            ("p", "UInt64"),
            ("q", "UInt64"),
            ("t", "String"),
        ],
        json!([{"l": "11", "s": "éllo", "p": "8", "q": "8", "t": "wörld"}]),
    );
}

#[test]
fn upper_is_ascii_and_to_upper_is_utf8() {
    case(
        "SELECT upper('héllo') AS a, upperUTF8('héllo') AS b, toUpper('héllo') AS c, lower('ÀB') AS d, toLower('ÀB') AS e",
        &[("a", "String"), ("b", "String"), ("c", "String"), ("d", "String"), ("e", "String")],
        json!([{"a": "HéLLO", "b": "HÉLLO", "c": "HÉLLO", "d": "Àb", "e": "àb"}]),
    );
}

#[test]
fn empty_starts_with_ends_with() {
    case(
        "SELECT countIf(empty(blob6)) AS e, countIf(isEmpty(blob7)) AS f, \
         countIf(startsWith(blob6, '/api') AND endsWith(blob6, 'orders')) AS g FROM aepipe",
        &[("e", "UInt64"), ("f", "UInt64"), ("g", "UInt64")],
        json!([{"e": "1", "f": "6", "g": "2"}]),
    );
}

#[test]
fn concat_and_format() {
    case(
        "SELECT concat(blob3, ':', blob4) AS a, format('{}-{}', blob4, double1) AS b, blob3 || '!' AS c FROM aepipe WHERE blob3 = 'Zebra'",
        &[("a", "String"), ("b", "String"), ("c", "String")],
        json!([{"a": "Zebra:debug", "b": "debug-1", "c": "Zebra!"}]),
    );
}

#[test]
fn replace_and_trim() {
    case(
        "SELECT replaceAll('a-b-c', '-', '+') AS a, replaceOne('a-b-c', '-', '+') AS b, trim('  x  ') AS c, \
         trimLeft('  x') AS d, trimRight('x  ') AS e",
        &[("a", "String"), ("b", "String"), ("c", "String"), ("d", "String"), ("e", "String")],
        json!([{"a": "a+b+c", "b": "a+b-c", "c": "x", "d": "x", "e": "x"}]),
    );
}

#[test]
fn to_string_prints_like_clickhouse() {
    case(
        "SELECT toString(1.5) AS a, toString(42) AS b, toString(toDateTime('2026-01-02 03:04:05')) AS c, \
         toString(toDate('2026-01-02')) AS d, toString(2.0) AS e",
        &[("a", "String"), ("b", "String"), ("c", "String"), ("d", "String"), ("e", "String")],
        json!([{"a": "1.5", "b": "42", "c": "2026-01-02 03:04:05", "d": "2026-01-02", "e": "2"}]),
    );
}

// ---- conditionals, math, bits, conversions ---------------------------------------

#[test]
fn if_groups_and_takes_the_common_type() {
    case(
        "SELECT if(double1 > 100, 'big', 'small') AS size, count() AS c FROM aepipe GROUP BY size ORDER BY size",
        &[("size", "String"), ("c", "UInt64")],
        json!([{"size": "big", "c": "2"}, {"size": "small", "c": "4"}]),
    );
    case(
        "SELECT if(1, 1, -1) AS a, if(0, 1, 2.5) AS b",
        &[("a", "Int16"), ("b", "Float64")],
        json!([{"a": 1, "b": 2.5}]),
    );
}

#[test]
fn multi_if() {
    case(
        "SELECT multiIf(double1 >= 300, 'high', double1 >= 100, 'mid', 'low') AS band, count() AS c \
         FROM aepipe GROUP BY band ORDER BY band",
        &[("band", "String"), ("c", "UInt64")],
        json!([{"band": "high", "c": "1"}, {"band": "low", "c": "4"}, {"band": "mid", "c": "1"}]),
    );
}

#[test]
fn math_functions() {
    case(
        "SELECT round(2.5) AS a, round(3.5) AS b, round(2.71828, 2) AS c, floor(2.7) AS d, ceil(2.1) AS e, \
         abs(-3) AS f, pow(2, 10) AS g, sqrt(16) AS h, log(1) AS i, exp(0) AS j, least(3, 300) AS k, greatest(3, 300) AS l",
        &[
            ("a", "Float64"),
            ("b", "Float64"),
            ("c", "Float64"),
            ("d", "Float64"),
            ("e", "Float64"),
            ("f", "UInt8"),
            ("g", "Float64"),
            ("h", "Float64"),
            ("i", "Float64"),
            ("j", "Float64"),
            ("k", "UInt16"),
            ("l", "UInt16"),
        ],
        json!([{"a": 2, "b": 4, "c": 2.72, "d": 2, "e": 3, "f": 3, "g": 1024, "h": 4, "i": 0, "j": 1, "k": 3, "l": 300}]),
    );
}

#[test]
fn bit_functions() {
    case(
        "SELECT bitAnd(12, 10) AS a, bitOr(12, 10) AS b, bitXor(12, 10) AS c, bitNot(toUInt8(1)) AS d, \
         bitShiftLeft(1, 4) AS e, bitShiftRight(16, 2) AS f, bitTest(5, 2) AS g, bitCount(255) AS h, \
         bitHammingDistance(1, 3) AS i, hex(255) AS j, bin(5) AS k, hex('ab') AS l, hex(256) AS m",
        &[
            ("a", "UInt8"),
            ("b", "UInt8"),
            ("c", "UInt8"),
            ("d", "UInt8"),
            ("e", "UInt8"),
            ("f", "UInt8"),
            ("g", "UInt8"),
            ("h", "UInt8"),
            ("i", "UInt8"),
            ("j", "String"),
            ("k", "String"),
            ("l", "String"),
            ("m", "String"),
        ],
        json!([{
            "a": 8, "b": 14, "c": 6, "d": 254, "e": 16, "f": 4, "g": 1, "h": 8, "i": 1,
            "j": "FF", "k": "00000101", "l": "6162", "m": "0100"
        }]),
    );
}

#[test]
fn conversions_wrap_like_clickhouse() {
    case(
        "SELECT toUInt8(300) AS a, toUInt32('42') AS b, toInt32(-5) AS c, toInt64(7) AS d, toUInt64(3) AS e, \
         toFloat64('2.5') AS f, toUInt8(3.9) AS g",
        &[
            ("a", "UInt8"),
            ("b", "UInt32"),
            ("c", "Int32"),
            ("d", "Int64"),
            ("e", "UInt64"),
            ("f", "Float64"),
            ("g", "UInt8"),
        ],
        json!([{"a": 44, "b": 42, "c": -5, "d": "7", "e": "3", "f": 2.5, "g": 3}]),
    );
}

// ---- aggregates ----------------------------------------------------------------

#[test]
fn arg_max_and_arg_min() {
    case(
        "SELECT argMax(blob3, timestamp) AS newest, argMin(blob6, timestamp) AS oldest, argMax(double1, double2) AS m FROM aepipe",
        &[("newest", "String"), ("oldest", "String"), ("m", "Float64")],
        json!([{"newest": "Zebra", "oldest": "/api/users", "m": 300}]),
    );
}

#[test]
fn top_k_returns_an_array_most_frequent_first() {
    case(
        "SELECT topK(1)(blob3) AS t, topKWeighted(1)(blob4, double2) AS w FROM aepipe",
        &[("t", "Array(String)"), ("w", "Array(String)")],
        json!([{"t": ["http_request"], "w": ["error"]}]),
    );
    let c = db();
    let v = ok(&c, "SELECT topK(blob4) AS t FROM aepipe");
    let t = v["data"][0]["t"].as_array().cloned().unwrap_or_default();
    assert_eq!(t.len(), 4, "n defaults to 10, 4 distinct levels: {v}");
    assert_eq!(t[0], "info");
}

#[test]
fn quantile_exact_weighted_both_forms() {
    // Sorted (value, weight): 0,1 1,1 50.25,1 80,1 120.5,1 300,2 — total 7; the
    // first value whose running weight reaches ceil(0.5 × 7) = 4 is 80.
    case(
        "SELECT quantileExactWeighted(0.5)(double1, _sample_interval) AS q, \
         quantileWeighted(0.5, double1, _sample_interval) AS o, quantileExactWeighted(1)(double1, _sample_interval) AS top FROM aepipe",
        &[("q", "Float64"), ("o", "Float64"), ("top", "Float64")],
        json!([{"q": 80, "o": 80, "top": 300}]),
    );
}

#[test]
fn distinct_counts_and_sums() {
    case(
        "SELECT count(DISTINCT blob3) AS a, uniqExact(blob4) AS b, sum(DISTINCT double2) AS s FROM aepipe",
        &[("a", "UInt64"), ("b", "UInt64"), ("s", "Float64")],
        json!([{"a": "3", "b": "4", "s": 1104}]),
    );
}

#[test]
fn conditional_aggregates() {
    case(
        "SELECT countIf(blob4 = 'info') AS c, sumIf(double1, blob4 = 'info') AS s, \
         avgIf(double2, blob3 = 'http_request') AS a FROM aepipe WHERE double1 > 0",
        &[("c", "UInt64"), ("s", "Float64"), ("a", "Float64")],
        json!([{"c": "2", "s": 200.5, "a": 326}]),
    );
    // first_value/last_value take the first/last row met: one row, one answer.
    case(
        "SELECT first_value(blob6) AS f, last_value(double1) AS l FROM aepipe WHERE blob4 = 'error'",
        &[("f", "String"), ("l", "Float64")],
        json!([{"f": "/api/orders", "l": 300}]),
    );
}

// ---- SHOW -------------------------------------------------------------------------

#[test]
fn show_statements() {
    case(
        "SHOW TABLES",
        &[("name", "String")],
        json!([{"name": "aepipe"}]),
    );
    case(
        "SHOW TIMEZONE",
        &[("timezone", "String")],
        json!([{"timezone": "Etc/UTC"}]),
    );
    let c = db();
    let v = ok(&c, "SHOW TIMEZONES");
    assert!(column(&v, "timezone").contains(&json!("UTC")), "{v}");
}

#[test]
fn format_json_is_accepted() {
    case(
        "SELECT count() AS n FROM aepipe FORMAT JSON",
        &[("n", "UInt64")],
        json!([{"n": "6"}]),
    );
}

// ---- refusals --------------------------------------------------------------------

#[test]
fn case_when_is_refused_with_ae_reason() {
    refused(
        "SELECT CASE WHEN double1 > 1 THEN 'a' ELSE 'b' END FROM aepipe",
        &["CASE WHEN", "if(", "line 1, column 8"],
    );
}

#[test]
fn documented_refusals() {
    refused(
        "SELECT * FROM aepipe a JOIN aepipe b ON a.blob1 = b.blob1",
        &["JOIN"],
    );
    refused(
        "SELECT 1 FROM aepipe UNION ALL SELECT 2 FROM aepipe",
        &["UNION"],
    );
    refused("INSERT INTO aepipe (blob1) VALUES ('x')", &["only SELECT"]);
    refused("ALTER TABLE aepipe DELETE WHERE 1", &["only SELECT"]);
    refused("DROP TABLE aepipe", &["only SELECT"]);
    refused(
        "SELECT count() FROM aepipe SETTINGS max_threads = 1",
        &["SETTINGS"],
    );
    refused("SELECT * FROM numbers(10)", &["table function"]);
    refused("SELECT * FROM system.tables", &["system"]);
    refused("SELECT 1; SELECT 2", &["one statement"]);
    refused("SELECT 1 FORMAT CSV", &["FORMAT CSV", "JSON"]);
    refused(
        "SELECT count() FROM aepipe FORMAT JSONEachRow",
        &["JSONEachRow"],
    );
}

#[test]
fn unknown_names_say_what_and_where() {
    refused(
        "SELECT nosuch FROM aepipe",
        &["unknown column 'nosuch'", "line 1, column 8"],
    );
    refused(
        "SELECT\n  foo(blob1)\nFROM aepipe",
        &["unknown function foo", "line 2, column 3"],
    );
    refused(
        "SELECT count() FROM other_table",
        &["unknown table 'other_table'"],
    );
    refused("SELECT count( FROM aepipe", &["syntax error", "Line: 1"]);
    refused("", &["empty"]);
}

#[test]
fn grouping_errors_match_clickhouse() {
    refused("SELECT blob3, count() FROM aepipe", &["blob3", "GROUP BY"]);
    refused("SELECT blob3 FROM aepipe WHERE count() > 1", &["WHERE"]);
    refused(
        "SELECT sum(count()) FROM aepipe",
        &["inside another aggregate"],
    );
    refused(
        "SELECT blob3, count() FROM aepipe GROUP BY blob4",
        &["blob3"],
    );
}

#[test]
fn type_errors_are_reported() {
    refused("SELECT 1 + 'a'", &["plus", "String"]);
    refused(
        "SELECT timestamp > 'yesterday' FROM aepipe",
        &["cannot parse 'yesterday'"],
    );
    refused("SELECT toDateTime('garbage')", &["cannot parse 'garbage'"]);
    refused("SELECT length(1)", &["length", "UInt8"]);
    refused(
        "SELECT toStartOfInterval(timestamp, 5) FROM aepipe",
        &["INTERVAL"],
    );
    refused("SELECT formatDateTime(now(), '%q')", &["%q"]);
    refused(
        "SELECT toHour(now(), 'Europe/Lutetia')",
        &["unknown time zone", "Europe/Lutetia"],
    );
    refused("SELECT if(1, 'a', 2)", &["common type"]);
    refused("SELECT count() FROM aepipe LIMIT 'x'", &["LIMIT"]);
    refused("SELECT CAST(1 AS String)", &["CAST", "toString"]);
    refused("SELECT *", &["FROM"]);
}

#[test]
fn runtime_conversion_errors_are_sql_errors() {
    refused("SELECT toUInt32(blob3) FROM aepipe", &["cannot parse"]);
}

// ---- tenant isolation ----------------------------------------------------------

const SECRETS: [&str; 4] = ["TOP SECRET", "secret_event", "999", "shop/admin"];

/// Run an attack; it may fail, but an answer must hold only `shop/web` rows.
fn attack(sql: &str) -> Option<Value> {
    let c = db();
    match run(&c, sql) {
        Err(e) => {
            assert!(!e.message.is_empty());
            None
        }
        Ok(v) => {
            let text = v["data"].to_string();
            for s in SECRETS {
                assert!(!text.contains(s), "{sql} leaked {s}: {text}");
            }
            Some(v)
        }
    }
}

fn count_of(v: &Option<Value>) -> Option<String> {
    v.as_ref().and_then(|v| {
        v["data"][0]
            .as_object()?
            .values()
            .next()?
            .as_str()
            .map(String::from)
    })
}

#[test]
fn or_true_and_index1_tricks_stay_in_the_tenant() {
    assert_eq!(
        count_of(&attack(
            "SELECT count() FROM aepipe WHERE blob3 = 'x' OR 1=1"
        ))
        .as_deref(),
        Some("6")
    );
    assert_eq!(
        count_of(&attack(
            "SELECT count() FROM aepipe WHERE 1 OR index1 = 'shop/admin'"
        ))
        .as_deref(),
        Some("6")
    );
    assert_eq!(
        count_of(&attack(
            "SELECT count() FROM aepipe WHERE index1 = 'shop/admin'"
        ))
        .as_deref(),
        Some("0")
    );
    assert_eq!(
        count_of(&attack(
            "SELECT count() FROM aepipe WHERE index1 != 'shop/web'"
        ))
        .as_deref(),
        Some("0")
    );
    let v = attack("SELECT DISTINCT index1, blob1, blob2 FROM aepipe").unwrap_or_default();
    assert_eq!(
        v["data"],
        json!([{"index1": "shop/web", "blob1": "shop", "blob2": "web"}])
    );
}

#[test]
fn subqueries_are_scoped_too() {
    let v = attack("SELECT * FROM (SELECT * FROM aepipe) WHERE 1=1");
    assert_eq!(v.map(|v| v["rows"].clone()), Some(json!(6)));
    assert_eq!(
        count_of(&attack("SELECT (SELECT count() FROM aepipe) AS n")).as_deref(),
        Some("6")
    );
    assert_eq!(
        count_of(&attack(
            "SELECT count() FROM aepipe WHERE blob3 IN (SELECT blob3 FROM aepipe WHERE 1=1)"
        ))
        .as_deref(),
        Some("6")
    );
    assert_eq!(
        count_of(&attack(
            "SELECT count() FROM (SELECT * FROM (SELECT * FROM aepipe WHERE 1 OR 1))"
        ))
        .as_deref(),
        Some("6")
    );
    // An alias named like the storage table still reads only the tenant.
    assert_eq!(
        count_of(&attack(
            "SELECT count() FROM aepipe AS events WHERE events.index1 = 'shop/admin'"
        ))
        .as_deref(),
        Some("0")
    );
}

#[test]
fn other_tables_unions_ctes_and_stacking_are_refused() {
    for sql in [
        "SELECT * FROM events",
        "SELECT * FROM \"events\"",
        "SELECT * FROM `events`",
        "SELECT * FROM main.events",
        "SELECT * FROM sqlite_master",
        "SELECT * FROM sqlite_schema",
        "SELECT * FROM pragma_table_info('events')",
        "SELECT * FROM AePiPe",
        "SELECT * FROM AEPIPE",
        "SELECT * FROM aepipe, events",
        "SELECT * FROM aepipe UNION ALL SELECT * FROM events",
        "SELECT * FROM aepipe UNION SELECT * FROM aepipe",
        "WITH t AS (SELECT * FROM events) SELECT * FROM t",
        "WITH t AS (SELECT * FROM aepipe) SELECT * FROM t",
        "SELECT * FROM aepipe; SELECT * FROM events",
        "SELECT * FROM aepipe; DROP TABLE events",
        "SELECT sqlite_version()",
        "SELECT load_extension('x')",
        "SELECT pragma_table_info('events')",
        "SELECT * FROM aepipe WHERE blob3 IN (SELECT blob3 FROM events)",
        "SELECT (SELECT count() FROM events)",
        "SELECT count() FROM aepipe INNER JOIN events ON 1",
        "ATTACH DATABASE '/tmp/x' AS x",
        "PRAGMA table_info(events)",
    ] {
        let c = db();
        assert!(run(&c, sql).is_err(), "{sql} must be refused");
    }
}

#[test]
fn quotes_comments_and_keywords_inside_literals_stay_literals() {
    assert_eq!(
        count_of(&attack(
            "SELECT count() FROM aepipe WHERE blob3 = 'x'' OR ''1''=''1'"
        ))
        .as_deref(),
        Some("0")
    );
    assert_eq!(
        count_of(&attack(
            "SELECT count() FROM aepipe WHERE blob3 = 'x'' OR index1 = ''shop/admin'"
        ))
        .as_deref(),
        Some("0")
    );
    assert_eq!(
        count_of(&attack(
            "SELECT count() FROM aepipe WHERE blob3 = ' WHERE 1=1 UNION SELECT * FROM events --'"
        ))
        .as_deref(),
        Some("0")
    );
    assert_eq!(
        count_of(&attack(
            "SELECT count() FROM aepipe /* WHERE index1 = 'shop/admin' */"
        ))
        .as_deref(),
        Some("6")
    );
    assert_eq!(
        count_of(&attack(
            "SELECT count() FROM aepipe -- ; SELECT * FROM events"
        ))
        .as_deref(),
        Some("6")
    );
    assert_eq!(
        count_of(&attack(
            "SELECT count() FROM aepipe WHERE blob3 = 'a\\' OR 1=1 --'"
        ))
        .as_deref(),
        Some("0")
    );
    let v =
        attack("SELECT \"index1\", `blob6` FROM aepipe WHERE blob3 = 'login'").unwrap_or_default();
    assert_eq!(
        v["data"],
        json!([{"index1": "shop/web", "blob6": "héllo wörld"}])
    );
}

#[test]
fn aggregates_over_everything_count_only_the_tenant() {
    let v = attack("SELECT count() AS c, sum(double1) AS s, max(double1) AS m, topK(10)(blob6) AS t FROM aepipe WHERE 1=1 OR 1=1");
    let v = v.unwrap_or_default();
    assert_eq!(v["data"][0]["c"], "6");
    assert_eq!(v["data"][0]["m"], 300);
}

// ---- malformed input -------------------------------------------------------------

const SEEDS: [&str; 12] = [
    "SELECT blob3 AS e, count() AS c FROM aepipe WHERE timestamp > now() - INTERVAL '1' DAY GROUP BY e ORDER BY c DESC LIMIT 10",
    "SELECT toStartOfInterval(timestamp, INTERVAL '5' MINUTE) AS t, countIf(blob4 = 'error') FROM aepipe GROUP BY t",
    "SELECT topK(5)(blob6), quantileExactWeighted(0.99)(double1, _sample_interval) FROM aepipe",
    "SELECT if(double1 > 1, 'a', 'b'), multiIf(1, 2, 3), formatDateTime(now(), '%F') FROM (SELECT * FROM aepipe)",
    "SELECT substring(blob6, 2, 3), position('a' IN blob6), length(blob6), format('{} {}', 1, 2) FROM aepipe",
    "SELECT DISTINCT blob4 FROM aepipe ORDER BY blob4 LIMIT 1, 2 FORMAT JSON",
    "SELECT bitAnd(1, 2), hex(255), toUInt8('3'), round(2.5, 1), intDiv(7, 2), 7 / 0 FROM aepipe",
    "SELECT count() FROM aepipe WHERE blob3 IN ('a', 'b') AND double1 BETWEEN 1 AND 2 OR blob6 LIKE '%x\\_%'",
    "SHOW TABLES",
    "SELECT argMax(blob3, timestamp), toDate(timestamp) AS d FROM aepipe GROUP BY d HAVING count() > 0",
    "SELECT (SELECT max(double1) FROM aepipe) AS m, NULL, true, -1, 1e308 * 10",
    "SELECT toDateTime('2026-01-01 00:00:00') + INTERVAL 1 MONTH, extract(DAY FROM now())",
];

fn no_panic(c: &rusqlite::Connection, sql: &str) {
    // A panic fails the test; an answer must be JSON with meta and data.
    if let Ok(v) = run(c, sql) {
        assert!(v["meta"].is_array() && v["data"].is_array(), "{sql}: {v}");
    }
}

#[test]
fn every_prefix_of_valid_queries_answers_or_fails_cleanly() {
    let c = db();
    for seed in SEEDS {
        for (i, _) in seed.char_indices() {
            no_panic(&c, &seed[..i]);
        }
    }
}

#[test]
fn random_garbage_and_mutations_never_panic() {
    use rand::{rngs::StdRng, Rng, SeedableRng};
    let c = db();
    let mut rng = StdRng::seed_from_u64(0xAE5);
    let pieces = [
        "SELECT",
        "FROM",
        "aepipe",
        "WHERE",
        "(",
        ")",
        ",",
        "'",
        "\"",
        "`",
        "*",
        "+",
        "-",
        "/",
        "%",
        "=",
        "<>",
        "==",
        "AND",
        "OR",
        "NOT",
        "IN",
        "LIKE",
        "INTERVAL",
        "'1'",
        "DAY",
        "count()",
        "topK(3)",
        "(blob3)",
        "1",
        "-1",
        "1e309",
        "18446744073709551616",
        "0x1F",
        "NULL",
        "true",
        "GROUP BY",
        "ORDER BY",
        "LIMIT",
        "OFFSET",
        ";",
        "--",
        "/*",
        "*/",
        "\\",
        "é",
        "\u{0}",
        "toStartOfInterval(",
        "timestamp",
        "now()",
        "CASE",
        "WHEN",
        "END",
        "SELECT (",
        "UNION",
        "JOIN",
        "FORMAT",
        "SETTINGS",
        "HAVING",
        "DISTINCT",
        "AS",
        "x",
        "blob99",
        "double0",
        "[1,2]",
        "{",
        "}",
        "?",
        "?1",
        ":name",
        "$1",
        "@x",
        "sum(",
        "avg(DISTINCT",
        "if(",
        "multiIf(",
        "substring(",
        "(((((((((((((",
        ")))))))))))))",
    ];
    for _ in 0..3000 {
        let n = rng.gen_range(1..14);
        let sql: Vec<&str> = (0..n)
            .map(|_| pieces[rng.gen_range(0..pieces.len())])
            .collect();
        no_panic(&c, &sql.join(" "));
    }
    // Byte-level mutations of valid queries.
    for _ in 0..2000 {
        let seed = SEEDS[rng.gen_range(0..SEEDS.len())];
        let mut chars: Vec<char> = seed.chars().collect();
        for _ in 0..rng.gen_range(1..4) {
            let i = rng.gen_range(0..chars.len());
            match rng.gen_range(0..3) {
                0 => {
                    chars.remove(i);
                }
                1 => chars.insert(
                    i,
                    ['(', ')', '\'', ',', ' ', '*', '9', ';'][rng.gen_range(0..8)],
                ),
                _ => {
                    let j = rng.gen_range(0..chars.len());
                    chars.swap(i, j)
                }
            }
            if chars.is_empty() {
                break;
            }
        }
        no_panic(&c, &chars.into_iter().collect::<String>());
    }
    // Deep nesting is refused, not a stack overflow.
    let deep = format!("SELECT {}1{}", "(".repeat(5000), ")".repeat(5000));
    assert!(run(&c, &deep).is_err());
    let deep = format!("SELECT {}", "-".repeat(5000) + "1");
    no_panic(&c, &deep);
}

#[test]
fn extreme_values_never_panic() {
    let c = db();
    for sql in [
        "SELECT toStartOfWeek(toDateTime(-9223372036854775808))",
        "SELECT toDateTime(9223372036854775807) + INTERVAL 9223372036854775807 MONTH",
        "SELECT now() - INTERVAL 9223372036854775807 YEAR, now() + INTERVAL -9223372036854775807 MONTH",
        "SELECT toStartOfInterval(now(), INTERVAL 9223372036854775807 SECOND)",
        "SELECT toStartOfInterval(now(), INTERVAL 9223372036854775807 MONTH)",
        "SELECT toStartOfInterval(toDateTime(-9223372036854775808), INTERVAL 7 WEEK)",
        "SELECT formatDateTime(toDateTime(-9223372036854775808), '%F')",
        "SELECT toYear(toDateTime(9223372036854775807)), toDate(toDateTime(-9223372036854775808))",
        "SELECT substring('abc', -9223372036854775808, 9223372036854775807)",
        "SELECT bitShiftLeft(1, 200), bitRotateLeft(toUInt64(1), 9223372036854775807), bitCount(-1)",
        "SELECT round(1e308, 20), floor(-1e308, -20), pow(10, 400), intDiv(-9223372036854775808, -1)",
        "SELECT toUInt8(-1e300), toInt64('99999999999999999999')",
        "SELECT 18446744073709551615 + 18446744073709551615, -9223372036854775808 - 1",
        "SELECT toDate(4294967296), toDateTime(1e300), toString(1e300)",
        "SELECT topK(10000)(blob3), quantileExactWeighted(0)(double1, -1) FROM aepipe",
        "SELECT 1 FROM aepipe LIMIT 18446744073709551615 OFFSET 18446744073709551615",
        "SELECT 1 FROM aepipe LIMIT 99999999999999999999",
    ] {
        no_panic(&c, sql);
    }
}

#[test]
fn alias_chains_are_bounded() {
    let c = db();
    // A long chain, each alias used before it is defined: refused, not a
    // stack overflow.
    let chain: Vec<String> = (1..2000)
        .rev()
        .map(|i| format!("a{} + 1 AS a{}", i - 1, i))
        .collect();
    let sql = format!("SELECT double1 AS a0, {} FROM aepipe", chain.join(", "));
    let m = fail(&c, &sql);
    assert!(m.contains("nested too deeply"), "{m}");
    // Defined in order, the SQL nests 2000 deep: SQLite refuses it cleanly.
    let chain: Vec<String> = (1..2000)
        .map(|i| format!("a{} + 1 AS a{}", i - 1, i))
        .collect();
    let sql = format!("SELECT double1 AS a0, {} FROM aepipe", chain.join(", "));
    assert!(!fail(&c, &sql).is_empty());
    // Each alias used twice doubles the text: refused before memory runs out.
    let doubling: Vec<String> = (1..60)
        .map(|i| format!("concat(b{0}, b{0}) AS b{1}", i - 1, i))
        .collect();
    let sql = format!("SELECT blob3 AS b0, {} FROM aepipe", doubling.join(", "));
    assert!(fail(&c, &sql).contains("too large"));
    // Long flat chains of operators make deep trees too.
    for sql in [
        format!("SELECT {}1 FROM aepipe", "1 + ".repeat(5000)),
        format!(
            "SELECT count() FROM aepipe WHERE {}1",
            "1 AND ".repeat(5000)
        ),
        format!("SELECT {}1", "NOT ".repeat(5000)),
        format!("SELECT concat({})", vec!["blob3"; 5000].join(", ")),
        format!("SELECT 1 IN ({})", vec!["1"; 5000].join(", ")),
    ] {
        no_panic(&c, &sql);
    }
    // Short chains are fine.
    case(
        "SELECT double1 AS a, a * 2 AS b, b + 1 AS c FROM aepipe WHERE blob4 = 'error'",
        &[("a", "Float64"), ("b", "Float64"), ("c", "Float64")],
        json!([{"a": 300, "b": 600, "c": 601}]),
    );
}

#[test]
fn datetime_compares_with_unix_seconds() {
    case(
        "SELECT count() AS c FROM aepipe WHERE timestamp > 1795745735 - 120",
        &[("c", "UInt64")],
        json!([{"c": "2"}]),
    );
}

// ---- more forms production callers use ----------------------------------------

#[test]
fn group_by_an_expression_repeated_in_select() {
    case(
        "SELECT toStartOfDay(timestamp), count() FROM aepipe GROUP BY toStartOfDay(timestamp) ORDER BY toStartOfDay(timestamp)",
        &[("toStartOfDay(timestamp)", "DateTime"), ("count()", "UInt64")],
        json!([
            {"toStartOfDay(timestamp)": "2026-11-26 00:00:00", "count()": "1"},
            {"toStartOfDay(timestamp)": "2026-11-27 00:00:00", "count()": "5"}
        ]),
    );
}

#[test]
fn order_by_an_aggregate_not_selected() {
    case(
        "SELECT blob4 FROM aepipe GROUP BY blob4 ORDER BY count() DESC, max(double1) DESC LIMIT 2",
        &[("blob4", "String")],
        json!([{"blob4": "info"}, {"blob4": "error"}]),
    );
}

#[test]
fn qualified_columns_and_subquery_aliases() {
    case(
        "SELECT a.blob3 AS e FROM aepipe AS a WHERE aepipe.blob4 = 'warn' OR a.blob4 = 'error' ORDER BY e",
        &[("e", "String")],
        json!([{"e": "http_request"}, {"e": "http_request"}]),
    );
    case(
        "SELECT s.n * 2 AS twice FROM (SELECT count() AS n FROM aepipe) AS s",
        &[("twice", "UInt64")],
        json!([{"twice": "12"}]),
    );
}

#[test]
fn time_ranges_with_strings_between_and_in() {
    case(
        "SELECT countIf(timestamp BETWEEN '2026-11-27 01:00:00' AND '2026-11-27 02:00:00') AS b, \
         countIf(toDate(timestamp) IN ('2026-11-26')) AS i, countIf(toDate(timestamp) = '2026-11-27') AS d FROM aepipe",
        &[("b", "UInt64"), ("i", "UInt64"), ("d", "UInt64")],
        json!([{"b": "2", "i": "1", "d": "5"}]),
    );
}

#[test]
fn count_of_a_column_and_limit_zero() {
    case(
        "SELECT count(blob3) AS c, count(NULL) AS n FROM aepipe",
        &[("c", "UInt64"), ("n", "UInt64")],
        json!([{"c": "6", "n": "0"}]),
    );
    let c = db();
    let v = ok(&c, "SELECT blob3 FROM aepipe LIMIT 0");
    assert_eq!(v["rows"], 0);
    assert_eq!(v["rows_before_limit_at_least"], 6);
}

#[test]
fn week_and_year_intervals() {
    case(
        "SELECT toStartOfInterval(now(), INTERVAL 1 WEEK) AS w, toStartOfInterval(now(), INTERVAL '1' YEAR) AS y, \
         now() - INTERVAL 1 WEEK AS lw",
        &[("w", "Date"), ("y", "Date"), ("lw", "DateTime")],
        json!([{"w": "2026-11-23", "y": "2026-01-01", "lw": "2026-11-20 02:15:35"}]),
    );
}

#[test]
fn meta_names_of_time_expressions() {
    let c = db();
    let v = ok(&c, "SELECT now() - INTERVAL '1' HOUR, toStartOfInterval(timestamp, INTERVAL 5 MINUTE) FROM aepipe LIMIT 1");
    let names: Vec<String> = meta(&v).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "minus(now(), toIntervalHour(1))",
            "toStartOfInterval(timestamp, toIntervalMinute(5))"
        ]
    );
}

// ---- through the real HTTP route ---------------------------------------------------

async fn seed_server(server: &common::TestServer) {
    let client = server.client();
    let points: Vec<DataPoint> = vec![
        DataPoint::new("http_request").level("info"),
        DataPoint::new("http_request").level("error"),
        DataPoint::new("login").level("info"),
    ];
    client
        .ingest("shop", "web", &points)
        .await
        .expect("ingest shop/web");
    let secret = vec![DataPoint::new("secret_event").level("info"); 4];
    client
        .ingest("shop", "admin", &secret)
        .await
        .expect("ingest shop/admin");
}

#[tokio::test]
async fn query_route_answers_in_ae_json() {
    let server = common::TestServer::start().await;
    seed_server(&server).await;
    let r = server
        .client()
        .query(
            "shop",
            "web",
            "SELECT blob3 AS event, count() AS cnt FROM aepipe GROUP BY event ORDER BY cnt DESC, event LIMIT 10",
        )
        .await
        .expect("query");
    let names: Vec<&str> = r.columns().iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["event", "cnt"]);
    assert_eq!(r.columns()[1].type_name, "UInt64");
    assert_eq!(r.len(), 2);
    assert_eq!(r.get_str(0, 0), Some("http_request"));
    assert_eq!(r.get_u64(0, 1), Some(2));
    assert_eq!(r.get_str(1, 0), Some("login"));
    assert_eq!(r.get_u64(1, 1), Some(1));
}

#[tokio::test]
async fn query_route_keeps_tenants_apart() {
    let server = common::TestServer::start().await;
    seed_server(&server).await;
    for sql in [
        "SELECT * FROM aepipe WHERE 1=1 OR blob3 = 'secret_event'",
        "SELECT * FROM (SELECT * FROM aepipe) WHERE index1 = 'shop/admin' OR 1",
        "SELECT blob3, count() FROM aepipe GROUP BY blob3",
    ] {
        let a = server
            .send(
                "POST",
                "/v1/shop/web/query",
                Some(json!({ "sql": sql }).to_string().into_bytes()),
            )
            .await;
        assert_eq!(a.status, 200, "{sql}: {}", a.text);
        assert!(!a.text.contains("secret_event"), "{sql} leaked: {}", a.text);
        assert!(!a.text.contains("shop/admin"), "{sql} leaked: {}", a.text);
    }
    let a = server
        .send(
            "POST",
            "/v1/shop/admin/query",
            Some(
                json!({ "sql": "SELECT count() AS n FROM aepipe" })
                    .to_string()
                    .into_bytes(),
            ),
        )
        .await;
    assert_eq!(a.body["data"][0]["n"], "4", "{}", a.text);
}

#[tokio::test]
async fn query_route_answers_400_with_the_reason() {
    let server = common::TestServer::start().await;
    for (sql, needle) in [
        ("SELECT CASE WHEN 1 THEN 2 END", "CASE WHEN"),
        ("SELECT * FROM events", "unknown table 'events'"),
        ("SELECT 1 UNION ALL SELECT 2", "UNION"),
        ("SELECT nosuch FROM aepipe", "line 1, column 8"),
        ("SELECT 1; DROP TABLE events", "one statement"),
    ] {
        let a = server
            .send(
                "POST",
                "/v1/p/l/query",
                Some(json!({ "sql": sql }).to_string().into_bytes()),
            )
            .await;
        assert_eq!(a.status, 400, "{sql}: {}", a.text);
        assert!(a.error().contains(needle), "{sql}: {}", a.text);
    }
}

// ---- 64-bit integer overflow wraps (found by QA) -----------------------------------

#[test]
fn sixty_four_bit_arithmetic_wraps_as_clickhouse_does() {
    // SQLite turns an i64 overflow into a REAL, which saturated these.
    case(
        "SELECT 9223372036854775807 + 1 AS a, toInt64(9223372036854775807) + 1 AS b, \
         4294967295 * 4294967295 AS c, -9223372036854775808 - 1 AS d",
        &[
            ("a", "UInt64"),
            ("b", "Int64"),
            ("c", "UInt64"),
            ("d", "Int64"),
        ],
        json!([{
            "a": "9223372036854775808",
            "b": "-9223372036854775808",
            "c": "18446744065119617025",
            "d": "9223372036854775807"
        }]),
    );
    // Counts stay exact through 64-bit arithmetic.
    case(
        "SELECT count() * 2 + 1 AS n FROM aepipe",
        &[("n", "UInt64")],
        json!([{"n": "13"}]),
    );
}

/// The explorer's starter snippets and the demo README's examples run on the
/// demo dataset with the types the explorer expects.
#[tokio::test]
async fn starter_and_demo_queries_run_on_the_demo_data() {
    let server = common::TestServer::start_with(|c| {
        c.demo = true;
        c.demo_trickle = false;
    })
    .await;
    let snippets: [(&str, &[(&str, &str)]); 5] = [
        (
            include_str!("../../assets/queries/01-recent-events.sql"),
            &[
                ("timestamp", "DateTime"),
                ("event", "String"),
                ("level", "String"),
                ("ref_id", "String"),
            ],
        ),
        (
            include_str!("../../assets/queries/02-events-per-minute.sql"),
            &[("minute", "DateTime"), ("events", "UInt64")],
        ),
        (
            include_str!("../../assets/queries/03-errors-by-event.sql"),
            &[("event", "String"), ("errors", "UInt64")],
        ),
        (
            include_str!("../../assets/queries/04-levels.sql"),
            &[("level", "String"), ("events", "UInt64")],
        ),
        (
            include_str!("../../assets/queries/05-latency.sql"),
            &[
                ("event", "String"),
                ("avg_double1", "Float64"),
                ("max_double1", "Float64"),
                ("events", "UInt64"),
            ],
        ),
    ];
    let query = |tenant: &str, sql: &str| {
        let body = json!({ "sql": sql }).to_string().into_bytes();
        let path = format!("/v1/{tenant}/query");
        let server = &server;
        async move { server.send("POST", &path, Some(body)).await }
    };
    for (sql, want) in snippets {
        let a = query("shop/api", sql).await;
        assert_eq!(a.status, 200, "{sql}\n{}", a.text);
        let got = meta(&a.body);
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        assert_eq!(got, want, "{sql}");
    }
    let levels = query(
        "shop/api",
        include_str!("../../assets/queries/04-levels.sql"),
    )
    .await;
    assert!(
        levels.body["rows"].as_u64().unwrap_or(0) > 0,
        "{}",
        levels.text
    );
    for (tenant, sql) in [
        (
            "shop/api",
            "SELECT toStartOfInterval(timestamp, INTERVAL '1' HOUR) AS hour, count() AS n \
             FROM aepipe WHERE timestamp > now() - INTERVAL '1' DAY GROUP BY hour ORDER BY hour",
        ),
        (
            "shop/api",
            "SELECT blob6 AS path, count() AS n, avg(double1) AS avg_ms, max(double1) AS max_ms \
             FROM aepipe WHERE blob3 = 'http_request' GROUP BY path ORDER BY avg_ms DESC",
        ),
        (
            "shop/api",
            "SELECT blob8 AS status, blob9 AS region, count() AS n, argMax(blob5, timestamp) AS ref_id \
             FROM aepipe WHERE blob4 = 'error' GROUP BY status, region ORDER BY n DESC",
        ),
        (
            "shop/api",
            "SELECT blob10 AS user_id, count() AS n FROM aepipe GROUP BY user_id ORDER BY n DESC LIMIT 10",
        ),
        (
            "shop/checkout",
            "SELECT blob7 AS provider, blob9 AS outcome, count() AS n, sum(double1) AS amount \
             FROM aepipe WHERE blob3 = 'payment' GROUP BY provider, outcome ORDER BY provider, n DESC",
        ),
        (
            "jobs/worker",
            "SELECT blob6 AS job, countIf(blob4 = 'error') AS failed, count() AS runs, \
             quantileExactWeighted(0.5)(double1, _sample_interval) AS median_ms \
             FROM aepipe GROUP BY job ORDER BY failed DESC",
        ),
    ] {
        let a = query(tenant, sql).await;
        assert_eq!(a.status, 200, "{sql}\n{}", a.text);
        assert!(a.body["rows"].as_u64().unwrap_or(0) > 0, "{tenant}: {sql}\n{}", a.text);
    }
}
