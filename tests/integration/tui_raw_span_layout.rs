//! Issue 12: the raw logs around a row have a span the user changes
//! (`+`/`-` step through ±1/5/15/60 min, shown in the pane's title; the
//! next window keeps it), and the pane sizes are written when they change
//! (half a second after the last `<`/`>`), not only on exit.
//! update()-level tests and a TestBackend snapshot.

use crate::tui_payload::api_rows;
use crate::tui_support;
use crate::tui_tabs::run;

use aepipe::client::RawLogEntry;
use aepipe::tui::action::Action;
use aepipe::tui::app::{App, Focus, TICKS_PER_SECOND};
use aepipe::tui::effects::Effect;
use aepipe::tui::tail::{TailEvent, TailMsg};
use crossterm::event::KeyCode;
use serde_json::json;
use tui_support::*;

/// The grid shows three rows, focused.
fn with_rows() -> App {
    let mut app = scoped(120, 32);
    run(
        &mut app,
        "SELECT timestamp, blob3 FROM aepipe LIMIT 3",
        api_rows(),
    );
    app.focus = Focus::Results;
    app
}

/// (window id, center, minutes) of the fetch among `effects`.
fn fetched(effects: &[Effect]) -> Option<(u64, i64, i64)> {
    effects.iter().find_map(|e| match e {
        Effect::FetchRawWindow {
            id,
            center_ms,
            minutes,
            ..
        } => Some((*id, *center_ms, *minutes)),
        _ => None,
    })
}

fn deliver(app: &mut App, id: u64, center_ms: i64) {
    let line = |ts: &str, m: &str| RawLogEntry {
        timestamp: ts.into(),
        level: "info".into(),
        data: json!({ "message": m }),
    };
    press(
        app,
        [Action::Tail(TailMsg {
            id,
            event: TailEvent::Window {
                center_ms,
                result: Ok((
                    vec![line("2026-11-27T02:04:00.000Z", "long before")],
                    vec![line("2026-11-27T02:15:30.000Z", "the moment")],
                )),
            },
        })],
    );
}

#[test]
fn plus_and_minus_change_the_span_around_the_same_moment() {
    let mut app = with_rows();
    let (id, center, minutes) = fetched(&press(&mut app, [key(KeyCode::Char('a'))])).expect("a");
    assert_eq!(minutes, 5);
    deliver(&mut app, id, center);
    assert!(screen(&app).contains("raw logs ±5 min · shop/api"));

    let (id, again, minutes) = fetched(&press(&mut app, [key(KeyCode::Char('+'))])).expect("wider");
    assert_eq!((again, minutes), (center, 15), "the same moment, wider");
    deliver(&mut app, id, center);
    let s = screen(&app);
    assert!(
        s.contains("raw logs ±15 min · shop/api")
            && s.contains("±15 min around 2026-11-27 02:15:30 UTC · 2 lines"),
        "{s}"
    );
    snap_window(&app);
    let (_, _, minutes) = fetched(&press(&mut app, [key(KeyCode::Char('+'))])).expect("wider");
    assert_eq!(minutes, 60);
    let effects = press(&mut app, [key(KeyCode::Char('+'))]);
    assert!(fetched(&effects).is_none(), "no wider than an hour");
    assert!(screen(&app).contains("±60 min is the widest span"));
    for want in [15, 5, 1] {
        let (_, _, minutes) =
            fetched(&press(&mut app, [key(KeyCode::Char('-'))])).expect("narrower");
        assert_eq!(minutes, want);
    }
    assert!(fetched(&press(&mut app, [key(KeyCode::Char('-'))])).is_none());
    assert!(screen(&app).contains("±1 min is the narrowest span"));

    // Back in the grid, the next window keeps the span chosen.
    press(&mut app, [key(KeyCode::F(4))]);
    app.focus = Focus::Results;
    assert!(app.bottom == aepipe::tui::app::Bottom::Grid);
    let (_, _, minutes) = fetched(&press(&mut app, [key(KeyCode::Char('a'))])).expect("a");
    assert_eq!(minutes, 1);
}

fn snap_window(app: &App) {
    let settings = snapshot_settings();
    settings.bind(|| insta::assert_snapshot!("raw_window_fifteen_minutes", screen(app)));
}

#[test]
fn plus_in_the_live_tail_says_what_it_is_for() {
    let mut app = scoped(120, 32);
    press(&mut app, [key(KeyCode::F(4))]);
    let effects = press(&mut app, [key(KeyCode::Char('+'))]);
    assert!(fetched(&effects).is_none());
    assert!(screen(&app).contains("+ and - change the span of raw logs"));
}

fn layout_writes(effects: &[Effect]) -> Vec<aepipe::tui::layout_store::SavedLayout> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::SaveLayout { layout, .. } => Some(layout.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn changed_pane_sizes_are_written_half_a_second_after_the_last_change() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = with_rows();
    app.size = (200, 30);
    aepipe::tui::update::apply_layout(&mut app);
    app.layout_path = Some(dir.path().join("layout.toml"));
    app.focus = Focus::Detail;
    let effects = press(&mut app, [key(KeyCode::Char('>')), key(KeyCode::Char('>'))]);
    assert!(layout_writes(&effects).is_empty(), "not on every key");
    let effects = press(&mut app, [Action::Tick]);
    assert!(layout_writes(&effects).is_empty(), "a burst is one write");
    // Another change within the half second moves the write on.
    press(&mut app, [key(KeyCode::Char('>'))]);
    let ticks = TICKS_PER_SECOND / 2;
    let effects = press(&mut app, (0..ticks).map(|_| Action::Tick));
    let written = layout_writes(&effects);
    assert_eq!(written.len(), 1, "{effects:?}");
    assert_eq!(written[0].detail_share, app.layout.detail_share);
    assert!(app.layout.detail_share.is_some());
    // Nothing changed since: no more writes.
    let effects = press(&mut app, (0..4 * TICKS_PER_SECOND).map(|_| Action::Tick));
    assert!(layout_writes(&effects).is_empty());
    // A size that cannot change writes nothing either.
    app.layout.zoomed = true;
    press(&mut app, [key(KeyCode::Char('<'))]);
    let effects = press(&mut app, (0..TICKS_PER_SECOND).map(|_| Action::Tick));
    assert!(layout_writes(&effects).is_empty());
}

#[test]
fn without_a_layout_file_nothing_is_written() {
    let mut app = with_rows();
    app.focus = Focus::Detail;
    press(&mut app, [key(KeyCode::Char('>'))]);
    let effects = press(&mut app, (0..TICKS_PER_SECOND).map(|_| Action::Tick));
    assert!(layout_writes(&effects).is_empty());
}
