//! `update(&mut App, Action) -> Vec<Effect>`: the only place state changes.
//! No I/O here; what needs the outside world comes back as effects.

use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::{Position, Rect};

use std::time::Instant;

use crate::tui::action::{Action, TaskError};
use crate::tui::app::{
    App, Bottom, ConnState, Focus, NoticeLevel, Picker, PickerKind, QueryState, RunningQuery,
    Scope, TICKS_PER_SECOND,
};
use crate::tui::chart::{ChartOutcome, ChartState};
use crate::tui::detail::DetailOutcome;
use crate::tui::editor::completion::{self, CompletionState};
use crate::tui::editor::history::History;
use crate::tui::editor::LONG_SQL_CHARS;
use crate::tui::effects::Effect;
use crate::tui::grid::export::ExportFormat;
use crate::tui::grid::{row_ref_id, RunInfo};
use crate::tui::keymap::Command;
use crate::tui::send_form::{SendForm, SendOutcome};
use crate::tui::tail::TailOutcome;
use crate::tui::tree::{Load, TreeRow};
use crate::tui::ui::layout;

/// Seconds between retries when the server cannot be reached.
const RETRY_SECONDS: u64 = 5;

pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Key(key) => {
            // Key release/repeat events (kitty protocol, Windows) would act twice.
            if key.kind == KeyEventKind::Release {
                return Vec::new();
            }
            on_key(app, key)
        }
        Action::Mouse(m) => on_mouse(app, m),
        Action::Paste(text) => on_paste(app, &text),
        Action::Resize(w, h) => {
            app.size = (w, h);
            apply_layout(app);
            Vec::new()
        }
        Action::Tick => on_tick(app),
        Action::Wake => {
            let outcome = app
                .detail
                .tick(Instant::now(), chrono::Utc::now().timestamp_millis());
            detail_outcome(app, outcome)
        }
        Action::ProjectsLoaded { id, result } => {
            if app.pending.projects != Some(id) {
                return Vec::new();
            }
            app.pending.projects = None;
            match result {
                Ok(names) => {
                    app.conn_state = ConnState::Connected;
                    app.tree.set_projects(names);
                }
                Err(e) => connection_failed(app, &e, true),
            }
            Vec::new()
        }
        Action::LogstoresLoaded {
            id,
            project,
            result,
        } => {
            let Some(pos) = app
                .pending
                .logstores
                .iter()
                .position(|(p, i)| *p == project && *i == id)
            else {
                return Vec::new();
            };
            app.pending.logstores.remove(pos);
            let failed = result.as_ref().err().cloned();
            if let Some(node) = app.tree.project_mut(&project) {
                node.logstores = match result {
                    Ok(list) => Load::Loaded(list),
                    Err(e) => Load::Failed(e.message),
                };
            }
            match failed {
                Some(e) => connection_failed(app, &e, false),
                None => app.conn_state = ConnState::Connected,
            }
            app.tree.clamp();
            Vec::new()
        }
        Action::QueryFinished {
            id,
            result,
            elapsed,
        } => {
            let Some(running) = app.query.running.take_if(|r| r.id == id) else {
                return Vec::new();
            };
            match result {
                Ok(result) => {
                    app.conn_state = ConnState::Connected;
                    app.query.error = None;
                    let limit_reached = is_limit_reached(&result, &running.sql);
                    app.grid.set_result(
                        result,
                        RunInfo {
                            elapsed,
                            sql: running.sql,
                            limit_reached,
                        },
                    );
                    refresh_chart(app);
                    if app.bottom == Bottom::Tail {
                        app.bottom = Bottom::Grid;
                    }
                    app.result_scope = Some(running.scope);
                    return sync_detail(app);
                }
                Err(e) => {
                    if e.retryable {
                        connection_failed(app, &e, false);
                    }
                    app.query.error = Some(e.message);
                }
            }
            Vec::new()
        }
        Action::DetailLoaded { req_id, result } => {
            app.detail.on_payloads(req_id, result);
            Vec::new()
        }
        Action::Tail(msg) => {
            app.tail
                .on_tail_msg(msg, Instant::now(), chrono::Utc::now().timestamp_millis());
            Vec::new()
        }
        Action::SendFinished { id, result } => {
            if app.send_id == Some(id) {
                app.send_id = None;
                if let Some(form) = &mut app.send_form {
                    form.on_sent(result.map_err(|e| e.message));
                }
            }
            Vec::new()
        }
        Action::Exported { result } => {
            match result {
                Ok((path, n)) => app.notify(
                    NoticeLevel::Info,
                    format!("exported {n} rows to {}", path.display()),
                ),
                Err(e) => app.notify(NoticeLevel::Error, e),
            }
            Vec::new()
        }
        Action::CopyViaTerminal { what, text } => vec![Effect::CopyOsc52 { what, text }],
        Action::Copied { what, result } => {
            match result {
                Ok(via) => app.notify(NoticeLevel::Info, format!("copied {what} via {via}")),
                Err(e) => app.notify(NoticeLevel::Error, format!("could not copy {what}: {e}")),
            }
            Vec::new()
        }
    }
}

/// The first effects of a new app: load the projects.
pub fn start(app: &mut App) -> Vec<Effect> {
    apply_layout(app);
    load_projects(app)
}

fn load_projects(app: &mut App) -> Vec<Effect> {
    let id = app.pending.next_id();
    app.pending.projects = Some(id);
    if app.tree.projects.loaded().is_none() {
        app.tree.projects = Load::Loading;
    }
    vec![Effect::LoadProjects { id }]
}

fn connection_failed(app: &mut App, e: &TaskError, projects: bool) {
    if projects && app.tree.projects.loaded().is_none() {
        app.tree.projects = Load::Failed(e.message.clone());
    }
    if e.retryable {
        app.conn_state = ConnState::Failing {
            message: e.message.clone(),
            retry_at: app.tick + RETRY_SECONDS * TICKS_PER_SECOND,
        };
    } else if projects {
        app.notify(NoticeLevel::Error, e.message.clone());
    }
}

fn on_tick(app: &mut App) -> Vec<Effect> {
    app.tick += 1;
    let (now, now_ms) = (Instant::now(), chrono::Utc::now().timestamp_millis());
    app.tail.tick(now, now_ms);
    let mut effects = Vec::new();
    let outcome = app.detail.tick(now, now_ms);
    effects.extend(detail_outcome(app, outcome));
    if app
        .notice
        .as_ref()
        .is_some_and(|n| n.until_tick <= app.tick)
    {
        app.notice = None;
    }
    if let ConnState::Failing { retry_at, .. } = app.conn_state {
        if app.tick >= retry_at && app.pending.projects.is_none() {
            app.conn_state = ConnState::Connecting;
            effects.extend(load_projects(app));
        }
    }
    effects
}

/// Act on what the detail pane asked for.
fn detail_outcome(app: &mut App, outcome: DetailOutcome) -> Vec<Effect> {
    match outcome {
        DetailOutcome::Ignored | DetailOutcome::Handled => Vec::new(),
        DetailOutcome::Fetch(request) => match app.result_scope.clone() {
            Some(scope) => vec![Effect::FetchDetail { scope, request }],
            None => Vec::new(),
        },
        DetailOutcome::Copy { text, what } => vec![Effect::Copy { what, text }],
    }
}

/// Show the selected grid row in the detail pane (its payload is fetched
/// after the pane's debounce, with the visible rows' payloads).
fn sync_detail(app: &mut App) -> Vec<Effect> {
    let (Some(result), Some(row)) = (app.grid.result.clone(), app.grid.selected_row()) else {
        app.detail.clear();
        return Vec::new();
    };
    // Prefetch needs a range of result rows: only the identity view has one.
    let identity = app.grid.sort.is_none() && app.grid.filter.is_empty();
    let visible = if identity {
        app.grid.offset..(app.grid.offset + app.grid.height).min(result.len())
    } else {
        row..row + 1
    };
    app.detail.show_row(&result, row, visible, Instant::now());
    Vec::new()
}

/// Start (or restart) the tail on the current scope when it is not already
/// tailing it.
fn ensure_tail(app: &mut App) -> Vec<Effect> {
    let Some(scope) = app.scope.clone() else {
        app.notify(
            NoticeLevel::Warning,
            "choose a logstore in the tree to tail it",
        );
        return Vec::new();
    };
    let current = app
        .tail
        .source()
        .map(|(p, l)| (p.to_string(), l.to_string()));
    if current == Some((scope.project.clone(), scope.logstore.clone())) {
        return Vec::new();
    }
    let id = app
        .tail
        .start(&scope.project, &scope.logstore, Instant::now());
    vec![Effect::StartTail { scope, id }]
}

/// Store viewport sizes from the layout (render never changes state).
pub fn apply_layout(app: &mut App) {
    let panes = layout::compute(app);
    app.tree.height = panes.tree.height.saturating_sub(2) as usize;
    app.tree.clamp();
    // Grid: borders (2), header (2), count line inside the border title.
    app.grid.height = panes.results.height.saturating_sub(4) as usize;
    app.grid.width = panes.results.width.saturating_sub(2);
    app.grid.scroll_to_cursor();
    app.grid.scroll_cols_to_cursor();
    let d = crate::tui::detail::render::inner(panes.detail);
    app.detail.set_viewport(d.width, d.height);
    let (w, h) = crate::tui::tail::render::viewport(panes.results);
    app.tail.set_viewport(w, h);
}

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        app.should_quit = true;
        return Vec::new();
    }
    if app.help.is_some() {
        return help_key(app, &key);
    }
    if app.picker.is_some() {
        return picker_key(app, &key);
    }
    if app.send_form.is_some() {
        return send_form_key(app, key);
    }
    if app.focus == Focus::Tree && app.tree.filtering {
        filter_input(&key, &mut app.tree.filter, &mut app.tree.filtering);
        app.tree.clamp();
        return Vec::new();
    }
    if app.focus == Focus::Results && app.bottom == Bottom::Grid && app.grid.filtering {
        let mut filter = app.grid.filter.clone();
        filter_input(&key, &mut filter, &mut app.grid.filtering);
        if filter != app.grid.filter {
            app.grid.set_filter(filter);
        }
        return Vec::new();
    }
    // Global chords (F-keys, Ctrl/Alt) win over the hosted panes' own keys,
    // so F5, Alt-z or Alt-← work the same in every pane.
    let global_chord = (matches!(key.code, KeyCode::F(_))
        || key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT))
        && app
            .keymap
            .lookup_in(crate::tui::keymap::Context::Global, &key)
            .is_some();
    if app.focus == Focus::Detail && !global_chord {
        match app.detail.handle_key(key) {
            DetailOutcome::Ignored => {}
            outcome => return detail_outcome(app, outcome),
        }
    }
    if app.focus == Focus::Results && app.bottom == Bottom::Chart && !global_chord {
        if let Some(chart) = &mut app.chart {
            if chart.handle_key(key) == ChartOutcome::Handled {
                return Vec::new();
            }
        }
    }
    let tail_typing = app.tail.captures_input();
    if app.focus == Focus::Results && app.bottom == Bottom::Tail && (!global_chord || tail_typing) {
        match app.tail.handle_key(key) {
            TailOutcome::Ignored => {}
            TailOutcome::Handled => return Vec::new(),
            TailOutcome::OpenJson { title, value } => {
                app.detail.show_json(&title, value);
                return Vec::new();
            }
            TailOutcome::Copy { text, what } => return vec![Effect::Copy { what, text }],
        }
    }
    if app.focus == Focus::Editor && app.editor.completion.is_some() {
        if let Some(effects) = completion_key(app, &key) {
            return effects;
        }
    }
    let ctx = app.key_context();
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

/// The send form is modal: it takes every key but Ctrl-C.
fn send_form_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let Some(form) = &mut app.send_form else {
        return Vec::new();
    };
    match form.handle_key(key) {
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

/// Rebuild the chart from the grid's result while the chart view is open.
fn refresh_chart(app: &mut App) {
    app.chart = if app.bottom == Bottom::Chart {
        app.grid.result.as_deref().map(ChartState::from_result)
    } else {
        None
    };
}

/// Typing into a one-line filter: Enter keeps it, Esc clears it.
fn filter_input(key: &KeyEvent, filter: &mut String, active: &mut bool) {
    match key.code {
        KeyCode::Enter => *active = false,
        KeyCode::Esc => {
            filter.clear();
            *active = false;
        }
        KeyCode::Backspace => {
            filter.pop();
        }
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => filter.push(c),
        _ => {}
    }
}

fn editor_input(app: &mut App, key: KeyEvent) {
    if app.editor.textarea.input(key) {
        app.editor.history_pos = None;
        if app.editor.completion.is_some() {
            refresh_completion(app);
        }
    }
}

fn help_key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
    let cmd = app
        .keymap
        .lookup_in(crate::tui::keymap::Context::Help, key)
        .or_else(|| (key.code == KeyCode::Esc).then_some(Command::Close))
        .or_else(|| app.keymap.lookup(crate::tui::keymap::Context::Global, key));
    let scroll = app.help.unwrap_or(0);
    match cmd {
        Some(Command::Up) => app.help = Some(scroll.saturating_sub(1)),
        Some(Command::Down) => app.help = Some(scroll.saturating_add(1)),
        Some(Command::Close | Command::Help | Command::Cancel) => app.help = None,
        Some(Command::Quit) => app.should_quit = true,
        _ => {}
    }
    Vec::new()
}

fn picker_key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
    let Some(picker) = app.picker.as_mut() else {
        return Vec::new();
    };
    let n = picker.items.len();
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') => app.picker = None,
        KeyCode::Up | KeyCode::Char('k') => picker.selected = picker.selected.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => {
            picker.selected = (picker.selected + 1).min(n.saturating_sub(1))
        }
        KeyCode::Enter => {
            let picker = app.picker.take();
            if let Some(p) = picker {
                return picker_choose(app, p);
            }
        }
        _ => {}
    }
    Vec::new()
}

fn picker_choose(app: &mut App, picker: Picker) -> Vec<Effect> {
    let Some((_, value)) = picker.items.get(picker.selected).cloned() else {
        return Vec::new();
    };
    match picker.kind {
        PickerKind::History | PickerKind::Snippets => {
            app.editor.set_text(&value);
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

fn export(app: &mut App, format: ExportFormat) -> Vec<Effect> {
    let Some(result) = app.grid.result.clone() else {
        app.notify(NoticeLevel::Warning, "no rows to export: run a query first");
        return Vec::new();
    };
    let scope = app
        .query
        .running
        .as_ref()
        .map(|r| r.scope.to_string())
        .or_else(|| app.scope.as_ref().map(ToString::to_string))
        .unwrap_or_else(|| "result".into());
    vec![Effect::Export {
        dir: app.export_dir.clone(),
        scope,
        result,
        rows: app.grid.view.clone(),
        format,
    }]
}

/// Keys while the completion popup is open; None lets the key through.
fn completion_key(app: &mut App, key: &KeyEvent) -> Option<Vec<Effect>> {
    let comp = app.editor.completion.as_mut()?;
    match key.code {
        KeyCode::Esc => app.editor.completion = None,
        KeyCode::Up => comp.selected = comp.selected.saturating_sub(1),
        KeyCode::Down => {
            comp.selected = (comp.selected + 1).min(comp.items.len().saturating_sub(1))
        }
        KeyCode::Enter | KeyCode::Tab => {
            let prefix = comp.prefix.clone();
            let text = comp.items.get(comp.selected)?.text.clone();
            app.editor.accept_completion(&prefix, &text);
        }
        _ => return None,
    }
    Some(Vec::new())
}

fn open_completion(app: &mut App) -> bool {
    let (row, col) = app.editor.textarea.cursor();
    let line = app
        .editor
        .textarea
        .lines()
        .get(row)
        .cloned()
        .unwrap_or_default();
    let prefix = completion::word_before(&line, col);
    // A word that is already complete offers nothing, so Tab after "DESC"
    // moves on instead of "completing" it to itself.
    let items: Vec<_> = completion::candidates(&prefix)
        .into_iter()
        .filter(|c| !c.text.trim_end_matches('(').eq_ignore_ascii_case(&prefix))
        .collect();
    match items.len() {
        0 => {
            app.editor.completion = None;
            false
        }
        1 => {
            app.editor.accept_completion(&prefix, &items[0].text);
            true
        }
        _ => {
            app.editor.completion = Some(CompletionState {
                prefix,
                items,
                selected: 0,
            });
            true
        }
    }
}

fn refresh_completion(app: &mut App) {
    let (row, col) = app.editor.textarea.cursor();
    let line = app
        .editor
        .textarea
        .lines()
        .get(row)
        .cloned()
        .unwrap_or_default();
    let prefix = completion::word_before(&line, col);
    let items = completion::candidates(&prefix);
    app.editor.completion = (!items.is_empty()).then_some(CompletionState {
        prefix,
        items,
        selected: 0,
    });
}

fn focus_step(app: &mut App, delta: isize) {
    let order = Focus::ORDER;
    let i = order.iter().position(|f| *f == app.focus).unwrap_or(0) as isize;
    let n = order.len() as isize;
    app.focus = order[((i + delta).rem_euclid(n)) as usize];
    app.editor.completion = None;
}

fn command(app: &mut App, cmd: Command) -> Vec<Effect> {
    match cmd {
        Command::Quit => app.should_quit = true,
        Command::Help => app.help = Some(0),
        Command::FocusNext => focus_step(app, 1),
        Command::FocusPrev => focus_step(app, -1),
        Command::FocusTree => app.focus = Focus::Tree,
        Command::FocusEditor => app.focus = Focus::Editor,
        Command::FocusGrid => app.focus = Focus::Results,
        Command::FocusDetail => app.focus = Focus::Detail,
        Command::RunQuery => return run_query(app),
        Command::Cancel => return cancel(app),
        Command::Zoom => {
            app.layout.zoomed = !app.layout.zoomed;
            apply_layout(app);
        }
        Command::ShrinkPane => resize_pane(app, -2),
        Command::GrowPane => resize_pane(app, 2),
        Command::ToggleMouse => {
            app.mouse_capture = !app.mouse_capture;
            let state = if app.mouse_capture {
                "on"
            } else {
                "off (the terminal's own selection works)"
            };
            app.notify(NoticeLevel::Info, format!("mouse capture {state}"));
            return vec![Effect::SetMouseCapture(app.mouse_capture)];
        }
        Command::ToggleTail => {
            app.focus = Focus::Results;
            if app.bottom == Bottom::Tail {
                app.bottom = Bottom::Grid;
            } else {
                app.bottom = Bottom::Tail;
                return ensure_tail(app);
            }
        }
        Command::ToggleChart => {
            app.bottom = if app.bottom == Bottom::Chart {
                Bottom::Grid
            } else {
                Bottom::Chart
            };
            refresh_chart(app);
        }
        Command::SendForm => match &app.scope {
            Some(scope) => app.send_form = Some(SendForm::new(&scope.project, &scope.logstore)),
            None => app.notify(
                NoticeLevel::Info,
                "choose a logstore first, then send to it",
            ),
        },
        Command::History => {
            let items: Vec<(String, String)> = app
                .editor
                .history
                .entries
                .iter()
                .rev()
                .map(|q| (q.replace('\n', " "), q.clone()))
                .collect();
            if items.is_empty() {
                app.notify(NoticeLevel::Info, "no history yet for this logstore");
            } else {
                app.picker = Some(Picker {
                    kind: PickerKind::History,
                    title: "History (newest first)".into(),
                    items,
                    selected: 0,
                });
            }
        }
        Command::Snippets => {
            app.picker = Some(Picker {
                kind: PickerKind::Snippets,
                title: "Starter queries".into(),
                items: crate::tui::snippets::snippets(),
                selected: 0,
            });
        }
        _ => return pane_command(app, cmd),
    }
    Vec::new()
}

fn resize_pane(app: &mut App, delta: i16) {
    let l = &mut app.layout;
    let step =
        |v: u16, d: i16, min: u16, max: u16| (v as i16 + d).clamp(min as i16, max as i16) as u16;
    match app.focus {
        Focus::Tree => l.tree_width = step(l.tree_width, delta, 12, 60),
        Focus::Detail => l.detail_width = step(l.detail_width, delta, 16, 100),
        Focus::Editor => l.editor_height = step(l.editor_height, delta / 2, 3, 40),
        Focus::Results => l.editor_height = step(l.editor_height, -delta / 2, 3, 40),
    }
    apply_layout(app);
}

fn cancel(app: &mut App) -> Vec<Effect> {
    if app.editor.completion.take().is_some() {
        return Vec::new();
    }
    if let Some(running) = app.query.running.take() {
        app.notify(NoticeLevel::Info, "query cancelled");
        return vec![Effect::Abort(running.id)];
    }
    if app.layout.zoomed {
        app.layout.zoomed = false;
        apply_layout(app);
    }
    Vec::new()
}

fn run_query(app: &mut App) -> Vec<Effect> {
    let Some(scope) = app.scope.clone() else {
        app.notify(NoticeLevel::Warning, "choose a logstore in the tree first");
        return Vec::new();
    };
    let Some(sql) = app.editor.sql_to_run() else {
        app.notify(NoticeLevel::Warning, "nothing to run: the editor is empty");
        return Vec::new();
    };
    let mut effects = Vec::new();
    if let Some(old) = app.query.running.take() {
        effects.push(Effect::Abort(old.id));
    }
    if sql.chars().count() > LONG_SQL_CHARS {
        app.notify(
            NoticeLevel::Warning,
            format!("this query is over {LONG_SQL_CHARS} characters: Cloudflare may reject it"),
        );
    }
    if app.editor.history.push(&sql) {
        if let Some(file) = app.editor.history.file.clone() {
            effects.push(Effect::SaveHistory {
                file,
                entries: app.editor.history.entries.clone(),
            });
        }
    }
    app.editor.history_pos = None;
    let id = app.pending.next_id();
    app.query = QueryState {
        running: Some(RunningQuery {
            id,
            started: std::time::Instant::now(),
            sql: sql.clone(),
            scope: scope.clone(),
        }),
        error: None,
    };
    effects.push(Effect::RunQuery { id, scope, sql });
    effects
}

/// The query stopped at its LIMIT: AE says more rows matched, or exactly
/// LIMIT rows came back.
pub fn is_limit_reached(result: &crate::client::QueryResult, sql: &str) -> bool {
    let n = result.len() as u64;
    if result.rows_before_limit_at_least.is_some_and(|t| t > n) {
        return true;
    }
    sql_limit(sql).is_some_and(|l| l == n && n > 0)
}

/// The row count of the last `LIMIT n` / `LIMIT m, n` in the SQL.
fn sql_limit(sql: &str) -> Option<u64> {
    let upper = sql.to_ascii_uppercase();
    let pos = upper.rfind("LIMIT")?;
    let rest = sql[pos + 5..].trim_start();
    let mut nums = rest
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty());
    let first: u64 = nums.next()?.parse().ok()?;
    let after_first = rest
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .trim_start();
    if after_first.starts_with(',') {
        nums.next()?.parse().ok()
    } else {
        Some(first)
    }
}

fn pane_command(app: &mut App, cmd: Command) -> Vec<Effect> {
    match app.focus {
        Focus::Tree => tree_command(app, cmd),
        Focus::Editor => editor_command(app, cmd),
        Focus::Results => match app.bottom {
            Bottom::Grid | Bottom::Chart => grid_command(app, cmd),
            Bottom::Tail => Vec::new(),
        },
        Focus::Detail => Vec::new(),
    }
}

fn tree_command(app: &mut App, cmd: Command) -> Vec<Effect> {
    match cmd {
        Command::Up => app.tree.move_by(-1),
        Command::Down => app.tree.move_by(1),
        Command::First => app.tree.move_to(0),
        Command::Last => app.tree.move_to(usize::MAX),
        Command::Filter => app.tree.filtering = true,
        Command::Refresh => {
            let mut effects = load_projects(app);
            // Reload the logstores of open projects too.
            let open: Vec<String> = app
                .tree
                .projects
                .loaded()
                .map(|ps| {
                    ps.iter()
                        .filter(|p| p.expanded)
                        .map(|p| p.name.clone())
                        .collect()
                })
                .unwrap_or_default();
            for p in open {
                effects.extend(load_logstores(app, &p));
            }
            app.notify(NoticeLevel::Info, "refreshing…");
            return effects;
        }
        Command::Select | Command::Expand | Command::Collapse => {
            return tree_open(app, cmd);
        }
        _ => {}
    }
    Vec::new()
}

fn load_logstores(app: &mut App, project: &str) -> Vec<Effect> {
    let id = app.pending.next_id();
    app.pending.logstores.retain(|(p, _)| p != project);
    app.pending.logstores.push((project.to_string(), id));
    if let Some(node) = app.tree.project_mut(project) {
        if node.logstores.loaded().is_none() {
            node.logstores = Load::Loading;
        }
    }
    vec![Effect::LoadLogstores {
        id,
        project: project.to_string(),
    }]
}

fn tree_open(app: &mut App, cmd: Command) -> Vec<Effect> {
    match app.tree.current() {
        Some(TreeRow::Project(pi)) => {
            let Some(node) = app.tree.project_node(pi).cloned() else {
                return Vec::new();
            };
            let expand = match cmd {
                Command::Expand => true,
                Command::Collapse => false,
                _ => !node.expanded,
            };
            let name = node.name.clone();
            if let Some(n) = app.tree.project_mut(&name) {
                n.expanded = expand;
            }
            app.tree.clamp();
            if expand && matches!(node.logstores, Load::NotLoaded | Load::Failed(_)) {
                return load_logstores(app, &name);
            }
            Vec::new()
        }
        Some(TreeRow::Logstore(pi, li)) => {
            if cmd == Command::Collapse {
                if let Some(name) = app.tree.project_name(pi).map(str::to_string) {
                    if let Some(n) = app.tree.project_mut(&name) {
                        n.expanded = false;
                    }
                    app.tree.cursor_to_project(pi);
                }
                return Vec::new();
            }
            let (Some(project), Some(logstore)) = (
                app.tree.project_name(pi).map(str::to_string),
                app.tree.logstore_name(pi, li).map(str::to_string),
            ) else {
                return Vec::new();
            };
            choose_logstore(app, Scope { project, logstore })
        }
        Some(TreeRow::ProjectStatus(pi)) => {
            let name = app.tree.project_name(pi).map(str::to_string);
            match name {
                Some(name) => load_logstores(app, &name),
                None => Vec::new(),
            }
        }
        None => Vec::new(),
    }
}

/// Scope the editor (and tail, send form) to a logstore.
pub fn choose_logstore(app: &mut App, scope: Scope) -> Vec<Effect> {
    app.editor.history = match &app.history_dir {
        Some(root) => History::load(History::path_for(
            root,
            &app.profile_name(),
            &scope.project,
            &scope.logstore,
        )),
        None => History::default(),
    };
    app.editor.history_pos = None;
    if app.editor.is_empty() {
        app.editor.set_text(&crate::tui::snippets::starter_query());
    }
    app.notify(NoticeLevel::Info, format!("editor scoped to {scope}"));
    app.scope = Some(scope);
    app.focus = Focus::Editor;
    if app.bottom == Bottom::Tail {
        return ensure_tail(app);
    }
    Vec::new()
}

fn editor_command(app: &mut App, cmd: Command) -> Vec<Effect> {
    match cmd {
        Command::Complete => {
            open_completion(app);
        }
        Command::CompleteOrNext if !open_completion(app) => focus_step(app, 1),
        Command::HistoryPrev if !app.editor.browse_history(-1) => {
            app.notify(NoticeLevel::Info, "no older query in history");
        }
        Command::HistoryNext => {
            app.editor.browse_history(1);
        }
        Command::ClearEditor => app.editor.set_text(""),
        _ => {}
    }
    Vec::new()
}

fn grid_command(app: &mut App, cmd: Command) -> Vec<Effect> {
    let g = &mut app.grid;
    let page = g.height.max(1) as isize;
    match cmd {
        Command::Up => g.move_rows(-1),
        Command::Down => g.move_rows(1),
        Command::PageUp => g.move_rows(-page),
        Command::PageDown => g.move_rows(page),
        Command::First => g.move_to_row(0),
        Command::Last => g.move_to_row(usize::MAX),
        Command::Left => g.move_cols(-1),
        Command::Right => g.move_cols(1),
        Command::Sort => g.cycle_sort(),
        Command::Filter => g.filtering = true,
        Command::Widen => g.adjust_width(2),
        Command::Narrow => g.adjust_width(-2),
        Command::CopyCell | Command::CopyRow => return copy(app, cmd == Command::CopyRow),
        Command::Export => {
            if app.grid.result.is_none() {
                app.notify(NoticeLevel::Warning, "no rows to export: run a query first");
            } else {
                app.picker = Some(Picker {
                    kind: PickerKind::Export,
                    title: format!("Export {} fetched rows as", app.grid.view.len()),
                    items: ExportFormat::ALL
                        .into_iter()
                        .map(|f| (f.label().to_string(), f.extension().to_string()))
                        .collect(),
                    selected: 0,
                });
            }
        }
        Command::OpenDetail => app.focus = Focus::Detail,
        _ => {}
    }
    sync_detail(app)
}

fn copy(app: &mut App, whole_row: bool) -> Vec<Effect> {
    let (Some(result), Some(row)) = (app.grid.result.clone(), app.grid.selected_row()) else {
        app.notify(NoticeLevel::Warning, "nothing to copy");
        return Vec::new();
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
            .get(app.grid.col)
            .map_or("cell".to_string(), |c| c.name.clone());
        (
            format!("cell {name}"),
            result.display(row, app.grid.col).into_owned(),
        )
    };
    vec![Effect::Copy { what, text }]
}

fn on_paste(app: &mut App, text: &str) -> Vec<Effect> {
    match app.focus {
        Focus::Editor => {
            app.editor
                .textarea
                .insert_str(text.replace("\r\n", "\n").replace('\r', "\n"));
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

fn on_mouse(app: &mut App, m: MouseEvent) -> Vec<Effect> {
    let panes = layout::compute(app);
    let at = Position::new(m.column, m.row);
    let inside = |r: Rect| r.contains(at);
    let target = [
        (panes.tree, Focus::Tree),
        (panes.editor, Focus::Editor),
        (panes.results, Focus::Results),
        (panes.detail, Focus::Detail),
    ]
    .into_iter()
    .find(|(r, _)| inside(*r));
    let Some((rect, pane)) = target else {
        return Vec::new();
    };
    match m.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            app.focus = pane;
            let inner_row = m.row.saturating_sub(rect.y + 1) as usize;
            match pane {
                Focus::Tree => app.tree.move_to(app.tree.offset + inner_row),
                // Two header lines (names, types) above the rows.
                Focus::Results if app.bottom == Bottom::Grid && inner_row >= 2 => {
                    app.grid.move_to_row(app.grid.offset + inner_row - 2);
                    return sync_detail(app);
                }
                _ => {}
            }
        }
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let d = if m.kind == MouseEventKind::ScrollDown {
                3
            } else {
                -3
            };
            match pane {
                Focus::Tree => app.tree.move_by(d),
                Focus::Results if app.bottom == Bottom::Grid => {
                    app.grid.move_rows(d);
                    return sync_detail(app);
                }
                Focus::Results | Focus::Detail => {
                    let code = if d > 0 { KeyCode::Down } else { KeyCode::Up };
                    for _ in 0..d.abs() {
                        let key = KeyEvent::new(code, KeyModifiers::NONE);
                        if pane == Focus::Detail {
                            app.detail.handle_key(key);
                        } else {
                            app.tail.handle_key(key);
                        }
                    }
                }
                _ => {}
            }
        }
        _ => {}
    }
    Vec::new()
}

/// The ref_id of the selected grid row, for the detail pane.
pub fn selected_ref_id(app: &App) -> Option<String> {
    let result = app.grid.result.as_ref()?;
    row_ref_id(result, app.grid.selected_row()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_parsing() {
        assert_eq!(sql_limit("SELECT 1 LIMIT 100"), Some(100));
        assert_eq!(sql_limit("select 1 limit 5, 20"), Some(20));
        assert_eq!(sql_limit("SELECT 1"), None);
    }
}
