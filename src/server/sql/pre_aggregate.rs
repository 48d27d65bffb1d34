//! Time-bucket counts without sorting every event. SQLite groups by sorting;
//! for `SELECT toStartOfInterval(timestamp, …) AS t, count() … GROUP BY t`
//! over a million events that sort is most of the time. When every grouping
//! key depends on `timestamp` alone and the only aggregates are `count()` and
//! `sum(_sample_interval)`, the same answer comes from counting per second
//! first — streamed in the (index1, timestamp) index order, no sort — and then
//! adding those counts per bucket.
//!
//! This works on SQL the translator generated: it holds no user text
//! (literals are bound parameters), so replacing our own fragments is exact.

use super::translate::SelectParts;

const TIMESTAMP: &str = "events.timestamp";
const COUNT: &str = "COUNT(*)";
const SAMPLE_SUM: &str = "COALESCE(SUM(events._sample_interval), 0)";
/// Aggregates the translator emits; any other than the two above disables
/// the rewrite.
const AGGREGATES: [&str; 12] = [
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

/// Rewrite `parts` (a scoped, grouped SELECT on `events`) into the two-level
/// form, or None when it does not apply.
pub fn by_timestamp(parts: &SelectParts, scoped: bool) -> Option<SelectParts> {
    if !scoped || parts.distinct || parts.group_by.is_empty() {
        return None;
    }
    let outer = |sql: &str| -> Option<String> {
        let replaced = sql
            .replace(SAMPLE_SUM, &format!("COALESCE(SUM({INNER}.s), 0)"))
            .replace(COUNT, &format!("SUM({INNER}.n)"))
            .replace(TIMESTAMP, &format!("{INNER}.ts"));
        // Anything else read per event, or any other aggregate: no rewrite.
        let rest = replaced
            .replace(&format!("SUM({INNER}.n)"), "")
            .replace(&format!("COALESCE(SUM({INNER}.s), 0)"), "");
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
    // The events' WHERE (tenant filter first) stays with the events. The
    // sample sum only when asked: it is not in the (index1, timestamp)
    // index, so reading it costs a row lookup per event.
    let mut items = vec![
        (TIMESTAMP.to_string(), "ts".to_string()),
        (COUNT.to_string(), "n".to_string()),
    ];
    let mut all_sql = parts
        .items
        .iter()
        .map(|(e, _)| e.as_str())
        .chain(parts.having.as_deref())
        .chain(parts.order_by.iter().map(String::as_str));
    if all_sql.any(|sql| sql.contains(SAMPLE_SUM)) {
        items.push(("SUM(events._sample_interval)".to_string(), "s".to_string()));
    }
    let inner = SelectParts {
        distinct: false,
        items,
        from: parts.from.clone(),
        conditions: parts.conditions.clone(),
        group_by: vec![TIMESTAMP.to_string()],
        having: None,
        order_by: Vec::new(),
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
        }
    }

    #[test]
    fn bucket_counts_are_pre_aggregated_per_second() {
        let Some(r) = by_timestamp(&bucket_query(), true) else {
            panic!("the bucket query should be rewritten");
        };
        let sql = r.assemble();
        assert!(sql.contains("SUM(per_second.n) AS c1"), "{sql}");
        assert!(
            sql.contains("FROM (SELECT events.timestamp AS ts, COUNT(*) AS n FROM events WHERE events.index1 = ?1 AND (events.timestamp > 100) GROUP BY events.timestamp) AS per_second"),
            "{sql}"
        );
        assert!(sql.contains("GROUP BY (per_second.ts - "), "{sql}");
    }

    #[test]
    fn the_sample_sum_is_carried_only_when_asked() {
        let mut q = bucket_query();
        q.items.push((SAMPLE_SUM.into(), "c2".into()));
        let sql = by_timestamp(&q, true)
            .map(|r| r.assemble())
            .unwrap_or_default();
        assert!(sql.contains("SUM(events._sample_interval) AS s"), "{sql}");
        assert!(
            sql.contains("COALESCE(SUM(per_second.s), 0) AS c2"),
            "{sql}"
        );
    }

    #[test]
    fn other_columns_or_aggregates_keep_the_plain_form() {
        let mut q = bucket_query();
        q.items.push(("TOTAL(events.double1)".into(), "c2".into()));
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
    }
}
