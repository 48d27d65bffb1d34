//! The detail pane's jq-style path filter: `.request.headers`,
//! `.items[0].id`, `.["first name"]`, `.items[-1]`. A small parser of its
//! own (no jq): only field and index steps, which is what finding one part
//! of a large payload needs. A leading `$` is accepted, so a path copied
//! with `Y` can be pasted back.

use serde_json::Value;

/// Longest path text kept (it is typed by hand; a paste may be anything).
pub const MAX_PATH_CHARS: usize = 512;

/// One step down a JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Field(String),
    /// Negative counts from the end, as in jq.
    Index(i64),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("a path starts with '.' (e.g. .request.headers)")]
    NoDot,
    #[error("expected a field name after '.' at {0}")]
    EmptyField(usize),
    #[error("unclosed '[' at {0}")]
    Unclosed(usize),
    #[error("'[{0}]' is neither an index nor a quoted key")]
    BadIndex(String),
    #[error("unexpected '{ch}' at {at}")]
    Unexpected { ch: char, at: usize },
    #[error("the path is longer than {MAX_PATH_CHARS} characters")]
    TooLong,
}

/// Parse a path; `.` (or an empty text) is the whole value.
pub fn parse(text: &str) -> Result<Vec<Step>, PathError> {
    if text.chars().count() > MAX_PATH_CHARS {
        return Err(PathError::TooLong);
    }
    let text = text.trim();
    let text = text.strip_prefix('$').unwrap_or(text);
    if text.is_empty() {
        return Ok(Vec::new());
    }
    if !text.starts_with('.') && !text.starts_with('[') {
        return Err(PathError::NoDot);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut steps = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '.' => {
                i += 1;
                // `.[0]` and `.["k"]` are jq spellings of `[0]` and `["k"]`;
                // a lone trailing `.` is the whole value.
                if i == chars.len() || chars[i] == '[' {
                    continue;
                }
                let start = i;
                // `-` inside a name too (`.x-request-id`): there is no
                // arithmetic here for it to mean, and headers are named so.
                while i < chars.len()
                    && (chars[i].is_alphanumeric()
                        || chars[i] == '_'
                        || (chars[i] == '-' && i > start))
                {
                    i += 1;
                }
                if i == start {
                    return Err(PathError::EmptyField(start));
                }
                steps.push(Step::Field(chars[start..i].iter().collect()));
            }
            '[' => {
                let open = i;
                let (step, next) = bracket(&chars, i + 1).ok_or(PathError::Unclosed(open))??;
                steps.push(step);
                i = next;
            }
            ch => return Err(PathError::Unexpected { ch, at: i }),
        }
    }
    Ok(steps)
}

/// The step inside `[…]` starting at `i` (after the `[`) and the index
/// after the `]`; None when the bracket never closes.
fn bracket(chars: &[char], i: usize) -> Option<Result<(Step, usize), PathError>> {
    if chars.get(i) == Some(&'"') {
        // A quoted key, with JSON escapes: read up to the closing quote.
        let mut j = i + 1;
        while j < chars.len() && chars[j] != '"' {
            j += if chars[j] == '\\' { 2 } else { 1 };
        }
        if chars.get(j + 1) != Some(&']') {
            return None;
        }
        let quoted: String = chars[i..=j].iter().collect();
        return Some(match serde_json::from_str::<String>(&quoted) {
            Ok(key) => Ok((Step::Field(key), j + 2)),
            Err(_) => Err(PathError::BadIndex(quoted)),
        });
    }
    let close = chars[i..].iter().position(|c| *c == ']')? + i;
    let inner: String = chars[i..close].iter().collect();
    Some(match inner.trim().parse::<i64>() {
        Ok(n) => Ok((Step::Index(n), close + 1)),
        Err(_) => Err(PathError::BadIndex(inner)),
    })
}

/// The value at `steps` below `value`, if there is one.
pub fn select<'a>(value: &'a Value, steps: &[Step]) -> Option<&'a Value> {
    steps.iter().try_fold(value, |v, step| match step {
        Step::Field(k) => v.get(k.as_str()),
        Step::Index(i) => {
            let items = v.as_array()?;
            let idx = if *i < 0 {
                items
                    .len()
                    .checked_sub(usize::try_from(i.unsigned_abs()).ok()?)?
            } else {
                usize::try_from(*i).ok()?
            };
            items.get(idx)
        }
    })
}

/// The filter as the pane keeps it: the text, whether it is being typed,
/// and the steps of its last text that parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathFilter {
    pub text: String,
    pub typing: bool,
    /// The parse error of `text`, shown in the title while typing.
    pub error: Option<PathError>,
    steps: Vec<Step>,
}

impl PathFilter {
    /// Start typing a new path, beginning with the current one.
    pub fn edit(&mut self) {
        self.typing = true;
        if self.text.is_empty() {
            self.set_text(".".into());
        }
    }

    pub fn set_text(&mut self, text: String) {
        let text: String = text.chars().take(MAX_PATH_CHARS).collect();
        match parse(&text) {
            Ok(steps) => {
                self.steps = steps;
                self.error = None;
            }
            // While a path is typed it is often incomplete (`.items[`): the
            // last one that parsed stays applied.
            Err(e) => self.error = Some(e),
        }
        self.text = text;
    }

    /// Whether a path narrows the view (`.` alone does not).
    pub fn is_active(&self) -> bool {
        !self.steps.is_empty()
    }

    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The path for the title, the error after it while one is typed.
    pub fn label(&self) -> String {
        let caret = if self.typing { "▏" } else { "" };
        match &self.error {
            Some(e) if self.typing => format!("{}{caret} ({e})", self.text),
            _ => format!("{}{caret}", self.text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn f(k: &str) -> Step {
        Step::Field(k.into())
    }

    #[test]
    fn parses_fields_indexes_and_quoted_keys() {
        assert_eq!(parse(".").unwrap(), vec![]);
        assert_eq!(parse("").unwrap(), vec![]);
        assert_eq!(
            parse(".request.headers").unwrap(),
            vec![f("request"), f("headers")]
        );
        assert_eq!(
            parse(".items[0].id").unwrap(),
            vec![f("items"), Step::Index(0), f("id")]
        );
        assert_eq!(
            parse("$.user[\"first name\"]").unwrap(),
            vec![f("user"), f("first name")]
        );
        assert_eq!(
            parse(".headers.x-request-id").unwrap(),
            vec![f("headers"), f("x-request-id")]
        );
        assert_eq!(
            parse(".[\"a]b\"].[-1]").unwrap(),
            vec![f("a]b"), Step::Index(-1)]
        );
    }

    #[test]
    fn bad_paths_say_what_is_wrong() {
        assert_eq!(parse("request"), Err(PathError::NoDot));
        assert_eq!(parse(".items["), Err(PathError::Unclosed(6)));
        assert_eq!(parse(".a..b"), Err(PathError::EmptyField(3)));
        assert_eq!(parse(".a[x]"), Err(PathError::BadIndex("x".into())));
        assert_eq!(parse(".a b"), Err(PathError::Unexpected { ch: ' ', at: 2 }));
        assert_eq!(parse(&".a".repeat(300)), Err(PathError::TooLong));
    }

    #[test]
    fn selects_the_subtree() {
        let v = json!({"request": {"headers": {"h": 1}}, "items": [{"id": 7}, {"id": 9}]});
        let at = |p: &str| select(&v, &parse(p).unwrap()).cloned();
        assert_eq!(at(".request.headers"), Some(json!({"h": 1})));
        assert_eq!(at(".items[0].id"), Some(json!(7)));
        assert_eq!(at(".items[-1].id"), Some(json!(9)));
        assert_eq!(at(".items[5]"), None);
        assert_eq!(at(".items[-3]"), None);
        assert_eq!(at(".nope"), None);
        assert_eq!(at("."), Some(v.clone()));
    }

    #[test]
    fn an_incomplete_path_keeps_the_last_one_that_parsed() {
        let mut p = PathFilter::default();
        p.edit();
        p.set_text(".items".into());
        p.set_text(".items[".into());
        assert_eq!(p.steps(), &[f("items")]);
        assert!(p.label().contains("unclosed"), "{}", p.label());
        p.typing = false;
        assert_eq!(p.label(), ".items[");
    }
}
