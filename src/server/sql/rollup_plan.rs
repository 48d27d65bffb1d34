//! Aggregates answered from the per-minute rollup (src/server/store/rollup.rs)
//! instead of every event: a grouped SELECT whose group keys, filters and
//! outputs only read the minute, `blob3`, `blob4` and the tenant, and whose
//! aggregates are counts, `SUM(_sample_interval)` and sums, averages, minima
//! and maxima of doubles.
//!
//! Time filters rarely fall on whole minutes (`timestamp > now() - INTERVAL
//! 1 HOUR`): the whole minutes inside the bounds come from the rollup and the
//! cut minutes at either edge from the events themselves, with the query's
//! own WHERE, aggregated per minute the same way. Both feed one per-minute
//! source that the query's aggregates then combine, as in pre_aggregate.rs.
//!
//! Like pre_aggregate.rs this reads only SQL the translator generated (user
//! literals are bound parameters): the aggregate fragments, the minute
//! expression ([`minute_of_timestamp`]) and column names are our own text.

use super::pre_aggregate::{Partial, AGGREGATES};
use super::scope::SCOPED_FILTER;
use super::time_functions::floor_sql;
use super::translate::SelectParts;
use crate::limits::MAX_DOUBLES;
use crate::server::store::rollup::{self, max_column, min_column, sum_column, MINUTE};
use crate::server::store::schema::TIME_INDEX;

const TIMESTAMP: &str = "events.timestamp";
const SOURCE: &str = "per_minute";

/// The stored timestamp floored to its minute, as the translator writes it
/// for every time bucket of whole minutes; the rollup's `minute` column.
pub fn minute_of_timestamp() -> String {
    floor_sql(TIMESTAMP, MINUTE)
}

/// A comparison of a WHERE bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
}

/// One term of the WHERE's top-level AND chain, translated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conjunct {
    /// `timestamp <op> constant`, the constant in Unix seconds.
    TimeBound(Cmp, i64),
    /// Any other term, as SQL.
    Other(String),
}

/// Recognise a translated term as a time bound: `(events.timestamp <op> c)`
/// or `(c <op> events.timestamp)` with `c` integer arithmetic on constants.
pub fn classify(sql: &str) -> Conjunct {
    let other = || Conjunct::Other(sql.to_string());
    let Some(inner) = sql.strip_prefix('(').and_then(|s| s.strip_suffix(')')) else {
        return other();
    };
    let parse_op = |op: &str| match op {
        "<" => Some(Cmp::Lt),
        "<=" => Some(Cmp::Le),
        ">" => Some(Cmp::Gt),
        ">=" => Some(Cmp::Ge),
        "=" | "==" => Some(Cmp::Eq),
        _ => None,
    };
    let flip = |c: Cmp| match c {
        Cmp::Lt => Cmp::Gt,
        Cmp::Le => Cmp::Ge,
        Cmp::Gt => Cmp::Lt,
        Cmp::Ge => Cmp::Le,
        Cmp::Eq => Cmp::Eq,
    };
    if let Some(rest) = inner.strip_prefix(&format!("{TIMESTAMP} ")) {
        if let Some((op, value)) = rest.split_once(' ') {
            if let (Some(op), Some(v)) = (parse_op(op), const_int(value)) {
                return Conjunct::TimeBound(op, v);
            }
        }
    }
    if let Some(rest) = inner.strip_suffix(&format!(" {TIMESTAMP}")) {
        if let Some((value, op)) = rest.rsplit_once(' ') {
            if let (Some(op), Some(v)) = (parse_op(op), const_int(value)) {
                return Conjunct::TimeBound(flip(op), v);
            }
        }
    }
    other()
}

/// The value of integer arithmetic (`+`, `-`, parentheses) on integer
/// literals, as the translator writes `now() - INTERVAL 1 HOUR`; None for
/// anything else.
fn const_int(sql: &str) -> Option<i64> {
    let tokens: Vec<char> = sql.chars().filter(|c| !c.is_whitespace()).collect();
    let mut pos = 0;
    let v = sum(&tokens, &mut pos)?;
    (pos == tokens.len()).then_some(v)
}

fn sum(t: &[char], pos: &mut usize) -> Option<i64> {
    let mut v = term(t, pos)?;
    while let Some(&op) = t.get(*pos) {
        match op {
            '+' => {
                *pos += 1;
                v = v.checked_add(term(t, pos)?)?;
            }
            '-' => {
                *pos += 1;
                v = v.checked_sub(term(t, pos)?)?;
            }
            _ => break,
        }
    }
    Some(v)
}

fn term(t: &[char], pos: &mut usize) -> Option<i64> {
    match t.get(*pos)? {
        '(' => {
            *pos += 1;
            let v = sum(t, pos)?;
            (t.get(*pos) == Some(&')')).then_some(())?;
            *pos += 1;
            Some(v)
        }
        '-' => {
            *pos += 1;
            term(t, pos)?.checked_neg()
        }
        c if c.is_ascii_digit() => {
            let start = *pos;
            while t.get(*pos).is_some_and(|c| c.is_ascii_digit()) {
                *pos += 1;
            }
            t[start..*pos].iter().collect::<String>().parse().ok()
        }
        _ => None,
    }
}

/// The double a column name stands for (`events.double7` → 7).
fn double_of(column: &str) -> Option<usize> {
    let k: usize = column.strip_prefix("events.double")?.parse().ok()?;
    ((1..=MAX_DOUBLES).contains(&k) && column == format!("events.double{k}")).then_some(k)
}

/// Columns no row leaves NULL (schema.rs declares them NOT NULL).
fn never_null(column: &str) -> bool {
    let numbered = |prefix: &str, max: usize| {
        column
            .strip_prefix(prefix)
            .and_then(|k| k.parse::<usize>().ok())
            .is_some_and(|k| (1..=max).contains(&k) && column == format!("{prefix}{k}"))
    };
    matches!(
        column,
        "events.timestamp" | "events._sample_interval" | "events.index1"
    ) || numbered("events.blob", 20)
        || numbered("events.double", MAX_DOUBLES)
}

/// The rollup column holding an aggregate's per-minute partial value.
fn rollup_column(fragment: &str, how: Partial) -> Option<String> {
    let arg = fragment.split_once('(')?.1.strip_suffix(')')?;
    match how {
        Partial::Count if arg == "*" || never_null(arg) => Some("n".into()),
        Partial::Sum | Partial::Total if arg == "events._sample_interval" => Some("si".into()),
        Partial::Total => double_of(arg).map(sum_column),
        Partial::Min => double_of(arg).map(min_column),
        Partial::Max => double_of(arg).map(max_column),
        _ => None,
    }
}

/// How per-minute partials combine; counts of no minutes are 0, not NULL
/// (an aggregate without GROUP BY still answers one row).
fn combine(how: Partial, column: &str) -> String {
    match how {
        Partial::Count => format!("COALESCE(SUM({column}), 0)"),
        Partial::Sum => format!("SUM({column})"),
        Partial::Total => format!("TOTAL({column})"),
        Partial::Min => format!("MIN({column})"),
        Partial::Max => format!("MAX({column})"),
    }
}

/// Map `sql` read per event onto per-minute rows whose minute, event, level
/// and tenant are the given expressions; None when it reads anything else.
fn per_minute(sql: &str, minute: &str, event: &str, level: &str) -> Option<String> {
    let mapped = sql
        .replace(&minute_of_timestamp(), minute)
        .replace("events.blob3", event)
        .replace("events.blob4", level)
        .replace("events.index1", "?1");
    (!mapped.contains("events.")).then_some(mapped)
}

/// Seconds allowed by the time bounds, inclusive; None when they allow none.
fn time_range(conjuncts: &[Conjunct]) -> Option<(i64, i64)> {
    let (mut lo, mut hi) = (i64::MIN, i64::MAX);
    for c in conjuncts {
        if let Conjunct::TimeBound(op, v) = *c {
            match op {
                Cmp::Gt => lo = lo.max(v.checked_add(1)?),
                Cmp::Ge => lo = lo.max(v),
                Cmp::Lt => hi = hi.min(v.checked_sub(1)?),
                Cmp::Le => hi = hi.min(v),
                Cmp::Eq => {
                    lo = lo.max(v);
                    hi = hi.min(v);
                }
            }
        }
    }
    (lo <= hi).then_some((lo, hi))
}

/// Rewrite a scoped, grouped SELECT on `events` (its WHERE split into
/// `conjuncts`) to read the rollup, or None when the rollup cannot answer
/// it exactly or would not help.
pub fn by_minute(parts: &SelectParts, conjuncts: &[Conjunct]) -> Option<SelectParts> {
    if parts.distinct || (parts.partials.is_empty() && parts.group_by.is_empty()) {
        return None;
    }
    let (lo, hi) = time_range(conjuncts)?;
    // Whole minutes inside [lo, hi]: [full_lo, full_hi).
    let full_lo = if lo == i64::MIN {
        None
    } else {
        Some(
            lo.div_euclid(MINUTE)
                .checked_add(i64::from(lo.rem_euclid(MINUTE) != 0))?
                * MINUTE,
        )
    };
    let full_hi = if hi == i64::MAX {
        None
    } else {
        Some(hi.checked_add(1)?.div_euclid(MINUTE) * MINUTE)
    };
    if let (Some(a), Some(b)) = (full_lo, full_hi) {
        if a >= b {
            // Under two minutes: the events themselves are as quick.
            return None;
        }
    }

    // The aggregates, per minute from the rollup and from the events.
    let mut from_rollup = Vec::with_capacity(parts.partials.len());
    for (fragment, how) in &parts.partials {
        from_rollup.push(rollup_column(fragment, *how)?);
    }

    // The query over the per-minute source.
    let mut partials: Vec<(usize, &(String, Partial))> =
        parts.partials.iter().enumerate().collect();
    partials.sort_by_key(|(_, (fragment, _))| std::cmp::Reverse(fragment.len()));
    let combined: Vec<String> = parts
        .partials
        .iter()
        .enumerate()
        .map(|(i, (_, how))| combine(*how, &format!("{SOURCE}.p{i}")))
        .collect();
    let outer = |sql: &str| -> Option<String> {
        let mut replaced = sql.to_string();
        for (i, (fragment, _)) in &partials {
            replaced = replaced.replace(fragment.as_str(), &combined[*i]);
        }
        let replaced = per_minute(
            &replaced,
            &format!("{SOURCE}.m"),
            &format!("{SOURCE}.b3"),
            &format!("{SOURCE}.b4"),
        )?;
        let mut rest = replaced.clone();
        for c in &combined {
            rest = rest.replace(c.as_str(), "");
        }
        (!AGGREGATES.iter().any(|a| rest.contains(a))).then_some(replaced)
    };
    let mut rewritten = SelectParts::default();
    for (e, alias) in &parts.items {
        rewritten.items.push((outer(e)?, alias.clone()));
    }
    for g in &parts.group_by {
        rewritten.group_by.push(outer(g)?);
    }
    if let Some(h) = &parts.having {
        rewritten.having = Some(outer(h)?);
    }
    for o in &parts.order_by {
        rewritten.order_by.push(outer(o)?);
    }

    // Whole minutes: the rollup rows, with the filters that read only the
    // minute, event, level or tenant.
    let mut rollup_where = vec![SCOPED_FILTER.replace("events.", "r.")];
    if let Some(a) = full_lo {
        rollup_where.push(format!("r.minute >= {a}"));
    }
    if let Some(b) = full_hi {
        rollup_where.push(format!("r.minute < {b}"));
    }
    for c in conjuncts {
        if let Conjunct::Other(sql) = c {
            let mapped = per_minute(sql, "r.minute", "r.blob3", "r.blob4")?;
            rollup_where.push(format!("({mapped})"));
        }
    }
    let mut rollup_items = vec![
        ("r.minute".to_string(), "m".to_string()),
        ("r.blob3".to_string(), "b3".to_string()),
        ("r.blob4".to_string(), "b4".to_string()),
    ];
    for (i, column) in from_rollup.iter().enumerate() {
        rollup_items.push((format!("r.{column}"), format!("p{i}")));
    }
    let mut source = SelectParts {
        items: rollup_items,
        from: format!(" FROM {} AS r", rollup::TABLE),
        conditions: rollup_where,
        ..SelectParts::default()
    }
    .assemble();

    // Cut minutes at the edges: the events, with the query's whole WHERE.
    let mut edges = Vec::new();
    if let Some(a) = full_lo.filter(|a| lo < *a) {
        edges.push((lo, a - 1));
    }
    if let Some(b) = full_hi.filter(|b| *b <= hi) {
        edges.push((b, hi));
    }
    for (from, to) in edges {
        let mut items = vec![
            (minute_of_timestamp(), "m".to_string()),
            ("events.blob3".to_string(), "b3".to_string()),
            ("events.blob4".to_string(), "b4".to_string()),
        ];
        for (i, (fragment, _)) in parts.partials.iter().enumerate() {
            items.push((fragment.clone(), format!("p{i}")));
        }
        let mut conditions = parts.conditions.clone();
        conditions.push(format!("{TIMESTAMP} >= {from}"));
        conditions.push(format!("{TIMESTAMP} <= {to}"));
        let edge = SelectParts {
            items,
            from: format!(" FROM events INDEXED BY {TIME_INDEX}"),
            conditions,
            group_by: vec!["m".into(), "b3".into(), "b4".into()],
            ..SelectParts::default()
        };
        source.push_str(" UNION ALL ");
        source.push_str(&edge.assemble());
    }
    rewritten.from = format!(" FROM ({source}) AS {SOURCE}");
    Some(rewritten)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_bounds_are_recognised_in_translated_terms() {
        assert_eq!(
            classify("(events.timestamp > (1795745735 - 86400))"),
            Conjunct::TimeBound(Cmp::Gt, 1_795_659_335)
        );
        assert_eq!(
            classify("(100 <= events.timestamp)"),
            Conjunct::TimeBound(Cmp::Ge, 100)
        );
        assert_eq!(
            classify("((5 - -3) = events.timestamp)"),
            Conjunct::TimeBound(Cmp::Eq, 8)
        );
        for other in [
            "(events.timestamp > events.double1)",
            "(events.timestamp > 1.5)",
            "(events.timestamp > ?2)",
            "(ae_cmp_int(events.timestamp, 0, 5, 0) > 0)",
            "(events.timestamp > 1) OR (events.timestamp < 0)",
        ] {
            assert_eq!(classify(other), Conjunct::Other(other.into()), "{other}");
        }
    }

    #[test]
    fn cut_minutes_come_from_the_events_and_whole_ones_from_the_rollup() {
        let parts = SelectParts {
            items: vec![
                ("events.blob3".into(), "c0".into()),
                ("COUNT(*)".into(), "c1".into()),
            ],
            from: " FROM events".into(),
            conditions: vec![SCOPED_FILTER.into(), "(events.timestamp > 100)".into()],
            group_by: vec!["events.blob3".into()],
            partials: vec![("COUNT(*)".into(), Partial::Count)],
            ..SelectParts::default()
        };
        let conj = [classify("(events.timestamp > 100)")];
        let sql = by_minute(&parts, &conj)
            .map(|p| p.assemble())
            .unwrap_or_default();
        assert!(sql.contains("r.minute >= 120"), "{sql}");
        assert!(
            sql.contains("events.timestamp >= 101 AND events.timestamp <= 119"),
            "{sql}"
        );
        assert!(
            sql.starts_with("SELECT per_minute.b3 AS c0, COALESCE(SUM(per_minute.p0), 0) AS c1"),
            "{sql}"
        );
    }

    #[test]
    fn anything_the_rollup_lacks_keeps_the_plain_form() {
        let base = SelectParts {
            items: vec![("COUNT(*)".into(), "c0".into())],
            from: " FROM events".into(),
            conditions: vec![SCOPED_FILTER.into()],
            partials: vec![("COUNT(*)".into(), Partial::Count)],
            ..SelectParts::default()
        };
        assert!(by_minute(&base, &[]).is_some());
        let mut q = base.clone();
        q.group_by.push("events.blob6".into());
        assert!(by_minute(&q, &[]).is_none());
        let mut q = base.clone();
        q.group_by.push(TIMESTAMP.into());
        assert!(by_minute(&q, &[]).is_none());
        let mut q = base.clone();
        q.items
            .push(("TOTAL(events.double1 * 2)".into(), "c1".into()));
        q.partials
            .push(("TOTAL(events.double1 * 2)".into(), Partial::Total));
        assert!(by_minute(&q, &[]).is_none());
        let other = [Conjunct::Other("(events.double1 > 1)".into())];
        assert!(by_minute(&base, &other).is_none());
        // No whole minute in range: the events directly.
        let narrow = [
            Conjunct::TimeBound(Cmp::Ge, 61),
            Conjunct::TimeBound(Cmp::Lt, 150),
        ];
        assert!(by_minute(&base, &narrow).is_none());
        let mut q = base;
        q.distinct = true;
        assert!(by_minute(&q, &[]).is_none());
    }
}
