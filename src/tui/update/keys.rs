//! Keys, in one order (see `tui/pane.rs`): the open popup, else the
//! focused pane (its text input, then its own table), else the keymap's
//! commands; pane outcomes become effects here.

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

/// The focused pane's own keys: its text input when typing, else its
/// table. None leaves the key to the keymap's commands.
fn focused_pane_key(app: &mut App, key: KeyEvent) -> Option<Vec<Effect>> {
    // Global chords (F-keys, Ctrl/Alt) win over the hosted panes' own keys,
    // so F5, Alt-z or Alt-← work the same in every pane.
    let global_chord = (matches!(key.code, KeyCode::F(_))
        || key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT))
        && app.keymap.lookup_in(Context::Global, &key).is_some();
    match (app.focus, app.bottom) {
        (Focus::Tree, _) => tree_key(app, &key),
        (Focus::Editor, _) => completion_key(app, &key),
        (Focus::Results, Bottom::Grid) => grid_filter_key(app, &key),
        (Focus::Results, Bottom::Chart) => {
            let chart = app.chart.as_mut().filter(|c| offered(&**c, global_chord))?;
            let outcome = chart.on_key(&app.keymap, key);
            chart_outcome(app, outcome)
        }
        (Focus::Results, Bottom::Tail) => {
            if !offered(&app.tail, global_chord) {
                return None;
            }
            let outcome = app.tail.on_key(&app.keymap, key);
            tail_outcome(app, outcome)
        }
        (Focus::Detail, _) => {
            if !offered(&app.detail, global_chord) {
                return None;
            }
            match app.detail.on_key(&app.keymap, key) {
                DetailOutcome::Ignored => None,
                outcome => Some(detail_outcome(app, outcome)),
            }
        }
    }
}

/// Whether a pane is offered a key: always while it types, else unless
/// the key is a global chord.
fn offered<P: Pane>(pane: &P, global_chord: bool) -> bool {
    !global_chord || pane.captures_input()
}

/// What a key left: the command the focused pane's table (or `normal`,
/// `global`) binds it to; in the editor an unbound key types.
fn keymap_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    // The detail and tail tables were offered to their panes already; what
    // those left is looked up outside them (so Esc still cancels).
    let ctx = match app.key_context() {
        Context::Detail | Context::Tail => Context::Normal,
        ctx => ctx,
    };
    match app.keymap.lookup(ctx, &key) {
        Some(cmd) => command(app, cmd),
        None => {
            if app.focus == Focus::Editor {
                editor_input(app, key);
            }
            Vec::new()
        }
    }
}

/// The tree: its `/` filter while typing it, else typing a filter straight
/// away (see [`tree_typing`]).
fn tree_key(app: &mut App, key: &KeyEvent) -> Option<Vec<Effect>> {
    if app.tree.filtering {
        filter_input(
            &app.keymap,
            key,
            &mut app.tree.filter,
            &mut app.tree.filtering,
        );
        app.tree.clamp();
        return Some(load_for_filter(app));
    }
    tree_typing(app, key).then(|| load_for_filter(app))
}

/// The grid's `/` filter while typing it.
fn grid_filter_key(app: &mut App, key: &KeyEvent) -> Option<Vec<Effect>> {
    if !app.grid.filtering {
        return None;
    }
    let mut filter = app.grid.filter.clone();
    filter_input(&app.keymap, key, &mut filter, &mut app.grid.filtering);
    if filter != app.grid.filter {
        app.grid.set_filter(filter);
        return Some(sync_detail(app));
    }
    Some(Vec::new())
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

/// Typing in the tree filters it without `/` first: a printable character
/// no table of the tree binds (so j, k, h, l, r, q, ? keep their meaning)
/// starts the filter; once it has started every printable character
/// extends it (so "che" stays "che" although h collapses), and the
/// `filter` table's keys take one back (Backspace) or clear it (Esc).
/// Returns whether the key was used so.
fn tree_typing(app: &mut App, key: &KeyEvent) -> bool {
    let plain = !key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    let typing = !app.tree.filter.is_empty();
    match app.keymap.lookup(Context::Filter, key) {
        Some(Command::DeleteBack) if typing => {
            app.tree.filter.pop();
            app.tree.clamp();
            return true;
        }
        Some(Command::ClearFilter | Command::Cancel) if typing => {
            app.tree.filter.clear();
            app.tree.clamp();
            return true;
        }
        _ => {}
    }
    match key.code {
        KeyCode::Char(c)
            if plain
                && !c.is_control()
                && (typing || app.keymap.lookup(Context::Tree, key).is_none()) =>
        {
            app.tree.filter.push(c);
        }
        _ => return false,
    }
    app.tree.clamp();
    true
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

/// Typing into a one-line filter: the `filter` table's keys keep it
/// (Enter) or clear it (Esc); other characters type.
pub(super) fn filter_input(
    keymap: &Keymap,
    key: &KeyEvent,
    filter: &mut String,
    active: &mut bool,
) {
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

pub(super) fn editor_input(app: &mut App, key: KeyEvent) {
    if app.editor.input(key) {
        app.editor.history_pos = None;
        if app.editor.completion.is_some() {
            refresh_completion(app);
        }
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

/// Keys while the completion popup is open (its `completion` table); None
/// lets the key through to the editor.
pub(super) fn completion_key(app: &mut App, key: &KeyEvent) -> Option<Vec<Effect>> {
    let comp = app.editor.completion.as_mut()?;
    match app.keymap.lookup(Context::Completion, key) {
        Some(Command::Close | Command::Cancel) => app.editor.completion = None,
        Some(Command::Up) => comp.selected = comp.selected.saturating_sub(1),
        Some(Command::Down) => {
            comp.selected = (comp.selected + 1).min(comp.items.len().saturating_sub(1))
        }
        Some(Command::Accept | Command::Select) => {
            let prefix = comp.prefix.clone();
            let text = comp.items.get(comp.selected)?.inserted().to_string();
            app.editor.accept_completion(&prefix, &text);
        }
        _ => return None,
    }
    Some(Vec::new())
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
