//! The editor's keys: the completion popup's `[completion]` table while it
//! is open, the `[editor]` table, and typing for any key no table binds.
//! What needs the rest of the explorer (completion candidates from the
//! logstore's field names, moving the focus, a notice) is asked for with
//! an [`EditorOutcome`].

use crossterm::event::KeyEvent;

use super::EditorState;
use crate::tui::keymap::{Command, Context, Keymap};

/// What the host should do after a key in the editor.
#[derive(Debug, Clone, PartialEq)]
pub enum EditorOutcome {
    /// Not the editor's key; the host may use it.
    Ignored,
    Handled,
    /// The text changed by typing: an open completion follows the word.
    Typed,
    /// Complete the word at the cursor.
    Complete,
    /// Complete the word at the cursor, or move to the next pane when
    /// there is nothing to complete.
    CompleteOrNext,
    /// Say why nothing happened.
    Info(&'static str),
}

impl EditorState {
    /// A key: the completion popup's table while it is open, else the
    /// `[editor]` table, else it types when no table binds it.
    pub fn handle_key_with(&mut self, keymap: &Keymap, key: KeyEvent) -> EditorOutcome {
        if self.completion.is_some() && self.completion_key(keymap, &key) {
            return EditorOutcome::Handled;
        }
        if let Some(cmd) = keymap.lookup_in(Context::Editor, &key) {
            return self.command(cmd);
        }
        // Keys the global table binds (F5, Esc…) are the host's.
        if keymap.lookup(Context::Editor, &key).is_some() {
            return EditorOutcome::Ignored;
        }
        if self.input(key) {
            self.history_pos = None;
            return EditorOutcome::Typed;
        }
        EditorOutcome::Handled
    }

    /// Keys while the completion popup is open; false lets the key through
    /// to the editor.
    fn completion_key(&mut self, keymap: &Keymap, key: &KeyEvent) -> bool {
        let Some(comp) = self.completion.as_mut() else {
            return false;
        };
        match keymap.lookup(Context::Completion, key) {
            Some(Command::Close | Command::Cancel) => self.completion = None,
            Some(Command::Up) => comp.selected = comp.selected.saturating_sub(1),
            Some(Command::Down) => {
                comp.selected = (comp.selected + 1).min(comp.items.len().saturating_sub(1))
            }
            Some(Command::Accept | Command::Select) => {
                let Some(item) = comp.items.get(comp.selected) else {
                    return false;
                };
                let (prefix, text) = (comp.prefix.clone(), item.inserted().to_string());
                self.accept_completion(&prefix, &text);
            }
            _ => return false,
        }
        true
    }

    /// A command of the editor's (from its table, or a fallback table).
    pub fn command(&mut self, cmd: Command) -> EditorOutcome {
        match cmd {
            Command::Complete => return EditorOutcome::Complete,
            Command::CompleteOrNext => return EditorOutcome::CompleteOrNext,
            Command::HistoryPrev if !self.browse_history(-1) => {
                return EditorOutcome::Info("no older query in history")
            }
            Command::HistoryPrev => {}
            Command::HistoryNext => {
                self.browse_history(1);
            }
            Command::ClearEditor => self.set_text(""),
            Command::Undo if !self.undo() => return EditorOutcome::Info("nothing to undo"),
            Command::Redo if !self.redo() => return EditorOutcome::Info("nothing to redo"),
            Command::Undo | Command::Redo => {}
            Command::BufferStart => self.move_to_buffer_edge(false),
            Command::BufferEnd => self.move_to_buffer_edge(true),
            _ => return EditorOutcome::Ignored,
        }
        EditorOutcome::Handled
    }
}
