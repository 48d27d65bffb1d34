//! The status bar: where we are connected and how that is going, the scope,
//! and the latest notice.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::tui::app::{App, ConnState, NoticeLevel, TICKS_PER_SECOND};
use unicode_width::UnicodeWidthStr;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    if area.is_empty() {
        return;
    }
    let mut spans = connection_spans(app);
    if let Some(n) = &app.notice {
        let room = notice_room(app, area.width);
        // A notice too long for what is left here is shown whole on the
        // footer line instead (an export's path, an error).
        if n.text.width() <= room {
            let text = crate::tui::ui::truncate(&n.text, room);
            spans.push(Span::styled(format!("│ {text}"), notice_style(app)));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Columns the status bar has left for a notice.
pub fn notice_room(app: &App, width: u16) -> usize {
    let used: usize = connection_spans(app).iter().map(|s| s.width()).sum();
    usize::from(width).saturating_sub(used + 3)
}

pub fn notice_style(app: &App) -> ratatui::style::Style {
    let t = &app.theme;
    match app.notice.as_ref().map(|n| n.level) {
        Some(NoticeLevel::Warning) => t.warning,
        Some(NoticeLevel::Error) => t.error,
        _ => t.ok,
    }
}

fn connection_spans(app: &App) -> Vec<Span<'static>> {
    let t = &app.theme;
    let c = &app.connection;
    let place = match (&c.profile, c.embedded) {
        (_, true) => "local (embedded server)".to_string(),
        (Some(p), false) => format!("{} ({p})", c.place),
        (None, false) => c.place.clone(),
    };
    let (state, style) = match &app.conn_state {
        ConnState::Connecting => ("connecting…".to_string(), t.warning),
        ConnState::Connected => ("connected".to_string(), t.ok),
        ConnState::Refused(message) => (format!("refused: {message}"), t.error),
        ConnState::Failing { message, retry_at } => {
            let secs = retry_at.saturating_sub(app.tick).div_ceil(TICKS_PER_SECOND);
            (
                format!("unreachable, retrying in {secs} s: {message}"),
                t.error,
            )
        }
    };
    vec![
        Span::styled(format!(" {place} "), t.title),
        Span::styled(format!("● {state} "), style),
    ]
}
