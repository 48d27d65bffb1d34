//! The explorer against `aepipe serve`'s realistic mode: the status bar says
//! how the connection is when the tail or a query sees an outage, the failure
//! policy's advice reaches the user, the tail shows gaps, the grid says when
//! rows are a sample, the editor warns about count(). Answers come from a
//! real server through the real client; nothing waits a fixed time.

use crate::common;
use crate::tui_support;

use std::time::Duration;

use aepipe::client::{DataPoint, LogEntry};
use aepipe::server::{Fault, Realism};
use aepipe::tui::app::{Bottom, ConnState, Scope};
use crossterm::event::KeyCode;
use tui_support::*;

const WAIT: Duration = Duration::from_secs(30);

fn scope(h: &mut Harness, project: &str, logstore: &str) {
    let effects = aepipe::tui::update::choose_logstore(
        &mut h.app,
        Scope {
            project: project.into(),
            logstore: logstore.into(),
        },
    );
    h.run(effects);
}

async fn run_sql(h: &mut Harness, sql: &str) {
    h.app.editor.set_text(sql);
    h.send([key(KeyCode::F(5))]);
    h.until("the query to finish", WAIT, |a| a.query.running.is_none())
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tail_outage_shows_retrying_then_down_then_connected_again() {
    // Every rawlog request fails for a while (the client's own retries
    // included), then the telemetry API is back. The tail's first poll reads
    // its horizon in 8 slices side by side, so each failed poll uses 8
    // times the faults one request would.
    let server = common::TestServer::start_with(|c| {
        c.realism = Realism {
            rawlog_script: vec![Fault::Overloaded; 16 * 8],
            ..Realism::default()
        }
    })
    .await;
    server
        .client()
        .log("out", "age", &[LogEntry::new("before")])
        .await
        .unwrap();
    let mut h = Harness::new(server.client(), 120, 32);
    h.until("projects", WAIT, |a| a.conn_state == ConnState::Connected)
        .await;
    scope(&mut h, "out", "age");
    h.send([key(KeyCode::F(4))]);
    assert_eq!(h.app.bottom, Bottom::Tail);
    h.until("retrying", WAIT, |a| {
        matches!(a.conn_state, ConnState::Failing { .. })
    })
    .await;
    assert!(screen(&h.app).contains("retrying in"), "{}", screen(&h.app));
    h.until("down", WAIT, |a| {
        matches!(a.conn_state, ConnState::Down { .. })
    })
    .await;
    let text = screen(&h.app);
    assert!(text.contains("down, retrying"), "{text}");
    assert!(text.contains("CF Telemetry API 503"), "{text}");
    h.until("connected again", Duration::from_secs(60), |a| {
        a.conn_state == ConnState::Connected && !a.tail.buffer().is_empty()
    })
    .await;
    assert!(screen(&h.app).contains("● connected"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_failures_follow_the_one_policy() {
    let server = common::TestServer::start_with(|c| {
        c.realism = Realism {
            // The explorer's first query is the tree's list (not a query
            // request); then: a rate limit (retried), then 507 (never).
            query_script: vec![Fault::RateLimited, Fault::None, Fault::TooBig],
            ..Realism::default()
        }
    })
    .await;
    server
        .client()
        .ingest("q", "p", &[DataPoint::new("e")])
        .await
        .unwrap();
    let mut h = Harness::new(server.client(), 120, 32);
    scope(&mut h, "q", "p");
    run_sql(&mut h, "SELECT SUM(_sample_interval) AS n FROM aepipe").await;
    assert!(h.app.query.error.is_none(), "{:?}", h.app.query.error);
    assert_eq!(server.request_counts().query, 2, "the 429 was retried once");
    run_sql(&mut h, "SELECT SUM(_sample_interval) AS n FROM aepipe").await;
    let err = h.app.query.error.clone().expect("507 is an error");
    assert!(err.contains("narrow the time range"), "{err}");
    assert_eq!(server.request_counts().query, 3, "507 is not retried");
    assert!(screen(&h.app).contains("narrow the time range"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sampled_rows_are_marked_and_count_is_warned_about() {
    let server = common::TestServer::start_with(|c| {
        c.realism = Realism {
            seed: 2,
            ae_sample_above: Some(10),
            ..Realism::default()
        }
    })
    .await;
    let points: Vec<DataPoint> = (0..200).map(|_| DataPoint::new("hit")).collect();
    server.client().ingest("s", "p", &points).await.unwrap();
    let mut h = Harness::new(server.client(), 120, 32);
    scope(&mut h, "s", "p");
    run_sql(
        &mut h,
        "SELECT blob3, _sample_interval FROM aepipe LIMIT 100",
    )
    .await;
    let text = screen(&h.app);
    assert!(text.contains("sampled: a row stands for up to"), "{text}");

    run_sql(&mut h, "SELECT count() AS n FROM aepipe").await;
    let text = screen(&h.app);
    assert!(text.contains("SUM(_sample_interval) estimates"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tail_pane_shows_gap_lines() {
    let server = common::TestServer::start().await;
    let c = server.client();
    let mut h = Harness::new(c.clone(), 120, 32);
    scope(&mut h, "g", "p");
    h.send([key(KeyCode::F(4))]);
    h.until("tail live", WAIT, |a| {
        a.tail.conn() == &aepipe::tui::tail::ConnState::Live
    })
    .await;
    // 250 lines in one request share one millisecond: more than a page.
    let lines: Vec<LogEntry> = (0..250).map(|i| LogEntry::new(format!("l{i}"))).collect();
    c.log("g", "p", &lines).await.unwrap();
    h.until("a gap line", WAIT, |a| a.tail.gaps() > 0).await;
    let text = screen(&h.app);
    assert!(text.contains("gap:") && text.contains("1 gaps"), "{text}");
}

#[test]
fn starter_snippets_estimate_events_not_rows() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/queries");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let sql = std::fs::read_to_string(&path).unwrap();
        assert!(
            aepipe::tui::editor::sampling::count_warning(&sql).is_none(),
            "{} counts rows",
            path.display()
        );
    }
}
