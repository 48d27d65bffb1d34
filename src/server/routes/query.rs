//! `POST /v1/{project}/{logstore}/query`: AE SQL, scoped to the tenant by the
//! SQL pipeline, run on a reader connection, stopped when it runs too long.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use rusqlite::Connection;
use serde_json::Value;

use crate::server::app::AppState;
use crate::server::error::AppError;
use crate::server::extract::{JsonBody, Tenant};
use crate::server::sql::{self, Scope};
use crate::server::store::StoreError;
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
    let now = now_ms();
    let now_s = now.div_euclid(1000);
    // Late visibility costs a filter; a plain server reads every row.
    let visible_by = (!state.realism.config.max_visibility_delay.is_zero()).then_some(now);
    let timeout = state.query_timeout;
    let answer = state
        .store
        .read(move |conn| {
            Ok(run_with_deadline(
                conn, &tenant, &sql, now_s, visible_by, timeout,
            ))
        })
        .await??;
    Ok(([(header::CONTENT_TYPE, "application/json")], answer).into_response())
}

/// Run the query; a watchdog interrupts it after `timeout`. The watchdog and
/// the query's end share a lock, so an interrupt can never land on the next
/// query of this pooled connection.
fn run_with_deadline(
    conn: &Connection,
    tenant: &Tenant,
    sql: &str,
    now_s: i64,
    visible_by_ms: Option<i64>,
    timeout: Duration,
) -> Result<String, AppError> {
    // (finished, interrupted)
    let state = Arc::new(Mutex::new((false, false)));
    let interrupt = conn.get_interrupt_handle();
    let watchdog = {
        let state = Arc::clone(&state);
        tokio::runtime::Handle::try_current().ok().map(|rt| {
            rt.spawn(async move {
                tokio::time::sleep(timeout).await;
                if let Ok(mut s) = state.lock() {
                    if !s.0 {
                        s.1 = true;
                        interrupt.interrupt();
                    }
                }
            })
        })
    };
    let scope = Scope {
        project: &tenant.project,
        logstore: &tenant.logstore,
    };
    let result = sql::run_query_visible(conn, scope, sql, now_s, visible_by_ms);
    let interrupted = {
        let mut s = state.lock().map_err(|_| StoreError::Poisoned)?;
        s.0 = true;
        s.1
    };
    if let Some(w) = watchdog {
        w.abort();
    }
    if interrupted {
        return Err(AppError::BadRequest(format!(
            "query stopped after {} s; narrow the time range or add a LIMIT",
            timeout.as_secs_f64()
        )));
    }
    result.map_err(|e| AppError::BadRequest(e.message))
}
