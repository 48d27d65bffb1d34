//! Detail pane costs for a large payload (about 1 MB of JSON, ~70k nodes):
//! building the tree, drawing a frame of it, folding everything.
//! Run: cargo bench --bench tui_panes_detail

use aepipe::tui::detail::{render, DetailState};
use aepipe::tui::theme::Theme;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use serde_json::{json, Value};

const AREA: Rect = Rect {
    x: 0,
    y: 0,
    width: 60,
    height: 40,
};

fn large_payload() -> Value {
    let items: Vec<Value> = (0..6000)
        .map(|i| {
            json!({
                "id": i,
                "sku": format!("SKU-{i:06}"),
                "name": format!("item number {i} with a fairly long descriptive name that wraps"),
                "price": i as f64 * 1.25,
                "tags": ["a", "b", format!("t{}", i % 13)],
                "stock": {"eu": i % 7, "us": i % 11, "backorder": i % 5 == 0},
                "discontinued": null
            })
        })
        .collect();
    json!({"order": 42, "items": items})
}

fn pane(value: &Value) -> DetailState {
    let mut s = DetailState::default();
    let inner = render::inner(AREA);
    s.set_viewport(inner.width, inner.height);
    s.show_json("payload", value.clone());
    s
}

fn bench(c: &mut Criterion) {
    let theme = Theme::ansi16();
    let value = large_payload();
    let bytes = serde_json::to_vec(&value).map(|v| v.len()).unwrap_or(0);
    let s = pane(&value);
    eprintln!(
        "payload: {bytes} bytes, {} nodes, {} visible lines",
        s.tree().nodes().len(),
        s.tree().visible().len()
    );

    c.bench_function("detail/build tree of ~1 MB payload (wrap at 58)", |b| {
        b.iter_batched(
            || value.clone(),
            |v| {
                let mut s = DetailState::default();
                s.set_viewport(58, 38);
                s.show_json("payload", v);
                s
            },
            BatchSize::LargeInput,
        )
    });

    let mut s = pane(&value);
    for _ in 0..30 {
        s.handle_key(KeyEvent::from(KeyCode::PageDown));
    }
    let mut buf = Buffer::empty(AREA);
    c.bench_function("detail/render 60x40 frame of ~1 MB payload", |b| {
        b.iter(|| {
            buf.reset();
            render::render(&s, AREA, &mut buf, &theme, true);
        })
    });

    let small = pane(&json!({"user": "ada", "cart": {"total": 31.5, "items": [1, 2, 3]}}));
    c.bench_function("detail/render 60x40 frame of a small payload", |b| {
        b.iter(|| {
            buf.reset();
            render::render(&small, AREA, &mut buf, &theme, true);
        })
    });

    let mut s = pane(&value);
    c.bench_function("detail/fold all + unfold all, ~1 MB payload", |b| {
        b.iter(|| {
            s.handle_key(KeyEvent::from(KeyCode::Char('Z')));
            s.handle_key(KeyEvent::from(KeyCode::Char('Z')));
        })
    });

    let mut s = pane(&value);
    for _ in 0..100 {
        s.handle_key(KeyEvent::from(KeyCode::PageDown));
    }
    c.bench_function("detail/cursor down + up, ~1 MB payload", |b| {
        b.iter(|| {
            s.handle_key(KeyEvent::from(KeyCode::Down));
            s.handle_key(KeyEvent::from(KeyCode::Up));
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
