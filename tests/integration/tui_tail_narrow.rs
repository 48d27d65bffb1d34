//! The live tail's header at 80×24 (a pane 41 columns wide): when paused,
//! "paused · N new · End resumes" stays whole and the rate gives way.

use crate::tui_panes;

use std::time::Instant;

use aepipe::client::RawLogEntry;
use aepipe::tui::tail::{render, TailState};
use aepipe::tui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent};
use serde_json::json;
use tui_panes::{draw, screen};

const NOW_MS: i64 = 1_795_745_760_000; // 2026-11-27T02:16:00Z
/// The tail pane's width on an 80-column screen.
const W: u16 = 41;
const H: u16 = 14;

fn entry(i: i64) -> RawLogEntry {
    let ms = NOW_MS - 20_000 + i * 250;
    let ts = chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default();
    RawLogEntry {
        timestamp: ts,
        level: "info".into(),
        data: json!({"level": "info", "message": format!("GET /cart/{i} 200")}),
    }
}

#[test]
fn paused_with_new_lines_keeps_its_whole_note_on_a_narrow_pane() {
    let t0 = Instant::now();
    let mut s = TailState::default();
    let (w, h) = render::viewport(ratatui::layout::Rect::new(0, 0, W, H));
    s.set_viewport(w, h);
    let id = s.start("shop", "api", t0);
    s.on_tail_entries(id, (0..40).map(entry).collect(), t0, NOW_MS);
    s.tick(t0, NOW_MS);
    for _ in 0..5 {
        s.handle_key(KeyEvent::from(KeyCode::Up));
    }
    s.on_tail_entries(id, (40..44).map(entry).collect(), t0, NOW_MS);
    let t = draw(W, H, |area, buf| {
        render::render(&s, area, buf, &Theme::ansi16(), true)
    });
    let text = screen(&t);
    let header = text.lines().nth(1).unwrap_or("");
    assert!(header.contains("paused · 4 new · End resumes"), "{text}");
    assert!(header.contains("● live"), "{text}");
}
