//! Which tenant index a scoped SELECT should read. SQLite, without table
//! statistics, prefers (index1, blob3) whenever a query groups or orders by
//! `blob3`, even when the WHERE bounds `timestamp`: for "events of the last
//! hour by event" on a million-event tenant that is every event of the
//! tenant, looked up one by one (1.4 s instead of 30 ms). When the user's
//! WHERE bounds the time and does not pin the event, we name the
//! (index1, timestamp) index. `index1 = ?1` always leads the WHERE, so that
//! index can always serve the query.

use std::collections::HashMap;

use sqlparser::ast::{BinaryOperator, Expr};

/// The (index1, timestamp) index of src/server/store/schema.rs.
pub use crate::server::store::schema::TIME_INDEX;

/// Whether to read [`TIME_INDEX`] (else SQLite chooses). `aliases` are the
/// SELECT's aliases: a column shadowed by one is not the stored column.
pub fn prefers_time_index(selection: Option<&Expr>, aliases: &HashMap<String, &Expr>) -> bool {
    let Some(w) = selection else { return false };
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
    let pins_event = terms.iter().any(|t| match t {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::Eq,
            right,
        } => is_column(left, "blob3") || is_column(right, "blob3"),
        Expr::InList {
            expr,
            negated: false,
            ..
        } => is_column(expr, "blob3"),
        _ => false,
    });
    bounds_time && !pins_event
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

    fn hint_of(sql: &str) -> bool {
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
        prefers_time_index(s.selection.as_ref(), &aliases)
    }

    #[test]
    fn time_bounds_choose_the_time_index() {
        for sql in [
            "SELECT blob3 FROM aepipe WHERE timestamp > now() - INTERVAL 1 HOUR GROUP BY blob3",
            "SELECT 1 FROM aepipe WHERE blob4 = 'e' AND (timestamp BETWEEN 1 AND 2)",
            "SELECT 1 FROM aepipe AS a WHERE a.timestamp >= '2026-01-01'",
        ] {
            assert!(hint_of(sql), "{sql}");
        }
        for sql in [
            "SELECT 1 FROM aepipe WHERE timestamp > 1 AND blob3 = 'x'",
            "SELECT 1 FROM aepipe WHERE timestamp > 1 OR blob4 = 'x'",
            "SELECT 1 FROM aepipe WHERE blob4 = 'x'",
            "SELECT 1 FROM aepipe",
            "SELECT double1 AS timestamp FROM aepipe WHERE timestamp > 1",
        ] {
            assert!(!hint_of(sql), "{sql}");
        }
    }

    #[test]
    fn the_index_exists_in_the_schema() {
        let schema = crate::server::store::schema::create_statements();
        assert!(schema.contains(&format!(
            "CREATE INDEX IF NOT EXISTS {TIME_INDEX} ON events(index1, timestamp)"
        )));
    }
}
