//! `rawlog` (a window of raw records) and `tail` (the newest, and with `-f`
//! the ones that follow, through [`Tailer`]).

use std::io::Write;

use clap::Args;
use regex::Regex;
use serde_json::{Map, Value};

use super::known::{unknown_note, warn_if_unknown};
use super::output::{paint_level, write_csv_row, Format, Style, Table};
use super::when::{parse_duration, parse_time};
use super::{connect_with_sampling, stdout, style, CommonArgs, UsageError};
use crate::client::tail::iso_ms;
use crate::client::tail::{follow, FollowEvent, TailBatch};
use crate::client::{RawLogEntry, RawLogRequest, TailOptions, TailStart, Tailer};
use crate::limits::{RAWLOG_DEFAULT_LIMIT, RAWLOG_MAX_LIMIT};
use crate::sanitize;

#[derive(Debug, Args)]
pub struct RawlogArgs {
    pub project: String,
    pub logstore: String,
    /// Most records (1-200) [server default: 50]
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=i64::from(RAWLOG_MAX_LIMIT)))]
    pub limit: Option<u32>,
    /// Records of the last DURATION (e.g. 30s, 15m, 2h, 7d) [server default: 6h]
    #[arg(long, value_name = "DURATION", conflicts_with = "start")]
    pub since: Option<String>,
    /// Window start (ISO-8601).
    #[arg(long, value_name = "TIME")]
    pub start: Option<String>,
    /// Window end (ISO-8601) [default: now]
    #[arg(long, value_name = "TIME")]
    pub end: Option<String>,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct TailArgs {
    pub project: String,
    pub logstore: String,
    /// Keep printing new records as they arrive (Ctrl-C stops).
    #[arg(short, long)]
    pub follow: bool,
    /// How many of the newest records to print first (0-200); with --level
    /// or --grep, the newest N that match.
    #[arg(short = 'n', long, default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(0..=i64::from(RAWLOG_MAX_LIMIT)))]
    pub lines: u32,
    /// Only records of this level (repeatable, case-insensitive).
    #[arg(long, value_name = "LEVEL")]
    pub level: Vec<String>,
    /// Only records whose message or data match this regular expression.
    #[arg(long, value_name = "REGEX")]
    pub grep: Option<String>,
    /// Time between polls with -f.
    #[arg(long, value_name = "DURATION", default_value = "1s")]
    pub interval: String,
    /// With -f: how late (after its timestamp) a record may become visible
    /// and still be shown. Records on a real deployment arrive late and out
    /// of order; longer costs more requests per poll.
    #[arg(long, value_name = "DURATION", default_value = "60s")]
    pub horizon: String,
    /// With -f: most rawlog requests per poll. When too few for the rate,
    /// the tail prints a gap line instead of losing records silently.
    #[arg(long, value_name = "N", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub max_calls: u32,
    #[command(flatten)]
    pub common: CommonArgs,
}

pub async fn rawlog(a: RawlogArgs, outer: &CommonArgs) -> anyhow::Result<()> {
    let common = a.common.or(outer);
    let start = match (&a.since, &a.start) {
        (Some(since), _) => Some(since_start(since, chrono::Utc::now())?),
        (None, Some(s)) => Some(parse_time(s)?),
        (None, None) => None,
    };
    let end = a.end.as_deref().map(parse_time).transpose()?;
    if let (Some(s), Some(e)) = (start, end) {
        if s > e {
            return Err(UsageError("--start is after --end".to_string()).into());
        }
    }
    let req = RawLogRequest {
        limit: a.limit,
        start: start.map(|t| iso_ms(t.timestamp_millis())),
        end: end.map(|t| iso_ms(t.timestamp_millis())),
    };
    let (client, sampled) = connect_with_sampling(&common)?;
    note_sampling(sampled);
    let mut logs = client.rawlog(&a.project, &a.logstore, &req).await?.logs;
    sort_oldest_first(&mut logs);
    let limit = a.limit.unwrap_or(RAWLOG_DEFAULT_LIMIT) as usize;
    if logs.len() >= limit {
        eprintln!(
            "note: the newest {} records of the window; there may be more (--limit up to {RAWLOG_MAX_LIMIT}, or a shorter window with --start/--end)",
            logs.len()
        );
    } else if logs.is_empty() {
        warn_if_unknown(&client, &a.project, Some(&a.logstore)).await;
    }
    let style = style(&common);
    let mut out = stdout();
    // JSON and NDJSON keep the records as the server sent them.
    match style.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &logs)?;
            writeln!(out)?;
            return Ok(());
        }
        Format::Ndjson => {
            for e in &logs {
                serde_json::to_writer(&mut out, e)?;
                writeln!(out)?;
            }
            return Ok(());
        }
        Format::Table | Format::Csv => {}
    }
    let mut t = Table::new(["timestamp", "level", "message", "data"]);
    t.rows = logs
        .iter()
        .map(|e| {
            let (message, rest) = split_message(e);
            vec![
                Value::String(e.timestamp.clone()),
                Value::String(e.level.clone()),
                Value::String(message),
                Value::Object(rest),
            ]
        })
        .collect();
    t.write(&mut out, style)?;
    Ok(())
}

/// The window start `--since` names, counted back from `now`; a duration
/// reaching before the calendar's start is an error, not an overflow.
fn since_start(
    since: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<chrono::DateTime<chrono::Utc>, UsageError> {
    let too_long = || UsageError(format!("--since {since:?} is too long"));
    let d = chrono::Duration::from_std(parse_duration(since)?).map_err(|_| too_long())?;
    now.checked_sub_signed(d).ok_or_else(too_long)
}

/// Oldest first (the server sends newest first; upstream in no set order).
fn sort_oldest_first(logs: &mut [RawLogEntry]) {
    logs.reverse();
    logs.sort_by_cached_key(|e| {
        chrono::DateTime::parse_from_rfc3339(&e.timestamp)
            .map(|t| t.timestamp_millis())
            .unwrap_or(i64::MIN)
    });
}

/// The line a person reads (`message`, or a point's `event`) and the other
/// fields, without the ones every record of the logstore shares.
fn split_message(e: &RawLogEntry) -> (String, Map<String, Value>) {
    let mut rest = match &e.data {
        Value::Object(o) => o.clone(),
        other => {
            let mut m = Map::new();
            m.insert("data".to_string(), other.clone());
            m
        }
    };
    for k in ["project", "logstore", "level"] {
        rest.remove(k);
    }
    let message = match rest.remove("message") {
        Some(Value::String(s)) => s,
        Some(other) => other.to_string(),
        None => match rest.remove("event") {
            Some(Value::String(s)) => s,
            Some(other) => other.to_string(),
            None => String::new(),
        },
    };
    (message, rest)
}

/// Which records `tail` prints.
struct Filter {
    levels: Vec<String>,
    grep: Option<Regex>,
}

impl Filter {
    fn matches(&self, e: &RawLogEntry) -> bool {
        if !self.levels.is_empty() && !self.levels.iter().any(|l| l.eq_ignore_ascii_case(&e.level))
        {
            return false;
        }
        match &self.grep {
            None => true,
            Some(re) => {
                let (message, rest) = split_message(e);
                re.is_match(&message) || re.is_match(&Value::Object(rest).to_string())
            }
        }
    }
}

/// Prints records one per line as they come (no column widths to wait for).
struct LinePrinter {
    style: Style,
    wrote_header: bool,
}

impl LinePrinter {
    /// A poll's records that pass the filter, then its gaps and skipped
    /// records: on stdout as lines of their own in a table, on stderr in the
    /// machine formats (so JSON stays JSON).
    fn report(
        &mut self,
        out: &mut impl Write,
        batch: &TailBatch,
        filter: &Filter,
    ) -> std::io::Result<()> {
        for e in batch.records.iter().filter(|e| filter.matches(e)) {
            self.print(out, e)?;
        }
        let mut notes: Vec<String> = batch.gaps.iter().map(|g| format!("gap: {g}")).collect();
        if batch.malformed > 0 {
            let example = batch.malformed_example.as_deref().unwrap_or("");
            let example: String = example.chars().take(200).collect();
            notes.push(format!(
                "skipped {} records without a valid timestamp, e.g. {}",
                batch.malformed,
                sanitize::line(&example)
            ));
        }
        for note in notes {
            if self.style.format == Format::Table {
                writeln!(out, "-- {note} --")?;
            } else {
                eprintln!("tail: {note}");
            }
        }
        Ok(())
    }

    fn print(&mut self, out: &mut impl Write, e: &RawLogEntry) -> std::io::Result<()> {
        let (message, rest) = split_message(e);
        match self.style.format {
            Format::Table => {
                let level = format!("{:<5}", sanitize::line(&e.level.to_uppercase()));
                let level = if self.style.color {
                    paint_level(&level, &e.level)
                } else {
                    level
                };
                let rest = if rest.is_empty() {
                    String::new()
                } else {
                    // JSON escapes C0 controls but not DEL, C1 or bidi controls.
                    format!("  {}", sanitize::line(&Value::Object(rest).to_string()))
                };
                let (time, message) = (sanitize::line(&e.timestamp), sanitize::line(&message));
                writeln!(out, "{time}  {level}  {message}{rest}")
            }
            Format::Json | Format::Ndjson => {
                serde_json::to_writer(&mut *out, e)?;
                writeln!(out)
            }
            Format::Csv => {
                if !self.wrote_header {
                    write_csv_row(out, ["timestamp", "level", "message", "data"])?;
                    self.wrote_header = true;
                }
                let rest = Value::Object(rest).to_string();
                write_csv_row(out, [e.timestamp.as_str(), &e.level, &message, &rest])
            }
        }
    }
}

/// Raw logs of a deployment that samples them are a sample: said once, on
/// stderr, so a reader of the lines knows some writes will never show.
fn note_sampling(rate: Option<f64>) {
    if let Some(note) = crate::client::tail::sampling_note(rate) {
        eprintln!("note: {note}");
    }
}

pub async fn tail(a: TailArgs, outer: &CommonArgs) -> anyhow::Result<()> {
    let common = a.common.or(outer);
    let interval = parse_duration(&a.interval)?;
    if interval.is_zero() {
        return Err(UsageError("--interval must be above 0".to_string()).into());
    }
    let horizon = parse_duration(&a.horizon)?;
    let grep = a
        .grep
        .as_deref()
        .map(Regex::new)
        .transpose()
        .map_err(|e| UsageError(format!("--grep: {e}")))?;
    let filter = Filter {
        levels: a
            .level
            .iter()
            .flat_map(|l| l.split(','))
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect(),
        grep,
    };
    let (client, sampled) = connect_with_sampling(&common)?;
    note_sampling(sampled);
    // A typo would otherwise print nothing, or wait forever with -f.
    if let Some(note) = unknown_note(&client, &a.project, Some(&a.logstore)).await {
        let waiting = if a.follow {
            "; waiting for its first record (Ctrl-C stops)"
        } else {
            ""
        };
        eprintln!("note: {note}{waiting}");
    }
    let mut tailer = Tailer::new(
        client,
        &a.project,
        &a.logstore,
        TailOptions {
            start: TailStart::Backlog(a.lines as usize),
            interval,
            horizon,
            max_calls_per_poll: a.max_calls,
            ..TailOptions::default()
        },
    );
    let mut printer = LinePrinter {
        style: style(&common),
        wrote_header: false,
    };
    let mut out = stdout();
    // The newest N *matching* records, paging back as far as needed.
    let backlog = tailer
        .backlog_matching(a.lines as usize, |e| filter.matches(e))
        .await?;
    printer.report(&mut out, &backlog, &filter)?;
    out.flush()?;
    if !a.follow {
        return Ok(());
    }
    let mut broken: Option<std::io::Error> = None;
    let mut failing = false;
    let following = follow(tailer, |event| {
        let go_on = match event {
            FollowEvent::Batch(batch) => {
                if std::mem::take(&mut failing) {
                    eprintln!("tail: connected again");
                }
                let printed = printer
                    .report(&mut out, &batch, &filter)
                    .and_then(|()| out.flush());
                match printed {
                    Ok(()) => true,
                    Err(e) => {
                        broken = Some(e);
                        false
                    }
                }
            }
            FollowEvent::Retrying {
                message, retry_in, ..
            } => {
                failing = true;
                eprintln!(
                    "tail: {}; retrying in {}s",
                    sanitize::line(&message),
                    retry_in.as_secs_f32().ceil()
                );
                true
            }
            FollowEvent::Failed(message) => {
                eprintln!("tail: {}", sanitize::line(&message));
                false
            }
        };
        std::future::ready(go_on)
    });
    tokio::select! {
        _ = following => {}
        _ = tokio::signal::ctrl_c() => return Ok(()),
    }
    match broken {
        // A closed pipe (`| head`) ends the tail quietly.
        Some(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Some(e) => Err(e.into()),
        None => Err(anyhow::anyhow!("tail stopped")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(level: &str, data: Value) -> RawLogEntry {
        RawLogEntry {
            timestamp: "2026-11-27T02:15:35.123Z".into(),
            level: level.into(),
            data,
        }
    }

    #[test]
    fn message_or_event_and_the_rest() {
        let (m, rest) = split_message(&entry(
            "info",
            json!({"project":"p","logstore":"l","level":"info","message":"hi","user":"u"}),
        ));
        assert_eq!(m, "hi");
        assert_eq!(Value::Object(rest), json!({"user": "u"}));
        let (m, _) = split_message(&entry("warn", json!({"event":"http","blobs":["a"]})));
        assert_eq!(m, "http");
    }

    #[test]
    fn since_counts_back_and_refuses_what_overflows() {
        let now = chrono::Utc::now();
        let start = since_start("15m", now).unwrap();
        assert_eq!((now - start).num_seconds(), 900);
        // Far enough to overflow chrono's calendar but not u64 milliseconds.
        let e = since_start("999999999d", now).unwrap_err();
        assert!(e.0.contains("too long"), "{e}");
        assert!(since_start("99999999999999d", now).is_err());
    }

    #[test]
    fn filter_by_level_and_regex() {
        let f = Filter {
            levels: vec!["ERROR".into()],
            grep: Some(Regex::new("time(out)?").unwrap()),
        };
        assert!(f.matches(&entry("error", json!({"message":"timeout"}))));
        assert!(f.matches(&entry("error", json!({"message":"x","why":"time"}))));
        assert!(!f.matches(&entry("info", json!({"message":"timeout"}))));
        assert!(!f.matches(&entry("error", json!({"message":"ok"}))));
    }

    #[test]
    fn lines_in_each_format() {
        let e = entry("error", json!({"message":"boom","code":5}));
        let mut p = LinePrinter {
            style: Style {
                format: Format::Table,
                color: false,
            },
            wrote_header: false,
        };
        let mut buf = Vec::new();
        p.print(&mut buf, &e).unwrap();
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "2026-11-27T02:15:35.123Z  ERROR  boom  {\"code\":5}\n"
        );
        // Escape sequences in a logged message are shown, not obeyed.
        let evil = entry("info", json!({"message":"x\u{1b}[2Jy"}));
        let mut buf = Vec::new();
        p.print(&mut buf, &evil).unwrap();
        let line = String::from_utf8(buf).unwrap();
        assert!(line.ends_with("x␛[2Jy\n"), "{line:?}");
        p.style.format = Format::Csv;
        let mut buf = Vec::new();
        p.print(&mut buf, &e).unwrap();
        p.print(&mut buf, &e).unwrap();
        assert_eq!(
            String::from_utf8(buf).unwrap().matches("timestamp").count(),
            1
        );
    }
}
