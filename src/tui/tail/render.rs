//! Drawing the tail pane: a status row (connection, rate sparkline, follow
//! state), the visible window of lines, and a filter row. Reads state only;
//! the cost of a frame depends on the pane's height, not the buffer's size.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Sparkline, Widget};

use super::{ConnState, TailLine, TailState, TimeMode};
use crate::tui::detail::time_fmt;
use crate::tui::keymap::{Command, Context, Keymap};
use crate::tui::theme::Theme;

/// Columns of the rate sparkline at most: one per second of the last
/// minute; a narrow pane shows the most recent seconds.
const SPARK_WIDTH: u16 = super::rate::WINDOW_SECS as u16;

/// The size of the lines area inside a pane of `area`: what `set_viewport`
/// should be given.
pub fn viewport(area: Rect) -> (u16, u16) {
    let inner = Block::default().borders(Borders::ALL).inner(area);
    (inner.width, inner.height.saturating_sub(2))
}

#[cfg(any(test, feature = "internals"))]
pub fn render(state: &TailState, area: Rect, buf: &mut Buffer, theme: &Theme, focused: bool) {
    render_with_keys(state, area, buf, theme, focused, Keymap::builtin());
}

/// As [`render`], with the hint line taken from `keymap`.
pub fn render_with_keys(
    state: &TailState,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
    focused: bool,
    keymap: &Keymap,
) {
    // A window of raw logs is not the live tail: the title says so, and
    // how wide it is.
    let name = match state.window() {
        Some(w) => format!("raw logs ±{} min", w.minutes),
        None => "tail".to_string(),
    };
    let title = match state.source() {
        Some((p, l)) => format!(
            " {name} · {}/{} ",
            crate::sanitize::line(p),
            crate::sanitize::line(l)
        ),
        None => format!(" {name} "),
    };
    let block = theme
        .pane_block(focused)
        .title(Span::styled(title, theme.title));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height < 3 || inner.width == 0 {
        return;
    }
    let [status, body, bar] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    render_status(state, status, buf, theme);
    render_lines(state, body, buf, theme, focused);
    render_bar(state, bar, buf, theme, keymap);
}

fn render_status(state: &TailState, area: Rect, buf: &mut Buffer, theme: &Theme) {
    if let Some(window) = state.window() {
        return render_window_status(state, window, area, buf, theme);
    }
    let now_ms = state.now_ms();
    // Short facts first; a failure's message last, where it may be cut.
    let (mut spans, message) = match state.conn() {
        ConnState::Connecting => (vec![Span::styled("○ connecting…", theme.dim)], None),
        ConnState::Live => (vec![Span::styled("● live", theme.ok)], None),
        ConnState::Retrying {
            at,
            attempt,
            message,
        } => {
            let secs = at
                .saturating_duration_since(state.now())
                .as_secs_f64()
                .ceil();
            let label = if secs > 0.0 {
                format!("↻ retrying in {secs} s (attempt {attempt})")
            } else {
                format!("↻ retrying now (attempt {attempt})")
            };
            (
                vec![Span::styled(label, theme.warning)],
                Some((message, theme.warning)),
            )
        }
        ConnState::Failed(message) => (
            vec![Span::styled("✖ stopped", theme.error)],
            Some((message, theme.error)),
        ),
    };
    if let Some(quiet) = state.stalled_for() {
        spans.push(Span::styled(
            format!(" · no answer for {} s", quiet.as_secs()),
            theme.warning,
        ));
    }
    let rate = Span::styled(
        format!(" · {:.1}/s ", state.rate().recent_rate(now_ms)),
        theme.dim,
    );
    let with_message = |mut spans: Vec<Span<'static>>| {
        if let Some((message, style)) = &message {
            spans.push(Span::styled(
                format!("· {}", crate::sanitize::line(message)),
                *style,
            ));
        }
        Line::from(spans)
    };
    // Never silent: what the tail could not vouch for stays in sight (the
    // rate gives way first on a narrow pane, these do not).
    if state.gaps() > 0 {
        spans.push(Span::styled(
            format!("· {} gaps ", state.gaps()),
            theme.warning,
        ));
    }
    if state.skipped() > 0 {
        spans.push(Span::styled(
            format!("· {} skipped (no time) ", state.skipped()),
            theme.warning,
        ));
    }
    if let Some(rate) = state.sample_rate() {
        spans.push(Span::styled(
            format!("· sampled {}% ", crate::client::tail::percent(rate)),
            theme.warning,
        ));
    }
    let mut with_rate = spans.clone();
    with_rate.push(rate);
    let (left, right) = if state.is_following() {
        (
            with_message(with_rate),
            Line::styled(
                format!("following · {}", state.time_mode().label()),
                theme.dim,
            ),
        )
    } else {
        // Paused matters more than the rate: on a narrow pane the rate goes
        // first, then the words of the pause note, never the pause itself.
        let n = state.new_while_paused();
        let rights = [
            format!("paused · {n} new · End resumes"),
            format!("paused · {n} new"),
            "paused".to_string(),
        ];
        let fits = |l: &Line, r: &str| l.width() + r.chars().count() < usize::from(area.width);
        let lefts = [with_message(with_rate), with_message(spans)];
        let choice = rights
            .iter()
            .flat_map(|r| lefts.iter().map(move |l| (l, r)))
            .find(|(l, r)| fits(l, r))
            .map(|(l, r)| (l.clone(), r.clone()));
        let (left, right) =
            choice.unwrap_or_else(|| (Line::default(), rights[rights.len() - 1].clone()));
        (left, Line::styled(right, theme.warning))
    };
    let right_w = u16::try_from(right.width())
        .unwrap_or(u16::MAX)
        .min(area.width);
    let left_w = u16::try_from(left.width()).unwrap_or(u16::MAX);
    buf.set_line(area.x, area.y, &left, area.width);
    // The sparkline fills what is left between the two texts.
    let spark_x = area.x + left_w.min(area.width);
    let spark_room = area.width.saturating_sub(left_w + right_w + 1);
    let spark_w = spark_room.min(SPARK_WIDTH);
    if spark_w >= 5 {
        let series = state.rate().series(now_ms);
        let data = &series[series.len() - usize::from(spark_w)..];
        Sparkline::default()
            .data(data)
            .style(theme.ok)
            .render(Rect::new(spark_x, area.y, spark_w, 1), buf);
    }
    if left_w + right_w < area.width {
        buf.set_line(area.x + area.width - right_w, area.y, &right, right_w);
    }
}

/// The status row of a raw-logs window: which moment, how many lines,
/// how to go live again; loading or why it failed.
fn render_window_status(
    state: &TailState,
    window: &super::window::RawWindow,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
) {
    // What matters most first: a narrow pane cuts the end.
    let spans = match state.conn() {
        ConnState::Connecting => vec![
            Span::styled("◼ loading… ", theme.dim),
            Span::styled(window.label(), theme.dim),
        ],
        ConnState::Failed(message) => vec![
            Span::styled(
                format!("✖ {} ", crate::sanitize::line(message)),
                theme.error,
            ),
            Span::styled(window.label(), theme.dim),
        ],
        _ => vec![
            Span::styled("◼ ", theme.warning),
            Span::raw(window.label()),
            Span::styled(" · paused · F goes live", theme.dim),
        ],
    };
    buf.set_line(area.x, area.y, &Line::from(spans), area.width);
}

fn render_lines(state: &TailState, area: Rect, buf: &mut Buffer, theme: &Theme, focused: bool) {
    if state.buffer().shown_len() == 0 {
        let msg = if state.buffer().is_empty() {
            "No log lines yet: they appear here as they arrive."
        } else {
            "No line matches the filter (Esc clears it)."
        };
        buf.set_line(area.x, area.y, &Line::styled(msg, theme.dim), area.width);
        return;
    }
    for (row, (line, is_cursor)) in state.visible_lines().enumerate() {
        let y = area.y + u16::try_from(row).unwrap_or(u16::MAX);
        if y >= area.y + area.height {
            break;
        }
        let mut drawn = draw_line(state, line, theme);
        if is_cursor {
            let style = if focused {
                theme.selected
            } else {
                theme.selected_unfocused
            };
            drawn = drawn.patch_style(style);
            buf.set_style(Rect::new(area.x, y, area.width, 1), style);
        }
        buf.set_line(area.x, y, &drawn, area.width);
    }
}

fn draw_line<'a>(state: &TailState, line: &'a TailLine, theme: &Theme) -> Line<'a> {
    let time = match (line.time, state.time_mode()) {
        (Some(t), TimeMode::Utc) => time_fmt::clock_utc(&t),
        (Some(t), TimeMode::Local) => time_fmt::clock_local(&t),
        (Some(t), TimeMode::Relative) => {
            format!(
                "{:>12}",
                time_fmt::relative(t.timestamp_millis(), state.now_ms())
            )
        }
        (None, _) => line.raw_time.clone(),
    };
    let mut spans = vec![
        Span::styled(time, theme.dim),
        Span::raw(" "),
        Span::styled(format!("{:<5}", line.level), theme.level(&line.level)),
        Span::raw(" "),
    ];
    let filter = state.filter();
    push_highlighted(
        &mut spans,
        &line.message,
        filter.highlights(&line.message),
        Style::default(),
        theme,
    );
    if !line.rest.is_empty() {
        spans.push(Span::raw(" "));
        push_highlighted(
            &mut spans,
            &line.rest,
            filter.highlights(&line.rest),
            theme.dim,
            theme,
        );
    }
    Line::from(spans)
}

fn push_highlighted<'a>(
    spans: &mut Vec<Span<'a>>,
    text: &'a str,
    ranges: Vec<(usize, usize)>,
    style: Style,
    theme: &Theme,
) {
    let mut at = 0;
    for (s, e) in ranges {
        if s > at {
            spans.push(Span::styled(&text[at..s], style));
        }
        spans.push(Span::styled(&text[s..e], theme.match_highlight));
        at = e;
    }
    if at < text.len() {
        spans.push(Span::styled(&text[at..], style));
    }
}

fn render_bar(state: &TailState, area: Rect, buf: &mut Buffer, theme: &Theme, keymap: &Keymap) {
    let filter = state.filter();
    let counts = format!(
        "{} of {} lines",
        state.buffer().shown_len(),
        state.buffer().len()
    );
    let line = if state.is_editing_filter() {
        Line::from(vec![
            Span::styled("filter: ", theme.key),
            Span::raw(filter.text.as_str()),
            Span::styled("▏", theme.key),
            Span::styled("  Enter keeps · Esc cancels", theme.dim),
        ])
    } else if filter.is_active() || filter.inverse {
        let mut spans = vec![Span::styled(filter.level.label(), theme.key)];
        if !filter.text.is_empty() {
            let how = if filter.inverse {
                " · without "
            } else {
                " · with "
            };
            spans.push(Span::styled(how, theme.dim));
            spans.push(Span::styled(format!("{:?}", filter.text), theme.key));
        }
        let clear = keymap.hints(Context::Tail, &[(Command::ClearFilter, "clears")]);
        spans.push(Span::styled(format!(" · {counts} · {clear}"), theme.dim));
        Line::from(spans)
    } else {
        let room = usize::from(area.width).saturating_sub(counts.chars().count() + 3);
        let hints = keymap.hints_within(
            Context::Tail,
            &[
                (Command::Filter, "filter"),
                (Command::LevelFilter, "level"),
                (Command::InvertFilter, "invert"),
                (Command::TimeMode, "time"),
                (Command::OpenDetail, "open"),
            ],
            room,
        );
        Line::styled(format!("{counts} · {hints}"), theme.dim)
    };
    buf.set_line(area.x, area.y, &line, area.width);
}
