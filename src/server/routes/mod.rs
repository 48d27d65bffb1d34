//! The API's routes, one module per resource, merged here.

mod detail;
mod ingest;
mod lists;
mod log;
mod query;
mod rawlog;

use axum::Router;

use super::app::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(ingest::router())
        .merge(log::router())
        .merge(query::router())
        .merge(rawlog::router())
        .merge(detail::router())
        .merge(lists::router())
}
