//! Tab keys: open a copy of the shown tab, switch, close, run a tab's own
//! statement again. See `crate::tui::tabs` for what a tab owns.

use super::*;
use crate::tui::tabs::{self, MAX_TABS};

pub(super) fn tab_command(app: &mut App, cmd: Command) -> Vec<Effect> {
    let mut effects = Vec::new();
    match cmd {
        Command::TabNew => {
            if !tabs::open_copy(app) {
                app.notify(
                    NoticeLevel::Warning,
                    format!("{MAX_TABS} tabs are open: close one first"),
                );
                return effects;
            }
            app.notify(
                NoticeLevel::Info,
                format!(
                    "tab {} of {}: a copy of the tab before; F5 runs the editor's query here",
                    app.tabs.active + 1,
                    app.tabs.len()
                ),
            );
        }
        Command::TabNext | Command::TabPrev => {
            let n = app.tabs.len();
            if n < 2 {
                app.notify(NoticeLevel::Info, "one tab only: Ctrl-T opens another");
                return effects;
            }
            let step = if cmd == Command::TabNext { 1 } else { n - 1 };
            tabs::switch_to(app, (app.tabs.active + step) % n);
        }
        Command::GoTab(n) => {
            let i = usize::from(n).saturating_sub(1);
            if i >= app.tabs.len() {
                app.notify(NoticeLevel::Info, format!("no tab {n}"));
                return effects;
            }
            tabs::switch_to(app, i);
        }
        Command::TabClose => {
            if let Some(id) = tabs::close_current(app) {
                effects.push(Effect::Abort(id));
            }
        }
        Command::TabRerun => return rerun(app),
        _ => return effects,
    }
    effects.extend(shown(app));
    effects.extend(super::persist::save_session(app));
    effects
}

/// Run the shown tab's statement again on its own logstore (a tab restored
/// from the last session shows no rows until this).
fn rerun(app: &mut App) -> Vec<Effect> {
    let tab = app.tabs.current();
    let sql = app
        .grid
        .run
        .as_ref()
        .map(|r| r.sql.clone())
        .or_else(|| tab.sql.clone());
    let scope = app.result_scope.clone().or_else(|| tab.scope.clone());
    match (sql, scope) {
        (Some(sql), Some(scope)) => run_sql(app, scope, sql, RunKind::User),
        _ => {
            app.notify(
                NoticeLevel::Info,
                "this tab has no query yet: F5 runs the editor's",
            );
            Vec::new()
        }
    }
}

/// After a switch: size the grid for the pane, rebuild what derives from
/// it, and show its row in the detail pane.
pub(super) fn shown(app: &mut App) -> Vec<Effect> {
    apply_layout(app);
    refresh_chart(app);
    sync_detail(app)
}

/// An answer for a query started in a tab that is not shown (by the user
/// before switching away, or by the tab's watch): it lands in that tab,
/// which stays hidden and is marked as updated on the strip.
pub(super) fn in_background(app: &mut App, tab: usize, action: Action) -> Vec<Effect> {
    let shown = app.tabs.active;
    // What the screen shows beside the grid is the shown tab's: the hidden
    // tab's answer must not move the detail pane's row, cursor or fold,
    // nor the chart's cursor (a watch lands every few seconds).
    let bottom = app.bottom;
    let detail = std::mem::take(&mut app.detail);
    let chart = app.chart.take();
    let rows_came = matches!(&action, Action::QueryFinished { result: Ok(_), .. });
    tabs::switch_to(app, tab);
    // The session is written below, once the shown tab is back (written
    // from here it would record the hidden tab as the one shown).
    let is_session = |e: &Effect| {
        matches!(
            e,
            Effect::WritePrivate {
                what: "session",
                ..
            }
        )
    };
    let answered = update(app, action);
    // A watch's refresh changes nothing the session keeps: no write.
    let save = answered.iter().any(is_session);
    let mut effects: Vec<Effect> = answered.into_iter().filter(|e| !is_session(e)).collect();
    tabs::switch_to(app, shown);
    if let Some(t) = app.tabs.tabs.get_mut(tab) {
        t.updated |= rows_came;
    }
    // Answering may have left the tail for the grid: that was the hidden
    // tab's business, not the screen's.
    app.bottom = bottom;
    app.detail = detail;
    app.chart = chart;
    apply_layout(app);
    if save {
        effects.extend(super::persist::save_session(app));
    }
    effects
}

/// A click on the tab strip shows the tab under it.
pub(super) fn clicked(app: &mut App, strip: Rect, column: u16) -> Vec<Effect> {
    let layout = crate::tui::ui::tabs::layout(app, usize::from(strip.width));
    match layout.tab_at(usize::from(column.saturating_sub(strip.x))) {
        Some(i) if tabs::switch_to(app, i) => {
            let mut effects = shown(app);
            effects.extend(super::persist::save_session(app));
            effects
        }
        _ => Vec::new(),
    }
}
