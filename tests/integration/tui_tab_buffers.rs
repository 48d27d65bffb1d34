//! Issue 12, the tabs as the issue asks for them: each tab keeps its own
//! editor buffer (text, cursor, undo), kept in the session file per tab
//! (older files still load), and a tab's watch goes on while the tab is
//! not shown, its rows replaced in place and the strip marking it.
//! update()-level tests with answers fed by hand, and TestBackend
//! snapshots of the strip.

use crate::tui_support;
use crate::tui_tabs::{answer, rows, run, scoped, started};

use aepipe::tui::action::Action;
use aepipe::tui::app::{App, Focus, TICKS_PER_SECOND};
use aepipe::tui::effects::Effect;
use aepipe::tui::session;
use crossterm::event::KeyCode;
use tui_support::*;

const ONE: &str = "SELECT blob6 FROM aepipe WHERE blob3 = 'one'";
const TWO: &str = "SELECT blob6 FROM aepipe WHERE blob3 = 'two'";

fn snap(name: &str, app: &App) {
    let mut settings = snapshot_settings();
    settings.add_filter(r"ran \d\d:\d\d:\d\d UTC", "ran [time] UTC");
    settings.bind(|| insta::assert_snapshot!(name, screen(app)));
}

/// The editor pane's lines on screen (between its top border and the
/// results).
fn editor_lines(app: &App) -> String {
    let s = screen(app);
    let area = aepipe::tui::ui::layout::compute(app).editor;
    s.lines()
        .skip(usize::from(area.y))
        .take(usize::from(area.height))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Two tabs: tab 1 ran ONE and then had more typed after it; tab 2 ran
/// TWO (shown).
fn two_tabs_with_text() -> App {
    let mut app = scoped(120, 30);
    run(&mut app, ONE, rows("apple", 3));
    app.focus = Focus::Editor;
    press(&mut app, [key(KeyCode::Enter)]);
    press(&mut app, chars("-- tab one's notes"));
    press(&mut app, [ctrl('t')]);
    run(&mut app, TWO, rows("pear", 2));
    app
}

#[test]
fn each_tab_shows_its_own_editor_text_and_switching_swaps_it() {
    let mut app = two_tabs_with_text();
    let e = editor_lines(&app);
    assert!(e.contains("blob3 = 'two'") && !e.contains("notes"), "{e}");
    press(&mut app, [alt(KeyCode::Char('1'))]);
    let e = editor_lines(&app);
    assert!(
        e.contains("blob3 = 'one'") && e.contains("-- tab one's notes"),
        "{e}"
    );
    assert!(!e.contains("'two'"), "{e}");
    snap("tab_buffers_tab_one_shown", &app);
    // Undo takes back tab 1's own typing, word by word, not tab 2's text.
    app.focus = Focus::Editor;
    let typed = format!("{ONE}\n");
    for _ in 0..20 {
        if app.editor.text() == typed {
            break;
        }
        press(&mut app, [ctrl('z')]);
    }
    assert_eq!(app.editor.text(), typed);
    // F5 in tab 1 runs tab 1's text.
    let (_, sql) = started(&press(&mut app, [key(KeyCode::F(5))])).expect("runs");
    assert_eq!(sql, ONE);
    press(&mut app, [alt(KeyCode::Char('2'))]);
    assert_eq!(app.editor.text(), TWO);
}

#[test]
fn a_new_tab_starts_with_a_copy_of_the_shown_text() {
    let mut app = scoped(120, 30);
    run(&mut app, ONE, rows("apple", 3));
    press(&mut app, [ctrl('t')]);
    assert_eq!(app.editor.text(), ONE);
    app.focus = Focus::Editor;
    press(&mut app, [ctrl('l')]);
    assert_eq!(app.editor.text(), "");
    press(&mut app, [alt(KeyCode::Char('1'))]);
    assert_eq!(app.editor.text(), ONE, "clearing tab 2 left tab 1 alone");
}

#[test]
fn each_tabs_buffer_and_cursor_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = session::path_for(dir.path(), "local");
    let mut app = two_tabs_with_text();
    app.session_path = Some(path.clone());
    // Tab 2's cursor at the start of its text.
    app.focus = Focus::Editor;
    press(&mut app, [ctrl_key(KeyCode::Home)]);
    assert_eq!(app.editor.cursor(), (0, 0));
    session::save(&path, &session::to_text(&session::capture(&app))).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("-- tab one's notes"), "{text}");

    let mut again = scoped(120, 30);
    session::restore(&mut again, session::load(&path).unwrap().expect("kept"));
    assert_eq!((again.tabs.len(), again.tabs.active), (2, 1));
    assert_eq!(again.editor.text(), TWO);
    assert_eq!(again.editor.cursor(), (0, 0), "the cursor where it was");
    press(&mut again, [alt(KeyCode::Char('1'))]);
    assert_eq!(
        again.editor.text(),
        format!("{ONE}\n-- tab one's notes"),
        "tab 1's own buffer"
    );
    assert_eq!(again.editor.cursor(), (1, "-- tab one's notes".len()));
    // Its statement (not its text) is what Alt-R runs.
    let (_, sql) = started(&press(&mut again, [alt(KeyCode::Char('r'))])).expect("runs");
    assert_eq!(sql, ONE);
}

#[test]
fn a_session_file_from_before_per_tab_buffers_still_loads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("local.json");
    // As the previous version wrote it: one editor text for all tabs.
    let old = format!(
        r#"{{
  "editor": "SELECT 'typed before'",
  "scope": {{"project": "shop", "logstore": "api"}},
  "tabs": [
    {{"scope": {{"project": "shop", "logstore": "api"}}, "sql": "{ONE}"}},
    {{"scope": {{"project": "shop", "logstore": "api"}}, "sql": "{TWO}"}}
  ],
  "active": 1
}}"#
    );
    std::fs::write(&path, old).unwrap();
    let mut app = scoped(120, 30);
    session::restore(&mut app, session::load(&path).unwrap().expect("loads"));
    assert_eq!(app.editor.text(), "SELECT 'typed before'", "the shown tab");
    press(&mut app, [alt(KeyCode::Char('1'))]);
    assert_eq!(
        app.editor.text(),
        ONE,
        "another tab starts as its statement"
    );
}

fn ctrl_key(code: KeyCode) -> Action {
    Action::Key(crossterm::event::KeyEvent::new(
        code,
        crossterm::event::KeyModifiers::CONTROL,
    ))
}

fn session_writes(effects: &[Effect]) -> usize {
    effects
        .iter()
        .filter(|e| {
            matches!(
                e,
                Effect::WritePrivate {
                    what: "session",
                    ..
                }
            )
        })
        .count()
}

#[test]
fn a_hidden_tabs_watch_refreshes_it_in_place_and_the_strip_says_so() {
    let mut app = scoped(120, 30);
    let dir = tempfile::tempdir().unwrap();
    app.session_path = Some(dir.path().join("s.json"));
    run(&mut app, ONE, rows("apple", 3));
    app.focus = Focus::Results;
    // The shortest interval: 2 s.
    press(&mut app, (0..3).map(|_| key(KeyCode::Char('W'))));
    assert_eq!(app.watch.every_secs, 2);
    press(&mut app, [key(KeyCode::Char('w'))]);
    press(&mut app, [ctrl('t')]);
    run(&mut app, TWO, rows("pear", 2));
    app.notice = None;
    let s = screen(&app);
    assert!(
        s.contains("1⟳ api: SELECT") && s.contains("2 api: SELECT"),
        "{s}"
    );

    // What the detail pane shows is the shown tab's business: a hidden
    // tab's refresh leaves it (and its cursor) alone.
    app.detail.show_json(
        "pinned line",
        serde_json::json!({"kept": "while tab 1 refreshes"}),
    );
    app.focus = Focus::Detail;
    press(&mut app, [key(KeyCode::Down)]);
    let detail_before = (app.detail.title(), app.detail.cursor());
    assert_eq!(detail_before.1, 1);
    // Each period tab 1's query runs again (in tab 1), three times over.
    // Editing the shown tab does not hold a hidden tab's watch back.
    app.focus = Focus::Editor;
    for n in 1..=3u64 {
        let effects = press(&mut app, (0..2 * TICKS_PER_SECOND).map(|_| Action::Tick));
        let (id, sql) = started(&effects).unwrap_or_else(|| panic!("refresh {n} starts"));
        assert_eq!(sql, ONE);
        assert!(app.query.running.is_none(), "not the shown tab's query");
        let effects = press(
            &mut app,
            [Action::QueryFinished {
                id,
                result: Ok(rows("plum", n as usize)),
                elapsed: std::time::Duration::from_millis(5),
            }],
        );
        assert_eq!(session_writes(&effects), 0, "a refresh writes no session");
        assert_eq!(app.tabs.active, 1);
    }
    app.notice = None;
    assert_eq!((app.detail.title(), app.detail.cursor()), detail_before);
    assert!(screen(&app).contains("pinned line"));
    app.focus = Focus::Editor;
    let s = screen(&app);
    assert!(s.contains("1⟳• api: SELECT"), "watched and updated:\n{s}");
    assert!(s.contains("pear-0"), "the shown tab is unchanged:\n{s}");
    snap("tab_buffers_hidden_watch_marked", &app);

    press(&mut app, [alt(KeyCode::Char('1'))]);
    assert_eq!(app.watch.runs, 3);
    let s = screen(&app);
    assert!(s.contains("plum-2") && !s.contains("apple-0"), "{s}");
    assert!(s.contains("1⟳ api") && !s.contains("1⟳•"), "seen now:\n{s}");
    // The status bar counts the shown tab's refreshes.
    app.focus = Focus::Results;
    assert!(screen(&app).contains("⟳ watch 2 s · #3"), "{s}");
    // Stopped, the mark goes.
    press(&mut app, [key(KeyCode::Char('w'))]);
    assert!(!screen(&app).contains("1⟳"));
}

#[test]
fn a_hidden_tabs_refresh_waits_for_its_own_query_only() {
    let mut app = scoped(120, 30);
    run(&mut app, ONE, rows("apple", 3));
    app.focus = Focus::Results;
    press(&mut app, (0..3).map(|_| key(KeyCode::Char('W'))));
    press(&mut app, [key(KeyCode::Char('w'))]);
    press(&mut app, [ctrl('t')]);
    let effects = press(&mut app, (0..2 * TICKS_PER_SECOND).map(|_| Action::Tick));
    let (first, _) = started(&effects).expect("refresh");
    // Not answered yet: the next period starts nothing new.
    let effects = press(&mut app, (0..2 * TICKS_PER_SECOND).map(|_| Action::Tick));
    assert!(started(&effects).is_none(), "{effects:?}");
    answer(&mut app, first, rows("plum", 1));
    let effects = press(&mut app, [Action::Tick]);
    assert!(started(&effects).is_some(), "the held-back refresh runs");
}

#[test]
fn quitting_asks_when_a_hidden_tab_holds_a_query_that_never_ran() {
    let mut app = scoped(120, 30);
    run(&mut app, ONE, rows("apple", 3));
    app.editor.set_text("SELECT 'typed in tab 1, never run'");
    press(&mut app, [ctrl('t')]);
    run(&mut app, TWO, rows("pear", 2));
    app.focus = Focus::Tree;
    press(&mut app, [key(KeyCode::Char('q'))]);
    assert!(!app.should_quit, "no session: tab 1's text would be lost");
    press(&mut app, [key(KeyCode::Char('q'))]);
    assert!(app.should_quit, "a second q quits");
}
