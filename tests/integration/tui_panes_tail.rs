//! The live tail pane: rendering of its states on a TestBackend (insta
//! snapshots), and the polling task against a real local server: lines
//! arrive once each and in order, a replaced tail's messages are dropped, a
//! bad token stops with the server's message, and a dead server is retried.

use crate::common;
use crate::tui_panes;

use std::time::{Duration, Instant};

use aepipe::client::tail::{TailOptions, TailStart};
use aepipe::client::{LogEntry, RawLogEntry};
use aepipe::tui::tail::task::{self, TailEvent, TailMsg};
use aepipe::tui::tail::{render, ConnState, TailState};
use aepipe::tui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::style::Color;
use serde_json::json;
use tokio::sync::mpsc;
use tui_panes::{draw, fg_of, screen};

const NOW_MS: i64 = 1_795_745_760_000; // 2026-11-27T02:16:00Z

fn entry(i: i64, level: &str, msg: &str) -> RawLogEntry {
    let ms = NOW_MS - 20_000 + i * 250;
    let ts = chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default();
    RawLogEntry {
        timestamp: ts,
        level: level.into(),
        data: json!({"project": "shop", "logstore": "web", "level": level, "message": msg, "req": i}),
    }
}

fn sample() -> Vec<RawLogEntry> {
    (0..40)
        .map(|i| match i % 7 {
            3 => entry(i, "error", &format!("payment timeout for order {i}")),
            5 => entry(i, "warn", &format!("slow request {i}")),
            6 => entry(i, "debug", "cache hit"),
            _ => entry(i, "info", &format!("GET /cart/{i} 200")),
        })
        .collect()
}

const W: u16 = 72;
const H: u16 = 14;

fn pane() -> (TailState, Instant) {
    let t0 = Instant::now();
    let mut s = TailState::default();
    let (w, h) = render::viewport(ratatui::layout::Rect::new(0, 0, W, H));
    s.set_viewport(w, h);
    let id = s.start("shop", "web", t0);
    s.on_tail_entries(id, sample(), t0, NOW_MS);
    s.tick(t0, NOW_MS);
    (s, t0)
}

fn shot(s: &TailState) -> ratatui::Terminal<ratatui::backend::TestBackend> {
    draw(W, H, |area, buf| {
        render::render(s, area, buf, &Theme::ansi16(), true)
    })
}

#[test]
fn tail_following_with_level_colours() {
    let (s, _) = pane();
    let t = shot(&s);
    insta::assert_snapshot!("tail_following", screen(&t));
    assert_eq!(fg_of(&t, "error payment"), Some(Color::Red));
    assert_eq!(fg_of(&t, "warn  slow"), Some(Color::Yellow));
}

#[test]
fn tail_paused_counts_new_lines() {
    let (mut s, t0) = pane();
    for _ in 0..5 {
        s.handle_key(KeyEvent::from(KeyCode::Up));
    }
    let id = s.id();
    s.on_tail_entries(
        id,
        (40..43).map(|i| entry(i, "info", "late")).collect(),
        t0,
        NOW_MS,
    );
    insta::assert_snapshot!("tail_paused", screen(&shot(&s)));
}

#[test]
fn tail_filtered_with_highlights() {
    let (mut s, _) = pane();
    s.handle_key(KeyEvent::from(KeyCode::Char('/')));
    for c in "timeout".chars() {
        s.handle_key(KeyEvent::from(KeyCode::Char(c)));
    }
    let editing = screen(&shot(&s));
    s.handle_key(KeyEvent::from(KeyCode::Enter));
    let t = shot(&s);
    insta::assert_snapshot!("tail_filter_editing", editing);
    insta::assert_snapshot!("tail_filtered", screen(&t));
    // The match itself is highlighted.
    let buf = t.backend().buffer();
    let highlighted = (0..H)
        .any(|y| (0..W).any(|x| buf[(x, y)].symbol() == "t" && buf[(x, y)].bg == Color::Yellow));
    assert!(highlighted, "the matched text has the highlight background");
}

#[test]
fn tail_connection_states() {
    let (mut s, t0) = pane();
    let id = s.id();
    s.on_tail_msg(
        TailMsg {
            id,
            event: TailEvent::Retrying {
                message: "could not reach aepipe: connection refused".into(),
                attempt: 3,
                retry_in: Duration::from_secs(4),
            },
        },
        t0,
        NOW_MS,
    );
    s.tick(t0 + Duration::from_millis(1500), NOW_MS + 1500);
    insta::assert_snapshot!("tail_retrying", screen(&shot(&s)));
    s.tick(t0 + Duration::from_secs(15), NOW_MS + 15_000);
    let stalled = screen(&shot(&s));
    assert!(stalled.contains("no answer for 15 s"), "{stalled}");
    s.on_tail_failed(id, "aepipe answered 401: unauthorized".into());
    insta::assert_snapshot!("tail_failed", screen(&shot(&s)));
}

#[test]
fn tail_empty_and_relative_times() {
    let t0 = Instant::now();
    let mut s = TailState::default();
    let (w, h) = render::viewport(ratatui::layout::Rect::new(0, 0, W, 6));
    s.set_viewport(w, h);
    s.start("shop", "web", t0);
    s.tick(t0, NOW_MS);
    insta::assert_snapshot!(
        "tail_empty",
        screen(&draw(W, 6, |a, b| render::render(
            &s,
            a,
            b,
            &Theme::ansi16(),
            false
        )))
    );
    let (mut s, _) = pane();
    s.handle_key(KeyEvent::from(KeyCode::Char('T')));
    s.handle_key(KeyEvent::from(KeyCode::Char('T')));
    let text = screen(&shot(&s));
    assert!(
        text.contains("10 s ago") && text.contains("relative"),
        "{text}"
    );
}

fn fast(start: TailStart) -> TailOptions {
    TailOptions {
        interval: Duration::from_millis(50),
        start,
        ..TailOptions::default()
    }
}

/// The messages of the buffer's log lines (gap lines apart), oldest first.
fn messages(s: &TailState) -> Vec<String> {
    lines(s, false)
}

/// The gap lines the tail added where it cannot vouch for every record.
fn gap_lines(s: &TailState) -> Vec<String> {
    lines(s, true)
}

fn lines(s: &TailState, gaps: bool) -> Vec<String> {
    (0..s.buffer().len())
        .filter_map(|i| s.buffer().shown(i))
        .filter(|l| (l.level == aepipe::tui::tail::GAP_LEVEL) == gaps)
        .map(|l| l.message.clone())
        .collect()
}

fn last_message(s: &TailState) -> Option<String> {
    messages(s).pop()
}

/// Feed the task's messages to the pane until `done` holds or 30 s pass.
async fn pump(
    s: &mut TailState,
    rx: &mut mpsc::UnboundedReceiver<TailMsg>,
    mut done: impl FnMut(&TailState) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done(s) {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Some(msg)) => {
                s.on_tail_msg(msg, Instant::now(), chrono::Utc::now().timestamp_millis())
            }
            _ => panic!("timed out; conn {:?}, {} lines", s.conn(), s.buffer().len()),
        }
    }
}

#[tokio::test]
async fn the_task_tails_a_real_server_once_each_in_order() {
    let server = common::TestServer::start().await;
    let client = server.client();
    let backlog: Vec<LogEntry> = (0..5).map(|i| LogEntry::new(format!("old {i}"))).collect();
    client.log("shop", "web", &backlog).await.expect("log");

    let mut s = TailState::default();
    s.set_viewport(80, 20);
    let id = s.start("shop", "web", Instant::now());
    let (tx, mut rx) = mpsc::unbounded_channel::<TailMsg>();
    let _task = task::spawn_with(
        client.clone(),
        "shop",
        "web",
        id,
        fast(TailStart::Backlog(3)),
        tx,
    );
    pump(&mut s, &mut rx, |s| s.buffer().len() >= 3).await;
    assert_eq!(s.conn(), &ConnState::Live);

    // 600 more lines in batches while the tail runs: more than a rawlog page
    // (200) between polls, so the task must page back.
    for batch in 0..3 {
        let logs: Vec<LogEntry> = (0..200)
            .map(|i| LogEntry::new(format!("new {}", batch * 200 + i)).field("n", batch * 200 + i))
            .collect();
        client.log("shop", "web", &logs).await.expect("log");
    }
    pump(&mut s, &mut rx, |s| s.buffer().len() >= 603).await;
    // A last line, written after all others: once it is shown, anything
    // doubled or late from the batches above would have been shown before it.
    client
        .log("shop", "web", &[LogEntry::new("end")])
        .await
        .expect("log");
    pump(&mut s, &mut rx, |s| {
        last_message(s).as_deref() == Some("end")
    })
    .await;
    let mut expected = vec!["old 2".to_string(), "old 3".into(), "old 4".into()];
    expected.extend((0..600).map(|i| format!("new {i}")));
    expected.push("end".into());
    assert_eq!(messages(&s), expected, "every line once, oldest first");
    // A batch of 200 shares one millisecond: a full page, so the tail
    // cannot know whether more share it and says so in a gap line.
    let gaps = gap_lines(&s);
    assert!(gaps.len() <= 3, "at most one per batch: {gaps:?}");
    assert!(
        gaps.iter().all(|g| g.contains("cannot be read")),
        "{gaps:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn none_lost_or_doubled_under_a_writer_at_1000_lines_per_second() {
    let server = common::TestServer::start().await;
    let client = server.client();
    let mut s = TailState::default();
    s.set_viewport(80, 20);
    let id = s.start("shop", "web", Instant::now());
    let (tx, mut rx) = mpsc::unbounded_channel::<TailMsg>();
    // The default one-second interval: about 1,000 lines arrive between two
    // polls, five times a rawlog page, so every poll pages back.
    let options = TailOptions {
        start: TailStart::Backlog(0),
        ..TailOptions::default()
    };
    let _task = task::spawn_with(client.clone(), "shop", "web", id, options, tx);
    pump(&mut s, &mut rx, |s| s.conn() == &ConnState::Live).await;

    let writer = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(50));
        for batch in 0..40 {
            tick.tick().await;
            let logs: Vec<LogEntry> = (0..50)
                .map(|i| LogEntry::new(format!("w {}", batch * 50 + i)))
                .collect();
            client.log("shop", "web", &logs).await.expect("log");
        }
    });
    pump(&mut s, &mut rx, |s| s.buffer().len() >= 2000).await;
    writer.await.expect("writer");
    // A last line after the writer's: once it is shown, a doubled line
    // would already be in the buffer.
    let end = server.client();
    end.log("shop", "web", &[LogEntry::new("end")])
        .await
        .expect("log");
    pump(&mut s, &mut rx, |s| {
        last_message(s).as_deref() == Some("end")
    })
    .await;
    let mut got = messages(&s);
    assert_eq!(got.pop().as_deref(), Some("end"));
    let want: Vec<String> = (0..2000).map(|i| format!("w {i}")).collect();
    assert_eq!(got.len(), want.len(), "no line lost or doubled");
    assert_eq!(got, want, "in the order written");
}

#[tokio::test]
async fn a_replaced_tail_is_ignored_and_its_task_stops_on_drop() {
    let server = common::TestServer::start().await;
    let client = server.client();
    client
        .log("shop", "web", &[LogEntry::new("web line")])
        .await
        .expect("log");
    client
        .log("shop", "api", &[LogEntry::new("api line")])
        .await
        .expect("log");
    let mut s = TailState::default();
    s.set_viewport(80, 20);
    // Each task has a channel of its own, so the test knows which one spoke
    // and when the old one is gone (its sender dropped with it).
    let (old_tx, mut old_rx) = mpsc::unbounded_channel::<TailMsg>();
    let (new_tx, mut new_rx) = mpsc::unbounded_channel::<TailMsg>();
    let old_id = s.start("shop", "web", Instant::now());
    let old = task::spawn_with(
        client.clone(),
        "shop",
        "web",
        old_id,
        fast(TailStart::Backlog(10)),
        old_tx,
    );
    let new_id = s.start("shop", "api", Instant::now());
    let _new = task::spawn_with(
        client.clone(),
        "shop",
        "api",
        new_id,
        fast(TailStart::Backlog(10)),
        new_tx,
    );
    // The replaced tail's first answer (its backlog, "web line") reaches
    // the pane and is ignored.
    let wait = Duration::from_secs(30);
    let from_old = loop {
        let msg = tokio::time::timeout(wait, old_rx.recv())
            .await
            .expect("the old task answers")
            .expect("the old task runs");
        if matches!(&msg.event, TailEvent::Entries(e) if !e.is_empty()) {
            break msg;
        }
    };
    assert_eq!(from_old.id, old_id);
    s.on_tail_msg(from_old, Instant::now(), 0);
    pump(&mut s, &mut new_rx, |s| !s.buffer().is_empty()).await;
    assert_eq!(messages(&s), ["api line"]);

    // Dropping the handle stops the task: its channel closes.
    drop(old);
    let closed = tokio::time::timeout(wait, async { while old_rx.recv().await.is_some() {} }).await;
    assert!(closed.is_ok(), "the old task still runs after its drop");
}

#[tokio::test]
async fn a_bad_token_stops_with_the_server_message() {
    let server = common::TestServer::start().await;
    let client = aepipe::client::Client::new(server.url(), "wrong-token").expect("client");
    let mut s = TailState::default();
    let id = s.start("shop", "web", Instant::now());
    let (tx, mut rx) = mpsc::unbounded_channel::<TailMsg>();
    let task = task::spawn_with(client, "shop", "web", id, fast(TailStart::Backlog(10)), tx);
    pump(&mut s, &mut rx, |s| {
        matches!(s.conn(), ConnState::Failed(_))
    })
    .await;
    assert!(
        matches!(s.conn(), ConnState::Failed(m) if m.contains("401")),
        "{:?}",
        s.conn()
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while !task.is_finished() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(task.is_finished(), "no retry loop on a 401");
}

#[tokio::test]
async fn a_dead_server_is_retried_with_backoff() {
    let server = common::TestServer::start().await;
    let client = server.client();
    let _dir = server.stop().await;
    let mut s = TailState::default();
    let id = s.start("shop", "web", Instant::now());
    let (tx, mut rx) = mpsc::unbounded_channel::<TailMsg>();
    let task = task::spawn_with(client, "shop", "web", id, fast(TailStart::Backlog(10)), tx);
    pump(&mut s, &mut rx, |s| {
        matches!(s.conn(), ConnState::Retrying { .. })
    })
    .await;
    let ConnState::Retrying {
        attempt, message, ..
    } = s.conn().clone()
    else {
        unreachable!()
    };
    assert_eq!(attempt, 1);
    assert!(message.contains("could not reach"), "{message}");
    assert!(!task.is_finished(), "it keeps trying");
}

#[test]
fn without_colour_the_paused_cursor_and_matches_stay_visible() {
    let (mut s, _) = pane();
    s.handle_key(KeyEvent::from(KeyCode::Char('/')));
    for c in "timeout".chars() {
        s.handle_key(KeyEvent::from(KeyCode::Char(c)));
    }
    s.handle_key(KeyEvent::from(KeyCode::Enter));
    s.handle_key(KeyEvent::from(KeyCode::Up));
    let t = draw(W, H, |area, buf| {
        render::render(&s, area, buf, &Theme::monochrome(), true)
    });
    let buf = t.backend().buffer();
    let reversed_rows: Vec<u16> = (0..H)
        .filter(|&y| {
            (1..W - 1).all(|x| {
                buf[(x, y)]
                    .modifier
                    .contains(ratatui::style::Modifier::REVERSED)
            })
        })
        .collect();
    assert_eq!(reversed_rows.len(), 1, "one cursor line: {reversed_rows:?}");
    let match_off_cursor = (0..H).filter(|y| !reversed_rows.contains(y)).any(|y| {
        (0..W).any(|x| {
            buf[(x, y)]
                .modifier
                .contains(ratatui::style::Modifier::REVERSED)
        })
    });
    assert!(match_off_cursor, "matches on other lines are reversed too");
    assert!((0..W).all(|x| (0..H).all(|y| buf[(x, y)].fg == Color::Reset)));
}

/// A deployment that head-samples its raw logs: the header says so, paused
/// or not, and the note survives a restart of the tail on another logstore.
#[test]
fn tail_header_says_raw_logs_are_sampled() {
    let (mut s, t0) = pane();
    assert!(!screen(&shot(&s)).contains("sampled"));
    s.set_sample_rate(Some(0.25));
    let text = screen(&shot(&s));
    // The first line inside the border is the pane's header.
    let header = text.lines().nth(1).unwrap_or_default();
    assert!(header.contains("sampled 25%"), "{text}");
    for _ in 0..3 {
        s.handle_key(KeyEvent::from(KeyCode::Up));
    }
    let paused = screen(&shot(&s));
    let paused_header = paused.lines().nth(1).unwrap_or_default();
    assert!(
        paused_header.contains("sampled 25%") && paused_header.contains("paused"),
        "{paused}"
    );
    s.start("shop", "api", t0);
    assert!(screen(&shot(&s)).contains("sampled 25%"));
    // A rate of 1 keeps everything: nothing to say.
    s.set_sample_rate(Some(1.0));
    assert!(!screen(&shot(&s)).contains("sampled"));
}
