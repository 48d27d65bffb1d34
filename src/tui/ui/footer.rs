//! The footer: the focused pane's main keys, generated from the keymap.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::tui::app::App;
use crate::tui::keymap::{Command, Context};

/// Commands worth a footer slot, per pane, most useful first.
fn main_commands(ctx: Context) -> &'static [(Context, Command)] {
    use Command::*;
    use Context as C;
    match ctx {
        C::Tree => &[
            (C::Tree, Select),
            (C::Tree, Filter),
            (C::Tree, Refresh),
            (C::Global, FocusNext),
            (C::Normal, Help),
            (C::Normal, Quit),
        ],
        C::Editor => &[
            (C::Global, RunQuery),
            (C::Editor, Complete),
            (C::Global, History),
            (C::Global, Snippets),
            (C::Global, Cancel),
            (C::Global, Help),
            (C::Global, Quit),
        ],
        C::Grid => &[
            (C::Grid, Sort),
            (C::Grid, Filter),
            (C::Grid, CopyCell),
            (C::Grid, Export),
            (C::Grid, Widen),
            (C::Normal, Zoom),
            (C::Normal, Help),
            (C::Normal, Quit),
        ],
        C::Help => &[(C::Help, Close), (C::Help, Down)],
        C::Detail => &[
            (C::Detail, ToggleFold),
            (C::Detail, CopyValue),
            (C::Detail, CopyPath),
            (C::Global, FocusNext),
            (C::Normal, Zoom),
            (C::Normal, Help),
            (C::Normal, Quit),
        ],
        C::Chart => &[
            (C::Chart, ChartKind),
            (C::Chart, NextSeries),
            (C::Chart, ToggleChart),
            (C::Normal, Zoom),
            (C::Normal, Help),
            (C::Normal, Quit),
        ],
        C::Tail => &[
            (C::Tail, PauseFollow),
            (C::Tail, CopyJson),
            (C::Normal, ToggleTail),
            (C::Global, FocusNext),
            (C::Normal, Help),
            (C::Normal, Quit),
        ],
        _ => &[
            (C::Global, FocusNext),
            (C::Normal, Zoom),
            (C::Global, Help),
            (C::Normal, Quit),
        ],
    }
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    if area.is_empty() {
        return;
    }
    let ctx = app.key_context();
    let mut spans = Vec::new();
    let mut used = 0usize;
    for &(table, cmd) in main_commands(ctx) {
        let Some(key) = app.keymap.key_for(table, cmd) else {
            continue;
        };
        let key = key.to_string();
        let desc = cmd.description();
        let w = key.chars().count() + desc.chars().count() + 3;
        if used + w > area.width as usize {
            break;
        }
        used += w;
        spans.push(Span::styled(format!(" {key}"), app.theme.key));
        spans.push(Span::styled(format!(" {desc} "), app.theme.dim));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
