//! The chart view and the send form as the explorer hosts them: keys go
//! through `update`, effects run as real tasks against a real local server.

use crate::common;
use crate::tui_support;

use std::time::Duration;

use aepipe::client::RawLogRequest;
use aepipe::tui::action::Action;
use aepipe::tui::app::{Bottom, Focus, Scope};
use aepipe::tui::chart::ChartKind;
use aepipe::tui::send_form::SendStatus;
use crossterm::event::KeyCode;
use tui_support::*;

fn scope(app: &mut aepipe::tui::app::App) {
    aepipe::tui::update::choose_logstore(
        app,
        Scope {
            project: "shop".into(),
            logstore: "web".into(),
        },
    );
}

#[tokio::test]
async fn f6_sends_a_log_entry_to_the_selected_logstore() {
    let server = common::TestServer::start().await;
    let mut h = Harness::new(server.client(), 120, 32);
    scope(&mut h.app);
    h.send([key(KeyCode::F(6))]);
    assert!(h.app.send_form().is_some(), "F6 opens the form");
    assert!(screen(&h.app).contains("send to shop/web"));
    h.send(chars("hello from the form"));
    h.send([key(KeyCode::Enter)]);
    h.until("the send answer", Duration::from_secs(60), |app| {
        app.send_form()
            .is_some_and(|f| !matches!(f.status(), SendStatus::Sending))
    })
    .await;
    let status = h.app.send_form().map(|f| f.status().clone());
    assert!(
        matches!(&status, Some(SendStatus::Sent(m)) if m.contains("written: 1")),
        "{status:?}"
    );
    assert!(screen(&h.app).contains("✔ sent to shop/web (written: 1)"));
    let raw = server
        .client()
        .rawlog("shop", "web", &RawLogRequest::default())
        .await
        .expect("rawlog");
    assert!(raw
        .logs
        .iter()
        .any(|l| l.data["message"] == "hello from the form"));
    h.send([key(KeyCode::Esc)]);
    assert!(h.app.send_form().is_none(), "Esc closes the form");
}

#[test]
fn the_send_form_needs_a_logstore_and_takes_every_key() {
    let mut app = new_app(120, 32);
    app.focus = Focus::Tree;
    press(&mut app, [key(KeyCode::F(6))]);
    assert!(app.send_form().is_none());
    assert!(app
        .notice
        .as_ref()
        .is_some_and(|n| n.text.contains("choose a logstore")));

    scope(&mut app);
    press(&mut app, [key(KeyCode::F(6))]);
    press(&mut app, chars("q"));
    assert!(!app.should_quit, "q is text in the form");
    assert_eq!(app.send_form().map(|f| f.message.text.as_str()), Some("q"));
}

#[test]
fn f7_charts_the_grid_result_and_keys_reach_the_chart() {
    let mut app = new_app(120, 32);
    scope(&mut app);
    let effects = press(&mut app, [key(KeyCode::F(5))]);
    let id = effects
        .iter()
        .find_map(|e| match e {
            aepipe::tui::effects::Effect::RunQuery { id, .. } => Some(*id),
            _ => None,
        })
        .expect("F5 runs the starter query");
    press(
        &mut app,
        [Action::QueryFinished {
            id,
            result: Ok(sample_result(40)),
            elapsed: Duration::from_millis(3),
        }],
    );
    press(&mut app, [key(KeyCode::F(7))]);
    assert_eq!(app.bottom, Bottom::Chart);
    let chart = app
        .chart
        .as_ref()
        .expect("chart built from the grid result");
    let series: Vec<&str> = chart
        .data()
        .map(|d| d.series.iter().map(|s| s.name.as_str()).collect())
        .unwrap_or_default();
    assert_eq!(series, ["ms"], "the numeric column over timestamp");
    assert!(screen(&app).contains("chart · over timestamp"));
    app.focus = Focus::Results;
    press(&mut app, [key(KeyCode::Char('b'))]);
    assert_eq!(app.chart.as_ref().map(|c| c.kind), Some(ChartKind::Bar));
    press(&mut app, [key(KeyCode::F(7))]);
    assert_eq!(app.bottom, Bottom::Grid);
    assert!(app.chart.is_none());
}

#[test]
fn pane_keys_leave_the_explorer_keys_alone() {
    let mut app = new_app(120, 32);
    scope(&mut app);
    press(&mut app, [key(KeyCode::F(4))]);
    assert_eq!(app.bottom, Bottom::Tail);
    app.focus = Focus::Results;
    press(&mut app, chars("T"));
    assert_eq!(app.tail.time_mode(), aepipe::tui::tail::TimeMode::Local);
    press(&mut app, chars("t"));
    assert_eq!(
        app.bottom,
        Bottom::Grid,
        "t closes the tail as it opened it"
    );

    app.focus = Focus::Detail;
    press(&mut app, chars("z"));
    assert!(app.layout.zoomed, "z zooms the detail pane; Z folds");
    press(&mut app, chars("1"));
    assert_eq!(app.focus, Focus::Tree, "digits move focus from any pane");
}
