//! The status bar: where we are connected and how that is going, the scope,
//! and the latest notice.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::tui::app::{App, ConnState, NoticeLevel, TICKS_PER_SECOND};
use crate::tui::ui::{safe, truncate};
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
        if safe::text(&n.text).width() <= room {
            let text = truncate(&n.text, room);
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
        ConnState::Refused(message) => (format!("refused: {}", safe::text(message)), t.error),
        ConnState::Failing { message, retry_at } => {
            let secs = retry_at.saturating_sub(app.tick).div_ceil(TICKS_PER_SECOND);
            (
                format!("unreachable, retrying in {secs} s: {}", safe::text(message)),
                t.error,
            )
        }
        ConnState::Down { message, retry_at } => {
            let secs = retry_at.saturating_sub(app.tick).div_ceil(TICKS_PER_SECOND);
            (format!("down, retrying in {secs} s: {message}"), t.error)
        }
    };
    let mut spans = vec![
        Span::styled(format!(" {} ", safe::text(&place)), t.title),
        Span::styled(format!("● {state} "), style),
    ];
    // The range is shown once one is chosen (all time, the default, is no
    // bound: the statement says so by having none).
    if app.scope.is_some() && app.time_range() != crate::tui::timerange::TimeRange::All {
        spans.push(Span::styled(
            format!("│ time: {} ", safe::text(&app.time_range().label())),
            t.dim,
        ));
    }
    if app.watch.is_on() {
        let text = if app.watch_paused() {
            format!(
                "│ ⟳ watch {} s, paused while editing ",
                app.watch.every_secs
            )
        } else {
            let left = app.watch.secs_left(app.tick).unwrap_or(0);
            format!(
                "│ ⟳ watch {} s · #{} · next in {left} s ",
                app.watch.every_secs, app.watch.runs
            )
        };
        spans.push(Span::styled(text, t.key));
    }
    // A connection warning (a token over plain http, a readable config
    // file) stays in view; a notice follows it when it fits.
    if let Some(w) = app.connection_warnings.first() {
        let room = (usize::from(app.size.0) / 2).saturating_sub(6);
        spans.push(Span::styled(
            format!("│ ⚠ {} ", truncate(w, room)),
            t.warning,
        ));
    }
    spans
}
