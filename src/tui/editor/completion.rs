//! Completion for the editor: AE columns with what they mean in aepipe, AE
//! functions (marked when Cloudflare does not document them, so they may not
//! run there), and keywords. See docs/sql.md, "Functions".

use crate::tui::fields::FieldNames;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CandidateKind {
    Column,
    Function,
    Keyword,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub text: String,
    pub kind: CandidateKind,
    /// What it means (columns), or "undocumented by Cloudflare" (functions).
    pub note: String,
    /// What choosing it inserts when that is not `text`: a field name
    /// inserts its positional column (`double1`, or `double1 AS
    /// latency_ms` as an item of a select list).
    pub insert: Option<String>,
}

impl Candidate {
    /// The text choosing this candidate puts in the editor.
    pub fn inserted(&self) -> &str {
        self.insert.as_deref().unwrap_or(&self.text)
    }
}

pub struct FunctionInfo {
    pub name: &'static str,
    /// Documented by Cloudflare; false = accepted ClickHouse form that may
    /// not run on Cloudflare.
    pub documented: bool,
}

const fn doc(name: &'static str) -> FunctionInfo {
    FunctionInfo {
        name,
        documented: true,
    }
}
const fn undoc(name: &'static str) -> FunctionInfo {
    FunctionInfo {
        name,
        documented: false,
    }
}

pub const FUNCTIONS: &[FunctionInfo] = &[
    doc("count"),
    doc("sum"),
    doc("avg"),
    doc("min"),
    doc("max"),
    doc("countIf"),
    doc("sumIf"),
    doc("avgIf"),
    doc("argMax"),
    doc("argMin"),
    doc("first_value"),
    doc("last_value"),
    doc("topK"),
    doc("topKWeighted"),
    doc("quantileExactWeighted"),
    doc("quantileWeighted"),
    doc("now"),
    doc("today"),
    doc("toDateTime"),
    doc("toUnixTimestamp"),
    doc("formatDateTime"),
    doc("toStartOfInterval"),
    doc("toStartOfYear"),
    doc("toStartOfMonth"),
    doc("toStartOfWeek"),
    doc("toStartOfDay"),
    doc("toStartOfHour"),
    doc("toStartOfFifteenMinutes"),
    doc("toStartOfTenMinutes"),
    doc("toStartOfFiveMinutes"),
    doc("toStartOfMinute"),
    doc("toYear"),
    doc("toMonth"),
    doc("toDayOfMonth"),
    doc("toDayOfWeek"),
    doc("toHour"),
    doc("toMinute"),
    doc("toSecond"),
    doc("toYYYYMM"),
    doc("extract"),
    doc("length"),
    doc("empty"),
    doc("isEmpty"),
    doc("lower"),
    doc("upper"),
    doc("lowerUTF8"),
    doc("upperUTF8"),
    doc("toLower"),
    doc("toUpper"),
    doc("startsWith"),
    doc("endsWith"),
    doc("position"),
    doc("substring"),
    doc("format"),
    doc("if"),
    doc("intDiv"),
    doc("abs"),
    doc("log"),
    doc("ln"),
    doc("pow"),
    doc("round"),
    doc("floor"),
    doc("ceil"),
    doc("bitAnd"),
    doc("bitOr"),
    doc("bitXor"),
    doc("bitNot"),
    doc("bitCount"),
    doc("bitShiftLeft"),
    doc("bitShiftRight"),
    doc("bitRotateLeft"),
    doc("bitRotateRight"),
    doc("bitTest"),
    doc("bitHammingDistance"),
    doc("bin"),
    doc("hex"),
    doc("toUInt8"),
    doc("toUInt32"),
    undoc("uniqExact"),
    undoc("toDate"),
    undoc("multiIf"),
    undoc("concat"),
    undoc("replaceAll"),
    undoc("replaceOne"),
    undoc("trim"),
    undoc("trimLeft"),
    undoc("trimRight"),
    undoc("exp"),
    undoc("sqrt"),
    undoc("least"),
    undoc("greatest"),
    undoc("toString"),
    undoc("toUInt64"),
    undoc("toInt32"),
    undoc("toInt64"),
    undoc("toFloat64"),
];

pub const KEYWORDS: &[&str] = &[
    "SELECT", "FROM", "WHERE", "GROUP", "BY", "HAVING", "ORDER", "LIMIT", "OFFSET", "AS", "AND",
    "OR", "NOT", "IN", "BETWEEN", "LIKE", "ILIKE", "ASC", "DESC", "DISTINCT", "INTERVAL", "FORMAT",
    "SHOW", "TABLES", "IS", "NULL", "ALL", "DAY", "HOUR", "MINUTE", "SECOND", "MONTH", "YEAR",
    "WEEK", "TRUE", "FALSE",
];

/// The AE columns and what aepipe keeps in them.
pub fn columns() -> Vec<(String, String)> {
    let mut cols = vec![
        (
            "timestamp".to_string(),
            "DateTime · write time (UTC)".to_string(),
        ),
        (
            "_sample_interval".into(),
            "UInt32 · use SUM() for counts".into(),
        ),
        ("index1".into(), "String · project/logstore".into()),
        ("blob1".into(), "String · project".into()),
        ("blob2".into(), "String · logstore".into()),
        ("blob3".into(), "String · event".into()),
        ("blob4".into(), "String · level".into()),
        ("blob5".into(), "String · ref_id (payload UUID)".into()),
    ];
    for i in 6..=20 {
        cols.push((format!("blob{i}"), format!("String · user blob {}", i - 5)));
    }
    for i in 1..=20 {
        cols.push((format!("double{i}"), format!("Float64 · user double {i}")));
    }
    cols.push(("dataset".into(), "String · table name".into()));
    cols.push((crate::limits::AE_TABLE.into(), "the table".into()));
    cols
}

/// Candidates for a word prefix (case-insensitive); columns first, then
/// functions, then keywords. An empty prefix offers nothing.
pub fn candidates(prefix: &str) -> Vec<Candidate> {
    if prefix.is_empty() {
        return Vec::new();
    }
    let p = prefix.to_ascii_lowercase();
    let starts = |s: &str| s.to_ascii_lowercase().starts_with(&p);
    let mut out: Vec<Candidate> = columns()
        .into_iter()
        .filter(|(name, _)| starts(name))
        .map(|(text, note)| Candidate {
            text,
            kind: CandidateKind::Column,
            note,
            insert: None,
        })
        .collect();
    out.extend(
        FUNCTIONS
            .iter()
            .filter(|f| starts(f.name))
            .map(|f| Candidate {
                text: format!("{}(", f.name),
                kind: CandidateKind::Function,
                note: if f.documented {
                    "function".into()
                } else {
                    "function · undocumented by Cloudflare".into()
                },
                insert: None,
            }),
    );
    out.extend(KEYWORDS.iter().filter(|k| starts(k)).map(|k| Candidate {
        text: (*k).to_string(),
        kind: CandidateKind::Keyword,
        note: "keyword".into(),
        insert: None,
    }));
    out
}

/// [`candidates`] with the logstore's field names first: `latency_ms`
/// inserts `double1`, or `double1 AS latency_ms` where a select item
/// starts (`select_item`), so the result column keeps the name.
pub fn candidates_named(prefix: &str, names: &FieldNames, select_item: bool) -> Vec<Candidate> {
    if prefix.is_empty() {
        return Vec::new();
    }
    let p = prefix.to_ascii_lowercase();
    let mut out: Vec<Candidate> = names
        .iter()
        .filter(|(_, name)| name.to_ascii_lowercase().starts_with(&p))
        .map(|(column, name)| {
            let insert = if select_item {
                format!("{column} AS {name}")
            } else {
                column.to_string()
            };
            Candidate {
                text: name.to_string(),
                kind: CandidateKind::Column,
                note: format!("field · inserts {insert}"),
                insert: Some(insert),
            }
        })
        .collect();
    out.extend(candidates(prefix));
    out
}

/// Whether a word typed after `before` (the statement's text up to the
/// word) starts an item of the outer SELECT list: the last keyword at
/// paren depth 0 is SELECT (or DISTINCT) and the word follows it or a
/// comma directly.
pub fn starts_select_item(before: &str) -> bool {
    use sqlparser::keywords::Keyword;
    use sqlparser::tokenizer::{Token, Tokenizer};
    let dialect = sqlparser::dialect::ClickHouseDialect {};
    let Ok(tokens) = Tokenizer::new(&dialect, before).tokenize() else {
        return false;
    };
    let mut depth = 0i32;
    let mut clause_is_select = false;
    let mut last: Option<&Token> = None;
    for t in &tokens {
        match t {
            Token::Whitespace(_) => continue,
            Token::LParen => depth += 1,
            Token::RParen => depth -= 1,
            Token::Word(w) if depth == 0 => match w.keyword {
                Keyword::SELECT => clause_is_select = true,
                Keyword::FROM
                | Keyword::WHERE
                | Keyword::PREWHERE
                | Keyword::GROUP
                | Keyword::ORDER
                | Keyword::HAVING
                | Keyword::LIMIT
                | Keyword::WITH => clause_is_select = false,
                _ => {}
            },
            _ => {}
        }
        last = Some(t);
    }
    let after_separator = match last {
        Some(Token::Comma) => true,
        Some(Token::Word(w)) => matches!(
            w.keyword,
            sqlparser::keywords::Keyword::SELECT | sqlparser::keywords::Keyword::DISTINCT
        ),
        _ => false,
    };
    depth == 0 && clause_is_select && after_separator
}

/// The identifier characters just before `col` in `line` (chars).
pub fn word_before(line: &str, col: usize) -> String {
    let chars: Vec<char> = line.chars().take(col).collect();
    let start = chars
        .iter()
        .rposition(|c| !(c.is_alphanumeric() || *c == '_'))
        .map_or(0, |i| i + 1);
    chars[start..].iter().collect()
}

/// The open completion popup.
#[derive(Debug, Clone, PartialEq)]
pub struct CompletionState {
    pub prefix: String,
    pub items: Vec<Candidate>,
    pub selected: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_come_with_their_meaning() {
        let c = candidates("blob5");
        assert_eq!(c[0].text, "blob5");
        assert!(c[0].note.contains("ref_id"));
        let c = candidates("blob1");
        assert!(c
            .iter()
            .any(|x| x.text == "blob12" && x.note.contains("user blob 7")));
    }

    #[test]
    fn undocumented_functions_are_marked() {
        let c = candidates("uniq");
        assert_eq!(c[0].text, "uniqExact(");
        assert!(c[0].note.contains("undocumented"));
        let c = candidates("countI");
        assert!(!c[0].note.contains("undocumented"));
    }

    #[test]
    fn keywords_and_case() {
        assert!(candidates("sel").iter().any(|c| c.text == "SELECT"));
        assert!(candidates("").is_empty());
    }

    #[test]
    fn field_names_complete_to_their_column() {
        let names = FieldNames::new(
            "t",
            &[("double1".to_string(), "latency_ms".to_string())]
                .into_iter()
                .collect(),
        )
        .unwrap();
        let c = candidates_named("lat", &names, true);
        assert_eq!(c[0].text, "latency_ms");
        assert_eq!(c[0].inserted(), "double1 AS latency_ms");
        let c = candidates_named("LAT", &names, false);
        assert_eq!(c[0].inserted(), "double1");
        assert_eq!(
            candidates_named("sel", &names, false)[0].inserted(),
            "SELECT"
        );
    }

    #[test]
    fn select_items_are_told_apart() {
        assert!(starts_select_item("SELECT "));
        assert!(starts_select_item("SELECT timestamp, "));
        assert!(starts_select_item("SELECT DISTINCT "));
        assert!(!starts_select_item("SELECT avg("));
        assert!(!starts_select_item("SELECT x FROM aepipe WHERE "));
        assert!(!starts_select_item("SELECT x FROM (SELECT "));
        assert!(!starts_select_item("SELECT 'unterminated"));
    }

    #[test]
    fn word_before_cursor() {
        assert_eq!(word_before("SELECT blo", 10), "blo");
        assert_eq!(word_before("count(dou", 9), "dou");
        assert_eq!(word_before("x ", 2), "");
    }
}
