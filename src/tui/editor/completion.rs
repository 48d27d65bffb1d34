//! Completion for the editor: AE columns with what they mean in aepipe, AE
//! functions (marked when Cloudflare does not document them, so they may not
//! run there), and keywords. See docs/sql.md, "Functions".

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
    cols.push(("aepipe".into(), "the table".into()));
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
            }),
    );
    out.extend(KEYWORDS.iter().filter(|k| starts(k)).map(|k| Candidate {
        text: (*k).to_string(),
        kind: CandidateKind::Keyword,
        note: "keyword".into(),
    }));
    out
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
    fn word_before_cursor() {
        assert_eq!(word_before("SELECT blo", 10), "blo");
        assert_eq!(word_before("count(dou", 9), "dou");
        assert_eq!(word_before("x ", 2), "");
    }
}
