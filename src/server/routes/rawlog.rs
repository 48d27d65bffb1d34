//! `POST /v1/{project}/{logstore}/rawlog`: the tenant's newest raw records
//! (points and log entries) with `start <= ts <= end`, newest first.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::limits::{RAWLOG_DEFAULT_LIMIT, RAWLOG_DEFAULT_WINDOW_SECONDS, RAWLOG_MAX_LIMIT};
use crate::server::app::AppState;
use crate::server::batch::whole_number;
use crate::server::error::AppError;
use crate::server::extract::{JsonBody, Tenant};
use crate::server::store;
use crate::server::time::{iso_from_ms, now_ms, parse_iso_ms};

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/{project}/{logstore}/rawlog", post(rawlog))
}

#[derive(Serialize)]
struct Entry {
    timestamp: String,
    level: String,
    // Stored as JSON text; sent as it is, without a parse and re-serialise.
    data: Box<RawValue>,
}

#[derive(Serialize)]
struct Answer {
    logs: Vec<Entry>,
    count: usize,
}

/// The window and limit a rawlog body asks for.
#[derive(Debug, PartialEq, Eq)]
struct Window {
    start_ms: i64,
    end_ms: i64,
    limit: u32,
}

fn time_field(body: &Value, key: &str) -> Result<Option<i64>, AppError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => parse_iso_ms(s).map(Some).ok_or_else(|| {
            AppError::bad_request(format!("{key} must be an ISO-8601 timestamp, got {s:?}"))
        }),
        Some(other) => Err(AppError::bad_request(format!(
            "{key} must be an ISO-8601 timestamp string, got {other}"
        ))),
    }
}

fn window(body: &Value, now_ms: i64) -> Result<Window, AppError> {
    if !body.is_object() {
        return Err(AppError::bad_request("rawlog body must be a JSON object"));
    }
    let limit = match body.get("limit") {
        None | Some(Value::Null) => RAWLOG_DEFAULT_LIMIT,
        Some(v) => match whole_number(v) {
            Some(n) if n >= 1 => n.min(u64::from(RAWLOG_MAX_LIMIT)) as u32,
            _ => {
                return Err(AppError::bad_request(format!(
                "limit must be an integer >= 1 (at most {RAWLOG_MAX_LIMIT} are returned), got {v}"
            )))
            }
        },
    };
    let end_ms = time_field(body, "end")?.unwrap_or(now_ms);
    let start_ms =
        time_field(body, "start")?.unwrap_or(end_ms - RAWLOG_DEFAULT_WINDOW_SECONDS * 1000);
    Ok(Window {
        start_ms,
        end_ms,
        limit,
    })
}

async fn rawlog(
    State(state): State<AppState>,
    tenant: Tenant,
    JsonBody(body): JsonBody,
) -> Result<Json<Answer>, AppError> {
    let now = now_ms();
    let w = window(&body, now)?;
    let rows = state
        .store
        .read(move |conn| {
            store::read_rawlogs(
                conn,
                &tenant.project,
                &tenant.logstore,
                w.start_ms,
                w.end_ms,
                w.limit,
                now,
            )
        })
        .await?;
    let logs = rows
        .into_iter()
        .map(|row| {
            let data = RawValue::from_string(row.data)
                .map_err(|e| AppError::Internal(format!("stored raw record is not JSON: {e}")))?;
            Ok(Entry {
                timestamp: iso_from_ms(row.ts_ms),
                level: row.level,
                data,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(Json(Answer {
        count: logs.len(),
        logs,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_are_the_last_six_hours_and_fifty() {
        let w = window(&json!({}), 100_000_000).unwrap();
        assert_eq!(w.limit, 50);
        assert_eq!(w.end_ms, 100_000_000);
        assert_eq!(w.start_ms, 100_000_000 - 6 * 3600 * 1000);
    }

    #[test]
    fn limit_is_capped_and_checked() {
        assert_eq!(window(&json!({"limit": 1000}), 0).unwrap().limit, 200);
        assert_eq!(window(&json!({"limit": 20.0}), 0).unwrap().limit, 20);
        for bad in [json!(0), json!(-1), json!(2.5), json!("10"), json!(true)] {
            assert!(window(&json!({ "limit": bad }), 0).is_err(), "{bad}");
        }
    }

    #[test]
    fn times_must_be_iso() {
        assert!(window(&json!({"start": "yesterday"}), 0).is_err());
        assert!(window(&json!({"end": 12345}), 0).is_err());
        assert!(window(&json!([]), 0).is_err());
    }
}
