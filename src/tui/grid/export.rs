//! Export the fetched rows (in the order shown) to CSV, JSON or NDJSON
//! without running the query again.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::client::QueryResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
    Ndjson,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 3] =
        [ExportFormat::Csv, ExportFormat::Json, ExportFormat::Ndjson];
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
            ExportFormat::Ndjson => "ndjson",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ExportFormat::Csv => "CSV",
            ExportFormat::Json => "JSON (array of objects)",
            ExportFormat::Ndjson => "NDJSON (one object per line)",
        }
    }
}

/// Write `rows` (result row indices) of `result` to `out`.
pub fn write_rows(
    out: &mut impl Write,
    result: &QueryResult,
    rows: &[usize],
    format: ExportFormat,
) -> io::Result<()> {
    match format {
        ExportFormat::Csv => {
            let header: Vec<String> = result
                .columns()
                .iter()
                .map(|c| csv_field(&c.name))
                .collect();
            writeln!(out, "{}", header.join(","))?;
            for &r in rows {
                let line: Vec<String> = (0..result.columns().len())
                    .map(|c| match result.cell(r, c) {
                        // NULL stays distinct from the empty string: an empty
                        // unquoted field vs a quoted empty one.
                        None | Some(crate::client::Cell::Null) => String::new(),
                        Some(_) => csv_field(&result.display(r, c)),
                    })
                    .collect();
                writeln!(out, "{}", line.join(","))?;
            }
        }
        ExportFormat::Json => {
            writeln!(out, "[")?;
            for (i, &r) in rows.iter().enumerate() {
                let obj = result.row_json(r).unwrap_or_default();
                let sep = if i + 1 < rows.len() { "," } else { "" };
                writeln!(out, "  {}{sep}", serde_json::Value::Object(obj))?;
            }
            writeln!(out, "]")?;
        }
        ExportFormat::Ndjson => {
            for &r in rows {
                let obj = result.row_json(r).unwrap_or_default();
                writeln!(out, "{}", serde_json::Value::Object(obj))?;
            }
        }
    }
    Ok(())
}

fn csv_field(s: &str) -> String {
    if s.is_empty() || s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A file name that does not overwrite anything: aepipe-<scope>-<time>.<ext>
/// in `dir`, with -2, -3… when taken.
pub fn target_path(dir: &Path, scope: &str, stamp: &str, format: ExportFormat) -> PathBuf {
    let safe: String = scope
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let base = format!("aepipe-{safe}-{stamp}");
    let mut path = dir.join(format!("{base}.{}", format.extension()));
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{base}-{n}.{}", format.extension()));
        n += 1;
    }
    path
}

/// Write the export file; returns the path and the number of rows written.
pub fn export_to_file(
    dir: &Path,
    scope: &str,
    result: &QueryResult,
    rows: &[usize],
    format: ExportFormat,
) -> io::Result<(PathBuf, usize)> {
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S").to_string();
    let path = target_path(dir, scope, &stamp, format);
    // Whole or not at all, and never over an existing file or symlink.
    crate::safe_fs::write_new_atomic(&path, crate::safe_fs::Access::Default, |mut out| {
        write_rows(&mut out, result, rows, format)
    })?;
    Ok((path, rows.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::{Cell, Column};

    fn result() -> QueryResult {
        QueryResult::from_parts(
            vec![
                Column {
                    name: "msg".into(),
                    type_name: "String".into(),
                },
                Column {
                    name: "n".into(),
                    type_name: "Float64".into(),
                },
            ],
            vec![
                vec![Cell::Text("a,\"b\"".into()), Cell::Number(1.5)],
                vec![Cell::Text("".into()), Cell::Null],
            ],
        )
    }

    #[test]
    fn csv_quotes_and_keeps_null_apart_from_empty() {
        let mut out = Vec::new();
        write_rows(&mut out, &result(), &[1, 0], ExportFormat::Csv).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "msg,n\n\"\",\n\"a,\"\"b\"\"\",1.5\n"
        );
    }

    #[test]
    fn ndjson_and_json_round_trip() {
        let mut out = Vec::new();
        write_rows(&mut out, &result(), &[0, 1], ExportFormat::Ndjson).unwrap();
        let lines: Vec<serde_json::Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[1]["n"], serde_json::Value::Null);
        let mut out = Vec::new();
        write_rows(&mut out, &result(), &[0, 1], ExportFormat::Json).unwrap();
        let all: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(all[0]["msg"], "a,\"b\"");
        assert_eq!(all[0]["n"], 1.5);
    }

    #[test]
    fn never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let r = result();
        let (a, _) = export_to_file(dir.path(), "p/l", &r, &[0], ExportFormat::Csv).unwrap();
        let (b, _) = export_to_file(dir.path(), "p/l", &r, &[0], ExportFormat::Csv).unwrap();
        assert_ne!(a, b);
        assert!(a
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("aepipe-p_l-"));
    }
}
