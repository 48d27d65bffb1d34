//! The list popup used for history, snippets and export formats.

use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState};
use ratatui::Frame;

use crate::tui::app::{App, Picker};
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
