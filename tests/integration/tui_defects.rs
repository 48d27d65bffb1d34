//! What a new user trips over (issue 13), on `update()` and TestBackend:
//! the statement F5 runs, results shown over the tail, typing in the tree,
//! editor undo and buffer keys, quitting with an unrun query, the detail
//! pane after sorting, and readable numbers.

use crate::tui_support;

use std::sync::Arc;
use std::time::Duration;

use aepipe::client::{Cell, Column, QueryResult};
use aepipe::tui::action::{Action, TaskError};
use aepipe::tui::app::{App, Bottom, Focus, Scope};
use aepipe::tui::effects::Effect;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_support::*;
use tui_textarea::CursorMove;

fn scoped_app(w: u16, h: u16) -> App {
    let mut app = new_app(w, h);
    aepipe::tui::update::choose_logstore(
        &mut app,
        Scope {
            project: "shop".into(),
            logstore: "api".into(),
        },
    );
    app
}

fn ran_sql(effects: &[Effect]) -> Option<(u64, String)> {
    effects.iter().find_map(|e| match e {
        Effect::RunQuery { id, sql, .. } => Some((*id, sql.clone())),
        _ => None,
    })
}

fn with_mods(code: KeyCode, mods: KeyModifiers) -> Action {
    Action::Key(KeyEvent::new(code, mods))
}

/// Every value the detail pane holds, as JSON text.
fn detail_values(app: &App) -> String {
    let tree = app.detail.tree();
    (0..tree.nodes().len())
        .filter_map(|i| tree.value_of(i))
        .map(|v| format!("{v} "))
        .collect()
}

/// Put `text` in the editor and the cursor at (row, col).
fn edit(app: &mut App, text: &str, row: u16, col: u16) {
    app.editor.set_text(text);
    app.editor.textarea.move_cursor(CursorMove::Jump(row, col));
    app.focus = Focus::Editor;
}

// 1. The statement under the cursor, and its result over the tail.

#[test]
fn a_blank_line_separates_two_statements() {
    let mut app = scoped_app(120, 32);
    edit(
        &mut app,
        "SELECT 1 AS a\nFROM aepipe\n\nSELECT 2 AS b\nFROM aepipe",
        0,
        3,
    );
    let (_, sql) = ran_sql(&press(&mut app, [key(KeyCode::F(5))])).expect("a run");
    assert_eq!(sql, "SELECT 1 AS a\nFROM aepipe");
    app.editor.textarea.move_cursor(CursorMove::Bottom);
    let (_, sql) = ran_sql(&press(&mut app, [key(KeyCode::F(5))])).expect("a run");
    assert_eq!(sql, "SELECT 2 AS b\nFROM aepipe");
}

#[test]
fn a_second_select_run_with_the_first_gets_a_hint() {
    let mut app = scoped_app(120, 32);
    let (id, _) = ran_sql(&press(&mut app, [key(KeyCode::F(5))])).expect("a run");
    press(
        &mut app,
        [Action::QueryFinished {
            id,
            result: Err(TaskError {
                message:
                    "syntax error: Expected: end of statement, found: SELECT at Line: 4, Column: 1"
                        .into(),
                retryable: false,
            }),
            elapsed: Duration::from_millis(3),
        }],
    );
    let error = app.query.error.clone().unwrap_or_default();
    assert!(error.contains("leave a blank line between them"), "{error}");
}

#[test]
fn cursor_right_after_the_semicolon_runs_that_line() {
    let mut app = scoped_app(120, 32);
    edit(&mut app, "SELECT 1 AS a;\n\nSELECT 3 AS c;", 0, 14);
    let (_, sql) = ran_sql(&press(&mut app, [key(KeyCode::F(5))])).expect("a run");
    assert_eq!(sql, "SELECT 1 AS a");
}

#[test]
fn running_a_query_over_the_tail_shows_its_progress_and_error() {
    let mut app = scoped_app(80, 24);
    press(&mut app, [key(KeyCode::F(4))]);
    assert_eq!(app.bottom, Bottom::Tail);
    let (id, _) = ran_sql(&press(&mut app, [key(KeyCode::F(5))])).expect("a run");
    assert_eq!(app.bottom, Bottom::Grid, "the run replaces the tail");
    assert!(
        screen(&app).contains("running on shop/api"),
        "{}",
        screen(&app)
    );
    press(
        &mut app,
        [Action::QueryFinished {
            id,
            result: Err(TaskError {
                message: "unknown column blob99".into(),
                retryable: false,
            }),
            elapsed: Duration::from_millis(3),
        }],
    );
    assert!(
        screen(&app).contains("unknown column blob99"),
        "{}",
        screen(&app)
    );
    // F4 brings the same tail back.
    let effects = press(&mut app, [key(KeyCode::F(4))]);
    assert_eq!(app.bottom, Bottom::Tail);
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::StartTail { .. })),
        "the tail kept running"
    );
}

// 3. Typing to filter the tree.

fn tree_with_projects(names: &[&str]) -> (App, Vec<Effect>) {
    let mut app = new_app(80, 24);
    let effects = aepipe::tui::update::start(&mut app);
    let id = effects
        .iter()
        .find_map(|e| match e {
            Effect::LoadProjects { id } => Some(*id),
            _ => None,
        })
        .expect("projects load first");
    let effects = press(
        &mut app,
        [Action::ProjectsLoaded {
            id,
            result: Ok(names.iter().map(|s| s.to_string()).collect()),
        }],
    );
    (app, effects)
}

#[test]
fn once_typing_started_every_letter_goes_to_the_filter() {
    let (mut app, _) = tree_with_projects(&["checkout", "shop"]);
    assert_eq!(app.focus, Focus::Tree);
    press(&mut app, chars("che"));
    assert_eq!(app.tree.filter, "che");
    assert!(!app.should_quit);
    assert!(screen(&app).contains("Projects /che"));
    // Letters that are keys (r refresh, l expand, G …) type too.
    press(&mut app, chars("rlG"));
    assert_eq!(app.tree.filter, "cherlG");
    press(&mut app, [key(KeyCode::Esc)]);
    assert_eq!(app.tree.filter, "");
    // With no filter, a key letter still acts: j moves down.
    press(&mut app, chars("j"));
    assert_eq!(app.tree.filter, "");
    assert_eq!(app.tree.cursor, 1);
}

#[test]
fn a_logstore_name_searches_before_saying_nothing_matches() {
    let (mut app, _) = tree_with_projects(&["checkout", "shop"]);
    let effects = press(&mut app, chars("api"));
    let loads: Vec<(u64, String)> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::LoadLogstores { id, project } => Some((*id, project.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(loads.len(), 2, "{effects:?}");
    let s = screen(&app);
    assert!(s.contains("searching…"), "{s}");
    assert!(!s.contains("nothing matches"), "{s}");
    for (id, project) in loads {
        let list = if project == "shop" {
            vec!["api".to_string()]
        } else {
            vec!["jobs".to_string()]
        };
        press(
            &mut app,
            [Action::LogstoresLoaded {
                id,
                project,
                result: Ok(list),
            }],
        );
    }
    let s = screen(&app);
    assert!(s.contains("api"), "{s}");
    press(&mut app, chars("zzz"));
    assert!(screen(&app).contains("nothing matches"));
}

// 4. Editor keys.

#[test]
fn ctrl_z_undoes_a_word_at_a_time_and_ctrl_y_redoes() {
    let mut app = scoped_app(120, 32);
    let starter = app.editor.text();
    press(&mut app, [ctrl('l')]);
    assert_eq!(app.editor.text(), "");
    press(&mut app, chars("SELECT count"));
    press(&mut app, [ctrl('z')]);
    assert_eq!(app.editor.text(), "SELECT ");
    press(&mut app, [ctrl('z')]);
    assert_eq!(app.editor.text(), "");
    press(&mut app, [ctrl('z')]);
    assert_eq!(app.editor.text(), starter, "clearing is undone too");
    press(&mut app, [ctrl('y'), ctrl('y')]);
    assert_eq!(app.editor.text(), "SELECT ");
}

#[test]
fn choosing_from_history_can_be_undone() {
    let mut app = scoped_app(120, 32);
    app.editor.history.push("SELECT 42 AS answer");
    edit(&mut app, "SELECT my draft", 0, 3);
    press(&mut app, [key(KeyCode::F(2)), key(KeyCode::Enter)]);
    assert_eq!(app.editor.text(), "SELECT 42 AS answer");
    press(&mut app, [ctrl('z')]);
    assert_eq!(app.editor.text(), "SELECT my draft");
}

#[test]
fn ctrl_home_and_ctrl_end_go_to_the_ends_of_the_text() {
    let mut app = scoped_app(120, 32);
    edit(&mut app, "SELECT 1\nFROM aepipe\nLIMIT 5", 1, 3);
    press(&mut app, [with_mods(KeyCode::Home, KeyModifiers::CONTROL)]);
    assert_eq!(app.editor.textarea.cursor(), (0, 0));
    press(&mut app, [with_mods(KeyCode::End, KeyModifiers::CONTROL)]);
    assert_eq!(app.editor.textarea.cursor(), (2, 7));
}

#[test]
fn ctrl_c_asks_before_dropping_a_query_that_never_ran() {
    let mut app = scoped_app(80, 24);
    // The starter query comes back by itself: quitting is immediate.
    press(&mut app, [ctrl('c')]);
    assert!(app.should_quit);

    let mut app = scoped_app(80, 24);
    press(&mut app, chars(" -- mine"));
    press(&mut app, [ctrl('c')]);
    assert!(!app.should_quit, "asks first");
    assert!(screen(&app).contains("never ran"), "{}", screen(&app));
    press(&mut app, [ctrl('c')]);
    assert!(app.should_quit, "a second Ctrl-C quits");

    // A query that ran is in history (F2): no question.
    let mut app = scoped_app(80, 24);
    press(&mut app, chars(" -- mine"));
    press(&mut app, [key(KeyCode::F(5))]);
    press(&mut app, [ctrl('c')]);
    assert!(app.should_quit);
}

#[test]
fn help_lists_the_editing_keys_and_what_tab_does_in_the_editor() {
    let mut app = scoped_app(120, 60);
    app.open(aepipe::tui::pane::Popup::Help(0));
    let text: String = aepipe::tui::ui::help::lines(&app)
        .iter()
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(text.contains("editor: complete / next pane"), "{text}");
    assert!(text.contains("undo (a word at a time)"), "{text}");
    assert!(text.contains("Ctrl-z"), "{text}");
    assert!(text.contains("delete the word before"), "{text}");
    assert!(!text.contains("usual editing keys"), "{text}");
}

// 6. The detail pane after sorting or filtering.

#[test]
fn after_sorting_the_detail_shows_the_first_row_shown_and_counts_as_shown() {
    let mut app = scoped_app(120, 32);
    let (id, _) = ran_sql(&press(&mut app, [key(KeyCode::F(5))])).expect("a run");
    press(
        &mut app,
        [Action::QueryFinished {
            id,
            result: Ok(sample_result(20)),
            elapsed: Duration::from_millis(5),
        }],
    );
    app.focus = Focus::Results;
    // Column 4 is ms (i * 7.25): descending puts row 19 (137.75) first.
    press(&mut app, chars("llll"));
    press(&mut app, chars("ss"));
    assert_eq!(app.grid.row, 0);
    assert_eq!(app.grid.selected_row(), Some(19));
    assert_eq!(app.detail.title(), "detail · row 1 of 20");
    assert!(
        detail_values(&app).contains("137.75"),
        "{}",
        detail_values(&app)
    );
    // Filtered: counted among the rows shown.
    press(&mut app, [key(KeyCode::Char('/'))]);
    press(&mut app, chars("http_error"));
    press(&mut app, [key(KeyCode::Enter), key(KeyCode::Down)]);
    assert_eq!(app.detail.title(), "detail · row 2 of 5");
}

// 7. Numbers.

#[test]
fn floats_are_short_in_the_grid_and_exact_in_the_detail() {
    let mut app = scoped_app(120, 32);
    let (id, _) = ran_sql(&press(&mut app, [key(KeyCode::F(5))])).expect("a run");
    let result = QueryResult::from_parts(
        vec![Column {
            name: "avg_ms".into(),
            type_name: "Float64".into(),
        }],
        vec![vec![Cell::Number(93.49842105263158)]],
    );
    press(
        &mut app,
        [Action::QueryFinished {
            id,
            result: Ok(Arc::new(result)),
            elapsed: Duration::from_millis(5),
        }],
    );
    let s = screen(&app);
    // The grid's cell, right-aligned before the pane's border: "93.4984┃".
    let short = s.lines().any(|l| {
        l.match_indices("93.4984")
            .any(|(i, m)| !l[i + m.len()..].starts_with(|c: char| c.is_ascii_digit()))
    });
    assert!(short, "no short number in:\n{s}");
    assert!(
        detail_values(&app).contains("93.49842105263158"),
        "{}",
        detail_values(&app)
    );
}

// 11. Export asks where.

#[test]
fn export_offers_the_file_name_for_editing_and_esc_cancels() {
    let mut app = scoped_app(80, 24);
    app.export_dir = std::path::PathBuf::from("/tmp/exports-here");
    let (id, _) = ran_sql(&press(&mut app, [key(KeyCode::F(5))])).expect("a run");
    press(
        &mut app,
        [Action::QueryFinished {
            id,
            result: Ok(sample_result(3)),
            elapsed: Duration::from_millis(5),
        }],
    );
    app.focus = Focus::Results;
    // e, then CSV (the first format).
    let effects = press(&mut app, [key(KeyCode::Char('e')), key(KeyCode::Enter)]);
    assert!(effects.is_empty(), "nothing is written yet: {effects:?}");
    let s = screen(&app);
    assert!(s.contains("Export 3 rows as CSV"), "{s}");
    assert!(s.contains("file: aepipe-shop_api-"), "{s}");
    assert!(s.contains("in /tmp/exports-here"), "{s}");
    press(&mut app, [ctrl('u')]);
    press(&mut app, chars("errors.csv"));
    let effects = press(&mut app, [key(KeyCode::Enter)]);
    let path = effects
        .iter()
        .find_map(|e| match e {
            Effect::Export { path, rows, .. } => Some((path.clone(), rows.len())),
            _ => None,
        })
        .expect("an export");
    assert_eq!(
        path,
        (std::path::PathBuf::from("/tmp/exports-here/errors.csv"), 3)
    );
    assert!(app.export_prompt().is_none());

    press(&mut app, [key(KeyCode::Char('e')), key(KeyCode::Enter)]);
    assert!(app.export_prompt().is_some());
    let effects = press(&mut app, [key(KeyCode::Esc)]);
    assert!(effects.is_empty());
    assert!(app.export_prompt().is_none());
}

// 5. 80×24: messages that do not fit, resizing that cannot.

#[test]
fn a_long_notice_takes_the_footer_line_whole() {
    let mut app = scoped_app(80, 24);
    let path = "/home/someone/projects/with/a/long/path/aepipe-shop_api-20261127-021535.csv";
    press(
        &mut app,
        [Action::Exported {
            result: Ok((std::path::PathBuf::from(path), 20)),
        }],
    );
    let s = screen(&app);
    let footer = s.lines().nth(23).unwrap_or("");
    // Too long even for a whole line: the middle gives way, the file name stays.
    assert!(footer.starts_with(" exported 20 rows to /home/"), "{s}");
    assert!(
        footer.ends_with("/aepipe-shop_api-20261127-021535.csv"),
        "{s}"
    );

    let path = "/home/someone/aepipe-shop_api-20261127-021535.csv";
    press(
        &mut app,
        [Action::Exported {
            result: Ok((std::path::PathBuf::from(path), 20)),
        }],
    );
    let s = screen(&app);
    let footer = s.lines().nth(23).unwrap_or("");
    assert_eq!(footer, format!(" exported 20 rows to {path}"), "{s}");
}

#[test]
fn resizing_a_pane_that_cannot_change_says_why() {
    let mut app = scoped_app(80, 24);
    app.focus = Focus::Tree;
    let before = app.layout.clone();
    press(&mut app, [key(KeyCode::Char('>'))]);
    assert!(
        app.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("the tree cannot get larger on this screen")),
        "{:?}",
        app.notice
    );
    // Shrinking works at once (the stored width was above what 80 columns allow).
    let tree_before = aepipe::tui::ui::layout::compute(&app).tree.width;
    press(&mut app, [key(KeyCode::Char('<'))]);
    let tree_after = aepipe::tui::ui::layout::compute(&app).tree.width;
    assert_eq!(
        tree_after + 2,
        tree_before,
        "{before:?} -> {:?}",
        app.layout
    );
}

// 10. Messages: a refused token, a misspelt level.

#[test]
fn a_wrong_token_says_refused_with_the_hint_not_connecting() {
    let mut app = new_app(80, 24);
    let effects = aepipe::tui::update::start(&mut app);
    let id = effects
        .iter()
        .find_map(|e| match e {
            Effect::LoadProjects { id } => Some(*id),
            _ => None,
        })
        .expect("projects load first");
    let e = aepipe::client::Error::Api {
        status: 401,
        message: "unauthorized".into(),
    };
    press(
        &mut app,
        [Action::ProjectsLoaded {
            id,
            result: Err(TaskError::from_client(&e)),
        }],
    );
    let s = screen(&app);
    assert!(!s.contains("connecting…"), "{s}");
    assert!(s.contains("refused: unauthorized"), "{s}");
    assert!(s.contains("check the token"), "{s}");
}

#[test]
fn the_send_form_level_starts_empty_and_warns_on_an_unknown_one() {
    let mut app = scoped_app(80, 24);
    press(&mut app, [key(KeyCode::F(6))]);
    press(&mut app, chars("hello"));
    press(&mut app, [key(KeyCode::Tab)]);
    let form = app.send_form().expect("the form");
    assert_eq!(form.level.text, "");
    assert!(
        screen(&app).contains("debug · info · warn · error"),
        "{}",
        screen(&app)
    );
    press(&mut app, chars("eror"));
    assert_eq!(app.send_form().map(|f| f.level.text.as_str()), Some("eror"));
    assert!(
        screen(&app).contains("⚠ not a known level"),
        "{}",
        screen(&app)
    );
}

#[test]
fn the_narrow_detail_pane_moves_a_value_under_a_long_key_and_wraps_at_separators() {
    let mut app = scoped_app(80, 24);
    let (id, _) = ran_sql(&press(&mut app, [key(KeyCode::F(5))])).expect("a run");
    let result = QueryResult::from_parts(
        vec![
            Column {
                name: "_sample_interval".into(),
                type_name: "UInt32".into(),
            },
            Column {
                name: "ref_id".into(),
                type_name: "String".into(),
            },
        ],
        vec![vec![
            Cell::Number(7.0),
            Cell::Text("29a804dd-bb7c-4b59-b90f-256ae31c7b81".into()),
        ]],
    );
    press(
        &mut app,
        [Action::QueryFinished {
            id,
            result: Ok(Arc::new(result)),
            elapsed: Duration::from_millis(5),
        }],
    );
    let s = screen(&app);
    // The detail pane is the right-most column of boxes.
    let detail: Vec<String> = s
        .lines()
        .map(|l| {
            let chars: Vec<char> = l.chars().collect();
            let start = chars
                .iter()
                .rposition(|&c| c == '│' || c == '┃')
                .map_or(0, |_| chars.len().saturating_sub(22));
            chars[start..].iter().collect()
        })
        .collect();
    let at = detail
        .iter()
        .position(|l| l.contains("_sample_interval"))
        .unwrap_or_else(|| panic!("no key in:\n{s}"));
    assert!(detail[at + 1].contains('7'), "{s}");
    let id_lines: Vec<&String> = detail
        .iter()
        .filter(|l| l.contains("29a804dd") || l.contains("c7b81"))
        .collect();
    assert!(!id_lines.is_empty(), "{s}");
    for l in detail
        .iter()
        .filter(|l| l.contains("bb7c") || l.contains("4b59"))
    {
        let inner = l.trim_end_matches(['│', '┃', ' ']);
        assert!(
            inner.ends_with('-') || inner.ends_with('"'),
            "a UUID group is cut mid-way: {l:?}\n{s}"
        );
    }
}
