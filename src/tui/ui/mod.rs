//! Drawing: [`render`] lays the panes out and has each draw itself
//! (`Pane::render` with a `RenderCtx`); the tab strip, status bar, footer
//! and popups draw from `&App`. Nothing here changes state.

pub mod editor;
pub mod footer;
pub mod grid;
pub mod help;
pub mod history;
pub mod layout;
pub mod picker;
pub mod safe;
pub mod status;
pub mod tabs;
pub mod tree;

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

use crate::tui::app::{App, Bottom, Focus};
use crate::tui::pane::{Pane, Popup, RenderCtx};
use crate::tui::theme::Theme;

pub fn render(app: &App, frame: &mut Frame) {
    let panes = layout::compute(app);
    let ctx = |pane: Focus| RenderCtx {
        theme: &app.theme,
        keymap: &app.keymap,
        focused: app.focus == pane,
        scope: app.scope.as_ref(),
        names: app.result_names(),
    };
    if !panes.tree.is_empty() {
        app.tree
            .render(panes.tree, frame.buffer_mut(), &ctx(Focus::Tree));
    }
    if !panes.editor.is_empty() {
        app.editor
            .render(panes.editor, frame.buffer_mut(), &ctx(Focus::Editor));
    }
    tabs::render(app, frame, panes.tabs);
    match app.bottom {
        Bottom::Grid => {
            if !panes.results.is_empty() {
                grid::render(app, frame, panes.results, &ctx(Focus::Results));
            }
        }
        Bottom::Tail => {
            if !panes.results.is_empty() {
                app.tail
                    .render(panes.results, frame.buffer_mut(), &ctx(Focus::Results));
            }
        }
        Bottom::Chart => match &app.chart {
            Some(chart) if !panes.results.is_empty() => {
                chart.render(panes.results, frame.buffer_mut(), &ctx(Focus::Results))
            }
            _ => placeholder(
                app,
                frame,
                panes.results,
                "Chart",
                Focus::Results,
                "Run a query: a result with a time column and numbers is charted here.",
            ),
        },
    }
    if !panes.detail.is_empty() {
        app.detail
            .render(panes.detail, frame.buffer_mut(), &ctx(Focus::Detail));
    }
    status::render(app, frame, panes.status);
    footer::render(app, frame, panes.footer);
    // Help draws over the editor's completion popup, the others under it.
    match &app.popup {
        Some(Popup::Help(_)) | None => {}
        Some(popup) => render_popup(app, popup, frame),
    }
    if app.editor.completion.is_some() && app.focus == Focus::Editor {
        editor::render_completion(app, frame, panes.editor);
    }
    if let Some(popup @ Popup::Help(_)) = &app.popup {
        render_popup(app, popup, frame);
    }
    // Last: every pane has drawn; nothing unsafe goes out to the terminal.
    safe::scrub(frame.buffer_mut());
}

/// The open popup, over the panes.
fn render_popup(app: &App, popup: &Popup, frame: &mut Frame) {
    match popup {
        Popup::SendForm(form) => {
            let area = centered(frame.area(), 70, 12);
            let ctx = RenderCtx {
                theme: &app.theme,
                keymap: &app.keymap,
                focused: true,
                scope: app.scope.as_ref(),
                names: app.result_names(),
            };
            form.render(area, frame.buffer_mut(), &ctx);
        }
        Popup::Picker(p) => picker::render(app, p, frame),
        Popup::ExportPrompt(p) => picker::render_export_prompt(app, p, frame),
        Popup::RangePrompt(input) => picker::render_range_prompt(app, input, frame),
        Popup::NamePrompt(scope, column, input) => {
            picker::render_name_prompt(app, scope, column, input, frame)
        }
        Popup::History(view) => history::render(app, view, frame),
        Popup::SavePrompt(input) => picker::render_input_prompt(
            app,
            " Save the statement as · Enter saves · Esc cancels ",
            input,
            "a name; it is listed in F3 for this logstore",
            frame,
        ),
        Popup::Help(scroll) => help::render(app, *scroll, frame),
    }
}

/// A pane's frame: its border shows whether it has focus.
pub fn pane_block<'a>(app: &App, title: impl Into<Line<'a>>, pane: Focus) -> Block<'a> {
    framed(&app.theme, app.focus == pane, title)
}

/// A pane's frame with its title, the border showing whether it has focus.
pub fn framed<'a>(theme: &Theme, focused: bool, title: impl Into<Line<'a>>) -> Block<'a> {
    theme
        .pane_block(focused)
        .title(safe::line(title.into()))
        .title_style(theme.title)
}

fn placeholder(app: &App, frame: &mut Frame, area: Rect, title: &str, pane: Focus, text: &str) {
    if area.is_empty() {
        return;
    }
    let p = Paragraph::new(text.to_string())
        .style(app.theme.dim)
        .wrap(Wrap { trim: true })
        .block(pane_block(app, format!(" {title} "), pane));
    frame.render_widget(p, area);
}

/// Cut a string to `width` columns, marking the cut with '…'. The string
/// is made safe first (it is usually untrusted), so the width is that of
/// what is drawn.
pub fn truncate(s: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let mut out = String::new();
    let mut used = 0;
    for c in crate::sanitize::line_chars(s) {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            if width > 0 {
                while used + 1 > width {
                    match out.pop() {
                        Some(p) => used -= p.width().unwrap_or(0),
                        None => break,
                    }
                }
                out.push('…');
            }
            return out;
        }
        used += w;
        out.push(c);
    }
    out
}

/// A centred rectangle for popups.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn truncate_marks_the_cut_and_respects_width() {
        assert_eq!(super::truncate("hello", 10), "hello");
        assert_eq!(super::truncate("hello world", 5), "hell…");
        assert_eq!(super::truncate("日本語", 4), "日…");
        assert_eq!(super::truncate("a\nb", 3), "a b");
        assert_eq!(super::truncate("abc", 0), "");
    }
}
