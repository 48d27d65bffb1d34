//! `projects`, `logstores`, `query`, `detail`.

use std::io::Write;

use anyhow::Context;
use clap::Args;
use serde_json::Value;

use super::input::read_source;
use super::known::warn_if_unknown;
use super::output::{write_ndjson, Format, Table};
use super::{connect, stdout, style, CommonArgs, UsageError};
use crate::client::{tail::iso_ms, Cell, Column, QueryResult};
use crate::limits::MAX_REF_IDS;

#[derive(Debug, Args)]
pub struct ProjectsArgs {
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct LogstoresArgs {
    pub project: String,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    pub project: String,
    pub logstore: String,
    /// The SQL; `-` or nothing reads it from stdin.
    #[arg(conflicts_with = "file")]
    pub sql: Option<String>,
    /// Read the SQL from a file.
    #[arg(short = 'f', long, value_name = "FILE")]
    pub file: Option<String>,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct DetailArgs {
    pub project: String,
    pub logstore: String,
    /// One or more ref_ids (more than 100 are fetched in several requests).
    #[arg(required = true, value_name = "REF_ID")]
    pub ref_ids: Vec<String>,
    #[command(flatten)]
    pub common: CommonArgs,
}

fn list_table(column: &str, names: Vec<String>) -> Table {
    let mut t = Table::new([column]);
    t.rows = names.into_iter().map(|n| vec![Value::String(n)]).collect();
    t
}

pub async fn projects(a: ProjectsArgs, outer: &CommonArgs) -> anyhow::Result<()> {
    let common = a.common.or(outer);
    let names = connect(&common)?.list_projects().await?;
    list_table("project", names).write(&mut stdout(), style(&common))?;
    Ok(())
}

pub async fn logstores(a: LogstoresArgs, outer: &CommonArgs) -> anyhow::Result<()> {
    let common = a.common.or(outer);
    let client = connect(&common)?;
    let names = client.list_logstores(&a.project).await?;
    list_table("logstore", names.clone()).write(&mut stdout(), style(&common))?;
    if names.is_empty() {
        warn_if_unknown(&client, &a.project, None).await;
    }
    Ok(())
}

pub async fn query(a: QueryArgs, outer: &CommonArgs) -> anyhow::Result<()> {
    let common = a.common.or(outer);
    let sql = match (&a.sql, &a.file) {
        (Some(sql), None) if sql != "-" => sql.clone(),
        (_, Some(file)) => read_source(Some(file))?,
        _ => read_source(None)?,
    };
    if sql.trim().is_empty() {
        return Err(UsageError("no SQL given (argument, -f FILE or stdin)".to_string()).into());
    }
    let client = connect(&common)?;
    let style = style(&common);
    let mut out = stdout();
    if style.format == Format::Ndjson {
        // Each row is written as it is decoded: a large answer is held once,
        // as the response body, not again as cells and JSON values.
        let mut names: Vec<String> = Vec::new();
        let mut rows = 0usize;
        // The sink's error is only a message to the decoder; the write
        // error itself is kept, so a closed pipe (`| head`) ends quietly
        // instead of reading as a bad answer.
        let mut write_failed: Option<std::io::Error> = None;
        let mut write_row = |columns: &[Column], cells: &[Cell]| -> Result<(), String> {
            rows += 1;
            if names.len() != columns.len() {
                names = columns.iter().map(|c| c.name.clone()).collect();
            }
            let values: Vec<Value> = cells.iter().map(Cell::to_json).collect();
            write_ndjson(&mut out, &names, std::iter::once(values)).map_err(|e| {
                let text = e.to_string();
                write_failed = Some(e);
                text
            })
        };
        let answer = client
            .query_rows(&a.project, &a.logstore, &sql, &mut write_row)
            .await;
        if let Some(e) = write_failed {
            return Err(anyhow::Error::new(e).context("writing the rows"));
        }
        answer.context("query failed")?;
        out.flush()?;
        if rows == 0 {
            warn_if_unknown(&client, &a.project, Some(&a.logstore)).await;
        }
        return Ok(());
    }
    let result = client
        .query(&a.project, &a.logstore, &sql)
        .await
        .context("query failed")?;
    if style.format == Format::Csv {
        // The explorer's export writes the same bytes.
        let rows: Vec<usize> = (0..result.len()).collect();
        crate::csv::write_result(&mut out, &result, &rows)?;
    } else {
        query_table(&result).write(&mut out, style)?;
    }
    out.flush()?;
    if result.is_empty() {
        warn_if_unknown(&client, &a.project, Some(&a.logstore)).await;
    }
    if style.format == Format::Table {
        let more = match result.rows_before_limit_at_least {
            Some(n) if n > result.len() as u64 => format!(" of at least {n}"),
            _ => String::new(),
        };
        eprintln!("{} rows{more}", result.len());
    }
    Ok(())
}

/// The answer as a table, keeping each value as AE sent it (a UInt64 stays
/// a quoted string in JSON output, as it was on the wire).
fn query_table(r: &QueryResult) -> Table {
    let mut t = Table::new(r.columns().iter().map(|c| c.name.clone()));
    t.numeric = r.columns().iter().map(|c| c.is_numeric()).collect();
    t.rows = (0..r.len())
        .map(|row| {
            (0..r.columns().len())
                .map(|col| r.cell(row, col).map_or(Value::Null, |c| c.to_json()))
                .collect()
        })
        .collect();
    t
}

pub async fn detail(a: DetailArgs, outer: &CommonArgs) -> anyhow::Result<()> {
    let common = a.common.or(outer);
    let client = connect(&common)?;
    let mut results = Vec::new();
    for chunk in a.ref_ids.chunks(MAX_REF_IDS) {
        results.extend(client.detail(&a.project, &a.logstore, chunk).await?.results);
    }
    report_missing_payloads(&a.ref_ids, &results);
    if results.is_empty() {
        warn_if_unknown(&client, &a.project, Some(&a.logstore)).await;
    }
    let style = style(&common);
    let mut out = stdout();
    if style.format == Format::Json {
        serde_json::to_writer_pretty(&mut out, &results)?;
        writeln!(out)?;
        return Ok(());
    }
    let mut t = Table::new(["ref_id", "created_at", "expires_at", "payload"]);
    t.rows = results
        .into_iter()
        .map(|d| {
            let time = |ms: i64| match style.format {
                Format::Table => Value::String(iso_ms(ms)),
                _ => Value::from(ms),
            };
            vec![
                Value::String(d.ref_id),
                time(d.created_at),
                time(d.expires_at),
                d.payload,
            ]
        })
        .collect();
    t.write(&mut out, style)?;
    Ok(())
}

/// Ref_ids asked for that got no payload, named on stderr: the answer
/// alone (`[]`) does not say whether the id was wrong, expired or elsewhere.
fn report_missing_payloads(asked: &[String], found: &[crate::client::DetailEntry]) {
    let missing: Vec<&String> = asked
        .iter()
        .filter(|id| !found.iter().any(|d| &d.ref_id == *id))
        .collect();
    if missing.is_empty() {
        return;
    }
    let names: Vec<String> = missing
        .iter()
        .take(10)
        .map(|id| crate::sanitize::line(id).into_owned())
        .collect();
    let more = missing.len().saturating_sub(names.len());
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    eprintln!(
        "note: no payload for {} of {} ref_id(s): {}{more} (unknown, expired, or stored under another logstore)",
        missing.len(),
        asked.len(),
        names.join(", ")
    );
}
