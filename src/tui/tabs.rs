//! Result tabs: several results open at once, each with the SQL that made
//! it, the logstore it ran on, when it ran, and an editor buffer of its own.
//!
//! The shown tab's state lives where it always has (`App::grid`,
//! `result_scope`, `past`, `watch`, `query`, the text of `App::editor`), so
//! every pane keeps reading it as before; a tab that is not shown holds its
//! own in a [`Parked`]. Switching swaps the two. So the editor's text, the
//! drill-back history, the watch and a query in flight belong to the tab
//! they were started in. A watch goes on while its tab is not shown (see
//! `update::watch`): its rows are replaced in place and the strip marks the
//! tab as updated until it is shown.

use crate::tui::app::{App, PastResult, QueryState, Scope};
use crate::tui::editor::EditorBuffer;
use crate::tui::grid::GridState;
use crate::tui::watch::WatchState;

/// Tabs open at most (Alt-1..9 reach them all).
pub const MAX_TABS: usize = 9;

/// What a tab owns while another one is shown.
#[derive(Debug, Default)]
pub struct Parked {
    pub grid: GridState,
    pub result_scope: Option<Scope>,
    pub past: Vec<PastResult>,
    pub watch: WatchState,
    pub query: QueryState,
    /// Its editor text, cursor and undo steps.
    pub editor: EditorBuffer,
}

/// One tab: what it runs, where, and when it last ran.
#[derive(Debug, Default)]
pub struct Tab {
    /// The statement of the tab's result (or, restored from the last
    /// session and not run yet, the one it will run).
    pub sql: Option<String>,
    pub scope: Option<Scope>,
    /// When its result arrived (None: never run in this session).
    pub ran_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Its state while not shown; None for the shown tab.
    pub parked: Option<Parked>,
    /// A watch refreshed its rows while it was not shown (cleared when it
    /// is shown): the strip marks it.
    pub updated: bool,
}

#[derive(Debug)]
pub struct Tabs {
    /// Never empty.
    pub tabs: Vec<Tab>,
    pub active: usize,
}

impl Default for Tabs {
    fn default() -> Self {
        Self {
            tabs: vec![Tab::default()],
            active: 0,
        }
    }
}

impl Tabs {
    pub fn len(&self) -> usize {
        self.tabs.len()
    }

    pub fn current(&self) -> &Tab {
        &self.tabs[self.active.min(self.tabs.len() - 1)]
    }

    pub fn current_mut(&mut self) -> &mut Tab {
        let i = self.active.min(self.tabs.len() - 1);
        &mut self.tabs[i]
    }

    /// Whether tab `i` is watched (the shown tab's watch is `App::watch`).
    pub fn watching(&self, i: usize, shown: &WatchState) -> bool {
        if i == self.active {
            return shown.is_on();
        }
        self.tabs
            .get(i)
            .and_then(|t| t.parked.as_ref())
            .is_some_and(|p| p.watch.is_on())
    }

    /// The tab whose query in flight has this id (the shown tab's is in
    /// `App::query`, not here).
    pub fn parked_running(&self, id: crate::tui::action::RequestId) -> Option<usize> {
        self.tabs.iter().position(|t| {
            t.parked
                .as_ref()
                .and_then(|p| p.query.running.as_ref())
                .is_some_and(|r| r.id == id)
        })
    }
}

/// Take the shown tab's state out of the app.
fn park(app: &mut App) -> Parked {
    let mut editor = EditorBuffer::default();
    app.editor.swap_buffer(&mut editor);
    Parked {
        grid: std::mem::take(&mut app.grid),
        result_scope: app.result_scope.take(),
        past: std::mem::take(&mut app.past),
        watch: std::mem::take(&mut app.watch),
        query: std::mem::take(&mut app.query),
        editor,
    }
}

fn unpark(app: &mut App, mut p: Parked) {
    app.grid = p.grid;
    app.result_scope = p.result_scope;
    app.past = p.past;
    app.watch = p.watch;
    app.query = p.query;
    app.editor.swap_buffer(&mut p.editor);
}

/// Show tab `i` (the shown one is parked). Panes derived from the grid
/// (chart, detail, viewport sizes) are left to the caller to refresh.
pub fn switch_to(app: &mut App, i: usize) -> bool {
    if i >= app.tabs.len() || i == app.tabs.active {
        return false;
    }
    let parked = park(app);
    let old = app.tabs.active;
    app.tabs.tabs[old].parked = Some(parked);
    app.tabs.active = i;
    app.tabs.tabs[i].updated = false;
    let next = app.tabs.tabs[i].parked.take().unwrap_or_default();
    unpark(app, next);
    true
}

/// A new tab after the shown one, shown; it starts as a copy of the shown
/// tab (the result is shared, not copied), so drilling down in it keeps
/// the original one tab away. False when [`MAX_TABS`] are open.
pub fn open_copy(app: &mut App) -> bool {
    if app.tabs.len() >= MAX_TABS {
        return false;
    }
    let copy = Parked {
        grid: app.grid.clone(),
        result_scope: app.result_scope.clone(),
        past: Vec::new(),
        watch: WatchState {
            every_secs: app.watch.every_secs,
            ..WatchState::default()
        },
        query: QueryState::default(),
        editor: app.editor.buffer_copy(),
    };
    let current = app.tabs.current();
    let tab = Tab {
        sql: current.sql.clone(),
        scope: current.scope.clone(),
        ran_at: current.ran_at,
        parked: Some(copy),
        updated: false,
    };
    let at = app.tabs.active + 1;
    app.tabs.tabs.insert(at, tab);
    // The shown tab moves to the parked slot of its own entry.
    let parked = park(app);
    app.tabs.tabs[at - 1].parked = Some(parked);
    app.tabs.active = at;
    let next = app.tabs.tabs[at].parked.take().unwrap_or_default();
    unpark(app, next);
    true
}

/// Close the shown tab: its result, history, watch and editor text are
/// dropped (memory is freed once nothing else shares the rows). The last
/// tab is emptied instead, but keeps its editor text (there is no other
/// to show, and typed SQL is not lost to a stray key). Returns the id of
/// its query in flight, to abort.
pub fn close_current(app: &mut App) -> Option<crate::tui::action::RequestId> {
    let mut closed = park(app);
    let running = closed.query.running.as_ref().map(|r| r.id);
    if app.tabs.len() == 1 {
        app.editor.swap_buffer(&mut closed.editor);
        app.tabs.tabs[0] = Tab::default();
        return running;
    }
    drop(closed);
    app.tabs.tabs.remove(app.tabs.active);
    let i = app.tabs.active.min(app.tabs.len() - 1);
    app.tabs.active = i;
    let next = app.tabs.tabs[i].parked.take().unwrap_or_default();
    unpark(app, next);
    running
}

/// A result arrived in the shown tab: it now stands for that statement.
pub fn ran(app: &mut App, sql: &str, scope: &Scope, at: chrono::DateTime<chrono::Utc>) {
    let tab = app.tabs.current_mut();
    tab.sql = Some(sql.to_string());
    tab.scope = Some(scope.clone());
    tab.ran_at = Some(at);
}

/// Marks after a tab's number on the strip: watched, refreshed while not
/// shown.
pub const WATCH_MARK: &str = "⟳";
pub const UPDATED_MARK: &str = "•";

/// The marks of tab `i`: "⟳" while watched, "•" when a refresh landed
/// since it was last shown.
pub fn marks(app: &App, i: usize) -> String {
    let mut m = String::new();
    if app.tabs.watching(i, &app.watch) {
        m.push_str(WATCH_MARK);
    }
    if app.tabs.tabs.get(i).is_some_and(|t| t.updated) {
        m.push_str(UPDATED_MARK);
    }
    m
}

/// The short label of a tab on the strip: its number and marks, logstore
/// and the start of its statement, cut to `width` columns by the renderer.
pub fn label(i: usize, tab: &Tab, marks: &str) -> String {
    let store = tab.scope.as_ref().map_or("new", |s| s.logstore.as_str());
    let sql = one_line(tab.sql.as_deref().unwrap_or(""));
    if sql.is_empty() {
        format!("{}{marks} {store}", i + 1)
    } else {
        format!("{}{marks} {store}: {sql}", i + 1)
    }
}

/// The label when there is no room for the statement.
pub fn short_label(i: usize, tab: &Tab, marks: &str) -> String {
    let store = tab.scope.as_ref().map_or("new", |s| s.logstore.as_str());
    format!("{}{marks} {store}", i + 1)
}

/// A statement on one line, as the strip shows it.
pub fn one_line(sql: &str) -> String {
    sql.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Tabs {
    /// Where tab `i`'s statement (on one line) first differs from the
    /// most alike statement of another tab on the same logstore, as the
    /// byte offset of the first word that differs (its last word when the
    /// other goes on where it ends); None when no other tab's starts the
    /// same, or when it is the very same statement (nothing in it tells
    /// the two apart).
    pub fn differs_at(&self, i: usize) -> Option<usize> {
        let tab = self.tabs.get(i)?;
        let sql = one_line(tab.sql.as_deref()?);
        let last_word = sql.rfind(' ').map_or(0, |k| k + 1);
        let mut furthest = 0;
        for (j, other) in self.tabs.iter().enumerate() {
            let Some(other_sql) = other.sql.as_deref().filter(|_| j != i) else {
                continue;
            };
            let other_sql = one_line(other_sql);
            if other.scope != tab.scope || other_sql == sql {
                continue;
            }
            // One starts as the other: where the shorter one ends.
            let ends = if other_sql.len() < sql.len() {
                other_sql.len()
            } else {
                last_word
            };
            let differs = sql
                .char_indices()
                .zip(other_sql.chars())
                .find(|((_, a), b)| a != b)
                .map_or(ends, |((at, _), _)| at);
            furthest = furthest.max(differs);
        }
        // From the start of the word the difference is in.
        let word = sql[..furthest].rfind(' ').map_or(0, |k| k + 1);
        let word = if sql[furthest..].starts_with(' ') {
            furthest + 1
        } else {
            word
        };
        (word > 0).then_some(word)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::app::ConnectionInfo;
    use crate::tui::keymap::Keymap;
    use crate::tui::theme::Theme;

    fn app() -> App {
        App::new(
            ConnectionInfo {
                place: "local".into(),
                profile: None,
                embedded: true,
            },
            Keymap::defaults(),
            Theme::monochrome(),
        )
    }

    #[test]
    fn switching_swaps_each_tabs_own_state() {
        let mut a = app();
        a.grid.filter = "one".into();
        assert!(open_copy(&mut a));
        assert_eq!(a.tabs.active, 1);
        assert_eq!(a.grid.filter, "one", "a copy starts where the tab was");
        a.grid.filter = "two".into();
        assert!(switch_to(&mut a, 0));
        assert_eq!(a.grid.filter, "one");
        assert!(switch_to(&mut a, 1));
        assert_eq!(a.grid.filter, "two");
        assert!(!switch_to(&mut a, 5));
    }

    #[test]
    fn closing_shows_a_neighbour_and_the_last_tab_is_emptied() {
        let mut a = app();
        a.grid.filter = "one".into();
        open_copy(&mut a);
        a.grid.filter = "two".into();
        close_current(&mut a);
        assert_eq!((a.tabs.len(), a.tabs.active), (1, 0));
        assert_eq!(a.grid.filter, "one");
        close_current(&mut a);
        assert_eq!(a.tabs.len(), 1);
        assert_eq!(a.grid.filter, "");
    }

    #[test]
    fn each_tab_keeps_its_own_editor_text_cursor_and_undo() {
        let mut a = app();
        a.editor.set_text("SELECT 1");
        assert!(open_copy(&mut a));
        assert_eq!(a.editor.text(), "SELECT 1", "a copy starts with the text");
        assert!(!a.editor.undo(), "undo steps stay with their tab");
        a.editor.set_text("SELECT 2");
        assert!(switch_to(&mut a, 0));
        assert_eq!(a.editor.text(), "SELECT 1");
        assert!(a.editor.undo(), "tab 1's own step");
        assert_eq!(a.editor.text(), "");
        assert!(switch_to(&mut a, 1));
        assert_eq!(a.editor.text(), "SELECT 2");
        close_current(&mut a);
        assert_eq!(a.editor.text(), "", "tab 1 shown again, as it was left");
        a.editor.set_text("kept");
        close_current(&mut a);
        assert_eq!(a.editor.text(), "kept", "the last tab keeps its text");
    }

    #[test]
    fn at_most_nine() {
        let mut a = app();
        for _ in 1..MAX_TABS {
            assert!(open_copy(&mut a));
        }
        assert!(!open_copy(&mut a));
    }
}
