//! Parse the user's SQL (sqlparser, ClickHouse dialect) and refuse, with AE's
//! reasons, every statement and clause the dialect does not have.

use sqlparser::ast::{
    Distinct, FormatClause, GroupByExpr, LimitClause, Query, Select, SetExpr, Statement,
};
use sqlparser::dialect::ClickHouseDialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use super::error::{at, SqlError};

/// What a request asks for.
#[derive(Debug)]
pub enum Request {
    Select(Box<Query>),
    ShowTables,
    ShowTimezones,
    ShowTimezone,
}

/// Parse one statement of the AE dialect.
pub fn parse(sql: &str) -> Result<Request, SqlError> {
    if sql.trim().is_empty() {
        return Err(SqlError::new(
            "empty query: expected a SELECT or SHOW statement",
        ));
    }
    let dialect = ClickHouseDialect {};
    let mut tokens = Tokenizer::new(&dialect, sql)
        .tokenize_with_location()
        .map_err(|e| SqlError::new(format!("syntax error: {e}")))?;
    refuse_writes(&tokens)?;
    take_format(&mut tokens)?;
    let mut statements = Parser::new(&dialect)
        .with_tokens_with_locations(tokens)
        .parse_statements()
        .map_err(|e| SqlError::new(syntax_message(&e)))?;
    if statements.len() > 1 {
        return Err(SqlError::new(
            "only one statement per query is allowed (found more than one, separated by ';')",
        ));
    }
    let Some(statement) = statements.pop() else {
        return Err(SqlError::new(
            "empty query: expected a SELECT or SHOW statement",
        ));
    };
    match statement {
        Statement::Query(query) => {
            check_query(&query, true)?;
            Ok(Request::Select(query))
        }
        Statement::ShowTables { .. } => Ok(Request::ShowTables),
        Statement::ShowVariable { variable } => {
            let words: Vec<String> = variable
                .iter()
                .map(|i| i.value.to_ascii_uppercase())
                .collect();
            match words
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .as_slice()
            {
                ["TIMEZONES"] => Ok(Request::ShowTimezones),
                ["TIMEZONE"] => Ok(Request::ShowTimezone),
                _ => Err(SqlError::new(format!(
                    "SHOW {} is not supported: only SHOW TABLES, SHOW TIMEZONES and SHOW TIMEZONE",
                    words.join(" ")
                ))),
            }
        }
        other => {
            let text = other.to_string();
            let kind: String = text
                .split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join(" ");
            Err(SqlError::new(format!(
                "only SELECT queries and SHOW TABLES / TIMEZONES / TIMEZONE are allowed; '{kind} …' is not"
            )))
        }
    }
}

/// Statements that write or administer, refused by their first word so the
/// message is clear even where sqlparser cannot parse ClickHouse's form.
const WRITE_WORDS: [&str; 16] = [
    "INSERT", "ALTER", "DROP", "DELETE", "UPDATE", "CREATE", "ATTACH", "DETACH", "TRUNCATE",
    "RENAME", "OPTIMIZE", "GRANT", "REVOKE", "KILL", "SYSTEM", "REPLACE",
];

fn significant(
    tokens: &[TokenWithSpan],
) -> impl DoubleEndedIterator<Item = (usize, &TokenWithSpan)> {
    tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| !matches!(t.token, Token::Whitespace(_)))
}

fn refuse_writes(tokens: &[TokenWithSpan]) -> Result<(), SqlError> {
    if let Some((_, first)) = significant(tokens).next() {
        if let Token::Word(w) = &first.token {
            let upper = w.value.to_ascii_uppercase();
            if w.quote_style.is_none()
                && (WRITE_WORDS.contains(&upper.as_str()) || upper == "SET" || upper == "USE")
            {
                return Err(SqlError::new(format!(
                    "only SELECT and SHOW statements are allowed; {upper} is not (Analytics Engine is read-only through SQL)"
                )));
            }
        }
    }
    // ClickHouse reads SETTINGS as a keyword anywhere in a SELECT; sqlparser
    // may take it for an alias, so look at the words.
    for (_, t) in significant(tokens) {
        if let Token::Word(w) = &t.token {
            if w.quote_style.is_none() && w.value.eq_ignore_ascii_case("SETTINGS") {
                return Err(SqlError::new(format!(
                    "SETTINGS is not supported by Analytics Engine (at line {}, column {})",
                    t.span.start.line, t.span.start.column
                )));
            }
        }
    }
    Ok(())
}

/// Take a trailing `FORMAT <name>` off the outermost query (sqlparser would
/// read `SELECT 1 FORMAT JSON` as an alias) and accept only JSON.
fn take_format(tokens: &mut Vec<TokenWithSpan>) -> Result<(), SqlError> {
    let tail: Vec<usize> = significant(tokens)
        .rev()
        .skip_while(|(_, t)| t.token == Token::SemiColon)
        .take(2)
        .map(|(i, _)| i)
        .collect();
    let [name_at, format_at] = tail.as_slice() else {
        return Ok(());
    };
    let (Token::Word(keyword), Token::Word(name)) =
        (&tokens[*format_at].token, &tokens[*name_at].token)
    else {
        return Ok(());
    };
    if keyword.quote_style.is_some() || !keyword.value.eq_ignore_ascii_case("FORMAT") {
        return Ok(());
    }
    if !name.value.eq_ignore_ascii_case("JSON") {
        return Err(SqlError::new(format!(
            "FORMAT {} is not supported: aepipe answers FORMAT JSON only",
            name.value
        )));
    }
    tokens.drain(*format_at..=*name_at);
    Ok(())
}

fn syntax_message(e: &ParserError) -> String {
    match e {
        ParserError::RecursionLimitExceeded => {
            "syntax error: the query is nested too deeply".to_string()
        }
        ParserError::TokenizerError(m) | ParserError::ParserError(m) => {
            format!("syntax error: {m}")
        }
    }
}

/// Refuse the clauses of a (sub)query AE does not run. `top` is the
/// outermost query, the only one where FORMAT may appear.
pub fn check_query(q: &Query, top: bool) -> Result<(), SqlError> {
    if q.with.is_some() {
        return Err(SqlError::new(
            "WITH (common table expressions) is not supported; use a subquery in FROM",
        ));
    }
    if q.settings.is_some() {
        return Err(SqlError::new(
            "SETTINGS is not supported by Analytics Engine",
        ));
    }
    if q.fetch.is_some()
        || !q.locks.is_empty()
        || q.for_clause.is_some()
        || !q.pipe_operators.is_empty()
    {
        return Err(SqlError::new(
            "FETCH, FOR and pipe clauses are not supported",
        ));
    }
    match &q.format_clause {
        None => {}
        Some(FormatClause::Identifier(f)) if top && f.value.eq_ignore_ascii_case("JSON") => {}
        Some(FormatClause::Identifier(f)) if top => {
            return Err(SqlError::new(format!(
                "FORMAT {} is not supported: aepipe answers FORMAT JSON only",
                f.value
            )))
        }
        Some(_) => {
            return Err(SqlError::new(
                "FORMAT is allowed only at the end of the outermost query, and only FORMAT JSON",
            ))
        }
    }
    if let Some(LimitClause::LimitOffset { limit_by, .. }) = &q.limit_clause {
        if !limit_by.is_empty() {
            return Err(SqlError::new("LIMIT … BY is not supported"));
        }
    }
    if let Some(order) = &q.order_by {
        if order.interpolate.is_some() {
            return Err(SqlError::new("ORDER BY … INTERPOLATE is not supported"));
        }
    }
    match q.body.as_ref() {
        SetExpr::Select(s) => check_select(s),
        SetExpr::Query(inner) => check_query(inner, false),
        SetExpr::SetOperation { op, .. } => Err(SqlError::new(format!(
            "{op} is not supported by Analytics Engine: run the queries separately"
        ))),
        _ => Err(SqlError::new("only SELECT queries are allowed")),
    }
}

fn check_select(s: &Select) -> Result<(), SqlError> {
    let refuse = |what: &str| {
        Err(SqlError::new(format!(
            "{what} is not supported by Analytics Engine"
        )))
    };
    if s.top.is_some() {
        return refuse("TOP");
    }
    if s.into.is_some() {
        return refuse("SELECT … INTO");
    }
    if let Some(Distinct::On(_)) = s.distinct {
        return refuse("DISTINCT ON");
    }
    if !s.lateral_views.is_empty() {
        return refuse("LATERAL VIEW");
    }
    if let Some(p) = &s.prewhere {
        return Err(at(
            SqlError::new("PREWHERE is not supported by Analytics Engine; use WHERE"),
            p,
        ));
    }
    if !s.cluster_by.is_empty() || !s.distribute_by.is_empty() || !s.sort_by.is_empty() {
        return refuse("CLUSTER/DISTRIBUTE/SORT BY");
    }
    if !s.named_window.is_empty() || s.qualify.is_some() {
        return refuse("WINDOW and QUALIFY");
    }
    if s.connect_by.is_some() {
        return refuse("CONNECT BY");
    }
    if s.exclude.is_some() || s.value_table_mode.is_some() {
        return refuse("this SELECT form");
    }
    match &s.group_by {
        GroupByExpr::All(_) => refuse("GROUP BY ALL"),
        GroupByExpr::Expressions(_, modifiers) if !modifiers.is_empty() => {
            refuse("GROUP BY … WITH ROLLUP/CUBE/TOTALS")
        }
        GroupByExpr::Expressions(..) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(sql: &str) -> String {
        match parse(sql) {
            Ok(r) => panic!("expected an error for {sql}, got {r:?}"),
            Err(e) => e.message,
        }
    }

    #[test]
    fn accepts_select_and_show() {
        assert!(matches!(parse("SELECT 1"), Ok(Request::Select(_))));
        assert!(matches!(
            parse("SELECT 1 FORMAT JSON"),
            Ok(Request::Select(_))
        ));
        assert!(matches!(parse("SELECT 1;"), Ok(Request::Select(_))));
        assert!(matches!(parse("SHOW TABLES"), Ok(Request::ShowTables)));
        assert!(matches!(
            parse("show timezones"),
            Ok(Request::ShowTimezones)
        ));
        assert!(matches!(parse("SHOW TIMEZONE"), Ok(Request::ShowTimezone)));
    }

    #[test]
    fn refuses_what_ae_refuses() {
        assert!(err("").contains("empty"));
        assert!(err("SELECT 1; SELECT 2").contains("one statement"));
        assert!(err("SELECT 1; DROP TABLE events").contains("one statement"));
        assert!(err("DROP TABLE aepipe").contains("only SELECT"));
        assert!(err("INSERT INTO aepipe VALUES (1)").contains("only SELECT"));
        assert!(err("ALTER TABLE aepipe DELETE WHERE 1").contains("only SELECT"));
        assert!(err("SELECT 1 SETTINGS max_threads = 1").contains("SETTINGS"));
        assert!(err("SELECT 1 UNION ALL SELECT 2").contains("UNION"));
        assert!(err("SELECT 1 FORMAT CSV").contains("FORMAT CSV"));
        assert!(err("WITH x AS (SELECT 1) SELECT * FROM x").contains("WITH"));
        assert!(err("SELECT FROM WHERE").contains("syntax error"));
        assert!(err("SELECT 'unterminated").contains("syntax error"));
    }

    #[test]
    fn syntax_errors_say_where() {
        let m = err("SELECT count(\nFROM aepipe");
        assert!(m.contains("Line: 2"), "{m}");
    }
}
