//! `POST /v1/{project}/{logstore}/log`: raw log entries, to Workers Logs only.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::server::app::AppState;
use crate::server::batch;
use crate::server::error::AppError;
use crate::server::extract::{JsonBody, Tenant};
use crate::server::store;
use crate::server::time::now_ms;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/{project}/{logstore}/log", post(log))
}

async fn log(
    State(state): State<AppState>,
    tenant: Tenant,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, AppError> {
    let mut logs = batch::logs(&tenant.project, &tenant.logstore, body)?;
    let written = logs.len();
    let now = now_ms();
    state.realism.shape_logs(&mut logs, now);
    state
        .store
        .write(move |conn| store::write_logs(conn, &tenant.project, &tenant.logstore, &logs, now))
        .await?;
    Ok(Json(json!({ "ok": true, "written": written })))
}
