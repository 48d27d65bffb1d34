//! Explorer speed and memory (a plain `harness = false` bench):
//! 1. a full frame with the grid focused, 1,000 vs 100,000 rows;
//! 2. keypress to frame (update + draw of one ↓ in the grid), and per
//!    keystroke of the grid's `/` filter on 100,000 rows;
//! 3. first frame, and first frame with the project list, after start
//!    against a running server and on the embedded server with existing data;
//! 4. memory of a 100,000-row result (decoded by the real client from a real
//!    HTTP answer) against the size of its JSON;
//! 5. five result tabs of 100,000 rows each: the frame (and a tab switch
//!    plus its frame) against the 2 ms budget, what each tab adds to the
//!    heap against its result's own size, and what closing them frees.
//!
//! Run: `cargo bench --bench tui_render`

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aepipe::client::{Cell, Client, Column, QueryResult};
use aepipe::tui::action::Action;
use aepipe::tui::app::{App, ConnectionInfo, Focus, Scope};
use aepipe::tui::effects::tasks::TaskRunner;
use aepipe::tui::grid::RunInfo;
use aepipe::tui::keymap::Keymap;
use aepipe::tui::theme::Theme;
use aepipe::tui::{ui, update};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Counts live heap bytes so the bench can say what a result holds.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            LIVE.fetch_add(l.size(), Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            LIVE.fetch_add(new, Ordering::Relaxed);
            LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        }
        q
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const W: u16 = 160;
const H: u16 = 48;

fn app() -> App {
    let mut app = App::new(
        ConnectionInfo {
            place: "local".into(),
            profile: None,
            embedded: true,
        },
        Keymap::defaults(),
        Theme::ansi16(),
    );
    app.size = (W, H);
    update::apply_layout(&mut app);
    app
}

/// Rows like the starter query's, plus two numbers.
fn result(rows: usize) -> Arc<QueryResult> {
    let col = |n: &str, t: &str| Column {
        name: n.into(),
        type_name: t.into(),
    };
    let cols = vec![
        col("timestamp", "DateTime"),
        col("event", "String"),
        col("level", "String"),
        col("ref_id", "String"),
        col("latency_ms", "Float64"),
        col("n", "UInt64"),
    ];
    let data = (0..rows)
        .map(|i| {
            vec![
                Cell::Text(format!("2026-11-27 02:{:02}:{:02}", (i / 60) % 60, i % 60).into()),
                Cell::Text(["http_request", "checkout", "http_error"][i % 3].into()),
                Cell::Text(["info", "warn", "error"][i % 3].into()),
                Cell::Text(format!("00000000-0000-4000-8000-{i:012}").into()),
                Cell::Number(i as f64 * 0.37),
                Cell::Text(i.to_string().into()),
            ]
        })
        .collect();
    Arc::new(QueryResult::from_parts(cols, data))
}

fn with_rows(rows: usize) -> App {
    let mut app = app();
    app.grid.set_result(
        result(rows),
        RunInfo {
            elapsed: Duration::from_millis(100),
            sql: "SELECT …".into(),
            limit_reached: false,
        },
    );
    app.focus = Focus::Results;
    // Somewhere in the middle, as after scrolling.
    app.grid.move_to_row(rows / 2);
    app
}

/// Mean and max of `n` runs of `f`, after a warm-up.
fn time(n: usize, mut f: impl FnMut()) -> (Duration, Duration) {
    for _ in 0..n / 10 + 1 {
        f();
    }
    let mut total = Duration::ZERO;
    let mut max = Duration::ZERO;
    for _ in 0..n {
        let t = Instant::now();
        f();
        let d = t.elapsed();
        total += d;
        max = max.max(d);
    }
    (total / n as u32, max)
}

fn frame_cost() {
    let mut term = Terminal::new(TestBackend::new(W, H)).expect("terminal");
    for rows in [1_000, 100_000] {
        let app = with_rows(rows);
        let (mean, max) = time(500, || {
            term.draw(|f| ui::render(&app, f)).expect("draw");
        });
        println!("frame {W}x{H}, grid focused, {rows:>7} rows: mean {mean:>9.2?}  max {max:>9.2?}");
    }
}

fn keypress_to_frame() {
    let mut term = Terminal::new(TestBackend::new(W, H)).expect("terminal");
    let mut app = with_rows(100_000);
    let down = Action::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
    let (mean, max) = time(500, || {
        let _ = update::update(&mut app, down.clone());
        term.draw(|f| ui::render(&app, f)).expect("draw");
    });
    println!("keypress (↓ in a 100,000-row grid) to frame: mean {mean:>9.2?}  max {max:>9.2?}");
}

/// The grid's `/` filter on 100,000 rows, per keystroke (update + frame):
/// `/` (which builds the per-row search text once per result), the first
/// character,
/// further characters (which narrow the shown rows), and Backspace (which
/// scans every row again). For comparison, one scan the way the filter
/// worked before (format and lowercase every cell on every keystroke).
fn filter_keystrokes() {
    let mut term = Terminal::new(TestBackend::new(W, H)).expect("terminal");
    let press = |app: &mut App, code: KeyCode| {
        let _ = update::update(app, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    };
    let typed = "http_er";
    let (mut slash, mut first, mut narrow, mut widen) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..5 {
        let mut app = with_rows(100_000);
        let t = Instant::now();
        press(&mut app, KeyCode::Char('/'));
        term.draw(|f| ui::render(&app, f)).expect("draw");
        slash.push(t.elapsed());
        for (i, c) in typed.chars().enumerate() {
            let t = Instant::now();
            press(&mut app, KeyCode::Char(c));
            term.draw(|f| ui::render(&app, f)).expect("draw");
            if i == 0 {
                first.push(t.elapsed())
            } else {
                narrow.push(t.elapsed())
            }
        }
        assert!(!app.grid.view.is_empty() && app.grid.view.len() < 100_000);
        for _ in 0..typed.len() {
            let t = Instant::now();
            press(&mut app, KeyCode::Backspace);
            term.draw(|f| ui::render(&app, f)).expect("draw");
            widen.push(t.elapsed());
        }
        assert_eq!(app.grid.view.len(), 100_000);
    }
    let stats = |v: &[Duration]| {
        let max = v.iter().max().copied().unwrap_or_default();
        (v.iter().sum::<Duration>() / v.len() as u32, max)
    };
    let result = result(100_000);
    let (old_mean, old_max) = time(5, || {
        let needle = "http_er";
        let n = (0..result.len())
            .filter(|&r| {
                (0..result.columns().len())
                    .any(|c| result.display(r, c).to_lowercase().contains(needle))
            })
            .count();
        assert!(n > 0);
    });
    for (what, v) in [
        ("/ (builds the search text once)", &slash),
        ("first key", &first),
        ("next keys (narrow)", &narrow),
        ("Backspace (rescan)", &widen),
    ] {
        let (mean, max) = stats(v);
        println!("grid / filter, 100,000 rows, {what:<31}: mean {mean:>9.2?}  max {max:>9.2?}");
    }
    println!("grid / filter, 100,000 rows, old per-keystroke scan   : mean {old_mean:>9.2?}  max {old_max:>9.2?} (scan only, no frame)");
}

/// From nothing to the first frame, then to a frame with the project list,
/// on the given client.
async fn first_frames(client: Client, started: Instant) -> (Duration, Duration) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut app = app();
    let mut runner = TaskRunner::new(client, tx);
    for e in update::start(&mut app) {
        runner.run(e);
    }
    let mut term = Terminal::new(TestBackend::new(W, H)).expect("terminal");
    term.draw(|f| ui::render(&app, f)).expect("draw");
    let first = started.elapsed();
    while app.tree.projects.loaded().is_none() {
        let Some(a) = rx.recv().await else { break };
        for e in update::update(&mut app, a) {
            runner.run(e);
        }
    }
    term.draw(|f| ui::render(&app, f)).expect("draw");
    (first, started.elapsed())
}

async fn startup() {
    // A running server (demo data seeded before the clock starts).
    let dir = tempfile::tempdir().expect("dir");
    let mut cfg = aepipe::server::ServerConfig::local(dir.path(), "bench-token");
    cfg.demo = true;
    let server = aepipe::server::start(cfg).await.expect("server");
    let started = Instant::now();
    let client = Client::new(server.url(), "bench-token").expect("client");
    let (first, listed) = first_frames(client, started).await;
    println!("start against a running server: first frame {first:.2?}, with projects {listed:.2?}");
    server.shutdown().await;

    // The embedded server on a data dir that already holds the demo data.
    let edir = tempfile::tempdir().expect("dir");
    let seeded = aepipe::tui::connect::start_embedded(edir.path().to_path_buf(), None)
        .await
        .expect("seed");
    seeded.close().await;
    let started = Instant::now();
    let conn = aepipe::tui::connect::start_embedded(edir.path().to_path_buf(), None)
        .await
        .expect("embedded");
    let (first, listed) = first_frames(conn.client.clone(), started).await;
    println!("start on the embedded server with existing data: first frame {first:.2?}, with projects {listed:.2?}");
    conn.close().await;
}

/// AE's FORMAT JSON for `rows` rows of the starter query's shape.
fn json_body(rows: usize) -> String {
    let mut data = Vec::with_capacity(rows);
    for i in 0..rows {
        let event = ["http_request", "checkout", "http_error"][i % 3];
        let level = ["info", "warn", "error"][i % 3];
        data.push(serde_json::json!({
            "timestamp": format!("2026-11-27 02:{:02}:{:02}", (i / 60) % 60, i % 60),
            "event": event,
            "level": level,
            "ref_id": if i % 4 == 0 { format!("00000000-0000-4000-8000-{i:012}") } else { String::new() },
            "latency_ms": (i as f64) * 0.37,
            "n": i.to_string(),
        }));
    }
    serde_json::json!({
        "meta": [
            {"name": "timestamp", "type": "DateTime"},
            {"name": "event", "type": "String"},
            {"name": "level", "type": "String"},
            {"name": "ref_id", "type": "String"},
            {"name": "latency_ms", "type": "Float64"},
            {"name": "n", "type": "UInt64"},
        ],
        "data": data,
        "rows": rows,
    })
    .to_string()
}

/// Serve one fixed body to every request (a stand-in for AE's answer; the
/// client's real decoding path is what is measured).
async fn fixed_answer_server(body: Arc<String>) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let body = body.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                let _ = sock.read(&mut buf).await;
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(body.as_bytes()).await;
            });
        }
    });
    addr
}

async fn memory() {
    let rows = 100_000;
    let body = Arc::new(json_body(rows));
    let json_len = body.len();
    let addr = fixed_answer_server(body.clone()).await;
    let client = Client::new(format!("http://{addr}"), "t").expect("client");
    let before = LIVE.load(Ordering::SeqCst);
    let result = Arc::new(client.query("p", "l", "SELECT").await.expect("query"));
    let held = LIVE.load(Ordering::SeqCst).saturating_sub(before);
    assert_eq!(result.len(), rows);
    let mut app = app();
    let before_grid = LIVE.load(Ordering::SeqCst);
    app.grid.set_result(
        result.clone(),
        RunInfo {
            elapsed: Duration::ZERO,
            sql: String::new(),
            limit_reached: false,
        },
    );
    app.scope = Some(Scope {
        project: "p".into(),
        logstore: "l".into(),
    });
    let grid = LIVE.load(Ordering::SeqCst).saturating_sub(before_grid);
    let mb = |b: usize| b as f64 / 1_048_576.0;
    println!(
        "100,000-row result: JSON {:.1} MiB, decoded result {:.1} MiB ({:.2}x), grid view index {:.1} MiB, together {:.2}x",
        mb(json_len),
        mb(held),
        held as f64 / json_len as f64,
        mb(grid),
        (held + grid) as f64 / json_len as f64,
    );
}

/// Frame budget of issue 12 with result tabs open.
const FRAME_BUDGET: Duration = Duration::from_millis(2);

fn key_action(code: KeyCode, m: KeyModifiers) -> Action {
    Action::Key(KeyEvent::new(code, m))
}

/// Run the editor's query through `update` (F5) and answer it with `rows`.
fn run_in_tab(app: &mut App, sql: &str, rows: Arc<QueryResult>) {
    app.editor.set_text(sql);
    app.focus = Focus::Editor;
    let id = update::update(app, key_action(KeyCode::F(5), KeyModifiers::NONE))
        .iter()
        .find_map(|e| match e {
            aepipe::tui::effects::Effect::RunQuery { id, .. } => Some(*id),
            _ => None,
        })
        .expect("F5 runs");
    update::update(
        app,
        Action::QueryFinished {
            id,
            result: Ok(rows),
            elapsed: Duration::from_millis(100),
        },
    );
}

fn five_tabs() {
    let rows = 100_000;
    let mut app = app();
    app.scope = Some(Scope {
        project: "p".into(),
        logstore: "l".into(),
    });
    let base = LIVE.load(Ordering::SeqCst);
    let mut own = Vec::new();
    let mut grown = Vec::new();
    for t in 0..5 {
        // From before the tab opens: its growth counts the copy Ctrl-T
        // makes (rows shared, the row index copied) and its own answer.
        let before = LIVE.load(Ordering::SeqCst);
        if t > 0 {
            update::update(
                &mut app,
                key_action(KeyCode::Char('t'), KeyModifiers::CONTROL),
            );
        }
        let before_result = LIVE.load(Ordering::SeqCst);
        let r = result(rows);
        let size = LIVE.load(Ordering::SeqCst) - before_result;
        run_in_tab(&mut app, &format!("SELECT … tab {t}"), r);
        own.push(size);
        grown.push(LIVE.load(Ordering::SeqCst).saturating_sub(before));
    }
    app.focus = Focus::Results;
    let mb = |b: usize| b as f64 / 1_048_576.0;
    for (t, (size, g)) in own.iter().zip(&grown).enumerate() {
        println!(
            "tab {} of 5: result {:.2} MiB, heap grew {:.2} MiB ({:.3}x its result; the rest is the grid's row index, 8 bytes a row)",
            t + 1,
            mb(*size),
            mb(*g),
            *g as f64 / *size as f64
        );
    }
    let total_own: usize = own.iter().sum();
    let total = LIVE.load(Ordering::SeqCst).saturating_sub(base);
    println!(
        "5 tabs of {rows} rows: results {:.1} MiB, heap grew {:.1} MiB in all ({:.3}x)",
        mb(total_own),
        mb(total),
        total as f64 / total_own as f64
    );

    let mut term = Terminal::new(TestBackend::new(W, H)).expect("terminal");
    let verdict = |d: Duration| if d <= FRAME_BUDGET { "within" } else { "OVER" };
    let (mean, max) = time(500, || {
        term.draw(|f| ui::render(&app, f)).expect("draw");
    });
    println!(
        "frame {W}x{H}, 5 tabs of {rows} rows: mean {mean:>9.2?}  max {max:>9.2?}  ({} the 2 ms budget on the mean)",
        verdict(mean)
    );
    let mut next = 0u8;
    let (mean, max) = time(500, || {
        next = next % 5 + 1;
        update::update(
            &mut app,
            key_action(KeyCode::Char(char::from(b'0' + next)), KeyModifiers::ALT),
        );
        term.draw(|f| ui::render(&app, f)).expect("draw");
    });
    println!(
        "Alt-n tab switch + frame, 5 tabs of {rows} rows: mean {mean:>9.2?}  max {max:>9.2?}  ({} the 2 ms budget on the mean)",
        verdict(mean)
    );

    // Closing four tabs frees their rows (the first tab's stay).
    let before = LIVE.load(Ordering::SeqCst);
    update::update(&mut app, key_action(KeyCode::Char('5'), KeyModifiers::ALT));
    for _ in 0..4 {
        update::update(&mut app, key_action(KeyCode::Char('w'), KeyModifiers::ALT));
    }
    let freed = before.saturating_sub(LIVE.load(Ordering::SeqCst));
    println!(
        "closing 4 of the 5 tabs freed {:.1} MiB (their results: {:.1} MiB)",
        mb(freed),
        mb(own[1..].iter().sum())
    );
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` runs it once too.
    five_tabs();
    frame_cost();
    keypress_to_frame();
    filter_keystrokes();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(startup());
    rt.block_on(memory());
}
