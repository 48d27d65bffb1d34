//! The axum application: shared state, the routes, and the layers every
//! request goes through (CORS, panic guard, path gate and auth, body limit).

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use futures::FutureExt;
use subtle::ConstantTimeEq;

use super::error::AppError;
use super::realism::{self, RealismState};
use super::routes;
use super::store::Store;

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub token: Arc<str>,
    /// Payload storage on (`detail` works) or off (501 like upstream without D1).
    pub payloads: bool,
    pub max_body_bytes: usize,
    pub query_timeout: std::time::Duration,
    /// The realistic mode (all off on a plain server) and its request counts.
    pub realism: Arc<RealismState>,
}

pub fn router(state: AppState) -> Router {
    let not_found = || async { AppError::NotFound };
    routes::router()
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        // Inside the gate: only authorised requests are delayed, failed and counted.
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state.realism),
            realism::layer,
        ))
        .layer(DefaultBodyLimit::max(state.max_body_bytes))
        .layer(middleware::from_fn_with_state(state.clone(), gate))
        .layer(middleware::from_fn(catch_panic))
        .layer(middleware::from_fn(cors))
        .with_state(state)
}

/// OPTIONS answers 204 on any path; paths outside `/v1/` are 404 before auth
/// (as upstream); everything else needs the bearer token.
async fn gate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() == Method::OPTIONS {
        return StatusCode::NO_CONTENT.into_response();
    }
    if !req.uri().path().starts_with("/v1/") {
        return AppError::NotFound.into_response();
    }
    if !authorized(&req, &state.token) {
        return AppError::Unauthorized.into_response();
    }
    next.run(req).await
}

fn authorized(req: &Request, token: &str) -> bool {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return false;
    };
    let value = value.as_bytes();
    let prefix = b"bearer ";
    if value.len() < prefix.len() || !value[..prefix.len()].eq_ignore_ascii_case(prefix) {
        return false;
    }
    // Constant time, so response timing says nothing about how much matched.
    value[prefix.len()..].ct_eq(token.as_bytes()).into()
}

/// A panic in a handler becomes a logged 500 in our JSON shape instead of a
/// dropped connection. Tests show no input of ours reaches it.
async fn catch_panic(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    match std::panic::AssertUnwindSafe(next.run(req))
        .catch_unwind()
        .await
    {
        Ok(response) => response,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            AppError::Internal(format!("panic in handler for {path}: {what}")).into_response()
        }
    }
}

async fn cors(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, OPTIONS"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Authorization, Content-Type"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;

    /// The guard itself: a panicking handler answers a 500 in our shape, with
    /// CORS, and the server keeps serving. (tests/server_security.rs shows
    /// that no input of ours reaches it.)
    #[tokio::test]
    async fn a_panic_becomes_a_logged_500_and_the_server_lives_on() {
        let app = Router::new()
            .route(
                "/boom",
                get(|| async {
                    if std::hint::black_box(true) {
                        panic!("boom");
                    }
                    "unreachable"
                }),
            )
            .route("/ok", get(|| async { "fine" }))
            .layer(middleware::from_fn(catch_panic))
            .layer(middleware::from_fn(cors));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let http = reqwest::Client::new();
        let boom = http
            .get(format!("http://{addr}/boom"))
            .send()
            .await
            .unwrap();
        assert_eq!(boom.status(), 500);
        assert_eq!(boom.headers()["access-control-allow-origin"], "*");
        assert_eq!(boom.text().await.unwrap(), r#"{"error":"internal error"}"#);
        let ok = http.get(format!("http://{addr}/ok")).send().await.unwrap();
        assert_eq!(ok.text().await.unwrap(), "fine");
    }

    #[test]
    fn only_the_exact_bearer_token_is_authorized() {
        let req = |value: &str| {
            Request::builder()
                .header(header::AUTHORIZATION, value)
                .body(axum::body::Body::empty())
                .unwrap()
        };
        assert!(authorized(&req("Bearer secret"), "secret"));
        assert!(authorized(&req("bearer secret"), "secret"));
        for wrong in [
            "Bearer secre",
            "Bearer secrets",
            "Bearer ",
            "secret",
            "Basic secret",
            "Bearer  secret",
        ] {
            assert!(!authorized(&req(wrong), "secret"), "{wrong}");
        }
        let none = Request::builder().body(axum::body::Body::empty()).unwrap();
        assert!(!authorized(&none, "secret"));
    }
}
