//! The list popup used for snippets, export formats and time ranges.

use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState};
use ratatui::Frame;

use crate::tui::app::{App, ExportPrompt, Picker};
use crate::tui::ui::{centered, truncate};

pub fn render(app: &App, picker: &Picker, frame: &mut Frame) {
    let height = (picker.items.len() as u16 + 2).min(frame.area().height.saturating_sub(2));
    let area = centered(frame.area(), 70, height.max(3));
    let width = area.width.saturating_sub(4) as usize;
    let items: Vec<ListItem> = picker
        .items
        .iter()
        .map(|(label, _)| ListItem::new(truncate(label, width)))
        .collect();
    render_list(
        app,
        frame,
        area,
        items,
        picker.selected,
        format!(" {} · Enter chooses · Esc closes ", picker.title),
    );
}

/// A list popup over whatever is under `area`: the picker and the editor's
/// completion both draw through this.
pub fn render_list(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    items: Vec<ListItem>,
    selected: usize,
    title: String,
) {
    let mut state = ListState::default().with_selected(Some(selected));
    frame.render_widget(Clear, area);
    frame.render_stateful_widget(
        List::new(items)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(app.theme.border_focused)
                    .title(crate::tui::ui::safe::text(&title).into_owned()),
            )
            .highlight_style(app.theme.selected),
        area,
        &mut state,
    );
}

/// The export's path, editable: where the rows will be written.
pub fn render_export_prompt(app: &App, prompt: &ExportPrompt, frame: &mut Frame) {
    use ratatui::text::{Line, Span};
    use ratatui::widgets::Paragraph;
    let area = centered(frame.area(), 76, 5);
    let width = area.width.saturating_sub(2) as usize;
    let title = format!(
        " Export {} rows as {} · Enter writes · Esc cancels ",
        app.grid.view.len(),
        prompt.format.extension().to_uppercase()
    );
    let input = &prompt.path;
    let (before, cursor, rest) = input.split_at_cursor();
    // Keep the cursor in view on a long path: drop from the left.
    let room = width.saturating_sub(7);
    let before_chars: Vec<char> = before.chars().collect();
    let shown_before: String = before_chars[before_chars.len().saturating_sub(room)..]
        .iter()
        .collect();
    let where_ = if prompt.path.text.starts_with('/') || prompt.path.text.starts_with("~/") {
        String::new()
    } else {
        format!("in {}", app.export_dir.display())
    };
    let lines = vec![
        Line::from(vec![
            Span::styled("file: ", app.theme.dim),
            Span::raw(shown_before),
            Span::styled(cursor, app.theme.selected),
            Span::raw(rest.to_string()),
        ]),
        Line::styled(truncate(&where_, width), app.theme.dim),
        Line::styled(
            "an existing file is never overwritten (-2, -3… is added)",
            app.theme.dim,
        ),
    ];
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(app.theme.border_focused)
                .title(title),
        ),
        area,
    );
}

/// The custom time range being typed.
pub fn render_range_prompt(app: &App, input: &crate::tui::send_form::Input, frame: &mut Frame) {
    render_input_prompt(
        app,
        " Time range · Enter applies · Esc cancels ",
        input,
        "YYYY-MM-DD hh:mm:ss .. YYYY-MM-DD hh:mm:ss, UTC",
        frame,
    );
}

/// A column's name being typed.
pub fn render_name_prompt(
    app: &App,
    scope: &crate::tui::app::Scope,
    column: &str,
    input: &crate::tui::send_form::Input,
    frame: &mut Frame,
) {
    // Names from the server: made safe before they reach a title.
    let title = super::safe::text(&format!(
        " Name {column} in {scope} · Enter saves · Esc cancels "
    ))
    .into_owned();
    render_input_prompt(
        app,
        &title,
        input,
        "letters, digits and _; empty removes the name",
        frame,
    );
}

/// A one-line input in a small box: the text with its cursor, and a hint.
pub(crate) fn render_input_prompt(
    app: &App,
    title: &str,
    input: &crate::tui::send_form::Input,
    hint: &str,
    frame: &mut Frame,
) {
    use ratatui::text::{Line, Span};
    use ratatui::widgets::Paragraph;
    let area = centered(frame.area(), 64, 4);
    let (before, cursor, rest) = input.split_at_cursor();
    let lines = vec![
        Line::from(vec![
            Span::raw(before.to_string()),
            Span::styled(cursor, app.theme.selected),
            Span::raw(rest.to_string()),
        ]),
        Line::styled(hint.to_string(), app.theme.dim),
    ];
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(app.theme.border_focused)
                .title(title.to_string()),
        ),
        area,
    );
}
