//! `POST /v1/{project}/{logstore}/query`: AE SQL, scoped to the tenant by the
//! SQL pipeline, run on a reader connection.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::Value;

use crate::server::app::AppState;
use crate::server::error::AppError;
use crate::server::extract::{JsonBody, Tenant};
use crate::server::sql::{self, Scope};
use crate::server::time::now_ms;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/{project}/{logstore}/query", post(query))
}

async fn query(
    State(state): State<AppState>,
    tenant: Tenant,
    JsonBody(body): JsonBody,
) -> Result<Response, AppError> {
    let sql = match body.get("sql") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        _ => return Err(AppError::bad_request("sql is required")),
    };
    let now_s = now_ms().div_euclid(1000);
    let answer = state
        .store
        .read(move |conn| {
            let scope = Scope {
                project: &tenant.project,
                logstore: &tenant.logstore,
            };
            Ok(sql::run_query(conn, scope, &sql, now_s))
        })
        .await?
        .map_err(|e| AppError::BadRequest(e.message))?;
    Ok(([(header::CONTENT_TYPE, "application/json")], answer).into_response())
}
