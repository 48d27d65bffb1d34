//! AE's FORMAT JSON answer: `meta`, `data`, `rows`,
//! `rows_before_limit_at_least`, `statistics`, with ClickHouse's value
//! rendering (UInt64/Int64 quoted, nan/inf as null, DateTime as text).

use std::fmt::Write as _;

use rusqlite::types::ValueRef;

use super::datetime;
use super::translate::OutColumn;
use super::types::ChType;
use super::udf::{float_to_string, push_float, wrap_int, TWO_POW_63};
use super::zones;

/// Builds the answer row by row while SQLite steps, in one buffer: `meta`
/// is known before the first row, so the rows are written in place and the
/// answer is never copied (a 100,000 x 25 answer is some 40 MB).
pub struct JsonWriter<'c> {
    columns: &'c [OutColumn],
    keys: Vec<String>,
    out: String,
    /// Where `data`'s rows start in `out`.
    data_start: usize,
    rows: u64,
}

impl<'c> JsonWriter<'c> {
    pub fn new(columns: &'c [OutColumn]) -> Self {
        let keys: Vec<String> = columns.iter().map(|c| json_string(&c.name)).collect();
        let meta: Vec<String> = columns
            .iter()
            .zip(&keys)
            .map(|(c, k)| {
                format!(
                    "{{\"name\":{k},\"type\":{}}}",
                    json_string(&c.ty.to_string())
                )
            })
            .collect();
        let mut out = String::with_capacity(4096);
        out.push_str("{\"meta\":[");
        out.push_str(&meta.join(","));
        out.push_str("],\"data\":[");
        let data_start = out.len();
        Self {
            columns,
            keys,
            out,
            data_start,
            rows: 0,
        }
    }

    /// Append one row; `value(i)` gives column i.
    pub fn push_row<'v>(&mut self, mut value: impl FnMut(usize) -> ValueRef<'v>) {
        if self.rows > 0 {
            self.out.push(',');
        }
        self.out.push('{');
        for (i, col) in self.columns.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.out.push_str(&self.keys[i]);
            self.out.push(':');
            render_value(&mut self.out, value(i), &col.ty);
        }
        self.out.push('}');
        self.rows += 1;
    }

    pub fn finish(
        self,
        rows_before_limit: Option<u64>,
        elapsed_secs: f64,
        rows_read: u64,
    ) -> String {
        let data_bytes = self.out.len() - self.data_start;
        let mut out = self.out;
        out.push_str("],\"rows\":");
        out.push_str(&self.rows.to_string());
        if let Some(n) = rows_before_limit {
            out.push_str(",\"rows_before_limit_at_least\":");
            out.push_str(&n.to_string());
        }
        // SQLite does not tell how many stored rows a statement read, so
        // these count what the query produced before LIMIT (rows) and the
        // bytes of `data` we send; ClickHouse counts its reads. Clients only
        // show them.
        out.push_str(&format!(
            ",\"statistics\":{{\"elapsed\":{},\"rows_read\":{rows_read},\"bytes_read\":{}}}}}",
            float_to_string(elapsed_secs),
            data_bytes
        ));
        out
    }
}

fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_json_str(&mut out, s);
    out
}

/// `s` as a JSON string literal, escaped in place (no intermediate value:
/// this runs for every string cell of an answer).
fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: Option<&str> = match b {
            b'"' => Some("\\\""),
            b'\\' => Some("\\\\"),
            b'\n' => Some("\\n"),
            b'\r' => Some("\\r"),
            b'\t' => Some("\\t"),
            0x08 => Some("\\b"),
            0x0c => Some("\\f"),
            0..=0x1f => None,
            _ => continue,
        };
        out.push_str(&s[start..i]);
        match escape {
            Some(e) => out.push_str(e),
            None => {
                let _ = write!(out, "\\u{b:04x}");
            }
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

fn as_i64(v: ValueRef<'_>) -> Option<i64> {
    match v {
        ValueRef::Integer(n) => Some(n),
        ValueRef::Real(f) if f.is_finite() => Some(f.trunc() as i64),
        ValueRef::Text(t) => std::str::from_utf8(t).ok()?.trim().parse().ok(),
        _ => None,
    }
}

/// One value as ClickHouse's JSON output writes a value of type `ty`.
pub fn render_value(out: &mut String, v: ValueRef<'_>, ty: &ChType) {
    if let ValueRef::Null = v {
        out.push_str("null");
        return;
    }
    match ty.base() {
        ChType::String => match v {
            ValueRef::Text(t) | ValueRef::Blob(t) => {
                push_json_str(out, &String::from_utf8_lossy(t))
            }
            ValueRef::Integer(n) => {
                let _ = write!(out, "\"{n}\"");
            }
            ValueRef::Real(f) => push_json_str(out, &float_to_string(f)),
            ValueRef::Null => out.push_str("null"),
        },
        ChType::Float64 => {
            let f = match v {
                ValueRef::Integer(n) => Some(n as f64),
                ValueRef::Real(f) => Some(f),
                ValueRef::Text(t) => std::str::from_utf8(t).ok().and_then(|s| s.parse().ok()),
                _ => None,
            };
            match f {
                Some(f) if f.is_finite() => push_float(out, f),
                _ => out.push_str("null"),
            }
        }
        ChType::UInt64 => match v {
            // A sum past i64 that SQLite turned into a float.
            ValueRef::Real(f) if f >= TWO_POW_63 => {
                let _ = write!(out, "\"{}\"", f as u64);
            }
            v => match as_i64(v) {
                Some(n) => {
                    let _ = write!(out, "\"{}\"", n as u64);
                }
                None => out.push_str("null"),
            },
        },
        ChType::Int64 => match as_i64(v) {
            Some(n) => {
                let _ = write!(out, "\"{n}\"");
            }
            None => out.push_str("null"),
        },
        ChType::Bool => match as_i64(v) {
            Some(n) => out.push_str(if n != 0 { "true" } else { "false" }),
            None => out.push_str("null"),
        },
        ChType::DateTime(zone) => match as_i64(v) {
            Some(n) => {
                let wall = zone.map_or(n, |z| zones::to_local(n, z));
                out.push('"');
                datetime::push_datetime(out, wall);
                out.push('"');
            }
            None => out.push_str("null"),
        },
        ChType::Date => match as_i64(v) {
            Some(n) => out.push_str(&json_string(&datetime::render_date(n))),
            None => out.push_str("null"),
        },
        ChType::Array(elem) => render_array(out, v, elem),
        t => match (t.int_shape(), as_i64(v)) {
            // Small integers are JSON numbers, wrapped to their width.
            (Some((signed, bits)), Some(n)) => {
                let _ = write!(out, "{}", wrap_int(n, bits, signed));
            }
            _ => out.push_str("null"),
        },
    }
}

fn render_array(out: &mut String, v: ValueRef<'_>, elem: &ChType) {
    let items: Vec<serde_json::Value> = match v {
        ValueRef::Text(t) => serde_json::from_slice(t).unwrap_or_default(),
        _ => Vec::new(),
    };
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let text;
        let value = match item {
            serde_json::Value::Number(n) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => ValueRef::Integer(i),
                (None, Some(f)) => ValueRef::Real(f),
                _ => ValueRef::Null,
            },
            serde_json::Value::String(s) => {
                text = s.clone();
                ValueRef::Text(text.as_bytes())
            }
            _ => ValueRef::Null,
        };
        render_value(out, value, elem);
    }
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(v: ValueRef<'_>, ty: ChType) -> String {
        let mut s = String::new();
        render_value(&mut s, v, &ty);
        s
    }

    #[test]
    fn renders_like_clickhouse_json() {
        assert_eq!(r(ValueRef::Integer(1520), ChType::UInt64), "\"1520\"");
        assert_eq!(
            r(ValueRef::Integer(-1), ChType::UInt64),
            "\"18446744073709551615\""
        );
        assert_eq!(r(ValueRef::Integer(-5), ChType::Int64), "\"-5\"");
        assert_eq!(r(ValueRef::Integer(7), ChType::UInt8), "7");
        assert_eq!(r(ValueRef::Real(1.0), ChType::Float64), "1");
        assert_eq!(r(ValueRef::Real(0.25), ChType::Float64), "0.25");
        assert_eq!(r(ValueRef::Real(f64::INFINITY), ChType::Float64), "null");
        assert_eq!(r(ValueRef::Null, ChType::Float64), "null");
        assert_eq!(
            r(ValueRef::Integer(0), ChType::DateTime(None)),
            "\"1970-01-01 00:00:00\""
        );
        assert_eq!(r(ValueRef::Integer(86_400), ChType::Date), "\"1970-01-02\"");
        assert_eq!(r(ValueRef::Text(b"a\"b"), ChType::String), "\"a\\\"b\"");
        assert_eq!(r(ValueRef::Integer(1), ChType::Bool), "true");
        assert_eq!(
            r(
                ValueRef::Text(b"[\"x\",\"y\"]"),
                ChType::Array(Box::new(ChType::String))
            ),
            "[\"x\",\"y\"]"
        );
        assert_eq!(
            r(
                ValueRef::Text(b"[1.5,2]"),
                ChType::Array(Box::new(ChType::Float64))
            ),
            "[1.5,2]"
        );
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        for s in [
            "",
            "plain",
            "a\"b\\c",
            "line\nbreak\r\t",
            "\u{1}\u{8}\u{c}\u{1f}\u{7f}",
            "héllo 😀 /x",
        ] {
            assert_eq!(
                json_string(s),
                serde_json::Value::from(s).to_string(),
                "{s:?}"
            );
        }
    }

    #[test]
    fn writes_the_envelope() {
        let cols = vec![OutColumn {
            name: "cnt".into(),
            ty: ChType::UInt64,
        }];
        let mut w = JsonWriter::new(&cols);
        w.push_row(|_| ValueRef::Integer(3));
        let text = w.finish(Some(10), 0.001, 5);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(v["meta"][0]["type"], "UInt64");
        assert_eq!(v["data"][0]["cnt"], "3");
        assert_eq!(v["rows"], 1);
        assert_eq!(v["rows_before_limit_at_least"], 10);
    }
}
