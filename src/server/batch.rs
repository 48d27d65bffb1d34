//! Turning `ingest` and `log` bodies into rows to store. Parsing is lenient
//! where upstream is (entries without an event/message are skipped, unknown
//! fields kept) and strict where our server is on purpose: every client-side
//! limit is checked here too, with a 400 naming the point, and the reserved
//! fields `project`, `logstore` and `level` of a raw record are always ours.

use serde_json::{Map, Value};

use super::error::AppError;
use super::store::{NewLog, NewPoint, RowShape};
use crate::limits::*;

/// The batch array under `key`, checked for presence and size, taken out of
/// the body (no copy of the entries).
fn take_batch(mut body: Value, key: &str, noun: &str, max: usize) -> Result<Vec<Value>, AppError> {
    match body.get_mut(key).map(Value::take) {
        Some(Value::Array(items)) if !items.is_empty() => {
            if items.len() > max {
                Err(AppError::bad_request(format!(
                    "max {max} {noun} per request"
                )))
            } else {
                Ok(items)
            }
        }
        _ => Err(AppError::bad_request(format!(
            "{key} must be a non-empty array"
        ))),
    }
}

/// A JSON number that is a whole number >= 0 (`60` or `60.0`: some JSON
/// writers print integral floats with a fraction).
pub(crate) fn whole_number(v: &Value) -> Option<u64> {
    v.as_u64().or_else(|| {
        v.as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= u64::MAX as f64)
            .map(|f| f as u64)
    })
}

/// A non-empty string level, else the default.
fn level_of(entry: &Map<String, Value>) -> String {
    match entry.get("level") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => DEFAULT_LEVEL.to_string(),
    }
}

/// `{project, logstore, level, ...entry}` as JSON text, with the reserved
/// keys ours whatever the entry says. Hands the entry back (now holding the
/// reserved keys) so its fields can be moved out without a copy.
pub(crate) fn raw_record(
    project: &str,
    logstore: &str,
    level: &str,
    mut entry: Map<String, Value>,
) -> (String, Map<String, Value>) {
    entry.insert("project".into(), Value::from(project));
    entry.insert("logstore".into(), Value::from(logstore));
    entry.insert("level".into(), Value::from(level));
    let record = Value::Object(entry);
    let text = record.to_string();
    match record {
        Value::Object(entry) => (text, entry),
        _ => (text, Map::new()),
    }
}

/// Parse an `ingest` body into points to store; skipped points are absent.
pub fn points(
    project: &str,
    logstore: &str,
    body: Value,
    now_ms: i64,
) -> Result<Vec<NewPoint>, AppError> {
    let items = take_batch(body, "points", "points", MAX_POINTS_PER_REQUEST)?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let Value::Object(obj) = item else {
            continue;
        };
        if !matches!(obj.get("event"), Some(Value::String(e)) if !e.is_empty()) {
            continue;
        }
        let bad = |what: String| AppError::bad_request(format!("point {i}: {what}"));
        // AE stores blobs as strings only; upstream writes `level ?? "info"`
        // as blob4, so a number there would not be a string blob.
        if !matches!(
            obj.get("level"),
            None | Some(Value::Null | Value::String(_))
        ) {
            return Err(bad("level must be a string".into()));
        }
        let level = level_of(&obj);
        // Checked here, moved out of the entry once its raw record is written.
        let blob_count = match obj.get("blobs") {
            None | Some(Value::Null) => 0,
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => items.len(),
            Some(Value::Array(_)) => return Err(bad("blobs must be strings".into())),
            Some(_) => return Err(bad("blobs must be an array of strings".into())),
        };
        if blob_count > MAX_BLOBS {
            return Err(bad(format!(
                "{blob_count} blobs; the maximum is {MAX_BLOBS}"
            )));
        }
        let doubles = match obj.get("doubles") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(Value::as_f64)
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| bad("doubles must be numbers".into()))?,
            Some(_) => return Err(bad("doubles must be an array of numbers".into())),
        };
        if doubles.len() > MAX_DOUBLES {
            return Err(bad(format!(
                "{} doubles; the maximum is {MAX_DOUBLES}",
                doubles.len()
            )));
        }
        let payload = match obj.get("payload") {
            None | Some(Value::Null) => None,
            Some(p @ Value::Object(_)) => Some(p.to_string()),
            Some(_) => return Err(bad("payload must be a JSON object".into())),
        };
        let ttl_s = match obj.get("ttl") {
            None | Some(Value::Null) => DEFAULT_TTL_SECONDS,
            Some(t) => whole_number(t)
                .ok_or_else(|| bad("ttl must be an integer number of seconds >= 0".into()))?,
        };
        let event = obj.get("event").and_then(Value::as_str).unwrap_or("");
        let blob_strs = obj
            .get("blobs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str);
        let bytes = point_blob_bytes(
            project,
            logstore,
            event,
            &level,
            payload.is_some(),
            blob_strs,
        );
        if bytes > MAX_BLOB_BYTES {
            return Err(bad(format!(
                "its blobs take {bytes} bytes; the maximum is {MAX_BLOB_BYTES}"
            )));
        }
        let expires_at = now_ms.saturating_add(
            i64::try_from(ttl_s)
                .unwrap_or(i64::MAX)
                .saturating_mul(1000),
        );
        let (raw, mut obj) = raw_record(project, logstore, &level, obj);
        let event = match obj.remove("event") {
            Some(Value::String(e)) => e,
            _ => continue,
        };
        let blobs = match obj.remove("blobs") {
            Some(Value::Array(items)) => items
                .into_iter()
                .filter_map(|b| match b {
                    Value::String(s) => Some(s),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        out.push(NewPoint {
            raw,
            event,
            level,
            blobs,
            doubles,
            payload: payload.map(|p| (p, expires_at)),
            shape: RowShape::AT_ONCE,
        });
    }
    Ok(out)
}

/// Parse a `log` body into entries to store; skipped entries are absent.
pub fn logs(project: &str, logstore: &str, body: Value) -> Result<Vec<NewLog>, AppError> {
    let items = take_batch(body, "logs", "logs", MAX_LOGS_PER_REQUEST)?;
    Ok(items
        .into_iter()
        .filter_map(|item| match item {
            Value::Object(obj) => Some(obj),
            _ => None,
        })
        .filter(|obj| matches!(obj.get("message"), Some(Value::String(m)) if !m.is_empty()))
        .map(|obj| {
            let level = level_of(&obj);
            NewLog {
                raw: raw_record(project, logstore, &level, obj).0,
                level,
                raw_delay_ms: Some(0),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn skips_points_without_event_and_keeps_reserved_fields() {
        let body = json!({"points": [
            {"event": "a", "project": "evil", "level": "warn", "x": 1},
            {"event": ""}, {"event": 5}, {"level": "info"}, "str",
        ]});
        let pts = points("p", "l", body, 0).unwrap();
        assert_eq!(pts.len(), 1);
        let raw: Value = serde_json::from_str(&pts[0].raw).unwrap();
        assert_eq!(raw["project"], "p");
        assert_eq!(raw["logstore"], "l");
        assert_eq!(raw["level"], "warn");
        assert_eq!(raw["x"], 1);
    }

    #[test]
    fn limits_name_the_point() {
        let blobs: Vec<String> = (0..16).map(|i| i.to_string()).collect();
        let body = json!({"points": [{"event": "ok"}, {"event": "e", "blobs": blobs}]});
        let err = points("p", "l", body, 0).unwrap_err().to_string();
        assert!(err.starts_with("point 1: 16 blobs"), "{err}");
    }

    #[test]
    fn a_point_level_must_be_a_string_or_absent() {
        let body = json!({"points": [{"event": "a", "level": null}, {"event": "b", "level": 5}]});
        let err = points("p", "l", body, 0).unwrap_err().to_string();
        assert_eq!(err, "point 1: level must be a string");
        let pts = points(
            "p",
            "l",
            json!({"points": [{"event": "a", "level": null}, {"event": "b"}]}),
            0,
        )
        .unwrap();
        assert!(pts.iter().all(|p| p.level == "info"));
    }

    #[test]
    fn log_level_cannot_be_a_non_string() {
        let body =
            json!({"logs": [{"message": "m", "level": 3, "logstore": "x"}, {"message": ""}]});
        let logs = logs("p", "l", body).unwrap();
        assert_eq!(logs.len(), 1);
        assert_eq!(logs[0].level, "info");
        let raw: Value = serde_json::from_str(&logs[0].raw).unwrap();
        assert_eq!(raw["logstore"], "l");
        assert_eq!(raw["level"], "info");
    }

    #[test]
    fn batch_errors_use_the_spec_text() {
        let err = logs("p", "l", json!({"logs": []})).unwrap_err().to_string();
        assert_eq!(err, "logs must be a non-empty array");
        let many: Vec<Value> = (0..251).map(|_| json!({"event": "e"})).collect();
        let err = points("p", "l", json!({ "points": many }), 0)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "max 250 points per request");
    }
}
