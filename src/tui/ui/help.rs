//! The help screen, generated from the merged keymap: what is shown is what
//! is bound, user overrides included, for every pane and popup.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use crate::tui::app::App;
use crate::tui::keymap::{Command, Context};
use crate::tui::ui::centered;

/// The help box's width on a wide screen.
const BOX_WIDTH: u16 = 78;

fn heading(ctx: Context) -> &'static str {
    match ctx {
        Context::Global => "Everywhere",
        Context::Normal => "Outside the editor",
        Context::Tree => "Tree (other letters filter it)",
        Context::Editor => "Editor (other keys type)",
        Context::Grid => "Results",
        Context::Detail => "Detail",
        Context::Tail => "Live tail",
        Context::Chart => "Chart",
        Context::SendForm => "Send form (other keys type)",
        Context::Picker => "Lists to choose from (F3, F8, export, pivot)",
        Context::Completion => "Completion popup (other keys type)",
        Context::Filter => "Typing a filter (other keys type)",
        Context::Prompt => "Questions: file, column name, time range (other keys type)",
        Context::History => "Query history, F2 (other keys search it)",
        Context::Help => "Help",
    }
}

/// The nine "go to tab n" rows as one ("Alt-1, …, Alt-9"), described as
/// tab 1…9, where the first of them stood.
fn fold_tab_keys(rows: Vec<(String, Command)>) -> Vec<(String, Command)> {
    let tab_keys: Vec<&str> = rows
        .iter()
        .filter(|(_, c)| matches!(c, Command::GoTab(_)))
        .map(|(k, _)| k.as_str())
        .collect();
    if tab_keys.len() < 2 {
        return rows;
    }
    let joined = match (tab_keys.first(), tab_keys.last()) {
        (Some(first), Some(last)) => format!("{first} … {last}"),
        _ => return rows,
    };
    let mut out = Vec::with_capacity(rows.len());
    let mut done = false;
    for (keys, cmd) in rows {
        match cmd {
            Command::GoTab(_) if done => {}
            Command::GoTab(_) => {
                done = true;
                out.push((joined.clone(), Command::GoTab(0)));
            }
            _ => out.push((keys, cmd)),
        }
    }
    out
}

/// The help text for a box `inner_width` columns wide (the default box).
#[cfg(any(test, feature = "internals"))]
pub fn lines(app: &App) -> Vec<Line<'static>> {
    lines_for_width(app, BOX_WIDTH - 2)
}

/// The help text laid out for `inner_width` columns: one key column as wide
/// as the longest key list (at most half the width; a longer list gets its
/// own line, the description under it in the column).
pub fn lines_for_width(app: &App, inner_width: u16) -> Vec<Line<'static>> {
    let sections: Vec<(Context, Vec<(String, Command)>)> = Context::ALL
        .iter()
        .copied()
        .filter(|ctx| *ctx != Context::Help)
        .map(|ctx| {
            let rows = app
                .keymap
                .bindings(ctx)
                .into_iter()
                .map(|(cmd, keys)| {
                    let keys: Vec<String> = keys.iter().map(ToString::to_string).collect();
                    (keys.join(", "), cmd)
                })
                .collect();
            (ctx, fold_tab_keys(rows))
        })
        .filter(|(_, rows): &(Context, Vec<(String, Command)>)| !rows.is_empty())
        .collect();
    let longest = sections
        .iter()
        .flat_map(|(_, rows)| rows.iter().map(|(k, _)| k.width()))
        .max()
        .unwrap_or(0);
    let column = longest.min(usize::from(inner_width / 2));
    let mut out = Vec::new();
    for (ctx, rows) in sections {
        out.push(Line::styled(heading(ctx).to_string(), app.theme.title));
        for (keys, cmd) in rows {
            let desc = match overridden_in(app, ctx, cmd) {
                Some(note) => format!("{} ({note})", cmd.description()),
                None => cmd.description().to_string(),
            };
            out.extend(key_lines(app, &keys, &desc, column));
        }
        if ctx == Context::Editor {
            for (keys, desc) in EDITING_KEYS {
                out.extend(key_lines(app, keys, desc, column));
            }
        }
        out.push(Line::raw(""));
    }
    out.push(Line::styled(
        "Change keys in ~/.config/aepipe/keymap.toml (same tables as these).",
        app.theme.dim,
    ));
    out
}

/// The text area's own keys (tui-textarea), which the keymap does not list.
const EDITING_KEYS: &[(&str, &str)] = &[
    ("Home, End, Ctrl-a, Ctrl-e", "start / end of the line"),
    ("Ctrl-←, Ctrl-→", "word left / right"),
    ("Shift + a move", "select"),
    ("Ctrl-w, Alt-Backspace", "delete the word before"),
    ("Ctrl-k", "delete to the end of the line"),
    ("PgUp, PgDn", "scroll a page"),
];

/// Where a pane's own table gives a key of `ctx` (everywhere / outside
/// the editor) another meaning: "editor: complete / next pane".
fn overridden_in(app: &App, ctx: Context, cmd: Command) -> Option<String> {
    if !matches!(ctx, Context::Global | Context::Normal) {
        return None;
    }
    let chords: Vec<_> = app
        .keymap
        .bindings(ctx)
        .into_iter()
        .filter(|(c, _)| *c == cmd)
        .flat_map(|(_, keys)| keys)
        .collect();
    let panes = [
        (Context::Editor, "editor"),
        (Context::Tree, "tree"),
        (Context::Grid, "results"),
        (Context::Tail, "tail"),
    ];
    let notes: Vec<String> = panes
        .into_iter()
        .filter_map(|(pane, name)| {
            let other = app
                .keymap
                .bindings(pane)
                .into_iter()
                .find(|(c, keys)| *c != cmd && keys.iter().any(|k| chords.contains(k)))?;
            Some(format!("{name}: {}", other.0.description()))
        })
        .collect();
    (!notes.is_empty()).then(|| notes.join("; "))
}

fn key_lines(app: &App, keys: &str, desc: &str, column: usize) -> Vec<Line<'static>> {
    let width = keys.width();
    if width > column {
        return vec![
            Line::from(Span::styled(format!("  {keys}"), app.theme.key)),
            Line::from(vec![
                Span::raw(" ".repeat(column + 3)),
                Span::raw(desc.to_string()),
            ]),
        ];
    }
    vec![Line::from(vec![
        Span::styled(
            format!("  {keys}{} ", " ".repeat(column - width)),
            app.theme.key,
        ),
        Span::raw(desc.to_string()),
    ])]
}

/// Where the help box goes on a screen of `screen`.
fn area(screen: Rect) -> Rect {
    centered(screen, BOX_WIDTH, screen.height.saturating_sub(2))
}

/// The last useful scroll position at the app's screen size.
pub fn max_scroll(app: &App) -> u16 {
    let area = area(Rect::new(0, 0, app.size.0, app.size.1));
    let lines = lines_for_width(app, area.width.saturating_sub(2)).len();
    u16::try_from(lines)
        .unwrap_or(u16::MAX)
        .saturating_sub(area.height.saturating_sub(2))
}

pub fn render(app: &App, scroll: u16, frame: &mut Frame) {
    let area = area(frame.area());
    let all = lines_for_width(app, area.width.saturating_sub(2));
    let max_scroll = (all.len() as u16).saturating_sub(area.height.saturating_sub(2));
    let keys = app.keymap.hints(
        Context::Help,
        &[(Command::Down, "scroll"), (Command::PageDown, "page")],
    );
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(all)
            .scroll((scroll.min(max_scroll), 0))
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(app.theme.border_focused)
                    .title(format!(" Help · Esc closes · {keys} ")),
            ),
        area,
    );
}
