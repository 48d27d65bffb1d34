//! Honest counts under sampling: Analytics Engine may store a sample of the
//! points, each row standing for `_sample_interval` of them. `count()` then
//! counts stored rows; `SUM(_sample_interval)` estimates events (as
//! Cloudflare's documentation advises). The editor warns when a query counts
//! rows without looking at `_sample_interval`.

/// The warning for `sql`, if it counts rows and never mentions
/// `_sample_interval`. Comments and string literals are ignored.
pub fn count_warning(sql: &str) -> Option<&'static str> {
    let code = code_only(sql).to_ascii_lowercase();
    if code.contains("_sample_interval") {
        return None;
    }
    let counts = ["count", "countif"].iter().any(|f| calls(&code, f));
    counts.then_some(
        "count() counts stored rows; under sampling SUM(_sample_interval) estimates events",
    )
}

/// Whether `code` calls function `name` (a whole word followed by `(`).
fn calls(code: &str, name: &str) -> bool {
    let bytes = code.as_bytes();
    code.match_indices(name).any(|(i, _)| {
        let before_ok = i == 0 || !is_ident(bytes[i - 1]);
        let rest = code[i + name.len()..].trim_start();
        before_ok && rest.starts_with('(')
    })
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// `sql` without `--` and `/* */` comments and without the contents of
/// quoted strings and identifiers.
fn code_only(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '-' if chars.peek() == Some(&'-') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
                out.push('\n');
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
                out.push(' ');
            }
            '\'' | '"' | '`' => {
                for d in chars.by_ref() {
                    if d == c {
                        break;
                    }
                }
                out.push_str("''");
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warns_on_count_without_sample_interval() {
        assert!(count_warning("SELECT count() FROM aepipe").is_some());
        assert!(count_warning("select COUNT (*) as n from aepipe").is_some());
        assert!(count_warning("SELECT countIf(blob4 = 'error') FROM aepipe").is_some());
        assert!(count_warning("SELECT SUM(_sample_interval) AS n FROM aepipe").is_none());
        assert!(
            count_warning("SELECT count() AS rows, SUM(_sample_interval) AS n FROM aepipe")
                .is_none()
        );
        assert!(count_warning("SELECT blob3 AS account_count FROM aepipe").is_none());
        assert!(count_warning("SELECT 'count()' -- count()\nFROM aepipe").is_none());
        assert!(count_warning("SELECT discount(1) /* count() */ FROM aepipe").is_none());
    }
}
