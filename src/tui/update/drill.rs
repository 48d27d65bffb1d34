//! Drill-down from a grid cell (`col = value` / `col != value` added to the
//! WHERE of the statement that produced the grid, written into the editor
//! and run) and going back to the result before.

use super::*;
use crate::tui::app::{PastResult, RunKind, MAX_PAST_RESULTS};
use crate::tui::editor::drill::{self, Op};

/// What a drill, pivot or narrowing starts from: the grid's selected row
/// with the result, statement and scope that produced it.
pub(super) struct SelectedRow {
    pub result: std::sync::Arc<crate::client::QueryResult>,
    pub row: usize,
    pub run: crate::tui::grid::RunInfo,
    pub scope: Scope,
}

/// The time of `row`: the selected cell's when its column holds times,
/// else the row's first time column.
pub(super) fn row_time(
    app: &App,
    result: &crate::client::QueryResult,
    row: usize,
) -> Option<chrono::DateTime<chrono::Utc>> {
    let cols = result.columns();
    let col = cols
        .get(app.grid.col)
        .filter(|c| c.is_time())
        .map(|_| app.grid.col)
        .or_else(|| cols.iter().position(|c| c.is_time()))?;
    result.get_datetime(row, col)
}

/// The selected row, or `None` after telling the user `missing`.
pub(super) fn selected_row(app: &mut App, missing: &str) -> Option<SelectedRow> {
    let (Some(result), Some(row), Some(run), Some(scope)) = (
        app.grid.result.clone(),
        app.grid.selected_row(),
        app.grid.run.clone(),
        app.result_scope.clone(),
    ) else {
        app.notify(NoticeLevel::Warning, missing);
        return None;
    };
    Some(SelectedRow {
        result,
        row,
        run,
        scope,
    })
}

/// The selected column when a condition on it means something: not an
/// aggregate of the statement (its value is of a group, not of rows).
fn plain_column(
    app: &mut App,
    result: &crate::client::QueryResult,
    sql: &str,
) -> Option<crate::client::Column> {
    let column = result.columns().get(app.grid.col).cloned()?;
    if drill::is_aggregate_column(sql, &column.name) {
        app.notify(
            NoticeLevel::Warning,
            drill::DrillError::Aggregate(column.name).to_string(),
        );
        return None;
    }
    Some(column)
}

/// Narrow the grid's query to (or away from) the selected cell's value.
pub(super) fn drill_down(app: &mut App, op: Op) -> Vec<Effect> {
    let Some(SelectedRow {
        result,
        row,
        run,
        scope,
    }) = selected_row(app, "no cell to drill into: run a query first")
    else {
        return Vec::new();
    };
    let Some(column) = plain_column(app, &result, &run.sql) else {
        return Vec::new();
    };
    let narrowed = drill::condition(&column, result.cell(row, app.grid.col), op)
        .and_then(|cond| drill::add_condition(&run.sql, &cond));
    let sql = match narrowed {
        Ok(sql) => sql,
        Err(e) => {
            app.notify(NoticeLevel::Warning, format!("cannot drill down: {e}"));
            return Vec::new();
        }
    };
    // Written where the statement is, so it is seen and Ctrl-Z takes it back.
    app.editor.replace_statement(&run.sql, &sql);
    run_sql(app, scope, sql, RunKind::User)
}

/// Every row of the logstore with the selected cell's value (a request id,
/// a user id): a new statement below the others in the editor, run; the
/// result it replaces can be gone back to.
pub(super) fn pivot(app: &mut App) -> Vec<Effect> {
    let Some(SelectedRow {
        result,
        row,
        run,
        scope,
    }) = selected_row(app, "no cell to pivot on: run a query first")
    else {
        return Vec::new();
    };
    let Some(column) = plain_column(app, &result, &run.sql) else {
        return Vec::new();
    };
    // SELECT * has no aliases: compare what the alias stands for.
    let expr =
        drill::column_expression(&run.sql, &column.name).unwrap_or_else(|| column.name.clone());
    let cond = match drill::condition_on(&expr, &column, result.cell(row, app.grid.col), Op::Eq) {
        Ok(c) => c,
        Err(e) => {
            app.notify(NoticeLevel::Warning, format!("cannot pivot: {e}"));
            return Vec::new();
        }
    };
    let sql = super::time::with_range(app, &drill::pivot_statement(&cond));
    // Not found in the text, so it is added below it.
    app.editor.replace_statement(&sql, &sql);
    run_sql(app, scope, sql, RunKind::User)
}

/// Keep the grid's result to come back to before a new one replaces it.
pub(super) fn remember_result(app: &mut App) {
    let (Some(result), Some(run), Some(scope)) = (
        app.grid.result.clone(),
        app.grid.run.clone(),
        app.result_scope.clone(),
    ) else {
        return;
    };
    if app.past.len() == MAX_PAST_RESULTS {
        app.past.remove(0);
    }
    app.past.push(PastResult {
        sql: run.sql.clone(),
        scope,
        result,
        run,
    });
}

/// Show the previous result again, and put its query back in the editor
/// where the current one is written.
pub(super) fn go_back(app: &mut App) -> Vec<Effect> {
    let Some(past) = app.past.pop() else {
        app.notify(NoticeLevel::Info, "no earlier result to go back to");
        return Vec::new();
    };
    let mut effects = Vec::new();
    if let Some(running) = app.query.running.take() {
        effects.push(Effect::Abort(running.id));
    }
    app.query.error = None;
    // The earlier statement is shown again: where it still is (a pivot
    // added a statement of its own), else in place of the current one (a
    // drill-down rewrote it).
    if !app.editor.cursor_to_statement(&past.sql) {
        let current = app.grid.run.as_ref().map(|r| r.sql.clone());
        match current {
            Some(current) => {
                app.editor.replace_statement(&current, &past.sql);
            }
            None => {
                app.editor.replace_statement(&past.sql, &past.sql);
            }
        }
    }
    app.grid.set_result_keeping_column(past.result, past.run);
    app.result_scope = Some(past.scope);
    let labels = app.result_names().clone();
    app.grid.fit_labels(&labels);
    refresh_chart(app);
    effects.extend(sync_detail(app));
    effects
}
