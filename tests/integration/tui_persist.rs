//! What survives a restart (issue 12 item 5): the editor and the open
//! tabs (session file), saved queries per logstore in F3, and the F2
//! history, searchable, each query once with when it ran, its rows and
//! duration. update()-level tests and a TestBackend snapshot.

use crate::tui_support;
use crate::tui_tabs::{answer, rows, run, scoped, started};

use aepipe::tui::app::{App, Focus};
use aepipe::tui::editor::history::RunMeta;
use aepipe::tui::effects::Effect;
use aepipe::tui::session;
use crossterm::event::KeyCode;
use tui_support::*;

const ONE: &str = "SELECT blob6 FROM aepipe WHERE blob3 = 'one'";
const TWO: &str = "SELECT blob6 FROM aepipe WHERE blob3 = 'two'";

fn written<'a>(effects: &'a [Effect], what: &str) -> Option<&'a str> {
    effects.iter().find_map(|e| match e {
        Effect::WritePrivate { text, what: w, .. } if *w == what => Some(text.as_str()),
        _ => None,
    })
}

#[test]
fn the_editor_and_tabs_come_back_without_their_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = session::path_for(dir.path(), "local");
    let mut app = scoped(120, 30);
    app.session_path = Some(path.clone());
    run(&mut app, ONE, rows("apple", 3));
    let effects = press(&mut app, [ctrl('t')]);
    assert!(written(&effects, "session").is_some(), "saved on a new tab");
    run(&mut app, TWO, rows("pear", 2));
    app.editor.set_text("SELECT 'typed, never run'");
    // As the explorer does when it quits.
    session::save(&path, &session::to_text(&session::capture(&app))).unwrap();

    let mut again = scoped(120, 30);
    let last = session::load(&path).unwrap().expect("a session");
    press(&mut again, []);
    session::restore(&mut again, last);
    assert_eq!(again.editor.text(), "SELECT 'typed, never run'");
    assert_eq!((again.tabs.len(), again.tabs.active), (2, 1));
    assert!(again.grid.result.is_none(), "results are not kept");
    let s = screen(&again);
    assert!(
        s.contains("1 api: SELECT blob6") && s.contains("2 api"),
        "{s}"
    );
    assert!(s.contains("Alt-R runs a tab"), "{s}");
    // Alt-R runs the restored tab's statement on its logstore.
    let (id, sql) = started(&press(&mut again, [alt(KeyCode::Char('r'))])).expect("runs");
    assert_eq!(sql, TWO);
    answer(&mut again, id, rows("pear", 2));
    assert!(screen(&again).contains("pear-0"));
    press(&mut again, [alt(KeyCode::Char('1'))]);
    let (_, sql) = started(&press(&mut again, [alt(KeyCode::Char('r'))])).expect("runs");
    assert_eq!(sql, ONE);
}

#[test]
fn quitting_with_an_unrun_query_asks_only_when_nothing_keeps_it() {
    let mut app = scoped(120, 30);
    app.editor.set_text("SELECT 'never run'");
    app.focus = Focus::Tree;
    press(&mut app, [key(KeyCode::Char('q'))]);
    assert!(!app.should_quit, "no session: the first q asks");
    let mut app = scoped(120, 30);
    app.session_path = Some(std::env::temp_dir().join("unused-session.json"));
    app.editor.set_text("SELECT 'never run'");
    app.focus = Focus::Tree;
    press(&mut app, [key(KeyCode::Char('q'))]);
    assert!(app.should_quit, "the session keeps the editor's text");
}

#[test]
fn a_statement_is_saved_by_name_and_listed_in_f3() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = new_app(120, 30);
    app.saved.root = Some(dir.path().to_path_buf());
    let mut app = {
        // Scope with the saved root set, so the logstore's file is known.
        let mut scoped_app = scoped(120, 30);
        scoped_app.saved.root = app.saved.root.take();
        aepipe::tui::update::choose_logstore(
            &mut scoped_app,
            aepipe::tui::app::Scope {
                project: "shop".into(),
                logstore: "api".into(),
            },
        );
        scoped_app
    };
    app.editor.set_text(&format!("{ONE};\n\nSELECT 2"));
    app.editor.cursor_to_statement(ONE);
    app.focus = Focus::Editor;
    press(&mut app, [ctrl('s')]);
    assert!(app.save_prompt().is_some());
    press(&mut app, chars("ones"));
    let effects = press(&mut app, [key(KeyCode::Enter)]);
    let (path, text) = effects
        .iter()
        .find_map(|e| match e {
            Effect::WritePrivate {
                path,
                text,
                what: "saved queries",
            } => Some((path.clone(), text.clone())),
            _ => None,
        })
        .expect("written");
    assert!(path.starts_with(dir.path()), "{}", path.display());
    assert!(
        text.contains("\"ones\"") && text.contains("blob3 = 'one'"),
        "{text}"
    );
    press(&mut app, [key(KeyCode::F(3))]);
    let picker = app.picker().expect("F3");
    let i = picker
        .items
        .iter()
        .position(|(label, _)| label == "saved: ones")
        .expect("listed after the snippets");
    assert!(i > 0);
    // Written to disk, it is read back when the logstore is chosen again.
    aepipe::tui::session::save(&path, &text).unwrap();
    let mut again = scoped(120, 30);
    again.saved.root = Some(dir.path().to_path_buf());
    aepipe::tui::update::choose_logstore(
        &mut again,
        aepipe::tui::app::Scope {
            project: "shop".into(),
            logstore: "api".into(),
        },
    );
    assert_eq!(again.saved.items.len(), 1);
    assert_eq!(again.saved.items[0].sql, ONE);
}

fn with_history() -> App {
    let mut app = scoped(120, 30);
    run(&mut app, ONE, rows("apple", 3));
    run(&mut app, TWO, rows("pear", 2));
    run(&mut app, ONE, rows("apple", 4));
    // A fixed time, so the snapshot does not depend on the clock.
    for (i, meta) in app.editor.history.meta.values_mut().enumerate() {
        meta.at = 1_796_000_000_000 + i as i64 * 60_000;
    }
    app
}

#[test]
fn history_lists_each_query_once_with_its_last_answer() {
    let mut app = with_history();
    assert_eq!(app.editor.history.entries, [TWO, ONE]);
    let meta = app.editor.history.meta.get(ONE).copied().expect("noted");
    assert_eq!((meta.rows, meta.ms), (4, 35));
    press(&mut app, [key(KeyCode::F(2))]);
    let s = screen(&app);
    assert!(s.contains("History · shop/api · 2 queries"), "{s}");
    assert!(s.contains("4 rows ·    35 ms"), "{s}");
    let mut settings = snapshot_settings();
    settings.add_filter(r"\d\d-\d\d \d\d:\d\d", "[when]");
    settings.bind(|| insta::assert_snapshot!("history_popup", screen(&app)));
    // Typing searches; Enter puts the query in the editor.
    press(&mut app, chars("TWO'"));
    let s = screen(&app);
    assert!(s.contains("1 queries") && s.contains("search: TWO'"), "{s}");
    press(&mut app, [key(KeyCode::Enter)]);
    assert!(app.history_view().is_none());
    assert_eq!(app.editor.text(), TWO);
    assert_eq!(app.focus, Focus::Editor);
}

#[test]
fn history_file_keeps_the_answers() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = scoped(120, 30);
    app.editor.history.file = Some(dir.path().join("h.jsonl"));
    app.editor.set_text(ONE);
    app.focus = Focus::Editor;
    let (id, _) = started(&press(&mut app, [key(KeyCode::F(5))])).expect("runs");
    let effects = press(
        &mut app,
        [aepipe::tui::action::Action::QueryFinished {
            id,
            result: Ok(rows("apple", 7)),
            elapsed: std::time::Duration::from_millis(1234),
        }],
    );
    let lines = effects
        .iter()
        .find_map(|e| match e {
            Effect::SaveHistory { entries, .. } => Some(entries.clone()),
            _ => None,
        })
        .expect("history saved with the answer");
    assert_eq!(lines.len(), 1);
    let v: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(v["sql"], ONE);
    assert_eq!(v["rows"], 7);
    assert_eq!(v["ms"], 1234);
    let _: RunMeta = serde_json::from_value(v).unwrap();
}
