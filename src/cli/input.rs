//! Reading what `ingest`, `log` and `query` send: a file or stdin, holding a
//! JSON array or NDJSON. Everything is parsed and checked before the first
//! request, and a bad item names its line or index, so a typo never leaves a
//! half-written batch behind.

use std::io::{IsTerminal, Read};
use std::path::Path;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::UsageError;
use crate::client::{DataPoint, LogEntry};

/// Fields a data point may have; anything else is probably a typo.
const POINT_FIELDS: &[&str] = &["event", "level", "blobs", "doubles", "payload", "ttl"];

/// The text of FILE, or stdin for `-` or no file, without a UTF-8 byte
/// order mark (Windows editors and PowerShell write one; it is not JSON).
pub fn read_source(file: Option<&str>) -> Result<String, UsageError> {
    read_raw(file).map(without_bom)
}

fn without_bom(text: String) -> String {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    }
}

fn read_raw(file: Option<&str>) -> Result<String, UsageError> {
    match file {
        None | Some("-") => {
            if std::io::stdin().is_terminal() {
                eprintln!("reading from the terminal; end with Ctrl-D (or pass a FILE)");
            }
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| UsageError(format!("cannot read stdin: {e}")))?;
            Ok(text)
        }
        Some(path) => std::fs::read_to_string(Path::new(path))
            .map_err(|e| UsageError(format!("cannot read {path}: {e}"))),
    }
}

/// JSON objects from a JSON array (optionally `{"points": [...]}`-wrapped
/// under `wrapper`) or from NDJSON, each with where it came from.
/// A JSON object of the input and where it was (`line 3`, `item 2`).
type Located = (String, Map<String, Value>);

fn objects(text: &str, wrapper: &str) -> Result<Vec<Located>, UsageError> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') || (trimmed.starts_with('{') && is_single_wrapped(text, wrapper)) {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| UsageError(format!("input is not valid JSON: {e}")))?;
        let items = match value {
            Value::Array(items) => items,
            Value::Object(mut o) => match o.remove(wrapper) {
                Some(Value::Array(items)) => items,
                _ => return Err(UsageError(format!("expected an array under \"{wrapper}\""))),
            },
            _ => return Err(UsageError("expected a JSON array".to_string())),
        };
        items
            .into_iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::Object(o) => Ok((format!("item {i}"), o)),
                other => Err(UsageError(format!(
                    "item {i}: expected a JSON object, got {}",
                    kind(&other)
                ))),
            })
            .collect()
    } else {
        let mut out = Vec::new();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let at = format!("line {}", n + 1);
            match serde_json::from_str::<Value>(line) {
                Ok(Value::Object(o)) => out.push((at, o)),
                Ok(other) => {
                    return Err(UsageError(format!(
                        "{at}: expected a JSON object, got {}",
                        kind(&other)
                    )))
                }
                Err(e) => return Err(UsageError(format!("{at}: not valid JSON: {e}"))),
            }
        }
        Ok(out)
    }
}

/// True when the whole text is one object with the wrapper key (not NDJSON).
fn is_single_wrapped(text: &str, wrapper: &str) -> bool {
    matches!(serde_json::from_str::<Value>(text), Ok(Value::Object(o)) if o.contains_key(wrapper))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The item as a typed value; a wrong type names the field it is in
/// (`line 3: doubles[1]: invalid type: string "x", expected f64`).
fn typed<T: DeserializeOwned>(at: &str, o: Map<String, Value>) -> Result<T, UsageError> {
    serde_path_to_error::deserialize(Value::Object(o)).map_err(|e| {
        let field = e.path().to_string();
        let inner = e.into_inner();
        if field == "." {
            UsageError(format!("{at}: {inner}"))
        } else {
            UsageError(format!("{at}: {field}: {inner}"))
        }
    })
}

/// Data points: a JSON array, `{"points": [...]}` or NDJSON.
pub fn parse_points(text: &str) -> Result<Vec<DataPoint>, UsageError> {
    objects(text, "points")?
        .into_iter()
        .map(|(at, o)| {
            if let Some(k) = o.keys().find(|k| !POINT_FIELDS.contains(&k.as_str())) {
                return Err(UsageError(format!(
                    "{at}: unknown field \"{k}\" (a point has {})",
                    POINT_FIELDS.join(", ")
                )));
            }
            match o.get("event") {
                Some(Value::String(s)) if !s.is_empty() => {}
                _ => {
                    return Err(UsageError(format!(
                        "{at}: \"event\" must be a non-empty string"
                    )))
                }
            }
            typed(&at, o)
        })
        .collect()
}

/// Log entries: a JSON array, `{"logs": [...]}`, NDJSON objects, or plain
/// text lines (each becomes a message at `default_level`).
pub fn parse_logs(text: &str, default_level: Option<&str>) -> Result<Vec<LogEntry>, UsageError> {
    let structured = looks_structured(text);
    let mut entries: Vec<LogEntry> = if structured {
        objects(text, "logs")?
            .into_iter()
            .map(|(at, o)| {
                match o.get("message") {
                    Some(Value::String(s)) if !s.is_empty() => {}
                    _ => {
                        return Err(UsageError(format!(
                            "{at}: \"message\" must be a non-empty string"
                        )))
                    }
                }
                typed(&at, o)
            })
            .collect::<Result<_, _>>()?
    } else {
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(LogEntry::new)
            .collect()
    };
    if let Some(level) = default_level {
        for e in entries.iter_mut().filter(|e| e.level.is_none()) {
            e.level = Some(level.to_string());
        }
    }
    Ok(entries)
}

/// True when log input is JSON rather than text lines. A `{` first means
/// JSON; a `[` only when an object or `]` follows (`[{...}]`, `[]`), so
/// the many text logs that start with `[INFO]` or `[2026-11-27 ...]` are
/// sent as text, while a broken JSON array still gets a JSON error.
fn looks_structured(text: &str) -> bool {
    let t = text.trim_start();
    if t.starts_with('{') {
        return true;
    }
    match t.strip_prefix('[') {
        Some(rest) => matches!(rest.trim_start().chars().next(), Some('{' | ']') | None),
        None => false,
    }
}

/// `--field k=v`: v is JSON when it parses as JSON (numbers, true, null,
/// objects), else a string.
pub fn parse_field(spec: &str) -> Result<(String, Value), UsageError> {
    let (k, v) = spec
        .split_once('=')
        .ok_or_else(|| UsageError(format!("--field {spec:?}: expected key=value")))?;
    let k = k.trim();
    if k.is_empty() {
        return Err(UsageError(format!("--field {spec:?}: empty key")));
    }
    if ["message", "level", "project", "logstore"].contains(&k) {
        return Err(UsageError(format!(
            "--field {k}: reserved; use --message/--level (project and logstore come from the arguments)"
        )));
    }
    let value = serde_json::from_str(v).unwrap_or_else(|_| Value::String(v.to_string()));
    Ok((k.to_string(), value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_from_array_wrapper_and_ndjson() {
        let a = parse_points(r#"[{"event":"a"},{"event":"b","doubles":[1,2]}]"#).unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!(a[1].doubles, vec![1.0, 2.0]);
        let w = parse_points(r#"{"points":[{"event":"a"}]}"#).unwrap();
        assert_eq!(w.len(), 1);
        let n =
            parse_points("{\"event\":\"a\"}\n\n{\"event\":\"b\",\"level\":\"warn\"}\n").unwrap();
        assert_eq!(n[1].level.as_deref(), Some("warn"));
    }

    #[test]
    fn bad_points_name_where() {
        let e =
            parse_points("{\"event\":\"a\"}\n{\"event\":\"b\",\"blob\":[\"x\"]}\n").unwrap_err();
        assert!(e.0.starts_with("line 2: unknown field \"blob\""), "{e}");
        let e = parse_points(r#"[{"event":"a"},{"level":"x"}]"#).unwrap_err();
        assert!(e.0.starts_with("item 1: \"event\""), "{e}");
        let e = parse_points("{\"event\":\"a\"}\n{oops\n").unwrap_err();
        assert!(e.0.starts_with("line 2: not valid JSON"), "{e}");
        let e = parse_points(r#"[{"event":"a","doubles":["x"]}]"#).unwrap_err();
        assert!(e.0.starts_with("item 0: doubles[0]: invalid type"), "{e}");
        let e = parse_points("{\"event\":\"a\",\"ttl\":-5}\n").unwrap_err();
        assert!(e.0.starts_with("line 1: ttl: "), "{e}");
        let e = parse_logs("{\"message\":\"m\",\"level\":5}\n", None).unwrap_err();
        assert!(e.0.starts_with("line 1: level: "), "{e}");
        assert!(parse_points("[1]").is_err());
    }

    #[test]
    fn logs_from_text_and_json() {
        let t = parse_logs("one\n\ntwo\n", Some("warn")).unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].message, "one");
        assert_eq!(t[1].level.as_deref(), Some("warn"));
        let j = parse_logs(
            r#"[{"message":"m","user":"u1","level":"error"}]"#,
            Some("warn"),
        )
        .unwrap();
        assert_eq!(j[0].level.as_deref(), Some("error"));
        assert_eq!(j[0].fields["user"], "u1");
        assert!(parse_logs("{\"level\":\"x\"}\n", None).is_err());
    }

    #[test]
    fn a_byte_order_mark_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("points.ndjson");
        std::fs::write(&path, "\u{feff}{\"event\":\"a\"}\r\n{\"event\":\"b\"}\r\n").unwrap();
        let text = read_source(path.to_str()).unwrap();
        assert_eq!(parse_points(&text).unwrap().len(), 2);
        assert_eq!(without_bom("\u{feff}hello".into()), "hello");
        assert_eq!(without_bom("hel\u{feff}lo".into()), "hel\u{feff}lo");
    }

    #[test]
    fn text_lines_may_start_with_a_bracket() {
        let t = parse_logs("[INFO] server started\n[WARN] disk\n", None).unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].message, "[INFO] server started");
        let t = parse_logs("[2026-11-27 02:00:00] up\n", None).unwrap();
        assert_eq!(t[0].message, "[2026-11-27 02:00:00] up");
        // A JSON array stays JSON, and a broken one says so.
        assert_eq!(
            parse_logs("[\n {\"message\":\"m\"}\n]", None)
                .unwrap()
                .len(),
            1
        );
        assert!(parse_logs("[]", None).unwrap().is_empty());
        let e = parse_logs("[{\"message\":\"m\"},]", None).unwrap_err();
        assert!(e.0.contains("not valid JSON"), "{e}");
    }

    #[test]
    fn fields_parse_json_or_text() {
        assert_eq!(parse_field("n=5").unwrap().1, serde_json::json!(5));
        assert_eq!(parse_field("s=abc").unwrap().1, serde_json::json!("abc"));
        assert_eq!(parse_field("e=").unwrap().1, serde_json::json!(""));
        assert!(parse_field("noequals").is_err());
        assert!(parse_field("level=x").is_err());
    }
}
