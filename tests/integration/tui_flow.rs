//! The explorer's flows against a real local server (demo data, trickle
//! on) through the real client: `update` drives the state, effects run as
//! real tasks, and their answers come back as actions, as in the binary.

use crate::common;
use crate::tui_support;

use std::path::Path;
use std::time::Duration;

use aepipe::tui::app::{Bottom, ConnState, Focus, TICKS_PER_SECOND};
use aepipe::tui::detail::PayloadStatus;
use aepipe::tui::tree::{Load, TreeRow};
use crossterm::event::KeyCode;
use tui_support::*;

const WAIT: Duration = Duration::from_secs(60);

async fn demo_server() -> common::TestServer {
    common::TestServer::start_with(|c| {
        c.demo = true;
        c.demo_trickle = true;
    })
    .await
}

/// Open `project` in the tree and choose `logstore`.
async fn choose(h: &mut Harness, project: &str, logstore: &str) {
    h.until("projects", WAIT, |a| a.tree.projects.loaded().is_some())
        .await;
    let rows = h.app.tree.visible_rows();
    let pi = rows
        .iter()
        .position(
            |r| matches!(r, TreeRow::Project(i) if h.app.tree.project_name(*i) == Some(project)),
        )
        .unwrap_or_else(|| panic!("project {project} in the tree:\n{}", screen(&h.app)));
    h.app.tree.move_to(pi);
    h.send([key(KeyCode::Enter)]);
    let p = project.to_string();
    h.until("logstores", WAIT, move |a| {
        a.tree
            .projects
            .loaded()
            .and_then(|ps| ps.iter().find(|n| n.name == p))
            .is_some_and(|n| matches!(n.logstores, Load::Loaded(_)))
    })
    .await;
    let li = h
        .app
        .tree
        .visible_rows()
        .iter()
        .position(|r| matches!(r, TreeRow::Logstore(p, l) if h.app.tree.logstore_name(*p, *l) == Some(logstore)))
        .expect("logstore in the tree");
    h.app.tree.move_to(li);
    h.send([key(KeyCode::Enter)]);
}

#[tokio::test]
async fn demo_projects_appear_and_choosing_a_logstore_fills_the_editor() {
    let server = demo_server().await;
    let mut h = Harness::new(server.client(), 120, 32);
    h.until("projects", WAIT, |a| a.tree.projects.loaded().is_some())
        .await;
    assert_eq!(h.app.conn_state, ConnState::Connected);
    let text = screen(&h.app);
    for p in ["auth", "jobs", "shop"] {
        assert!(text.contains(p), "{p} missing:\n{text}");
    }
    choose(&mut h, "shop", "api").await;
    assert_eq!(h.app.focus, Focus::Editor);
    assert_eq!(
        h.app.scope.as_ref().map(ToString::to_string).as_deref(),
        Some("shop/api")
    );
    assert!(h.app.editor.text().contains("FROM aepipe"), "starter query");
    assert!(screen(&h.app).contains("SQL · shop/api"));
}

#[tokio::test]
async fn a_query_shows_rows_and_a_row_with_a_ref_id_shows_its_payload() {
    let server = demo_server().await;
    let mut h = Harness::new(server.client(), 120, 32);
    choose(&mut h, "shop", "api").await;
    h.app.editor.set_text(
        "SELECT timestamp, blob3 AS event, blob5 AS ref_id FROM aepipe\nWHERE blob5 != '' ORDER BY timestamp DESC LIMIT 20",
    );
    h.send([key(KeyCode::F(5))]);
    h.until("query result", WAIT, |a| {
        a.grid.result.is_some() || a.query.error.is_some()
    })
    .await;
    assert_eq!(h.app.query.error, None);
    let n = h.app.grid.result.as_ref().map_or(0, |r| r.len());
    assert!(n > 0, "demo api has payload rows");
    assert!(screen(&h.app).contains(&format!("{n} rows")));
    // The detail pane fetches the first row's payload after its debounce.
    h.until("payload", WAIT, |a| {
        matches!(a.detail.payload_status(), Some(PayloadStatus::Found(_)))
    })
    .await;
    let ref_id = h.app.detail.ref_id().expect("row ref_id").to_string();
    let text = screen(&h.app);
    assert!(text.contains("payload"), "{text}");
    assert!(text.contains(&ref_id[..8]), "{text}");
}

#[tokio::test]
async fn bad_sql_shows_the_servers_message_under_the_editor() {
    let server = demo_server().await;
    let mut h = Harness::new(server.client(), 120, 32);
    choose(&mut h, "shop", "api").await;
    h.app
        .editor
        .set_text("SELECT nosuchfunction(blob1) FROM aepipe");
    h.send([key(KeyCode::F(5))]);
    h.until("error", WAIT, |a| a.query.running.is_none()).await;
    let err = h.app.query.error.clone().expect("an error");
    assert!(err.to_lowercase().contains("nosuchfunction"), "{err}");
    assert!(screen(&h.app).contains("The server rejected the query"));
    // The connection itself is fine: no retry loop for bad SQL.
    assert_eq!(h.app.conn_state, ConnState::Connected);
}

#[tokio::test]
async fn the_tail_shows_new_lines() {
    let server = demo_server().await;
    let mut h = Harness::new(server.client(), 120, 32);
    choose(&mut h, "shop", "api").await;
    h.send([key(KeyCode::F(4))]);
    assert_eq!(h.app.bottom, Bottom::Tail);
    h.until("backlog", WAIT, |a| !a.tail.buffer().is_empty())
        .await;
    let first = h.app.tail.buffer().len();
    // The trickle writes a few lines a second.
    h.until("new lines", WAIT, move |a| a.tail.buffer().len() > first)
        .await;
    assert!(screen(&h.app).contains("tail · shop/api"));
}

#[tokio::test]
async fn a_dead_server_shows_an_error_and_retries_without_freezing() {
    // A port nobody listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let client = aepipe::client::Client::new(format!("http://127.0.0.1:{port}"), "t").unwrap();
    let mut h = Harness::new(client, 120, 32);
    h.until("failure", WAIT, |a| {
        matches!(a.conn_state, ConnState::Failing { .. })
    })
    .await;
    let text = screen(&h.app);
    assert!(text.contains("retrying in"), "{text}");
    assert!(text.contains("could not load"), "{text}");
    // Keys still work while failing.
    h.send([key(KeyCode::Tab)]);
    assert_eq!(h.app.focus, Focus::Editor);
    // After the retry delay the app asks again by itself.
    let mut asked = false;
    for _ in 0..(6 * TICKS_PER_SECOND) {
        let effects = press(&mut h.app, [aepipe::tui::action::Action::Tick]);
        asked |= effects
            .iter()
            .any(|e| matches!(e, aepipe::tui::effects::Effect::LoadProjects { .. }));
    }
    assert!(asked, "a retry was scheduled");
}

/// Export with `e` → NDJSON, wait for the notice, and return the new file's
/// rows as (event, n) in file order.
async fn export_ndjson(h: &mut Harness, dir: &Path, before: usize) -> Vec<(String, u64)> {
    h.send([
        key(KeyCode::Char('e')),
        key(KeyCode::Down),
        key(KeyCode::Down),
        key(KeyCode::Enter),
    ]);
    // The file name is offered for editing first; Enter keeps it.
    let prompt = screen(&h.app);
    assert!(prompt.contains("file: aepipe-shop_api-"), "{prompt}");
    h.send([key(KeyCode::Enter)]);
    h.until("export notice", WAIT, |a| {
        a.notice
            .as_ref()
            .is_some_and(|n| n.text.starts_with("exported"))
    })
    .await;
    let notice = h.app.notice.take().unwrap().text;
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), before + 1, "one new file");
    let file = files
        .iter()
        .find(|f| notice.contains(&f.display().to_string()))
        .unwrap_or_else(|| panic!("the notice names the file: {notice}"));
    assert_eq!(file.extension().unwrap(), "ndjson");
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let n = v["n"]
                .as_u64()
                .or_else(|| v["n"].as_str().and_then(|n| n.parse().ok()))
                .expect("n is a count");
            (v["event"].as_str().unwrap().to_string(), n)
        })
        .collect()
}

#[tokio::test]
async fn export_writes_the_rows_shown_in_the_order_shown_and_says_where() {
    let server = demo_server().await;
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::new(server.client(), 120, 32);
    h.app.export_dir = dir.path().to_path_buf();
    choose(&mut h, "shop", "api").await;
    h.app
        .editor
        .set_text("SELECT blob3 AS event, count() AS n FROM aepipe GROUP BY event ORDER BY n DESC");
    h.send([key(KeyCode::F(5))]);
    h.until("rows", WAIT, |a| a.grid.result.is_some()).await;
    let result = h.app.grid.result.clone().unwrap();
    let fetched: Vec<(String, u64)> = (0..result.len())
        .map(|r| {
            (
                result.display(r, 0).into_owned(),
                result.get_u64(r, 1).unwrap(),
            )
        })
        .collect();
    assert!(fetched.len() >= 3, "{fetched:?}");
    assert!(fetched.windows(2).all(|w| w[0].1 >= w[1].1), "server order");

    // As fetched: every row, every value, the server's order.
    h.send([key(KeyCode::Tab)]);
    assert_eq!(export_ndjson(&mut h, dir.path(), 0).await, fetched);

    // Sorted ascending by n and filtered to events with "http": exactly the
    // rows shown, in the order shown.
    h.send([
        key(KeyCode::Right),
        key(KeyCode::Char('s')),
        key(KeyCode::Char('/')),
    ]);
    h.send("http".chars().map(|c| key(KeyCode::Char(c))));
    h.send([key(KeyCode::Enter)]);
    let mut shown: Vec<(String, u64)> = fetched
        .iter()
        .filter(|(e, _)| e.contains("http"))
        .cloned()
        .collect();
    shown.sort_by_key(|(_, n)| *n);
    assert!(
        !shown.is_empty() && shown.len() < fetched.len(),
        "{shown:?}"
    );
    assert_eq!(export_ndjson(&mut h, dir.path(), 1).await, shown);
}

#[tokio::test]
async fn history_is_kept_per_logstore_across_runs() {
    let server = demo_server().await;
    let hist = tempfile::tempdir().unwrap();
    let sql = "SELECT count() AS n FROM aepipe";
    {
        let mut h = Harness::new(server.client(), 120, 32);
        h.app.history_dir = Some(hist.path().to_path_buf());
        choose(&mut h, "shop", "api").await;
        h.app.editor.set_text(sql);
        h.send([key(KeyCode::F(5))]);
        h.until("result", WAIT, |a| a.grid.result.is_some()).await;
        // The save runs on a blocking task: wait (generously) until the
        // history file holds the query.
        // The history file itself (it is written to a temporary file
        // first, then renamed into place).
        let file = aepipe::tui::editor::history::History::path_for(
            hist.path(),
            &h.app.profile_name(),
            "shop",
            "api",
        );
        let saved = || std::fs::read_to_string(&file).is_ok_and(|t| t.contains(sql));
        let deadline = std::time::Instant::now() + WAIT;
        while !saved() && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(saved(), "no history file holds the query");
    }
    let mut h = Harness::new(server.client(), 120, 32);
    h.app.history_dir = Some(hist.path().to_path_buf());
    choose(&mut h, "shop", "api").await;
    assert_eq!(h.app.editor.history.entries, vec![sql.to_string()]);
    h.send([alt(KeyCode::Up)]);
    assert_eq!(h.app.editor.text(), sql);
    // Another logstore has its own (empty) history.
    let mut other = Harness::new(server.client(), 120, 32);
    other.app.history_dir = Some(hist.path().to_path_buf());
    choose(&mut other, "shop", "checkout").await;
    assert!(other.app.editor.history.entries.is_empty());
}
