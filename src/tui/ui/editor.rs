//! The SQL editor: tui-textarea while editing, highlighted text otherwise;
//! the completion popup.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{ListItem, Paragraph, Wrap};
use ratatui::Frame;

use crate::tui::app::{App, Focus};
use crate::tui::editor::completion::CandidateKind;
use crate::tui::editor::highlight::highlight_line;
use crate::tui::editor::LONG_SQL_CHARS;
use crate::tui::ui::{pane_block, picker, truncate};

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    if area.is_empty() {
        return;
    }
    let scope = app
        .scope
        .as_ref()
        .map_or("no logstore".to_string(), ToString::to_string);
    let mut title = vec![Span::raw(format!(" SQL · {scope} "))];
    let chars = app.editor.char_count();
    if chars > LONG_SQL_CHARS {
        title.push(Span::styled(
            format!("⚠ {chars} chars: Cloudflare may reject over {LONG_SQL_CHARS} "),
            app.theme.warning,
        ));
    }
    if let Some(warning) = crate::tui::editor::sampling::count_warning(&app.editor.text()) {
        title.push(Span::styled(format!("⚠ {warning} "), app.theme.warning));
    }
    if let Some(pos) = app.editor.history_pos {
        title.push(Span::styled(
            format!("history {}/{} ", pos + 1, app.editor.history.entries.len()),
            app.theme.dim,
        ));
    }
    let block = pane_block(app, Line::from(title), Focus::Editor);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // An empty editor shows its placeholder wrapped (the textarea would cut
    // it at the pane's edge), with the cursor cell when focused.
    if app.editor.textarea.lines().iter().all(String::is_empty) {
        frame.render_widget(
            Paragraph::new(app.editor.textarea.placeholder_text().to_string())
                .style(app.theme.dim)
                .wrap(Wrap { trim: true }),
            inner,
        );
        if app.focus == Focus::Editor && !inner.is_empty() {
            frame.buffer_mut()[(inner.x, inner.y)].set_style(app.editor.textarea.cursor_style());
        }
        return;
    }
    if app.focus == Focus::Editor {
        frame.render_widget(&app.editor.textarea, inner);
        return;
    }
    if app.editor.is_empty() {
        frame.render_widget(
            Paragraph::new(app.editor.textarea.placeholder_text().to_string())
                .style(app.theme.dim)
                .wrap(Wrap { trim: true }),
            inner,
        );
        return;
    }
    // Keep the cursor's line in view, as the textarea would.
    let (row, _) = app.editor.textarea.cursor();
    let top = row.saturating_sub(inner.height.saturating_sub(1) as usize);
    let lines: Vec<Line> = app
        .editor
        .textarea
        .lines()
        .iter()
        .skip(top)
        .take(inner.height as usize)
        .map(|l| highlight_line(l, &app.theme))
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
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
