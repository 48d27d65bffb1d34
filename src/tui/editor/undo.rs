//! Undo and redo for the editor, by snapshots of the text. Typing a word
//! (and the spaces after it) is one step, where tui-textarea's own history
//! undoes one character at a time; replacing the whole text (a history
//! entry, a snippet, clearing) is one step too, so it can be taken back.

/// The text and the cursor at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub lines: Vec<String>,
    pub cursor: (usize, usize),
}

/// What an edit was, for grouping typed characters into steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditKind {
    /// A letter, digit or `_`.
    Word,
    /// A space or tab typed after a word.
    Space,
    /// Anything else: a newline, punctuation, deleting, pasting, replacing.
    Other,
}

/// Steps kept; older ones are forgotten.
const MAX_STEPS: usize = 500;

#[derive(Debug, Clone, Default)]
pub struct UndoStack {
    undo: Vec<Snapshot>,
    redo: Vec<Snapshot>,
    last: Option<EditKind>,
}

impl UndoStack {
    /// Record the text as it was before an edit of `kind`. A word character
    /// after a word character, or a space after either, joins the step
    /// already open.
    pub fn before_edit(&mut self, before: Snapshot, kind: EditKind) {
        let joins = matches!(
            (self.last, kind),
            (Some(EditKind::Word), EditKind::Word)
                | (Some(EditKind::Word | EditKind::Space), EditKind::Space)
        );
        self.last = Some(kind);
        if joins {
            return;
        }
        self.redo.clear();
        if self.undo.len() == MAX_STEPS {
            self.undo.remove(0);
        }
        self.undo.push(before);
    }

    /// The text to go back to, given the current one (kept for redo).
    pub fn undo(&mut self, current: Snapshot) -> Option<Snapshot> {
        let previous = self.undo.pop()?;
        self.redo.push(current);
        self.last = None;
        Some(previous)
    }

    /// The text to go forward to again, given the current one.
    pub fn redo(&mut self, current: Snapshot) -> Option<Snapshot> {
        let next = self.redo.pop()?;
        self.undo.push(current);
        self.last = None;
        Some(next)
    }
}

/// How a typed character groups with its neighbours.
pub fn kind_of_char(c: char) -> EditKind {
    if c.is_alphanumeric() || c == '_' {
        EditKind::Word
    } else if c == ' ' || c == '\t' {
        EditKind::Space
    } else {
        EditKind::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(text: &str) -> Snapshot {
        Snapshot {
            lines: vec![text.to_string()],
            cursor: (0, text.chars().count()),
        }
    }

    #[test]
    fn a_typed_word_and_its_space_are_one_step() {
        let mut u = UndoStack::default();
        let typed = "ab cd";
        for (i, c) in typed.char_indices() {
            u.before_edit(snap(&typed[..i]), kind_of_char(c));
        }
        assert_eq!(u.undo(snap("ab cd")), Some(snap("ab ")));
        assert_eq!(u.undo(snap("ab ")), Some(snap("")));
        assert_eq!(u.undo(snap("")), None);
        assert_eq!(u.redo(snap("")), Some(snap("ab ")));
        assert_eq!(u.redo(snap("ab ")), Some(snap("ab cd")));
        assert_eq!(u.redo(snap("ab cd")), None);
    }

    #[test]
    fn a_new_edit_drops_what_could_be_redone() {
        let mut u = UndoStack::default();
        u.before_edit(snap(""), EditKind::Other);
        assert_eq!(u.undo(snap("x")), Some(snap("")));
        u.before_edit(snap(""), EditKind::Word);
        assert_eq!(u.redo(snap("y")), None);
    }
}
