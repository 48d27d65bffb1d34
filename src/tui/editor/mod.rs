//! The SQL editor's state: the text (tui-textarea), which logstore it is
//! scoped to, completion, and history browsing.

pub mod completion;
pub mod drill;
pub mod highlight;
pub mod history;
mod keys;
pub mod sampling;
pub mod statement;
pub mod undo;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_textarea::{CursorMove, TextArea};
use undo::{EditKind, Snapshot, UndoStack};

use completion::CompletionState;
use history::History;

pub use keys::EditorOutcome;

/// Cloudflare is reported to reject SQL longer than about this (one figure
/// for the whole crate, in `limits`).
pub use crate::limits::AE_SQL_SOFT_MAX_CHARS as LONG_SQL_CHARS;

#[derive(Debug, Clone)]
pub struct EditorState {
    pub textarea: TextArea<'static>,
    pub completion: Option<CompletionState>,
    pub history: History,
    /// Index into history while browsing with Alt-Up/Down.
    pub history_pos: Option<usize>,
    /// What was in the editor before browsing started.
    pub draft: Option<String>,
    /// Ctrl-Z / Ctrl-Y (the textarea's own history is off).
    pub undo: UndoStack,
}

impl Default for EditorState {
    fn default() -> Self {
        Self::new()
    }
}

/// What an empty editor says.
const PLACEHOLDER: &str = "-- choose a logstore in the tree, then write SQL; F5 runs";

/// One result tab's text, kept while another tab is shown: its lines,
/// cursor and selection, undo steps, and where history browsing stood.
/// The logstore's history itself is shared by every tab and stays in
/// [`EditorState`].
#[derive(Debug, Clone)]
pub struct EditorBuffer {
    textarea: TextArea<'static>,
    completion: Option<CompletionState>,
    history_pos: Option<usize>,
    draft: Option<String>,
    undo: UndoStack,
}

impl Default for EditorBuffer {
    fn default() -> Self {
        Self::with_text("", None)
    }
}

impl EditorBuffer {
    /// A buffer holding `text`, the cursor at `cursor` (row, column; the
    /// end of the text when None or outside it), nothing to undo.
    pub fn with_text(text: &str, cursor: Option<(usize, usize)>) -> Self {
        let mut textarea = new_textarea(text.split('\n').map(str::to_string).collect());
        textarea.set_placeholder_text(PLACEHOLDER);
        match cursor {
            Some((row, col)) => textarea.move_cursor(CursorMove::Jump(to_u16(row), to_u16(col))),
            None => {
                textarea.move_cursor(CursorMove::Bottom);
                textarea.move_cursor(CursorMove::End);
            }
        }
        Self {
            textarea,
            completion: None,
            history_pos: None,
            draft: None,
            undo: UndoStack::default(),
        }
    }

    pub fn text(&self) -> String {
        self.textarea.lines().join("\n")
    }

    /// (row, column) of the cursor.
    pub fn cursor(&self) -> (usize, usize) {
        self.textarea.cursor()
    }
}

impl EditorState {
    pub fn new() -> Self {
        let mut textarea = new_textarea(vec![String::new()]);
        textarea.set_placeholder_text(PLACEHOLDER);
        Self {
            textarea,
            completion: None,
            history: History::default(),
            history_pos: None,
            draft: None,
            undo: UndoStack::default(),
        }
    }

    /// Exchange the shown text (with its cursor, undo and completion) for
    /// `other`: a tab switch swaps the shown tab's buffer for the next's.
    pub fn swap_buffer(&mut self, other: &mut EditorBuffer) {
        std::mem::swap(&mut self.textarea, &mut other.textarea);
        std::mem::swap(&mut self.completion, &mut other.completion);
        std::mem::swap(&mut self.history_pos, &mut other.history_pos);
        std::mem::swap(&mut self.draft, &mut other.draft);
        std::mem::swap(&mut self.undo, &mut other.undo);
    }

    /// A copy of the shown text and cursor for a new tab (its undo starts
    /// empty: the steps belong to the tab they were made in).
    pub fn buffer_copy(&self) -> EditorBuffer {
        EditorBuffer::with_text(&self.text(), Some(self.textarea.cursor()))
    }

    /// (row, column) of the cursor.
    pub fn cursor(&self) -> (usize, usize) {
        self.textarea.cursor()
    }

    /// Put the cursor at (row, column), kept inside the text.
    pub fn jump_to(&mut self, row: usize, col: usize) {
        self.textarea.cancel_selection();
        self.textarea
            .move_cursor(CursorMove::Jump(to_u16(row), to_u16(col)));
    }

    fn snapshot(&self) -> Snapshot {
        Snapshot {
            lines: self.textarea.lines().to_vec(),
            cursor: self.textarea.cursor(),
        }
    }

    /// Put back a snapshot's text and cursor.
    fn restore(&mut self, snap: Snapshot) {
        let placeholder = self.textarea.placeholder_text().to_string();
        let mut ta = new_textarea(snap.lines);
        ta.set_placeholder_text(placeholder);
        ta.move_cursor(CursorMove::Jump(
            to_u16(snap.cursor.0),
            to_u16(snap.cursor.1),
        ));
        self.textarea = ta;
        self.completion = None;
    }

    /// A key typed into the text. Returns whether the text changed.
    pub fn input(&mut self, key: KeyEvent) -> bool {
        let kind = match key.code {
            KeyCode::Char(c)
                if !key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                undo::kind_of_char(c)
            }
            _ => EditKind::Other,
        };
        let before = self.snapshot();
        let changed = self.textarea.input(key);
        if changed {
            self.undo.before_edit(before, kind);
        }
        changed
    }

    /// Insert text at the cursor (a paste), as one undo step.
    pub fn insert_str(&mut self, text: &str) {
        let before = self.snapshot();
        if self.textarea.insert_str(text) {
            self.undo.before_edit(before, EditKind::Other);
        }
    }

    /// Take back the last step; false when there is none.
    pub fn undo(&mut self) -> bool {
        let current = self.snapshot();
        match self.undo.undo(current) {
            Some(snap) => {
                self.restore(snap);
                true
            }
            None => false,
        }
    }

    /// Do again what undo took back; false when there is nothing.
    pub fn redo(&mut self) -> bool {
        let current = self.snapshot();
        match self.undo.redo(current) {
            Some(snap) => {
                self.restore(snap);
                true
            }
            None => false,
        }
    }

    /// Ctrl-Home / Ctrl-End: the start or the end of the whole text.
    pub fn move_to_buffer_edge(&mut self, end: bool) {
        self.textarea.cancel_selection();
        if end {
            self.textarea.move_cursor(CursorMove::Bottom);
            self.textarea.move_cursor(CursorMove::End);
        } else {
            self.textarea.move_cursor(CursorMove::Top);
            self.textarea.move_cursor(CursorMove::Head);
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

    /// Replace the whole text, cursor at the end; one undo step.
    pub fn set_text(&mut self, text: &str) {
        if self.text() != text {
            let before = self.snapshot();
            self.undo.before_edit(before, EditKind::Other);
        }
        let lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        let placeholder = self.textarea.placeholder_text().to_string();
        let mut ta = new_textarea(lines);
        ta.set_placeholder_text(placeholder);
        ta.move_cursor(CursorMove::Bottom);
        ta.move_cursor(CursorMove::End);
        self.textarea = ta;
        self.completion = None;
    }

    /// Put the cursor at the end of the statement `sql` when the text holds
    /// it (so F5 runs it); false when it does not.
    pub fn cursor_to_statement(&mut self, sql: &str) -> bool {
        let text = self.text();
        let end = statement::statement_ranges(&text)
            .into_iter()
            .find_map(|(s, e)| {
                let body = text.get(s..e)?;
                let lead = body.len() - body.trim_start().len();
                let trimmed = body.trim();
                (trimmed == sql.trim()).then_some(s + lead + trimmed.len())
            });
        let Some(end) = end else {
            return false;
        };
        let row = text[..end].matches('\n').count();
        let col = text[..end]
            .rsplit('\n')
            .next()
            .map_or(0, |l| l.chars().count());
        self.textarea.cancel_selection();
        self.textarea
            .move_cursor(CursorMove::Jump(to_u16(row), to_u16(col)));
        true
    }

    /// Put `new` where the statement `old` is written (as `sql_to_run`
    /// returned it), as one undo step, with the cursor at its end so it is
    /// the statement F5 runs. When `old` is no longer in the text it is
    /// added after it, below a blank line. Returns whether `old` was found.
    pub fn replace_statement(&mut self, old: &str, new: &str) -> bool {
        let text = self.text();
        let found = statement::statement_ranges(&text)
            .into_iter()
            .find_map(|(s, e)| {
                let body = text.get(s..e)?;
                let lead = body.len() - body.trim_start().len();
                let trimmed = body.trim();
                (trimmed == old.trim()).then_some((s + lead, s + lead + trimmed.len()))
            });
        let (updated, end) = match found {
            Some((a, b)) => (format!("{}{new}{}", &text[..a], &text[b..]), a + new.len()),
            None if self.is_empty() => (new.to_string(), new.len()),
            None => {
                let head = format!("{}\n\n", text.trim_end());
                (format!("{head}{new}"), head.len() + new.len())
            }
        };
        let before = self.snapshot();
        self.undo.before_edit(before, EditKind::Other);
        let row = updated[..end].matches('\n').count();
        let col = updated[..end]
            .rsplit('\n')
            .next()
            .map_or(0, |l| l.chars().count());
        let placeholder = self.textarea.placeholder_text().to_string();
        let mut ta = new_textarea(updated.split('\n').map(str::to_string).collect());
        ta.set_placeholder_text(placeholder);
        ta.move_cursor(CursorMove::Jump(to_u16(row), to_u16(col)));
        self.textarea = ta;
        self.completion = None;
        self.history_pos = None;
        found.is_some()
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
        let before = self.snapshot();
        self.undo.before_edit(before, EditKind::Other);
        for _ in 0..prefix.chars().count() {
            self.textarea.delete_char();
        }
        self.textarea.insert_str(text);
        self.completion = None;
    }
}

/// A textarea as the editor uses it: no highlighted cursor line, and no
/// history of its own (undo is ours, by word).
fn new_textarea(lines: Vec<String>) -> TextArea<'static> {
    let mut ta = TextArea::new(lines);
    ta.set_cursor_line_style(ratatui::style::Style::default());
    ta.set_max_histories(0);
    ta
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
    fn a_statement_is_replaced_in_place_and_undo_brings_it_back() {
        let mut e = EditorState::new();
        e.set_text("SELECT 1;\n\nSELECT 2\nFROM t;\nSELECT 3");
        assert!(e.replace_statement("SELECT 2\nFROM t", "SELECT 2\nFROM t WHERE a = 1"));
        assert_eq!(
            e.text(),
            "SELECT 1;\n\nSELECT 2\nFROM t WHERE a = 1;\nSELECT 3"
        );
        assert_eq!(
            e.sql_to_run().as_deref(),
            Some("SELECT 2\nFROM t WHERE a = 1")
        );
        assert!(e.undo());
        assert_eq!(e.text(), "SELECT 1;\n\nSELECT 2\nFROM t;\nSELECT 3");
        // Gone from the text: added below it.
        assert!(!e.replace_statement("SELECT 9", "SELECT 9 WHERE x"));
        assert!(e.text().ends_with("SELECT 3\n\nSELECT 9 WHERE x"));
        assert_eq!(e.sql_to_run().as_deref(), Some("SELECT 9 WHERE x"));
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
