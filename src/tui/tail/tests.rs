use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

use super::*;

const NOW_MS: i64 = 1_795_745_760_000; // 2026-11-27T02:16:00Z

fn entry(i: usize, level: &str, msg: &str) -> RawLogEntry {
    let ms = NOW_MS - 30_000 + i as i64;
    let ts = chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default();
    RawLogEntry {
        timestamp: ts,
        level: level.into(),
        data: json!({"message": msg, "n": i}),
    }
}

fn entries(range: std::ops::Range<usize>) -> Vec<RawLogEntry> {
    range
        .map(|i| {
            entry(
                i,
                if i % 10 == 0 { "error" } else { "info" },
                &format!("line {i}"),
            )
        })
        .collect()
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}
fn ch(c: char) -> KeyEvent {
    key(KeyCode::Char(c))
}

fn tail(height: u16) -> (TailState, u64, Instant) {
    let t0 = Instant::now();
    let mut s = TailState::default();
    s.set_viewport(80, height);
    let id = s.start("shop", "web", t0);
    (s, id, t0)
}

fn shown_messages(s: &TailState) -> Vec<String> {
    s.visible_lines().map(|(l, _)| l.message.clone()).collect()
}

#[test]
fn follows_the_newest_lines_at_the_bottom() {
    let (mut s, id, t0) = tail(3);
    assert_eq!(s.conn(), &ConnState::Connecting);
    s.on_tail_entries(id, entries(0..5), t0, NOW_MS);
    assert_eq!(s.conn(), &ConnState::Live);
    assert_eq!(shown_messages(&s), ["line 2", "line 3", "line 4"]);
    s.on_tail_entries(id, entries(5..7), t0, NOW_MS);
    assert_eq!(shown_messages(&s), ["line 4", "line 5", "line 6"]);
    assert!(s.is_following());
}

#[test]
fn scrolling_up_pauses_and_counts_new_lines_until_end_resumes() {
    let (mut s, id, t0) = tail(3);
    s.on_tail_entries(id, entries(0..10), t0, NOW_MS);
    s.handle_key(ch('k'));
    assert!(!s.is_following());
    assert_eq!(s.selected().map(|l| l.message.as_str()), Some("line 8"));
    let before = shown_messages(&s);
    s.on_tail_entries(id, entries(10..14), t0, NOW_MS);
    assert_eq!(shown_messages(&s), before, "a paused view does not move");
    assert_eq!(s.new_while_paused(), 4);
    assert_eq!(s.selected().map(|l| l.message.as_str()), Some("line 8"));
    s.handle_key(ch('F'));
    assert!(s.is_following());
    assert_eq!(s.new_while_paused(), 0);
    assert_eq!(shown_messages(&s), ["line 11", "line 12", "line 13"]);
}

#[test]
fn the_buffer_keeps_the_newest_ten_thousand() {
    let (mut s, id, t0) = tail(5);
    for chunk in 0..21 {
        s.on_tail_entries(id, entries(chunk * 500..(chunk + 1) * 500), t0, NOW_MS);
    }
    assert_eq!(s.buffer().len(), DEFAULT_CAPACITY);
    assert_eq!(s.buffer().dropped(), 500);
    assert_eq!(
        s.buffer().shown(0).map(|l| l.message.as_str()),
        Some("line 500")
    );
    assert_eq!(
        shown_messages(&s).last().map(String::as_str),
        Some("line 10499")
    );
}

#[test]
fn level_text_and_inverse_filters() {
    let (mut s, id, t0) = tail(20);
    s.on_tail_entries(id, entries(0..30), t0, NOW_MS);
    s.handle_key(ch('l'));
    s.handle_key(ch('l'));
    s.handle_key(ch('l'));
    assert_eq!(s.filter().level, LevelFilter::Error);
    assert_eq!(shown_messages(&s), ["line 0", "line 10", "line 20"]);
    s.handle_key(ch('l'));
    s.handle_key(ch('/'));
    assert!(s.captures_input());
    for c in "LINE 2".chars() {
        s.handle_key(ch(c));
    }
    assert_eq!(s.buffer().shown_len(), 11, "line 2 and line 20..29");
    s.handle_key(key(KeyCode::Enter));
    assert!(!s.captures_input());
    s.handle_key(ch('v'));
    assert_eq!(s.buffer().shown_len(), 19);
    assert!(s
        .visible_lines()
        .all(|(l, _)| !l.message.starts_with("line 2")));
    s.handle_key(key(KeyCode::Esc));
    assert_eq!(s.buffer().shown_len(), 30, "Esc clears the filter");
}

#[test]
fn esc_while_typing_restores_the_previous_filter() {
    let (mut s, id, t0) = tail(20);
    s.on_tail_entries(id, entries(0..30), t0, NOW_MS);
    s.handle_key(ch('/'));
    s.handle_key(ch('7'));
    assert_eq!(s.buffer().shown_len(), 3);
    s.handle_key(ch('q'));
    assert!(s.captures_input(), "q is text while typing");
    s.handle_key(key(KeyCode::Esc));
    assert_eq!(s.filter().text, "");
    assert_eq!(s.buffer().shown_len(), 30);
}

#[test]
fn a_paused_view_keeps_its_line_when_the_filter_changes() {
    let (mut s, id, t0) = tail(5);
    s.on_tail_entries(id, entries(0..100), t0, NOW_MS);
    for _ in 0..50 {
        s.handle_key(ch('k'));
    }
    assert_eq!(s.selected().map(|l| l.message.as_str()), Some("line 49"));
    s.handle_key(ch('l'));
    s.handle_key(ch('l'));
    s.handle_key(ch('l'));
    assert_eq!(
        s.selected().map(|l| l.message.as_str()),
        Some("line 50"),
        "next error line"
    );
    assert!(s
        .visible_lines()
        .any(|(l, cur)| cur && l.message == "line 50"));
}

#[test]
fn enter_opens_the_selected_line_and_y_copies_it() {
    let (mut s, id, t0) = tail(5);
    s.on_tail_entries(id, entries(0..3), t0, NOW_MS);
    let TailOutcome::OpenJson { value, .. } = s.handle_key(key(KeyCode::Enter)) else {
        panic!("Enter opens JSON")
    };
    assert_eq!(value, json!({"message": "line 2", "n": 2}));
    s.handle_key(ch('k'));
    let TailOutcome::Copy { text, .. } = s.handle_key(ch('y')) else {
        panic!()
    };
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&text).ok(),
        Some(json!({"message": "line 1", "n": 1}))
    );
}

#[test]
fn messages_of_a_replaced_tail_are_dropped() {
    let (mut s, old, t0) = tail(5);
    let new = s.start("shop", "api", t0);
    assert_ne!(old, new);
    s.on_tail_entries(old, entries(0..3), t0, NOW_MS);
    s.on_tail_failed(old, "gone".into());
    assert!(s.buffer().is_empty());
    assert_eq!(s.conn(), &ConnState::Connecting);
}

#[test]
fn retrying_and_stalls_are_visible() {
    let (mut s, id, t0) = tail(5);
    s.on_tail_msg(
        TailMsg {
            id,
            event: TailEvent::Retrying {
                message: "could not reach aepipe".into(),
                attempt: 2,
                retry_in: Duration::from_secs(2),
            },
        },
        t0,
        NOW_MS,
    );
    assert!(matches!(s.conn(), ConnState::Retrying { attempt: 2, .. }));
    assert_eq!(s.stalled_for(), None);
    s.tick(t0 + Duration::from_secs(12), NOW_MS + 12_000);
    assert!(s.stalled_for().is_some_and(|d| d.as_secs() == 12));
    s.on_tail_entries(id, vec![], t0 + Duration::from_secs(12), NOW_MS + 12_000);
    assert_eq!(s.conn(), &ConnState::Live);
    assert_eq!(
        s.stalled_for(),
        None,
        "an empty successful poll is a sign of life"
    );
}

#[test]
fn the_rate_counts_lines_by_their_time() {
    let (mut s, id, t0) = tail(5);
    s.on_tail_entries(id, entries(0..25), t0, NOW_MS);
    let series = s.rate().series(NOW_MS);
    assert_eq!(series.iter().sum::<u64>(), 25);
}

#[test]
fn t_cycles_time_modes_and_unknown_keys_pass() {
    let (mut s, _, _) = tail(5);
    assert_eq!(s.time_mode(), TimeMode::Utc);
    s.handle_key(ch('T'));
    assert_eq!(s.time_mode(), TimeMode::Local);
    s.handle_key(ch('T'));
    assert_eq!(s.time_mode(), TimeMode::Relative);
    assert_eq!(s.handle_key(key(KeyCode::Tab)), TailOutcome::Ignored);
    assert_eq!(s.handle_key(ch('q')), TailOutcome::Ignored);
}

#[test]
fn a_raw_window_shows_paused_with_the_cursor_at_the_moment() {
    let t0 = Instant::now();
    let mut s = TailState::default();
    s.set_viewport(80, 6);
    let live = s.start("p", "l", t0);
    let center = NOW_MS - 30_000 + 5;
    let id = s.begin_window("p", "l", center, 5);
    assert_ne!(id, live);
    // The live tail's late lines are dropped.
    s.on_tail_entries(live, entries(0..3), t0, NOW_MS);
    assert_eq!(s.buffer().shown_len(), 0);
    let msg = |result| TailMsg {
        id,
        event: TailEvent::Window {
            center_ms: center,
            result,
        },
    };
    // rawlog answers newest first.
    let mut before = entries(0..5);
    before.reverse();
    let mut after = entries(5..12);
    after.reverse();
    s.on_tail_msg(msg(Ok((before, after))), t0, NOW_MS);
    assert!(!s.is_following());
    assert_eq!(s.window().map(|w| w.count), Some(12));
    assert_eq!(s.selected().map(|l| l.message.as_str()), Some("line 5"));
    assert_eq!(s.stalled_for(), None, "a window polls nothing");
    // Following means going live: the host's call.
    assert_eq!(s.handle_key(ch('F')), TailOutcome::GoLive);
    assert_eq!(s.handle_key(ch(' ')), TailOutcome::GoLive);
    assert_eq!(s.handle_key(ch('a')), TailOutcome::RawAround(Some(center)));
    s.start("p", "l", t0);
    assert!(s.window().is_none() && s.is_following());
}

#[test]
fn a_failed_window_says_why_and_pivot_hands_over_the_line() {
    let mut s = TailState::default();
    s.set_viewport(80, 6);
    let id = s.begin_window("p", "l", NOW_MS, 5);
    s.on_tail_msg(
        TailMsg {
            id,
            event: TailEvent::Window {
                center_ms: NOW_MS,
                result: Err("HTTP 500".into()),
            },
        },
        Instant::now(),
        NOW_MS,
    );
    assert_eq!(s.conn(), &ConnState::Failed("HTTP 500".into()));
    let live = s.start("p", "l", Instant::now());
    s.on_tail_entries(live, entries(0..2), Instant::now(), NOW_MS);
    let TailOutcome::PivotOn(data) = s.handle_key(ch('=')) else {
        panic!("expected the line's data")
    };
    assert_eq!(data["n"], 1);
}
