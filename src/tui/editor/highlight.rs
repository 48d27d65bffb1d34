//! A small SQL tokenizer for colouring the editor when it is not being
//! edited. It only has to be good enough to read: keywords, functions,
//! strings, numbers and comments.

use ratatui::text::{Line, Span};

use super::completion::{FUNCTIONS, KEYWORDS};
use crate::tui::theme::Theme;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Keyword,
    Function,
    String,
    Number,
    Comment,
    Other,
}

/// Split one line into (kind, text) runs. Block comments spanning lines are
/// treated per line (good enough for display).
pub fn tokenize(line: &str) -> Vec<(TokenKind, &str)> {
    let mut out = Vec::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    let mut plain_start = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'-' && bytes.get(i + 1) == Some(&b'-') {
            flush(&mut out, plain_start, i, line);
            out.push((TokenKind::Comment, &line[i..]));
            return out;
        }
        if c == b'\'' {
            flush(&mut out, plain_start, i, line);
            let start = i;
            i += 1;
            while i < bytes.len() && bytes[i] != b'\'' {
                if bytes[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i = (i + 1).min(bytes.len());
            out.push((TokenKind::String, &line[start..i]));
            plain_start = i;
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            let word = &line[start..i];
            let upper = word.to_ascii_uppercase();
            let next_is_paren = line[i..].trim_start().starts_with('(');
            let kind = if KEYWORDS.contains(&upper.as_str()) {
                TokenKind::Keyword
            } else if next_is_paren && FUNCTIONS.iter().any(|f| f.name.eq_ignore_ascii_case(word)) {
                TokenKind::Function
            } else {
                // A plain identifier stays part of the current plain run.
                continue;
            };
            flush(&mut out, plain_start, start, line);
            out.push((kind, word));
            plain_start = i;
            continue;
        }
        if c.is_ascii_digit() && (i == 0 || !is_word_byte(bytes[i - 1])) {
            flush(&mut out, plain_start, i, line);
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                i += 1;
            }
            out.push((TokenKind::Number, &line[start..i]));
            plain_start = i;
            continue;
        }
        // Step over a whole UTF-8 character.
        i += line[i..].chars().next().map_or(1, char::len_utf8);
    }
    flush(&mut out, plain_start, bytes.len(), line);
    out
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn flush<'a>(out: &mut Vec<(TokenKind, &'a str)>, from: usize, to: usize, line: &'a str) {
    if to > from {
        out.push((TokenKind::Other, &line[from..to]));
    }
}

pub fn highlight_line<'a>(line: &'a str, theme: &Theme) -> Line<'a> {
    Line::from(
        tokenize(line)
            .into_iter()
            .map(|(kind, text)| {
                let style = match kind {
                    TokenKind::Keyword => theme.keyword,
                    TokenKind::Function => theme.function,
                    TokenKind::String => theme.string,
                    TokenKind::Number => theme.number,
                    TokenKind::Comment => theme.comment,
                    TokenKind::Other => ratatui::style::Style::default(),
                };
                Span::styled(text, style)
            })
            .collect::<Vec<_>>(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use TokenKind::*;

    #[test]
    fn tokens_cover_the_line_exactly() {
        let line = "SELECT count() AS n, blob3 FROM aepipe WHERE blob4 = 'é;x' -- hi";
        let toks = tokenize(line);
        let joined: std::string::String = toks.iter().map(|(_, t)| *t).collect();
        assert_eq!(joined, line);
        assert!(toks.contains(&(Keyword, "SELECT")));
        assert!(toks.contains(&(Function, "count")));
        assert!(toks.contains(&(String, "'é;x'")));
        assert!(toks.contains(&(Comment, "-- hi")));
        assert!(!toks.iter().any(|(k, t)| *k == Number && t.contains('3')));
    }
}
