//! The one rule for showing text that came from outside (a server, a log
//! line, a file) on a terminal: nothing in it may act on the terminal.
//!
//! Log data is written by the applications being logged and often carries
//! text an attacker chose. Passed through raw, `ESC ] 0 ; … BEL` retitles the
//! reader's terminal, `ESC [ 2 J` clears it, OSC 52 writes the clipboard, a
//! C1 `CSI` (U+009B) does the same without an ESC, and bidi overrides or
//! zero-width characters make text read differently from what it is. Every
//! such character is shown visibly instead:
//!
//! - C0 controls and DEL as their Unicode control pictures (`␛`, `␇`, `␡`), one
//!   column each, so `ESC [ 3 1 m` reads `␛[31m`;
//! - C1 controls, bidi controls, zero-width and other invisible format
//!   characters as `\u{…}` escapes (`\u{9b}`, `\u{202e}`);
//! - in one-line text, tab and line breaks as a space; in multi-line text a
//!   line feed and a tab stay (they cannot act on the terminal) and a
//!   carriage return is shown as `␍`.
//!
//! Widths are measured on the result, so columns built from it stay aligned.
//! JSON, CSV and NDJSON output is data, not display, and is never passed here.

use std::borrow::Cow;

/// Whether `c` must never reach a terminal as it is: a control character
/// (C0, DEL, C1), a bidi control, or an invisible format character.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_invisible_format(c)
}

/// Format characters (Unicode category Cf), line/paragraph separators and
/// the invisible fillers that are used to disguise text.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{115f}'..='\u{1160}'
            | '\u{3164}'
            | '\u{ffa0}'
            | '\u{600}'..='\u{605}'
            | '\u{61c}'
            | '\u{6dd}'
            | '\u{70f}'
            | '\u{8e2}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{110bd}'
            | '\u{110cd}'
            | '\u{13430}'..='\u{1343f}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0000}'..='\u{e007f}'
    )
}

/// Whether `s` can be shown as it is. A byte scan for the common all-ASCII
/// case; only text with non-ASCII characters is decoded.
pub fn is_safe(s: &str, one_line: bool) -> bool {
    if s.is_ascii() {
        return !s
            .bytes()
            .any(|b| b == 0x7f || (b < 0x20 && (one_line || (b != b'\n' && b != b'\t'))));
    }
    !s.chars().any(|c| {
        if !one_line && (c == '\n' || c == '\t') {
            return false;
        }
        is_unsafe(c)
    })
}

/// One line of text from outside, safe to draw or print: see the module
/// comment. Borrows when nothing needs changing.
pub fn line(s: &str) -> Cow<'_, str> {
    if is_safe(s, true) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(line_chars(s).collect())
}

/// The characters [`line`] gives, lazily: a caller that cuts the text to a
/// width reads only as much of a long string as it shows.
pub fn line_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().flat_map(|c| match c {
        '\t' | '\n' | '\r' => Shown::One(Some(' ')),
        c => shown(c),
    })
}

/// Text from outside that may span lines (an error body, a message printed
/// to stderr): like [`line`], but line feeds and tabs stay.
pub fn text(s: &str) -> Cow<'_, str> {
    if is_safe(s, false) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .flat_map(|c| match c {
                '\t' | '\n' => Shown::One(Some(c)),
                c => shown(c),
            })
            .collect(),
    )
}

/// One character as shown: itself, a control picture, or an escape.
enum Shown {
    One(Option<char>),
    Escaped(std::char::EscapeUnicode),
}

impl Iterator for Shown {
    type Item = char;
    fn next(&mut self) -> Option<char> {
        match self {
            Shown::One(c) => c.take(),
            Shown::Escaped(e) => e.next(),
        }
    }
}

fn shown(c: char) -> Shown {
    match c {
        // U+2400 CONTROL PICTURE FOR NULL onwards, in C0 order.
        '\0'..='\u{1f}' => Shown::One(char::from_u32(0x2400 + c as u32)),
        '\u{7f}' => Shown::One(Some('\u{2421}')),
        c if is_unsafe(c) => Shown::Escaped(c.escape_unicode()),
        c => Shown::One(Some(c)),
    }
}

/// Drop every unsafe character from an already laid-out piece of text (a
/// terminal cell): the last line of defence when drawing, where the width of
/// the cell is fixed. Text that is left empty becomes U+FFFD, one column.
pub fn strip(s: &str) -> Cow<'_, str> {
    if is_safe(s, true) {
        return Cow::Borrowed(s);
    }
    let kept: String = s.chars().filter(|&c| !is_unsafe(c)).collect();
    if kept.is_empty() {
        Cow::Owned("\u{fffd}".to_string())
    } else {
        Cow::Owned(kept)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_width::UnicodeWidthStr;

    const HOSTILE: &str =
        "a\x1b]0;PWNED\x07b\x1b[2J\x1b[31mc\u{9b}31m\x7f\u{202e}d\u{200b}e\x1b]52;c;cHduZWQ=\x07";

    #[test]
    fn every_kind_of_control_is_shown_not_passed_on() {
        let l = line(HOSTILE);
        assert!(!l.chars().any(is_unsafe), "{l:?}");
        assert_eq!(
            l,
            "a␛]0;PWNED␇b␛[2J␛[31mc\\u{9b}31m␡\\u{202e}d\\u{200b}e␛]52;c;cHduZWQ=␇"
        );
        assert!(!text(HOSTILE).chars().any(is_unsafe));
    }

    #[test]
    fn plain_text_is_borrowed_and_wide_text_kept() {
        assert!(matches!(line("plain ascii"), Cow::Borrowed(_)));
        assert!(matches!(line("日本語 ✓ émoji 🎉"), Cow::Borrowed(_)));
        assert!(matches!(text("two\n\tlines"), Cow::Borrowed(_)));
    }

    #[test]
    fn line_breaks_depend_on_the_kind_of_text() {
        assert_eq!(line("a\nb\tc\r\nd"), "a b c  d");
        assert_eq!(text("a\nb\tc\r\nd"), "a\nb\tc␍\nd");
    }

    #[test]
    fn width_is_that_of_what_is_shown() {
        // Each control picture is one column: a column stays aligned.
        assert_eq!(line("\x1b[1m").width(), 4);
        assert_eq!(line("\u{202e}").width(), "\\u{202e}".len());
    }

    #[test]
    fn strip_keeps_the_cell_width() {
        assert_eq!(strip("x\x1b"), "x");
        assert_eq!(strip("\x1b"), "\u{fffd}");
        assert_eq!(strip("ok"), "ok");
    }
}
