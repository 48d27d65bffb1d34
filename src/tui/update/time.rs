//! The time range: chosen from a picker (presets, or a custom from–to
//! typed in a prompt), kept per logstore, and written into the statement
//! under the cursor, which then runs.

use super::*;
use crate::tui::send_form::Input;
use crate::tui::timerange::{self, TimeRange, PRESETS};

/// What the picker's "custom" item carries as its value.
const CUSTOM: &str = "custom";

pub(super) fn open_picker(app: &mut App) {
    if app.scope.is_none() {
        app.notify(NoticeLevel::Warning, "choose a logstore in the tree first");
        return;
    }
    let current = app.time_range();
    let mut items: Vec<(String, String)> = PRESETS
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mark = if *r == current { "● " } else { "  " };
            let label = match r {
                TimeRange::All => "all time (no bound)".to_string(),
                r => format!("last {}", r.label()),
            };
            (format!("{mark}{label}"), i.to_string())
        })
        .collect();
    let custom_mark = if matches!(current, TimeRange::Between { .. }) {
        "● "
    } else {
        "  "
    };
    items.push((
        format!("{custom_mark}custom: from .. to"),
        CUSTOM.to_string(),
    ));
    let selected = PRESETS
        .iter()
        .position(|r| *r == current)
        .unwrap_or(PRESETS.len());
    app.open(Popup::Picker(Picker {
        kind: PickerKind::TimeRange,
        title: "Time range (written into WHERE)".into(),
        items,
        selected,
    }));
}

pub(super) fn picked(app: &mut App, value: &str) -> Vec<Effect> {
    if value == CUSTOM {
        let text = match app.time_range() {
            TimeRange::Between { from, to } => format!("{from} .. {to}"),
            _ => {
                let now = chrono::Utc::now();
                let fmt = "%Y-%m-%d %H:%M:%S";
                format!(
                    "{} .. {}",
                    (now - chrono::Duration::hours(1)).format(fmt),
                    now.format(fmt)
                )
            }
        };
        app.open(Popup::RangePrompt(Input::with(&text)));
        return Vec::new();
    }
    match value.parse::<usize>().ok().and_then(|i| PRESETS.get(i)) {
        Some(range) => set_range(app, range.clone()),
        None => Vec::new(),
    }
}

/// Keys while the custom range is typed: Enter applies, Esc cancels.
pub(super) fn prompt_key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
    let Some(Popup::RangePrompt(input)) = &mut app.popup else {
        return Vec::new();
    };
    match app.keymap.lookup(Context::Prompt, key) {
        Some(Command::Close | Command::Cancel) => app.close_popup(),
        Some(Command::Accept | Command::Select) => match TimeRange::parse_custom(&input.text) {
            Ok(range) => {
                app.close_popup();
                return set_range(app, range);
            }
            Err(e) => app.notify(NoticeLevel::Warning, e.to_string()),
        },
        _ => {
            input.handle(key);
        }
    }
    Vec::new()
}

/// Keep `range` for the scoped logstore, write it into the statement under
/// the cursor and run that.
pub(super) fn set_range(app: &mut App, range: TimeRange) -> Vec<Effect> {
    let Some(scope) = app.scope.clone() else {
        return Vec::new();
    };
    app.time_ranges.insert(scope.to_string(), range.clone());
    let Some(sql) = app.editor.sql_to_run() else {
        app.notify(NoticeLevel::Info, format!("time range {}", range.label()));
        return Vec::new();
    };
    match timerange::apply(&sql, &range) {
        Ok(bounded) => {
            app.editor.replace_statement(&sql, &bounded);
            run_sql(app, scope, bounded, RunKind::User)
        }
        Err(e) => {
            app.notify(
                NoticeLevel::Warning,
                format!("time range {} kept, but not written: {e}", range.label()),
            );
            Vec::new()
        }
    }
}

/// Minutes on each side of a row's time when narrowing to it.
pub const AROUND_MINUTES: i64 = 5;

/// Narrow the grid's query to the time of the selected row (±5 minutes):
/// the time of the selected cell when it is a time, else of the row's
/// first time column. Kept as the logstore's custom range.
pub(super) fn narrow_to_row(app: &mut App) -> Vec<Effect> {
    let Some(super::drill::SelectedRow {
        result,
        row,
        run,
        scope,
    }) = super::drill::selected_row(app, "no row to narrow to: run a query first")
    else {
        return Vec::new();
    };
    let Some(at) = super::drill::row_time(app, &result, row) else {
        app.notify(NoticeLevel::Warning, "this row has no time to narrow to");
        return Vec::new();
    };
    let around = chrono::Duration::minutes(AROUND_MINUTES);
    narrow_grid_query(app, scope, &run.sql, at - around, at + around)
}

/// Narrow the grid's query to a chart bucket, [from, to) in Unix seconds
/// (written as BETWEEN from AND to - 1 s: the dialect's times are whole
/// seconds).
pub(super) fn narrow_to_bucket(app: &mut App, from: i64, to: i64) -> Vec<Effect> {
    let (Some(run), Some(scope)) = (app.grid.run.clone(), app.result_scope.clone()) else {
        return Vec::new();
    };
    let at = |secs: i64| chrono::DateTime::<chrono::Utc>::from_timestamp(secs, 0);
    let (Some(a), Some(b)) = (at(from), at(to.saturating_sub(1).max(from))) else {
        app.notify(NoticeLevel::Warning, "that bucket has no usable time");
        return Vec::new();
    };
    narrow_grid_query(app, scope, &run.sql, a, b)
}

/// Keep [from, to] as the logstore's custom range and run the grid's
/// statement bounded by it.
fn narrow_grid_query(
    app: &mut App,
    scope: Scope,
    sql: &str,
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
) -> Vec<Effect> {
    let fmt = "%Y-%m-%d %H:%M:%S";
    let range = TimeRange::Between {
        from: from.format(fmt).to_string(),
        to: to.format(fmt).to_string(),
    };
    let run_sql_text = sql.to_string();
    app.time_ranges.insert(scope.to_string(), range.clone());
    match timerange::apply(&run_sql_text, &range) {
        Ok(bounded) => {
            app.editor.replace_statement(&run_sql_text, &bounded);
            run_sql(app, scope, bounded, RunKind::User)
        }
        Err(e) => {
            app.notify(NoticeLevel::Warning, format!("cannot narrow the time: {e}"));
            Vec::new()
        }
    }
}

/// A query (starter, snippet) with the scoped logstore's range written in;
/// unchanged when there is none or it cannot be written.
pub(super) fn with_range(app: &App, sql: &str) -> String {
    let range = app.time_range();
    if range == TimeRange::All {
        return sql.to_string();
    }
    timerange::apply(sql, &range).unwrap_or_else(|_| sql.to_string())
}
