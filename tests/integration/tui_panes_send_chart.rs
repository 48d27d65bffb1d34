//! The send form and the chart view: snapshots on a TestBackend, and a form
//! filled by keys whose request the real server accepts and stores.

use crate::common;
use crate::tui_panes;

use aepipe::client::{Cell, Column, QueryResult, RawLogRequest};
use aepipe::tui::chart::{self, ChartState};
use aepipe::tui::send_form::{self, SendForm, SendItem, SendOutcome, SendStatus};
use aepipe::tui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use serde_json::json;
use tui_panes::{draw, screen};

fn keys(form: &mut SendForm, text: &str) {
    for c in text.chars() {
        form.handle_key(KeyEvent::from(KeyCode::Char(c)));
    }
}

fn form_shot(form: &SendForm) -> String {
    screen(&draw(64, 11, |area, buf| {
        send_form::render(form, area, buf, &Theme::ansi16())
    }))
}

#[test]
fn send_form_screens() {
    let mut f = SendForm::new("shop", "web");
    insta::assert_snapshot!("send_form_empty", form_shot(&f));
    f.handle_key(KeyEvent::from(KeyCode::Enter));
    insta::assert_snapshot!("send_form_invalid", form_shot(&f));
    f.handle_key(KeyEvent::from(KeyCode::BackTab));
    f.handle_key(KeyEvent::from(KeyCode::Right));
    f.handle_key(KeyEvent::from(KeyCode::Tab));
    keys(&mut f, "checkout");
    f.handle_key(KeyEvent::from(KeyCode::Tab));
    f.handle_key(KeyEvent::from(KeyCode::Tab));
    keys(&mut f, "eu web");
    f.handle_key(KeyEvent::from(KeyCode::Tab));
    keys(&mut f, "31.5");
    f.on_sent(Ok(1));
    insta::assert_snapshot!("send_form_event_sent", form_shot(&f));
}

#[tokio::test]
async fn a_form_filled_by_keys_is_accepted_by_the_real_server() {
    let server = common::TestServer::start().await;
    let client = server.client();
    let mut f = SendForm::new("shop", "web");
    keys(&mut f, "end to end check");
    f.handle_key(KeyEvent::from(KeyCode::Tab));
    f.handle_key(KeyEvent::from(KeyCode::Tab));
    keys(&mut f, "run=7 who=\"the explorer\"");
    let SendOutcome::Send(req) = f.handle_key(KeyEvent::from(KeyCode::Enter)) else {
        panic!("not sent: {:?}", f.status())
    };
    let SendItem::Log(entry) = req.item else {
        panic!("expected a log entry")
    };
    let answer = client
        .log(&req.project, &req.logstore, std::slice::from_ref(&entry))
        .await
        .map(|r| r.written)
        .map_err(|e| e.to_string());
    f.on_sent(answer);
    assert!(
        matches!(f.status(), SendStatus::Sent(m) if m.contains("written: 1")),
        "{:?}",
        f.status()
    );

    let raw = client
        .rawlog("shop", "web", &RawLogRequest::default())
        .await
        .expect("rawlog");
    assert_eq!(raw.logs.len(), 1);
    let data = &raw.logs[0].data;
    assert_eq!(data["message"], "end to end check");
    assert_eq!(data["run"], json!(7));
    assert_eq!(data["who"], "the explorer");

    // An event with a payload goes through ingest.
    let mut e = SendForm::new("shop", "web");
    e.handle_key(KeyEvent::from(KeyCode::BackTab));
    e.handle_key(KeyEvent::from(KeyCode::Right));
    e.handle_key(KeyEvent::from(KeyCode::Tab));
    keys(&mut e, "checkout");
    for _ in 0..4 {
        e.handle_key(KeyEvent::from(KeyCode::Tab));
    }
    keys(&mut e, "{\"order\": 42}");
    let SendOutcome::Send(req) = e.handle_key(KeyEvent::from(KeyCode::Enter)) else {
        panic!("not sent: {:?}", e.status())
    };
    let SendItem::Point(point) = req.item else {
        panic!("expected a point")
    };
    let written = client
        .ingest("shop", "web", &[point])
        .await
        .expect("ingest")
        .written;
    assert_eq!(written, 1);
}

#[tokio::test]
async fn a_rejected_send_shows_the_server_answer() {
    let server = common::TestServer::start().await;
    let client = aepipe::client::Client::new(server.url(), "wrong").expect("client");
    let mut f = SendForm::new("shop", "web");
    keys(&mut f, "hello");
    let SendOutcome::Send(req) = f.handle_key(KeyEvent::from(KeyCode::Enter)) else {
        panic!()
    };
    let SendItem::Log(entry) = req.item else {
        panic!()
    };
    let answer = client
        .log("shop", "web", &[entry])
        .await
        .map(|r| r.written)
        .map_err(|e| e.to_string());
    f.on_sent(answer);
    assert!(
        matches!(f.status(), SendStatus::Failed(m) if m.contains("401") && m.contains("unauthorized")),
        "{:?}",
        f.status()
    );
}

fn series_result() -> QueryResult {
    let cols = vec![
        Column {
            name: "minute".into(),
            type_name: "DateTime".into(),
        },
        Column {
            name: "requests".into(),
            type_name: "UInt64".into(),
        },
        Column {
            name: "p95_ms".into(),
            type_name: "Float64".into(),
        },
    ];
    let rows = (0..30)
        .map(|i| {
            vec![
                Cell::Text(format!("2026-11-27 02:{i:02}:00").into()),
                Cell::Text(format!("{}", 100 + (i * 7) % 40).into()),
                Cell::Number(20.0 + f64::from((i * 13) % 30)),
            ]
        })
        .collect();
    QueryResult::from_parts(cols, rows)
}

#[test]
fn chart_screens() {
    let mut s = ChartState::from_result(&series_result());
    let shot = |s: &ChartState| {
        screen(&draw(70, 16, |area, buf| {
            chart::render(s, area, buf, &Theme::ansi16(), true)
        }))
    };
    let line = shot(&s);
    insta::assert_snapshot!("chart_line", line);
    s.handle_key(KeyEvent::from(KeyCode::Char('b')));
    s.handle_key(KeyEvent::from(KeyCode::Char('n')));
    let bar = shot(&s);
    insta::assert_snapshot!("chart_bar_one_series", bar);
    assert!(
        line.contains("p95_ms") && !bar.contains("p95_ms"),
        "n shows the first series alone"
    );

    let no_time = QueryResult::from_parts(
        vec![Column {
            name: "n".into(),
            type_name: "UInt64".into(),
        }],
        vec![vec![Cell::Text("3".into())]],
    );
    let text = screen(&draw(70, 4, |area, buf| {
        chart::render(
            &ChartState::from_result(&no_time),
            area,
            buf,
            &Theme::ansi16(),
            false,
        )
    }));
    insta::assert_snapshot!("chart_unavailable", text);
    let _ = Rect::default();
}
