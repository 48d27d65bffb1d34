//! The one shape of the explorer's key handling.
//!
//! A key goes to the open popup if there is one ([`Popup`], at most one
//! takes keys), else to the focused pane, else to the keymap's commands.
//! A pane that keeps its own state and key table (detail, tail, chart, the
//! send form) is a [`Pane`]: it looks the key up in its table of the merged
//! keymap and answers with an outcome; `update/keys.rs` turns outcomes
//! into effects, all in one place. The tree, the editor and the grid have
//! their commands run by `update/` directly (`tree_command`, …), with the
//! same key order.

use crossterm::event::KeyEvent;

use crate::tui::app::App;
use crate::tui::chart::{ChartOutcome, ChartState};
use crate::tui::detail::{DetailOutcome, DetailState};
use crate::tui::keymap::Keymap;
use crate::tui::send_form::{SendForm, SendOutcome};
use crate::tui::tail::{TailOutcome, TailState};

/// A pane with its own key table.
pub trait Pane {
    /// What the host is asked to do after a key (`Ignored` lets the key
    /// through to the keymap's global commands).
    type Outcome;

    /// Whether the pane is typing (a filter, a search): then it gets even
    /// the global chords (F-keys, Ctrl, Alt).
    fn captures_input(&self) -> bool {
        false
    }

    /// Offer a key, looked up in the pane's own table of `keymap`.
    fn on_key(&mut self, keymap: &Keymap, key: KeyEvent) -> Self::Outcome;
}

impl Pane for DetailState {
    type Outcome = DetailOutcome;
    fn captures_input(&self) -> bool {
        DetailState::captures_input(self)
    }
    fn on_key(&mut self, keymap: &Keymap, key: KeyEvent) -> DetailOutcome {
        self.handle_key_with(keymap, key)
    }
}

impl Pane for TailState {
    type Outcome = TailOutcome;
    fn captures_input(&self) -> bool {
        TailState::captures_input(self)
    }
    fn on_key(&mut self, keymap: &Keymap, key: KeyEvent) -> TailOutcome {
        self.handle_key_with(keymap, key)
    }
}

impl Pane for ChartState {
    type Outcome = ChartOutcome;
    fn on_key(&mut self, keymap: &Keymap, key: KeyEvent) -> ChartOutcome {
        self.handle_key_with(keymap, key)
    }
}

impl Pane for SendForm {
    type Outcome = SendOutcome;
    /// The form is modal: every key but Ctrl-C types or moves in it.
    fn captures_input(&self) -> bool {
        true
    }
    fn on_key(&mut self, keymap: &Keymap, key: KeyEvent) -> SendOutcome {
        self.handle_key_with(keymap, key)
    }
}

/// The popups that take every key while open, in the order they win when
/// (unusually) more than one is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Popup {
    Help,
    ExportPrompt,
    NamePrompt,
    SavePrompt,
    History,
    RangePrompt,
    Picker,
    SendForm,
}

impl App {
    /// The popup that takes keys now, if any.
    pub fn open_popup(&self) -> Option<Popup> {
        let open = [
            (self.help.is_some(), Popup::Help),
            (self.export_prompt.is_some(), Popup::ExportPrompt),
            (self.name_prompt.is_some(), Popup::NamePrompt),
            (self.save_prompt.is_some(), Popup::SavePrompt),
            (self.history_view.is_some(), Popup::History),
            (self.range_prompt.is_some(), Popup::RangePrompt),
            (self.picker.is_some(), Popup::Picker),
            (self.send_form.is_some(), Popup::SendForm),
        ];
        open.into_iter()
            .find(|(is_open, _)| *is_open)
            .map(|(_, p)| p)
    }
}
