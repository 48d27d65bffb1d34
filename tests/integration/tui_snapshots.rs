//! Whole-screen snapshots of the explorer on ratatui's TestBackend: every
//! pane in its states (empty, loading, error, data, tail, help), at 120×32
//! and at 80×24. Timings and rates are filtered.

use crate::tui_support;

use std::time::{Duration, Instant};

use aepipe::client::RawLogEntry;
use aepipe::tui::action::{Action, TaskError};
use aepipe::tui::app::{App, Bottom, Focus};
use crossterm::event::KeyCode;
use tui_support::*;

fn snap(name: &str, app: &App) {
    snapshot_settings().bind(|| insta::assert_snapshot!(name, screen(app)));
}

/// Projects loaded, shop open with two logstores.
fn with_tree(app: &mut App) {
    press(
        app,
        [Action::ProjectsLoaded {
            id: app.pending.projects.unwrap_or(1),
            result: Ok(vec!["auth".into(), "jobs".into(), "shop".into()]),
        }],
    );
}

fn started(w: u16, h: u16) -> App {
    let mut app = new_app(w, h);
    aepipe::tui::update::start(&mut app);
    app
}

fn scoped(w: u16, h: u16) -> App {
    let mut app = started(w, h);
    with_tree(&mut app);
    // Cursor to "shop", open it, answer the logstores, choose "api".
    let effects = press(&mut app, [key(KeyCode::End), key(KeyCode::Enter)]);
    let id = match &effects[..] {
        [aepipe::tui::effects::Effect::LoadLogstores { id, .. }] => *id,
        other => panic!("expected a logstores load, got {other:?}"),
    };
    press(
        &mut app,
        [
            Action::LogstoresLoaded {
                id,
                project: "shop".into(),
                result: Ok(vec!["api".into(), "checkout".into()]),
            },
            key(KeyCode::Down),
            key(KeyCode::Enter),
        ],
    );
    app.notice = None;
    app
}

fn with_rows(app: &mut App, rows: usize) {
    let effects = press(app, [key(KeyCode::F(5))]);
    let id = effects
        .iter()
        .find_map(|e| match e {
            aepipe::tui::effects::Effect::RunQuery { id, .. } => Some(*id),
            _ => None,
        })
        .expect("a query runs");
    press(
        app,
        [Action::QueryFinished {
            id,
            result: Ok(sample_result(rows)),
            elapsed: Duration::from_millis(210),
        }],
    );
    app.notice = None;
}

#[test]
fn loading() {
    snap("loading", &started(120, 32));
}

#[test]
fn server_unreachable() {
    let mut app = started(120, 32);
    let id = app.pending.projects.unwrap();
    press(
        &mut app,
        [Action::ProjectsLoaded {
            id,
            result: Err(TaskError {
                message: "could not reach aepipe: connection refused".into(),
                retryable: true,
            }),
        }],
    );
    snap("server_unreachable", &app);
}

#[test]
fn tree_and_starter_query() {
    let mut app = scoped(120, 32);
    // Leave the editor so the SQL is drawn highlighted.
    press(
        &mut app,
        [Action::Key(crossterm::event::KeyEvent::new(
            KeyCode::BackTab,
            crossterm::event::KeyModifiers::SHIFT,
        ))],
    );
    assert_eq!(app.focus, Focus::Tree);
    snap("tree_and_starter_query", &app);
}

#[test]
fn query_running() {
    let mut app = scoped(120, 32);
    press(&mut app, [key(KeyCode::F(5))]);
    snap("query_running", &app);
}

#[test]
fn query_error() {
    let mut app = scoped(120, 32);
    let effects = press(&mut app, [key(KeyCode::F(5))]);
    let id = match effects.last() {
        Some(aepipe::tui::effects::Effect::RunQuery { id, .. }) => *id,
        other => panic!("{other:?}"),
    };
    press(
        &mut app,
        [Action::QueryFinished {
            id,
            result: Err(TaskError {
                message: "unknown function 'cuont' at line 1, column 8".into(),
                retryable: false,
            }),
            elapsed: Duration::from_millis(30),
        }],
    );
    snap("query_error", &app);
}

#[test]
fn grid_with_data() {
    let mut app = scoped(120, 32);
    with_rows(&mut app, 100);
    press(
        &mut app,
        [key(KeyCode::Tab), key(KeyCode::Down), key(KeyCode::Down)],
    );
    assert_eq!(app.focus, Focus::Results);
    snap("grid_with_data", &app);
}

#[test]
fn grid_sorted_and_filtered() {
    let mut app = scoped(120, 32);
    with_rows(&mut app, 100);
    press(
        &mut app,
        [key(KeyCode::Tab), key(KeyCode::Right), key(KeyCode::Right)],
    );
    press(&mut app, [key(KeyCode::Char('s')), key(KeyCode::Char('s'))]);
    press(&mut app, [key(KeyCode::Char('/'))]);
    press(&mut app, chars("error"));
    press(&mut app, [key(KeyCode::Enter)]);
    snap("grid_sorted_and_filtered", &app);
}

#[test]
fn grid_at_80x24() {
    let mut app = scoped(80, 24);
    with_rows(&mut app, 100);
    press(&mut app, [key(KeyCode::Tab)]);
    snap("grid_at_80x24", &app);
}

#[test]
fn grid_zoomed() {
    let mut app = scoped(120, 32);
    with_rows(&mut app, 100);
    press(&mut app, [key(KeyCode::Tab), key(KeyCode::Char('z'))]);
    snap("grid_zoomed", &app);
}

#[test]
fn completion_popup() {
    let mut app = scoped(120, 32);
    press(&mut app, [ctrl('l')]);
    press(&mut app, chars("SELECT blob"));
    press(&mut app, [key(KeyCode::Tab)]);
    assert!(app.editor.completion.is_some());
    snap("completion_popup", &app);
}

#[test]
fn help_screen() {
    let mut app = scoped(120, 40);
    press(&mut app, [key(KeyCode::F(1))]);
    snap("help_screen", &app);
}

#[test]
fn live_tail() {
    let mut app = scoped(120, 32);
    let effects = press(&mut app, [key(KeyCode::F(4))]);
    assert!(matches!(
        effects.as_slice(),
        [aepipe::tui::effects::Effect::StartTail { .. }]
    ));
    assert_eq!(app.bottom, Bottom::Tail);
    let id = app.tail.id();
    let entries: Vec<RawLogEntry> = (0..5)
        .map(|i| RawLogEntry {
            timestamp: format!("2026-11-27T02:15:3{i}.123Z"),
            level: if i == 3 {
                "error".into()
            } else {
                "info".into()
            },
            data: serde_json::json!({"message": format!("line {i}"), "host": "api-1"}),
        })
        .collect();
    // A fixed "now" well after the entries so the rate meter shows nothing.
    app.tail
        .on_tail_entries(id, entries, Instant::now(), 1_900_000_000_000);
    snap("live_tail", &app);
}

#[test]
fn export_picker() {
    let mut app = scoped(120, 32);
    with_rows(&mut app, 10);
    press(&mut app, [key(KeyCode::Tab), key(KeyCode::Char('e'))]);
    snap("export_picker", &app);
}
