//! Time-bucket aggregates without sorting every event. SQLite groups by
//! sorting; for `SELECT toStartOfInterval(timestamp, …) AS t, count(),
//! avg(double1) … GROUP BY t` over a million events that sort is most of the
//! time. When every grouping key depends on `timestamp` alone and every
//! aggregate splits into per-second partials (count, sum, avg, min, max and
//! their -If forms; see [`Partial`]), the same answer comes from aggregating
//! per second first — streamed in the (index1, timestamp) index order, no
//! sort — and then combining those partials per bucket.
//!
//! This works on SQL the translator generated: it holds no user text
//! (literals are bound parameters), and the aggregate fragments are the
//! exact text the translator emitted for them, so replacing them is exact.

use super::translate::SelectParts;

const TIMESTAMP: &str = "events.timestamp";
/// Aggregates the translator emits; any left after the partials are
/// replaced disables the rewrite.
pub(super) const AGGREGATES: [&str; 12] = [
    "COUNT(",
    "SUM(",
    "TOTAL(",
    "MIN(",
    "MAX(",
    "ae_argmax(",
    "ae_argmin(",
    "ae_first(",
    "ae_last(",
    "ae_topk(",
    "ae_topk_weighted(",
    "ae_quantile_weighted(",
];

const INNER: &str = "per_second";

/// How an aggregate's per-second partial values combine into the bucket's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partial {
    /// `COUNT(…)`: partial counts add up.
    Count,
    /// `SUM(…)` of integers: partial sums add up.
    Sum,
    /// `TOTAL(…)` (float sums): partial totals add up.
    Total,
    /// `MIN(…)`: the least partial minimum.
    Min,
    /// `MAX(…)`: the greatest partial maximum.
    Max,
}

impl Partial {
    fn combine(self) -> &'static str {
        match self {
            Partial::Count | Partial::Sum => "SUM",
            Partial::Total => "TOTAL",
            Partial::Min => "MIN",
            Partial::Max => "MAX",
        }
    }
}

/// Rewrite `parts` (a scoped, grouped SELECT on `events`) into the two-level
/// form, or None when it does not apply.
pub fn by_timestamp(parts: &SelectParts, scoped: bool) -> Option<SelectParts> {
    if !scoped || parts.distinct || parts.group_by.is_empty() || parts.partials.is_empty() {
        return None;
    }
    // Longest first, so a fragment inside another is replaced with it.
    let mut partials: Vec<(usize, &(String, Partial))> =
        parts.partials.iter().enumerate().collect();
    partials.sort_by_key(|(_, (fragment, _))| std::cmp::Reverse(fragment.len()));
    let combined: Vec<String> = parts
        .partials
        .iter()
        .enumerate()
        .map(|(i, (_, how))| format!("{}({INNER}.p{i})", how.combine()))
        .collect();
    let outer = |sql: &str| -> Option<String> {
        let mut replaced = sql.to_string();
        for (i, (fragment, _)) in &partials {
            replaced = replaced.replace(fragment.as_str(), &combined[*i]);
        }
        let replaced = replaced.replace(TIMESTAMP, &format!("{INNER}.ts"));
        // Anything else read per event, or any other aggregate: no rewrite.
        let mut rest = replaced.clone();
        for c in &combined {
            rest = rest.replace(c.as_str(), "");
        }
        if rest.contains("events.") || AGGREGATES.iter().any(|a| rest.contains(a)) {
            return None;
        }
        Some(replaced)
    };
    let mut rewritten = SelectParts {
        distinct: false,
        items: Vec::with_capacity(parts.items.len()),
        from: String::new(),
        conditions: Vec::new(),
        group_by: Vec::with_capacity(parts.group_by.len()),
        having: None,
        order_by: Vec::with_capacity(parts.order_by.len()),
        partials: Vec::new(),
    };
    for (e, alias) in &parts.items {
        rewritten.items.push((outer(e)?, alias.clone()));
    }
    for g in &parts.group_by {
        // A key that is a constant or an aggregate would not be a bucket.
        if !g.contains(TIMESTAMP) {
            return None;
        }
        rewritten.group_by.push(outer(g)?);
    }
    if let Some(h) = &parts.having {
        rewritten.having = Some(outer(h)?);
    }
    for o in &parts.order_by {
        rewritten.order_by.push(outer(o)?);
    }
    // The events' WHERE (tenant filter first) stays with the events; each
    // partial is computed there, per second.
    let mut items = vec![(TIMESTAMP.to_string(), "ts".to_string())];
    for (i, (fragment, _)) in parts.partials.iter().enumerate() {
        items.push((fragment.clone(), format!("p{i}")));
    }
    let inner = SelectParts {
        distinct: false,
        items,
        from: parts.from.clone(),
        conditions: parts.conditions.clone(),
        group_by: vec![TIMESTAMP.to_string()],
        having: None,
        order_by: Vec::new(),
        partials: Vec::new(),
    };
    rewritten.from = format!(" FROM ({}) AS {INNER}", inner.assemble());
    Some(rewritten)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket_query() -> SelectParts {
        let key = "(events.timestamp - (((events.timestamp) % 300) + 300) % 300)".to_string();
        SelectParts {
            distinct: false,
            items: vec![(key.clone(), "c0".into()), ("COUNT(*)".into(), "c1".into())],
            from: " FROM events".into(),
            conditions: vec![
                "events.index1 = ?1".into(),
                "(events.timestamp > 100)".into(),
            ],
            group_by: vec![key],
            having: None,
            order_by: vec!["c0 ASC".into()],
            partials: vec![("COUNT(*)".into(), Partial::Count)],
        }
    }

    #[test]
    fn bucket_counts_are_pre_aggregated_per_second() {
        let Some(r) = by_timestamp(&bucket_query(), true) else {
            panic!("the bucket query should be rewritten");
        };
        let sql = r.assemble();
        assert!(sql.contains("SUM(per_second.p0) AS c1"), "{sql}");
        assert!(
            sql.contains("FROM (SELECT events.timestamp AS ts, COUNT(*) AS p0 FROM events WHERE events.index1 = ?1 AND (events.timestamp > 100) GROUP BY events.timestamp) AS per_second"),
            "{sql}"
        );
        assert!(sql.contains("GROUP BY (per_second.ts - "), "{sql}");
    }

    #[test]
    fn sums_averages_and_extremes_of_columns_combine_per_bucket() {
        let mut q = bucket_query();
        q.items.push((
            "(TOTAL(events.double1) / COUNT(events.double1))".into(),
            "c2".into(),
        ));
        q.items
            .push(("COALESCE(MAX(events.double2), 0.0)".into(), "c3".into()));
        q.items.push((
            "COALESCE(SUM(events._sample_interval), 0)".into(),
            "c4".into(),
        ));
        q.partials.extend([
            ("TOTAL(events.double1)".to_string(), Partial::Total),
            ("COUNT(events.double1)".to_string(), Partial::Count),
            ("MAX(events.double2)".to_string(), Partial::Max),
            ("SUM(events._sample_interval)".to_string(), Partial::Sum),
        ]);
        let sql = by_timestamp(&q, true)
            .map(|r| r.assemble())
            .unwrap_or_default();
        assert!(
            sql.contains("(TOTAL(per_second.p1) / SUM(per_second.p2)) AS c2"),
            "{sql}"
        );
        assert!(
            sql.contains("COALESCE(MAX(per_second.p3), 0.0) AS c3"),
            "{sql}"
        );
        assert!(
            sql.contains("COALESCE(SUM(per_second.p4), 0) AS c4"),
            "{sql}"
        );
        assert!(
            sql.contains("TOTAL(events.double1) AS p1, COUNT(events.double1) AS p2, MAX(events.double2) AS p3"),
            "{sql}"
        );
    }

    #[test]
    fn other_columns_or_aggregates_keep_the_plain_form() {
        let mut q = bucket_query();
        q.items.push((
            "ae_quantile_weighted(?2, events.double1, 1)".into(),
            "c2".into(),
        ));
        assert!(by_timestamp(&q, true).is_none());
        let mut q = bucket_query();
        q.group_by.push("events.blob3".into());
        assert!(by_timestamp(&q, true).is_none());
        let mut q = bucket_query();
        q.items[1].0 = "COUNT(DISTINCT events.blob3)".into();
        assert!(by_timestamp(&q, true).is_none());
        assert!(by_timestamp(&bucket_query(), false).is_none());
        let mut q = bucket_query();
        q.distinct = true;
        assert!(by_timestamp(&q, true).is_none());
        let mut q = bucket_query();
        q.items.push(("events.blob3".into(), "c2".into()));
        assert!(by_timestamp(&q, true).is_none());
    }
}
