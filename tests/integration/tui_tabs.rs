//! Result tabs (issue 12 item 5): open, switch, close, run again; each
//! tab keeps its own result, drill-back history, watch and query in
//! flight. update()-level tests with answers fed by hand, and TestBackend
//! snapshots of the tab strip.

use crate::tui_support;

use std::sync::Arc;
use std::time::Duration;

use aepipe::client::{Cell, Column, QueryResult};
use aepipe::tui::action::Action;
use aepipe::tui::app::{App, TICKS_PER_SECOND};
use aepipe::tui::effects::Effect;
use crossterm::event::KeyCode;
use tui_support::*;

fn snap(name: &str, app: &App) {
    let mut settings = snapshot_settings();
    settings.add_filter(r"ran \d\d:\d\d:\d\d UTC", "ran [time] UTC");
    settings.bind(|| insta::assert_snapshot!(name, screen(app)));
}

/// An app scoped to shop/api (answers fed by hand).
pub(crate) fn scoped(w: u16, h: u16) -> App {
    let mut app = new_app(w, h);
    aepipe::tui::update::start(&mut app);
    let projects = app.pending.projects.unwrap_or(1);
    press(
        &mut app,
        [Action::ProjectsLoaded {
            id: projects,
            result: Ok(vec!["shop".into()]),
        }],
    );
    let effects = press(&mut app, [key(KeyCode::Enter)]);
    let id = effects
        .iter()
        .find_map(|e| match e {
            Effect::LoadLogstores { id, .. } => Some(*id),
            _ => None,
        })
        .expect("logstores load");
    press(
        &mut app,
        [
            Action::LogstoresLoaded {
                id,
                project: "shop".into(),
                result: Ok(vec!["api".into()]),
            },
            key(KeyCode::Down),
            key(KeyCode::Enter),
        ],
    );
    app.notice = None;
    app
}

pub(crate) fn started(effects: &[Effect]) -> Option<(u64, String)> {
    effects.iter().find_map(|e| match e {
        Effect::RunQuery { id, sql, .. } => Some((*id, sql.clone())),
        _ => None,
    })
}

pub(crate) fn answer(app: &mut App, id: u64, result: Arc<QueryResult>) {
    press(
        app,
        [Action::QueryFinished {
            id,
            result: Ok(result),
            elapsed: Duration::from_millis(35),
        }],
    );
    app.notice = None;
}

/// `n` rows of one text column whose cells say `word`.
pub(crate) fn rows(word: &str, n: usize) -> Arc<QueryResult> {
    let cols = vec![Column {
        name: "blob6".into(),
        type_name: "String".into(),
    }];
    let data = (0..n)
        .map(|i| vec![Cell::Text(format!("{word}-{i}").into())])
        .collect();
    Arc::new(QueryResult::from_parts(cols, data))
}

/// Run `sql` from the editor (F5) and answer it.
pub(crate) fn run(app: &mut App, sql: &str, result: Arc<QueryResult>) {
    app.editor.set_text(sql);
    app.focus = aepipe::tui::app::Focus::Editor;
    let (id, got) = started(&press(app, [key(KeyCode::F(5))])).expect("runs");
    assert_eq!(got, sql);
    answer(app, id, result);
}

const ONE: &str = "SELECT blob6 FROM aepipe WHERE blob3 = 'one'";
const TWO: &str = "SELECT blob6 FROM aepipe WHERE blob3 = 'two'";

/// Two tabs: ONE in tab 1, TWO in tab 2 (shown).
fn two_tabs(w: u16, h: u16) -> App {
    let mut app = scoped(w, h);
    run(&mut app, ONE, rows("apple", 3));
    press(&mut app, [ctrl('t')]);
    assert_eq!((app.tabs.len(), app.tabs.active), (2, 1));
    run(&mut app, TWO, rows("pear", 2));
    app
}

#[test]
fn two_tabs_keep_their_own_results_and_switch() {
    let mut app = two_tabs(120, 30);
    let s = screen(&app);
    assert!(s.contains("pear-0") && !s.contains("apple-0"), "{s}");
    assert!(s.contains("1 api: SELECT blob6"), "tab strip:\n{s}");
    assert!(s.contains("2 api: SELECT blob6"), "tab strip:\n{s}");
    press(&mut app, [alt(KeyCode::Char('1'))]);
    assert_eq!(app.tabs.active, 0);
    let s = screen(&app);
    assert!(s.contains("apple-0") && !s.contains("pear-0"), "{s}");
    assert_eq!(app.grid.run.as_ref().map(|r| r.sql.as_str()), Some(ONE));
    // Next / previous go round.
    press(&mut app, [alt(KeyCode::Char('.'))]);
    assert_eq!(app.tabs.active, 1);
    press(&mut app, [alt(KeyCode::Char('.'))]);
    assert_eq!(app.tabs.active, 0);
    press(&mut app, [alt(KeyCode::Char(','))]);
    assert_eq!(app.tabs.active, 1);
    // A tab that is not there is said so.
    press(&mut app, [alt(KeyCode::Char('7'))]);
    assert_eq!(app.tabs.active, 1);
    assert!(screen(&app).contains("no tab 7"));
}

#[test]
fn tabs_whose_statements_start_the_same_show_where_they_differ() {
    let mut app = two_tabs(120, 30);
    let s = screen(&app);
    // Cut where the two differ, the labels would read the same.
    assert!(s.contains("1 api: SELECT blob6…'one'"), "tab strip:\n{s}");
    assert!(s.contains("2 api: SELECT blob6…'two'"), "tab strip:\n{s}");
    // Narrower labels, a statement that goes on after the one it starts
    // as: "…" after the word, and the shorter one shows how it ends.
    press(&mut app, [ctrl('t')]);
    run(&mut app, &format!("{ONE} LIMIT 5"), rows("fig", 1));
    let s = screen(&app);
    let strip = "1 api: SEL…'one'│2 api: SEL…'two'│3 api: SE…LIMIT…";
    assert!(s.contains(strip), "tab strip:\n{s}");

    // The very same statement in two tabs: nothing tells them apart but
    // their numbers; the labels stay as they were.
    let mut app = scoped(120, 30);
    run(&mut app, ONE, rows("apple", 3));
    press(&mut app, [ctrl('t')]);
    run(&mut app, ONE, rows("apple", 3));
    assert_eq!(
        (app.tabs.differs_at(0), app.tabs.differs_at(1)),
        (None, None)
    );
    let s = screen(&app);
    assert!(
        s.contains("1 api: SELECT blob6 FROM…│2 api: SELECT blob6 FROM…"),
        "tab strip:\n{s}"
    );
}

#[test]
fn one_tab_shows_no_strip() {
    let mut app = scoped(80, 24);
    run(&mut app, ONE, rows("apple", 3));
    assert_eq!(app.tabs.len(), 1);
    assert!(!screen(&app).contains("1 api:"), "{}", screen(&app));
}

#[test]
fn tab_strip_snapshots_wide_and_at_80_columns() {
    let mut app = two_tabs(120, 24);
    snap("tabs_two_at_120", &app);
    app.size = (80, 24);
    aepipe::tui::update::apply_layout(&mut app);
    for _ in 0..3 {
        press(&mut app, [ctrl('t')]);
    }
    app.notice = None;
    assert_eq!(app.tabs.len(), 5);
    snap("tabs_five_at_80", &app);
}

#[test]
fn an_answer_lands_in_the_tab_that_asked() {
    let mut app = scoped(120, 30);
    run(&mut app, ONE, rows("apple", 3));
    // Run TWO in tab 1, then open tab 2 before the answer comes.
    app.editor.set_text(TWO);
    let (id, _) = started(&press(&mut app, [key(KeyCode::F(5))])).expect("runs");
    press(&mut app, [ctrl('t')]);
    assert!(app.query.running.is_none(), "the query stays with tab 1");
    let dir = tempfile::tempdir().unwrap();
    app.session_path = Some(dir.path().join("s.json"));
    let effects = press(
        &mut app,
        [Action::QueryFinished {
            id,
            result: Ok(rows("pear", 2)),
            elapsed: Duration::from_millis(35),
        }],
    );
    app.notice = None;
    assert_eq!(app.tabs.active, 1, "the hidden tab stays hidden");
    let kept: Vec<&str> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::WritePrivate { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(kept[0].contains("\"active\": 1"), "{}", kept[0]);
    assert!(screen(&app).contains("apple-0"), "tab 2 is unchanged");
    press(&mut app, [alt(KeyCode::Char('1'))]);
    assert!(screen(&app).contains("pear-0"), "{}", screen(&app));
    assert_eq!(app.tabs.current().sql.as_deref(), Some(TWO));
}

#[test]
fn drill_back_history_belongs_to_its_tab() {
    let mut app = scoped(120, 30);
    run(&mut app, ONE, rows("apple", 3));
    press(&mut app, [ctrl('t')]);
    run(&mut app, TWO, rows("pear", 2));
    // Tab 2 replaced ONE with TWO: b goes back to ONE there.
    assert_eq!(app.past.len(), 1);
    press(&mut app, [alt(KeyCode::Char('1'))]);
    assert!(app.past.is_empty(), "tab 1 has nothing to go back to");
    app.focus = aepipe::tui::app::Focus::Results;
    press(&mut app, [key(KeyCode::Char('b'))]);
    assert!(screen(&app).contains("no earlier result"));
    press(&mut app, [alt(KeyCode::Char('2'))]);
    assert_eq!(app.past.len(), 1);
}

#[test]
fn a_watch_belongs_to_its_tab_and_goes_on_while_hidden() {
    let mut app = scoped(120, 30);
    run(&mut app, ONE, rows("apple", 3));
    app.focus = aepipe::tui::app::Focus::Results;
    press(&mut app, [key(KeyCode::Char('w'))]);
    assert!(app.watch.is_on());
    press(&mut app, [ctrl('t')]);
    assert!(!app.watch.is_on(), "the new tab is not watched");
    app.focus = aepipe::tui::app::Focus::Results;
    // The default interval, 10 s: tab 1's query runs again while tab 2
    // is shown (and tab 2's own query is not touched).
    let ticks = 10 * TICKS_PER_SECOND;
    let effects = press(&mut app, (0..ticks).map(|_| Action::Tick));
    let (id, sql) = started(&effects).expect("a hidden tab's watch runs");
    assert_eq!(sql, ONE);
    assert!(app.query.running.is_none(), "it runs in tab 1, not here");
    answer(&mut app, id, rows("plum", 4));
    assert_eq!(app.tabs.active, 1, "the shown tab stays");
    assert!(
        screen(&app).contains("apple-0"),
        "tab 2's rows are unchanged"
    );
    press(&mut app, [alt(KeyCode::Char('1'))]);
    assert!(app.watch.is_on());
    assert_eq!(app.watch.runs, 1);
    let s = screen(&app);
    assert!(s.contains("plum-3"), "refreshed in place:\n{s}");
}

#[test]
fn closing_a_tab_frees_its_result() {
    let mut app = scoped(120, 30);
    run(&mut app, ONE, rows("apple", 3));
    press(&mut app, [ctrl('t')]);
    let big = rows("pear", 1000);
    let weak = Arc::downgrade(&big);
    run(&mut app, TWO, big);
    // The copy shares tab 1's rows; tab 2's own are held by it alone
    // (and by its drill-back history).
    assert!(weak.upgrade().is_some());
    press(&mut app, [alt(KeyCode::Char('w'))]);
    assert_eq!(app.tabs.len(), 1);
    assert!(weak.upgrade().is_none(), "the closed tab's rows are freed");
    assert!(screen(&app).contains("apple-0"));
    // Closing the last tab empties it.
    press(&mut app, [alt(KeyCode::Char('w'))]);
    assert!(app.grid.result.is_none());
    assert_eq!(app.tabs.len(), 1);
}

#[test]
fn closing_a_tab_aborts_its_query() {
    let mut app = scoped(120, 30);
    press(&mut app, [ctrl('t')]);
    app.editor.set_text(ONE);
    let (id, _) = started(&press(&mut app, [key(KeyCode::F(5))])).expect("runs");
    let effects = press(&mut app, [alt(KeyCode::Char('w'))]);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Abort(i) if *i == id)),
        "{effects:?}"
    );
}

#[test]
fn a_tab_runs_its_own_query_again() {
    let mut app = two_tabs(120, 30);
    press(&mut app, [alt(KeyCode::Char('1'))]);
    app.editor.set_text("SELECT 'something else'");
    let (id, sql) = started(&press(&mut app, [alt(KeyCode::Char('r'))])).expect("reruns");
    assert_eq!(sql, ONE, "the tab's statement, not the editor's");
    answer(&mut app, id, rows("plum", 1));
    assert!(screen(&app).contains("plum-0"));
}

#[test]
fn tab_labels_from_a_server_are_drawn_safe() {
    let mut app = two_tabs(120, 24);
    let hostile = "api\u{1b}]0;PWNED\u{7}\u{202e}";
    app.tabs.tabs[0].scope = Some(aepipe::tui::app::Scope {
        project: "shop".into(),
        logstore: hostile.into(),
    });
    app.tabs.tabs[0].sql = Some("SELECT '\u{1b}[2J' FROM aepipe".into());
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 24)).unwrap();
    terminal.draw(|f| aepipe::tui::ui::render(&app, f)).unwrap();
    crate::hostile_support::assert_buffer_safe(terminal.backend().buffer(), "tab strip");
    let s = screen(&app);
    assert!(s.contains("1 api␛]0;PWNED"), "shown, made visible:\n{s}");
}

#[test]
fn a_click_on_the_strip_shows_that_tab() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let mut app = two_tabs(120, 30);
    let s = screen(&app);
    let (y, line) = s
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("1 api: SELECT"))
        .expect("the strip");
    let x = line
        .chars()
        .take_while(|c| *c != '1')
        .map(|c| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0))
        .sum::<usize>();
    press(
        &mut app,
        [Action::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: x as u16 + 2,
            row: y as u16,
            modifiers: crossterm::event::KeyModifiers::NONE,
        })],
    );
    assert_eq!(app.tabs.active, 0);
    assert!(screen(&app).contains("apple-0"));
}
