//! The typed answer of `query`: AE's FORMAT JSON (`docs/sql.md`, "The answer format").
//! Cells are kept in meta order, row-major, with typed accessors that read a
//! value by its meta type — a UInt64 arrives as a quoted string, a Float64 may
//! too, and both read as numbers here.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One result column: its name and ClickHouse type (`String`, `UInt64`,
/// `Float64`, `DateTime`, `Nullable(String)`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub type_name: String,
}

impl Column {
    /// The type without a `Nullable(…)`/`LowCardinality(…)` wrapper.
    pub fn base_type(&self) -> &str {
        let mut t = self.type_name.as_str();
        for wrapper in ["Nullable(", "LowCardinality("] {
            if let Some(inner) = t.strip_prefix(wrapper).and_then(|r| r.strip_suffix(')')) {
                t = inner;
            }
        }
        t
    }
    pub fn is_numeric(&self) -> bool {
        let t = self.base_type();
        t.starts_with("UInt")
            || t.starts_with("Int")
            || t.starts_with("Float")
            || t.starts_with("Decimal")
    }
    pub fn is_time(&self) -> bool {
        self.base_type().starts_with("DateTime") || self.base_type().starts_with("Date")
    }
}

/// One value as it came in the JSON.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Bool(bool),
    Number(f64),
    Text(Box<str>),
    /// Arrays, objects and anything else, kept as raw JSON.
    Other(Box<Value>),
}

impl Cell {
    pub fn from_json(v: Value) -> Self {
        match v {
            Value::Null => Cell::Null,
            Value::Bool(b) => Cell::Bool(b),
            Value::Number(n) => match n.as_f64() {
                Some(f) => Cell::Number(f),
                None => Cell::Other(Box::new(Value::Number(n))),
            },
            Value::String(s) => Cell::Text(s.into_boxed_str()),
            other => Cell::Other(Box::new(other)),
        }
    }

    pub fn to_json(&self) -> Value {
        match self {
            Cell::Null => Value::Null,
            Cell::Bool(b) => Value::Bool(*b),
            Cell::Number(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Cell::Text(s) => Value::String(s.to_string()),
            Cell::Other(v) => (**v).clone(),
        }
    }
}

/// `statistics` as ClickHouse adds it; optional, never required.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Statistics {
    #[serde(default)]
    pub elapsed: f64,
    #[serde(default)]
    pub rows_read: u64,
    #[serde(default)]
    pub bytes_read: u64,
}

/// A decoded query answer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryResult {
    pub(crate) columns: Vec<Column>,
    /// Row-major: row r, column c is `cells[r * columns.len() + c]`.
    pub(crate) cells: Vec<Cell>,
    pub(crate) row_count: usize,
    pub rows_before_limit_at_least: Option<u64>,
    pub statistics: Option<Statistics>,
}

impl QueryResult {
    /// Build from parts (row-major cells); used by decoders and tests.
    pub fn from_parts(columns: Vec<Column>, rows: Vec<Vec<Cell>>) -> Self {
        let row_count = rows.len();
        let width = columns.len();
        let mut cells = Vec::with_capacity(row_count * width);
        for mut row in rows {
            row.resize(width, Cell::Null);
            cells.extend(row);
        }
        Self {
            columns,
            cells,
            row_count,
            rows_before_limit_at_least: None,
            statistics: None,
        }
    }

    /// Build from a flat row-major cell vector of `row_count × columns.len()`.
    pub(crate) fn from_cells(columns: Vec<Column>, cells: Vec<Cell>, row_count: usize) -> Self {
        debug_assert_eq!(cells.len(), row_count * columns.len());
        Self {
            columns,
            cells,
            row_count,
            rows_before_limit_at_least: None,
            statistics: None,
        }
    }

    pub fn columns(&self) -> &[Column] {
        &self.columns
    }
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
    /// Number of rows in `data`.
    pub fn len(&self) -> usize {
        self.row_count
    }
    pub fn is_empty(&self) -> bool {
        self.row_count == 0
    }
    pub fn cell(&self, row: usize, col: usize) -> Option<&Cell> {
        if row >= self.row_count || col >= self.columns.len() {
            return None;
        }
        self.cells.get(row * self.columns.len() + col)
    }
    /// One row's cells in meta order.
    pub fn row(&self, row: usize) -> Option<&[Cell]> {
        let w = self.columns.len();
        (row < self.row_count).then(|| &self.cells[row * w..(row + 1) * w])
    }
    pub fn get_str(&self, row: usize, col: usize) -> Option<&str> {
        match self.cell(row, col)? {
            Cell::Text(s) => Some(s),
            _ => None,
        }
    }
    /// A number, whether AE sent it as a JSON number or a quoted string.
    pub fn get_f64(&self, row: usize, col: usize) -> Option<f64> {
        match self.cell(row, col)? {
            Cell::Number(f) => Some(*f),
            Cell::Text(s) => s.trim().parse().ok(),
            Cell::Bool(b) => Some(f64::from(u8::from(*b))),
            Cell::Other(v) => v.as_f64(),
            _ => None,
        }
    }
    /// An unsigned integer; UInt64 arrives quoted and is read exactly.
    pub fn get_u64(&self, row: usize, col: usize) -> Option<u64> {
        match self.cell(row, col)? {
            Cell::Number(f) if *f >= 0.0 && f.fract() == 0.0 && *f <= u64::MAX as f64 => {
                Some(*f as u64)
            }
            Cell::Text(s) => s.trim().parse().ok(),
            Cell::Other(v) => v.as_u64(),
            _ => None,
        }
    }
    pub fn get_i64(&self, row: usize, col: usize) -> Option<i64> {
        match self.cell(row, col)? {
            Cell::Number(f) if f.fract() == 0.0 && f.abs() <= i64::MAX as f64 => Some(*f as i64),
            Cell::Text(s) => s.trim().parse().ok(),
            Cell::Other(v) => v.as_i64(),
            _ => None,
        }
    }
    /// A DateTime (`YYYY-MM-DD hh:mm:ss`, UTC) or Date (`YYYY-MM-DD`).
    pub fn get_datetime(&self, row: usize, col: usize) -> Option<DateTime<Utc>> {
        let s = self.get_str(row, col)?;
        parse_ae_datetime(s)
    }
    /// The value as a user should read it: NULL distinct, numbers as sent.
    pub fn display(&self, row: usize, col: usize) -> Cow<'_, str> {
        match self.cell(row, col) {
            None | Some(Cell::Null) => Cow::Borrowed("NULL"),
            Some(Cell::Bool(b)) => Cow::Owned(b.to_string()),
            Some(Cell::Number(f)) => Cow::Owned(format_number(*f)),
            Some(Cell::Text(s)) => Cow::Borrowed(s),
            Some(Cell::Other(v)) => Cow::Owned(v.to_string()),
        }
    }
    /// Like `display`, with fractions cut to a readable width (about six
    /// significant digits): what a grid cell shows. Exports, copies and the
    /// detail pane keep the exact value.
    pub fn display_short(&self, row: usize, col: usize) -> Cow<'_, str> {
        match self.cell(row, col) {
            Some(Cell::Number(f)) => Cow::Owned(format_number_short(*f)),
            _ => self.display(row, col),
        }
    }

    /// Row as a JSON object keyed by column name (for export and detail).
    pub fn row_json(&self, row: usize) -> Option<serde_json::Map<String, Value>> {
        let cells = self.row(row)?;
        Some(
            self.columns
                .iter()
                .zip(cells)
                .map(|(c, v)| (c.name.clone(), v.to_json()))
                .collect(),
        )
    }
}

/// Integers without a trailing `.0`; other floats as Rust prints them.
pub fn format_number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// Significant digits a shortened fraction keeps.
const SHORT_DIGITS: i32 = 6;

/// A number for a narrow column: integers whole, other values rounded to
/// about six significant digits (never fewer than the integer part) with
/// trailing zeros dropped: `93.49842105263158` → `93.4984`. Tiny values
/// go to scientific notation rather than to `0`.
pub fn format_number_short(f: f64) -> String {
    if !f.is_finite() || (f.fract() == 0.0 && f.abs() < 1e15) {
        return format_number(f);
    }
    if f.abs() < 1e-4 {
        return format!("{f:.3e}");
    }
    let magnitude = f.abs().log10().floor() as i32;
    let decimals = (SHORT_DIGITS - 1 - magnitude).clamp(0, 17) as usize;
    let text = format!("{f:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// Parse AE's DateTime (`2026-11-27 02:15:35`) or Date (`2026-11-27`) as UTC.
pub fn parse_ae_datetime(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S") {
        return Some(t.and_utc());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_numbers_keep_six_significant_digits() {
        assert_eq!(format_number_short(93.49842105263158), "93.4984");
        assert_eq!(format_number_short(-0.123456789), "-0.123457");
        assert_eq!(format_number_short(12345.678), "12345.7");
        assert_eq!(format_number_short(1234567.891), "1234568");
        assert_eq!(format_number_short(2.5), "2.5");
        assert_eq!(format_number_short(42.0), "42");
        assert_eq!(format_number_short(0.00001234), "1.234e-5");
        assert_eq!(format_number(93.49842105263158), "93.49842105263158");
    }
}
