//! The one CSV writer, shared by the CLI's `--format csv` and the explorer's
//! export so that both give the same bytes: RFC 4180 quoting, LF line ends
//! (RFC 4180 allows them and every CSV reader takes them; CRLF left a `\r`
//! on values cut out with `tail -1` or `cut`), NULL as an empty field and
//! the empty string as `""`.

use std::io::{self, Write};

use crate::client::{Cell, QueryResult};

/// One line; `None` is NULL.
pub fn write_row<'a>(
    out: &mut impl Write,
    fields: impl IntoIterator<Item = Option<&'a str>>,
) -> io::Result<()> {
    let mut first = true;
    for field in fields {
        if !first {
            out.write_all(b",")?;
        }
        first = false;
        match field {
            None => {}
            Some(f) if f.is_empty() || f.contains([',', '"', '\n', '\r']) => {
                write!(out, "\"{}\"", f.replace('"', "\"\""))?;
            }
            Some(f) => out.write_all(f.as_bytes())?,
        }
    }
    out.write_all(b"\n")
}

/// A query result's header and `rows` (result row indices, in that order),
/// each value as the grid's detail shows it exactly.
pub fn write_result(out: &mut impl Write, result: &QueryResult, rows: &[usize]) -> io::Result<()> {
    write_row(out, result.columns().iter().map(|c| Some(c.name.as_str())))?;
    let width = result.columns().len();
    for &r in rows {
        let cells: Vec<Option<std::borrow::Cow<'_, str>>> = (0..width)
            .map(|c| match result.cell(r, c) {
                None | Some(Cell::Null) => None,
                Some(_) => Some(result.display(r, c)),
            })
            .collect();
        write_row(out, cells.iter().map(|c| c.as_deref()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_what_needs_it_and_ends_lines_with_lf() {
        let mut out = Vec::new();
        write_row(
            &mut out,
            [Some("a,b"), Some("say \"hi\""), None, Some(""), Some("x")],
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"a,b\",\"say \"\"hi\"\"\",,\"\",x\n"
        );
    }
}
