//! `update(&mut App, Action)` on state alone: keys, focus, request ids and
//! stale answers, cancel, copy, mouse, help and keymap. No terminal, no
//! network: effects are inspected, answers are fed by hand.

use crate::tui_support;

use std::time::Duration;

use aepipe::tui::action::{Action, TaskError};
use aepipe::tui::app::{App, Focus, NoticeLevel, Scope};
use aepipe::tui::effects::Effect;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use tui_support::*;

fn scoped_app() -> App {
    let mut app = new_app(120, 32);
    aepipe::tui::update::choose_logstore(
        &mut app,
        Scope {
            project: "shop".into(),
            logstore: "api".into(),
        },
    );
    app
}

fn run_id(effects: &[Effect]) -> u64 {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::RunQuery { id, .. } => Some(*id),
            _ => None,
        })
        .expect("a RunQuery effect")
}

fn answer(app: &mut App, id: u64, rows: usize) {
    press(
        app,
        [Action::QueryFinished {
            id,
            result: Ok(sample_result(rows)),
            elapsed: Duration::from_millis(5),
        }],
    );
}

#[test]
fn ctrl_c_quits_from_the_editor_and_q_only_outside_it() {
    let mut app = scoped_app();
    assert_eq!(app.focus, Focus::Editor);
    press(&mut app, [key(KeyCode::Char('q'))]);
    assert!(!app.should_quit);
    assert!(app.editor.text().contains('q'), "q is typed in the editor");
    // The edited query never ran: the first Ctrl-C asks, the second quits.
    press(&mut app, [ctrl('c')]);
    assert!(!app.should_quit);
    press(&mut app, [ctrl('c')]);
    assert!(app.should_quit);

    let mut app = scoped_app();
    press(
        &mut app,
        [
            key(KeyCode::Esc),
            Action::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
        ],
    );
    assert_eq!(app.focus, Focus::Tree);
    press(&mut app, [key(KeyCode::Char('q'))]);
    assert!(app.should_quit);
}

#[test]
fn tab_and_shift_tab_cycle_the_panes() {
    let mut app = new_app(120, 32);
    let mut seen = vec![app.focus];
    for _ in 0..4 {
        press(&mut app, [key(KeyCode::Tab)]);
        seen.push(app.focus);
    }
    assert_eq!(
        seen,
        vec![
            Focus::Tree,
            Focus::Editor,
            Focus::Results,
            Focus::Detail,
            Focus::Tree
        ]
    );
    press(
        &mut app,
        [Action::Key(KeyEvent::new(
            KeyCode::BackTab,
            KeyModifiers::SHIFT,
        ))],
    );
    assert_eq!(app.focus, Focus::Detail);
}

#[test]
fn running_without_a_logstore_says_so_and_sends_nothing() {
    let mut app = new_app(120, 32);
    let effects = press(&mut app, [key(KeyCode::F(5))]);
    assert!(effects.is_empty());
    let notice = app.notice.expect("a notice");
    assert_eq!(notice.level, NoticeLevel::Warning);
    assert!(notice.text.contains("logstore"));
}

#[test]
fn every_run_key_runs_the_statement_under_the_cursor() {
    for run in [
        key(KeyCode::F(5)),
        ctrl('r'),
        alt(KeyCode::Enter),
        Action::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::CONTROL)),
    ] {
        let mut app = scoped_app();
        app.editor.set_text("SELECT 1;\nSELECT 2 FROM aepipe");
        let effects = press(&mut app, [run]);
        let sql = effects.iter().find_map(|e| match e {
            Effect::RunQuery { sql, scope, .. } => Some((sql.clone(), scope.to_string())),
            _ => None,
        });
        assert_eq!(
            sql,
            Some(("SELECT 2 FROM aepipe".to_string(), "shop/api".to_string()))
        );
    }
}

#[test]
fn a_newer_query_supersedes_an_older_one_and_stale_answers_are_dropped() {
    let mut app = scoped_app();
    let first = run_id(&press(&mut app, [key(KeyCode::F(5))]));
    let effects = press(&mut app, [key(KeyCode::F(5))]);
    let second = run_id(&effects);
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::Abort(id) if *id == first)));
    answer(&mut app, first, 3);
    assert!(app.grid.result.is_none(), "the stale answer was dropped");
    assert!(app.query.running.is_some());
    answer(&mut app, second, 7);
    assert_eq!(app.grid.result.as_ref().map(|r| r.len()), Some(7));
    assert!(app.query.running.is_none());
}

#[test]
fn esc_cancels_a_running_query_and_its_late_answer_is_ignored() {
    let mut app = scoped_app();
    let id = run_id(&press(&mut app, [key(KeyCode::F(5))]));
    let effects = press(&mut app, [key(KeyCode::Esc)]);
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::Abort(a) if *a == id)));
    assert!(app.query.running.is_none());
    answer(&mut app, id, 3);
    assert!(app.grid.result.is_none());
}

#[test]
fn a_long_query_warns_but_still_runs() {
    let mut app = scoped_app();
    let long = format!("SELECT '{}' AS x FROM aepipe", "a".repeat(10_050));
    app.editor.set_text(&long);
    let effects = press(&mut app, [key(KeyCode::F(5))]);
    run_id(&effects);
    let notice = app.notice.clone().expect("warning");
    assert_eq!(notice.level, NoticeLevel::Warning);
    assert!(notice.text.contains("10000"));
    assert!(screen(&app).contains("Cloudflare may reject"));
}

#[test]
fn stale_project_lists_are_dropped() {
    let mut app = new_app(120, 32);
    let first = match aepipe::tui::update::start(&mut app).as_slice() {
        [Effect::LoadProjects { id }] => *id,
        other => panic!("{other:?}"),
    };
    app.focus = Focus::Tree;
    let second = match press(&mut app, [key(KeyCode::Char('r'))]).as_slice() {
        [Effect::LoadProjects { id }] => *id,
        other => panic!("{other:?}"),
    };
    press(
        &mut app,
        [Action::ProjectsLoaded {
            id: first,
            result: Ok(vec!["old".into()]),
        }],
    );
    assert!(app.tree.projects.loaded().is_none());
    press(
        &mut app,
        [Action::ProjectsLoaded {
            id: second,
            result: Ok(vec!["new".into()]),
        }],
    );
    assert_eq!(app.tree.project_name(0), Some("new"));
}

#[test]
fn typing_filters_the_tree_and_esc_clears_it() {
    let mut app = new_app(120, 32);
    aepipe::tui::update::start(&mut app);
    let id = app.pending.projects.unwrap();
    press(
        &mut app,
        [Action::ProjectsLoaded {
            id,
            result: Ok(vec!["auth".into(), "jobs".into(), "shop".into()]),
        }],
    );
    press(&mut app, [key(KeyCode::Char('/'))]);
    press(&mut app, chars("sh"));
    assert_eq!(app.tree.visible_rows().len(), 1);
    assert!(screen(&app).contains("Projects /sh"));
    // While filtering, q is text, not quit.
    press(&mut app, [key(KeyCode::Char('q'))]);
    assert!(!app.should_quit);
    press(&mut app, [key(KeyCode::Esc)]);
    assert_eq!(app.tree.visible_rows().len(), 3);
}

#[test]
fn copy_falls_back_to_osc52_and_a_failure_is_a_message_not_a_panic() {
    let mut app = scoped_app();
    let id = run_id(&press(&mut app, [key(KeyCode::F(5))]));
    answer(&mut app, id, 5);
    press(&mut app, [key(KeyCode::Tab), key(KeyCode::Right)]);
    let effects = press(&mut app, [key(KeyCode::Char('y'))]);
    assert!(matches!(effects.as_slice(), [Effect::Copy { text, .. }] if text == "http_request"));
    let effects = press(&mut app, [key(KeyCode::Char('Y'))]);
    let Some(Effect::Copy { text, .. }) = effects.first() else {
        panic!("{effects:?}")
    };
    let row: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(row["event"], "http_request");
    press(
        &mut app,
        [Action::Copied {
            what: "cell".into(),
            result: Err("stdout closed".into()),
        }],
    );
    assert_eq!(app.notice.as_ref().unwrap().level, NoticeLevel::Error);
    // No system clipboard: the task asks for OSC 52, done on the UI thread.
    let effects = press(
        &mut app,
        [Action::CopyViaTerminal {
            what: "cell".into(),
            text: "x".into(),
        }],
    );
    assert!(matches!(effects.as_slice(), [Effect::CopyOsc52 { text, .. }] if text == "x"));
    press(
        &mut app,
        [Action::Copied {
            what: "cell".into(),
            result: Ok("the terminal (OSC 52; some terminals block it)".into()),
        }],
    );
    assert!(app.notice.as_ref().unwrap().text.contains("OSC 52"));
}

#[test]
fn mouse_click_focuses_and_selects_and_the_wheel_scrolls() {
    let mut app = scoped_app();
    let id = run_id(&press(&mut app, [key(KeyCode::F(5))]));
    answer(&mut app, id, 100);
    let panes = aepipe::tui::ui::layout::compute(&app);
    let click = |x: u16, y: u16| {
        Action::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: x,
            row: y,
            modifiers: KeyModifiers::NONE,
        })
    };
    // Row 4 of the data: border, two header lines, then rows.
    press(
        &mut app,
        [click(panes.results.x + 3, panes.results.y + 1 + 2 + 4)],
    );
    assert_eq!(app.focus, Focus::Results);
    assert_eq!(app.grid.row, 4);
    press(
        &mut app,
        [Action::Mouse(MouseEvent {
            kind: MouseEventKind::ScrollDown,
            column: panes.results.x + 3,
            row: panes.results.y + 5,
            modifiers: KeyModifiers::NONE,
        })],
    );
    assert_eq!(app.grid.row, 7);
    press(&mut app, [click(panes.tree.x + 2, panes.tree.y + 2)]);
    assert_eq!(app.focus, Focus::Tree);
}

#[test]
fn mouse_capture_can_be_turned_off() {
    let mut app = new_app(120, 32);
    let effects = press(&mut app, [key(KeyCode::Char('m'))]);
    assert!(matches!(
        effects.as_slice(),
        [Effect::SetMouseCapture(false)]
    ));
    assert!(!app.mouse_capture);
}

#[test]
fn help_is_generated_from_the_keymap_including_user_overrides() {
    let mut app = new_app(120, 40);
    app.keymap
        .apply_toml("[grid]\n\"x\" = \"export\"\n")
        .unwrap();
    press(&mut app, [key(KeyCode::Char('?'))]);
    assert!(app.help().is_some());
    let lines: Vec<String> = aepipe::tui::ui::help::lines(&app)
        .iter()
        .map(|l| l.to_string())
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("e, x") && l.contains("export rows")),
        "{lines:#?}"
    );
    press(&mut app, [key(KeyCode::Esc)]);
    assert!(app.help().is_none());
}

#[test]
fn any_size_draws_without_panicking() {
    let mut app = scoped_app();
    let id = run_id(&press(&mut app, [key(KeyCode::F(5))]));
    answer(&mut app, id, 50);
    for (w, h) in [(1, 1), (10, 4), (30, 8), (80, 24), (200, 60)] {
        press(&mut app, [Action::Resize(w, h)]);
        let _ = screen(&app);
    }
}

#[test]
fn a_network_error_on_a_query_is_shown_and_marks_the_connection() {
    let mut app = scoped_app();
    let id = run_id(&press(&mut app, [key(KeyCode::F(5))]));
    press(
        &mut app,
        [Action::QueryFinished {
            id,
            result: Err(TaskError {
                message: "could not reach aepipe: connection refused".into(),
                retryable: true,
            }),
            elapsed: Duration::from_millis(3),
        }],
    );
    assert!(matches!(
        app.conn_state,
        aepipe::tui::app::ConnState::Failing { .. }
    ));
    let text = screen(&app);
    assert!(text.contains("The query failed"), "{text}");
    assert!(text.contains("connection refused"), "{text}");
}

#[test]
fn snippets_and_history_pickers_fill_the_editor() {
    let mut app = scoped_app();
    press(
        &mut app,
        [key(KeyCode::F(3)), key(KeyCode::Down), key(KeyCode::Enter)],
    );
    assert!(
        app.editor.text().contains("toStartOfInterval"),
        "{}",
        app.editor.text()
    );
    run_id(&press(&mut app, [key(KeyCode::F(5))]));
    app.editor.set_text("");
    press(&mut app, [key(KeyCode::F(2)), key(KeyCode::Enter)]);
    assert!(app.editor.text().contains("toStartOfInterval"));
}

#[test]
fn no_color_theme_has_no_colours() {
    let t = aepipe::tui::theme::Theme::monochrome();
    for s in [t.selected, t.error, t.keyword, t.null, t.border_focused] {
        assert_eq!(s.fg, None);
        assert_eq!(s.bg, None);
    }
    // Focus and selection stay visible by modifiers.
    assert!(!t.selected.add_modifier.is_empty());
}
