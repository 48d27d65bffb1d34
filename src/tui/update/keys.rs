//! Keys: popups and text inputs first, then the hosted panes, then the
//! keymap.

use super::*;
use crate::tui::keymap::Keymap;

pub(super) fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        request_quit(app);
        return Vec::new();
    }
    if app.help.is_some() {
        return help_key(app, &key);
    }
    if app.export_prompt.is_some() {
        return export_prompt_key(app, &key);
    }
    if app.name_prompt.is_some() {
        return super::names::prompt_key(app, &key);
    }
    if app.save_prompt.is_some() {
        return super::persist::save_prompt_key(app, &key);
    }
    if app.history_view.is_some() {
        return super::persist::history_key(app, &key);
    }
    if app.range_prompt.is_some() {
        return super::time::prompt_key(app, &key);
    }
    if app.picker.is_some() {
        return picker_key(app, &key);
    }
    if app.send_form.is_some() {
        return send_form_key(app, key);
    }
    if app.focus == Focus::Tree && app.tree.filtering {
        filter_input(
            &app.keymap,
            &key,
            &mut app.tree.filter,
            &mut app.tree.filtering,
        );
        app.tree.clamp();
        return load_for_filter(app);
    }
    if app.focus == Focus::Results && app.bottom == Bottom::Grid && app.grid.filtering {
        let mut filter = app.grid.filter.clone();
        filter_input(&app.keymap, &key, &mut filter, &mut app.grid.filtering);
        if filter != app.grid.filter {
            app.grid.set_filter(filter);
            return sync_detail(app);
        }
        return Vec::new();
    }
    if app.focus == Focus::Tree && tree_typing(app, &key) {
        return load_for_filter(app);
    }
    // Global chords (F-keys, Ctrl/Alt) win over the hosted panes' own keys,
    // so F5, Alt-z or Alt-← work the same in every pane.
    let global_chord = (matches!(key.code, KeyCode::F(_))
        || key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT))
        && app.keymap.lookup_in(Context::Global, &key).is_some();
    if app.focus == Focus::Detail && (!global_chord || app.detail.captures_input()) {
        match app.detail.handle_key_with(&app.keymap, key) {
            DetailOutcome::Ignored => {}
            outcome => return detail_outcome(app, outcome),
        }
    }
    if app.focus == Focus::Results && app.bottom == Bottom::Chart && !global_chord {
        if let Some(chart) = &mut app.chart {
            match chart.handle_key_with(&app.keymap, key) {
                ChartOutcome::Ignored => {}
                ChartOutcome::Handled => return Vec::new(),
                ChartOutcome::Narrow { from, to } => {
                    return super::time::narrow_to_bucket(app, from, to)
                }
            }
        }
    }
    let tail_typing = app.tail.captures_input();
    if app.focus == Focus::Results && app.bottom == Bottom::Tail && (!global_chord || tail_typing) {
        match app.tail.handle_key_with(&app.keymap, key) {
            TailOutcome::Ignored => {}
            TailOutcome::Handled => return Vec::new(),
            TailOutcome::OpenJson { title, value } => {
                app.detail.show_json(&title, value);
                return Vec::new();
            }
            TailOutcome::Copy { text, what } => return vec![Effect::Copy { what, text }],
            outcome => return super::raw_window::tail_outcome(app, outcome),
        }
    }
    if app.focus == Focus::Editor && app.editor.completion.is_some() {
        if let Some(effects) = completion_key(app, &key) {
            return effects;
        }
    }
    // The detail and tail tables were offered to their panes above; what
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

/// Typing in the tree filters it without `/` first: a printable character
/// no table of the tree binds (so j, k, h, l, r, q, ? keep their meaning)
/// starts the filter; once it has started every printable character
/// extends it (so "che" stays "che" although h collapses), Backspace takes
/// one back and Esc clears it. Returns whether the key was used so.
fn tree_typing(app: &mut App, key: &KeyEvent) -> bool {
    let plain = !key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    let typing = !app.tree.filter.is_empty();
    match key.code {
        KeyCode::Char(c)
            if plain
                && !c.is_control()
                && (typing || app.keymap.lookup(Context::Tree, key).is_none()) =>
        {
            app.tree.filter.push(c);
        }
        KeyCode::Backspace if !app.tree.filter.is_empty() => {
            app.tree.filter.pop();
        }
        KeyCode::Esc if !app.tree.filter.is_empty() => app.tree.filter.clear(),
        _ => return false,
    }
    app.tree.clamp();
    true
}

/// The send form is modal: it takes every key but Ctrl-C.
pub(super) fn send_form_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let Some(form) = &mut app.send_form else {
        return Vec::new();
    };
    match form.handle_key_with(&app.keymap, key) {
        SendOutcome::Close => {
            app.send_form = None;
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
        _ => match key.code {
            KeyCode::Backspace => {
                filter.pop();
            }
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
    let scroll = app.help.unwrap_or(0);
    let page = app.size.1.saturating_sub(6).max(1);
    // Never past the end, so Up works at once after holding Down.
    let max = crate::tui::ui::help::max_scroll(app);
    match cmd {
        Some(Command::Up) => app.help = Some(scroll.min(max).saturating_sub(1)),
        Some(Command::Down) => app.help = Some(scroll.saturating_add(1).min(max)),
        Some(Command::PageUp) => app.help = Some(scroll.min(max).saturating_sub(page)),
        Some(Command::PageDown) => app.help = Some(scroll.saturating_add(page).min(max)),
        Some(Command::First) => app.help = Some(0),
        Some(Command::Last) => app.help = Some(max),
        Some(Command::Close | Command::Help | Command::Cancel) => app.help = None,
        Some(Command::Quit) => request_quit(app),
        _ => {}
    }
    Vec::new()
}

pub(super) fn picker_key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
    let Some(picker) = app.picker.as_mut() else {
        return Vec::new();
    };
    let n = picker.items.len();
    match app.keymap.lookup(Context::Picker, key) {
        Some(Command::Close | Command::Cancel) => app.picker = None,
        Some(Command::Up) => picker.selected = picker.selected.saturating_sub(1),
        Some(Command::Down) => picker.selected = (picker.selected + 1).min(n.saturating_sub(1)),
        Some(Command::Select | Command::Accept) => {
            let picker = app.picker.take();
            if let Some(p) = picker {
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
