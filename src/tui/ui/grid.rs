//! The result grid. Only the rows and columns on screen are formatted, so a
//! frame costs the same for 1,000 or 100,000 rows.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use crate::client::Cell;
use crate::tui::app::App;
use crate::tui::grid::{GridState, SortDir};
use crate::tui::keymap::{ChordCode, Command, Context};
use crate::tui::pane::{Pane, RenderCtx};
use crate::tui::theme::Theme;
use crate::tui::ui::{framed, safe, truncate};

/// The results pane in grid view: a message while a query runs, when it
/// failed or before any ran; else the grid pane draws its rows.
pub fn render(app: &App, frame: &mut Frame, area: Rect, ctx: &RenderCtx) {
    let Some(message) = message(app) else {
        app.grid.render(area, frame.buffer_mut(), ctx);
        return;
    };
    let block = framed(ctx.theme, ctx.focused, title(&app.grid, ctx.theme));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    frame.render_widget(message, inner);
}

/// What the pane says instead of rows, if anything.
fn message(app: &App) -> Option<Paragraph<'static>> {
    // A watch refresh runs behind the rows it will replace: they stay.
    let running = app
        .query
        .running
        .as_ref()
        .filter(|r| r.kind == crate::tui::app::RunKind::User);
    if let Some(running) = running {
        let secs = running.started.elapsed().as_secs_f64();
        let spin = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'][(app.tick % 10) as usize];
        let text = vec![
            Line::raw(format!(
                "{spin} running on {} … {secs:.1} s",
                safe::text(&running.scope.to_string())
            )),
            Line::styled("Esc cancels", app.theme.dim),
        ];
        return Some(Paragraph::new(text));
    }
    if let Some(err) = &app.query.error {
        let heading = if app.conn_state == crate::tui::app::ConnState::Connected {
            "The server rejected the query:"
        } else {
            "The query failed:"
        };
        let text = vec![
            Line::styled(heading, app.theme.error),
            Line::styled(safe::text(err).into_owned(), app.theme.error),
            Line::raw(""),
            Line::styled(
                format!("Fix the SQL and run it again ({}).", run_key(app)),
                app.theme.dim,
            ),
        ];
        return Some(Paragraph::new(text).wrap(Wrap { trim: false }));
    }
    if app.grid.result.is_some() {
        return None;
    }
    let hint = match &app.scope {
        // A tab kept from the last session: its rows were not kept.
        _ if app.tabs.current().sql.is_some() => super::tabs::rerun_hint(app),
        None => format!(
            "Choose a logstore in the tree, then run a query ({}).",
            run_key(app)
        ),
        Some(_) => format!("Run a query with {}.", run_keys(app)),
    };
    Some(
        Paragraph::new(hint)
            .style(app.theme.dim)
            .wrap(Wrap { trim: true }),
    )
}

/// " Results ", with the `/` filter when there is one.
fn title<'a>(g: &GridState, theme: &Theme) -> Line<'a> {
    let mut title = vec![Span::raw(" Results ")];
    if g.filtering || !g.filter.is_empty() {
        title.push(Span::styled(
            format!("/{}{} ", g.filter, if g.filtering { "▏" } else { "" }),
            theme.key,
        ));
    }
    Line::from(title)
}

/// The grid's rows (its `Pane::render`): only the rows and columns on
/// screen are formatted.
pub fn render_rows(g: &GridState, area: Rect, buf: &mut Buffer, ctx: &RenderCtx) {
    if area.is_empty() {
        return;
    }
    let theme = ctx.theme;
    let mut block = framed(theme, ctx.focused, title(g, theme));
    if g.result.is_some() {
        let room = area.width.saturating_sub(4) as usize;
        let count = truncate(&g.count_line_within(room), room);
        block = block.title_bottom(Line::styled(format!(" {count} "), theme.dim));
    }
    let inner = block.inner(area);
    block.render(area, buf);
    let Some(result) = &g.result else {
        return;
    };
    if result.columns().is_empty() {
        Paragraph::new("no columns")
            .style(theme.dim)
            .render(inner, buf);
        return;
    }

    // Which columns fit, starting at the horizontal scroll offset.
    let mut cols = Vec::new();
    let mut used = 0u16;
    for c in g.col_offset..result.columns().len() {
        let w = g.widths.get(c).copied().unwrap_or(10);
        if used > 0 && used + w > inner.width {
            // Show a partial last column rather than nothing.
            let rest = inner.width.saturating_sub(used);
            if rest >= 3 {
                cols.push((c, rest));
            }
            break;
        }
        let w = w.min(inner.width.saturating_sub(used));
        cols.push((c, w));
        used += w + 1;
    }

    let focused = ctx.focused;
    let labels = ctx.names;
    let mut lines: Vec<Line> = Vec::with_capacity(inner.height as usize);
    let header = |names: bool| -> Line {
        let spans: Vec<Span> = cols
            .iter()
            .flat_map(|&(c, w)| {
                let col = &result.columns()[c];
                // A named positional column shows its name, with the
                // column it is (what the SQL says) where the type goes.
                let name = labels.name_of(&col.name);
                let mut text = match (names, name) {
                    (true, Some(n)) => n.to_string(),
                    (true, None) => col.name.clone(),
                    (false, Some(_)) => col.name.clone(),
                    (false, None) => col.type_name.clone(),
                };
                if names {
                    if let Some((sc, dir)) = g.sort {
                        if sc == c {
                            text.push(if dir == SortDir::Asc { '↑' } else { '↓' });
                        }
                    }
                }
                let style = if names {
                    let s = theme.header;
                    if c == g.col && focused {
                        s.add_modifier(ratatui::style::Modifier::UNDERLINED)
                    } else {
                        s
                    }
                } else {
                    theme.header_type
                };
                let right = col.is_numeric();
                [
                    Span::styled(fit(&text, w as usize, right), style),
                    Span::raw(" "),
                ]
            })
            .collect();
        Line::from(spans)
    };
    lines.push(header(true));
    lines.push(header(false));
    let body_rows = (inner.height as usize).saturating_sub(2);
    if g.view.is_empty() {
        let msg = if result.is_empty() {
            "the query returned no rows"
        } else {
            "no rows match the filter"
        };
        lines.push(Line::styled(msg, theme.dim));
    }
    for (i, &r) in g.view.iter().enumerate().skip(g.offset).take(body_rows) {
        let selected = i == g.row;
        let row_style = if selected {
            if focused {
                theme.selected
            } else {
                theme.selected_unfocused
            }
        } else {
            Style::default()
        };
        let spans: Vec<Span> = cols
            .iter()
            .flat_map(|&(c, w)| {
                let col = &result.columns()[c];
                let cell = result.cell(r, c);
                let is_null = matches!(cell, None | Some(Cell::Null));
                let text = result.display_short(r, c);
                let style = if selected {
                    row_style
                } else if is_null {
                    theme.null
                } else {
                    Style::default()
                };
                let right = col.is_numeric() && !is_null;
                [
                    Span::styled(fit(&text, w as usize, right), style),
                    Span::styled(" ", row_style),
                ]
            })
            .collect();
        lines.push(Line::from(spans));
    }
    Paragraph::new(lines)
        .alignment(Alignment::Left)
        .render(inner, buf);
}

/// Exactly `width` columns: truncated with '…', padded left or right.
fn fit(s: &str, width: usize, right: bool) -> String {
    let t = truncate(s, width);
    let pad = width.saturating_sub(t.width());
    if right {
        format!("{}{t}", " ".repeat(pad))
    } else {
        format!("{t}{}", " ".repeat(pad))
    }
}

/// The key hints name for running a query.
fn run_key(app: &App) -> String {
    app.keymap
        .key_for(Context::Global, Command::RunQuery)
        .map_or_else(|| "run_query".to_string(), |k| k.to_string())
}

/// Every key that runs a query, but Ctrl-Enter (many terminals never send it).
fn run_keys(app: &App) -> String {
    let keys: Vec<String> = app
        .keymap
        .bindings(Context::Global)
        .into_iter()
        .find(|(c, _)| *c == Command::RunQuery)
        .map(|(_, keys)| keys)
        .unwrap_or_default()
        .into_iter()
        .filter(|k| !(k.ctrl && k.code == ChordCode::Enter))
        .map(|k| k.to_string())
        .collect();
    match keys.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => "the run_query key".to_string(),
    }
}
