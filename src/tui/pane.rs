//! The one shape of the explorer's key handling.
//!
//! A key goes to the open popup if there is one ([`Popup`], one slot:
//! opening one closes the other), else to the focused pane, else to the
//! keymap's commands.
//! A pane that keeps its own state and key table (detail, tail, chart, the
//! send form) is a [`Pane`]: it looks the key up in its table of the merged
//! keymap and answers with an outcome; `update/keys.rs` turns outcomes
//! into effects, all in one place. The tree, the editor and the grid have
//! their commands run by `update/` directly (`tree_command`, …), with the
//! same key order, and are drawn by `ui/` from the `App`.
//!
//! To add a pane: a state type; a [`Pane`] impl (its keys answer with an
//! outcome enum, [`Pane::render`] draws it with a [`RenderCtx`]); the
//! outcomes turned into effects in `update/keys.rs`; its place in `ui/`
//! (`ui::render` calls `Pane::render` with the pane's area); and its key
//! table in `assets/keymap.toml` (a `Context` in `keymap.rs`, which help
//! lists).

use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::tui::app::{App, ExportPrompt, Picker, Scope};
use crate::tui::chart::{ChartOutcome, ChartState};
use crate::tui::detail::{DetailOutcome, DetailState};
use crate::tui::history_view::HistoryView;
use crate::tui::keymap::Keymap;
use crate::tui::send_form::Input;
use crate::tui::send_form::{SendForm, SendOutcome};
use crate::tui::tail::{TailOutcome, TailState};
use crate::tui::theme::Theme;

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

    /// Draw the pane into `area` (ui/ calls this for every such pane).
    fn render(&self, area: Rect, buf: &mut Buffer, ctx: &RenderCtx);
}

/// What every pane is drawn with, besides its own state.
pub struct RenderCtx<'a> {
    pub theme: &'a Theme,
    /// The merged keymap: hint lines show what is bound.
    pub keymap: &'a Keymap,
    /// Whether the pane has the focus (its border says so).
    pub focused: bool,
}

impl Pane for DetailState {
    type Outcome = DetailOutcome;
    fn captures_input(&self) -> bool {
        DetailState::captures_input(self)
    }
    fn on_key(&mut self, keymap: &Keymap, key: KeyEvent) -> DetailOutcome {
        self.handle_key_with(keymap, key)
    }
    fn render(&self, area: Rect, buf: &mut Buffer, ctx: &RenderCtx) {
        crate::tui::detail::render::render(self, area, buf, ctx.theme, ctx.focused);
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
    fn render(&self, area: Rect, buf: &mut Buffer, ctx: &RenderCtx) {
        crate::tui::tail::render::render_with_keys(
            self,
            area,
            buf,
            ctx.theme,
            ctx.focused,
            ctx.keymap,
        );
    }
}

impl Pane for ChartState {
    type Outcome = ChartOutcome;
    fn on_key(&mut self, keymap: &Keymap, key: KeyEvent) -> ChartOutcome {
        self.handle_key_with(keymap, key)
    }
    fn render(&self, area: Rect, buf: &mut Buffer, ctx: &RenderCtx) {
        crate::tui::chart::render(self, area, buf, ctx.theme, ctx.focused);
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
    /// A popup: always drawn as focused.
    fn render(&self, area: Rect, buf: &mut Buffer, ctx: &RenderCtx) {
        crate::tui::send_form::render_with_keys(self, area, buf, ctx.theme, ctx.keymap);
    }
}

/// The one popup slot's contents ([`App::popup`]): at most one popup is
/// open, and it takes every key; opening one closes any other.
#[derive(Debug)]
pub enum Popup {
    /// The help screen, scrolled this many lines.
    Help(u16),
    /// The export's file name, before anything is written.
    ExportPrompt(ExportPrompt),
    /// A column being named: (scope, column, name typed).
    NamePrompt(Scope, String, Input),
    /// A name to save the editor's statement under.
    SavePrompt(Input),
    /// The F2 query history.
    History(HistoryView),
    /// A custom time range being typed (`from .. to`).
    RangePrompt(Input),
    /// A list to choose from (snippets, export format, time range, pivot).
    Picker(Picker),
    /// The send form.
    SendForm(SendForm),
}

/// `App::name()`: the open popup's state when it is of that kind.
macro_rules! popup_accessors {
    ($( $(#[$attr:meta])* $get:ident => $variant:ident($ty:ty); )*) => {
        impl App {
            $(
                $(#[$attr])*
                pub fn $get(&self) -> Option<&$ty> {
                    match &self.popup {
                        Some(Popup::$variant(state)) => Some(state),
                        _ => None,
                    }
                }
            )*
        }
    };
}

popup_accessors! {
    help => Help(u16);
    // The explorer matches on `App::popup` for these; the tests read them.
    #[cfg(any(test, feature = "internals"))]
    export_prompt => ExportPrompt(ExportPrompt);
    #[cfg(any(test, feature = "internals"))]
    save_prompt => SavePrompt(Input);
    #[cfg(any(test, feature = "internals"))]
    history_view => History(HistoryView);
    #[cfg(any(test, feature = "internals"))]
    range_prompt => RangePrompt(Input);
    #[cfg(any(test, feature = "internals"))]
    picker => Picker(Picker);
    #[cfg(any(test, feature = "internals"))]
    send_form => SendForm(SendForm);
}

impl App {
    /// The send form, while it is open.
    pub fn send_form_mut(&mut self) -> Option<&mut SendForm> {
        match &mut self.popup {
            Some(Popup::SendForm(form)) => Some(form),
            _ => None,
        }
    }

    /// The column being named and the name typed so far, while the name
    /// prompt is open.
    #[cfg(any(test, feature = "internals"))]
    pub fn name_prompt(&self) -> Option<(&Scope, &str, &Input)> {
        match &self.popup {
            Some(Popup::NamePrompt(scope, column, input)) => Some((scope, column, input)),
            _ => None,
        }
    }

    /// Open `popup`, closing whichever was open.
    pub fn open(&mut self, popup: Popup) {
        self.popup = Some(popup);
    }

    /// Close the open popup, if any.
    pub fn close_popup(&mut self) {
        self.popup = None;
    }
}
