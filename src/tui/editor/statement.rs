//! Which SQL to run: the selection when there is one, else the statement the
//! cursor is in. Statements end at `;` or at a blank line (outside strings
//! and comments), as in DataGrip and DBeaver: two queries written one under
//! the other with an empty line between them are two statements.

/// Byte ranges of the statements in `text` (without the `;` or the blank
/// line that ended them).
pub fn statement_ranges(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut ranges = Vec::new();
    let mut start = 0;
    let mut line_start = 0;
    let mut line_blank = true;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            q @ (b'\'' | b'"' | b'`') => {
                line_blank = false;
                i += 1;
                while i < bytes.len() && bytes[i] != q {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                line_blank = false;
                while i + 1 < bytes.len() && bytes[i + 1] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                line_blank = false;
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            b';' => {
                line_blank = false;
                ranges.push((start, i));
                start = i + 1;
            }
            b'\n' => {
                if line_blank && line_start > start {
                    ranges.push((start, line_start));
                    start = i + 1;
                }
                line_start = i + 1;
                line_blank = true;
            }
            b' ' | b'\t' | b'\r' => {}
            _ => line_blank = false,
        }
        i += 1;
    }
    ranges.push((start, bytes.len().max(start)));
    ranges
}

/// The statement containing byte offset `cursor`. A cursor after a
/// statement's end on its last line (e.g. right after its `;`) belongs to
/// it; on blank lines between two statements it belongs to the one above,
/// or the one below when there is none above.
pub fn statement_at(text: &str, cursor: usize) -> Option<String> {
    let cursor = cursor.min(text.len());
    let ranges = statement_ranges(text);
    let trimmed = |i: usize| -> Option<(usize, usize)> {
        let (s, e) = *ranges.get(i)?;
        let body = text.get(s..e)?;
        if is_blank_sql(body) {
            return None;
        }
        let lead = body.len() - body.trim_start().len();
        Some((s + lead, s + body.trim_end().len()))
    };
    let pick = |i: usize| {
        trimmed(i)
            .and_then(|(s, e)| text.get(s..e))
            .map(str::to_string)
    };
    let idx = ranges
        .iter()
        .position(|&(s, e)| cursor >= s && cursor <= e)
        .unwrap_or(ranges.len().saturating_sub(1));
    let before = (0..idx).rev().find(|&i| trimmed(i).is_some());
    let after = (idx..ranges.len()).find(|&i| trimmed(i).is_some());
    let no_newline = |a: usize, b: usize| {
        text.get(a.min(b)..a.max(b))
            .is_some_and(|s| !s.contains('\n'))
    };
    let chosen = match trimmed(idx) {
        // Inside (or after the end of) this statement.
        Some((s, _)) if cursor >= s => Some(idx),
        // In the blank space before this statement.
        _ => {
            let prev_end = before.and_then(|b| ranges.get(b)).map(|&(_, e)| e);
            match (before, after) {
                (Some(b), _) if prev_end.is_some_and(|pe| no_newline(pe, cursor)) => Some(b),
                (_, Some(a)) if trimmed(a).is_some_and(|(s, _)| no_newline(cursor, s)) => Some(a),
                (Some(b), _) => Some(b),
                (None, a) => a,
            }
        }
    };
    chosen.and_then(pick)
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
    fn a_blank_line_ends_a_statement() {
        let t = "SELECT 1\nFROM a\n\nSELECT 2\n  \nSELECT 3;";
        assert_eq!(statement_at(t, 3).as_deref(), Some("SELECT 1\nFROM a"));
        let at2 = t.find("SELECT 2").unwrap_or(0) + 2;
        assert_eq!(statement_at(t, at2).as_deref(), Some("SELECT 2"));
        assert_eq!(statement_at(t, t.len()).as_deref(), Some("SELECT 3"));
        // On the blank line: the statement above.
        assert_eq!(statement_at(t, 16).as_deref(), Some("SELECT 1\nFROM a"));
    }

    #[test]
    fn blank_lines_inside_strings_and_comments_do_not_split() {
        let t = "SELECT 'a\n\nb' AS x /* one\n\ntwo */\nFROM t";
        assert_eq!(statement_at(t, 0).as_deref(), Some(t));
    }

    #[test]
    fn cursor_right_after_a_semicolon_runs_that_statement() {
        let t = "SELECT 1;\n\nSELECT 3;";
        assert_eq!(statement_at(t, 9).as_deref(), Some("SELECT 1"));
        let t = "SELECT 1;  \nSELECT 2";
        assert_eq!(statement_at(t, 11).as_deref(), Some("SELECT 1"));
        // At the start of the next line: the statement there.
        assert_eq!(statement_at(t, 12).as_deref(), Some("SELECT 2"));
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
