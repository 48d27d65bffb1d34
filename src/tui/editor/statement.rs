//! Which SQL to run: the selection when there is one, else the statement the
//! cursor is in (statements split at `;` outside strings and comments).

/// Byte ranges of the statements in `text` (without the `;`).
pub fn statement_ranges(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut ranges = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            q @ (b'\'' | b'"' | b'`') => {
                i += 1;
                while i < bytes.len() && bytes[i] != q {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            b';' => {
                ranges.push((start, i));
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    ranges.push((start, bytes.len().max(start)));
    ranges
}

/// The statement containing byte offset `cursor`; a cursor right after a `;`
/// or on blank lines after it belongs to the statement before when the next
/// one is empty.
pub fn statement_at(text: &str, cursor: usize) -> Option<String> {
    let ranges = statement_ranges(text);
    let idx = ranges
        .iter()
        .position(|&(s, e)| cursor >= s && cursor <= e)
        .unwrap_or(ranges.len().saturating_sub(1));
    let pick = |i: usize| {
        ranges
            .get(i)
            .and_then(|&(s, e)| text.get(s..e))
            .map(str::trim)
            .filter(|s| !is_blank_sql(s))
            .map(str::to_string)
    };
    pick(idx).or_else(|| idx.checked_sub(1).and_then(pick))
}

/// Only whitespace and comments.
fn is_blank_sql(s: &str) -> bool {
    s.lines()
        .map(str::trim)
        .all(|l| l.is_empty() || l.starts_with("--"))
}

/// Byte offset of a (row, column-in-chars) position in lines joined by '\n'.
pub fn offset_of(lines: &[String], row: usize, col: usize) -> usize {
    let before: usize = lines.iter().take(row).map(|l| l.len() + 1).sum();
    let in_line = lines
        .get(row)
        .map(|l| l.char_indices().nth(col).map_or(l.len(), |(b, _)| b))
        .unwrap_or(0);
    before + in_line
}

/// The text between two (row, col) positions.
pub fn slice(lines: &[String], from: (usize, usize), to: (usize, usize)) -> String {
    let text = lines.join("\n");
    let a = offset_of(lines, from.0, from.1).min(text.len());
    let b = offset_of(lines, to.0, to.1).min(text.len());
    text.get(a.min(b)..a.max(b)).unwrap_or("").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_statement_under_the_cursor() {
        let t = "SELECT 1;\nSELECT ';' AS x;\n-- note\nSELECT 3";
        assert_eq!(statement_at(t, 2).as_deref(), Some("SELECT 1"));
        assert_eq!(statement_at(t, 12).as_deref(), Some("SELECT ';' AS x"));
        assert_eq!(
            statement_at(t, t.len()).as_deref(),
            Some("-- note\nSELECT 3")
        );
    }

    #[test]
    fn cursor_after_last_semicolon_runs_the_statement_before() {
        let t = "SELECT 1;\n";
        assert_eq!(statement_at(t, t.len()).as_deref(), Some("SELECT 1"));
    }

    #[test]
    fn nothing_to_run_in_blank_text() {
        assert_eq!(statement_at("  \n-- just a comment\n", 0), None);
    }

    #[test]
    fn offsets_count_chars_not_bytes() {
        let lines = vec!["é1".to_string(), "ab".to_string()];
        assert_eq!(offset_of(&lines, 0, 1), 2);
        assert_eq!(offset_of(&lines, 1, 1), 5);
        assert_eq!(slice(&lines, (0, 1), (1, 1)), "1\na");
    }
}
