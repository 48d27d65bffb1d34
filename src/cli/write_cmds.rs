//! `ingest` and `log`: parse everything first, validate every batch, then
//! send with `ingest_all` / `log_all` and report exactly what happened.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use clap::Args;
use serde_json::{json, Value};

use super::input::{parse_field, parse_logs, parse_points, read_source};
use super::output::{Format, Style};
use super::{connect, stdout, style, CommonArgs, UsageError};
use crate::client::{validate, BatchOptions, BatchProgress, BatchSummary, LogEntry};
use crate::limits::{MAX_LOGS_PER_REQUEST, MAX_POINTS_PER_REQUEST};

#[derive(Debug, Args)]
pub struct IngestArgs {
    pub project: String,
    pub logstore: String,
    /// A JSON array or NDJSON of data points; `-` or nothing reads stdin.
    pub file: Option<String>,
    /// Most requests in flight: the number adapts up to this (grows while
    /// answers are fast, halves on 429/503).
    #[arg(long, default_value_t = crate::client::batch::DEFAULT_CONCURRENCY)]
    pub concurrency: usize,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    pub project: String,
    pub logstore: String,
    /// JSON array, NDJSON or text lines; `-` or nothing reads stdin.
    #[arg(conflicts_with = "message")]
    pub file: Option<String>,
    /// Send one entry with this message instead of reading input.
    #[arg(short, long)]
    pub message: Option<String>,
    /// Level of --message and of entries without one.
    #[arg(short, long)]
    pub level: Option<String>,
    /// Extra field of --message (repeatable); the value is JSON when it parses, else text.
    #[arg(long = "field", value_name = "KEY=VALUE", requires = "message")]
    pub fields: Vec<String>,
    /// Most requests in flight (adaptive up to this, as for ingest).
    #[arg(long, default_value_t = crate::client::batch::DEFAULT_CONCURRENCY)]
    pub concurrency: usize,
    #[command(flatten)]
    pub common: CommonArgs,
}

pub async fn ingest(a: IngestArgs, outer: &CommonArgs) -> anyhow::Result<()> {
    let common = a.common.or(outer);
    validate::names(&a.project, &a.logstore)?;
    let points = parse_points(&read_source(a.file.as_deref())?)?;
    if points.is_empty() {
        return Err(UsageError("no data points in the input".to_string()).into());
    }
    for (i, chunk) in points.chunks(MAX_POINTS_PER_REQUEST).enumerate() {
        validate::points(&a.project, &a.logstore, chunk).map_err(|e| {
            UsageError(format!(
                "{e} (in the batch of items {}..{}); nothing was sent",
                i * MAX_POINTS_PER_REQUEST,
                i * MAX_POINTS_PER_REQUEST + chunk.len()
            ))
        })?;
    }
    let client = connect(&common)?;
    let progress = Progress::new("points");
    let summary = client
        .ingest_all(
            &a.project,
            &a.logstore,
            &points,
            &progress.options(a.concurrency),
        )
        .await?;
    progress.finish();
    if summary.written > 0 && !crate::client::deployment::is_local(client.base_url()) {
        eprintln!("note: {}", crate::client::deployment::WRITE_DELAY_NOTE);
    }
    report(&summary, style(&common))
}

pub async fn log(a: LogArgs, outer: &CommonArgs) -> anyhow::Result<()> {
    let common = a.common.or(outer);
    validate::names(&a.project, &a.logstore)?;
    if let Some(warning) = a.level.as_deref().and_then(validate::level_warning) {
        eprintln!("warning: {warning}; sent as given");
    }
    let entries = match &a.message {
        Some(message) => {
            if message.is_empty() {
                return Err(UsageError("--message must not be empty".to_string()).into());
            }
            let mut e = LogEntry::new(message.clone());
            e.level = a.level.clone();
            for spec in &a.fields {
                let (k, v) = parse_field(spec)?;
                e.fields.insert(k, v);
            }
            vec![e]
        }
        None => parse_logs(&read_source(a.file.as_deref())?, a.level.as_deref())?,
    };
    if entries.is_empty() {
        return Err(UsageError("no log entries in the input".to_string()).into());
    }
    for chunk in entries.chunks(MAX_LOGS_PER_REQUEST) {
        validate::logs(chunk)?;
    }
    let client = connect(&common)?;
    let progress = Progress::new("entries");
    let summary = client
        .log_all(
            &a.project,
            &a.logstore,
            &entries,
            &progress.options(a.concurrency),
        )
        .await?;
    progress.finish();
    report(&summary, style(&common))
}

/// The summary on stdout; failed batches (with their items) on stderr and as
/// exit code 1.
fn report(summary: &BatchSummary, style: Style) -> anyhow::Result<()> {
    let failed: Vec<Value> = summary
        .failed
        .iter()
        .map(|f| {
            json!({
                "batch": f.batch,
                "items": [f.items.start, f.items.end],
                "error": f.error.to_string(),
            })
        })
        .collect();
    let mut out = stdout();
    match style.format {
        Format::Table => writeln!(
            out,
            "written {}, skipped {}, failed {} of {} items ({} batches)",
            summary.written,
            summary.skipped,
            summary.failed_items(),
            summary.items,
            summary.batches
        )?,
        Format::Csv => {
            writeln!(out, "written,skipped,failed,items,batches\r")?;
            writeln!(
                out,
                "{},{},{},{},{}\r",
                summary.written,
                summary.skipped,
                summary.failed_items(),
                summary.items,
                summary.batches
            )?;
        }
        Format::Json | Format::Ndjson => {
            let v = json!({
                "written": summary.written,
                "skipped": summary.skipped,
                "failed_items": summary.failed_items(),
                "items": summary.items,
                "batches": summary.batches,
                "failed": failed,
            });
            if style.format == Format::Json {
                serde_json::to_writer_pretty(&mut out, &v)?;
            } else {
                serde_json::to_writer(&mut out, &v)?;
            }
            writeln!(out)?;
        }
    }
    out.flush()?;
    if summary.failed.is_empty() {
        return Ok(());
    }
    for f in &summary.failed {
        eprintln!(
            "batch {} (items {}..{}) failed: {}",
            f.batch,
            f.items.start,
            f.items.end,
            crate::sanitize::line(&f.error.to_string())
        );
    }
    let first = &summary.failed[0].error;
    anyhow::bail!(
        "{} of {} batches failed (first: {first})",
        summary.failed.len(),
        summary.batches
    )
}

/// Width of the TTY progress bar, in cells.
const BAR_WIDTH: usize = 30;

/// `, 2 batches failed` once any failed.
fn failed_note(p: &BatchProgress) -> String {
    if p.batches_failed > 0 {
        format!(", {} batches failed", p.batches_failed)
    } else {
        String::new()
    }
}

/// One state of the TTY bar, e.g. `[#####.....] 250/1000 points`; never
/// wider than full, and full for an empty input.
fn bar_line(p: &BatchProgress, what: &str) -> String {
    let filled = (p.items_done.min(p.items_total) * BAR_WIDTH)
        .checked_div(p.items_total)
        .unwrap_or(BAR_WIDTH);
    format!(
        "[{}{}] {}/{} {what}{}",
        "#".repeat(filled),
        ".".repeat(BAR_WIDTH - filled),
        p.items_done,
        p.items_total,
        failed_note(p)
    )
}

/// A progress bar on a terminal; on a pipe, a line every 10%.
struct Progress {
    tty: bool,
    what: &'static str,
    last_decile: Arc<AtomicUsize>,
}

impl Progress {
    fn new(what: &'static str) -> Self {
        Self {
            tty: std::io::stderr().is_terminal(),
            what,
            last_decile: Arc::new(AtomicUsize::new(0)),
        }
    }

    fn options(&self, concurrency: usize) -> BatchOptions {
        let (tty, what, last) = (self.tty, self.what, self.last_decile.clone());
        BatchOptions::default()
            .adaptive(concurrency)
            .on_progress(move |p: BatchProgress| {
                let mut err = std::io::stderr().lock();
                if tty {
                    let _ = write!(err, "\r{}", bar_line(&p, what));
                    let _ = err.flush();
                } else {
                    let decile = (p.items_done * 10).checked_div(p.items_total).unwrap_or(10);
                    if decile > last.swap(decile, Ordering::SeqCst) {
                        let _ = writeln!(
                            err,
                            "sent {}/{} {what}{}",
                            p.items_done,
                            p.items_total,
                            failed_note(&p)
                        );
                    }
                }
            })
    }

    fn finish(&self) {
        if self.tty {
            eprintln!();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn progress(done: usize, total: usize, failed: usize) -> BatchProgress {
        BatchProgress {
            items_done: done,
            items_total: total,
            batches_done: 0,
            batches_total: 0,
            batches_failed: failed,
        }
    }

    #[test]
    fn the_bar_fills_with_the_items_sent() {
        let empty = format!("[{}] 0/1000 points", ".".repeat(BAR_WIDTH));
        assert_eq!(bar_line(&progress(0, 1000, 0), "points"), empty);
        let half = bar_line(&progress(500, 1000, 0), "points");
        assert!(half.starts_with(&format!("[{}.", "#".repeat(15))), "{half}");
        let full = bar_line(&progress(1000, 1000, 2), "entries");
        assert_eq!(
            full,
            format!(
                "[{}] 1000/1000 entries, 2 batches failed",
                "#".repeat(BAR_WIDTH)
            )
        );
        // No input and an impossible count still draw a bar, never panic.
        assert!(bar_line(&progress(0, 0, 0), "points")
            .starts_with(&format!("[{}]", "#".repeat(BAR_WIDTH))));
        assert!(bar_line(&progress(7, 5, 0), "points")
            .starts_with(&format!("[{}]", "#".repeat(BAR_WIDTH))));
    }
}
