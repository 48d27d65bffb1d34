//! The F2 history popup: the search line, then one line per query (when
//! it last answered, rows, duration, the statement on one line).

use ratatui::widgets::ListItem;
use ratatui::Frame;

use crate::tui::app::App;
use crate::tui::history_view::{describe, HistoryView};
use crate::tui::ui::{centered, picker::render_list, truncate};

/// Lines of the list a page moves by, for the popup's own size.
pub fn page(app: &App) -> usize {
    usize::from(app.size.1.saturating_sub(8)).max(1)
}

pub fn render(app: &App, view: &HistoryView, frame: &mut Frame) {
    let items = view.items(&app.editor.history);
    let height = (items.len() as u16 + 3)
        .max(5)
        .min(frame.area().height.saturating_sub(2));
    let area = centered(frame.area(), 110, height);
    let width = area.width.saturating_sub(4) as usize;
    let search = if view.search.is_empty() {
        "type to search".to_string()
    } else {
        format!("search: {}", view.search)
    };
    let mut lines: Vec<ListItem> =
        vec![ListItem::new(truncate(&search, width)).style(app.theme.dim)];
    if items.is_empty() {
        lines.push(ListItem::new("no query matches").style(app.theme.dim));
    }
    lines.extend(items.iter().map(|item| {
        let sql = item.sql.split_whitespace().collect::<Vec<_>>().join(" ");
        // The statement is the user's own, but `truncate` makes any text safe.
        ListItem::new(truncate(&format!("{}  {sql}", describe(item.meta)), width))
    }));
    let scope = app
        .scope
        .as_ref()
        .map_or_else(String::new, |s| format!(" · {s}"));
    render_list(
        app,
        frame,
        area,
        lines,
        // The search line comes first.
        view.selected + 1,
        format!(
            " History{scope} · {} queries · Enter chooses · Esc closes ",
            items.len()
        ),
    );
}
