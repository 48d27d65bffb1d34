//! `GET /v1/projects` and `GET /v1/{project}/logstores`.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::server::app::AppState;
use crate::server::error::AppError;
use crate::server::extract::ProjectName;
use crate::server::store;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/projects", get(projects))
        .route("/v1/{project}/logstores", get(logstores))
}

async fn projects(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    let projects = state.store.read(store::list_projects).await?;
    Ok(Json(json!({ "projects": projects })))
}

async fn logstores(
    State(state): State<AppState>,
    ProjectName(project): ProjectName,
) -> Result<Json<Value>, AppError> {
    let logstores = state
        .store
        .read(move |conn| store::list_logstores(conn, &project))
        .await?;
    Ok(Json(json!({ "logstores": logstores })))
}
