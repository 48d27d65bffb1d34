//! Which tenant index a scoped SELECT should read. SQLite, without table
//! statistics, prefers (index1, blob3) whenever a query groups or orders by
//! `blob3`, even when the WHERE bounds `timestamp`: for "events of the last
//! hour by event" on a million-event tenant that is every event of the
//! tenant, looked up one by one (1.4 s instead of 30 ms). So:
//! - a WHERE that pins the level to rarer levels (`blob4 = 'error'`, not
//!   debug or info) and not the event reads the partial level index
//!   (index1, blob4, timestamp, …), time-bounded or not: it holds those
//!   levels' rows alone, in time order, and covers aggregates of `double1`
//!   (a latency quantile of the errors reads it alone, 28 ms instead of a
//!   150 ms scan of 1M wide rows). The index's own WHERE is added to the
//!   query, as SQLite requires to read a partial index; the pinned levels
//!   imply it, so the answer stays the same;
//! - a WHERE that bounds the time and pins neither reads the
//!   (index1, timestamp) index.
//!
//! `index1 = ?1` always leads the WHERE, so both indexes can always serve
//! the query.

use std::collections::HashMap;

use sqlparser::ast::{BinaryOperator, Expr, Value};

use crate::server::store::schema::{BULK_LEVELS, LEVEL_INDEX_WHERE};
/// The indexes of src/server/store/schema.rs this module chooses from.
pub use crate::server::store::schema::{LEVEL_INDEX, TIME_INDEX};

/// An index to read, and the term its use needs in the WHERE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexChoice {
    pub index: &'static str,
    /// The partial index's own condition (on the `events` table), implied
    /// by the query's WHERE.
    pub implied_condition: Option<&'static str>,
}

const LEVEL: IndexChoice = IndexChoice {
    index: LEVEL_INDEX,
    implied_condition: Some(LEVEL_INDEX_WHERE),
};
const TIME: IndexChoice = IndexChoice {
    index: TIME_INDEX,
    implied_condition: None,
};

/// The index to read (else SQLite chooses). `aliases` are the SELECT's
/// aliases: a column shadowed by one is not the stored column.
pub fn preferred_index(
    selection: Option<&Expr>,
    aliases: &HashMap<String, &Expr>,
) -> Option<IndexChoice> {
    let w = selection?;
    let mut terms = Vec::new();
    conjuncts(w, &mut terms);
    let is_column = |e: &Expr, name: &str| -> bool {
        if aliases.contains_key(name) {
            return false;
        }
        match e {
            Expr::Identifier(i) => i.value == name,
            Expr::CompoundIdentifier(parts) => parts.len() == 2 && parts[1].value == name,
            Expr::Nested(inner) => matches!(inner.as_ref(), Expr::Identifier(i) if i.value == name),
            _ => false,
        }
    };
    let bounds_time = terms.iter().any(|t| match t {
        Expr::BinaryOp { left, op, right } => {
            matches!(
                op,
                BinaryOperator::Gt
                    | BinaryOperator::GtEq
                    | BinaryOperator::Lt
                    | BinaryOperator::LtEq
                    | BinaryOperator::Eq
            ) && (is_column(left, "timestamp") || is_column(right, "timestamp"))
        }
        Expr::Between {
            expr,
            negated: false,
            ..
        } => is_column(expr, "timestamp"),
        _ => false,
    });
    // Pinned to literals: `blob4 = blob5` narrows nothing an index can seek.
    // The literals pinned, when every term on `column` is a literal.
    let pinned = |column: &str| -> Option<Vec<&Expr>> {
        terms.iter().find_map(|t| match t {
            Expr::BinaryOp {
                left,
                op: BinaryOperator::Eq,
                right,
            } => {
                if is_column(left, column) && is_literal(right) {
                    Some(vec![right.as_ref()])
                } else if is_column(right, column) && is_literal(left) {
                    Some(vec![left.as_ref()])
                } else {
                    None
                }
            }
            Expr::InList {
                expr,
                list,
                negated: false,
            } if is_column(expr, column) && list.iter().all(is_literal) => {
                Some(list.iter().collect())
            }
            _ => None,
        })
    };
    let rare_level = |e: &&Expr| match e {
        Expr::Value(v) => match &v.value {
            // The parsed value, which is what the query binds and compares.
            Value::SingleQuotedString(s) => !BULK_LEVELS.contains(&s.as_str()),
            _ => false,
        },
        _ => false,
    };
    if pinned("blob3").is_some() {
        None
    } else if pinned("blob4").is_some_and(|levels| levels.iter().all(rare_level)) {
        Some(LEVEL)
    } else if bounds_time {
        Some(TIME)
    } else {
        None
    }
}

fn is_literal(e: &Expr) -> bool {
    matches!(e, Expr::Value(_))
}

/// The terms of a top-level AND chain.
pub(super) fn conjuncts<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match e {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => {
            conjuncts(left, out);
            conjuncts(right, out);
        }
        Expr::Nested(inner) => conjuncts(inner, out),
        other => out.push(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::ast::{SetExpr, Statement};
    use sqlparser::dialect::ClickHouseDialect;
    use sqlparser::parser::Parser;

    fn hint_of(sql: &str) -> Option<&'static str> {
        let Ok(mut st) = Parser::parse_sql(&ClickHouseDialect {}, sql) else {
            panic!("parse error: {sql}");
        };
        let Some(Statement::Query(q)) = st.pop() else {
            panic!("not a query")
        };
        let SetExpr::Select(s) = *q.body else {
            panic!("not a select")
        };
        let mut aliases = HashMap::new();
        for item in &s.projection {
            if let sqlparser::ast::SelectItem::ExprWithAlias { expr, alias } = item {
                aliases.insert(alias.value.clone(), expr);
            }
        }
        preferred_index(s.selection.as_ref(), &aliases).map(|c| c.index)
    }

    #[test]
    fn time_bounds_choose_the_time_index() {
        for sql in [
            "SELECT blob3 FROM aepipe WHERE timestamp > now() - INTERVAL 1 HOUR GROUP BY blob3",
            "SELECT 1 FROM aepipe AS a WHERE a.timestamp >= '2026-01-01'",
        ] {
            assert_eq!(hint_of(sql), Some(TIME_INDEX), "{sql}");
        }
        for sql in [
            "SELECT 1 FROM aepipe WHERE blob4 = 'e' AND (timestamp BETWEEN 1 AND 2)",
            "SELECT quantileExactWeighted(0.9)(double1, _sample_interval) FROM aepipe WHERE blob4 = 'x'",
            "SELECT 1 FROM aepipe WHERE blob4 IN ('warn', 'error') ORDER BY timestamp DESC LIMIT 10",
            "SELECT 1 FROM aepipe AS a WHERE 'error' = a.blob4 AND double1 > 100",
        ] {
            assert_eq!(hint_of(sql), Some(LEVEL_INDEX), "{sql}");
        }
        for sql in [
            "SELECT 1 FROM aepipe WHERE timestamp > 1 AND blob3 = 'x'",
            "SELECT 1 FROM aepipe WHERE blob4 = 'e' AND blob3 = 'x'",
            "SELECT 1 FROM aepipe WHERE timestamp > 1 OR blob4 = 'x'",
            "SELECT 1 FROM aepipe WHERE blob4 != 'x'",
            "SELECT 1 FROM aepipe WHERE blob4 = blob5",
            "SELECT 1 FROM aepipe WHERE blob4 = 'info'",
            "SELECT 1 FROM aepipe WHERE blob4 IN ('error', 'debug')",
            "SELECT 1 FROM aepipe WHERE blob4 = 5",
            "SELECT 1 FROM aepipe",
            "SELECT double1 AS timestamp FROM aepipe WHERE timestamp > 1",
            "SELECT blob3 AS blob4 FROM aepipe WHERE blob4 = 'x'",
        ] {
            assert_eq!(hint_of(sql), None, "{sql}");
        }
    }

    #[test]
    fn the_level_index_leaves_out_the_bulk_levels_alone() {
        let listed: Vec<String> = BULK_LEVELS.iter().map(|l| format!("'{l}'")).collect();
        assert_eq!(
            LEVEL_INDEX_WHERE,
            format!("blob4 NOT IN ({})", listed.join(", "))
        );
    }

    #[test]
    fn the_indexes_exist_in_the_schema() {
        let schema = crate::server::store::schema::create_statements();
        assert!(schema.contains(&format!(
            "CREATE INDEX IF NOT EXISTS {TIME_INDEX} ON events(index1, timestamp)"
        )));
        assert!(schema.contains(&format!(
            "CREATE INDEX IF NOT EXISTS {LEVEL_INDEX}\n    ON events(index1, blob4, timestamp"
        )));
    }
}
