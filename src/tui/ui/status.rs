//! The status bar: where we are connected and how that is going, the scope,
//! and the latest notice.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::tui::app::{App, ConnState, NoticeLevel, TICKS_PER_SECOND};
use crate::tui::ui::truncate;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    if area.is_empty() {
        return;
    }
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
        ConnState::Failing { message, retry_at } => {
            let secs = retry_at.saturating_sub(app.tick).div_ceil(TICKS_PER_SECOND);
            (
                format!("unreachable, retrying in {secs} s: {message}"),
                t.error,
            )
        }
        ConnState::Down { message, retry_at } => {
            let secs = retry_at.saturating_sub(app.tick).div_ceil(TICKS_PER_SECOND);
            (format!("down, retrying in {secs} s: {message}"), t.error)
        }
    };
    let mut spans = vec![
        Span::styled(format!(" {place} "), t.title),
        Span::styled(format!("● {state} "), style),
    ];
    if let Some(n) = &app.notice {
        let style = match n.level {
            NoticeLevel::Info => t.ok,
            NoticeLevel::Warning => t.warning,
            NoticeLevel::Error => t.error,
        };
        let used: usize = spans.iter().map(|s| s.width()).sum();
        let room = (area.width as usize).saturating_sub(used + 3);
        spans.push(Span::styled(
            format!("│ {}", truncate(&n.text, room)),
            style,
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
