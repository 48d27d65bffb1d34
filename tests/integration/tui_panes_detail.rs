//! The detail pane: rendering of every state on a TestBackend (insta
//! snapshots), and payloads fetched from a real local server through the
//! real client, tenant scoping included.

use crate::common;
use crate::tui_panes;

use std::time::{Duration, Instant};

use aepipe::client::{Cell, Column, DataPoint, DetailEntry, DetailResult, QueryResult};
use aepipe::tui::detail::{
    render, DetailOutcome, DetailState, PayloadError, PayloadStatus, DEFAULT_DEBOUNCE,
};
use aepipe::tui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::style::Color;
use serde_json::json;
use tui_panes::{draw, fg_of, screen};

const ID_A: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
const CREATED: i64 = 1_795_745_735_123; // 2026-11-27T02:15:35.123Z

fn grid(ref_ids: &[&str]) -> QueryResult {
    let cols = vec![
        Column {
            name: "timestamp".into(),
            type_name: "DateTime".into(),
        },
        Column {
            name: "event".into(),
            type_name: "String".into(),
        },
        Column {
            name: "level".into(),
            type_name: "String".into(),
        },
        Column {
            name: "ref_id".into(),
            type_name: "String".into(),
        },
    ];
    let rows = ref_ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            vec![
                Cell::Text(format!("2026-11-27 02:15:{:02}", 35 + i).into()),
                Cell::Text("checkout".into()),
                Cell::Text("info".into()),
                Cell::Text((*id).into()),
            ]
        })
        .collect();
    QueryResult::from_parts(cols, rows)
}

fn payload_entry() -> DetailEntry {
    DetailEntry {
        ref_id: ID_A.into(),
        payload: json!({
            "cart": {"items": [{"sku": "A1", "qty": 2, "gift": false}], "total": 31.5, "coupon": null},
            "user": "ada",
            "note": "a long note that does not fit on one line of this narrow pane and so it wraps"
        }),
        created_at: CREATED,
        expires_at: CREATED + 90 * 86_400_000,
    }
}

/// A pane showing row 0, its fetch answered with `answer`.
fn pane(answer: Option<Result<DetailResult, PayloadError>>) -> DetailState {
    let t0 = Instant::now();
    let mut s = DetailState::default();
    let area = render::inner(ratatui::layout::Rect::new(0, 0, 60, 22));
    s.set_viewport(area.width, area.height);
    s.show_row(&grid(&[ID_A]), 0, 0..1, t0);
    if let Some(answer) = answer {
        let DetailOutcome::Fetch(req) = s.tick(t0 + DEFAULT_DEBOUNCE, CREATED + 125_000) else {
            panic!("expected a fetch")
        };
        s.on_payloads(req.req_id, answer);
    } else {
        s.tick(t0, CREATED + 125_000);
    }
    s
}

fn snapshot(s: &DetailState) -> ratatui::Terminal<ratatui::backend::TestBackend> {
    draw(60, 22, |area, buf| {
        render::render(s, area, buf, &Theme::ansi16(), true)
    })
}

#[test]
fn detail_shows_the_row_and_its_payload_tree() {
    let s = pane(Some(Ok(DetailResult {
        results: vec![payload_entry()],
    })));
    let t = snapshot(&s);
    insta::assert_snapshot!("detail_loaded", screen(&t));
    // Values are coloured by type.
    assert_eq!(fg_of(&t, "\"ada\""), Some(Color::Green));
    assert_eq!(fg_of(&t, "31.5"), Some(Color::Cyan));
    assert_eq!(fg_of(&t, "false"), Some(Color::Yellow));
    assert_eq!(fg_of(&t, "null"), Some(Color::Magenta));
}

#[test]
fn detail_folded_all() {
    let mut s = pane(Some(Ok(DetailResult {
        results: vec![payload_entry()],
    })));
    s.handle_key(KeyEvent::from(KeyCode::Char('Z')));
    insta::assert_snapshot!("detail_folded", screen(&snapshot(&s)));
}

#[test]
fn detail_states_are_distinct_on_screen() {
    let loading = screen(&snapshot(&pane(None)));
    let missing = screen(&snapshot(&pane(Some(Ok(DetailResult::default())))));
    let no_storage = screen(&snapshot(&pane(Some(Err(PayloadError::NoStorage)))));
    let failed = screen(&snapshot(&pane(Some(Err(PayloadError::Failed(
        "could not reach aepipe: connection refused".into(),
    ))))));
    insta::assert_snapshot!("detail_loading", loading);
    insta::assert_snapshot!("detail_missing", missing);
    insta::assert_snapshot!("detail_no_storage", no_storage);
    insta::assert_snapshot!("detail_failed", failed);
}

#[test]
fn detail_empty_and_json_from_the_tail() {
    let mut s = DetailState::default();
    s.set_viewport(58, 10);
    insta::assert_snapshot!(
        "detail_empty",
        screen(&draw(60, 6, |a, b| render::render(
            &s,
            a,
            b,
            &Theme::ansi16(),
            false
        )))
    );
    s.show_json(
        "log 2026-11-27T02:15:35.123Z",
        json!({"message": "disk low", "free_gb": 3}),
    );
    insta::assert_snapshot!(
        "detail_json",
        screen(&draw(60, 6, |a, b| render::render(
            &s,
            a,
            b,
            &Theme::ansi16(),
            true
        )))
    );
}

async fn fetch(
    s: &mut DetailState,
    client: &aepipe::client::Client,
    project: &str,
    logstore: &str,
    now: Instant,
) {
    let DetailOutcome::Fetch(req) = s.tick(
        now + DEFAULT_DEBOUNCE,
        chrono::Utc::now().timestamp_millis(),
    ) else {
        panic!("expected a fetch")
    };
    let answer = client
        .detail(project, logstore, &req.ref_ids)
        .await
        .map_err(PayloadError::from);
    s.on_payloads(req.req_id, answer);
}

/// ref_ids written to blob5, oldest first, read from the server's store.
fn stored_ref_ids(server: &common::TestServer) -> Vec<(String, String)> {
    let db = rusqlite::Connection::open(server.db_path()).expect("open store");
    let mut stmt = db
        .prepare("SELECT index1, blob5 FROM events WHERE blob5 != '' ORDER BY id")
        .expect("prepare");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

#[tokio::test]
async fn payloads_come_from_the_real_server_and_stay_in_their_tenant() {
    let server = common::TestServer::start().await;
    let client = server.client();
    let with_payload = |n: i64| {
        let mut m = serde_json::Map::new();
        m.insert("order".into(), json!(n));
        DataPoint::new("checkout").payload(m)
    };
    client
        .ingest("shop", "web", &[with_payload(1), with_payload(2)])
        .await
        .expect("ingest");
    client
        .ingest("other", "web", &[with_payload(99)])
        .await
        .expect("ingest");
    let ids = stored_ref_ids(&server);
    assert_eq!(ids.len(), 3);
    let shop: Vec<&str> = ids
        .iter()
        .filter(|(i, _)| i == "shop/web")
        .map(|(_, r)| r.as_str())
        .collect();
    let other = ids
        .iter()
        .find(|(i, _)| i == "other/web")
        .map(|(_, r)| r.as_str())
        .expect("other id");

    // The grid shows shop/web's two rows plus a row claiming the other tenant's ref_id.
    let result = grid(&[shop[0], shop[1], other]);
    let mut s = DetailState::default();
    s.set_viewport(58, 30);
    let t0 = Instant::now();
    s.show_row(&result, 0, 0..3, t0);
    assert_eq!(s.payload_status(), Some(&PayloadStatus::Loading));
    fetch(&mut s, &client, "shop", "web", t0).await;
    let Some(PayloadStatus::Found(entry)) = s.payload_status() else {
        panic!("payload not shown: {:?}", s.payload_status())
    };
    assert_eq!(entry.payload, json!({"order": 1}));
    assert!(entry.expires_at - entry.created_at == 90 * 86_400_000);

    // The second row was prefetched in the same call: no new request.
    s.show_row(&result, 1, 0..3, Instant::now());
    assert!(
        matches!(s.payload_status(), Some(PayloadStatus::Found(e)) if e.payload == json!({"order": 2}))
    );
    assert_eq!(
        s.tick(Instant::now() + Duration::from_secs(1), 0),
        DetailOutcome::Handled
    );

    // Another tenant's payload is never shown, even when its UUID is known.
    s.show_row(&result, 2, 0..3, Instant::now());
    assert_eq!(s.payload_status(), Some(&PayloadStatus::Missing));
}

#[tokio::test]
async fn a_server_without_payload_storage_is_said_so() {
    let server = common::TestServer::without_payloads().await;
    let client = server.client();
    let mut s = DetailState::default();
    let t0 = Instant::now();
    s.show_row(&grid(&[ID_A]), 0, 0..1, t0);
    fetch(&mut s, &client, "shop", "web", t0).await;
    assert_eq!(s.payload_status(), Some(&PayloadStatus::NoStorage));
}

#[tokio::test]
async fn a_dead_server_is_an_error_that_r_retries() {
    let server = common::TestServer::start().await;
    let client = server.client();
    let _dir = server.stop().await;
    let mut s = DetailState::default();
    let t0 = Instant::now();
    s.show_row(&grid(&[ID_A]), 0, 0..1, t0);
    fetch(&mut s, &client, "shop", "web", t0).await;
    assert!(
        matches!(s.payload_status(), Some(PayloadStatus::Failed(m)) if m.contains("could not reach")),
        "{:?}",
        s.payload_status()
    );
    s.handle_key(KeyEvent::from(KeyCode::Char('r')));
    assert!(matches!(s.tick(Instant::now(), 0), DetailOutcome::Fetch(_)));
}

#[test]
fn without_colour_the_cursor_line_is_still_visible() {
    let mut s = pane(Some(Ok(DetailResult {
        results: vec![payload_entry()],
    })));
    s.handle_key(KeyEvent::from(KeyCode::Down));
    let t = draw(60, 22, |area, buf| {
        render::render(&s, area, buf, &Theme::monochrome(), true)
    });
    let buf = t.backend().buffer();
    // Row 2 of the pane (inside the border) holds the cursor: the second line.
    let reversed = (1..59).all(|x| {
        buf[(x, 2)]
            .modifier
            .contains(ratatui::style::Modifier::REVERSED)
    });
    assert!(reversed, "the cursor line is reversed across the pane");
    let coloured = (0..60).any(|x| (0..22).any(|y| buf[(x, y)].fg != Color::Reset));
    assert!(!coloured, "NO_COLOR: no foreground colour anywhere");
}
