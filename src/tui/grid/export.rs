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
        ExportFormat::Csv => crate::csv::write_result(out, result, rows)?,
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

/// The file name an export gets unless the user types another:
/// aepipe-<scope>-<time>.<ext>, the scope made safe for a file name.
pub fn default_file_name(scope: &str, stamp: &str, format: ExportFormat) -> String {
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
    format!("aepipe-{safe}-{stamp}.{}", format.extension())
}

/// `path` with -2, -3… before its extension.
fn numbered(path: &Path, n: usize) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = match path.extension() {
        Some(ext) => format!("{stem}-{n}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{n}"),
    };
    path.with_file_name(name)
}

/// Write the export file at `path`, or at `path` numbered -2, -3… when a
/// file is there (an export never overwrites anything); returns the path
/// written and the number of rows.
pub fn export_to_path(
    path: &Path,
    result: &QueryResult,
    rows: &[usize],
    format: ExportFormat,
) -> io::Result<(PathBuf, usize)> {
    let mut target = path.to_path_buf();
    let mut n = 2;
    let file = loop {
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&target)
        {
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 1000 => {
                target = numbered(path, n);
                n += 1;
            }
            other => break other?,
        }
    };
    let mut out = io::BufWriter::new(file);
    write_rows(&mut out, result, rows, format)?;
    out.flush()?;
    Ok((target, rows.len()))
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
        let path = dir.path().join(default_file_name(
            "p/l",
            "20261127-021535",
            ExportFormat::Csv,
        ));
        let (a, _) = export_to_path(&path, &r, &[0], ExportFormat::Csv).unwrap();
        let (b, _) = export_to_path(&path, &r, &[0], ExportFormat::Csv).unwrap();
        assert_eq!(a, path);
        assert_eq!(
            b.file_name().unwrap().to_str().unwrap(),
            "aepipe-p_l-20261127-021535-2.csv"
        );
    }
}
