//! Watches of tabs that are not shown: each goes on at its own interval
//! (the shown tab's is `watch_tick`). Its query runs in that tab, so the
//! answer lands there (`tabs::in_background`) and replaces its rows in
//! place; the strip marks the tab until it is shown.

use super::*;
use crate::tui::watch::WatchDue;

/// One tick for every hidden tab's watch. A hidden tab is never "being
/// edited" (the editor shows the shown tab's text), so only its own query
/// in flight holds a refresh back.
pub(super) fn hidden_tabs_tick(app: &mut App) -> Vec<Effect> {
    let now = app.tick;
    let mut effects = Vec::new();
    for i in 0..app.tabs.len() {
        if i == app.tabs.active {
            continue;
        }
        let Some(parked) = app.tabs.tabs[i].parked.as_mut() else {
            continue;
        };
        let busy = parked.query.running.is_some();
        if parked.watch.tick(now, busy, false) != WatchDue::Run {
            continue;
        }
        let what = parked
            .grid
            .run
            .as_ref()
            .map(|r| r.sql.clone())
            .zip(parked.result_scope.clone());
        match what {
            Some((sql, scope)) => effects.extend(super::query::start_refresh(
                &mut app.pending,
                &mut parked.query,
                scope,
                sql,
            )),
            // Nothing to run (the tab's result is gone): the watch ends.
            None => parked.watch.stop(),
        }
    }
    effects
}
