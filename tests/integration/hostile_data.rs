//! Log data and server text never reach the terminal as control sequences.
//! Hostile blobs, events, payloads, log messages, column names and error
//! texts go through the real local server into the explorer (every pane on
//! ratatui's TestBackend) and the CLI (table output and error messages):
//! nothing unsafe is drawn or printed, the sequences are shown visibly,
//! columns stay aligned, and JSON output keeps the exact bytes.

use crate::common;
use crate::hostile_support;
use crate::tui_support;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use aepipe::tui::app::{App, Bottom, ConnState};
use aepipe::tui::detail::PayloadStatus;
use aepipe::tui::ui;
use assert_cmd::Command;
use common::TestServer;
use crossterm::event::KeyCode;
use hostile_support::*;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;
use serde_json::{json, Value};
use tui_support::*;

const WAIT: Duration = Duration::from_secs(30);

/// A logstore name no real server allows.
const EVIL_LOGSTORE: &str = "\x1b[2Jls\u{9b}0m";

/// A SQL identifier holding hostile text (double quotes doubled).
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The column alias used for the hostile blob: a colour, a title, a C1 CSI
/// and a bidi override.
const HOSTILE_ALIAS: &str = "\x1b[31m\x1b]0;PWNED\x07\u{9b}2J\u{202e}col";

fn frame(app: &App) -> Buffer {
    let (w, h) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    terminal.draw(|f| ui::render(app, f)).expect("draw");
    terminal.backend().buffer().clone()
}

fn rows_of(buf: &Buffer) -> Vec<String> {
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
        })
        .collect()
}

async fn run_sql(h: &mut Harness, sql: &str) {
    h.app.editor.set_text(sql);
    h.send([key(KeyCode::F(5))]);
    h.until("query finished", WAIT, |a| a.query.running.is_none())
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_pane_draws_hostile_data_visibly_and_nothing_unsafe() {
    let server = TestServer::start().await;
    seed(&server.client()).await;
    let mut h = Harness::new(server.client(), 160, 40);
    h.choose(PROJECT, LOGSTORE).await;

    // Grid: hostile cells and a hostile column name.
    let sql = format!(
        "SELECT blob3 AS event, blob6 AS {}, blob7 AS plain, double1 AS n, blob5 AS ref_id\nFROM aepipe ORDER BY plain",
        quoted(HOSTILE_ALIAS)
    );
    run_sql(&mut h, &sql).await;
    assert_eq!(h.app.query.error, None);
    let result = h.app.grid.result.clone().expect("a result");
    assert_eq!(
        result.columns()[1].name,
        HOSTILE_ALIAS,
        "alias kept exactly"
    );
    assert_eq!(result.get_str(0, 1), Some(HOSTILE), "cell kept exactly");
    let buf = frame(&h.app);
    assert_buffer_safe(&buf, "grid");
    let rows = rows_of(&buf);
    let text = rows.join("\n");
    assert!(
        text.contains("␛[31m␛]0;PWNED␇\\u{9b}2J"),
        "header shown:\n{text}"
    );
    assert!(text.contains("t␛]0;PWNED␇i"), "cell shown:\n{text}");
    // Columns stay aligned: "plain" and its cells start at the same x.
    // The names are the row above the types.
    let header_y = rows
        .iter()
        .position(|r| r.contains("Float64"))
        .expect("types row")
        - 1;
    let x_of = |row: &str, needle: &str| {
        row.find(needle)
            .map(|b| unicode_width::UnicodeWidthStr::width(&row[..b]))
    };
    let col_x = x_of(&rows[header_y], "plain").expect("plain header");
    for i in 0..3 {
        let row = rows
            .iter()
            .find(|r| r.contains(&format!("plain{i}")))
            .unwrap_or_else(|| panic!("row plain{i}:\n{text}"));
        assert_eq!(
            x_of(row, &format!("plain{i}")),
            Some(col_x),
            "aligned:\n{text}"
        );
    }

    // Detail: the hostile payload (keys and values) of the selected row.
    h.until("payload", WAIT, |a| {
        matches!(a.detail.payload_status(), Some(PayloadStatus::Found(_)))
    })
    .await;
    let buf = frame(&h.app);
    assert_buffer_safe(&buf, "detail");
    let text = rows_of(&buf).join("\n");
    assert!(
        text.contains("key t␛]0;PWNED") || text.contains("keyt␛]0;PWNED"),
        "payload key:\n{text}"
    );

    // Chart: a hostile series name.
    let sql = format!(
        "SELECT toStartOfInterval(timestamp, INTERVAL 1 MINUTE) AS t, sum(double1) AS {}\nFROM aepipe GROUP BY t ORDER BY t",
        quoted(HOSTILE_ALIAS)
    );
    run_sql(&mut h, &sql).await;
    assert_eq!(h.app.query.error, None);
    h.app.focus = aepipe::tui::app::Focus::Results;
    h.send([key(KeyCode::F(7))]);
    assert_eq!(h.app.bottom, Bottom::Chart);
    let buf = frame(&h.app);
    assert_buffer_safe(&buf, "chart");

    // An error text that quotes the hostile SQL back.
    run_sql(&mut h, &format!("SELECT {} FROM aepipe", quoted(HOSTILE))).await;
    let err = h
        .app
        .query
        .error
        .clone()
        .expect("an unknown column is an error");
    assert!(
        !unsafe_chars(&err).is_empty(),
        "the server quotes it: {err:?}"
    );
    h.app.bottom = Bottom::Grid;
    let buf = frame(&h.app);
    assert_buffer_safe(&buf, "query error");
    assert!(
        rows_of(&buf).join("\n").contains("␛]0;PWNED"),
        "error shown"
    );

    // History picker: the hostile queries that ran.
    h.app.focus = aepipe::tui::app::Focus::Editor;
    h.send([key(KeyCode::F(2))]);
    assert!(h.app.history_view().is_some(), "history popup open");
    let buf = frame(&h.app);
    assert_buffer_safe(&buf, "history picker");
    h.send([key(KeyCode::Esc)]);

    // Tail: hostile messages, levels and fields.
    h.send([key(KeyCode::F(4))]);
    h.until("tail lines", WAIT, |a| {
        a.bottom == Bottom::Tail && rows_of(&frame(a)).join("\n").contains("second t␛]0;PWNED")
    })
    .await;
    assert_buffer_safe(&frame(&h.app), "tail");

    // Help over everything.
    h.send([key(KeyCode::F(1))]);
    assert_buffer_safe(&frame(&h.app), "help");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_and_errors_from_a_hostile_server_are_drawn_safely() {
    let evil_project = "\x1b]0;PWNED\x07proj\u{202e}";
    let server = HostileServer::start(Arc::new(move |_method: &str, path: &str| match path {
        "/v1/projects" => json_answer(200, &json!({ "projects": ["p", evil_project] })),
        "/v1/p/logstores" => json_answer(200, &json!({ "logstores": [EVIL_LOGSTORE, "ok"] })),
        _ => json_answer(503, &json!({ "error": format!("down {HOSTILE}") })),
    }))
    .await;
    let client = aepipe::client::Client::builder(&server.url, "t")
        .max_retries(0)
        .build()
        .unwrap();
    let mut h = Harness::new(client, 120, 30);
    // Open both projects: one lists hostile logstores, the other's name is
    // refused by the client (its error quotes the name).
    h.open_project("p").await;
    h.open_project(evil_project).await;
    let buf = frame(&h.app);
    assert_buffer_safe(&buf, "tree");
    let text = rows_of(&buf).join("\n");
    assert!(text.contains("␛]0;PWNED␇proj"), "project shown:\n{text}");
    assert!(text.contains("␛[2Jls\\u{9b}0m"), "logstore shown:\n{text}");

    // The hostile logstore can be chosen (its name is shown safely), but
    // the client refuses to send it; its error quotes the name.
    h.choose("p", EVIL_LOGSTORE).await;
    assert_buffer_safe(&frame(&h.app), "scoped editor");
    h.app.editor.set_text("SELECT 1");
    h.send([key(KeyCode::F(5))]);
    h.until("query refused", WAIT, |a| a.query.error.is_some())
        .await;
    assert_buffer_safe(&frame(&h.app), "refused name");

    // On a good logstore the server answers 503 with hostile text, shown
    // in the status bar while the explorer retries.
    h.choose("p", "ok").await;
    h.app.editor.set_text("SELECT 1");
    h.send([key(KeyCode::F(5))]);
    h.until("server failing", WAIT, |a| {
        matches!(a.conn_state, ConnState::Failing { .. })
    })
    .await;
    let buf = frame(&h.app);
    assert_buffer_safe(&buf, "error and status bar");
    let text = rows_of(&buf).join("\n");
    assert!(
        text.contains("down t␛]0;PWNED␇"),
        "server text shown:\n{text}"
    );
}

// ---------------------------------------------------------------- the CLI

fn aepipe(server: &TestServer, home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("aepipe").unwrap();
    cmd.env_remove("AEPIPE_PROFILE")
        .env("XDG_CONFIG_HOME", home)
        .env("HOME", home)
        .env("AEPIPE_URL", server.url())
        .env("AEPIPE_TOKEN", server.token())
        .env_remove("NO_COLOR");
    cmd
}

fn run(cmd: &mut Command) -> (bool, String, String) {
    let out = cmd.output().expect("run aepipe");
    (
        out.status.success(),
        String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_tables_and_errors_show_hostile_text_and_json_keeps_it_exactly() {
    let server = TestServer::start().await;
    seed(&server.client()).await;
    let home = tempfile::tempdir().unwrap();
    let sql = format!(
        "SELECT blob6 AS {}, blob7 AS plain, blob3 AS event FROM aepipe ORDER BY plain",
        quoted(HOSTILE_ALIAS)
    );

    let (ok, table, err) =
        run(aepipe(&server, home.path())
            .args(["query", PROJECT, LOGSTORE, &sql, "--format", "table"]));
    assert!(ok, "{err}");
    assert_text_safe(&table, "query table");
    assert!(table.contains(HOSTILE_SHOWN_START), "{table}");
    assert!(table.contains("␛[31m␛]0;PWNED␇"), "header shown: {table}");
    // The plain column starts at the same place on every line.
    let x = |line: &str, needle: &str| {
        line.find(needle)
            .map(|b| unicode_width::UnicodeWidthStr::width(&line[..b]))
    };
    let lines: Vec<&str> = table.lines().collect();
    let col = x(lines[0], "plain").expect("plain header");
    for (i, line) in lines[1..].iter().enumerate() {
        assert_eq!(x(line, &format!("plain{i}")), Some(col), "{table}");
    }

    let (ok, json_out, err) =
        run(aepipe(&server, home.path())
            .args(["query", PROJECT, LOGSTORE, &sql, "--format", "json"]));
    assert!(ok, "{err}");
    let rows: Value = serde_json::from_str(&json_out).expect("JSON");
    assert_eq!(rows[0][HOSTILE_ALIAS], json!(HOSTILE), "exact bytes");
    assert_eq!(rows[0]["event"], json!(format!("ev0{HOSTILE}")));

    for args in [
        vec!["rawlog", PROJECT, LOGSTORE, "--format", "table"],
        vec!["tail", PROJECT, LOGSTORE, "--format", "table"],
    ] {
        let (ok, out, err) = run(aepipe(&server, home.path()).args(&args));
        assert!(ok, "{args:?}: {err}");
        assert_text_safe(&out, &format!("{args:?}"));
        assert!(out.contains("second t␛]0;PWNED"), "{args:?}: {out}");
    }

    let ref_id = server
        .client()
        .query(PROJECT, LOGSTORE, "SELECT blob5 AS r FROM aepipe LIMIT 1")
        .await
        .unwrap()
        .get_str(0, 0)
        .unwrap()
        .to_string();
    let (ok, out, err) = run(aepipe(&server, home.path())
        .args(["detail", PROJECT, LOGSTORE, &ref_id, "--format", "table"]));
    assert!(ok, "{err}");
    assert_text_safe(&out, "detail table");

    // An error that quotes hostile SQL back.
    let (ok, out, err) = run(aepipe(&server, home.path()).args([
        "query",
        PROJECT,
        LOGSTORE,
        &format!("SELECT {} FROM aepipe", quoted(HOSTILE)),
    ]));
    assert!(!ok, "{out}");
    assert_text_safe(&err, "error message");
    assert!(err.contains("␛]0;PWNED"), "{err}");
}
