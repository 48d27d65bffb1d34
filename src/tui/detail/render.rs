//! Drawing the detail pane: only the visible window of the tree, so a large
//! payload costs no more per frame than a small one. Reads state only.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use super::json_tree::{JsonTree, Node, NodeKey, NodeKind, VisibleLine, INDENT};
use super::DetailState;
use crate::tui::theme::Theme;

/// The area inside the pane's border: what `set_viewport` should be given.
pub fn inner(area: Rect) -> Rect {
    Block::default().borders(Borders::ALL).inner(area)
}

pub fn render(state: &DetailState, area: Rect, buf: &mut Buffer, theme: &Theme, focused: bool) {
    let block = theme.pane_block(focused).title(Span::styled(
        format!(
            " {} ",
            crate::sanitize::line(&state.title_for_width(area.width.saturating_sub(4)))
        ),
        theme.title,
    ));
    let body = block.inner(area);
    block.render(area, buf);
    if body.is_empty() {
        return;
    }
    if state.is_empty() {
        Paragraph::new("Select a grid row, or Enter on a tail line, to see it here.")
            .style(theme.dim)
            .wrap(Wrap { trim: true })
            .render(body, buf);
        return;
    }
    let tree = state.tree();
    let lines = tree.visible();
    let end = (state.scroll() + usize::from(body.height)).min(lines.len());
    let cursor_node = lines.get(state.cursor()).map(|l| l.node);
    for (row, line) in lines[state.scroll().min(end)..end].iter().enumerate() {
        let Some(node) = tree.node(line.node) else {
            continue;
        };
        let selected = Some(line.node) == cursor_node;
        let mut drawn = draw_line(tree, node, line, theme);
        if state.search().is_match(line.node) {
            drawn = drawn.patch_style(theme.key.add_modifier(ratatui::style::Modifier::REVERSED));
        }
        if selected {
            let style = if focused {
                theme.selected
            } else {
                theme.selected_unfocused
            };
            drawn = drawn.patch_style(style);
        }
        let y = body.y + u16::try_from(row).unwrap_or(u16::MAX);
        if selected {
            buf.set_style(Rect::new(body.x, y, body.width, 1), drawn.style);
        }
        buf.set_line(body.x, y, &drawn, body.width);
    }
    if lines.len() > usize::from(body.height) && body.width > 0 {
        let pos = format!(" {}/{} ", state.cursor() + 1, lines.len());
        let w = u16::try_from(pos.len()).unwrap_or(0);
        if w + 2 < area.width {
            buf.set_string(
                area.x + area.width - w - 1,
                area.y + area.height - 1,
                pos,
                theme.dim,
            );
        }
    }
}

fn draw_line<'a>(tree: &JsonTree, node: &'a Node, line: &VisibleLine, theme: &Theme) -> Line<'a> {
    let text = node.text.get(line.start..line.end).unwrap_or("");
    if line.piece > 0 {
        let pad = " ".repeat(tree.continuation_indent(node));
        return Line::from(vec![
            Span::raw(pad),
            Span::styled(text, value_style(node.kind, theme)),
        ]);
    }
    let mut spans = vec![Span::raw(" ".repeat(usize::from(node.depth) * INDENT))];
    let marker = match node.kind {
        k if k.is_container() && node.end > 0 && node.folded => "▶ ",
        NodeKind::Object | NodeKind::Array | NodeKind::Section => "▼ ",
        _ => "  ",
    };
    spans.push(Span::styled(marker, theme.dim));
    match &node.key {
        NodeKey::Field(k) => {
            spans.push(Span::styled(crate::sanitize::line(k), theme.key));
            spans.push(Span::styled(": ", theme.dim));
        }
        NodeKey::Index(i) => {
            spans.push(Span::styled(i.to_string(), theme.dim));
            spans.push(Span::styled(": ", theme.dim));
        }
        NodeKey::None => {}
    }
    match node.kind {
        NodeKind::Section => {
            spans.push(Span::styled(text, theme.header));
            if !node.note.is_empty() {
                spans.push(Span::styled(format!("  {}", node.note), theme.dim));
            }
        }
        NodeKind::Object | NodeKind::Array if node.folded => {
            spans.push(Span::styled(text, theme.dim));
            spans.push(Span::styled(" …", theme.dim));
        }
        NodeKind::String if node.is_multiline() => {
            // The lines follow below; say how many, as a folded container does.
            let lines = node.text.matches('\n').count() + 1;
            spans.push(Span::styled(format!("({lines} lines)"), theme.dim));
        }
        kind => spans.push(Span::styled(text, value_style(kind, theme))),
    }
    Line::from(spans)
}

/// Values coloured by JSON type.
fn value_style(kind: NodeKind, theme: &Theme) -> Style {
    match kind {
        NodeKind::String => theme.string,
        NodeKind::Number => theme.function,
        NodeKind::Bool => theme.warning,
        NodeKind::Null => theme.null,
        NodeKind::Note => theme.comment,
        NodeKind::Object | NodeKind::Array => theme.dim,
        NodeKind::Section => theme.header,
    }
}
