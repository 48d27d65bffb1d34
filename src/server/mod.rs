//! The local aepipe-compatible server (`aepipe serve`), also embeddable
//! in-process: the explorer's default backend and every test's backend.

mod app;
mod batch;
#[cfg(feature = "internals")]
pub mod demo;
#[cfg(not(feature = "internals"))]
pub(crate) mod demo;
mod error;
mod extract;
mod parse_errors;
#[cfg(feature = "internals")]
pub mod realism;
#[cfg(not(feature = "internals"))]
pub(crate) mod realism;
pub(crate) mod retention;
mod routes;
#[cfg(feature = "internals")]
pub mod serve_cmd;
#[cfg(not(feature = "internals"))]
pub(crate) mod serve_cmd;
#[cfg(feature = "internals")]
pub mod sql;
#[cfg(not(feature = "internals"))]
pub(crate) mod sql;
#[cfg(feature = "internals")]
pub mod store;
#[cfg(not(feature = "internals"))]
pub(crate) mod store;
#[cfg(feature = "internals")]
pub mod time;
#[cfg(not(feature = "internals"))]
pub(crate) mod time;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

// The embedding API: `start` with a `ServerConfig` (and its `Realism`), the
// `ServerHandle` it returns, and the error types `ServerError` names. The
// modules behind them are crate-private (public only with the `internals`
// feature, for this crate's tests and benches).
pub use demo::{DemoError, RecipeError};
pub use realism::{Fault, FaultParseError, Realism, RequestCounts};
use store::Store;
pub use store::StoreError;

/// How long a query may run before it is stopped.
pub const DEFAULT_QUERY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// How to run a server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to bind; port 0 picks a free one.
    pub addr: SocketAddr,
    /// Folder holding the SQLite database.
    pub data_dir: PathBuf,
    /// Bearer token clients must send.
    pub token: String,
    /// Whether `detail` and payload storage are on (off: 501 like upstream without D1).
    pub payloads: bool,
    pub retention_days: u32,
    pub rawlog_retention_days: u32,
    pub max_body_bytes: usize,
    /// A query running longer is stopped and answered with a 400.
    pub query_timeout: std::time::Duration,
    /// Seed the demo dataset into an empty data dir.
    pub demo: bool,
    /// With `demo`: keep writing a few events and log lines per second.
    pub demo_trickle: bool,
    /// Imitate a real Cloudflare deployment (latency, late visibility,
    /// sampling, rate limits); [`Realism::default`] is a plain local server.
    pub realism: Realism,
}

impl ServerConfig {
    /// Defaults for a server on 127.0.0.1 with a random port.
    pub fn local(data_dir: impl Into<PathBuf>, token: impl Into<String>) -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.into(),
            token: token.into(),
            payloads: true,
            retention_days: 92,
            rawlog_retention_days: 7,
            max_body_bytes: crate::limits::DEFAULT_MAX_BODY_BYTES,
            query_timeout: DEFAULT_QUERY_TIMEOUT,
            demo: false,
            demo_trickle: false,
            realism: Realism::default(),
        }
    }
}

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot open the store in {path}: {source}")]
    Store { path: PathBuf, source: StoreError },
    #[error("the token must not be empty")]
    EmptyToken,
    #[error("cannot seed the demo dataset: {0}")]
    Demo(#[from] demo::DemoError),
}

/// A running server. Dropping it stops the server too (without waiting);
/// [`ServerHandle::shutdown`] stops it gracefully and waits.
pub struct ServerHandle {
    /// The address it listens on (the real port when 0 was asked).
    pub addr: SocketAddr,
    /// The bearer token clients must send.
    pub token: String,
    /// Folder holding the database.
    pub data_dir: PathBuf,
    realism: Arc<realism::RealismState>,
    stop: Option<oneshot::Sender<()>>,
    serving: Option<JoinHandle<()>>,
    background: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for ServerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerHandle")
            .field("addr", &self.addr)
            .field("data_dir", &self.data_dir)
            .finish_non_exhaustive()
    }
}

impl ServerHandle {
    /// `http://127.0.0.1:PORT`, the base URL for a client.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Requests answered so far, by kind (what a client's retries and a
    /// tail's polling cost the server).
    pub fn request_counts(&self) -> RequestCounts {
        self.realism.counts()
    }

    /// Stop accepting connections, finish the requests in flight, stop the
    /// background tasks, and return when all is done.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        for task in self.background.drain(..) {
            task.abort();
        }
        if let Some(serving) = self.serving.take() {
            if let Err(e) = serving.await {
                tracing::warn!(error = %e, "server task ended badly");
            }
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        for task in self.background.drain(..) {
            task.abort();
        }
    }
}

/// Open the store in `config.data_dir`, bind `config.addr` and serve in a
/// tokio task. Returns once the server accepts connections.
pub async fn start(config: ServerConfig) -> Result<ServerHandle, ServerError> {
    if config.token.is_empty() {
        return Err(ServerError::EmptyToken);
    }
    let data_dir = config.data_dir.clone();
    let store = {
        let dir = data_dir.clone();
        tokio::task::spawn_blocking(move || Store::open(&dir))
            .await
            .map_err(|e| StoreError::Task(e.to_string()))
            .and_then(|r| r)
            .map_err(|source| ServerError::Store {
                path: data_dir.clone(),
                source,
            })?
    };
    if config.demo {
        let started = std::time::Instant::now();
        if demo::seed_if_empty(&store).await? {
            tracing::info!(elapsed = ?started.elapsed(), "seeded the demo dataset");
        }
    }

    // One pass before serving (after the demo seed, which it trims too), so a
    // restart never shows rows past retention.
    if let Err(e) =
        retention::purge_once(&store, config.retention_days, config.rawlog_retention_days).await
    {
        tracing::warn!(error = %e, "retention pass failed");
    }

    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|source| ServerError::Bind {
            addr: config.addr,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServerError::Bind {
        addr: config.addr,
        source,
    })?;

    let realism = Arc::new(realism::RealismState::new(config.realism.clone()));
    let state = app::AppState {
        store: store.clone(),
        token: Arc::from(config.token.as_str()),
        payloads: config.payloads,
        max_body_bytes: config.max_body_bytes,
        query_timeout: config.query_timeout,
        realism: Arc::clone(&realism),
    };
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = tokio::spawn(async move {
        let result = axum::serve(parse_errors::Listener(listener), app::router(state))
            .with_graceful_shutdown(async move {
                // A dropped sender (handle dropped) stops the server too.
                let _ = stopped.await;
            })
            .await;
        if let Err(e) = result {
            tracing::error!(error = %e, "server stopped with an error");
        }
    });

    let mut background = Vec::new();
    let (days, raw_days) = (config.retention_days, config.rawlog_retention_days);
    let retention_store = store.clone();
    background.push(tokio::spawn(async move {
        tokio::time::sleep(retention::INTERVAL).await;
        retention::run(retention_store, days, raw_days).await;
    }));

    if config.demo && config.demo_trickle {
        background.push(tokio::spawn(demo::trickle(store.clone())));
    }

    Ok(ServerHandle {
        addr,
        token: config.token,
        data_dir,
        realism,
        stop: Some(stop),
        serving: Some(serving),
        background,
    })
}
