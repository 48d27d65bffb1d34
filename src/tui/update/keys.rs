//! Keys, in one order (see `tui/pane.rs`): the open popup, else the
//! focused pane (its text input, then its own table), else the keymap's
//! commands; every pane's outcomes become effects here (or in the
//! `update/` module of that pane, which this calls).

use super::*;
use crate::tui::keymap::Keymap;
use crate::tui::pane::Pane;

pub(super) fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        request_quit(app);
        return Vec::new();
    }
    if app.popup.is_some() {
        return popup_key(app, key);
    }
    if let Some(effects) = focused_pane_key(app, key) {
        return effects;
    }
    keymap_key(app, key)
}

/// An open popup takes every key.
fn popup_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    match &app.popup {
        None => Vec::new(),
        Some(Popup::Help(_)) => help_key(app, &key),
        Some(Popup::ExportPrompt(_)) => export_prompt_key(app, &key),
        Some(Popup::NamePrompt(..)) => super::names::prompt_key(app, &key),
        Some(Popup::SavePrompt(_)) => super::persist::save_prompt_key(app, &key),
        Some(Popup::History(_)) => super::persist::history_key(app, &key),
        Some(Popup::RangePrompt(_)) => super::time::prompt_key(app, &key),
        Some(Popup::Picker(_)) => picker_key(app, &key),
        Some(Popup::SendForm(_)) => send_form_key(app, key),
    }
}

/// The focused pane's own keys (its text input when typing, else its
/// table). None leaves the key to the keymap's commands.
fn focused_pane_key(app: &mut App, key: KeyEvent) -> Option<Vec<Effect>> {
    // A global chord (an F-key, Ctrl/Alt) the pane's own table does not
    // bind goes past the pane unless it is typing, so F5, Alt-z or Alt-←
    // work the same in every pane.
    let global_chord = (matches!(key.code, KeyCode::F(_))
        || key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT))
        && app.keymap.lookup_in(Context::Global, &key).is_some()
        && app.keymap.lookup_in(app.key_context(), &key).is_none();
    let keymap = &app.keymap;
    match (app.focus, app.bottom) {
        (Focus::Tree, _) => match offer(&mut app.tree, keymap, key, global_chord)? {
            TreeOutcome::Ignored => None,
            outcome => Some(tree_outcome(app, outcome)),
        },
        (Focus::Editor, _) => {
            let outcome = offer(&mut app.editor, keymap, key, global_chord)?;
            editor_outcome(app, outcome)
        }
        (Focus::Results, Bottom::Grid) => {
            let outcome = offer(&mut app.grid, keymap, key, global_chord)?;
            grid_outcome(app, outcome)
        }
        (Focus::Results, Bottom::Chart) => {
            let outcome = offer(app.chart.as_mut()?, keymap, key, global_chord)?;
            chart_outcome(app, outcome)
        }
        (Focus::Results, Bottom::Tail) => {
            let outcome = offer(&mut app.tail, keymap, key, global_chord)?;
            tail_outcome(app, outcome)
        }
        (Focus::Detail, _) => match offer(&mut app.detail, keymap, key, global_chord)? {
            DetailOutcome::Ignored => None,
            outcome => Some(detail_outcome(app, outcome)),
        },
    }
}

/// Offer a key to a pane: always while it types, else unless the key is a
/// global chord. None: the pane was not offered the key.
fn offer<P: Pane>(
    pane: &mut P,
    keymap: &Keymap,
    key: KeyEvent,
    global_chord: bool,
) -> Option<P::Outcome> {
    (!global_chord || pane.captures_input()).then(|| pane.on_key(keymap, key))
}

/// What a key left: the command the focused pane's table (or `normal`,
/// `global`) binds it to (a pane's table may bind a global command, e.g.
/// `c` the chart in the grid).
fn keymap_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    // The detail and tail tables were offered to their panes already; what
    // those left is looked up outside them (so Esc still cancels).
    let ctx = match app.key_context() {
        Context::Detail | Context::Tail => Context::Normal,
        ctx => ctx,
    };
    match app.keymap.lookup(ctx, &key) {
        Some(cmd) => command(app, cmd),
        None => Vec::new(),
    }
}

fn chart_outcome(app: &mut App, outcome: ChartOutcome) -> Option<Vec<Effect>> {
    match outcome {
        ChartOutcome::Ignored => None,
        ChartOutcome::Handled => Some(Vec::new()),
        ChartOutcome::Narrow { from, to } => Some(super::time::narrow_to_bucket(app, from, to)),
    }
}

fn tail_outcome(app: &mut App, outcome: TailOutcome) -> Option<Vec<Effect>> {
    match outcome {
        TailOutcome::Ignored => None,
        TailOutcome::Handled => Some(Vec::new()),
        TailOutcome::OpenJson { title, value } => {
            app.detail.show_json(&title, value);
            Some(Vec::new())
        }
        TailOutcome::Copy { text, what } => Some(vec![Effect::Copy { what, text }]),
        outcome => Some(super::raw_window::tail_outcome(app, outcome)),
    }
}

/// The send form is modal: it takes every key but Ctrl-C.
pub(super) fn send_form_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let Some(Popup::SendForm(form)) = &mut app.popup else {
        return Vec::new();
    };
    match form.on_key(&app.keymap, key) {
        SendOutcome::Close => {
            app.close_popup();
            app.send_id = None;
            Vec::new()
        }
        SendOutcome::Send(request) => {
            let id = app.pending.next_id();
            app.send_id = Some(id);
            vec![Effect::Send { id, request }]
        }
        SendOutcome::Handled | SendOutcome::Ignored => Vec::new(),
    }
}

pub(super) fn help_key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
    let cmd = app
        .keymap
        .lookup_in(Context::Help, key)
        .or_else(|| (key.code == KeyCode::Esc).then_some(Command::Close))
        .or_else(|| app.keymap.lookup(Context::Global, key));
    let Some(&scroll) = app.help() else {
        return Vec::new();
    };
    let page = app.size.1.saturating_sub(6).max(1);
    // Never past the end, so Up works at once after holding Down.
    let max = crate::tui::ui::help::max_scroll(app);
    match cmd {
        Some(Command::Up) => app.open(Popup::Help(scroll.min(max).saturating_sub(1))),
        Some(Command::Down) => app.open(Popup::Help(scroll.saturating_add(1).min(max))),
        Some(Command::PageUp) => app.open(Popup::Help(scroll.min(max).saturating_sub(page))),
        Some(Command::PageDown) => app.open(Popup::Help(scroll.saturating_add(page).min(max))),
        Some(Command::First) => app.open(Popup::Help(0)),
        Some(Command::Last) => app.open(Popup::Help(max)),
        Some(Command::Close | Command::Help | Command::Cancel) => app.close_popup(),
        Some(Command::Quit) => request_quit(app),
        _ => {}
    }
    Vec::new()
}

pub(super) fn picker_key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
    let Some(Popup::Picker(picker)) = &mut app.popup else {
        return Vec::new();
    };
    let n = picker.items.len();
    match app.keymap.lookup(Context::Picker, key) {
        Some(Command::Close | Command::Cancel) => app.close_popup(),
        Some(Command::Up) => picker.selected = picker.selected.saturating_sub(1),
        Some(Command::Down) => picker.selected = (picker.selected + 1).min(n.saturating_sub(1)),
        Some(Command::Select | Command::Accept) => {
            if let Some(Popup::Picker(p)) = app.popup.take() {
                return picker_choose(app, p);
            }
        }
        _ => {}
    }
    Vec::new()
}

pub(super) fn picker_choose(app: &mut App, picker: Picker) -> Vec<Effect> {
    let Some((_, value)) = picker.items.get(picker.selected).cloned() else {
        return Vec::new();
    };
    match picker.kind {
        PickerKind::TimeRange => super::time::picked(app, &value),
        PickerKind::TailPivot => super::raw_window::pivot_picked(app, &value),
        PickerKind::Snippets => {
            // A snippet follows the logstore's time range.
            let sql = super::time::with_range(app, &value);
            app.editor.set_text(&sql);
            app.editor.history_pos = None;
            app.focus = Focus::Editor;
            Vec::new()
        }
        PickerKind::Export => {
            let format = ExportFormat::ALL
                .into_iter()
                .find(|f| f.extension() == value)
                .unwrap_or(ExportFormat::Csv);
            export(app, format)
        }
    }
}

pub(super) fn on_paste(app: &mut App, text: &str) -> Vec<Effect> {
    match app.focus {
        Focus::Editor => {
            app.editor
                .insert_str(&text.replace("\r\n", "\n").replace('\r', "\n"));
        }
        Focus::Tree if app.tree.filtering => {
            app.tree.filter.push_str(text.lines().next().unwrap_or(""));
            app.tree.clamp();
        }
        Focus::Results if app.grid.filtering => {
            let f = format!("{}{}", app.grid.filter, text.lines().next().unwrap_or(""));
            app.grid.set_filter(f);
        }
        _ => {}
    }
    Vec::new()
}
