//! The result grid's state: the fetched rows (shared, never copied), the
//! order they are shown in after the in-memory sort and filter, the cursor,
//! scroll offsets and column widths. Drawing reads only the visible window.

pub mod export;
mod keys;

pub use keys::GridOutcome;

use std::cmp::Ordering;
use std::sync::Arc;
use std::time::Duration;

use unicode_width::UnicodeWidthStr;

use crate::client::{Cell, QueryResult};

/// Widths are fitted to the first rows, then capped so one long blob does
/// not push every other column off screen; `+`/`-` change them.
const FIT_SAMPLE_ROWS: usize = 200;
const MAX_FITTED_WIDTH: u16 = 40;
const MIN_WIDTH: u16 = 3;
const MAX_WIDTH: u16 = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortDir {
    Asc,
    Desc,
}

/// Facts about the run that produced the rows, for the honest count line.
#[derive(Debug, Clone, PartialEq)]
pub struct RunInfo {
    pub elapsed: Duration,
    pub sql: String,
    /// The query stopped at its LIMIT: more rows exist than were fetched.
    pub limit_reached: bool,
}

#[derive(Debug, Clone, Default)]
pub struct GridState {
    pub result: Option<Arc<QueryResult>>,
    pub run: Option<RunInfo>,
    /// Indices into the result's rows, in display order (sort + filter).
    pub view: Vec<usize>,
    pub sort: Option<(usize, SortDir)>,
    pub filter: String,
    pub filtering: bool,
    pub row: usize,
    pub offset: usize,
    pub col: usize,
    pub col_offset: usize,
    pub widths: Vec<u16>,
    /// Data rows that fit in the pane (from the layout, set in `update`).
    pub height: usize,
    /// Columns of text the pane has for cells.
    pub width: u16,
    /// Each row's cells as the filter sees them (lowercased, joined by a
    /// NUL so a match cannot span two cells); built the first time a filter
    /// needs it, so a keystroke is one substring search per row.
    search_text: Vec<Box<str>>,
    /// The lowercased filter `view` was built for: a filter that extends it
    /// only narrows `view` instead of scanning every row again.
    view_needle: String,
    /// The largest `_sample_interval` of the result, when above 1: its rows
    /// are a sample, each standing for that many events or fewer.
    pub sampled: Option<u64>,
}

impl GridState {
    pub fn set_result(&mut self, result: Arc<QueryResult>, run: RunInfo) {
        self.widths = fit_widths(&result);
        self.view = (0..result.len()).collect();
        self.sampled = sample_interval_max(&result);
        self.result = Some(result);
        self.search_text = Vec::new();
        self.view_needle.clear();
        self.run = Some(run);
        self.sort = None;
        self.filter.clear();
        self.filtering = false;
        self.row = 0;
        self.offset = 0;
        self.col = 0;
        self.col_offset = 0;
    }

    /// A new result; when it has the same columns as the one before (a
    /// drill-down, a re-run) the cursor stays in its column, so drilling
    /// again on the same field is one key.
    pub fn set_result_keeping_column(&mut self, result: Arc<QueryResult>, run: RunInfo) {
        let same_columns = self
            .result
            .as_ref()
            .is_some_and(|old| old.columns() == result.columns());
        let (col, col_offset) = (self.col, self.col_offset);
        self.set_result(result, run);
        if same_columns {
            self.col = col;
            self.col_offset = col_offset;
            self.scroll_cols_to_cursor();
        }
    }

    /// New rows for the same query (a watch refresh): sort, filter,
    /// cursor, scroll and widths stay as the user left them; the cursor
    /// keeps its place on screen (clamped to the rows there are now).
    pub fn refresh_result(&mut self, result: Arc<QueryResult>, run: RunInfo) {
        let same_columns = self
            .result
            .as_ref()
            .is_some_and(|old| old.columns() == result.columns());
        if !same_columns {
            self.set_result(result, run);
            return;
        }
        let (row, offset) = (self.row, self.offset);
        self.sampled = sample_interval_max(&result);
        self.result = Some(result);
        self.search_text = Vec::new();
        self.view_needle.clear();
        self.run = Some(run);
        self.rebuild_view();
        self.row = row.min(self.view.len().saturating_sub(1));
        self.offset = offset.min(self.row);
        self.scroll_to_cursor();
    }

    /// Widen columns whose header shows a name longer than what they were
    /// fitted to (names come from the logstore's `[fields]`).
    pub fn fit_labels(&mut self, labels: &crate::tui::fields::FieldNames) {
        let Some(result) = &self.result else {
            return;
        };
        for (c, col) in result.columns().iter().enumerate() {
            if let (Some(name), Some(w)) = (labels.name_of(&col.name), self.widths.get_mut(c)) {
                let want = shown_width(name).max(shown_width(&col.name)) as u16;
                *w = (*w).max(want.clamp(MIN_WIDTH, MAX_FITTED_WIDTH));
            }
        }
    }

    pub fn column_count(&self) -> usize {
        self.result.as_ref().map_or(0, |r| r.columns().len())
    }

    /// The result row under the cursor.
    pub fn selected_row(&self) -> Option<usize> {
        self.view.get(self.row).copied()
    }

    pub fn move_rows(&mut self, delta: isize) {
        let n = self.view.len();
        if n == 0 {
            return;
        }
        self.row = (self.row as isize + delta).clamp(0, n as isize - 1) as usize;
        self.scroll_to_cursor();
    }

    pub fn move_to_row(&mut self, row: usize) {
        self.row = row.min(self.view.len().saturating_sub(1));
        self.scroll_to_cursor();
    }

    pub fn move_cols(&mut self, delta: isize) {
        let n = self.column_count();
        if n == 0 {
            return;
        }
        self.col = (self.col as isize + delta).clamp(0, n as isize - 1) as usize;
        self.scroll_cols_to_cursor();
    }

    pub fn scroll_to_cursor(&mut self) {
        let h = self.height.max(1);
        if self.row < self.offset {
            self.offset = self.row;
        } else if self.row >= self.offset + h {
            self.offset = self.row + 1 - h;
        }
    }

    /// Keep the selected column on screen: shift the first shown column
    /// right until the selected one fits.
    pub fn scroll_cols_to_cursor(&mut self) {
        if self.col < self.col_offset {
            self.col_offset = self.col;
            return;
        }
        let avail = self.width.max(1) as usize;
        loop {
            let used: usize = (self.col_offset..=self.col)
                .map(|c| *self.widths.get(c).unwrap_or(&10) as usize + 1)
                .sum();
            if used <= avail || self.col_offset >= self.col {
                break;
            }
            self.col_offset += 1;
        }
    }

    pub fn adjust_width(&mut self, delta: i16) {
        if let Some(w) = self.widths.get_mut(self.col) {
            *w = (*w as i16 + delta).clamp(MIN_WIDTH as i16, MAX_WIDTH as i16) as u16;
        }
        self.scroll_cols_to_cursor();
    }

    /// asc → desc → original order, on the selected column.
    pub fn cycle_sort(&mut self) {
        self.sort = match self.sort {
            Some((c, SortDir::Asc)) if c == self.col => Some((c, SortDir::Desc)),
            Some((c, SortDir::Desc)) if c == self.col => None,
            _ if self.column_count() > 0 => Some((self.col, SortDir::Asc)),
            _ => None,
        };
        self.rebuild_view();
        // A new order starts at its top: the cursor (and so the detail pane)
        // stays on row 1 as shown, not on whichever row was first before.
        self.row = 0;
        self.scroll_to_cursor();
    }

    /// Get ready for typing a filter: builds the per-row search text now
    /// (once per result), so no keystroke pays for it.
    pub fn start_filter(&mut self) {
        self.filtering = true;
        self.ensure_search_text();
    }

    pub fn set_filter(&mut self, filter: String) {
        let needle = filter.to_lowercase();
        self.filter = filter;
        if self.result.is_some() && needle.starts_with(&self.view_needle) {
            self.narrow_view(needle);
        } else {
            self.rebuild_view();
        }
    }

    /// Typing one more character: drop the shown rows that no longer match.
    /// The order of what stays is still the sorted order.
    fn narrow_view(&mut self, needle: String) {
        if needle == self.view_needle {
            return;
        }
        let selected = self.selected_row();
        self.ensure_search_text();
        let text = &self.search_text;
        self.view
            .retain(|&r| text.get(r).is_some_and(|t| t.contains(needle.as_str())));
        self.view_needle = needle;
        self.keep_selection(selected);
    }

    fn ensure_search_text(&mut self) {
        let Some(result) = &self.result else {
            return;
        };
        if self.search_text.len() == result.len() {
            return;
        }
        let width = result.columns().len();
        // One allocation per row in the common (ASCII) case: cells are
        // appended as they are and the row is lowercased in place.
        let mut row = String::new();
        self.search_text = (0..result.len())
            .map(|r| {
                row.clear();
                for c in 0..width {
                    if c > 0 {
                        row.push('\0');
                    }
                    row.push_str(&result.display(r, c));
                }
                if row.is_ascii() {
                    row.make_ascii_lowercase();
                    Box::from(row.as_str())
                } else {
                    row.to_lowercase().into_boxed_str()
                }
            })
            .collect();
    }

    /// Recompute the display order from scratch: filter, then a stable sort
    /// (so "original" is the server's order and ties keep it).
    pub fn rebuild_view(&mut self) {
        let Some(result) = self.result.clone() else {
            self.view.clear();
            return;
        };
        let selected = self.selected_row();
        let needle = self.filter.to_lowercase();
        if needle.is_empty() {
            self.view = (0..result.len()).collect();
        } else {
            self.ensure_search_text();
            let text = &self.search_text;
            self.view = (0..result.len())
                .filter(|&r| text.get(r).is_some_and(|t| t.contains(needle.as_str())))
                .collect();
        }
        self.view_needle = needle;
        if let Some((col, dir)) = self.sort {
            let numeric = result.columns().get(col).is_some_and(|c| c.is_numeric());
            self.view.sort_by(|&a, &b| {
                let ord = compare_cells(&result, a, b, col, numeric);
                match dir {
                    SortDir::Asc => ord,
                    SortDir::Desc => ord.reverse(),
                }
            });
        }
        self.keep_selection(selected);
    }

    /// Stay on the same result row when it is still shown.
    fn keep_selection(&mut self, selected: Option<usize>) {
        self.row = selected
            .and_then(|s| self.view.iter().position(|&r| r == s))
            .unwrap_or(0);
        self.scroll_to_cursor();
    }

    /// The count line ("500 rows · 0.21 s · limit reached", plus what the
    /// view did to them) in at most `width` columns: the time goes first, then
    /// the long forms of the limit and sort notes; that the rows are sorted
    /// or cut at a limit is never dropped (a narrow title must not make
    /// them look like the whole answer in the server's order).
    pub fn count_line_within(&self, width: usize) -> String {
        let Some(result) = &self.result else {
            return String::new();
        };
        let n = result.len();
        let count = format!("{n} row{}", if n == 1 { "" } else { "s" });
        let shown = (!self.filter.is_empty()).then(|| format!("{} shown", self.view.len()));
        // That rows stand for several events is never dropped, only shortened.
        let sampled = self.sampled.map(|k| {
            (
                format!("sampled: a row stands for up to {k} events"),
                format!("sampled ≤{k}×"),
            )
        });
        let time = self
            .run
            .as_ref()
            .map(|run| format!("{:.2} s", run.elapsed.as_secs_f64()));
        let limit = self.run.as_ref().filter(|r| r.limit_reached).map(|_| {
            match result.rows_before_limit_at_least {
                Some(total) if total > n as u64 => [
                    format!("limit reached (≥ {total} matched)"),
                    format!("limit (≥ {total})"),
                    "limit".to_string(),
                ],
                _ => [
                    "limit reached".to_string(),
                    "limit".to_string(),
                    "limit".to_string(),
                ],
            }
        });
        let sort = self.sort.map(|(col, dir)| {
            let name = result.columns().get(col).map_or("?", |c| c.name.as_str());
            let arrow = if dir == SortDir::Asc { "↑" } else { "↓" };
            (
                format!("sorted {name}{arrow} (fetched rows)"),
                format!("sorted {name}{arrow}"),
            )
        });
        // `limit_form`: 0 long, 1 short, 2 one word.
        let build = |with_time: bool, limit_form: usize, long_sort: bool| {
            let mut parts = vec![count.clone()];
            parts.extend(shown.clone());
            if let Some((long, short)) = &sampled {
                parts.push(if long_sort {
                    long.clone()
                } else {
                    short.clone()
                });
            }
            if with_time {
                parts.extend(time.clone());
            }
            if let Some(forms) = &limit {
                parts.push(forms[limit_form].clone());
            }
            if let Some((long, short)) = &sort {
                parts.push(if long_sort {
                    long.clone()
                } else {
                    short.clone()
                });
            }
            parts.join(" · ")
        };
        let forms = [
            build(true, 0, true),
            build(false, 0, true),
            build(false, 1, true),
            build(false, 1, false),
            build(false, 2, false),
        ];
        forms
            .iter()
            .find(|f| f.width() <= width)
            .unwrap_or(&forms[forms.len() - 1])
            .clone()
    }
}

/// The largest `_sample_interval` of a result that has the column, if above 1.
fn sample_interval_max(result: &QueryResult) -> Option<u64> {
    let col = result.column_index("_sample_interval")?;
    (0..result.len())
        .filter_map(|row| result.get_u64(row, col))
        .max()
        .filter(|k| *k > 1)
}

fn compare_cells(result: &QueryResult, a: usize, b: usize, col: usize, numeric: bool) -> Ordering {
    let (ca, cb) = (result.cell(a, col), result.cell(b, col));
    // NULL sorts first ascending, as ClickHouse's NULLS FIRST would not; we
    // pick one place and keep it.
    match (ca, cb) {
        (None | Some(Cell::Null), None | Some(Cell::Null)) => return Ordering::Equal,
        (None | Some(Cell::Null), _) => return Ordering::Less,
        (_, None | Some(Cell::Null)) => return Ordering::Greater,
        _ => {}
    }
    if numeric {
        if let (Some(x), Some(y)) = (result.get_f64(a, col), result.get_f64(b, col)) {
            return x.partial_cmp(&y).unwrap_or(Ordering::Equal);
        }
    }
    result.display(a, col).cmp(&result.display(b, col))
}

/// Each column as wide as its header (name or type) and the widest of the
/// first rows, capped.
pub fn fit_widths(result: &QueryResult) -> Vec<u16> {
    result
        .columns()
        .iter()
        .enumerate()
        .map(|(c, col)| {
            let header = shown_width(&col.name).max(shown_width(&col.type_name));
            let cells = (0..result.len().min(FIT_SAMPLE_ROWS))
                .map(|r| first_line_width(&result.display_short(r, c)))
                .max()
                .unwrap_or(0);
            (header.max(cells) as u16).clamp(MIN_WIDTH, MAX_FITTED_WIDTH)
        })
        .collect()
}

fn first_line_width(s: &str) -> usize {
    shown_width(s.lines().next().unwrap_or(""))
}

/// Columns `s` takes once made safe to draw (a control shows as `␛`).
fn shown_width(s: &str) -> usize {
    crate::sanitize::line(s).width()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Column;

    fn result() -> Arc<QueryResult> {
        let cols = vec![
            Column {
                name: "event".into(),
                type_name: "String".into(),
            },
            Column {
                name: "n".into(),
                type_name: "UInt64".into(),
            },
        ];
        let rows = vec![
            vec![Cell::Text("b".into()), Cell::Text("10".into())],
            vec![Cell::Text("a".into()), Cell::Text("9".into())],
            vec![Cell::Null, Cell::Text("100".into())],
        ];
        Arc::new(QueryResult::from_parts(cols, rows))
    }

    fn grid() -> GridState {
        let mut g = GridState {
            height: 10,
            width: 40,
            ..Default::default()
        };
        g.set_result(
            result(),
            RunInfo {
                elapsed: Duration::from_millis(210),
                sql: "SELECT 1".into(),
                limit_reached: true,
            },
        );
        g
    }

    #[test]
    fn numeric_sort_is_by_value_not_text_and_cycles_back() {
        let mut g = grid();
        g.col = 1;
        g.cycle_sort();
        assert_eq!(g.view, vec![1, 0, 2]);
        g.cycle_sort();
        assert_eq!(g.view, vec![2, 0, 1]);
        g.cycle_sort();
        assert_eq!(g.view, vec![0, 1, 2]);
        assert_eq!(g.sort, None);
    }

    #[test]
    fn null_sorts_first_ascending() {
        let mut g = grid();
        g.cycle_sort();
        assert_eq!(g.view, vec![2, 1, 0]);
    }

    #[test]
    fn filter_matches_any_cell_case_insensitively() {
        let mut g = grid();
        g.set_filter("10".into());
        assert_eq!(g.view, vec![0, 2]);
        g.set_filter("A".into());
        assert_eq!(g.view, vec![1]);
    }

    #[test]
    fn typing_narrows_sorted_view_and_backspace_widens_it_again() {
        let mut g = grid();
        g.col = 1;
        g.cycle_sort();
        g.set_filter("1".into());
        assert_eq!(g.view, vec![0, 2], "sorted by n: 10 then 100");
        g.set_filter("10".into());
        assert_eq!(g.view, vec![0, 2]);
        g.set_filter("100".into());
        assert_eq!(g.view, vec![2]);
        g.set_filter("1".into());
        assert_eq!(g.view, vec![0, 2]);
        g.set_filter(String::new());
        assert_eq!(g.view, vec![1, 0, 2]);
    }

    #[test]
    fn a_match_never_spans_two_cells() {
        let mut g = grid();
        g.set_filter("a9".into());
        assert!(g.view.is_empty());
        g.set_filter("a".into());
        assert_eq!(g.view, vec![1]);
    }

    #[test]
    fn count_line_is_honest() {
        let mut g = grid();
        assert_eq!(
            g.count_line_within(usize::MAX),
            "3 rows · 0.21 s · limit reached"
        );
        g.col = 1;
        g.cycle_sort();
        assert!(g
            .count_line_within(usize::MAX)
            .ends_with("sorted n↑ (fetched rows)"));
        // Narrow: the time goes, then the long words; "sorted" stays.
        assert_eq!(
            g.count_line_within(45),
            "3 rows · limit · sorted n↑ (fetched rows)"
        );
        assert_eq!(g.count_line_within(30), "3 rows · limit · sorted n↑");
    }

    #[test]
    fn cursor_scrolls_the_window() {
        let mut g = grid();
        g.height = 2;
        g.move_rows(2);
        assert_eq!((g.row, g.offset), (2, 1));
        g.move_rows(-5);
        assert_eq!((g.row, g.offset), (0, 0));
    }
}
