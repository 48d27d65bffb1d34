//! Narrowing a statement from a value the user points at: the condition
//! (`col = value`, quoted for the SQL dialect of docs/sql.md) and where it
//! goes in the statement's WHERE. The statement is read with sqlparser's
//! tokenizer, so strings, comments, subqueries and `GROUP BY` inside
//! parentheses are never mistaken for the outer query's clauses; the
//! statement's own text (layout, comments) is kept, only the condition is
//! inserted.

use sqlparser::dialect::ClickHouseDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, Tokenizer};

use crate::client::{Cell, Column};

/// `=` or `!=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DrillError {
    #[error("the statement cannot be read: {0}")]
    Unreadable(String),
    #[error("the statement has no FROM to filter")]
    NoFrom,
    #[error("a {0} statement: add the condition by hand")]
    Compound(&'static str),
    #[error("column {0:?} is computed by an aggregate: it cannot go in WHERE")]
    Aggregate(String),
    #[error("column {0:?} has no name a WHERE can use: give it an alias (AS name)")]
    Unnamed(String),
    #[error("{0}: only single values can be compared")]
    NotComparable(String),
}

/// One quoting for the whole crate: the server's SQL dialect's own.
pub use crate::server::sql::string_literal;

/// A plain identifier can be written bare; anything else (`count()`) is not
/// something WHERE can name.
fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `column = value` (or `!=`) for a cell of a result column, the value
/// written as its type wants: numbers bare, strings quoted, times through
/// `toDateTime('…')`, NULL as `IS [NOT] NULL`.
pub fn condition(column: &Column, cell: Option<&Cell>, op: Op) -> Result<String, DrillError> {
    if !is_identifier(&column.name) {
        return Err(DrillError::Unnamed(column.name.clone()));
    }
    condition_on(&column.name, column, cell, op)
}

/// As [`condition`], comparing `expr` (a column or the expression an alias
/// stands for) rather than the column's name.
pub fn condition_on(
    expr: &str,
    column: &Column,
    cell: Option<&Cell>,
    op: Op,
) -> Result<String, DrillError> {
    let name = expr;
    let (eq, ne) = ("=", "!=");
    let sym = if op == Op::Eq { eq } else { ne };
    let value = match cell {
        None | Some(Cell::Null) => {
            let not = if op == Op::Eq { "" } else { "NOT " };
            return Ok(format!("{name} IS {not}NULL"));
        }
        Some(Cell::Bool(b)) => b.to_string(),
        Some(Cell::Number(f)) if f.is_finite() => {
            // Whole numbers without ".0": UInt columns compare as integers.
            if f.fract() == 0.0 && f.abs() < 9.0e15 {
                format!("{}", *f as i64)
            } else {
                format!("{f}")
            }
        }
        Some(Cell::Number(_)) => return Err(DrillError::NotComparable(name.to_string())),
        Some(Cell::Text(s)) if column.is_time() => {
            let f = if column.base_type().starts_with("DateTime") {
                "toDateTime"
            } else {
                "toDate"
            };
            format!("{f}({})", string_literal(s))
        }
        // AE sends 64-bit integers as strings: they stay numbers.
        Some(Cell::Text(s))
            if column.is_numeric() && s.parse::<f64>().is_ok_and(f64::is_finite) =>
        {
            s.to_string()
        }
        Some(Cell::Text(s)) => string_literal(s),
        Some(Cell::Other(_)) => return Err(DrillError::NotComparable(name.to_string())),
    };
    Ok(format!("{name} {sym} {value}"))
}

/// A token of the statement with its byte range and paren depth.
struct Tok {
    token: Token,
    start: usize,
    end: usize,
    depth: i32,
}

/// The statement's tokens (whitespace and comments left out).
fn tokens(sql: &str) -> Result<Vec<Tok>, DrillError> {
    let dialect = ClickHouseDialect {};
    let spanned = Tokenizer::new(&dialect, sql)
        .tokenize_with_location()
        .map_err(|e| DrillError::Unreadable(e.to_string()))?;
    // Spans are 1-based (line, column in chars): map them to byte offsets.
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(sql.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let offset = |line: u64, col: u64| -> usize {
        let start = line_starts
            .get((line as usize).saturating_sub(1))
            .copied()
            .unwrap_or(sql.len());
        let rest = sql.get(start..).unwrap_or("");
        start
            + rest
                .char_indices()
                .nth((col as usize).saturating_sub(1))
                .map_or(rest.len(), |(b, _)| b)
    };
    let mut depth = 0;
    let mut out = Vec::new();
    for t in spanned {
        if matches!(t.token, Token::Whitespace(_) | Token::EOF) {
            continue;
        }
        if t.token == Token::RParen {
            depth -= 1;
        }
        out.push(Tok {
            start: offset(t.span.start.line, t.span.start.column),
            end: offset(t.span.end.line, t.span.end.column),
            depth,
            token: t.token.clone(),
        });
        if t.token == Token::LParen {
            depth += 1;
        }
    }
    Ok(out)
}

fn keyword(t: &Tok) -> Option<Keyword> {
    match &t.token {
        Token::Word(w) if t.depth == 0 => Some(w.keyword),
        _ => None,
    }
}

/// Keywords that end the outer WHERE (or mark where one goes).
fn ends_where(k: Keyword) -> bool {
    matches!(
        k,
        Keyword::GROUP
            | Keyword::HAVING
            | Keyword::ORDER
            | Keyword::LIMIT
            | Keyword::OFFSET
            | Keyword::FORMAT
            | Keyword::SETTINGS
            | Keyword::WINDOW
            | Keyword::QUALIFY
    )
}

/// `sql` with `cond` ANDed to its outer WHERE: after the existing
/// condition (in parentheses when it has a top-level OR), or as a new
/// WHERE right after the FROM clause, before GROUP BY/ORDER BY/LIMIT.
pub fn add_condition(sql: &str, cond: &str) -> Result<String, DrillError> {
    let toks = tokens(sql)?;
    for t in &toks {
        match keyword(t) {
            Some(Keyword::UNION) => return Err(DrillError::Compound("UNION")),
            Some(Keyword::INTERSECT) => return Err(DrillError::Compound("INTERSECT")),
            Some(Keyword::EXCEPT) => return Err(DrillError::Compound("EXCEPT")),
            _ => {}
        }
    }
    let from = toks
        .iter()
        .position(|t| keyword(t) == Some(Keyword::FROM))
        .ok_or(DrillError::NoFrom)?;
    let rest = &toks[from + 1..];
    let where_at = rest
        .iter()
        .position(|t| matches!(keyword(t), Some(Keyword::WHERE)));
    let end_at = rest.iter().position(|t| keyword(t).is_some_and(ends_where));
    match where_at {
        Some(w) if end_at.is_none_or(|e| w < e) => {
            let clause_end = end_at.unwrap_or(rest.len());
            let clause = &rest[w + 1..clause_end];
            let (Some(first), Some(last)) = (clause.first(), clause.last()) else {
                return Err(DrillError::Unreadable("WHERE without a condition".into()));
            };
            let has_or = clause.iter().any(|t| keyword(t) == Some(Keyword::OR));
            let mut out = String::with_capacity(sql.len() + cond.len() + 8);
            out.push_str(&sql[..first.start]);
            if has_or {
                out.push('(');
            }
            out.push_str(&sql[first.start..last.end]);
            if has_or {
                out.push(')');
            }
            out.push_str(" AND ");
            out.push_str(cond);
            out.push_str(&sql[last.end..]);
            Ok(out)
        }
        _ => match end_at {
            Some(e) => {
                let at = rest[e].start;
                let line_start = sql[..at].rfind('\n').map_or(0, |i| i + 1);
                let own_line = sql[line_start..at].trim().is_empty();
                let insert = if own_line {
                    format!("WHERE {cond}\n{}", &sql[line_start..at])
                } else {
                    format!("WHERE {cond} ")
                };
                Ok(format!("{}{insert}{}", &sql[..at], &sql[at..]))
            }
            None => {
                let end = toks.last().map_or(sql.len(), |t| t.end);
                let sep = if sql.contains('\n') { "\n" } else { " " };
                Ok(format!("{}{sep}WHERE {cond}{}", &sql[..end], &sql[end..]))
            }
        },
    }
}

/// What a result column stands for in the statement's outer SELECT: the
/// expression before `AS alias` (`blob3` for `blob3 AS event`), else the
/// column itself. None when the item cannot be found.
pub fn column_expression(sql: &str, column: &str) -> Option<String> {
    let toks = tokens(sql).ok()?;
    let select = toks
        .iter()
        .position(|t| keyword(t) == Some(Keyword::SELECT))?;
    let from = toks
        .iter()
        .position(|t| keyword(t) == Some(Keyword::FROM))
        .unwrap_or(toks.len());
    if from <= select {
        return None;
    }
    toks[select + 1..from]
        .split(|t| t.depth == 0 && t.token == Token::Comma)
        .find_map(|item| {
            let last = item.last()?;
            match &last.token {
                Token::Word(w) if w.value.eq_ignore_ascii_case(column) => {}
                _ => return None,
            }
            // `expr AS alias`, `expr alias`, or the column alone.
            let body = &item[..item.len() - 1];
            let body = match body.last().map(|t| &t.token) {
                Some(Token::Word(w)) if w.keyword == Keyword::AS => &body[..body.len() - 1],
                _ => body,
            };
            match (body.first(), body.last()) {
                (Some(a), Some(b)) => sql.get(a.start..b.end).map(str::to_string),
                _ => Some(column.to_string()),
            }
        })
}

/// Every row of the logstore with this value: a new statement, newest
/// first.
pub fn pivot_statement(cond: &str) -> String {
    format!("SELECT *\nFROM aepipe\nWHERE {cond}\nORDER BY timestamp DESC\nLIMIT 100")
}

/// Aggregate functions: a column computed by one cannot go in WHERE.
const AGGREGATES: &[&str] = &[
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "countif",
    "sumif",
    "avgif",
    "argmax",
    "argmin",
    "first_value",
    "last_value",
    "topk",
    "topkweighted",
    "quantileexactweighted",
    "quantileweighted",
    "uniq",
    "uniqexact",
    "any",
];

/// Whether the select item named `column` (its alias) is an aggregate in
/// the outer SELECT of `sql`: `count() AS n`, `SUM(_sample_interval) AS
/// events`. Read from the tokens between the outer SELECT and FROM.
pub fn is_aggregate_column(sql: &str, column: &str) -> bool {
    let Ok(toks) = tokens(sql) else {
        return false;
    };
    let Some(select) = toks
        .iter()
        .position(|t| keyword(t) == Some(Keyword::SELECT))
    else {
        return false;
    };
    let from = toks
        .iter()
        .position(|t| keyword(t) == Some(Keyword::FROM))
        .unwrap_or(toks.len());
    if from <= select {
        return false;
    }
    // Split the select list at top-level commas; an item is named by its
    // last word (the alias, or the column itself).
    toks[select + 1..from]
        .split(|t| t.depth == 0 && t.token == Token::Comma)
        .any(|item| {
            let named = match item.last().map(|t| &t.token) {
                Some(Token::Word(w)) => w.value.eq_ignore_ascii_case(column),
                _ => false,
            };
            named
                && item.windows(2).any(|w| match (&w[0].token, &w[1].token) {
                    (Token::Word(f), Token::LParen) => {
                        AGGREGATES.contains(&f.value.to_ascii_lowercase().as_str())
                    }
                    _ => false,
                })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &str, t: &str) -> Column {
        Column {
            name: name.into(),
            type_name: t.into(),
        }
    }

    #[test]
    fn values_are_written_as_their_type_wants() {
        let text = |s: &str| Some(Cell::Text(s.into()));
        let c = |name, t, cell: Option<Cell>, op| condition(&col(name, t), cell.as_ref(), op);
        assert_eq!(
            c("event", "String", text("it's"), Op::Eq).unwrap(),
            r"event = 'it\'s'"
        );
        assert_eq!(
            c("p", "String", text("a\\b\nc"), Op::Ne).unwrap(),
            r"p != 'a\\b\nc'"
        );
        assert_eq!(
            c("double1", "Float64", Some(Cell::Number(12.5)), Op::Eq).unwrap(),
            "double1 = 12.5"
        );
        assert_eq!(
            c("n", "UInt64", Some(Cell::Number(3.0)), Op::Eq).unwrap(),
            "n = 3"
        );
        assert_eq!(
            c("n", "UInt64", text("18446744073709551615"), Op::Eq).unwrap(),
            "n = 18446744073709551615"
        );
        assert_eq!(
            c("timestamp", "DateTime", text("2026-11-27 02:15:35"), Op::Eq).unwrap(),
            "timestamp = toDateTime('2026-11-27 02:15:35')"
        );
        assert_eq!(
            c("note", "Nullable(String)", Some(Cell::Null), Op::Ne).unwrap(),
            "note IS NOT NULL"
        );
        assert!(matches!(
            c("count()", "UInt64", text("1"), Op::Eq),
            Err(DrillError::Unnamed(_))
        ));
    }

    #[test]
    fn a_where_is_added_before_group_order_and_limit() {
        let sql =
            "SELECT timestamp, blob3 AS event\nFROM aepipe\nORDER BY timestamp DESC\nLIMIT 100";
        assert_eq!(
            add_condition(sql, "event = 'x'").unwrap(),
            "SELECT timestamp, blob3 AS event\nFROM aepipe\nWHERE event = 'x'\nORDER BY timestamp DESC\nLIMIT 100"
        );
        assert_eq!(
            add_condition("SELECT 1 FROM aepipe LIMIT 5", "a = 1").unwrap(),
            "SELECT 1 FROM aepipe WHERE a = 1 LIMIT 5"
        );
        assert_eq!(
            add_condition("SELECT 1 FROM aepipe", "a = 1").unwrap(),
            "SELECT 1 FROM aepipe WHERE a = 1"
        );
    }

    #[test]
    fn an_existing_where_gets_an_and() {
        let sql = "SELECT x FROM aepipe\nWHERE blob5 != '' -- payloads\nGROUP BY x";
        assert_eq!(
            add_condition(sql, "x = 1").unwrap(),
            "SELECT x FROM aepipe\nWHERE blob5 != '' AND x = 1 -- payloads\nGROUP BY x"
        );
        assert_eq!(
            add_condition("SELECT x FROM t WHERE a = 1 OR b = 2 LIMIT 3", "x = 1").unwrap(),
            "SELECT x FROM t WHERE (a = 1 OR b = 2) AND x = 1 LIMIT 3"
        );
    }

    #[test]
    fn subqueries_strings_and_comments_are_not_the_outer_query() {
        let sql = "SELECT n FROM (SELECT count() AS n FROM t WHERE a = 'ORDER BY' GROUP BY b)\n-- LIMIT 3\nORDER BY n";
        assert_eq!(
            add_condition(sql, "n = 1").unwrap(),
            "SELECT n FROM (SELECT count() AS n FROM t WHERE a = 'ORDER BY' GROUP BY b)\n-- LIMIT 3\nWHERE n = 1\nORDER BY n"
        );
        assert_eq!(
            add_condition("SELECT 1 FROM t UNION ALL SELECT 2 FROM t", "a = 1"),
            Err(DrillError::Compound("UNION"))
        );
        assert_eq!(add_condition("SELECT 1", "a = 1"), Err(DrillError::NoFrom));
    }

    #[test]
    fn offsets_hold_with_wide_characters_and_tabs() {
        let sql = "SELECT 'héllo → ✓' AS x,\tblob3\nFROM\taepipe\t-- ünïcode\n\tLIMIT 5";
        assert_eq!(
            add_condition(sql, "x = 'é'").unwrap(),
            "SELECT 'héllo → ✓' AS x,\tblob3\nFROM\taepipe\t-- ünïcode\n\tWHERE x = 'é'\n\tLIMIT 5"
        );
        assert_eq!(column_expression(sql, "x").as_deref(), Some("'héllo → ✓'"));
    }

    #[test]
    fn aliases_are_traced_back_to_their_expression() {
        let sql = "SELECT timestamp, blob3 AS event, lower(blob4) level, blob6 FROM aepipe";
        assert_eq!(column_expression(sql, "event").as_deref(), Some("blob3"));
        assert_eq!(
            column_expression(sql, "level").as_deref(),
            Some("lower(blob4)")
        );
        assert_eq!(column_expression(sql, "blob6").as_deref(), Some("blob6"));
        assert_eq!(column_expression(sql, "nope"), None);
    }

    #[test]
    fn aggregates_are_recognised_by_alias() {
        let sql = "SELECT blob3 AS event, SUM(_sample_interval) AS events, count() n FROM aepipe GROUP BY event";
        assert!(is_aggregate_column(sql, "events"));
        assert!(is_aggregate_column(sql, "n"));
        assert!(!is_aggregate_column(sql, "event"));
    }
}
