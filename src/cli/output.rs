//! Output formats of the scripting commands: an aligned table for people,
//! JSON, CSV and NDJSON for programs. A table on a TTY, JSON when piped.

use std::io::{self, IsTerminal, Write};

use serde_json::Value;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
    Ndjson,
}

/// Widest a table column (but the last) grows before its cells are cut
/// with `…`.
const MAX_COLUMN_WIDTH: usize = 60;

/// How results are written to stdout.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub format: Format,
    /// ANSI colours (a TTY and no NO_COLOR).
    pub color: bool,
}

impl Style {
    /// The format asked for, else a table on a TTY and JSON when piped.
    pub fn detect(format: Option<Format>) -> Self {
        let tty = io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let format = format.unwrap_or(if tty { Format::Table } else { Format::Json });
        Self {
            format,
            color: tty && !no_color && format == Format::Table,
        }
    }
}

/// Rows of JSON values under named columns; `numeric` columns align right.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub columns: Vec<String>,
    pub numeric: Vec<bool>,
    pub rows: Vec<Vec<Value>>,
}

impl Table {
    pub fn new(columns: impl IntoIterator<Item = impl Into<String>>) -> Self {
        let columns: Vec<String> = columns.into_iter().map(Into::into).collect();
        let numeric = vec![false; columns.len()];
        Self {
            columns,
            numeric,
            rows: Vec::new(),
        }
    }

    /// Write in the style's format.
    pub fn write(&self, out: &mut impl Write, style: Style) -> io::Result<()> {
        match style.format {
            Format::Table => self.write_table(out, style.color),
            Format::Json => {
                let rows: Vec<RowObject> = self.rows.iter().map(|r| self.object(r)).collect();
                serde_json::to_writer_pretty(&mut *out, &rows)?;
                writeln!(out)
            }
            Format::Ndjson => write_ndjson(out, &self.columns, self.rows.iter().map(Vec::as_slice)),
            Format::Csv => {
                crate::csv::write_row(out, self.columns.iter().map(|c| Some(c.as_str())))?;
                for r in &self.rows {
                    let cells: Vec<Option<String>> = r.iter().map(csv_text).collect();
                    crate::csv::write_row(out, cells.iter().map(Option::as_deref))?;
                }
                Ok(())
            }
        }
    }

    fn object<'a>(&'a self, row: &'a [Value]) -> RowObject<'a> {
        RowObject {
            columns: &self.columns,
            values: row,
        }
    }

    fn write_table(&self, out: &mut impl Write, color: bool) -> io::Result<()> {
        let texts: Vec<Vec<String>> = self
            .rows
            .iter()
            // The last column has nothing to its right: it is never cut (a
            // payload or a record's data is read whole).
            .map(|r| {
                let last = r.len().saturating_sub(1);
                r.iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let text = table_text(v);
                        if i == last {
                            text
                        } else {
                            cut(&text)
                        }
                    })
                    .collect()
            })
            .collect();
        // Column names come from the server (SQL aliases): shown like cells.
        let names: Vec<String> = self
            .columns
            .iter()
            .map(|c| crate::sanitize::line(c).into_owned())
            .collect();
        let mut widths: Vec<usize> = names.iter().map(|c| c.width()).collect();
        for row in &texts {
            for (w, t) in widths.iter_mut().zip(row) {
                *w = (*w).max(t.width());
            }
        }
        let level_col = self.columns.iter().position(|c| c == "level");
        let mut line = String::new();
        for (i, c) in names.iter().enumerate() {
            pad(
                &mut line,
                c,
                widths[i],
                self.numeric[i],
                i + 1 == widths.len(),
            );
        }
        if color {
            writeln!(out, "\x1b[1m{}\x1b[0m", line.trim_end())?;
        } else {
            writeln!(out, "{}", line.trim_end())?;
        }
        for row in &texts {
            line.clear();
            for (i, t) in row.iter().enumerate() {
                let last = i + 1 == row.len();
                if color && Some(i) == level_col {
                    let start = line.len();
                    pad(&mut line, t, widths[i], false, last);
                    let painted = paint_level(&line[start..], t);
                    line.truncate(start);
                    line.push_str(&painted);
                } else {
                    pad(
                        &mut line,
                        t,
                        widths[i],
                        self.numeric.get(i) == Some(&true),
                        last,
                    );
                }
            }
            writeln!(out, "{}", line.trim_end())?;
        }
        Ok(())
    }
}

/// Rows as NDJSON, one object per line, written as the rows come: a caller
/// holding its rows in another form (a query answer) builds one row's values
/// at a time instead of a whole table of them.
pub fn write_ndjson<R: AsRef<[Value]>>(
    out: &mut impl Write,
    columns: &[String],
    rows: impl Iterator<Item = R>,
) -> io::Result<()> {
    for r in rows {
        let object = RowObject {
            columns,
            values: r.as_ref(),
        };
        serde_json::to_writer(&mut *out, &object)?;
        writeln!(out)?;
    }
    Ok(())
}

/// A row serialised as a JSON object with keys in column order (a
/// `serde_json::Map` would sort them).
pub struct RowObject<'a> {
    pub columns: &'a [String],
    pub values: &'a [Value],
}

impl serde::Serialize for RowObject<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.columns.len()))?;
        for (k, v) in self.columns.iter().zip(self.values) {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// A cell as a person reads it: strings bare, NULL distinct, JSON compact.
pub fn table_text(v: &Value) -> String {
    match v {
        Value::Null => "NULL".to_string(),
        Value::String(s) => crate::sanitize::line(s).into_owned(),
        // JSON escapes C0 controls, not DEL, C1 or bidi controls.
        other => crate::sanitize::line(&other.to_string()).into_owned(),
    }
}

/// A value as a CSV field; `None` is NULL.
fn csv_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// One CSV line of plain fields (see [`crate::csv`]).
pub fn write_csv_row<'a>(
    out: &mut impl Write,
    fields: impl IntoIterator<Item = &'a str>,
) -> io::Result<()> {
    crate::csv::write_row(out, fields.into_iter().map(Some))
}

fn cut(s: &str) -> String {
    if s.width() <= MAX_COLUMN_WIDTH {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for ch in s.chars() {
        let cw = ch.width().unwrap_or(0);
        if w + cw > MAX_COLUMN_WIDTH - 1 {
            break;
        }
        out.push(ch);
        w += cw;
    }
    out.push('…');
    out
}

fn pad(line: &mut String, text: &str, width: usize, right: bool, last: bool) {
    let fill = width.saturating_sub(text.width());
    if right {
        line.extend(std::iter::repeat_n(' ', fill));
        line.push_str(text);
    } else {
        line.push_str(text);
        if !last {
            line.extend(std::iter::repeat_n(' ', fill));
        }
    }
    if !last {
        line.push_str("  ");
    }
}

/// ANSI colour for a log level, around already padded text.
pub fn paint_level(padded: &str, level: &str) -> String {
    let code = match level.to_ascii_lowercase().as_str() {
        "error" | "fatal" | "critical" => "31",
        "warn" | "warning" => "33",
        "debug" | "trace" => "2",
        _ => return padded.to_string(),
    };
    format!("\x1b[{code}m{padded}\x1b[0m")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(t: &Table, format: Format) -> String {
        let mut buf = Vec::new();
        t.write(
            &mut buf,
            Style {
                format,
                color: false,
            },
        )
        .unwrap();
        String::from_utf8(buf).unwrap()
    }

    fn sample() -> Table {
        let mut t = Table::new(["name", "n"]);
        t.numeric[1] = true;
        t.rows.push(vec![json!("a,b"), json!(5)]);
        t.rows.push(vec![json!("say \"hi\"\nthere"), Value::Null]);
        t.rows.push(vec![json!("日本"), json!("1520")]);
        t
    }

    #[test]
    fn table_aligns_and_shows_null() {
        let out = render(&sample(), Format::Table);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "name               n");
        assert_eq!(lines[1], "a,b                5");
        assert_eq!(lines[2], "say \"hi\" there  NULL");
        assert_eq!(lines[3], "日本            1520");
    }

    #[test]
    fn csv_quotes_and_json_keeps_types() {
        let out = render(&sample(), Format::Csv);
        assert_eq!(
            out,
            "name,n\n\"a,b\",5\n\"say \"\"hi\"\"\nthere\",\n日本,1520\n"
        );
        let v: Value = serde_json::from_str(&render(&sample(), Format::Json)).unwrap();
        assert_eq!(v[0], json!({"name": "a,b", "n": 5}));
        assert_eq!(v[1]["n"], Value::Null);
        let nd = render(&sample(), Format::Ndjson);
        assert_eq!(nd.lines().count(), 3);
        assert_eq!(nd.lines().next().unwrap(), r#"{"name":"a,b","n":5}"#);
    }

    #[test]
    fn control_characters_cannot_reach_the_terminal() {
        let mut t = Table::new(["\x1b]0;title\x07"]);
        t.rows
            .push(vec![json!("a\x1b]0;pwned\x07b\x1b[2J\u{9b}c\nd\u{202e}")]);
        let out = render(&t, Format::Table);
        let shown = out.lines().flat_map(str::chars);
        assert!(!shown.clone().any(crate::sanitize::is_unsafe), "{out:?}");
        assert_eq!(out, "␛]0;title␇\na␛]0;pwned␇b␛[2J\\u{9b}c d\\u{202e}\n");
        assert_eq!(table_text(&json!("plain")), "plain");
    }

    #[test]
    fn long_cells_are_cut_but_the_last_column_is_whole() {
        let mut t = Table::new(["x", "payload"]);
        t.rows
            .push(vec![json!("y".repeat(100)), json!("z".repeat(100))]);
        let out = render(&t, Format::Table);
        let line = out.lines().nth(1).unwrap();
        let (first, last) = line.split_at(line.find(' ').unwrap());
        assert!(first.ends_with('…'));
        assert_eq!(first.width(), MAX_COLUMN_WIDTH);
        assert_eq!(last.trim(), "z".repeat(100));
    }
}
