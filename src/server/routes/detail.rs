//! `POST /v1/{project}/{logstore}/detail`: payloads by ref_id, only the
//! caller tenant's (upstream returns any tenant's; we don't).

use axum::extract::{FromRequest, Request, State};
use axum::routing::post;
use axum::{Json, Router};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::limits::MAX_REF_IDS;
use crate::server::app::AppState;
use crate::server::error::AppError;
use crate::server::extract::{JsonBody, Tenant};
use crate::server::store;
use crate::server::time::now_ms;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/{project}/{logstore}/detail", post(detail))
}

#[derive(Serialize)]
struct Entry {
    ref_id: String,
    payload: Box<RawValue>,
    created_at: i64,
    expires_at: i64,
}

#[derive(Serialize)]
struct Answer {
    results: Vec<Entry>,
}

fn ref_ids(body: &Value) -> Result<Vec<String>, AppError> {
    let items = match body.get("ref_ids") {
        Some(Value::Array(items)) if !items.is_empty() => items,
        _ => return Err(AppError::bad_request("ref_ids must be a non-empty array")),
    };
    if items.len() > MAX_REF_IDS {
        return Err(AppError::bad_request(format!(
            "max {MAX_REF_IDS} ref_ids per request"
        )));
    }
    items
        .iter()
        .map(|v| v.as_str().map(str::to_string))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| AppError::bad_request("ref_ids must be strings"))
}

async fn detail(
    State(state): State<AppState>,
    tenant: Tenant,
    req: Request,
) -> Result<Json<Answer>, AppError> {
    // Upstream answers 501 before it reads the body; so do we.
    if !state.payloads {
        return Err(AppError::PayloadsDisabled);
    }
    let JsonBody(body) = JsonBody::from_request(req, &state).await?;
    let ids = ref_ids(&body)?;
    let now = now_ms();
    let rows = state
        .store
        .write(move |conn| store::read_payloads(conn, &tenant.project, &tenant.logstore, &ids, now))
        .await?;
    let results = rows
        .into_iter()
        .map(|row| {
            let payload = RawValue::from_string(row.payload)
                .map_err(|e| AppError::Internal(format!("stored payload is not JSON: {e}")))?;
            Ok(Entry {
                ref_id: row.ref_id,
                payload,
                created_at: row.created_at,
                expires_at: row.expires_at,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(Json(Answer { results }))
}
