//! Pivots to raw logs and from tail lines: the raw logs ±N minutes around
//! a grid row or a tail line (shown paused in the tail pane, see
//! `tail::window`; `+`/`-` widen or narrow the span, which the next window
//! keeps), every row with one of a tail line's column values (as the
//! grid's `p`), and going live again.

use super::*;
use crate::tui::editor::drill::{self, Op};
use crate::tui::tail::columns::{columns_of, ColumnValue};

/// What the tail pane asked of the host beyond its own state.
pub(super) fn tail_outcome(app: &mut App, outcome: TailOutcome) -> Vec<Effect> {
    match outcome {
        TailOutcome::RawAround(Some(at)) => match tail_scope(app) {
            Some(scope) => open_window(app, scope, at),
            None => Vec::new(),
        },
        TailOutcome::RawAround(None) => {
            app.notify(NoticeLevel::Warning, "this line has no time to look around");
            Vec::new()
        }
        TailOutcome::PivotOn(data) => {
            offer_pivot(app, &data);
            Vec::new()
        }
        TailOutcome::GoLive => go_live(app),
        TailOutcome::WindowSpan(wider) => change_span(app, wider),
        _ => Vec::new(),
    }
}

/// `a` in the grid: the raw logs around the selected row's time (the
/// selected cell's when it is a time, else the row's first time column).
pub(super) fn raw_around_row(app: &mut App) -> Vec<Effect> {
    let (Some(result), Some(row), Some(scope)) = (
        app.grid.result.clone(),
        app.grid.selected_row(),
        app.result_scope.clone(),
    ) else {
        app.notify(
            NoticeLevel::Warning,
            "no row to look around: run a query first",
        );
        return Vec::new();
    };
    match super::drill::row_time(app, &result, row) {
        Some(at) => open_window(app, scope, at.timestamp_millis()),
        None => {
            app.notify(NoticeLevel::Warning, "this row has no time to look around");
            Vec::new()
        }
    }
}

/// Show the raw logs of `scope` around `center_ms` in the tail pane; the
/// live tail stops until the user goes live again (F).
fn open_window(app: &mut App, scope: Scope, center_ms: i64) -> Vec<Effect> {
    let names = app.names_for(Some(&scope)).clone();
    app.tail.set_names(names);
    let minutes = app.raw_window_minutes;
    let id = app
        .tail
        .begin_window(&scope.project, &scope.logstore, center_ms, minutes);
    app.bottom = Bottom::Tail;
    app.focus = Focus::Results;
    vec![
        Effect::StopTail,
        Effect::FetchRawWindow {
            scope,
            id,
            center_ms,
            minutes,
        },
    ]
}

/// `+`/`-` in a raw-logs window: the same moment, the next wider or
/// narrower span (fetched again; the next window keeps it).
fn change_span(app: &mut App, wider: bool) -> Vec<Effect> {
    use crate::tui::tail::window;
    let shown = app.tail.window().map(|w| (w.center_ms, w.minutes));
    let (Some((center_ms, now)), Some(scope)) = (shown, tail_scope(app)) else {
        app.notify(
            NoticeLevel::Info,
            "+ and - change the span of raw logs around a row or line (a shows them)",
        );
        return Vec::new();
    };
    let next = if wider {
        window::wider(now)
    } else {
        window::narrower(now)
    };
    if next == now {
        let edge = if wider { "widest" } else { "narrowest" };
        app.notify(
            NoticeLevel::Info,
            format!("±{now} min is the {edge} span of raw logs"),
        );
        return Vec::new();
    }
    app.raw_window_minutes = next;
    open_window(app, scope, center_ms)
}

/// The logstore the tail pane shows.
fn tail_scope(app: &App) -> Option<Scope> {
    app.tail.source().map(|(project, logstore)| Scope {
        project: project.to_string(),
        logstore: logstore.to_string(),
    })
}

/// Leave a raw-logs window for the live tail of the chosen logstore.
fn go_live(app: &mut App) -> Vec<Effect> {
    app.tail.forget_source();
    ensure_tail(app)
}

/// Offer the line's column values; choosing one runs the pivot.
fn offer_pivot(app: &mut App, data: &serde_json::Value) {
    let Some(scope) = tail_scope(app) else {
        return;
    };
    let names = app.names_for(Some(&scope)).clone();
    let items: Vec<(String, String)> = columns_of(data)
        .iter()
        .filter_map(|c| Some((c.label(&names), pivot_condition(c).ok()?)))
        .collect();
    if items.is_empty() {
        app.notify(
            NoticeLevel::Info,
            "this line has no column to pivot on (only an event has a row; a log entry has none)",
        );
        return;
    }
    app.open(Popup::Picker(Picker {
        kind: PickerKind::TailPivot,
        title: "Every row with…".into(),
        items,
        selected: 0,
    }));
}

/// `column = value` for a WHERE, quoted as the grid's pivot quotes it.
fn pivot_condition(c: &ColumnValue) -> Result<String, drill::DrillError> {
    drill::condition(&c.column, Some(&c.cell), Op::Eq)
}

/// The chosen column: a new statement below the others, run against the
/// tail's logstore (within the logstore's time range, as `p` does).
pub(super) fn pivot_picked(app: &mut App, cond: &str) -> Vec<Effect> {
    let Some(scope) = tail_scope(app) else {
        return Vec::new();
    };
    let sql = super::time::with_range(app, &drill::pivot_statement(cond));
    app.editor.replace_statement(&sql, &sql);
    run_sql(app, scope, sql, RunKind::User)
}
