//! The one shape of the explorer's panes.
//!
//! Every pane (tree, editor, grid, chart, tail, detail, and the send form
//! in the popup slot) is a state type with a [`Pane`] impl:
//! - keys: [`Pane::on_key`] looks the key up in the pane's own table of the
//!   merged keymap (typing, when the pane has a text input) and answers
//!   with the pane's outcome enum (`TreeOutcome`, `GridOutcome`, …);
//!   whatever needs more than the pane's state (the network, another pane,
//!   a popup, a notice) is an outcome, and `update/keys.rs` turns outcomes
//!   into effects, all in one place (calling the pane's `update/` module
//!   where there is one, e.g. `update/tree.rs` for `TreeOutcome`);
//! - drawing: [`Pane::render`] draws the pane from its state and a
//!   [`RenderCtx`] (theme, keymap, focus, the scoped logstore, the shown
//!   rows' field names); `ui::render` calls it with the pane's area. Where
//!   a pane has nothing to draw yet (no chart, a query running or failed
//!   for the grid), `ui/` draws a message in its place.
//!
//! A key goes to the open popup if there is one ([`Popup`], one slot:
//! opening one closes the other), else to the focused pane, else to the
//! keymap's commands: the command the pane's table, `normal` or `global`
//! binds it to (a pane's table may bind a global command, e.g. `c` the
//! chart in the grid, which the pane leaves; for detail and tail only
//! `normal` and `global`, so an Esc they leave still cancels). A global
//! chord (an F-key or a Ctrl/Alt key bound in `global`) skips the focused
//! pane unless the pane's own table binds it or the pane is typing
//! ([`Pane::captures_input`]), so F5 works the same everywhere. A pane
//! command that `normal` or `global` binds reaches the tree, the editor or
//! the grid (also under the chart) through their `command(cmd)`.
//!
//! To add a pane: a state type; its outcome enum and a [`Pane`] impl (its
//! keys through its table, `Pane::render` drawing it with a [`RenderCtx`];
//! what it needs to draw beyond its state goes into its state, or into
//! [`RenderCtx`] when it is the explorer's and read where it is kept, as
//! the scoped logstore and the field names); its outcomes turned into
//! effects in `update/keys.rs`; its place in `ui/layout.rs` and in
//! `ui::render`; and its key table in `assets/keymap.toml` (a `Context` in
//! `keymap.rs`, which help lists, and a case in `App::key_context`).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::tui::app::{App, ExportPrompt, Picker, Scope};
use crate::tui::chart::{ChartOutcome, ChartState};
use crate::tui::detail::{DetailOutcome, DetailState};
use crate::tui::editor::{EditorOutcome, EditorState};
use crate::tui::fields::FieldNames;
use crate::tui::grid::{GridOutcome, GridState};
use crate::tui::history_view::HistoryView;
use crate::tui::keymap::{Command, Context, Keymap};
use crate::tui::send_form::Input;
use crate::tui::send_form::{SendForm, SendOutcome};
use crate::tui::tail::{TailOutcome, TailState};
use crate::tui::theme::Theme;
use crate::tui::tree::{TreeOutcome, TreeState};

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
    /// The logstore the explorer is scoped to (the tree marks it, the
    /// editor's title names it).
    pub scope: Option<&'a Scope>,
    /// The names of the positional columns of the rows shown (the grid's
    /// headers), read where they are kept, never copied per frame.
    pub names: &'a FieldNames,
}

impl Pane for TreeState {
    type Outcome = TreeOutcome;
    fn captures_input(&self) -> bool {
        self.filtering
    }
    fn on_key(&mut self, keymap: &Keymap, key: KeyEvent) -> TreeOutcome {
        self.handle_key_with(keymap, key)
    }
    fn render(&self, area: Rect, buf: &mut Buffer, ctx: &RenderCtx) {
        crate::tui::ui::tree::render(self, area, buf, ctx);
    }
}

impl Pane for EditorState {
    type Outcome = EditorOutcome;
    fn on_key(&mut self, keymap: &Keymap, key: KeyEvent) -> EditorOutcome {
        self.handle_key_with(keymap, key)
    }
    fn render(&self, area: Rect, buf: &mut Buffer, ctx: &RenderCtx) {
        crate::tui::ui::editor::render(self, area, buf, ctx);
    }
}

impl Pane for GridState {
    type Outcome = GridOutcome;
    fn captures_input(&self) -> bool {
        self.filtering
    }
    fn on_key(&mut self, keymap: &Keymap, key: KeyEvent) -> GridOutcome {
        self.handle_key_with(keymap, key)
    }
    /// The rows; while a query runs, after it failed or before any ran,
    /// `ui::grid` draws a message in the pane instead.
    fn render(&self, area: Rect, buf: &mut Buffer, ctx: &RenderCtx) {
        crate::tui::ui::grid::render_rows(self, area, buf, ctx);
    }
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

/// Typing into a one-line filter (the tree's and the grid's `/`): the
/// `filter` table's keys keep it (Enter) or clear it (Esc); other
/// characters type.
pub fn filter_input(keymap: &Keymap, key: &KeyEvent, filter: &mut String, active: &mut bool) {
    match keymap.lookup(Context::Filter, key) {
        Some(Command::Accept | Command::Close) => *active = false,
        Some(Command::ClearFilter | Command::Cancel) => {
            filter.clear();
            *active = false;
        }
        Some(Command::DeleteBack) => {
            filter.pop();
        }
        _ => match key.code {
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => filter.push(c),
            _ => {}
        },
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
