//! The grid's chart view: each numeric column of a result drawn over its
//! time column. The series are extracted once per result (sorted by time,
//! NULLs skipped); drawing only reads them.

use chrono::{DateTime, Utc};
use crossterm::event::{KeyEvent, KeyEventKind};

use crate::tui::keymap::{Command, Context, Keymap};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::Span;
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, Paragraph, Widget, Wrap};

use crate::client::QueryResult;
use crate::tui::theme::Theme;

/// Most series drawn; more would be unreadable in a terminal.
pub const MAX_SERIES: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChartKind {
    #[default]
    Line,
    Bar,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    /// (Unix seconds, value), ascending by time.
    pub points: Vec<(f64, f64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChartData {
    pub time_column: String,
    pub series: Vec<Series>,
    /// Numeric columns beyond `MAX_SERIES`, not drawn.
    pub left_out: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ChartOutcome {
    Ignored,
    Handled,
    /// Narrow the query's time range to this bucket: [from, to), Unix
    /// seconds.
    Narrow {
        from: i64,
        to: i64,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChartState {
    /// The series, or why the result cannot be charted.
    data: Result<ChartData, String>,
    pub kind: ChartKind,
    /// Show only this series (index into `series`); None shows all.
    pub only: Option<usize>,
    /// The bucket (index into [`ChartState::buckets`]) the cursor is on;
    /// None until ←/→ is pressed.
    pub cursor: Option<usize>,
}

impl ChartState {
    #[cfg(any(test, feature = "internals"))]
    pub fn from_result(result: &QueryResult) -> Self {
        Self::from_result_named(result, &crate::tui::fields::FieldNames::default())
    }

    /// As [`ChartState::from_result`], the legend showing the logstore's
    /// names for positional columns (double1 → latency_ms).
    pub fn from_result_named(result: &QueryResult, names: &crate::tui::fields::FieldNames) -> Self {
        Self {
            data: extract(result, names),
            kind: ChartKind::Line,
            only: None,
            cursor: None,
        }
    }

    /// How many series there are (0 when the result cannot be charted).
    pub fn series_count(&self) -> usize {
        self.data.as_ref().map_or(0, |d| d.series.len())
    }

    pub fn data(&self) -> Result<&ChartData, &str> {
        self.data.as_ref().map_err(String::as_str)
    }

    /// A key under the built-in keymap (the tests).
    #[cfg(any(test, feature = "internals"))]
    pub fn handle_key(&mut self, key: KeyEvent) -> ChartOutcome {
        self.handle_key_with(Keymap::builtin(), key)
    }

    /// A key through the `[chart]` table: line/bar, and one series after the
    /// other then all again.
    pub fn handle_key_with(&mut self, keymap: &Keymap, key: KeyEvent) -> ChartOutcome {
        if key.kind == KeyEventKind::Release {
            return ChartOutcome::Ignored;
        }
        match keymap.lookup_in(Context::Chart, &key) {
            Some(Command::ChartKind) => {
                self.kind = match self.kind {
                    ChartKind::Line => ChartKind::Bar,
                    ChartKind::Bar => ChartKind::Line,
                };
                ChartOutcome::Handled
            }
            Some(cmd @ (Command::Left | Command::Right)) => {
                let n = self.buckets().len();
                if n == 0 {
                    return ChartOutcome::Ignored;
                }
                // The first press lands on the newest bucket.
                self.cursor = Some(match (self.cursor, cmd) {
                    (None, _) => n - 1,
                    (Some(i), Command::Left) => i.saturating_sub(1),
                    (Some(i), _) => (i + 1).min(n - 1),
                });
                ChartOutcome::Handled
            }
            Some(Command::NarrowTime) => match self.bucket_range() {
                Some((from, to)) => ChartOutcome::Narrow { from, to },
                None => ChartOutcome::Ignored,
            },
            Some(Command::NextSeries) => {
                let count = self.data.as_ref().map_or(0, |d| d.series.len());
                self.only = match self.only {
                    None if count > 1 => Some(0),
                    Some(i) if i + 1 < count => Some(i + 1),
                    _ => None,
                };
                ChartOutcome::Handled
            }
            _ => ChartOutcome::Ignored,
        }
    }

    /// Put the cursor on the bucket `old`'s cursor was on (the same
    /// time), or, when new rows no longer have that time, on the nearest
    /// later one (the last when none is later). No cursor stays none.
    pub fn keep_cursor_of(&mut self, old: &ChartState) {
        let Some(time) = old.bucket_time() else {
            return;
        };
        let buckets = self.buckets();
        let Some(last) = buckets.len().checked_sub(1) else {
            return;
        };
        self.cursor = Some(buckets.partition_point(|t| *t < time).min(last));
    }

    /// The time of the bucket the cursor is on.
    fn bucket_time(&self) -> Option<f64> {
        let buckets = self.buckets();
        buckets
            .get(self.cursor?.min(buckets.len().checked_sub(1)?))
            .copied()
    }

    /// The distinct times of the series drawn, ascending: the buckets the
    /// cursor steps through.
    pub fn buckets(&self) -> Vec<f64> {
        let mut times: Vec<f64> = self
            .shown_series()
            .iter()
            .flat_map(|(_, s)| s.points.iter().map(|p| p.0))
            .collect();
        times.sort_by(f64::total_cmp);
        times.dedup();
        times
    }

    /// The cursor's bucket as [start, start of the next): the last bucket
    /// is as wide as the one before it (a minute when it is the only one).
    pub fn bucket_range(&self) -> Option<(i64, i64)> {
        let buckets = self.buckets();
        let i = self.cursor?.min(buckets.len().checked_sub(1)?);
        let from = *buckets.get(i)?;
        let width = match (
            buckets.get(i + 1),
            i.checked_sub(1).and_then(|p| buckets.get(p)),
        ) {
            (Some(next), _) => next - from,
            (None, Some(prev)) => from - prev,
            (None, None) => 60.0,
        };
        Some((from as i64, (from + width.max(1.0)) as i64))
    }

    /// The series drawn now, with their index (for colours and the legend).
    pub fn shown_series(&self) -> Vec<(usize, &Series)> {
        let Ok(data) = &self.data else {
            return Vec::new();
        };
        data.series
            .iter()
            .enumerate()
            .filter(|(i, s)| self.only.is_none_or(|o| o == *i) && !s.points.is_empty())
            .collect()
    }
}

fn extract(
    result: &QueryResult,
    names: &crate::tui::fields::FieldNames,
) -> Result<ChartData, String> {
    let cols = result.columns();
    let time_col = cols
        .iter()
        .position(|c| c.is_time())
        .ok_or("No chart: the result has no DateTime or Date column.")?;
    let numeric: Vec<usize> = cols
        .iter()
        .enumerate()
        .filter(|(i, c)| *i != time_col && c.is_numeric())
        .map(|(i, _)| i)
        .collect();
    if numeric.is_empty() {
        return Err("No chart: the result has no numeric column to draw over time.".into());
    }
    let times: Vec<Option<f64>> = (0..result.len())
        .map(|r| {
            result
                .get_datetime(r, time_col)
                .map(|t| t.timestamp() as f64)
        })
        .collect();
    let series: Vec<Series> = numeric
        .iter()
        .take(MAX_SERIES)
        .map(|&c| {
            let mut points: Vec<(f64, f64)> = times
                .iter()
                .enumerate()
                .filter_map(|(r, t)| Some(((*t)?, result.get_f64(r, c).filter(|v| v.is_finite())?)))
                .collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            Series {
                // Shown in the legend only: made safe once here.
                name: crate::sanitize::line(names.label(&cols[c].name)).into_owned(),
                points,
            }
        })
        .collect();
    if series.iter().all(|s| s.points.is_empty()) {
        return Err("No chart: every time or number in the result is NULL.".into());
    }
    Ok(ChartData {
        time_column: cols[time_col].name.clone(),
        series,
        left_out: numeric.len().saturating_sub(MAX_SERIES),
    })
}

const COLORS: [Color; MAX_SERIES] = [
    Color::Cyan,
    Color::Yellow,
    Color::Green,
    Color::Magenta,
    Color::Blue,
    Color::Red,
    Color::LightCyan,
    Color::LightYellow,
];

fn series_style(i: usize, theme: &Theme) -> Style {
    if theme.color {
        Style::default().fg(COLORS[i % COLORS.len()])
    } else {
        Style::default()
    }
}

pub fn render(state: &ChartState, area: Rect, buf: &mut Buffer, theme: &Theme, focused: bool) {
    let block = theme.pane_block(focused);
    let data = match state.data() {
        Ok(d) => d,
        Err(why) => {
            let block = block.title(Span::styled(" chart ", theme.title));
            let inner = block.inner(area);
            block.render(area, buf);
            Paragraph::new(why)
                .style(theme.dim)
                .wrap(Wrap { trim: true })
                .render(inner, buf);
            return;
        }
    };
    let shown = state.shown_series();
    let all = || shown.iter().flat_map(|(_, s)| s.points.iter());
    let (x_min, x_max) = bounds(all().map(|p| p.0));
    let (mut y_min, y_max) = bounds(all().map(|p| p.1));
    if state.kind == ChartKind::Bar {
        y_min = y_min.min(0.0);
    }
    let (graph, marker) = match state.kind {
        ChartKind::Line => (GraphType::Line, Marker::Braille),
        ChartKind::Bar => (GraphType::Bar, Marker::HalfBlock),
    };
    let mut datasets: Vec<Dataset> = shown
        .iter()
        .map(|(i, s)| {
            Dataset::default()
                .name(s.name.as_str())
                .marker(marker)
                .graph_type(graph)
                .style(series_style(*i, theme))
                .data(&s.points)
        })
        .collect();
    // The bucket under the cursor: a vertical line across the plot.
    let range = state.bucket_range();
    let cursor_line: Vec<(f64, f64)> = range
        .map(|(from, _)| vec![(from as f64, y_min), (from as f64, y_max)])
        .unwrap_or_default();
    if !cursor_line.is_empty() {
        datasets.push(
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(theme.key)
                .data(&cursor_line),
        );
    }
    let mut title = match range {
        Some((from, to)) => format!(
            " chart · over {} · {} .. {} · Enter narrows the time to it ",
            crate::sanitize::line(&data.time_column),
            time_label(from as f64, 0.0),
            time_label(to as f64, 0.0),
        ),
        None => format!(
            " chart · over {} · b line/bar · n one series/all · ←/→ a bucket ",
            crate::sanitize::line(&data.time_column)
        ),
    };
    if data.left_out > 0 {
        title.push_str(&format!("· {} more columns not drawn ", data.left_out));
    }
    let x_labels = [x_min, (x_min + x_max) / 2.0, x_max]
        .map(|x| Span::styled(time_label(x, x_max - x_min), theme.dim));
    let y_labels = [y_min, (y_min + y_max) / 2.0, y_max]
        .map(|y| Span::styled(crate::client::format_number(round(y)), theme.dim));
    Chart::new(datasets)
        .block(block.title(Span::styled(title, theme.title)))
        .x_axis(
            Axis::default()
                .bounds([x_min, x_max])
                .labels(x_labels)
                .style(theme.dim),
        )
        .y_axis(
            Axis::default()
                .bounds([y_min, y_max])
                .labels(y_labels)
                .style(theme.dim),
        )
        // The legend names the series: keep it unless
        // it would cover more than half the chart.
        .hidden_legend_constraints((Constraint::Ratio(1, 2), Constraint::Ratio(1, 2)))
        .render(area, buf);
}

/// Min and max, widened when equal so the axis is never empty.
fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if lo == hi {
        return (lo - 1.0, hi + 1.0);
    }
    (lo, hi)
}

fn round(v: f64) -> f64 {
    if v.abs() >= 100.0 {
        v.round()
    } else {
        (v * 100.0).round() / 100.0
    }
}

/// Dates for spans over two days, times of day otherwise (UTC).
fn time_label(unix: f64, span: f64) -> String {
    let Some(t) = DateTime::<Utc>::from_timestamp(unix as i64, 0) else {
        return String::new();
    };
    if span > 2.0 * 86_400.0 {
        t.format("%Y-%m-%d").to_string()
    } else {
        t.format("%H:%M:%S").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::{Cell, Column};
    use crossterm::event::KeyCode;

    fn col(name: &str, t: &str) -> Column {
        Column {
            name: name.into(),
            type_name: t.into(),
        }
    }

    #[test]
    fn extracts_numeric_series_over_time_sorted_without_nulls() {
        let r = QueryResult::from_parts(
            vec![
                col("t", "DateTime"),
                col("event", "String"),
                col("n", "UInt64"),
                col("avg", "Nullable(Float64)"),
            ],
            vec![
                vec![
                    Cell::Text("2026-11-27 02:00:10".into()),
                    Cell::Text("a".into()),
                    Cell::Text("5".into()),
                    Cell::Null,
                ],
                vec![
                    Cell::Text("2026-11-27 02:00:00".into()),
                    Cell::Text("b".into()),
                    Cell::Text("3".into()),
                    Cell::Number(1.5),
                ],
            ],
        );
        let s = ChartState::from_result(&r);
        let d = s.data().expect("chartable");
        assert_eq!(d.time_column, "t");
        assert_eq!(d.series.len(), 2);
        let t0 = 1_795_744_800.0;
        assert_eq!(d.series[0].points, vec![(t0, 3.0), (t0 + 10.0, 5.0)]);
        assert_eq!(d.series[1].points, vec![(t0, 1.5)]);
    }

    #[test]
    fn says_why_a_result_cannot_be_charted() {
        let no_time =
            QueryResult::from_parts(vec![col("n", "UInt64")], vec![vec![Cell::Number(1.0)]]);
        assert!(ChartState::from_result(&no_time)
            .data()
            .is_err_and(|e| e.contains("no DateTime")));
        let no_num = QueryResult::from_parts(
            vec![col("d", "Date"), col("s", "String")],
            vec![vec![
                Cell::Text("2026-11-27".into()),
                Cell::Text("x".into()),
            ]],
        );
        assert!(ChartState::from_result(&no_num)
            .data()
            .is_err_and(|e| e.contains("no numeric")));
    }

    #[test]
    fn keys_switch_kind_and_pick_series() {
        let r = QueryResult::from_parts(
            vec![col("d", "Date"), col("n", "Float64")],
            vec![vec![Cell::Text("2026-11-27".into()), Cell::Number(2.0)]],
        );
        let mut s = ChartState::from_result(&r);
        assert_eq!(
            s.handle_key(KeyEvent::from(KeyCode::Char('b'))),
            ChartOutcome::Handled
        );
        assert_eq!(s.kind, ChartKind::Bar);
        // One series: `n` has nothing to cycle through.
        s.handle_key(KeyEvent::from(KeyCode::Char('n')));
        assert_eq!(s.only, None);
        assert_eq!(s.shown_series().len(), 1);
        assert_eq!(
            s.handle_key(KeyEvent::from(KeyCode::Char('1'))),
            ChartOutcome::Ignored,
            "digits are the explorer's focus keys"
        );
    }
}
