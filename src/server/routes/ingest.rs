//! `POST /v1/{project}/{logstore}/ingest`: data points to AE (events), their
//! payloads to D1 and a raw copy of each to Workers Logs.

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
    Router::new().route("/v1/{project}/{logstore}/ingest", post(ingest))
}

async fn ingest(
    State(state): State<AppState>,
    tenant: Tenant,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, AppError> {
    let now = now_ms();
    let mut points = batch::points(&tenant.project, &tenant.logstore, body, now)?;
    if !state.payloads {
        // Like upstream without D1: the payload is dropped and blob5 stays "".
        for p in &mut points {
            p.payload = None;
        }
    }
    let written = points.len();
    state
        .realism
        .shape_points(&tenant.project, &tenant.logstore, &mut points, now);
    let points = state
        .store
        .write(move |conn| {
            store::write_points(conn, &tenant.project, &tenant.logstore, &points, now)?;
            // Handed back to be freed here, not on the one writer thread.
            Ok(points)
        })
        .await?;
    drop(points);
    Ok(Json(json!({ "ok": true, "written": written })))
}
