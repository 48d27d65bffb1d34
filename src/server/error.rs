//! The one error type of the HTTP layer: a fixed status per variant and the
//! `{"error": "..."}` body every aepipe answers with.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Anything the caller sent wrong; the message is the spec's text.
    #[error("{0}")]
    BadRequest(String),
    #[error("unauthorized")]
    Unauthorized,
    #[error("not found")]
    NotFound,
    #[error("request body exceeds {0} bytes")]
    BodyTooLarge(usize),
    #[error("D1 payload storage is not configured")]
    PayloadsDisabled,
    /// Storage failed; the detail is logged, never sent.
    #[error("internal error")]
    Internal(String),
}

impl AppError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::BadRequest(message.into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::BodyTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::PayloadsDisabled => StatusCode::NOT_IMPLEMENTED,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        Self::Internal(e.to_string())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let Self::Internal(detail) = &self {
            tracing::error!(%detail, "request failed");
        }
        (self.status(), Json(json!({ "error": self.to_string() }))).into_response()
    }
}
