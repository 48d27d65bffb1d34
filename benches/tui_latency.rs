//! Keypress to frame in the explorer's own loop (`tui::event_loop::drive`,
//! the loop the binary runs) while work is in flight: a query that takes
//! about a second on the server, payload fetches for the rows that scroll
//! into view, and the live tail polling raw logs that arrive late — against
//! `aepipe serve`'s realistic mode on 127.0.0.1. The same key script runs a
//! second time on a plain local server (everything answers at once) as the
//! peer, so the ratio says what the distance costs the keyboard.
//!
//! A key's latency runs from the moment it is sent to the loop's input
//! until the frame drawn after the loop took it (keys wait behind task
//! answers and ticks, as on a real terminal); frames go to ratatui's test
//! backend at 160×48.
//!
//! Run: `cargo bench --bench tui_latency` (AEPIPE_LATENCY_BENCH_SECS sets
//! the measured seconds per run, default 15).

use std::cell::Cell;
use std::io;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aepipe::client::{Client, DataPoint, LogEntry};
use aepipe::server::{start, Realism, RequestCounts, ServerConfig};
use aepipe::tui::app::{App, ConnectionInfo, Scope};
use aepipe::tui::effects::tasks::TaskRunner;
use aepipe::tui::event_loop::{self, LoopHost};
use aepipe::tui::keymap::Keymap;
use aepipe::tui::theme::Theme;
use aepipe::tui::update;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use tokio::sync::mpsc;

const TOKEN: &str = "bench-token";
const PROJECT: &str = "bench";
const LOGSTORE: &str = "app";
/// Time between two keys: a fast typist's repeat rate.
const KEY_EVERY: Duration = Duration::from_millis(25);
/// A pause after each page down, past the detail pane's 150 ms debounce.
const REST: Duration = Duration::from_millis(200);

/// Times a key from its sending to the next frame after the loop took it.
struct Clocked {
    /// When the key the loop took last was sent, until a frame shows it.
    taken: Rc<Cell<Option<Instant>>>,
    latencies: Vec<Keyed>,
    frames: u64,
}

/// One key's latency and what was in flight when its frame was drawn.
#[derive(Clone, Copy)]
struct Keyed {
    latency: Duration,
    query: bool,
    payload: bool,
}

impl LoopHost for Clocked {
    fn set_mouse_capture(&mut self, _on: bool) -> io::Result<()> {
        Ok(())
    }
    fn frame_drawn(&mut self, app: &App) {
        self.frames += 1;
        if let Some(sent) = self.taken.take() {
            self.latencies.push(Keyed {
                latency: sent.elapsed(),
                query: app.query.running.is_some(),
                payload: app.detail.fetches_in_flight() > 0,
            });
        }
    }
}

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// The script: ↓ eleven times, then a page down (new rows, new payloads
/// to fetch), and a re-run of the query every 60 keys, so a query is in
/// flight most of the time on the realistic server. After each page down
/// the typist rests for [`REST`], longer than the detail pane's debounce,
/// so the payloads of the page are fetched while the next keys arrive.
fn script_key(i: usize) -> Event {
    if i.is_multiple_of(60) {
        key(KeyCode::F(5))
    } else if i % 12 == 11 {
        key(KeyCode::PageDown)
    } else {
        key(KeyCode::Down)
    }
}

fn app() -> App {
    let mut app = App::new(
        ConnectionInfo {
            place: "bench".into(),
            profile: None,
            embedded: false,
        },
        Keymap::defaults(),
        Theme::ansi16(),
    );
    app.size = (160, 48);
    app.scope = Some(Scope {
        project: PROJECT.into(),
        logstore: LOGSTORE.into(),
    });
    app.editor.set_text(
        "SELECT timestamp, blob3 AS event, blob4 AS level, blob5 AS ref_id, double1\n\
         FROM aepipe\nORDER BY timestamp DESC\nLIMIT 2000",
    );
    app
}

fn point(i: usize) -> DataPoint {
    let mut payload = serde_json::Map::new();
    payload.insert(
        "request".into(),
        serde_json::json!({"seq": i, "path": format!("/orders/{i}")}),
    );
    payload.insert("trace".into(), serde_json::json!(vec!["frame"; 40]));
    DataPoint::new(["http_request", "checkout", "http_error"][i % 3])
        .level(["info", "warn", "error"][i % 3])
        .doubles([i as f64 * 0.37])
        .payload(payload)
}

struct Run {
    latencies: Vec<Keyed>,
    frames: u64,
    requests: RequestCounts,
    secs: f64,
}

async fn run(realism: Realism, secs: u64) -> Run {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = ServerConfig::local(dir.path(), TOKEN);
    config.realism = realism;
    let server = start(config).await.expect("server starts");
    let client = Client::new(server.url(), TOKEN).expect("client");
    let seed: Vec<DataPoint> = (0..2000).map(point).collect();
    for chunk in seed.chunks(250) {
        client.ingest(PROJECT, LOGSTORE, chunk).await.expect("seed");
    }

    // Traffic while the explorer runs: 10 events/s with payloads and 50
    // raw log lines/s for the tail.
    let writer_client = client.clone();
    let writer = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        let mut i = 2000usize;
        loop {
            tick.tick().await;
            let _ = writer_client.ingest(PROJECT, LOGSTORE, &[point(i)]).await;
            let lines: Vec<LogEntry> = (0..5)
                .map(|k| LogEntry::new("bench line").field("seq", i * 5 + k))
                .collect();
            let _ = writer_client.log(PROJECT, LOGSTORE, &lines).await;
            i += 1;
        }
    });

    let (tx, mut answers) = mpsc::unbounded_channel();
    let mut runner = TaskRunner::new(client.clone(), tx);
    let mut app = app();
    let taken = Rc::new(Cell::new(None));
    let mut host = Clocked {
        taken: taken.clone(),
        latencies: Vec::new(),
        frames: 0,
    };
    let first = update::start(&mut app);
    event_loop::run_effects(&mut runner, &mut host, first);

    // Keys travel with the instant they were sent; the stream hands the
    // loop one key and notes that instant for the next frame.
    let (keys_tx, mut keys_rx) = mpsc::unbounded_channel::<(Instant, Event)>();
    let events = futures::stream::poll_fn(move |cx| {
        keys_rx.poll_recv(cx).map(|k| {
            k.map(|(sent, ev)| {
                taken.set(Some(sent));
                Ok(ev)
            })
        })
    });
    let server = Arc::new(server);
    let keys_server = server.clone();
    let keys = tokio::spawn(async move {
        // Warm-up (not measured): open the tail (F4), back to the grid with
        // the tail still following (F4), run the query and let it land.
        for ev in [key(KeyCode::F(4)), key(KeyCode::F(4)), key(KeyCode::F(5))] {
            let _ = keys_tx.send((Instant::now(), ev));
        }
        tokio::time::sleep(Duration::from_secs(3)).await;
        let _ = keys_tx.send((Instant::now(), key(KeyCode::Down)));
        tokio::time::sleep(Duration::from_millis(200)).await;
        let counts_at_start = keys_server.request_counts();
        drop(keys_server);
        let started = Instant::now();
        let mut tick = tokio::time::interval(KEY_EVERY);
        let mut i = 0;
        while started.elapsed() < Duration::from_secs(secs) {
            tick.tick().await;
            let ev = script_key(i);
            let rest = ev == key(KeyCode::PageDown);
            if keys_tx.send((Instant::now(), ev)).is_err() {
                break;
            }
            if rest {
                tokio::time::sleep(REST).await;
                tick.reset();
            }
            i += 1;
        }
        // Dropping the sender ends the input stream, which ends the loop.
        (started.elapsed().as_secs_f64(), counts_at_start)
    });

    let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("terminal");
    event_loop::drive(
        &mut app,
        &mut terminal,
        &mut runner,
        &mut answers,
        events,
        &mut host,
    )
    .await
    .expect("the loop runs");
    let (secs, start_counts) = keys.await.expect("keys");
    writer.abort();
    let end_counts = server.request_counts();
    match Arc::try_unwrap(server) {
        Ok(server) => server.shutdown().await,
        Err(_) => unreachable!("the key task has dropped its handle"),
    }
    // The four warm-up keys are not part of the figure.
    let latencies = host.latencies.split_off(4.min(host.latencies.len()));
    Run {
        latencies,
        frames: host.frames,
        requests: RequestCounts {
            query: end_counts.query - start_counts.query,
            rawlog: end_counts.rawlog - start_counts.rawlog,
            writes: end_counts.writes - start_counts.writes,
            detail: end_counts.detail - start_counts.detail,
        },
        secs,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// p50, p99 and max of the keys `pick` chooses; prints one line.
fn line(name: &str, run: &Run, pick: impl Fn(&Keyed) -> bool) -> Duration {
    let mut picked: Vec<Duration> = run
        .latencies
        .iter()
        .filter(|k| pick(k))
        .map(|k| k.latency)
        .collect();
    picked.sort();
    let p99 = percentile(&picked, 0.99);
    println!(
        "{name:<44} {:>5} keys: p50 {:>8.2?}  p99 {:>8.2?}  max {:>8.2?}",
        picked.len(),
        percentile(&picked, 0.5),
        p99,
        picked.last().copied().unwrap_or_default(),
    );
    p99
}

fn report(name: &str, run: &Run) -> Duration {
    println!(
        "{name}: {} frames in {:.1} s; {} queries, {} payload fetches, {} rawlog polls",
        run.frames, run.secs, run.requests.query, run.requests.detail, run.requests.rawlog,
    );
    let all = line("  every key", run, |_| true);
    line("  keys with a query in flight", run, |k| k.query);
    line("  keys with a query and a payload in flight", run, |k| {
        k.query && k.payload
    });
    all
}

fn main() {
    let secs = std::env::var("AEPIPE_LATENCY_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(15);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let realistic = Realism {
        seed: 11,
        latency: Duration::from_millis(40),
        query_latency: Duration::from_millis(1000),
        rawlog_latency: Duration::from_millis(150),
        jitter: Duration::from_millis(60),
        max_visibility_delay: Duration::from_secs(5),
        ..Realism::default()
    };
    let far = rt.block_on(run(realistic, secs));
    let near = rt.block_on(run(Realism::default(), secs));
    let p99_far = report("realistic (1 s query, payloads, tail)", &far);
    let p99_near = report("plain local server (peer)", &near);
    assert!(
        far.latencies.iter().any(|k| k.query && k.payload) && far.requests.rawlog > 0,
        "the realistic run had keys while a query and a payload were in flight, and the tail polled"
    );
    println!(
        "p99 ratio realistic / plain: {:.2}",
        p99_far.as_secs_f64() / p99_near.as_secs_f64().max(1e-9)
    );
}
