//! NO_COLOR and 16-colour terminals: with the monochrome theme no cell gets
//! a colour; with the normal theme only the 16 ANSI colours are used (no
//! 256-colour or RGB values), across every pane.

use crate::tui_support;

use std::time::{Duration, Instant};

use aepipe::client::RawLogEntry;
use aepipe::tui::action::Action;
use aepipe::tui::app::{App, Scope};
use aepipe::tui::effects::Effect;
use aepipe::tui::theme::Theme;
use aepipe::tui::ui;
use crossterm::event::KeyCode;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use ratatui::Terminal;
use tui_support::*;

/// Screens covering every pane: tree, editor, grid with NULLs, detail with a
/// row, tail with an error line, chart, help.
fn screens(theme: Theme) -> Vec<App> {
    let mut out = Vec::new();
    let base = |theme: &Theme| {
        let mut app = new_app(120, 40);
        app.theme = theme.clone();
        aepipe::tui::update::start(&mut app);
        let id = app.pending.projects.unwrap();
        press(
            &mut app,
            [Action::ProjectsLoaded {
                id,
                result: Ok(vec!["shop".into()]),
            }],
        );
        aepipe::tui::update::choose_logstore(
            &mut app,
            Scope {
                project: "shop".into(),
                logstore: "api".into(),
            },
        );
        let effects = press(&mut app, [key(KeyCode::F(5))]);
        let id = effects
            .iter()
            .find_map(|e| match e {
                Effect::RunQuery { id, .. } => Some(*id),
                _ => None,
            })
            .unwrap();
        press(
            &mut app,
            [
                Action::QueryFinished {
                    id,
                    result: Ok(sample_result(40)),
                    elapsed: Duration::from_millis(9),
                },
                key(KeyCode::Tab),
                key(KeyCode::Down),
            ],
        );
        app
    };
    out.push(base(&theme));
    let mut tail = base(&theme);
    press(&mut tail, [key(KeyCode::F(4))]);
    let id = tail.tail.id();
    let entries = (0..4)
        .map(|i| RawLogEntry {
            timestamp: format!("2026-11-27T02:15:3{i}.000Z"),
            level: ["info", "warn", "error", "debug"][i].into(),
            data: serde_json::json!({"message": format!("m{i}")}),
        })
        .collect();
    tail.tail
        .on_tail_entries(id, entries, Instant::now(), 1_800_000_000_000);
    out.push(tail);
    let mut chart = base(&theme);
    press(&mut chart, [key(KeyCode::F(7))]);
    out.push(chart);
    let mut help = base(&theme);
    press(&mut help, [key(KeyCode::F(1))]);
    out.push(help);
    out
}

fn colours(app: &App) -> Vec<Color> {
    let (w, h) = app.size;
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| ui::render(app, f)).unwrap();
    let buf = t.backend().buffer().clone();
    buf.content().iter().flat_map(|c| [c.fg, c.bg]).collect()
}

#[test]
fn no_color_draws_no_colour_at_all() {
    for app in screens(Theme::monochrome()) {
        let used: Vec<Color> = colours(&app)
            .into_iter()
            .filter(|c| *c != Color::Reset)
            .collect();
        assert!(
            used.is_empty(),
            "colours with NO_COLOR: {used:?}\n{}",
            screen(&app)
        );
    }
}

#[test]
fn the_normal_theme_uses_only_the_16_ansi_colours() {
    for app in screens(Theme::ansi16()) {
        for c in colours(&app) {
            assert!(
                !matches!(c, Color::Rgb(..) | Color::Indexed(_)),
                "{c:?} is not one of the 16 colours"
            );
        }
    }
}
