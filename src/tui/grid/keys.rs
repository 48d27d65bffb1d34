//! The grid's keys: its `[grid]` table, and its `/` filter while typed.
//! What needs the rest of the explorer (the detail pane, a drill-down, the
//! export popup) is asked for with a [`GridOutcome`].

use crossterm::event::KeyEvent;

use super::GridState;
use crate::tui::editor::drill::Op;
use crate::tui::keymap::{Command, Context, Keymap};

/// What the host should do after a key in the grid.
#[derive(Debug, Clone, PartialEq)]
pub enum GridOutcome {
    /// Not the grid's key; the host may use it.
    Ignored,
    /// Handled; nothing else changes.
    Handled,
    /// The cursor, the order or the shown rows may have changed: the
    /// detail pane follows the selected row.
    Moved,
    /// Put this text on the clipboard.
    Copy { what: String, text: String },
    /// Say why nothing happened.
    Warn(&'static str),
    /// Ask for the export's format (or say there is nothing to export).
    Export,
    /// Show the selected row in the detail pane.
    OpenDetail,
    /// Add `AND column op value` for the selected cell and run it.
    Drill(Op),
    /// Back to the previous result.
    Back,
    /// Every row with the selected cell's value.
    Pivot,
    /// The raw logs around the selected row's time.
    RawAround,
    /// Name the selected positional column.
    NameField,
    /// Narrow the time range around the selected row.
    NarrowTime,
}

impl GridState {
    /// A key: the `/` filter while it is typed, else the `[grid]` table.
    pub fn handle_key_with(&mut self, keymap: &Keymap, key: KeyEvent) -> GridOutcome {
        if self.filtering {
            let mut filter = self.filter.clone();
            crate::tui::pane::filter_input(keymap, &key, &mut filter, &mut self.filtering);
            if filter == self.filter {
                return GridOutcome::Handled;
            }
            self.set_filter(filter);
            return GridOutcome::Moved;
        }
        match keymap.lookup_in(Context::Grid, &key) {
            Some(cmd) => self.command(cmd),
            None => GridOutcome::Ignored,
        }
    }

    /// A command of the grid's (from its table, or a fallback table).
    pub fn command(&mut self, cmd: Command) -> GridOutcome {
        let page = self.height.max(1) as isize;
        match cmd {
            Command::Up => self.move_rows(-1),
            Command::Down => self.move_rows(1),
            Command::PageUp => self.move_rows(-page),
            Command::PageDown => self.move_rows(page),
            Command::First => self.move_to_row(0),
            Command::Last => self.move_to_row(usize::MAX),
            Command::Left => self.move_cols(-1),
            Command::Right => self.move_cols(1),
            Command::Sort => self.cycle_sort(),
            Command::Filter => self.start_filter(),
            Command::Widen => self.adjust_width(2),
            Command::Narrow => self.adjust_width(-2),
            Command::CopyCell | Command::CopyRow => return self.copy(cmd == Command::CopyRow),
            Command::Export => return GridOutcome::Export,
            Command::OpenDetail => return GridOutcome::OpenDetail,
            Command::DrillIn => return GridOutcome::Drill(Op::Eq),
            Command::DrillOut => return GridOutcome::Drill(Op::Ne),
            Command::Back => return GridOutcome::Back,
            Command::Pivot => return GridOutcome::Pivot,
            Command::RawAround => return GridOutcome::RawAround,
            Command::NameField => return GridOutcome::NameField,
            Command::NarrowTime => return GridOutcome::NarrowTime,
            _ => return GridOutcome::Ignored,
        }
        GridOutcome::Moved
    }

    /// The selected cell, or its whole row as JSON.
    fn copy(&self, whole_row: bool) -> GridOutcome {
        let (Some(result), Some(row)) = (&self.result, self.selected_row()) else {
            return GridOutcome::Warn("nothing to copy");
        };
        let (what, text) = if whole_row {
            let obj = result.row_json(row).unwrap_or_default();
            (
                "row as JSON".to_string(),
                serde_json::Value::Object(obj).to_string(),
            )
        } else {
            let name = result
                .columns()
                .get(self.col)
                .map_or("cell".to_string(), |c| c.name.clone());
            (
                format!("cell {name}"),
                result.display(row, self.col).into_owned(),
            )
        };
        GridOutcome::Copy { what, text }
    }
}
