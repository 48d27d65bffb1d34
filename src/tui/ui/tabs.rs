//! The result tabs' strip above the results: each tab's number (with ⟳
//! while it is watched and • when a watch refreshed it unseen), logstore
//! and the start of its statement, the shown one highlighted, and when the
//! shown one ran at the right when there is room. Labels share the width,
//! so nine tabs still fit at 80 columns (as numbers, at worst). Tabs whose
//! statements start the same show where they differ after "…".

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::tui::app::App;
use crate::tui::tabs;

/// A tab's label is cut to this many columns even when there is room, so
/// one long statement does not push the others out.
const MAX_LABEL: usize = 28;
/// Below this width the strip has room for the tabs only.
const WHEN_FROM_WIDTH: usize = 50;
/// A label narrower than this shows no statement (a few letters of it
/// say nothing).
const SQL_FROM_WIDTH: usize = 16;

/// The strip laid out for `width` columns: each tab's text and where it
/// starts, and when the shown tab ran (when there is room). Drawing and
/// mouse clicks both use it, so a click lands on the tab drawn there.
pub struct Strip {
    /// (tab index, first column, text).
    pub cells: Vec<(usize, usize, String)>,
    pub when: Option<String>,
}

impl Strip {
    /// The tab drawn at column `x` (relative to the strip).
    pub fn tab_at(&self, x: usize) -> Option<usize> {
        self.cells.iter().find_map(|(i, start, text)| {
            let w = unicode_width::UnicodeWidthStr::width(text.as_str());
            (x >= *start && x < start + w).then_some(*i)
        })
    }
}

pub fn layout(app: &App, width: usize) -> Strip {
    let n = app.tabs.len();
    let when = app
        .tabs
        .current()
        .ran_at
        .map(|at| format!(" ran {} UTC", at.format("%H:%M:%S")))
        .filter(|_| width >= WHEN_FROM_WIDTH);
    let room = width.saturating_sub(when.as_ref().map_or(0, String::len));
    // One column between labels.
    let each = (room.saturating_sub(n - 1) / n.max(1)).min(MAX_LABEL);
    let mut cells = Vec::new();
    let mut used = 0;
    for (i, tab) in app.tabs.tabs.iter().enumerate() {
        if i > 0 {
            used += 1;
        }
        let marks = tabs::marks(app, i);
        let full = distinct_label(app, i, each).unwrap_or_else(|| tabs::label(i, tab, &marks));
        let short = tabs::short_label(i, tab, &marks);
        let fits = |s: &str| unicode_width::UnicodeWidthStr::width(s) <= each;
        // Narrow: the logstore whole rather than a statement cut to "…".
        // Server names and SQL: `truncate` makes them safe.
        let text = if fits(&full) || each >= SQL_FROM_WIDTH || !fits(&short) {
            super::truncate(&full, each)
        } else {
            super::truncate(&short, each)
        };
        let w = unicode_width::UnicodeWidthStr::width(text.as_str());
        cells.push((i, used, text));
        used += w;
    }
    let when = when.filter(|w| used + w.len() <= width);
    Strip { cells, when }
}

/// Tab `i`'s label in `each` columns when its statement starts as
/// another tab's does and the word where they differ would be cut off:
/// the start of the statement, "…", and that word ("1 api: SELECT
/// blob6…'one'"). None when the plain label shows the word, or when
/// there is no room for it.
fn distinct_label(app: &App, i: usize, each: usize) -> Option<String> {
    use unicode_width::UnicodeWidthStr;
    if each < SQL_FROM_WIDTH {
        return None;
    }
    let word_start = app.tabs.differs_at(i)?;
    let tab = app.tabs.tabs.get(i)?;
    let sql = tabs::one_line(tab.sql.as_deref()?);
    let word_end = sql[word_start..]
        .find(' ')
        .map_or(sql.len(), |k| word_start + k);
    let before = format!("{}: ", tabs::short_label(i, tab, &tabs::marks(app, i)));
    let room = each.saturating_sub(before.width());
    // The plain label cuts with "…" in its last column.
    if sql.width() <= room || sql[..word_end].width() < room {
        return None;
    }
    let word = &sql[word_start..word_end];
    let more = if word_end < sql.len() { "…" } else { "" };
    // The start of the statement, its cut marked by the "…" `truncate` puts.
    let head = room.checked_sub(word.width() + more.width())?;
    if head == 0 {
        return None;
    }
    let head = super::truncate(&sql, head);
    Some(format!("{before}{head}{word}{more}"))
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    if area.is_empty() {
        return;
    }
    let width = area.width as usize;
    let strip = layout(app, width);
    let mut spans = Vec::new();
    let mut used = 0;
    for (i, start, text) in strip.cells {
        if i > 0 {
            spans.push(Span::styled("│", app.theme.dim));
        }
        used = start + unicode_width::UnicodeWidthStr::width(text.as_str());
        let style = if i == app.tabs.active {
            app.theme.selected
        } else {
            app.theme.dim
        };
        spans.push(Span::styled(text, style));
    }
    if let Some(when) = strip.when {
        spans.push(Span::raw(
            " ".repeat(width.saturating_sub(used + when.len())),
        ));
        spans.push(Span::styled(when, app.theme.dim));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// What an empty tab that has a statement (kept from the last session)
/// says in place of rows.
pub fn rerun_hint(app: &App) -> String {
    let key = app
        .keymap
        .key_for(
            crate::tui::keymap::Context::Global,
            crate::tui::keymap::Command::TabRerun,
        )
        .map_or_else(|| "tab_rerun".to_string(), |k| k.to_string());
    let store = app
        .tabs
        .current()
        .scope
        .as_ref()
        .map_or_else(String::new, |s| format!(" on {s}"));
    // The statement is the user's, the scope a server's: made safe by the
    // grid's renderer (`safe::scrub` at the end of the frame) and here.
    super::safe::text(&format!(
        "Rows are not kept between runs: {key} runs this tab's query again{store}."
    ))
    .into_owned()
}
