//! `update(&mut App, Action) -> Vec<Effect>`: the only place state changes.
//! No I/O here; what needs the outside world comes back as effects.

mod drill;
mod editor;
mod grid;
mod keys;
mod layout_save;
mod mouse;
mod names;
mod persist;
mod query;
mod raw_window;
mod tabs;
mod time;
mod tree;
mod watch;

pub use query::is_limit_reached;
pub use tree::choose_logstore;

use editor::editor_outcome;
use grid::{export, export_prompt_key, grid_outcome};
use keys::{on_key, on_paste};
use mouse::on_mouse;
use query::{run_query, run_sql};
use tree::tree_outcome;

use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::{Position, Rect};

use std::time::Instant;

use crate::tui::action::{Action, TaskError};
use crate::tui::app::{
    App, Bottom, ConnState, ExportPrompt, Focus, NoticeLevel, Picker, PickerKind, QueryState,
    RunKind, RunningQuery, Scope, TICKS_PER_SECOND,
};
use crate::tui::chart::{ChartOutcome, ChartState};
use crate::tui::detail::DetailOutcome;
use crate::tui::editor::completion::{self, CompletionState};
use crate::tui::editor::history::History;
use crate::tui::editor::EditorOutcome;
use crate::tui::editor::LONG_SQL_CHARS;
use crate::tui::effects::Effect;
use crate::tui::grid::export::ExportFormat;
use crate::tui::grid::{GridOutcome, RunInfo};
use crate::tui::keymap::{Command, Context};
use crate::tui::pane::Popup;
use crate::tui::send_form::{SendForm, SendOutcome};
use crate::tui::tail::TailOutcome;
use crate::tui::tree::{Load, TreeOutcome};
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
            if app.query.running.as_ref().is_none_or(|r| r.id != id) {
                if let Some(tab) = app.tabs.parked_running(id) {
                    let action = Action::QueryFinished {
                        id,
                        result,
                        elapsed,
                    };
                    return tabs::in_background(app, tab, action);
                }
            }
            let Some(running) = app.query.running.take_if(|r| r.id == id) else {
                return Vec::new();
            };
            match result {
                Ok(result) => {
                    app.conn_state = ConnState::Connected;
                    app.query.error = None;
                    let limit_reached = is_limit_reached(&result, &running.sql);
                    let run = RunInfo {
                        elapsed,
                        sql: running.sql,
                        limit_reached,
                    };
                    let mut effects = Vec::new();
                    match running.kind {
                        RunKind::User => {
                            effects.extend(persist::record_answer(
                                app,
                                &running.scope,
                                &run.sql,
                                result.len(),
                                elapsed,
                            ));
                            drill::remember_result(app);
                            app.grid.set_result_keeping_column(result, run);
                        }
                        RunKind::Refresh => app.grid.refresh_result(result, run),
                    }
                    if let Some(sql) = app.grid.run.as_ref().map(|r| r.sql.clone()) {
                        crate::tui::tabs::ran(app, &sql, &running.scope, chrono::Utc::now());
                    }
                    app.result_scope = Some(running.scope);
                    let labels = app.result_names().clone();
                    app.grid.fit_labels(&labels);
                    match running.kind {
                        RunKind::User => refresh_chart(app),
                        RunKind::Refresh => refresh_chart_keeping_bucket(app),
                    }
                    if app.bottom == Bottom::Tail && running.kind == RunKind::User {
                        app.bottom = Bottom::Grid;
                    }
                    if running.kind == RunKind::User {
                        effects.extend(persist::save_session(app));
                    }
                    effects.extend(sync_detail(app));
                    return effects;
                }
                Err(e) => {
                    if e.retryable {
                        connection_failed(app, &e, false);
                    }
                    app.query.error = Some(with_statement_hint(e.message));
                }
            }
            Vec::new()
        }
        Action::DetailLoaded { req_id, result } => {
            app.detail.on_payloads(req_id, result);
            Vec::new()
        }
        Action::Tail(msg) => {
            if msg.id == app.tail.id() {
                tail_connection(app, &msg.event);
            }
            app.tail
                .on_tail_msg(msg, Instant::now(), chrono::Utc::now().timestamp_millis());
            Vec::new()
        }
        Action::SendFinished { id, result } => {
            if app.send_id == Some(id) {
                app.send_id = None;
                let remote = !app.connection.embedded
                    && !crate::client::deployment::is_local(&app.connection.place);
                if let Some(form) = app.send_form_mut() {
                    form.on_sent_to(result.map_err(|e| e.message), remote);
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
        Action::CopyViaTerminal { what, text } => {
            // Terminals drop (or choke on) long OSC 52 sequences: say so
            // instead of sending one that silently copies nothing.
            if text.len() > crate::tui::terminal::OSC52_MAX_TEXT_BYTES {
                app.notify(
                    NoticeLevel::Warning,
                    format!(
                        "{what} is too large to copy through the terminal ({} KB; at most {} KB): \
                         export it with e instead",
                        text.len().div_ceil(1024),
                        crate::tui::terminal::OSC52_MAX_TEXT_BYTES / 1024
                    ),
                );
                return Vec::new();
            }
            vec![Effect::CopyOsc52 { what, text }]
        }
        Action::Copied { what, result } => {
            match result {
                Ok(via) => app.notify(NoticeLevel::Info, format!("copied {what} via {via}")),
                Err(e) => app.notify(NoticeLevel::Error, format!("could not copy {what}: {e}")),
            }
            Vec::new()
        }
    }
}

/// A second statement run as part of the first (no `;` or blank line
/// between them) fails at its SELECT: say how statements are told apart.
fn with_statement_hint(message: String) -> String {
    if message.contains("found: SELECT") || message.contains("found: WITH") {
        format!(
            "{message} (two statements? F5 runs the one under the cursor: end each with ; or leave a blank line between them)"
        )
    } else {
        message
    }
}

/// The first effects of a new app: load the projects.
pub fn start(app: &mut App) -> Vec<Effect> {
    apply_layout(app);
    load_projects(app)
}

pub(super) fn load_projects(app: &mut App) -> Vec<Effect> {
    let id = app.pending.next_id();
    app.pending.projects = Some(id);
    if app.tree.projects.loaded().is_none() {
        app.tree.projects = Load::Loading;
    }
    vec![Effect::LoadProjects { id }]
}

/// The live tail's reports say how the connection is, as queries' do: an
/// answer means connected, failed polls mean retrying, then down.
fn tail_connection(app: &mut App, event: &crate::tui::tail::TailEvent) {
    use crate::tui::tail::TailEvent;
    match event {
        TailEvent::Entries(_) => app.conn_state = ConnState::Connected,
        TailEvent::Retrying {
            message,
            attempt,
            retry_in,
        } => {
            let ticks = retry_in.as_millis() as u64 * TICKS_PER_SECOND / 1000;
            let (message, retry_at) = (message.clone(), app.tick + ticks.max(1));
            app.conn_state = if *attempt >= crate::tui::app::DOWN_AFTER_ATTEMPTS {
                ConnState::Down { message, retry_at }
            } else {
                ConnState::Failing { message, retry_at }
            };
        }
        TailEvent::Failed(message) => {
            app.conn_state = ConnState::Down {
                message: format!("live tail stopped: {message}"),
                retry_at: app.tick,
            }
        }
        TailEvent::Window { result: Ok(_), .. } => app.conn_state = ConnState::Connected,
        // A failed window says why in the tail pane; the next request
        // decides about the connection.
        TailEvent::Gaps(_) | TailEvent::Malformed(_) | TailEvent::Window { .. } => {}
    }
}

pub(super) fn connection_failed(app: &mut App, e: &TaskError, projects: bool) {
    if projects && app.tree.projects.loaded().is_none() {
        app.tree.projects = Load::Failed(e.message.clone());
    }
    if e.retryable {
        app.conn_state = ConnState::Failing {
            message: e.message.clone(),
            retry_at: app.tick + RETRY_SECONDS * TICKS_PER_SECOND,
        };
    } else if projects {
        // Not "connecting…" for ever: the status bar says what is wrong
        // until a refresh succeeds.
        app.conn_state = ConnState::Refused(e.message.clone());
    }
}

pub(super) fn on_tick(app: &mut App) -> Vec<Effect> {
    app.tick += 1;
    let (now, now_ms) = (Instant::now(), chrono::Utc::now().timestamp_millis());
    app.tail.tick(now, now_ms);
    let mut effects = Vec::new();
    let outcome = app.detail.tick(now, now_ms);
    effects.extend(detail_outcome(app, outcome));
    effects.extend(watch_tick(app));
    effects.extend(watch::hidden_tabs_tick(app));
    effects.extend(layout_save::tick(app));
    if app
        .notice
        .as_ref()
        .is_some_and(|n| n.until_tick <= app.tick)
    {
        app.notice = None;
    }
    if let ConnState::Failing { retry_at, .. } | ConnState::Down { retry_at, .. } = app.conn_state {
        if app.tick >= retry_at && app.pending.projects.is_none() {
            app.conn_state = ConnState::Connecting;
            effects.extend(load_projects(app));
        }
    }
    effects
}

/// Run the grid's query again when the watch is due.
fn watch_tick(app: &mut App) -> Vec<Effect> {
    let busy = app.query.running.is_some();
    let paused = app.watch_paused();
    if app.watch.tick(app.tick, busy, paused) != crate::tui::watch::WatchDue::Run {
        return Vec::new();
    }
    match (app.grid.run.clone(), app.result_scope.clone()) {
        (Some(run), Some(scope)) => run_sql(app, scope, run.sql, RunKind::Refresh),
        _ => {
            app.watch.stop();
            Vec::new()
        }
    }
}

/// Watch on/off, and its interval.
pub(super) fn watch_command(app: &mut App, cmd: Command) {
    match cmd {
        Command::Watch if !app.watch.is_on() && app.grid.run.is_none() => {
            app.notify(NoticeLevel::Warning, "nothing to watch: run a query first")
        }
        Command::Watch => {
            app.watch.toggle(app.tick);
            let text = if app.watch.is_on() {
                format!(
                    "watching: the query runs again every {} s (not while you edit)",
                    app.watch.every_secs
                )
            } else {
                "watch off".to_string()
            };
            app.notify(NoticeLevel::Info, text);
        }
        Command::WatchInterval => {
            app.watch.next_interval(app.tick);
            app.notify(
                NoticeLevel::Info,
                format!("watch interval {} s", app.watch.every_secs),
            );
        }
        _ => {}
    }
}

/// Act on what the detail pane asked for.
pub(super) fn detail_outcome(app: &mut App, outcome: DetailOutcome) -> Vec<Effect> {
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
pub(super) fn sync_detail(app: &mut App) -> Vec<Effect> {
    let (Some(result), Some(row)) = (app.grid.result.clone(), app.grid.selected_row()) else {
        app.detail.clear();
        return Vec::new();
    };
    // The rows on screen, through the view (sorted or filtered), are
    // prefetched with the selected one.
    let grid = &app.grid;
    let end = (grid.offset + grid.height).min(grid.view.len());
    let visible: Vec<usize> = grid.view[grid.offset.min(end)..end].to_vec();
    let place = crate::tui::detail::RowPlace {
        position: grid.row,
        shown: grid.view.len(),
    };
    let names = app.result_names().clone();
    app.detail.set_names(names);
    app.detail
        .show_row_at(&result, row, place, visible, Instant::now());
    Vec::new()
}

/// Start (or restart) the tail on the current scope when it is not already
/// tailing it.
pub(super) fn ensure_tail(app: &mut App) -> Vec<Effect> {
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
    let names = app.names_for(Some(&scope)).clone();
    app.tail.set_names(names);
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

/// Rebuild the chart from the grid's result while the chart view is open.
/// The line/bar choice and the series shown stay (a watch refresh, a
/// drill-down or a rename redraws the same chart with new data).
pub(super) fn refresh_chart(app: &mut App) {
    rebuild_chart(app, false);
}

/// As [`refresh_chart`], the bucket cursor staying on its bucket: a watch
/// refresh brings the same query's new rows.
fn refresh_chart_keeping_bucket(app: &mut App) {
    rebuild_chart(app, true);
}

fn rebuild_chart(app: &mut App, keep_bucket: bool) {
    let before = app.chart.take();
    app.chart = if app.bottom == Bottom::Chart {
        app.grid.result.as_deref().map(|r| {
            let mut chart = ChartState::from_result_named(r, app.result_names());
            if let Some(old) = &before {
                chart.kind = old.kind;
                chart.only = old.only.filter(|i| chart.series_count() > *i);
                if keep_bucket {
                    chart.keep_cursor_of(old);
                }
            }
            chart
        })
    } else {
        None
    };
}

pub(super) fn focus_step(app: &mut App, delta: isize) {
    let order = Focus::ORDER;
    let i = order.iter().position(|f| *f == app.focus).unwrap_or(0) as isize;
    let n = order.len() as isize;
    app.focus = order[((i + delta).rem_euclid(n)) as usize];
    app.editor.completion = None;
}

pub(super) fn command(app: &mut App, cmd: Command) -> Vec<Effect> {
    match cmd {
        Command::Quit => request_quit(app),
        Command::Help => app.open(Popup::Help(0)),
        Command::FocusNext => focus_step(app, 1),
        Command::FocusPrev => focus_step(app, -1),
        Command::FocusTree => app.focus = Focus::Tree,
        Command::FocusEditor => app.focus = Focus::Editor,
        Command::FocusGrid => app.focus = Focus::Results,
        Command::FocusDetail => app.focus = Focus::Detail,
        Command::RunQuery => return run_query(app),
        Command::Watch | Command::WatchInterval => watch_command(app, cmd),
        Command::TimeRange => time::open_picker(app),
        Command::TabNew
        | Command::TabNext
        | Command::TabPrev
        | Command::TabClose
        | Command::TabRerun
        | Command::GoTab(_) => return tabs::tab_command(app, cmd),
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
            Some(scope) => app.open(Popup::SendForm(SendForm::new(
                &scope.project,
                &scope.logstore,
            ))),
            None => app.notify(
                NoticeLevel::Info,
                "choose a logstore first, then send to it",
            ),
        },
        Command::History => persist::open_history(app),
        Command::SaveQuery => persist::open_save_prompt(app),
        Command::Snippets => {
            let mut items = crate::tui::snippets::snippets();
            items.extend(app.user_snippets.iter().cloned());
            // The logstore's own saved queries, after the bundled ones.
            items.extend(
                app.saved
                    .items
                    .iter()
                    .map(|q| (format!("saved: {}", q.name), q.sql.clone())),
            );
            app.open(Popup::Picker(Picker {
                kind: PickerKind::Snippets,
                title: "Starter queries".into(),
                items,
                selected: 0,
            }));
        }
        _ => return pane_command(app, cmd),
    }
    Vec::new()
}

/// Quitting would lose a query typed in the editor that never ran (what ran
/// is in F2 history; the starter query comes back by itself): the first
/// quit key says so, a second one within a few seconds quits.
pub(super) fn request_quit(app: &mut App) {
    let asked = app.quit_asked_until.is_some_and(|until| app.tick < until);
    // A kept session brings the editor's text back: nothing is lost.
    if asked || !editor_has_unrun_text(app) || app.session_path.is_some() {
        app.should_quit = true;
        return;
    }
    app.quit_asked_until = Some(app.tick + 5 * TICKS_PER_SECOND);
    app.notify(
        NoticeLevel::Warning,
        "the editor's query never ran (F2 history lacks it): Ctrl-C again quits",
    );
}

/// Whether any tab's editor buffer (the shown one or a hidden tab's) holds
/// a query that never ran.
fn editor_has_unrun_text(app: &App) -> bool {
    let unrun = |text: &str| {
        let text = text.trim();
        !text.is_empty()
            && text != crate::tui::snippets::starter_query().trim()
            && !app.editor.history.entries.iter().any(|q| q.trim() == text)
    };
    unrun(&app.editor.text())
        || app
            .tabs
            .tabs
            .iter()
            .filter_map(|t| t.parked.as_ref())
            .any(|p| unrun(&p.editor.text()))
}

/// Grow or shrink the focused pane from the size it has on screen (the
/// stored size may be larger than a narrow screen allows); when it cannot
/// change, say why instead of doing nothing.
pub(super) fn resize_pane(app: &mut App, delta: i16) {
    let zoom_key = app
        .keymap
        .key_for(Context::Normal, Command::Zoom)
        .map_or_else(|| "zoom".to_string(), |k| k.to_string());
    if app.layout.zoomed {
        app.notify(
            NoticeLevel::Info,
            format!("a zoomed pane fills the screen; {zoom_key} unzooms"),
        );
        return;
    }
    let before = layout::compute(app);
    let step =
        |v: u16, d: i16, min: u16, max: u16| (v as i16 + d).clamp(min as i16, max as i16) as u16;
    let w = app.size.0;
    let l = &mut app.layout;
    let name = match app.focus {
        Focus::Tree => {
            l.tree_width = step(before.tree.width, delta, 12, 60);
            "tree"
        }
        Focus::Detail => {
            // Kept as a share of the width, so it follows the terminal's size
            // and is what the next start restores (see `layout_store`).
            let cols = step(before.detail.width, delta, 1, w.max(1));
            let share = (u32::from(cols) * 1000).div_ceil(u32::from(w.max(1)));
            l.detail_share = Some(u16::try_from(share).unwrap_or(u16::MAX).clamp(
                crate::tui::layout_store::MIN_SHARE,
                crate::tui::layout_store::MAX_SHARE,
            ));
            "detail pane"
        }
        Focus::Editor => {
            l.editor_height = step(before.editor.height, delta / 2, 3, 40);
            "editor"
        }
        Focus::Results => {
            l.editor_height = step(before.editor.height, -delta / 2, 3, 40);
            "results pane"
        }
    };
    apply_layout(app);
    layout_save::changed(app);
    if layout::compute(app) == before {
        let way = if delta > 0 { "larger" } else { "smaller" };
        app.notify(
            NoticeLevel::Info,
            format!("the {name} cannot get {way} on this screen; {zoom_key} zooms it"),
        );
    }
}

pub(super) fn cancel(app: &mut App) -> Vec<Effect> {
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

/// A command the focused pane's table left to a fallback table (`normal`,
/// `global`) that is still the pane's own (e.g. `down` bound in
/// `[normal]`); in the chart, the grid's commands the chart's table leaves.
pub(super) fn pane_command(app: &mut App, cmd: Command) -> Vec<Effect> {
    match app.focus {
        Focus::Tree => {
            let outcome = app.tree.command(cmd);
            tree_outcome(app, outcome)
        }
        Focus::Editor => {
            let outcome = app.editor.command(cmd);
            editor_outcome(app, outcome).unwrap_or_default()
        }
        Focus::Results => match app.bottom {
            Bottom::Grid | Bottom::Chart => {
                let outcome = app.grid.command(cmd);
                // As after any grid command, the detail pane follows.
                grid_outcome(app, outcome).unwrap_or_else(|| sync_detail(app))
            }
            Bottom::Tail => Vec::new(),
        },
        Focus::Detail => Vec::new(),
    }
}
