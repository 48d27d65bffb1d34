use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

use super::*;
use crate::client::{Cell, Column, DetailEntry, DetailResult, QueryResult};

const ID_A: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
const ID_B: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

fn result() -> QueryResult {
    let cols = vec![
        Column {
            name: "event".into(),
            type_name: "String".into(),
        },
        Column {
            name: "ref_id".into(),
            type_name: "String".into(),
        },
        Column {
            name: "double1".into(),
            type_name: "Float64".into(),
        },
    ];
    let row = |e: &str, id: &str, d: f64| {
        vec![Cell::Text(e.into()), Cell::Text(id.into()), Cell::Number(d)]
    };
    QueryResult::from_parts(
        cols,
        vec![
            row("checkout", ID_A, 12.5),
            row("login", ID_B, 1.0),
            row("plain", "", 3.0),
        ],
    )
}

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

fn entry(id: &str) -> DetailEntry {
    DetailEntry {
        ref_id: id.into(),
        payload: json!({"cart": {"items": [{"sku": "A1", "qty": 2}], "total": 31.5}, "user": "ada"}),
        created_at: 1_795_000_000_000,
        expires_at: 1_795_000_000_000 + 90 * 86_400_000,
    }
}

fn texts(s: &DetailState) -> Vec<String> {
    s.tree()
        .visible()
        .iter()
        .filter(|l| l.piece == 0)
        .map(|l| {
            s.tree()
                .node(l.node)
                .map(|n| n.text.clone())
                .unwrap_or_default()
        })
        .collect()
}

fn loaded(row: usize) -> DetailState {
    let t0 = Instant::now();
    let mut s = DetailState::default();
    s.set_viewport(60, 20);
    s.show_row(&result(), row, 0..3, t0);
    let DetailOutcome::Fetch(req) = s.tick(t0 + DEFAULT_DEBOUNCE, 1_795_000_060_000) else {
        panic!("expected a fetch");
    };
    s.on_payloads(
        req.req_id,
        Ok(DetailResult {
            results: vec![entry(ID_A), entry(ID_B)],
        }),
    );
    s
}

#[test]
fn a_row_with_a_ref_id_loads_its_payload_after_the_debounce() {
    let t0 = Instant::now();
    let mut s = DetailState::default();
    s.show_row(&result(), 0, 0..3, t0);
    assert_eq!(s.ref_id(), Some(ID_A));
    assert_eq!(s.payload_status(), Some(&PayloadStatus::Loading));
    assert!(texts(&s).contains(&"loading…".to_string()));
    assert_eq!(
        s.tick(t0 + Duration::from_millis(10), 0),
        DetailOutcome::Handled
    );
    let DetailOutcome::Fetch(req) = s.tick(t0 + DEFAULT_DEBOUNCE, 0) else {
        panic!("expected a fetch");
    };
    assert_eq!(
        req.ref_ids,
        [ID_A, ID_B],
        "the visible rows are prefetched, the empty ref skipped"
    );
    s.on_payloads(
        req.req_id,
        Ok(DetailResult {
            results: vec![entry(ID_A)],
        }),
    );
    assert!(matches!(s.payload_status(), Some(PayloadStatus::Found(_))));
    let shown = texts(&s);
    assert!(shown.contains(&"\"ada\"".to_string()), "{shown:?}");
    assert!(
        shown.iter().any(|t| t.starts_with("created 2026-11-18")),
        "{shown:?}"
    );
}

#[test]
fn moving_to_a_prefetched_row_shows_it_without_a_request() {
    let mut s = loaded(0);
    let t1 = Instant::now();
    s.show_row(&result(), 1, 0..3, t1);
    assert!(matches!(s.payload_status(), Some(PayloadStatus::Found(e)) if e.ref_id == ID_B));
    assert_eq!(
        s.tick(t1 + Duration::from_secs(1), 0),
        DetailOutcome::Handled
    );
}

#[test]
fn a_ref_id_absent_from_the_answer_is_not_found_or_expired() {
    let t0 = Instant::now();
    let mut s = DetailState::default();
    s.show_row(&result(), 1, 1..2, t0);
    let DetailOutcome::Fetch(req) = s.tick(t0 + DEFAULT_DEBOUNCE, 0) else {
        panic!()
    };
    s.on_payloads(req.req_id, Ok(DetailResult::default()));
    assert_eq!(s.payload_status(), Some(&PayloadStatus::Missing));
    assert!(texts(&s)
        .iter()
        .any(|t| t.starts_with("not found or expired")));
}

#[test]
fn no_payload_storage_and_errors_are_distinct() {
    let t0 = Instant::now();
    let mut s = DetailState::default();
    s.show_row(&result(), 0, 0..1, t0);
    let DetailOutcome::Fetch(req) = s.tick(t0 + DEFAULT_DEBOUNCE, 0) else {
        panic!()
    };
    s.on_payloads(
        req.req_id,
        Err(PayloadError::Failed("could not reach aepipe".into())),
    );
    assert_eq!(
        s.payload_status(),
        Some(&PayloadStatus::Failed("could not reach aepipe".into()))
    );
    assert_eq!(s.handle_key(key('r')), DetailOutcome::Handled);
    let DetailOutcome::Fetch(again) = s.tick(Instant::now(), 0) else {
        panic!("r retries")
    };
    s.on_payloads(again.req_id, Err(PayloadError::NoStorage));
    assert_eq!(s.payload_status(), Some(&PayloadStatus::NoStorage));
    assert!(texts(&s).iter().any(|t| t.contains("keeps no payloads")));
}

#[test]
fn a_row_without_ref_id_shows_fields_only() {
    let t0 = Instant::now();
    let mut s = DetailState::default();
    s.show_row(&result(), 2, 2..3, t0);
    assert_eq!(s.ref_id(), None);
    assert_eq!(s.payload_status(), None);
    assert_eq!(texts(&s), ["row", "\"plain\"", "\"\"", "3.0"]);
    assert_eq!(
        s.tick(t0 + Duration::from_secs(1), 0),
        DetailOutcome::Handled
    );
}

#[test]
fn fold_unfold_and_fold_all() {
    let mut s = loaded(0);
    let before = s.tree().visible().len();
    // Move to "cart" (row: 3 fields + heading = 4 lines, payload heading, 2 notes).
    while s
        .tree()
        .node(s.tree().visible()[s.cursor()].node)
        .map(|n| n.text.as_str())
        != Some("{2}")
    {
        assert_eq!(s.handle_key(key('j')), DetailOutcome::Handled);
    }
    s.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert!(s.tree().visible().len() < before);
    s.handle_key(key('l'));
    assert_eq!(s.tree().visible().len(), before);
    s.handle_key(key('Z'));
    assert!(s.tree().any_folded());
    assert_eq!(
        s.cursor_kind(),
        Some(json_tree::NodeKind::Object),
        "cursor stays on cart"
    );
    s.handle_key(key('Z'));
    assert_eq!(s.tree().visible().len(), before);
}

#[test]
fn copies_a_value_and_its_path() {
    let mut s = loaded(0);
    while s
        .tree()
        .node(s.tree().visible()[s.cursor()].node)
        .map(|n| n.text.as_str())
        != Some("\"A1\"")
    {
        s.handle_key(key('j'));
    }
    assert_eq!(
        s.handle_key(key('y')),
        DetailOutcome::Copy {
            text: "A1".into(),
            what: "value".into()
        }
    );
    assert_eq!(
        s.handle_key(key('Y')),
        DetailOutcome::Copy {
            text: "$.cart.items[0].sku".into(),
            what: "JSON path".into()
        }
    );
    s.handle_key(key('h')); // to the parent object
    let DetailOutcome::Copy { text, .. } = s.handle_key(key('y')) else {
        panic!()
    };
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&text).ok(),
        Some(json!({"sku": "A1", "qty": 2}))
    );
}

#[test]
fn scrolling_keeps_the_cursor_on_screen() {
    let mut s = DetailState::default();
    s.set_viewport(40, 5);
    s.show_json("entry", json!({"list": (0..50).collect::<Vec<_>>()}));
    s.handle_key(KeyEvent::new(KeyCode::End, KeyModifiers::NONE));
    assert_eq!(s.cursor(), s.tree().visible().len() - 1);
    assert_eq!(s.scroll(), s.tree().visible().len() - 5);
    s.handle_key(KeyEvent::new(KeyCode::PageUp, KeyModifiers::NONE));
    assert!(s.cursor() >= s.scroll() && s.cursor() < s.scroll() + 5);
    s.handle_key(key('g'));
    assert_eq!((s.cursor(), s.scroll()), (0, 0));
}

#[test]
fn unknown_keys_are_left_to_the_host() {
    let mut s = loaded(0);
    assert_eq!(
        s.handle_key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE)),
        DetailOutcome::Ignored
    );
    assert_eq!(s.handle_key(key('q')), DetailOutcome::Ignored);
}

#[test]
fn relative_times_follow_the_clock() {
    let mut s = loaded(0);
    let created = |s: &DetailState| {
        texts(s)
            .into_iter()
            .find(|t| t.starts_with("created"))
            .unwrap_or_default()
    };
    assert!(created(&s).ends_with("(1 min ago)"), "{}", created(&s));
    s.tick(Instant::now(), 1_795_000_000_000 + 3 * 3_600_000);
    assert!(created(&s).ends_with("(3 h ago)"), "{}", created(&s));
}

fn esc() -> KeyEvent {
    KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)
}

fn type_text(s: &mut DetailState, text: &str) {
    for c in text.chars() {
        s.handle_key(key(c));
    }
}

#[test]
fn a_path_filter_shows_only_its_subtree_and_esc_clears_it() {
    let mut s = loaded(0);
    let before = texts(&s);
    s.handle_key(key('.'));
    assert!(s.captures_input());
    type_text(&mut s, "cart.items[0]");
    // Applied as it is typed; the payload's subtree under a heading.
    assert_eq!(texts(&s), ["payload", "2", "\"A1\""]);
    assert!(s.title().contains(".cart.items[0]▏"), "{}", s.title());
    s.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert!(!s.captures_input());
    assert!(s.title().ends_with(".cart.items[0]"), "{}", s.title());
    // `y` on the heading-level value still copies exactly.
    s.handle_key(key('j'));
    assert_eq!(
        s.handle_key(key('y')),
        DetailOutcome::Copy {
            text: "2".into(),
            what: "value".into()
        }
    );
    s.handle_key(esc());
    assert_eq!(texts(&s), before);
    assert!(!s.title().contains(".cart"), "{}", s.title());
}

#[test]
fn a_path_to_nothing_says_so_and_a_bad_one_keeps_the_last_good_one() {
    let mut s = loaded(0);
    s.handle_key(key('.'));
    type_text(&mut s, "cart[");
    assert!(s.title().contains("unclosed"), "{}", s.title());
    assert_eq!(texts(&s)[0], "payload");
    assert!(texts(&s).contains(&"31.5".to_string()), "{:?}", texts(&s));
    s.handle_key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
    type_text(&mut s, ".nope");
    assert_eq!(texts(&s), ["payload", "nothing at this path"]);
    s.handle_key(esc());
    assert!(!s.captures_input());
    assert!(texts(&s).len() > 5);
}

#[test]
fn copy_payload_gives_the_whole_payload_pretty() {
    let mut s = loaded(0);
    let DetailOutcome::Copy { text, what } = s.handle_key(key('C')) else {
        panic!("expected a copy")
    };
    assert_eq!(what, "payload");
    assert!(text.contains("\n  \"cart\": {"), "{text}");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&text).ok(),
        Some(entry(ID_A).payload)
    );
    // A row without a payload copies its fields.
    let mut s = DetailState::default();
    s.show_row(&result(), 2, 0..3, Instant::now());
    let DetailOutcome::Copy { what, text } = s.handle_key(key('C')) else {
        panic!("expected a copy")
    };
    assert_eq!(what, "row");
    assert!(text.contains("\"plain\""), "{text}");
}
