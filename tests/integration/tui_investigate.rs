//! The explorer as an investigation tool (issue 12): field names per
//! logstore, drill-down from a cell and back, the time range, and watch.
//! update()-level tests with answers fed by hand, TestBackend snapshots,
//! and flows against the real local server (demo data). Time is the app's
//! tick counter, driven by sending `Action::Tick`.

use crate::common;
use crate::tui_support;

use std::sync::Arc;
use std::time::Duration;

use aepipe::client::{Cell, Column, QueryResult};
use aepipe::tui::action::Action;
use aepipe::tui::app::{App, Focus, TICKS_PER_SECOND};
use aepipe::tui::effects::Effect;
use aepipe::tui::fields::{FieldsConfig, FieldsTable};
use crossterm::event::KeyCode;
use tui_support::*;

const WAIT: Duration = Duration::from_secs(60);

fn snap(name: &str, app: &App) {
    snapshot_settings().bind(|| insta::assert_snapshot!(name, screen(app)));
}

/// shop/api's names as a user would write them in explorer.toml.
fn shop_api_names() -> FieldsConfig {
    let table: FieldsTable = toml::from_str(
        "[local.shop.api]\nblob6 = \"path\"\nblob10 = \"user_id\"\ndouble1 = \"latency_ms\"\n",
    )
    .unwrap();
    FieldsConfig::from_table(&table).unwrap()
}

/// The SQL of the query the effects start, with its id.
fn started_query(effects: &[Effect]) -> Option<(u64, String)> {
    effects.iter().find_map(|e| match e {
        Effect::RunQuery { id, sql, .. } => Some((*id, sql.clone())),
        _ => None,
    })
}

fn answer(app: &mut App, id: u64, result: Arc<QueryResult>) {
    press(
        app,
        [Action::QueryFinished {
            id,
            result: Ok(result),
            elapsed: Duration::from_millis(120),
        }],
    );
    app.notice = None;
}

/// Rows as `SELECT timestamp, blob3, blob6, double1, blob7 …` returns them
/// from shop/api.
fn api_rows(n: usize, path: Option<&str>) -> Arc<QueryResult> {
    let col = |name: &str, t: &str| Column {
        name: name.into(),
        type_name: t.into(),
    };
    let cols = vec![
        col("timestamp", "DateTime"),
        col("blob3", "String"),
        col("blob6", "String"),
        col("double1", "Float64"),
        col("blob7", "String"),
    ];
    let paths = ["/api/search", "/api/cart", "/api/items/42"];
    let rows = (0..n)
        .map(|i| {
            vec![
                Cell::Text(format!("2026-11-27 02:{:02}:{:02}", i / 60, i % 60).into()),
                Cell::Text("http_request".into()),
                Cell::Text(path.unwrap_or(paths[i % 3]).into()),
                Cell::Number(12.5 + i as f64),
                Cell::Text("".into()),
            ]
        })
        .collect();
    Arc::new(QueryResult::from_parts(cols, rows))
}

const API_SQL: &str =
    "SELECT timestamp, blob3, blob6, double1, blob7\nFROM aepipe\nORDER BY timestamp DESC\nLIMIT 100";

/// Scoped, names on, API_SQL run and answered with `rows` rows.
fn with_api_rows(rows: usize) -> App {
    let mut app = scoped(120, 32);
    app.fields = shop_api_names();
    app.editor.set_text(API_SQL);
    let (id, _) = started_query(&press(&mut app, [key(KeyCode::F(5))])).expect("runs");
    answer(&mut app, id, api_rows(rows, None));
    app
}

// ---- 1. field names ------------------------------------------------------

#[test]
fn named_columns_show_in_grid_headers_and_detail() {
    let mut app = with_api_rows(20);
    press(&mut app, [key(KeyCode::Tab)]);
    assert_eq!(app.focus, Focus::Results);
    let s = screen(&app);
    assert!(s.contains("path") && s.contains("latency_ms"), "{s}");
    // The positional column is where the type goes, so the SQL name is seen.
    assert!(s.contains("blob6") && s.contains("double1"), "{s}");
    assert!(s.contains("path (blob6)"), "detail names the field:\n{s}");
    // blob7 is empty in every row: hidden in detail until E.
    assert!(!s.contains("blob7:"), "{s}");
    assert!(s.contains("1 empty column hidden"), "{s}");
    snap("names_grid_and_detail", &app);
    press(&mut app, [key(KeyCode::Tab), key(KeyCode::Char('E'))]);
    assert_eq!(app.focus, Focus::Detail);
    assert!(app.detail.shows_empty());
    assert!(screen(&app).contains("blob7"), "{}", screen(&app));
}

#[test]
fn a_column_is_named_from_the_grid_and_saved() {
    let mut app = with_api_rows(20);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fields.toml");
    app.fields_path = Some(path.clone());
    press(&mut app, [key(KeyCode::Tab)]);
    // blob3 is not named yet; a bad name is refused and can be fixed.
    press(&mut app, [key(KeyCode::Right), key(KeyCode::Char('n'))]);
    assert!(app.name_prompt().is_some());
    press(&mut app, chars("PATH"));
    assert!(press(&mut app, [key(KeyCode::Enter)]).is_empty());
    assert!(screen(&app).contains("names both"), "{}", screen(&app));
    snap("name_prompt", &app);
    press(&mut app, [ctrl('u')]);
    press(&mut app, chars("event"));
    let effects = press(&mut app, [key(KeyCode::Enter)]);
    let text = effects
        .iter()
        .find_map(|e| match e {
            Effect::SaveFields { path: p, text } if *p == path => Some(text.clone()),
            _ => None,
        })
        .expect("the names are saved");
    assert!(text.contains("blob3 = \"event\""), "{text}");
    let s = screen(&app);
    assert!(s.contains("event (blob3)"), "detail follows at once:\n{s}");
    // The saved text reads back as the same names.
    std::fs::write(&path, &text).unwrap();
    let back = FieldsConfig::load(&path).unwrap();
    assert_eq!(
        back.names("local", "shop", "api").name_of("blob3"),
        Some("event")
    );
    // An alias or timestamp cannot be named.
    press(&mut app, [key(KeyCode::Left), key(KeyCode::Char('n'))]);
    assert!(app.name_prompt().is_none());
}

#[test]
fn tail_lines_show_named_columns() {
    let mut app = scoped(200, 32);
    app.fields = shop_api_names();
    press(&mut app, [key(KeyCode::F(4))]);
    let id = app.tail.id();
    let entries = vec![aepipe::client::RawLogEntry {
        timestamp: "2026-11-27T02:15:30.123Z".into(),
        level: "info".into(),
        data: serde_json::json!({
            "event": "http_request",
            "blobs": ["/api/cart", "GET", "200", "eu", "u-42"],
            "doubles": [12.5, 0]
        }),
    }];
    app.tail
        .on_tail_entries(id, entries, std::time::Instant::now(), 1_900_000_000_000);
    let s = screen(&app);
    assert!(
        s.contains("path=/api/cart blob7=GET blob8=200 blob9=eu user_id=u-42 latency_ms=12.5"),
        "{s}"
    );
    assert!(!s.contains("blobs=[") && !s.contains("double2"), "{s}");
    snap("tail_named", &app);
}

#[test]
fn completion_offers_names_and_inserts_the_column() {
    let mut app = scoped(120, 32);
    app.fields = shop_api_names();
    press(&mut app, [ctrl('l')]);
    press(&mut app, chars("SELECT timestamp, lat"));
    press(&mut app, [key(KeyCode::Tab)]);
    assert_eq!(app.editor.text(), "SELECT timestamp, double1 AS latency_ms");
    press(&mut app, chars(" FROM aepipe WHERE user_"));
    press(&mut app, [key(KeyCode::Tab)]);
    assert_eq!(
        app.editor.text(),
        "SELECT timestamp, double1 AS latency_ms FROM aepipe WHERE blob10"
    );
    // Unnamed logstores complete as before.
    let mut plain = scoped(120, 32);
    press(&mut plain, [ctrl('l')]);
    press(&mut plain, chars("SELECT lat"));
    press(&mut plain, [key(KeyCode::Tab)]);
    assert_eq!(plain.editor.text(), "SELECT lat");
}

#[test]
fn the_chart_legend_uses_names() {
    let mut app = with_api_rows(20);
    press(&mut app, [key(KeyCode::F(7))]);
    let s = screen(&app);
    assert!(s.contains("latency_ms"), "{s}");
}

// ---- 2. drill-down ---------------------------------------------------------

#[test]
fn drill_down_adds_the_condition_runs_it_and_back_returns() {
    let mut app = with_api_rows(30);
    press(&mut app, [key(KeyCode::Tab)]);
    // Row 2, the blob6 (path) column.
    press(
        &mut app,
        [key(KeyCode::Down), key(KeyCode::Right), key(KeyCode::Right)],
    );
    let effects = press(&mut app, [key(KeyCode::Char('='))]);
    let (id, sql) = started_query(&effects).expect("the narrowed query runs");
    let want = "SELECT timestamp, blob3, blob6, double1, blob7\nFROM aepipe\nWHERE blob6 = '/api/cart'\nORDER BY timestamp DESC\nLIMIT 100";
    assert_eq!(sql, want);
    assert_eq!(app.editor.text(), want, "visible in the editor");
    answer(&mut app, id, api_rows(10, Some("/api/cart")));
    snap("drill_down_result", &app);

    // != on a number, ANDed to the WHERE there is now.
    press(&mut app, [key(KeyCode::Right)]);
    let (id, sql) = started_query(&press(&mut app, [key(KeyCode::Char('!'))])).expect("runs");
    assert!(
        sql.contains("WHERE blob6 = '/api/cart' AND double1 != 12.5\n"),
        "{sql}"
    );
    answer(&mut app, id, api_rows(9, Some("/api/cart")));

    // Back: the result before, and its SQL in the editor again.
    press(&mut app, [key(KeyCode::Char('b'))]);
    assert_eq!(app.grid.result.as_ref().map(|r| r.len()), Some(10));
    assert_eq!(app.editor.text(), want);
    press(&mut app, [key(KeyCode::Backspace)]);
    assert_eq!(app.grid.result.as_ref().map(|r| r.len()), Some(30));
    assert_eq!(app.editor.text(), API_SQL);
    press(&mut app, [key(KeyCode::Char('b'))]);
    assert!(
        screen(&app).contains("no earlier result"),
        "{}",
        screen(&app)
    );

    // The editor's undo takes the rewrites back one at a time.
    press(&mut app, [key(KeyCode::Char('2')), ctrl('z')]);
    assert_eq!(app.focus, Focus::Editor);
    assert_eq!(app.editor.text(), want);
}

#[test]
fn pivot_runs_every_row_with_the_value_as_a_new_statement() {
    let mut app = scoped(120, 32);
    let first = "SELECT timestamp, blob3 AS event FROM aepipe LIMIT 5";
    app.editor.set_text(first);
    let (id, _) = started_query(&press(&mut app, [key(KeyCode::F(5))])).expect("runs");
    let cols = vec![
        Column {
            name: "timestamp".into(),
            type_name: "DateTime".into(),
        },
        Column {
            name: "event".into(),
            type_name: "String".into(),
        },
    ];
    let rows = vec![vec![
        Cell::Text("2026-11-27 02:00:00".into()),
        Cell::Text("login".into()),
    ]];
    answer(&mut app, id, Arc::new(QueryResult::from_parts(cols, rows)));
    press(&mut app, [key(KeyCode::Tab), key(KeyCode::Right)]);
    let (id, sql) = started_query(&press(&mut app, [key(KeyCode::Char('p'))])).expect("runs");
    let pivot = "SELECT *\nFROM aepipe\nWHERE blob3 = 'login'\nORDER BY timestamp DESC\nLIMIT 100";
    assert_eq!(sql, pivot, "the alias is traced back to blob3");
    assert_eq!(app.editor.text(), format!("{first}\n\n{pivot}"));
    answer(&mut app, id, api_rows(3, None));
    // Back: the first statement is still there; the cursor goes to it.
    press(&mut app, [key(KeyCode::Char('b'))]);
    assert_eq!(app.editor.text(), format!("{first}\n\n{pivot}"));
    assert_eq!(app.editor.sql_to_run().as_deref(), Some(first));
    assert_eq!(app.grid.result.as_ref().map(|r| r.len()), Some(1));
}

#[test]
fn drill_down_quotes_strings_and_refuses_aggregates() {
    let mut app = scoped(120, 32);
    let sql = "SELECT blob3 AS event, count() AS n FROM aepipe GROUP BY event";
    app.editor.set_text(sql);
    let (id, _) = started_query(&press(&mut app, [key(KeyCode::F(5))])).expect("runs");
    let cols = vec![
        Column {
            name: "event".into(),
            type_name: "String".into(),
        },
        Column {
            name: "n".into(),
            type_name: "UInt64".into(),
        },
    ];
    let rows = vec![vec![
        Cell::Text("it's \\ odd".into()),
        Cell::Text("7".into()),
    ]];
    answer(&mut app, id, Arc::new(QueryResult::from_parts(cols, rows)));
    press(&mut app, [key(KeyCode::Tab)]);
    let (_, sql) = started_query(&press(&mut app, [key(KeyCode::Char('='))])).expect("runs");
    assert_eq!(
        sql,
        r"SELECT blob3 AS event, count() AS n FROM aepipe WHERE event = 'it\'s \\ odd' GROUP BY event"
    );
    let mut app = scoped(120, 32);
    app.editor
        .set_text("SELECT blob3 AS event, count() AS n FROM aepipe GROUP BY event");
    let (id, _) = started_query(&press(&mut app, [key(KeyCode::F(5))])).expect("runs");
    let cols = vec![
        Column {
            name: "event".into(),
            type_name: "String".into(),
        },
        Column {
            name: "n".into(),
            type_name: "UInt64".into(),
        },
    ];
    let rows = vec![vec![Cell::Text("a".into()), Cell::Text("7".into())]];
    answer(&mut app, id, Arc::new(QueryResult::from_parts(cols, rows)));
    press(&mut app, [key(KeyCode::Tab), key(KeyCode::Right)]);
    let effects = press(&mut app, [key(KeyCode::Char('='))]);
    assert!(started_query(&effects).is_none());
    assert!(screen(&app).contains("aggregate"), "{}", screen(&app));
}

// ---- 3. time range ---------------------------------------------------------

#[test]
fn the_time_range_is_written_into_where_and_kept_per_logstore() {
    let mut app = scoped(120, 32);
    assert!(!screen(&app).contains("time:"), "{}", screen(&app));
    press(&mut app, [key(KeyCode::F(8))]);
    snap("time_range_picker", &app);
    // The picker opens on the current range (all time, the sixth); 1h is
    // the second.
    let up = key(KeyCode::Up);
    let effects = press(
        &mut app,
        [up.clone(), up.clone(), up.clone(), up, key(KeyCode::Enter)],
    );
    let (_, sql) = started_query(&effects).expect("the bounded query runs");
    assert_eq!(
        sql,
        "SELECT timestamp, blob3 AS event, blob4 AS level, blob5 AS ref_id\nFROM aepipe\nWHERE timestamp >= now() - INTERVAL '1' HOUR\nORDER BY timestamp DESC\nLIMIT 100"
    );
    assert_eq!(app.editor.text(), sql);
    assert!(screen(&app).contains("time: 1h"), "{}", screen(&app));
    // 7d replaces the bound instead of adding one.
    press(&mut app, [key(KeyCode::F(8))]);
    let effects = press(
        &mut app,
        [
            key(KeyCode::Down),
            key(KeyCode::Down),
            key(KeyCode::Down),
            key(KeyCode::Enter),
        ],
    );
    let (_, sql) = started_query(&effects).expect("runs");
    assert_eq!(sql.matches("timestamp >=").count(), 1, "{sql}");
    assert!(sql.contains("INTERVAL '7' DAY"), "{sql}");
    // Snippets follow the range.
    press(&mut app, [key(KeyCode::F(3)), key(KeyCode::Enter)]);
    assert!(
        app.editor.text().contains("INTERVAL '7' DAY"),
        "{}",
        app.editor.text()
    );
    // Another logstore has its own range (none yet).
    app.scope = Some(aepipe::tui::app::Scope {
        project: "shop".into(),
        logstore: "checkout".into(),
    });
    assert!(!screen(&app).contains("time:"));
}

#[test]
fn narrowing_to_a_rows_time_writes_a_range_around_it() {
    let mut app = with_api_rows(30);
    press(&mut app, [key(KeyCode::Tab), key(KeyCode::Down)]);
    let (_, sql) = started_query(&press(&mut app, [key(KeyCode::Char('T'))])).expect("runs");
    assert!(
        sql.contains("WHERE timestamp BETWEEN toDateTime('2026-11-27 01:55:01') AND toDateTime('2026-11-27 02:05:01')\nORDER BY"),
        "{sql}"
    );
    assert_eq!(app.editor.text(), sql);
    assert!(screen(&app).contains("time: 2026-11-27 01:55:01 .. 2026-11-27 02:05:01"));
}

#[test]
fn a_chart_bucket_narrows_the_time_range_to_it() {
    let mut app = with_api_rows(30);
    press(&mut app, [key(KeyCode::Tab), key(KeyCode::Char('c'))]);
    assert!(app.chart.is_some());
    // The first → lands on the newest bucket; ← steps back.
    press(
        &mut app,
        [key(KeyCode::Right), key(KeyCode::Left), key(KeyCode::Left)],
    );
    let range = app.chart.as_ref().and_then(|c| c.bucket_range());
    let t = |s: &str| {
        chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
            .unwrap()
            .and_utc()
            .timestamp()
    };
    assert_eq!(
        range,
        Some((t("2026-11-27 02:00:27"), t("2026-11-27 02:00:28")))
    );
    snap("chart_bucket_cursor", &app);
    let (_, sql) = started_query(&press(&mut app, [key(KeyCode::Enter)])).expect("runs");
    assert!(
        sql.contains("WHERE timestamp BETWEEN toDateTime('2026-11-27 02:00:27') AND toDateTime('2026-11-27 02:00:27')\n"),
        "{sql}"
    );
    assert_eq!(app.editor.text(), sql);
}

#[test]
fn a_custom_range_is_typed_and_checked() {
    let mut app = scoped(120, 32);
    // The picker opens on the current range (all time); custom is below it.
    press(&mut app, [key(KeyCode::F(8)), key(KeyCode::Down)]);
    press(&mut app, [key(KeyCode::Enter)]);
    assert!(app.range_prompt().is_some());
    // Replace the offered text.
    press(&mut app, [ctrl('u')]);
    press(&mut app, chars("2026-11-27 01:00:00 .. 2026-11-27"));
    let effects = press(&mut app, [key(KeyCode::Enter)]);
    assert!(started_query(&effects).is_none());
    assert!(screen(&app).contains("not a time"), "{}", screen(&app));
    press(&mut app, chars(" 02:00:00"));
    let (_, sql) = started_query(&press(&mut app, [key(KeyCode::Enter)])).expect("runs");
    assert!(
        sql.contains("WHERE timestamp BETWEEN toDateTime('2026-11-27 01:00:00') AND toDateTime('2026-11-27 02:00:00')"),
        "{sql}"
    );
}

// ---- 4. watch ----------------------------------------------------------------

fn ticks(app: &mut App, n: u64) -> Vec<Effect> {
    press(app, (0..n).map(|_| Action::Tick))
}

#[test]
fn watch_reruns_on_ticks_keeps_the_cursor_and_waits_while_editing() {
    let mut app = with_api_rows(50);
    press(&mut app, [key(KeyCode::Tab)]);
    press(
        &mut app,
        [key(KeyCode::Down), key(KeyCode::Down), key(KeyCode::Right)],
    );
    press(&mut app, [key(KeyCode::Char('w'))]);
    assert!(app.watch.is_on());
    let period = app.watch.every_secs * TICKS_PER_SECOND;
    assert!(started_query(&ticks(&mut app, period - 1)).is_none());
    let (id, sql) = started_query(&ticks(&mut app, 1)).expect("a refresh runs");
    assert_eq!(sql, API_SQL);
    // While it runs, the rows stay on screen.
    assert!(screen(&app).contains("/api/search"), "{}", screen(&app));
    answer(&mut app, id, api_rows(60, None));
    assert_eq!(app.grid.result.as_ref().map(|r| r.len()), Some(60));
    assert_eq!((app.grid.row, app.grid.col), (2, 1), "selection kept");
    assert!(app.past.is_empty(), "a refresh is no result to go back to");
    let s = screen(&app);
    assert!(s.contains("⟳ watch 10 s · #1"), "{s}");
    snap("watch_status", &app);

    // Paused while the user edits.
    press(&mut app, [key(KeyCode::Char('2'))]);
    assert!(started_query(&ticks(&mut app, 3 * period)).is_none());
    assert!(screen(&app).contains("paused while editing"));
    press(&mut app, [key(KeyCode::Tab)]);
    let (id, _) = started_query(&ticks(&mut app, 1)).expect("runs once resumed");
    answer(&mut app, id, api_rows(60, None));
    // An open chart keeps its bar form through a refresh.
    press(&mut app, [key(KeyCode::Char('c')), key(KeyCode::Char('b'))]);
    let bar = app.chart.as_ref().map(|c| c.kind);
    assert_eq!(bar, Some(aepipe::tui::chart::ChartKind::Bar));
    let (id, _) = started_query(&ticks(&mut app, period)).expect("a refresh runs");
    answer(&mut app, id, api_rows(61, None));
    assert_eq!(app.chart.as_ref().map(|c| c.kind), bar);
    // F9 stops it from anywhere.
    press(&mut app, [key(KeyCode::F(9))]);
    assert!(!app.watch.is_on());
}

/// Rows `from..to` of [`api_rows`]: a window that has moved on in time.
fn api_rows_window(from: usize, to: usize) -> Arc<QueryResult> {
    let all = api_rows(to, None);
    let rows = (from..to)
        .filter_map(|i| all.row(i).map(<[Cell]>::to_vec))
        .collect();
    Arc::new(QueryResult::from_parts(all.columns().to_vec(), rows))
}

#[test]
fn a_watch_refresh_keeps_the_charts_bucket() {
    let mut app = with_api_rows(30);
    press(&mut app, [key(KeyCode::Tab), key(KeyCode::Char('c'))]);
    // The newest bucket, then three back: 02:00:26.
    press(
        &mut app,
        [
            key(KeyCode::Right),
            key(KeyCode::Left),
            key(KeyCode::Left),
            key(KeyCode::Left),
        ],
    );
    let bucket = |app: &App| app.chart.as_ref().and_then(|c| c.bucket_range());
    let before = bucket(&app).expect("a bucket is selected");
    press(&mut app, [key(KeyCode::F(9))]);
    assert!(app.watch.is_on());
    let period = app.watch.every_secs * TICKS_PER_SECOND;
    // The window moved on: 5 older rows gone, 10 newer ones in; the
    // bucket's place in the list changed, its time did not.
    let (id, _) = started_query(&ticks(&mut app, period)).expect("a refresh runs");
    answer(&mut app, id, api_rows_window(5, 40));
    assert_eq!(bucket(&app), Some(before), "the same bucket stays selected");
    assert_eq!(app.chart.as_ref().and_then(|c| c.cursor), Some(21));
    // A bucket the new rows no longer have: the cursor goes to the next
    // newer one.
    let (id, _) = started_query(&ticks(&mut app, period)).expect("a refresh runs");
    answer(&mut app, id, api_rows_window(27, 40));
    assert_eq!(app.chart.as_ref().and_then(|c| c.cursor), Some(0));
    // A query the user runs starts without a bucket.
    press(&mut app, [key(KeyCode::F(9))]);
    let (id, _) = started_query(&press(&mut app, [key(KeyCode::F(5))])).expect("runs");
    answer(&mut app, id, api_rows(30, None));
    assert_eq!(app.chart.as_ref().and_then(|c| c.cursor), None);
}

// ---- against the real local server ---------------------------------------------

async fn demo_server() -> common::TestServer {
    common::TestServer::start_with(|c| {
        c.demo = true;
        c.demo_trickle = true;
    })
    .await
}

async fn run(h: &mut Harness, sql: &str) {
    h.app.focus = Focus::Editor;
    h.app.editor.set_text(sql);
    h.send([key(KeyCode::F(5))]);
    h.until("query result", WAIT, |a| {
        a.query.running.is_none() && (a.grid.result.is_some() || a.query.error.is_some())
    })
    .await;
    assert_eq!(h.app.query.error, None);
}

#[tokio::test]
async fn names_and_drill_down_on_the_demo_server() {
    let server = demo_server().await;
    let mut h = Harness::new(server.client(), 140, 36);
    h.app.fields = shop_api_names();
    h.choose("shop", "api").await;
    run(
        &mut h,
        "SELECT timestamp, blob3 AS event, blob6, double1 FROM aepipe\nWHERE blob3 = 'http_request'\nORDER BY timestamp DESC\nLIMIT 50",
    )
    .await;
    let s = screen(&h.app);
    assert!(s.contains("path") && s.contains("latency_ms"), "{s}");
    let before = h.app.grid.result.clone().expect("rows");
    assert!(before.len() > 1);

    // Drill into the path of the first row.
    h.send([key(KeyCode::Tab), key(KeyCode::Right), key(KeyCode::Right)]);
    let path = before.display(0, 2).into_owned();
    h.send([key(KeyCode::Char('='))]);
    assert!(
        h.app.editor.text().contains(&format!(
            "WHERE blob3 = 'http_request' AND blob6 = '{path}'"
        )),
        "{}",
        h.app.editor.text()
    );
    h.until("narrowed rows", WAIT, |a| {
        a.query.running.is_none() && a.past.len() == 1
    })
    .await;
    assert_eq!(h.app.query.error, None);
    let after = h.app.grid.result.clone().expect("rows");
    assert!(!after.is_empty());
    assert!((0..after.len()).all(|r| after.display(r, 2) == path));

    // Back to the wider result.
    h.send([key(KeyCode::Char('b'))]);
    assert!(Arc::ptr_eq(h.app.grid.result.as_ref().unwrap(), &before));

    // Pivot on the event (an alias of blob3): every row of that event.
    h.send([key(KeyCode::Left), key(KeyCode::Char('p'))]);
    h.until("pivot rows", WAIT, |a| {
        a.query.running.is_none() && a.past.len() == 1
    })
    .await;
    assert_eq!(h.app.query.error, None);
    let rows = h.app.grid.result.clone().expect("rows");
    let event = rows.column_index("blob3").expect("SELECT * has blob3");
    assert!(!rows.is_empty());
    assert!((0..rows.len()).all(|r| rows.display(r, event) == "http_request"));
}

#[tokio::test]
async fn time_range_and_watch_on_the_demo_server() {
    let server = demo_server().await;
    let mut h = Harness::new(server.client(), 140, 36);
    h.choose("shop", "api").await;
    // 7 days: the demo's history is recent, so rows come back.
    h.send([key(KeyCode::F(8)), key(KeyCode::Up), key(KeyCode::Enter)]);
    h.until("bounded rows", WAIT, |a| {
        a.query.running.is_none() && (a.grid.result.is_some() || a.query.error.is_some())
    })
    .await;
    assert_eq!(h.app.query.error, None);
    assert!(h.app.editor.text().contains("INTERVAL '7' DAY"));
    assert!(h.app.grid.result.as_ref().is_some_and(|r| !r.is_empty()));

    // Watch: three refreshes, each driven by ticks sent here.
    h.send([key(KeyCode::Tab)]);
    h.send([key(KeyCode::Char('w'))]);
    let period = h.app.watch.every_secs * TICKS_PER_SECOND;
    for n in 1..=3 {
        for _ in 0..period {
            h.send([Action::Tick]);
        }
        assert!(h.app.query.running.is_some(), "refresh {n} started");
        h.until("refresh", WAIT, |a| a.query.running.is_none())
            .await;
        assert_eq!(h.app.query.error, None);
        // The harness's own ticks while waiting may add one.
        assert!(h.app.watch.runs >= n);
    }
    assert_eq!(h.app.past.len(), 0, "refreshes replace in place");
}

// ---- 6. the payload viewer: zoom and / search --------------------------------

#[test]
fn search_in_the_payload_unfolds_and_steps_through_matches() {
    let mut app = scoped(120, 32);
    app.detail.show_json(
        "payload",
        serde_json::json!({
            "error": {"message": "Timeout talking to db-7", "code": 504},
            "request": {"path": "/api/cart", "headers": {"x-db-shard": "7"}},
            "trace": ["at db.rs:12", "at main.rs:3"]
        }),
    );
    press(&mut app, [key(KeyCode::Tab), key(KeyCode::Char('4'))]);
    assert_eq!(app.focus, Focus::Detail);
    // Fold everything: a match inside must be unfolded to be shown.
    press(&mut app, [key(KeyCode::Char('Z'))]);
    press(&mut app, [key(KeyCode::Char('/'))]);
    press(&mut app, chars("DB"));
    assert!(app.detail.captures_input());
    // q types while searching; it does not quit.
    press(&mut app, [key(KeyCode::Char('q'))]);
    assert!(!app.should_quit);
    press(&mut app, [key(KeyCode::Backspace), key(KeyCode::Enter)]);
    let s = &app.detail;
    assert_eq!(s.search().query, "DB");
    assert_eq!(s.search().matches.len(), 3, "{:?}", s.search().matches);
    let title = screen(&app);
    assert!(title.contains("/DB 1/3"), "{title}");
    press(&mut app, [key(KeyCode::Char('z'))]);
    snap("payload_search_zoomed", &app);
    press(&mut app, [key(KeyCode::Char('n'))]);
    assert!(screen(&app).contains("/DB 2/3"));
    press(&mut app, [key(KeyCode::Char('N')), key(KeyCode::Char('N'))]);
    assert!(screen(&app).contains("/DB 3/3"), "wraps back");
    press(&mut app, [key(KeyCode::Esc)]);
    assert!(!app.detail.search().is_active());
    assert!(!screen(&app).contains("/DB"));
}
