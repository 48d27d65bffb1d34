//! Running a query: what to run, superseding and cancelling, and whether
//! the answer stopped at its LIMIT.

use super::*;

pub(super) fn run_query(app: &mut App) -> Vec<Effect> {
    let Some(scope) = app.scope.clone() else {
        app.notify(NoticeLevel::Warning, "choose a logstore in the tree first");
        return Vec::new();
    };
    let Some(sql) = app.editor.sql_to_run() else {
        app.notify(NoticeLevel::Warning, "nothing to run: the editor is empty");
        return Vec::new();
    };
    run_sql(app, scope, sql, RunKind::User)
}

/// A watch refresh of `sql` on `scope` for the tab whose query state is
/// `query` (the shown tab's or a hidden one's). A refresh is quiet: no
/// history entry, no warnings again, and the tail (if shown) stays; the
/// grid takes the rows when they come.
pub(super) fn start_refresh(
    pending: &mut crate::tui::app::Pending,
    query: &mut QueryState,
    scope: Scope,
    sql: String,
) -> Vec<Effect> {
    let mut effects = Vec::new();
    if let Some(old) = query.running.take() {
        effects.push(Effect::Abort(old.id));
    }
    let id = pending.next_id();
    query.running = Some(RunningQuery {
        id,
        started: std::time::Instant::now(),
        sql: sql.clone(),
        scope: scope.clone(),
        kind: RunKind::Refresh,
    });
    effects.push(Effect::RunQuery { id, scope, sql });
    effects
}

/// Start `sql` on `scope`: the one place a query is started (F5, a
/// drill-down, a watch refresh).
pub(super) fn run_sql(app: &mut App, scope: Scope, sql: String, kind: RunKind) -> Vec<Effect> {
    let mut effects = Vec::new();
    if kind == RunKind::Refresh {
        return start_refresh(&mut app.pending, &mut app.query, scope, sql);
    }
    // The run's progress, its error and its rows show in the results slot:
    // a live tail there would hide all three (the tail keeps running and
    // F4 brings it back).
    if app.bottom == Bottom::Tail {
        app.bottom = Bottom::Grid;
    }
    if let Some(old) = app.query.running.take() {
        effects.push(Effect::Abort(old.id));
    }
    if sql.chars().count() > LONG_SQL_CHARS {
        app.notify(
            NoticeLevel::Warning,
            format!("this query is over {LONG_SQL_CHARS} characters: Cloudflare may reject it"),
        );
    }
    if let Some(warning) = crate::tui::editor::sampling::count_warning(&sql) {
        app.notify(NoticeLevel::Warning, warning);
    }
    if app.editor.history.push(&sql) {
        if let Some(file) = app.editor.history.file.clone() {
            effects.push(Effect::SaveHistory {
                file,
                entries: app.editor.history.lines(),
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
            kind,
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
pub(super) fn sql_limit(sql: &str) -> Option<u64> {
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
