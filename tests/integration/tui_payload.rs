//! The payload viewer and the pivots to raw logs (issue 12 items 6 and 2):
//! stack traces as lines, the path filter, copying the whole payload, the
//! detail pane's share of the screen, the raw logs around a grid row or a
//! tail line, and every row with a tail line's value. update()-level tests
//! with answers fed by hand, and TestBackend snapshots.

use crate::tui_support;

use std::sync::Arc;
use std::time::Duration;

use aepipe::client::{Cell, Column, QueryResult, RawLogEntry};
use aepipe::tui::action::Action;
use aepipe::tui::app::{App, Bottom, Focus};
use aepipe::tui::effects::Effect;
use aepipe::tui::tail::{TailEvent, TailMsg};
use crossterm::event::KeyCode;
use serde_json::json;
use tui_support::*;

fn snap(name: &str, app: &App) {
    snapshot_settings().bind(|| insta::assert_snapshot!(name, screen(app)));
}

fn payload() -> serde_json::Value {
    json!({
        "error": {
            "message": "boom",
            "stack": "Error: boom\n    at handler (api.js:10:5)\n    at \u{1b}[31mrun (core.js:2:1)",
        },
        "request": {"headers": {"accept": "*/*", "x-request-id": "r-7"}, "path": "/api/cart"},
        "items": [{"id": 41}, {"id": 42}],
    })
}

/// The detail pane focused on a JSON value (as Enter on a tail line opens).
fn with_payload(w: u16, h: u16) -> App {
    let mut app = new_app(w, h);
    app.detail
        .show_json("log 2026-11-27T02:15:30.123Z", payload());
    press(&mut app, [key(KeyCode::Char('4'))]);
    assert_eq!(app.focus, Focus::Detail);
    app
}

#[test]
fn a_stack_trace_shows_as_lines_made_safe() {
    let app = with_payload(200, 24);
    let s = screen(&app);
    assert!(s.contains("stack: (3 lines)"), "{s}");
    assert!(
        s.contains("\n") && s.contains("        at handler (api.js:10:5)"),
        "{s}"
    );
    assert!(
        !s.contains('\u{1b}'),
        "the escape is drawn as a symbol: {s}"
    );
    snap("payload_stack_trace", &app);
}

#[test]
fn the_path_filter_shows_the_subtree_and_esc_clears_it() {
    let mut app = with_payload(120, 24);
    press(&mut app, [key(KeyCode::Char('.'))]);
    press(&mut app, chars("request.headers"));
    press(&mut app, [key(KeyCode::Enter)]);
    let s = screen(&app);
    assert!(s.contains("x-request-id: \"r-7\""), "{s}");
    assert!(!s.contains("stack"), "{s}");
    snap("payload_path_filter", &app);
    press(&mut app, chars(".")); // a new path starts from the current one
    press(&mut app, chars("[0]"));
    assert!(screen(&app).contains("unexpected") || screen(&app).contains("nothing at this path"));
    press(&mut app, [key(KeyCode::Esc)]);
    let s = screen(&app);
    assert!(s.contains("stack: (3 lines)"), "{s}");
    // q still quits afterwards: no prompt is left capturing keys.
    assert!(!app.detail.captures_input());
}

#[test]
fn copy_payload_puts_the_pretty_json_on_the_clipboard() {
    let mut app = with_payload(120, 24);
    let effects = press(&mut app, [key(KeyCode::Char('C'))]);
    let text = effects
        .iter()
        .find_map(|e| match e {
            Effect::Copy { text, .. } => Some(text.clone()),
            _ => None,
        })
        .expect("a copy");
    assert!(text.contains("\n  \"error\": {"), "{text}");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&text).ok(),
        Some(payload())
    );
}

#[test]
fn the_detail_share_grows_with_the_screen_and_is_kept() {
    let mut app = with_payload(200, 30);
    let before = aepipe::tui::ui::layout::compute(&app).detail.width;
    assert_eq!(before, 50, "a quarter of a wide screen");
    press(&mut app, [key(KeyCode::Char('>')), key(KeyCode::Char('>'))]);
    assert_eq!(aepipe::tui::ui::layout::compute(&app).detail.width, 54);
    let share = app.layout.detail_share.expect("kept as a share");
    press(&mut app, [Action::Resize(100, 30)]);
    assert_eq!(
        aepipe::tui::ui::layout::compute(&app).detail.width,
        u16::try_from(100 * u32::from(share) / 1000).unwrap()
    );
    // What is saved restores the same layout.
    let saved = aepipe::tui::layout_store::SavedLayout::from_layout(&app.layout);
    let mut restored = aepipe::tui::app::LayoutState::default();
    saved.apply(&mut restored);
    assert_eq!(restored.detail_share, Some(share));
}

/// Three rows of a time and an event, a second apart from 02:15:30.
pub(crate) fn api_rows() -> Arc<QueryResult> {
    let col = |name: &str, t: &str| Column {
        name: name.into(),
        type_name: t.into(),
    };
    let cols = vec![col("timestamp", "DateTime"), col("blob3", "String")];
    let rows = (0..3)
        .map(|i| {
            vec![
                Cell::Text(format!("2026-11-27 02:15:{:02}", 30 + i).into()),
                Cell::Text("http_request".into()),
            ]
        })
        .collect();
    Arc::new(QueryResult::from_parts(cols, rows))
}

fn entry(ts: &str, data: serde_json::Value) -> RawLogEntry {
    RawLogEntry {
        timestamp: ts.into(),
        level: "info".into(),
        data,
    }
}

#[test]
fn raw_logs_around_a_grid_row_show_paused_in_the_tail_pane() {
    let mut app = scoped(120, 32);
    app.editor
        .set_text("SELECT timestamp, blob3 FROM aepipe LIMIT 3");
    let effects = press(&mut app, [key(KeyCode::F(5))]);
    let id = effects
        .iter()
        .find_map(|e| match e {
            Effect::RunQuery { id, .. } => Some(*id),
            _ => None,
        })
        .expect("runs");
    press(
        &mut app,
        [Action::QueryFinished {
            id,
            result: Ok(api_rows()),
            elapsed: Duration::from_millis(5),
        }],
    );
    app.notice = None;
    press(&mut app, [key(KeyCode::Tab)]);
    assert_eq!(app.focus, Focus::Results);
    let effects = press(&mut app, [key(KeyCode::Char('a'))]);
    let (wid, center) = effects
        .iter()
        .find_map(|e| match e {
            Effect::FetchRawWindow { id, center_ms, .. } => Some((*id, *center_ms)),
            _ => None,
        })
        .expect("the window is fetched");
    assert!(effects.iter().any(|e| matches!(e, Effect::StopTail)));
    // The first row: 2026-11-27 02:15:30 UTC.
    assert_eq!(center, 1_795_745_730_000);
    assert_eq!(app.bottom, Bottom::Tail);
    assert!(screen(&app).contains("loading…"));
    let before = vec![entry(
        "2026-11-27T02:14:00.000Z",
        json!({"message": "warming up"}),
    )];
    let after = vec![
        entry("2026-11-27T02:16:10.000Z", json!({"message": "after"})),
        entry("2026-11-27T02:15:30.000Z", json!({"message": "the moment"})),
    ];
    press(
        &mut app,
        [Action::Tail(TailMsg {
            id: wid,
            event: TailEvent::Window {
                center_ms: center,
                result: Ok((before, after)),
            },
        })],
    );
    let s = screen(&app);
    assert!(
        s.contains("raw logs ±5 min · shop/api")
            && s.contains("±5 min around 2026-11-27 02:15:30 UTC · 3 lines"),
        "{s}"
    );
    assert_eq!(
        app.tail.selected().map(|l| l.message.as_str()),
        Some("the moment")
    );
    snap("raw_window_from_row", &app);
    // F goes live: the live tail starts again.
    let effects = press(&mut app, [key(KeyCode::Char('F'))]);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::StartTail { .. })),
        "{effects:?}"
    );
    assert!(app.tail.window().is_none());
}

#[test]
fn a_tail_line_pivots_to_every_row_with_a_chosen_value() {
    let mut app = scoped(120, 32);
    press(&mut app, [key(KeyCode::F(4))]);
    let id = app.tail.id();
    app.tail.on_tail_entries(
        id,
        vec![
            entry(
                "2026-11-27T02:15:30.123Z",
                json!({"event": "http_request", "blobs": ["/api/cart", "", "", "", "u-'42"]}),
            ),
            entry(
                "2026-11-27T02:15:31.000Z",
                json!({"message": "a log entry"}),
            ),
        ],
        std::time::Instant::now(),
        1_900_000_000_000,
    );
    // The newest line is a log entry: it has no row.
    press(&mut app, [key(KeyCode::Char('='))]);
    assert!(app.picker().is_none());
    assert!(
        app.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("no column")),
        "{:?}",
        app.notice
    );
    press(
        &mut app,
        [key(KeyCode::Up), key(KeyCode::Up), key(KeyCode::Char('='))],
    );
    let picker = app.picker().expect("the columns are offered");
    let labels: Vec<_> = picker.items.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(
        labels,
        [
            "blob3 = http_request",
            "blob6 = /api/cart",
            "blob10 = u-'42"
        ]
    );
    snap("tail_pivot_picker", &app);
    let effects = press(
        &mut app,
        [key(KeyCode::Down), key(KeyCode::Down), key(KeyCode::Enter)],
    );
    let sql = effects
        .iter()
        .find_map(|e| match e {
            Effect::RunQuery { sql, scope, .. } => {
                assert_eq!(
                    (scope.project.as_str(), scope.logstore.as_str()),
                    ("shop", "api")
                );
                Some(sql.clone())
            }
            _ => None,
        })
        .expect("the pivot runs");
    assert!(sql.contains("WHERE blob10 = 'u-\\'42'"), "{sql}");
    assert!(app.editor.text().contains(&sql), "visible in the editor");
    assert_eq!(app.bottom, Bottom::Grid);
    // From the tail, a raw-logs window around the line, too.
    press(&mut app, [key(KeyCode::F(4))]);
    press(&mut app, [key(KeyCode::Up), key(KeyCode::Up)]);
    let effects = press(&mut app, [key(KeyCode::Char('a'))]);
    assert!(
        effects.iter().any(|e| matches!(
            e,
            Effect::FetchRawWindow {
                center_ms: 1_795_745_730_123,
                ..
            }
        )),
        "{effects:?}"
    );
}
