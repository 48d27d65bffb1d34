//! Request extractors that answer bad input in our `{"error": …}` shape:
//! the tenant from the path and the JSON body.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde_json::Value;

use super::app::AppState;
use super::error::AppError;
use crate::limits;

/// `{project}/{logstore}` from the path, validated like the upstream worker.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub project: String,
    pub logstore: String,
}

/// A valid project name from the path (for `GET /v1/{project}/logstores`).
#[derive(Debug, Clone)]
pub struct ProjectName(pub String);

async fn path_params(
    parts: &mut Parts,
    state: &AppState,
) -> Result<HashMap<String, String>, AppError> {
    Path::<HashMap<String, String>>::from_request_parts(parts, state)
        .await
        .map(|Path(p)| p)
        // Only undecodable percent-escapes get here; they cannot be a valid name.
        .map_err(|_| AppError::bad_request("invalid project name"))
}

fn valid_project(params: &HashMap<String, String>) -> Result<String, AppError> {
    match params.get("project") {
        Some(p) if limits::is_valid_name(p) => Ok(p.clone()),
        _ => Err(AppError::bad_request("invalid project name")),
    }
}

impl FromRequestParts<AppState> for ProjectName {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let params = path_params(parts, state).await?;
        valid_project(&params).map(Self)
    }
}

impl FromRequestParts<AppState> for Tenant {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let params = path_params(parts, state).await?;
        let project = valid_project(&params)?;
        let logstore = match params.get("logstore") {
            Some(l) if limits::is_valid_name(l) => l.clone(),
            _ => return Err(AppError::bad_request("invalid logstore name")),
        };
        if !limits::index_fits(&project, &logstore) {
            return Err(AppError::bad_request(format!(
                "index \"{project}/{logstore}\" is {} bytes; the maximum is {}",
                project.len() + 1 + logstore.len(),
                limits::INDEX_MAX_BYTES
            )));
        }
        Ok(Self { project, logstore })
    }
}

/// A body that must be JSON: `400 invalid json` otherwise, `413` over the
/// body limit. Any JSON value is accepted here; routes check its shape.
#[derive(Debug)]
pub struct JsonBody(pub Value);

impl FromRequest<AppState> for JsonBody {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, AppError> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::BodyTooLarge(state.max_body_bytes)
            } else {
                AppError::bad_request("invalid json")
            }
        })?;
        serde_json::from_slice(&bytes)
            .map(Self)
            .map_err(|_| AppError::bad_request("invalid json"))
    }
}
