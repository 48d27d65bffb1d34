//! The project → logstore tree.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::tui::pane::RenderCtx;
use crate::tui::tree::{Load, TreeRow, TreeState};
use crate::tui::ui::{framed, truncate};

/// The tree pane (its `Pane::render`).
pub fn render(t: &TreeState, area: Rect, buf: &mut Buffer, ctx: &RenderCtx) {
    if area.is_empty() {
        return;
    }
    let theme = ctx.theme;
    let title = if t.filtering || !t.filter.is_empty() {
        format!(
            " Projects /{}{} ",
            t.filter,
            if t.filtering { "▏" } else { "" }
        )
    } else {
        " Projects ".to_string()
    };
    let block = framed(theme, ctx.focused, title);
    let inner = block.inner(area);
    block.render(area, buf);
    let width = inner.width as usize;
    let refresh = ctx
        .keymap
        .key_for(
            crate::tui::keymap::Context::Tree,
            crate::tui::keymap::Command::Refresh,
        )
        .map_or_else(|| "refresh".to_string(), |k| k.to_string());
    let lines: Vec<Line> = match &t.projects {
        Load::NotLoaded | Load::Loading => vec![Line::styled("loading…", theme.dim)],
        Load::Failed(e) => vec![
            Line::styled("could not load projects:", theme.error),
            Line::styled(truncate(e, width * 3), theme.error),
            Line::styled(format!("{refresh}: retry"), theme.dim),
        ],
        Load::Loaded(p) if p.is_empty() => vec![
            Line::styled("no projects yet", theme.dim),
            Line::styled(format!("send data, then {refresh}"), theme.dim),
        ],
        Load::Loaded(_) => {
            let rows = t.visible_rows();
            if rows.is_empty() {
                // A filter also matches logstore names, which load on demand:
                // say "nothing matches" only once every project's list is in.
                let searching = t.projects.loaded().is_some_and(|ps| {
                    ps.iter()
                        .any(|p| matches!(p.logstores, Load::NotLoaded | Load::Loading))
                });
                let text = if searching && !t.filter.is_empty() {
                    "searching…"
                } else {
                    "nothing matches"
                };
                vec![Line::styled(text, theme.dim)]
            } else {
                rows.iter()
                    .enumerate()
                    .skip(t.offset)
                    .take(inner.height as usize)
                    .map(|(i, row)| row_line(t, ctx, row, i == t.cursor, width))
                    .collect()
            }
        }
    };
    let wrap = matches!(t.projects, Load::Failed(_));
    let mut p = Paragraph::new(lines);
    if wrap {
        p = p.wrap(ratatui::widgets::Wrap { trim: true });
    }
    p.render(inner, buf);
}

fn row_line<'a>(
    t: &TreeState,
    ctx: &RenderCtx,
    row: &TreeRow,
    selected: bool,
    width: usize,
) -> Line<'a> {
    let theme = ctx.theme;
    let (text, scoped) = match row {
        TreeRow::Project(pi) => {
            let node = t.project_node(*pi);
            let open = node.is_some_and(|n| n.expanded) || !t.filter.is_empty();
            let name = node.map_or("", |n| n.name.as_str());
            (format!("{} {name}", if open { "▾" } else { "▸" }), false)
        }
        TreeRow::Logstore(pi, li) => {
            let p = t.project_name(*pi).unwrap_or("");
            let l = t.logstore_name(*pi, *li).unwrap_or("");
            let scoped = ctx.scope.is_some_and(|s| s.project == p && s.logstore == l);
            (format!("  {}{l}", if scoped { "● " } else { "" }), scoped)
        }
        TreeRow::ProjectStatus(pi) => {
            let text = match t.project_node(*pi).map(|n| &n.logstores) {
                Some(Load::Failed(e)) => format!("  ! {e}"),
                _ => "  loading…".to_string(),
            };
            (text, false)
        }
    };
    let style = if selected {
        if ctx.focused {
            theme.selected
        } else {
            theme.selected_unfocused
        }
    } else if matches!(row, TreeRow::ProjectStatus(_)) {
        theme.dim
    } else if scoped {
        theme.ok
    } else {
        Default::default()
    };
    let text = truncate(&text, width);
    let pad = width.saturating_sub(unicode_width::UnicodeWidthStr::width(text.as_str()));
    Line::from(Span::styled(format!("{text}{}", " ".repeat(pad)), style))
}
