//! The SQL editor: tui-textarea while editing, highlighted text otherwise;
//! the completion popup.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{ListItem, Paragraph, Widget, Wrap};
use ratatui::Frame;

use crate::tui::app::App;
use crate::tui::editor::completion::CandidateKind;
use crate::tui::editor::highlight::highlight_line;
use crate::tui::editor::EditorState;
use crate::tui::editor::LONG_SQL_CHARS;
use crate::tui::pane::RenderCtx;
use crate::tui::ui::{framed, picker, truncate};

/// The editor pane (its `Pane::render`).
pub fn render(editor: &EditorState, area: Rect, buf: &mut Buffer, ctx: &RenderCtx) {
    if area.is_empty() {
        return;
    }
    let theme = ctx.theme;
    let scope = ctx
        .scope
        .map_or("no logstore".to_string(), ToString::to_string);
    let mut title = vec![Span::raw(format!(" SQL · {scope} "))];
    let chars = editor.char_count();
    if chars > LONG_SQL_CHARS {
        title.push(Span::styled(
            format!("⚠ {chars} chars: Cloudflare may reject over {LONG_SQL_CHARS} "),
            theme.warning,
        ));
    }
    if let Some(warning) = crate::tui::editor::sampling::count_warning(&editor.text()) {
        title.push(Span::styled(format!("⚠ {warning} "), theme.warning));
    }
    if let Some(pos) = editor.history_pos {
        title.push(Span::styled(
            format!("history {}/{} ", pos + 1, editor.history.entries.len()),
            theme.dim,
        ));
    }
    let block = framed(theme, ctx.focused, Line::from(title));
    let inner = block.inner(area);
    block.render(area, buf);
    let placeholder = Paragraph::new(editor.textarea.placeholder_text().to_string())
        .style(theme.dim)
        .wrap(Wrap { trim: true });
    // An empty editor shows its placeholder wrapped (the textarea would cut
    // it at the pane's edge), with the cursor cell when focused.
    if editor.textarea.lines().iter().all(String::is_empty) {
        placeholder.render(inner, buf);
        if ctx.focused && !inner.is_empty() {
            buf[(inner.x, inner.y)].set_style(editor.textarea.cursor_style());
        }
        return;
    }
    if ctx.focused {
        (&editor.textarea).render(inner, buf);
        return;
    }
    if editor.is_empty() {
        placeholder.render(inner, buf);
        return;
    }
    // Keep the cursor's line in view, as the textarea would.
    let (row, _) = editor.textarea.cursor();
    let top = row.saturating_sub(inner.height.saturating_sub(1) as usize);
    let lines: Vec<Line> = editor
        .textarea
        .lines()
        .iter()
        .skip(top)
        .take(inner.height as usize)
        .map(|l| highlight_line(l, theme))
        .collect();
    Paragraph::new(lines).render(inner, buf);
}

pub fn render_completion(app: &App, frame: &mut Frame, editor: Rect) {
    let Some(comp) = &app.editor.completion else {
        return;
    };
    let (row, col) = app.editor.textarea.cursor();
    let screen = frame.area();
    let width = 56.min(screen.width);
    let height = (comp.items.len() as u16 + 2).min(10).min(screen.height);
    let mut x = editor.x + 1 + col as u16;
    let mut y = editor.y + 2 + row as u16;
    if x + width > screen.width {
        x = screen.width.saturating_sub(width);
    }
    if y + height > screen.height {
        y = (editor.y + 1 + row as u16).saturating_sub(height);
    }
    let area = Rect::new(x, y, width, height);
    let name_w = 22usize;
    let items: Vec<ListItem> = comp
        .items
        .iter()
        .map(|c| {
            let kind = match c.kind {
                CandidateKind::Column => "col",
                CandidateKind::Function => "fn ",
                CandidateKind::Keyword => "kw ",
            };
            let note_style = if c.note.contains("undocumented") {
                app.theme.warning
            } else {
                app.theme.dim
            };
            ListItem::new(Line::from(vec![
                Span::styled(format!("{kind} "), app.theme.dim),
                Span::raw(format!("{:<name_w$}", truncate(&c.text, name_w))),
                Span::styled(
                    truncate(&c.note, (width as usize).saturating_sub(name_w + 7)),
                    note_style,
                ),
            ]))
        })
        .collect();
    picker::render_list(
        app,
        frame,
        area,
        items,
        comp.selected,
        format!(" {} ", comp.prefix),
    );
}
