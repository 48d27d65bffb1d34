//! Live tail costs per frame: appending into a full 10,000-line buffer with
//! a filter on, drawing a frame of it, and re-filtering it on a keystroke.
//! Run: cargo bench --bench tui_panes_tail

use std::time::Instant;

use aepipe::client::RawLogEntry;
use aepipe::tui::tail::{render, TailState, DEFAULT_CAPACITY};
use aepipe::tui::theme::Theme;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use serde_json::json;

const NOW_MS: i64 = 1_795_745_760_000;

fn entries(from: usize, n: usize) -> Vec<RawLogEntry> {
    (from..from + n)
        .map(|i| {
            let (level, msg) = match i % 10 {
                0 => ("error", format!("payment timeout for order {i}")),
                1 | 2 => ("warn", format!("slow request /cart/{i} took 812 ms")),
                _ => ("info", format!("GET /cart/{i} 200 in 12 ms")),
            };
            let ms = NOW_MS - 60_000 + (i as i64 % 60_000);
            RawLogEntry {
                timestamp: chrono::DateTime::from_timestamp_millis(ms)
                    .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
                    .unwrap_or_default(),
                level: level.into(),
                data: json!({"project": "shop", "logstore": "web", "level": level,
                    "message": msg, "user": format!("u{}", i % 97), "region": "eu-west"}),
            }
        })
        .collect()
}

const AREA: Rect = Rect {
    x: 0,
    y: 0,
    width: 120,
    height: 40,
};

fn full_tail(filter: Option<&str>) -> TailState {
    let mut s = TailState::default();
    let (w, h) = render::viewport(AREA);
    s.set_viewport(w, h);
    let id = s.start("shop", "web", Instant::now());
    s.on_tail_entries(id, entries(0, DEFAULT_CAPACITY), Instant::now(), NOW_MS);
    if let Some(text) = filter {
        s.handle_key(KeyEvent::from(KeyCode::Char('/')));
        for c in text.chars() {
            s.handle_key(KeyEvent::from(KeyCode::Char(c)));
        }
        s.handle_key(KeyEvent::from(KeyCode::Enter));
    }
    s
}

fn bench(c: &mut Criterion) {
    let theme = Theme::ansi16();

    let mut s = full_tail(Some("timeout"));
    let id = s.id();
    let mut next = DEFAULT_CAPACITY;
    c.bench_function(
        "tail/append 17 lines into full 10k buffer, filter on",
        |b| {
            b.iter_batched(
                || {
                    next += 17;
                    entries(next, 17)
                },
                |batch| s.on_tail_entries(id, batch, Instant::now(), NOW_MS),
                BatchSize::SmallInput,
            )
        },
    );

    let mut buf = Buffer::empty(AREA);
    let s = full_tail(Some("timeout"));
    assert_eq!(s.buffer().len(), DEFAULT_CAPACITY);
    c.bench_function("tail/render 120x40 frame, 10k buffer, text filter", |b| {
        b.iter(|| {
            buf.reset();
            render::render(&s, AREA, &mut buf, &theme, true);
        })
    });

    let s = full_tail(None);
    c.bench_function("tail/render 120x40 frame, 10k buffer, no filter", |b| {
        b.iter(|| {
            buf.reset();
            render::render(&s, AREA, &mut buf, &theme, true);
        })
    });

    let mut s = full_tail(None);
    let id = s.id();
    let mut next = DEFAULT_CAPACITY;
    c.bench_function(
        "tail/frame at 1,000 lines/s: append 17 + render, 10k buffer",
        |b| {
            b.iter_batched(
                || {
                    next += 17;
                    entries(next, 17)
                },
                |batch| {
                    s.on_tail_entries(id, batch, Instant::now(), NOW_MS);
                    buf.reset();
                    render::render(&s, AREA, &mut buf, &theme, true);
                },
                BatchSize::SmallInput,
            )
        },
    );

    let mut s = full_tail(Some("timeout"));
    c.bench_function("tail/re-filter 10k lines (toggle inverse)", |b| {
        b.iter(|| s.handle_key(KeyEvent::from(KeyCode::Char('v'))))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
