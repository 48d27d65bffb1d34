//! Decoding of AE's FORMAT JSON answer straight into [`QueryResult`]'s flat
//! cell vector.
//!
//! Going through `serde_json::Value` would build a map with an owned key per
//! cell and then copy every value again: several times the JSON's size and
//! most of the time. Here a serde visitor walks each row object once, finds
//! each key's column by meta order (keys nearly always come in that order, so
//! the guess is checked first and a map is the fallback), and writes a compact
//! [`Cell`] in place. When `data` precedes `meta` in the object, `data` is kept
//! as borrowed raw JSON and decoded once `meta` is known.

use std::cell::Cell as StdCell;
use std::collections::HashMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::query_result::{Cell, Column, QueryResult, Statistics};
use super::Error;

/// Where decoding is, so a failure can name `data[row].column`.
#[derive(Debug, Clone, Copy, Default)]
struct Position {
    in_data: bool,
    row: usize,
    col: Option<usize>,
}

impl QueryResult {
    /// Decode AE's FORMAT JSON answer (what `query` does with the body).
    pub fn from_json(body: &[u8]) -> Result<Self, Error> {
        decode_query(body)
    }
}

/// Cells a query answer may expand to whatever its size: enough for any
/// answer that carries its values (see [`cell_budget`]).
const MIN_CELL_BUDGET: usize = 1_000_000;

/// Most cells (rows × columns) an answer of `body_len` bytes may decode to.
/// A value in the JSON takes at least two bytes (`1,`), but a row that omits
/// columns costs nothing and is filled with NULLs: without a budget, a few
/// hundred KB of empty rows under 10,000 columns would take gigabytes.
fn cell_budget(body_len: usize) -> usize {
    (body_len / 2).saturating_add(MIN_CELL_BUDGET)
}
/// Called with each decoded row (cells in meta order) by
/// [`decode_query_rows`]; an error stops decoding with that message.
pub type RowSink<'s> = &'s mut SinkFn<'s>;

/// What a [`RowSink`] points to.
pub type SinkFn<'s> = dyn FnMut(&[Column], &[Cell]) -> Result<(), String> + 's;

/// Decode a query answer.
pub fn decode_query(body: &[u8]) -> Result<QueryResult, Error> {
    decode(body, None)
}

/// Decode a query answer handing each row to `sink` instead of keeping it:
/// a large answer is never held a second time as cells. The result has the
/// columns and statistics but no rows; the number of rows comes with it.
pub fn decode_query_rows(body: &[u8], sink: RowSink<'_>) -> Result<(QueryResult, usize), Error> {
    let mut rows = 0;
    let mut counting = |columns: &[Column], cells: &[Cell]| {
        rows += 1;
        sink(columns, cells)
    };
    let result = decode(body, Some(&mut counting))?;
    Ok((result, rows))
}

fn decode(body: &[u8], sink: Option<RowSink<'_>>) -> Result<QueryResult, Error> {
    let pos = StdCell::new(Position::default());
    let mut columns_seen: Vec<Column> = Vec::new();
    let result = {
        let mut de = serde_json::Deserializer::from_slice(body);
        let r = de
            .deserialize_map(TopVisitor {
                pos: &pos,
                columns_out: &mut columns_seen,
                max_cells: cell_budget(body.len()),
                sink,
            })
            .and_then(|r| de.end().map(|()| r));
        r
    };
    result.map_err(|e| {
        let p = pos.get();
        let path = if p.in_data {
            match p.col.and_then(|c| columns_seen.get(c)) {
                Some(col) => format!("data[{}].{}", p.row, col.name),
                None => format!("data[{}]", p.row),
            }
        } else {
            format!("line {} column {}", e.line(), e.column())
        };
        Error::Decode {
            body: String::from_utf8_lossy(&body[..body.len().min(2000)]).into_owned(),
            path,
            message: e.to_string(),
        }
    })
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum TopKey {
    Meta,
    Data,
    Rows,
    RowsBeforeLimitAtLeast,
    Statistics,
    #[serde(other)]
    Other,
}

struct TopVisitor<'a, 's> {
    pos: &'a StdCell<Position>,
    /// The columns, kept outside for error paths.
    columns_out: &'a mut Vec<Column>,
    max_cells: usize,
    /// Where rows go instead of the result, when set.
    sink: Option<RowSink<'s>>,
}

impl<'de> Visitor<'de> for TopVisitor<'_, '_> {
    type Value = QueryResult;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a query answer object with meta and data")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<QueryResult, A::Error> {
        let mut meta: Option<Vec<Column>> = None;
        let mut cells: Option<(Vec<Cell>, usize)> = None;
        let mut deferred: Option<&'de RawValue> = None;
        let mut rows_before = None;
        let mut statistics = None;
        while let Some(key) = map.next_key::<TopKey>()? {
            match key {
                TopKey::Meta => {
                    let m: Vec<Column> = map.next_value()?;
                    self.columns_out.clone_from(&m);
                    meta = Some(m);
                }
                TopKey::Data => match &meta {
                    Some(columns) => {
                        cells = Some(map.next_value_seed(RowsSeed {
                            columns: &ColumnIndex::new(columns),
                            pos: self.pos,
                            max_cells: self.max_cells,
                            sink: self.sink.as_deref_mut(),
                        })?);
                    }
                    None => deferred = Some(map.next_value()?),
                },
                TopKey::RowsBeforeLimitAtLeast => {
                    rows_before = match map.next_value::<Value>()? {
                        Value::Number(n) => n.as_u64(),
                        Value::String(s) => s.trim().parse().ok(),
                        _ => None,
                    }
                }
                TopKey::Statistics => statistics = map.next_value::<Option<Statistics>>()?,
                TopKey::Rows | TopKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let columns = meta.ok_or_else(|| de::Error::missing_field("meta"))?;
        let (cells, row_count) = match (cells, deferred) {
            (Some(c), _) => c,
            (None, Some(raw)) => {
                let mut de = serde_json::Deserializer::from_str(raw.get());
                RowsSeed {
                    columns: &ColumnIndex::new(&columns),
                    pos: self.pos,
                    max_cells: self.max_cells,
                    sink: self.sink.as_deref_mut(),
                }
                .deserialize(&mut de)
                .map_err(de::Error::custom)?
            }
            (None, None) => (Vec::new(), 0),
        };
        // Rows handed to a sink are not in the result.
        let row_count = if self.sink.is_some() { 0 } else { row_count };
        let mut result = QueryResult::from_cells(columns, cells, row_count);
        result.rows_before_limit_at_least = rows_before;
        result.statistics = statistics;
        Ok(result)
    }
}

/// Column lookup by key: the expected position first, then a map.
struct ColumnIndex<'a> {
    columns: &'a [Column],
    by_name: HashMap<&'a str, usize>,
}

impl<'a> ColumnIndex<'a> {
    fn new(columns: &'a [Column]) -> Self {
        Self {
            columns,
            by_name: columns
                .iter()
                .enumerate()
                .map(|(i, c)| (c.name.as_str(), i))
                .collect(),
        }
    }

    fn find(&self, key: &str, guess: usize) -> Option<usize> {
        match self.columns.get(guess) {
            Some(c) if c.name == key => Some(guess),
            _ => self.by_name.get(key).copied(),
        }
    }
}

struct RowsSeed<'a, 'c, 's> {
    columns: &'a ColumnIndex<'c>,
    pos: &'a StdCell<Position>,
    max_cells: usize,
    sink: Option<&'a mut SinkFn<'s>>,
}

impl<'de> DeserializeSeed<'de> for RowsSeed<'_, '_, '_> {
    type Value = (Vec<Cell>, usize);
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RowsSeed<'_, '_, '_> {
    type Value = (Vec<Cell>, usize);

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of rows")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok((Vec::new(), 0))
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Self::Value, A::Error> {
        let width = self.columns.columns.len();
        let hint = if self.sink.is_some() {
            1
        } else {
            seq.size_hint().unwrap_or(0)
        };
        let mut cells = Vec::with_capacity(hint * width);
        let mut rows = 0;
        self.pos.set(Position {
            in_data: true,
            row: 0,
            col: None,
        });
        while seq
            .next_element_seed(RowSeed {
                columns: self.columns,
                cells: &mut cells,
                pos: self.pos,
                row: rows,
                max_cells: self.max_cells,
            })?
            .is_some()
        {
            rows += 1;
            if let Some(sink) = self.sink.as_mut() {
                sink(self.columns.columns, &cells).map_err(de::Error::custom)?;
                cells.clear();
            }
        }
        self.pos.set(Position::default());
        Ok((cells, rows))
    }
}

/// One row, appended to the flat cell vector in meta order.
struct RowSeed<'a, 'c> {
    columns: &'a ColumnIndex<'c>,
    cells: &'a mut Vec<Cell>,
    pos: &'a StdCell<Position>,
    row: usize,
    max_cells: usize,
}

impl RowSeed<'_, '_> {
    /// Room for one more row, within the cell budget.
    fn grow<E: de::Error>(&mut self) -> Result<usize, E> {
        let width = self.columns.columns.len();
        let start = self.cells.len();
        if start + width > self.max_cells {
            return Err(E::custom(format_args!(
                "the answer expands to more than {} cells ({} columns, {} rows so far): \
                 far more than its size can hold; refusing it",
                self.max_cells, width, self.row
            )));
        }
        Ok(start)
    }
}

impl<'de> DeserializeSeed<'de> for RowSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RowSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a row object (or array) of values")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let width = self.columns.columns.len();
        let start = self.grow()?;
        self.cells.resize(start + width, Cell::Null);
        let mut guess = 0;
        while let Some(col) = map.next_key_seed(KeySeed {
            columns: self.columns,
            guess,
        })? {
            match col {
                Some(c) => {
                    self.pos.set(Position {
                        in_data: true,
                        row: self.row,
                        col: Some(c),
                    });
                    self.cells[start + c] = map.next_value_seed(CellSeed)?;
                    guess = c + 1;
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }

    /// JSONCompact-style rows: values in meta order.
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        let width = self.columns.columns.len();
        let start = self.grow()?;
        let mut c = 0;
        while let Some(cell) = seq.next_element_seed(CellSeed)? {
            if c < width {
                self.cells.push(cell);
            }
            c += 1;
        }
        self.cells.resize(start + width, Cell::Null);
        Ok(())
    }
}

/// A row key, resolved to its column (None: not in meta, skipped).
struct KeySeed<'a, 'c> {
    columns: &'a ColumnIndex<'c>,
    guess: usize,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_, '_> {
    type Value = Option<usize>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_, '_> {
    type Value = Option<usize>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a column name")
    }
    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.columns.find(key, self.guess))
    }
}

/// One value, as compact as the JSON allows.
struct CellSeed;

impl<'de> DeserializeSeed<'de> for CellSeed {
    type Value = Cell;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cell, D::Error> {
        d.deserialize_any(CellVisitor)
    }
}

struct CellVisitor;

/// Largest integer an f64 holds exactly; bigger ones keep their JSON.
const EXACT_F64_INT: u64 = 1 << 53;

impl<'de> Visitor<'de> for CellVisitor {
    type Value = Cell;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Cell, E> {
        Ok(Cell::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Cell, E> {
        Ok(Cell::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Cell, D::Error> {
        d.deserialize_any(CellVisitor)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Cell, E> {
        Ok(Cell::Bool(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Cell, E> {
        if v <= EXACT_F64_INT {
            Ok(Cell::Number(v as f64))
        } else {
            Ok(Cell::Other(Box::new(Value::from(v))))
        }
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Cell, E> {
        if v.unsigned_abs() <= EXACT_F64_INT {
            Ok(Cell::Number(v as f64))
        } else {
            Ok(Cell::Other(Box::new(Value::from(v))))
        }
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Cell, E> {
        Ok(Cell::Number(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Cell, E> {
        Ok(Cell::Text(Box::from(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Cell, A::Error> {
        let v = Value::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        Ok(Cell::Other(Box::new(v)))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Cell, A::Error> {
        let v = Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(Cell::Other(Box::new(v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_in_meta_order_whatever_the_key_order() {
        let body = br#"{"meta":[{"name":"a","type":"String"},{"name":"n","type":"UInt64"},{"name":"f","type":"Float64"}],
            "data":[{"a":"x","n":"18446744073709551615","f":1.5},{"f":null,"a":"y\u00e9","extra":[1],"n":"2"},{}],
            "rows":3,"rows_before_limit_at_least":"10","statistics":{"elapsed":0.5,"rows_read":3,"bytes_read":9}}"#;
        let r = decode_query(body).unwrap();
        assert_eq!(r.len(), 3);
        assert_eq!(r.get_str(0, 0), Some("x"));
        assert_eq!(r.get_u64(0, 1), Some(u64::MAX));
        assert_eq!(r.get_f64(0, 2), Some(1.5));
        assert_eq!(r.get_str(1, 0), Some("yé"));
        assert_eq!(r.get_u64(1, 1), Some(2));
        assert_eq!(r.cell(1, 2), Some(&Cell::Null));
        assert_eq!(r.cell(2, 0), Some(&Cell::Null));
        assert_eq!(r.rows_before_limit_at_least, Some(10));
        assert_eq!(r.statistics.as_ref().map(|s| s.rows_read), Some(3));
    }

    #[test]
    fn rows_that_omit_most_columns_cannot_expand_without_bound() {
        let meta: Vec<String> = (0..10_000)
            .map(|i| format!("{{\"name\":\"c{i}\",\"type\":\"String\"}}"))
            .collect();
        let rows = vec!["{}"; 200].join(",");
        let body = format!("{{\"meta\":[{}],\"data\":[{rows}]}}", meta.join(","));
        // 200 rows × 10,000 columns = 2 million cells from ~400 KB.
        match decode_query(body.as_bytes()) {
            Err(Error::Decode { message, path, .. }) => {
                assert!(message.contains("cells"), "{message}");
                assert!(path.starts_with("data["), "{path}");
            }
            other => panic!("{other:?}"),
        }
        // Arrays are held to the same budget.
        let rows = vec!["[]"; 200].join(",");
        let body = format!("{{\"meta\":[{}],\"data\":[{rows}]}}", meta.join(","));
        assert!(decode_query(body.as_bytes()).is_err());
        // A few such rows are fine.
        let body = format!("{{\"meta\":[{}],\"data\":[{{}},{{}}]}}", meta.join(","));
        assert_eq!(decode_query(body.as_bytes()).unwrap().len(), 2);
    }

    #[test]
    fn rows_go_to_a_sink_one_at_a_time_in_either_key_order() {
        for body in [
            &br#"{"meta":[{"name":"a","type":"String"},{"name":"n","type":"UInt64"}],
                "data":[{"n":"1","a":"x"},{"a":"y"}],"rows":2,"rows_before_limit_at_least":5}"#[..],
            &br#"{"data":[{"n":"1","a":"x"},{"a":"y"}],"meta":[{"name":"a","type":"String"},{"name":"n","type":"UInt64"}],"rows_before_limit_at_least":5}"#[..],
        ] {
            let mut seen: Vec<Vec<Cell>> = Vec::new();
            let mut sink = |columns: &[Column], cells: &[Cell]| {
                assert_eq!(columns.len(), 2);
                seen.push(cells.to_vec());
                Ok(())
            };
            let (r, rows) = decode_query_rows(body, &mut sink).unwrap();
            assert_eq!(rows, 2);
            assert_eq!(r.len(), 0);
            assert_eq!(r.columns().len(), 2);
            assert_eq!(r.rows_before_limit_at_least, Some(5));
            assert_eq!(seen.len(), 2);
            assert_eq!(seen[0][0], Cell::Text("x".into()));
            assert_eq!(seen[1][1], Cell::Null);
        }
        // A sink's error stops decoding and is reported.
        let mut failing = |_: &[Column], _: &[Cell]| Err("disk full".to_string());
        let body = br#"{"meta":[{"name":"a","type":"String"}],"data":[{"a":"x"}]}"#;
        let err = decode_query_rows(body, &mut failing).unwrap_err();
        assert!(err.to_string().contains("disk full"), "{err}");
    }

    #[test]
    fn data_before_meta_and_big_integers() {
        let body = br#"{"data":[{"b":9007199254740993,"a":{"k":[1,2]}}],"meta":[{"name":"a","type":"String"},{"name":"b","type":"Int64"}]}"#;
        let r = decode_query(body).unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r.get_u64(0, 1), Some(9_007_199_254_740_993));
        assert_eq!(r.display(0, 0), r#"{"k":[1,2]}"#);
    }

    #[test]
    fn errors_name_the_cell_or_the_place() {
        let body = br#"{"meta":[{"name":"a","type":"String"}],"data":[{"a":"ok"},{"a":tru}]}"#;
        match decode_query(body).unwrap_err() {
            Error::Decode { path, .. } => assert_eq!(path, "data[1].a"),
            e => panic!("{e:?}"),
        }
        match decode_query(b"{\"data\":[]}").unwrap_err() {
            Error::Decode { message, .. } => assert!(message.contains("meta"), "{message}"),
            e => panic!("{e:?}"),
        }
        assert!(decode_query(b"<html>500</html>").is_err());
        assert!(decode_query(br#"{"meta":[],"data":[]} trailing"#).is_err());
    }
}
