//! The local aepipe-compatible server (`aepipe serve`), also embeddable
//! in-process: the explorer's default backend and every test's backend.

pub mod serve_cmd;
pub mod sql;
pub mod store;

use std::net::SocketAddr;
use std::path::PathBuf;

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
    /// Seed the demo dataset into an empty data dir.
    pub demo: bool,
    /// With `demo`: keep writing a few events and log lines per second.
    pub demo_trickle: bool,
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
            demo: false,
            demo_trickle: false,
        }
    }
}
