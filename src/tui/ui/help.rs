//! The help screen, generated from the merged keymap: what is shown is what
//! is bound, user overrides included.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

use crate::tui::app::App;
use crate::tui::detail::KEYS as DETAIL_KEYS;
use crate::tui::keymap::Context;
use crate::tui::tail::KEYS as TAIL_KEYS;
use crate::tui::ui::centered;

pub fn lines(app: &App) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for ctx in Context::ALL {
        if ctx == Context::Help {
            continue;
        }
        let bindings = app.keymap.bindings(ctx);
        if bindings.is_empty() {
            continue;
        }
        let heading = match ctx {
            Context::Global => "Everywhere",
            Context::Normal => "Outside the editor",
            Context::Tree => "Tree",
            Context::Editor => "Editor (plus the usual editing keys)",
            Context::Grid => "Results",
            Context::Detail => "Detail",
            Context::Tail => "Live tail",
            Context::Help => "Help",
        };
        out.push(Line::styled(heading.to_string(), app.theme.title));
        for (cmd, keys) in bindings {
            let keys: Vec<String> = keys.iter().map(ToString::to_string).collect();
            out.push(key_line(app, &keys.join(", "), cmd.description()));
        }
        out.push(Line::raw(""));
    }
    // The detail and tail panes keep their own keys (not remappable yet).
    for (heading, keys) in [("Detail", DETAIL_KEYS), ("Live tail", TAIL_KEYS)] {
        out.push(Line::styled(heading.to_string(), app.theme.title));
        for (k, d) in keys {
            out.push(key_line(app, k, d));
        }
        out.push(Line::raw(""));
    }
    out.push(Line::styled(
        "Keys can be changed in ~/.config/aepipe/keymap.toml (same tables as the built-in one).",
        app.theme.dim,
    ));
    out
}

fn key_line(app: &App, keys: &str, desc: &str) -> Line<'static> {
    let width = unicode_width::UnicodeWidthStr::width(keys).max(22);
    Line::from(vec![
        Span::styled(format!("  {keys:<width$} "), app.theme.key),
        Span::raw(desc.to_string()),
    ])
}

pub fn render(app: &App, scroll: u16, frame: &mut Frame) {
    let area: Rect = centered(frame.area(), 72, frame.area().height.saturating_sub(2));
    let all = lines(app);
    let max_scroll = (all.len() as u16).saturating_sub(area.height.saturating_sub(2));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(all)
            .scroll((scroll.min(max_scroll), 0))
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(app.theme.border_focused)
                    .title(" Help · Esc closes · ↑↓ scroll "),
            ),
        area,
    );
}
