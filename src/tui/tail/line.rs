//! One raw log record as the tail pane keeps it: parsed once on arrival
//! (time, level, the text to show and to search), so filtering and drawing
//! never re-read the JSON.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::client::RawLogEntry;
use crate::tui::fields::FieldNames;

/// Fields already shown elsewhere on the line, or the same for every line.
const HIDDEN_FIELDS: [&str; 5] = ["project", "logstore", "level", "message", "event"];

#[derive(Debug, Clone, PartialEq)]
pub struct TailLine {
    /// Arrival order; never reused, so a line keeps its identity after the
    /// buffer drops older ones.
    pub seq: u64,
    pub time: Option<DateTime<Utc>>,
    /// The timestamp as sent, shown when it does not parse.
    pub raw_time: String,
    pub level: String,
    /// `message` of a log entry or `event` of an ingested point.
    pub message: String,
    /// The other fields, `key=value` separated by spaces.
    pub rest: String,
    /// Lower-cased `level message rest`, for case-insensitive filters.
    pub search: String,
    pub data: Value,
}

impl TailLine {
    #[cfg(test)]
    pub fn new(seq: u64, entry: RawLogEntry) -> Self {
        Self::named(seq, entry, &FieldNames::default())
    }

    /// As [`TailLine::new`]; when the logstore names its columns, an
    /// event's `blobs`/`doubles` arrays show as `name=value` (named) and
    /// `blob7=value` (unnamed, non-empty) pairs instead of `blobs=[…]`.
    pub fn named(seq: u64, entry: RawLogEntry, names: &FieldNames) -> Self {
        let time = DateTime::parse_from_rfc3339(&entry.timestamp)
            .ok()
            .map(|t| t.with_timezone(&Utc));
        // What is shown is made safe here, once, so widths, filters and
        // highlights all work on the text that is drawn; `data` stays exact.
        let level = shown(entry.level.to_ascii_lowercase());
        let message = shown(
            ["message", "event"]
                .iter()
                .find_map(|k| entry.data.get(*k))
                .map(value_text)
                .unwrap_or_default(),
        );
        let rest = match &entry.data {
            Value::Object(map) => map
                .iter()
                .filter(|(k, _)| !HIDDEN_FIELDS.contains(&k.as_str()))
                .flat_map(|(k, v)| match (k.as_str(), v) {
                    ("blobs", Value::Array(items)) if !names.is_empty() => {
                        positional_pairs(items, "blob", 6, names)
                    }
                    ("doubles", Value::Array(items)) if !names.is_empty() => {
                        positional_pairs(items, "double", 1, names)
                    }
                    _ => vec![format!("{k}={}", compact(v))],
                })
                .collect::<Vec<_>>()
                .join(" "),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        let rest = shown(rest);
        let search = format!("{level} {message} {rest}").to_lowercase();
        Self {
            seq,
            time,
            raw_time: shown(entry.timestamp),
            level,
            message,
            rest,
            search,
            data: entry.data,
        }
    }

    /// How severe the level is, for the level filter: debug 0, info 1,
    /// warn 2, error 3; unknown levels count as info.
    pub fn severity(&self) -> u8 {
        severity(&self.level)
    }
}

pub fn severity(level: &str) -> u8 {
    match level {
        "trace" | "debug" => 0,
        "warn" | "warning" => 2,
        "error" | "fatal" | "critical" => 3,
        _ => 1,
    }
}

/// `s` as it may be drawn (see [`crate::sanitize`]).
fn shown(s: String) -> String {
    match crate::sanitize::line(&s) {
        std::borrow::Cow::Borrowed(_) => s,
        std::borrow::Cow::Owned(clean) => clean,
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// An event's blobs (blob6…) or doubles (double1…) as `name=value` pairs:
/// every named one, and the unnamed ones that hold something (not `""`
/// or 0, which AE stores for unset ones).
fn positional_pairs(
    items: &[Value],
    prefix: &str,
    first: usize,
    names: &FieldNames,
) -> Vec<String> {
    items
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let column = format!("{prefix}{}", first + i);
            match names.name_of(&column) {
                Some(name) => Some(format!("{name}={}", compact(v))),
                None if v.as_str() == Some("") || v.as_f64() == Some(0.0) => None,
                None => Some(format!("{column}={}", compact(v))),
            }
        })
        .collect()
}

/// Strings bare unless they hold spaces; everything else as compact JSON.
fn compact(v: &Value) -> String {
    match v {
        Value::String(s) if !s.is_empty() && !s.contains(char::is_whitespace) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_a_log_entry() {
        let l = TailLine::new(
            7,
            RawLogEntry {
                timestamp: "2026-11-27T02:15:35.123Z".into(),
                level: "WARN".into(),
                data: json!({"project": "p", "logstore": "l", "level": "warn",
                    "message": "disk low", "free": 3, "host": "db 1"}),
            },
        );
        assert_eq!(l.level, "warn");
        assert_eq!(l.severity(), 2);
        assert_eq!(l.message, "disk low");
        assert_eq!(l.rest, "free=3 host=\"db 1\"");
        assert_eq!(
            l.time.map(|t| t.timestamp_millis()),
            Some(1_795_745_735_123)
        );
        assert!(l.search.contains("disk low"));
    }

    #[test]
    fn an_ingested_point_shows_its_event() {
        let l = TailLine::new(
            1,
            RawLogEntry {
                timestamp: "not a time".into(),
                level: "info".into(),
                data: json!({"event": "checkout", "doubles": [1.5]}),
            },
        );
        assert_eq!(l.message, "checkout");
        assert_eq!(l.rest, "doubles=[1.5]");
        assert_eq!(l.time, None);
        assert_eq!(l.raw_time, "not a time");
    }

    #[test]
    fn named_columns_show_by_name_on_the_line() {
        let names = FieldNames::new(
            "t",
            &[("blob6", "path"), ("double1", "latency_ms")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
        .unwrap();
        let l = TailLine::named(
            1,
            RawLogEntry {
                timestamp: "2026-11-27T02:15:35.123Z".into(),
                level: "info".into(),
                data: json!({"event": "req", "blobs": ["/a", "", "u1"], "doubles": [12.5, 3]}),
            },
            &names,
        );
        assert_eq!(l.rest, "path=/a blob8=u1 latency_ms=12.5 double2=3");
    }
}
