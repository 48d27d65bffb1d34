//! The SQL editor's state: the text (tui-textarea), which logstore it is
//! scoped to, completion, and history browsing.

pub mod completion;
pub mod highlight;
pub mod history;
pub mod sampling;
pub mod statement;

use tui_textarea::{CursorMove, TextArea};

use completion::CompletionState;
use history::History;

/// Cloudflare is reported to reject SQL longer than about this.
pub const LONG_SQL_CHARS: usize = 10_000;

#[derive(Debug, Clone)]
pub struct EditorState {
    pub textarea: TextArea<'static>,
    pub completion: Option<CompletionState>,
    pub history: History,
    /// Index into history while browsing with Alt-Up/Down.
    pub history_pos: Option<usize>,
    /// What was in the editor before browsing started.
    pub draft: Option<String>,
}

impl Default for EditorState {
    fn default() -> Self {
        Self::new()
    }
}

impl EditorState {
    pub fn new() -> Self {
        let mut textarea = TextArea::default();
        textarea.set_placeholder_text("-- choose a logstore in the tree, then write SQL; F5 runs");
        textarea.set_cursor_line_style(ratatui::style::Style::default());
        Self {
            textarea,
            completion: None,
            history: History::default(),
            history_pos: None,
            draft: None,
        }
    }

    pub fn text(&self) -> String {
        self.textarea.lines().join("\n")
    }

    pub fn char_count(&self) -> usize {
        self.textarea
            .lines()
            .iter()
            .map(|l| l.chars().count() + 1)
            .sum::<usize>()
            - 1
    }

    pub fn is_empty(&self) -> bool {
        self.textarea.lines().iter().all(|l| l.trim().is_empty())
    }

    /// Put the cursor where the pane was clicked: `row`, `col` inside the
    /// pane's border, `height` its inner height. `was_editing` says what was
    /// on screen: the textarea (which keeps its own scroll) or the
    /// highlighted text (scrolled just enough to show the cursor).
    pub fn click(&mut self, row: u16, col: u16, height: u16, was_editing: bool) {
        let (cur_row, _) = self.textarea.cursor();
        let (top_row, top_col) = if was_editing {
            // tui-textarea keeps its scroll private; moving into the
            // viewport from its top-left corner reveals it. The cursor's
            // own row was on screen and reaches at least the left edge.
            self.textarea.move_cursor(CursorMove::Jump(0, 0));
            self.textarea.move_cursor(CursorMove::InViewport);
            let top_row = self.textarea.cursor().0;
            self.textarea
                .move_cursor(CursorMove::Jump(to_u16(cur_row), 0));
            self.textarea.move_cursor(CursorMove::InViewport);
            (top_row, self.textarea.cursor().1)
        } else {
            (cur_row.saturating_sub(usize::from(height.max(1)) - 1), 0)
        };
        let lines = self.textarea.lines();
        let target_row = (top_row + usize::from(row)).min(lines.len().saturating_sub(1));
        let line = lines.get(target_row).map_or("", String::as_str);
        let target_col = top_col + char_index_at(line.chars().skip(top_col), usize::from(col));
        self.textarea.cancel_selection();
        self.textarea
            .move_cursor(CursorMove::Jump(to_u16(target_row), to_u16(target_col)));
    }

    /// Replace the whole text, cursor at the end.
    pub fn set_text(&mut self, text: &str) {
        let lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        let placeholder = self.textarea.placeholder_text().to_string();
        let mut ta = TextArea::new(lines);
        ta.set_placeholder_text(placeholder);
        ta.set_cursor_line_style(ratatui::style::Style::default());
        ta.move_cursor(CursorMove::Bottom);
        ta.move_cursor(CursorMove::End);
        self.textarea = ta;
        self.completion = None;
    }

    /// The SQL to run: the selection if any, else the statement under the
    /// cursor.
    pub fn sql_to_run(&self) -> Option<String> {
        let lines = self.textarea.lines();
        if let Some((from, to)) = self.textarea.selection_range() {
            let s = statement::slice(lines, from, to);
            if !s.trim().is_empty() {
                return Some(s.trim().trim_end_matches(';').trim().to_string());
            }
        }
        let (row, col) = self.textarea.cursor();
        let text = lines.join("\n");
        statement::statement_at(&text, statement::offset_of(lines, row, col))
    }

    /// Step through history: older (-1) or newer (+1). Returns false when
    /// there is nothing further.
    pub fn browse_history(&mut self, dir: isize) -> bool {
        let n = self.history.entries.len();
        if n == 0 {
            return false;
        }
        let next = match (self.history_pos, dir < 0) {
            (None, true) => Some(n - 1),
            (None, false) => return false,
            (Some(0), true) => return false,
            (Some(i), true) => Some(i - 1),
            (Some(i), false) if i + 1 < n => Some(i + 1),
            (Some(_), false) => None,
        };
        if self.history_pos.is_none() {
            self.draft = Some(self.text());
        }
        self.history_pos = next;
        let text = match next {
            Some(i) => self.history.entries[i].clone(),
            None => self.draft.take().unwrap_or_default(),
        };
        self.set_text(&text);
        true
    }

    /// Apply a completion: replace the word before the cursor.
    pub fn accept_completion(&mut self, prefix: &str, text: &str) {
        for _ in 0..prefix.chars().count() {
            self.textarea.delete_char();
        }
        self.textarea.insert_str(text);
        self.completion = None;
    }
}

fn to_u16(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

/// How many characters fit in `width` terminal cells (a click on the right
/// half of a wide character lands on it).
fn char_index_at(chars: impl Iterator<Item = char>, width: usize) -> usize {
    let mut used = 0;
    let mut index = 0;
    for c in chars {
        used += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used > width {
            break;
        }
        index += 1;
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_selection_or_statement_under_cursor() {
        let mut e = EditorState::new();
        e.set_text("SELECT 1;\nSELECT 2");
        assert_eq!(e.sql_to_run().as_deref(), Some("SELECT 2"));
        e.textarea.move_cursor(CursorMove::Top);
        assert_eq!(e.sql_to_run().as_deref(), Some("SELECT 1"));
        e.textarea.move_cursor(CursorMove::Head);
        e.textarea.start_selection();
        e.textarea.move_cursor(CursorMove::Forward);
        e.textarea.move_cursor(CursorMove::Forward);
        e.textarea.move_cursor(CursorMove::Forward);
        e.textarea.move_cursor(CursorMove::Forward);
        e.textarea.move_cursor(CursorMove::Forward);
        e.textarea.move_cursor(CursorMove::Forward);
        assert_eq!(e.sql_to_run().as_deref(), Some("SELECT"));
    }

    #[test]
    fn history_browsing_restores_the_draft() {
        let mut e = EditorState::new();
        e.history.push("SELECT 1");
        e.history.push("SELECT 2");
        e.set_text("draft");
        assert!(e.browse_history(-1));
        assert_eq!(e.text(), "SELECT 2");
        assert!(e.browse_history(-1));
        assert_eq!(e.text(), "SELECT 1");
        assert!(!e.browse_history(-1));
        assert!(e.browse_history(1));
        assert!(e.browse_history(1));
        assert_eq!(e.text(), "draft");
    }
}
