//! Column names as ClickHouse prints an unaliased expression: operators as
//! their functions (`plus(double1, 1)`), calls as written (`count()`).

use sqlparser::ast::{
    BinaryOperator, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, UnaryOperator, Value,
};

/// The ClickHouse column name of `e`.
pub fn column_name(e: &Expr) -> String {
    match e {
        Expr::Identifier(i) => i.value.clone(),
        Expr::CompoundIdentifier(parts) => parts
            .iter()
            .map(|p| p.value.as_str())
            .collect::<Vec<_>>()
            .join("."),
        Expr::Value(v) => literal(&v.value),
        Expr::Nested(inner) => column_name(inner),
        Expr::UnaryOp { op, expr } => match (op, expr.as_ref()) {
            (UnaryOperator::Minus, Expr::Value(v)) if matches!(v.value, Value::Number(..)) => {
                format!("-{}", literal(&v.value))
            }
            (UnaryOperator::Minus, inner) => call("negate", &[inner]),
            (UnaryOperator::Not, inner) => call("not", &[inner]),
            (_, inner) => column_name(inner),
        },
        Expr::BinaryOp { left, op, right } => {
            let f = match op {
                BinaryOperator::Plus => "plus",
                BinaryOperator::Minus => "minus",
                BinaryOperator::Multiply => "multiply",
                BinaryOperator::Divide => "divide",
                BinaryOperator::Modulo => "modulo",
                BinaryOperator::Eq => "equals",
                BinaryOperator::NotEq => "notEquals",
                BinaryOperator::Lt => "less",
                BinaryOperator::LtEq => "lessOrEquals",
                BinaryOperator::Gt => "greater",
                BinaryOperator::GtEq => "greaterOrEquals",
                BinaryOperator::And => "and",
                BinaryOperator::Or => "or",
                BinaryOperator::StringConcat => "concat",
                _ => return e.to_string(),
            };
            // ClickHouse flattens chains of AND / OR into one call.
            if matches!(op, BinaryOperator::And | BinaryOperator::Or) {
                let mut parts = Vec::new();
                flatten(e, op, &mut parts);
                return call(f, &parts);
            }
            call(f, &[left, right])
        }
        Expr::IsNull(x) => call("isNull", &[x]),
        Expr::IsNotNull(x) => call("isNotNull", &[x]),
        Expr::InList {
            expr,
            list,
            negated,
        } => {
            let items: Vec<String> = list.iter().map(column_name).collect();
            let f = if *negated { "notIn" } else { "in" };
            format!("{f}({}, ({}))", column_name(expr), items.join(", "))
        }
        Expr::InSubquery { expr, negated, .. } => {
            let f = if *negated { "notIn" } else { "in" };
            format!("{f}({}, _subquery)", column_name(expr))
        }
        Expr::Between {
            expr,
            negated,
            low,
            high,
        } => {
            let (x, lo, hi) = (column_name(expr), column_name(low), column_name(high));
            if *negated {
                format!("or(less({x}, {lo}), greater({x}, {hi}))")
            } else {
                format!("and(greaterOrEquals({x}, {lo}), lessOrEquals({x}, {hi}))")
            }
        }
        Expr::Like {
            negated,
            expr,
            pattern,
            ..
        } => call(if *negated { "notLike" } else { "like" }, &[expr, pattern]),
        Expr::ILike {
            negated,
            expr,
            pattern,
            ..
        } => call(
            if *negated { "notILike" } else { "ilike" },
            &[expr, pattern],
        ),
        Expr::Interval(i) => {
            let unit = i
                .leading_field
                .as_ref()
                .map(|f| {
                    let s = f.to_string().to_ascii_lowercase();
                    let s = s.trim_end_matches('s');
                    let mut c = s.chars();
                    c.next()
                        .map(|first| first.to_ascii_uppercase().to_string() + c.as_str())
                        .unwrap_or_default()
                })
                .unwrap_or_default();
            let value = match i.value.as_ref() {
                Expr::Value(v) => match &v.value {
                    Value::SingleQuotedString(s) => s.clone(),
                    other => literal(other),
                },
                other => column_name(other),
            };
            format!("toInterval{unit}({value})")
        }
        Expr::Extract { field, expr, .. } => match extract_function(&field.to_string()) {
            Some(f) => call(f, &[expr]),
            None => e.to_string(),
        },
        Expr::Position { expr, r#in } => call("position", &[r#in, expr]),
        Expr::Substring {
            expr,
            substring_from,
            substring_for,
            ..
        } => {
            let mut args: Vec<&Expr> = vec![expr];
            args.extend(substring_from.as_deref());
            args.extend(substring_for.as_deref());
            call("substring", &args)
        }
        Expr::Floor { expr, field } | Expr::Ceil { expr, field } => {
            let f = if matches!(e, Expr::Floor { .. }) {
                "floor"
            } else {
                "ceil"
            };
            match field {
                sqlparser::ast::CeilFloorKind::Scale(v) => {
                    format!("{f}({}, {})", column_name(expr), literal(v))
                }
                _ => call(f, &[expr]),
            }
        }
        Expr::Trim { expr, .. } => call("trimBoth", &[expr]),
        Expr::Subquery(_) => "_subquery".to_string(),
        Expr::Function(f) => {
            let name = f.name.to_string();
            let mut out = name;
            if let FunctionArguments::List(p) = &f.parameters {
                out.push('(');
                out.push_str(&args_text(&p.args));
                out.push(')');
            }
            match &f.args {
                FunctionArguments::List(list) => {
                    if list
                        .duplicate_treatment
                        .is_some_and(|d| d.to_string() == "DISTINCT")
                    {
                        out.push_str("Distinct");
                    }
                    out.push('(');
                    out.push_str(&args_text(&list.args));
                    out.push(')');
                }
                FunctionArguments::None => out.push_str("()"),
                FunctionArguments::Subquery(_) => out.push_str("(_subquery)"),
            }
            out
        }
        other => other.to_string(),
    }
}

fn flatten<'e>(e: &'e Expr, op: &BinaryOperator, out: &mut Vec<&'e Expr>) {
    match e {
        Expr::BinaryOp { left, op: o, right } if o == op => {
            flatten(left, op, out);
            flatten(right, op, out);
        }
        Expr::Nested(inner) if matches!(inner.as_ref(), Expr::BinaryOp { op: o, .. } if o == op) => {
            flatten(inner, op, out)
        }
        other => out.push(other),
    }
}

fn args_text(args: &[FunctionArg]) -> String {
    args.iter()
        .filter_map(|a| match a {
            // count(*) prints as count()
            FunctionArg::Unnamed(FunctionArgExpr::Wildcard) => None,
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(column_name(e)),
            other => Some(other.to_string()),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn call(f: &str, args: &[&Expr]) -> String {
    let args: Vec<String> = args.iter().map(|a| column_name(a)).collect();
    format!("{f}({})", args.join(", "))
}

fn literal(v: &Value) -> String {
    match v {
        Value::SingleQuotedString(s) => quote(s),
        Value::Boolean(b) => b.to_string(),
        Value::Null => "NULL".into(),
        Value::Number(n, _) => n.clone(),
        other => other.to_string(),
    }
}

/// A string literal as ClickHouse prints it.
/// The ClickHouse function `EXTRACT(<field> FROM t)` stands for; both the
/// translation and the column name use it, so they always agree.
pub fn extract_function(field: &str) -> Option<&'static str> {
    Some(match field.to_ascii_uppercase().as_str() {
        "YEAR" => "toYear",
        "MONTH" => "toMonth",
        "DAY" => "toDayOfMonth",
        "HOUR" => "toHour",
        "MINUTE" => "toMinute",
        "SECOND" => "toSecond",
        _ => return None,
    })
}

/// A string literal of the dialect: backslash escapes (`\'`, `\\`, `\n`,
/// `\t`), as docs/sql.md "Literals" lists them.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::ast::{SelectItem, SetExpr, Statement};
    use sqlparser::dialect::ClickHouseDialect;
    use sqlparser::parser::Parser;

    fn names(sql: &str) -> Vec<String> {
        let Ok(mut st) = Parser::parse_sql(&ClickHouseDialect {}, sql) else {
            return vec!["<parse error>".into()];
        };
        let Some(Statement::Query(q)) = st.pop() else {
            return vec![];
        };
        let SetExpr::Select(s) = *q.body else {
            return vec![];
        };
        s.projection
            .iter()
            .map(|p| match p {
                SelectItem::UnnamedExpr(e) => column_name(e),
                other => other.to_string(),
            })
            .collect()
    }

    #[test]
    fn prints_like_clickhouse() {
        assert_eq!(
            names("SELECT count(), count(*), SUM(double1), double1 + 1, blob4 = 'error', a / b, -1, -x"),
            [
                "count()",
                "count()",
                "SUM(double1)",
                "plus(double1, 1)",
                "equals(blob4, 'error')",
                "divide(a, b)",
                "-1",
                "negate(x)"
            ]
        );
        assert_eq!(
            names("SELECT a AND b AND c, topK(5)(blob3), count(DISTINCT blob1), (x + 1) * 2"),
            [
                "and(a, b, c)",
                "topK(5)(blob3)",
                "countDistinct(blob1)",
                "multiply(plus(x, 1), 2)"
            ]
        );
        assert_eq!(
            names("SELECT INTERVAL '1' DAY, x IN (1, 2), x BETWEEN 1 AND 2, 'it''s'"),
            [
                "toIntervalDay(1)",
                "in(x, (1, 2))",
                "and(greaterOrEquals(x, 1), lessOrEquals(x, 2))",
                "'it\\'s'"
            ]
        );
    }
}
