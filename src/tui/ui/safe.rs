//! Where the explorer's text meets the terminal. Panes build their text
//! with [`text`] / [`line`] (so widths are measured on what is shown), and
//! [`scrub`] runs over the whole frame after every pane has drawn and before
//! ratatui writes it out: whatever a pane forgot, no control character,
//! escape sequence or bidi override from a server or a log line reaches the
//! terminal.

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use ratatui::text::{Line, Span};

use crate::sanitize;

/// One line of untrusted text, safe to draw.
pub fn text(s: &str) -> Cow<'_, str> {
    sanitize::line(s)
}

/// A line whose spans may hold untrusted text (a title with names in it).
pub fn line(line: Line<'_>) -> Line<'_> {
    let Line {
        spans,
        style,
        alignment,
    } = line;
    let spans = spans
        .into_iter()
        .map(|s| match sanitize::line(&s.content) {
            Cow::Borrowed(_) => s,
            Cow::Owned(clean) => Span::styled(clean, s.style),
        })
        .collect::<Vec<_>>();
    Line {
        spans,
        style,
        alignment,
    }
}

/// Remove every unsafe character from the frame's cells. A cell keeps its
/// width: text laid out before it was made safe loses the zero-width
/// controls ratatui placed in it, and a cell left empty shows U+FFFD.
pub fn scrub(buf: &mut Buffer) {
    for cell in &mut buf.content {
        if let Cow::Owned(clean) = sanitize::strip(cell.symbol()) {
            cell.set_symbol(&clean);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::widgets::{Paragraph, Widget};

    #[test]
    fn scrub_leaves_nothing_for_the_terminal_to_obey() {
        let area = Rect::new(0, 0, 30, 1);
        let mut buf = Buffer::empty(area);
        // A Paragraph hands an ESC to the buffer as a zero-width grapheme.
        Paragraph::new("a\x1b]0;PWNED\x07b\u{9b}2J\u{202e}c").render(area, &mut buf);
        assert!(buf
            .content
            .iter()
            .any(|c| c.symbol().chars().any(sanitize::is_unsafe)));
        scrub(&mut buf);
        for cell in &buf.content {
            assert!(!cell.symbol().chars().any(sanitize::is_unsafe), "{cell:?}");
        }
    }

    #[test]
    fn a_line_made_safe_keeps_its_styles() {
        let l = line(Line::from(vec![
            Span::raw(" tail · "),
            Span::styled(
                "\x1b[2J",
                ratatui::style::Style::new().add_modifier(ratatui::style::Modifier::BOLD),
            ),
        ]));
        assert_eq!(l.spans[1].content, "␛[2J");
        assert!(l.spans[1]
            .style
            .add_modifier
            .contains(ratatui::style::Modifier::BOLD));
    }
}
