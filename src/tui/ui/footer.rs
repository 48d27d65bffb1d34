//! The footer: the focused pane's main keys, generated from the keymap.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::tui::app::App;
use crate::tui::keymap::{Command, Context};
use unicode_width::UnicodeWidthStr;

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
    // A notice the status bar has no room for takes this line while it
    // lasts (a few seconds): it is what just happened.
    if let Some(n) = &app.notice {
        if n.text.width() > crate::tui::ui::status::notice_room(app, area.width) {
            let text = truncate_middle(&format!(" {}", n.text), usize::from(area.width));
            let style = crate::tui::ui::status::notice_style(app);
            frame.render_widget(Paragraph::new(Line::styled(text, style)), area);
            return;
        }
    }
    let ctx = app.key_context();
    let mut items: Vec<(Command, String, usize)> = main_commands(ctx)
        .iter()
        .filter_map(|&(table, cmd)| {
            let key = app.keymap.key_for(table, cmd)?.to_string();
            let w = key.chars().count() + cmd.description().chars().count() + 3;
            Some((cmd, key, w))
        })
        .collect();
    // On a narrow screen the pane's own keys give way first: help and quit
    // (the way to learn the rest, and out) stay.
    let keep = |c: Command| matches!(c, Command::Help | Command::Quit | Command::Close);
    while items.iter().map(|(_, _, w)| w).sum::<usize>() > usize::from(area.width) {
        match items.iter().rposition(|(c, _, _)| !keep(*c)) {
            Some(i) => {
                items.remove(i);
            }
            None => {
                items.pop();
            }
        }
    }
    let mut spans = Vec::new();
    for (cmd, key, _) in items {
        spans.push(Span::styled(format!(" {key}"), app.theme.key));
        spans.push(Span::styled(
            format!(" {} ", cmd.description()),
            app.theme.dim,
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Cut the middle of a text too long for `width`, so that both its start
/// (what happened) and its end (a file name) stay readable.
fn truncate_middle(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    if text.width() <= width {
        return text.to_string();
    }
    if width < 2 {
        return crate::tui::ui::truncate(text, width);
    }
    let keep_start = (width - 1) / 2;
    let keep_end = width - 1 - keep_start;
    let start = crate::tui::ui::truncate(text, keep_start + 1);
    let start = start.trim_end_matches('…');
    let mut end: Vec<char> = Vec::new();
    let mut used = 0;
    for c in text.chars().rev() {
        let w = c.width().unwrap_or(0);
        if used + w > keep_end {
            break;
        }
        used += w;
        end.push(c);
    }
    end.reverse();
    format!("{start}…{}", end.into_iter().collect::<String>())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_middle_gives_way() {
        assert_eq!(super::truncate_middle("short", 10), "short");
        assert_eq!(
            super::truncate_middle("exported to /a/b/c/file.csv", 15),
            "exporte…ile.csv"
        );
    }
}
