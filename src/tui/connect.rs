//! Where the explorer connects: the configured deployment (flag, env or
//! profile, via `config::resolve`), or, when no URL is configured, a local
//! server started in-process (data in the user's data dir, demo data seeded
//! on first run, its trickle on). Either way it talks HTTP through the
//! client, so local and remote behave the same.

use std::path::PathBuf;

use anyhow::Context as _;

use crate::client::Client;
use crate::config::{ConnectionFlags, Resolved};
use crate::server::{ServerConfig, ServerHandle};
use crate::tui::app::ConnectionInfo;

/// A live connection; keeps the embedded server running while it lives.
pub struct Connection {
    pub client: Client,
    pub info: ConnectionInfo,
    pub server: Option<ServerHandle>,
    /// See [`crate::config::Connection::warnings`].
    pub warnings: Vec<String>,
    /// See [`crate::config::Connection::rawlog_sample_rate`].
    pub rawlog_sample_rate: Option<f64>,
}

impl Connection {
    /// Stop the embedded server (if any) cleanly.
    pub async fn close(self) {
        if let Some(server) = self.server {
            server.shutdown().await;
        }
    }
}

/// The embedded server's data folder: `<data dir>/aepipe/explorer`.
pub fn embedded_data_dir() -> anyhow::Result<PathBuf> {
    dirs::data_dir()
        .map(|d| d.join("aepipe").join("explorer"))
        .context("no data directory for the embedded server (set HOME or XDG_DATA_HOME)")
}

/// Resolve flags/env/profile; without a URL start the embedded server.
pub async fn connect(flags: &ConnectionFlags) -> anyhow::Result<Connection> {
    match crate::config::resolve(flags)? {
        Resolved::Configured(c) => {
            let client = c
                .client()
                .with_context(|| format!("connecting to {}", c.url))?;
            Ok(Connection {
                client,
                info: ConnectionInfo {
                    place: host_of(&c.url),
                    profile: c.profile,
                    embedded: false,
                },
                server: None,
                warnings: c.warnings,
                rawlog_sample_rate: c.rawlog_sample_rate,
            })
        }
        Resolved::Unconfigured { profile } => {
            let dir = embedded_data_dir()?;
            start_embedded(dir, profile).await
        }
    }
}

/// Start the local server on 127.0.0.1 with a random port and token.
pub async fn start_embedded(
    data_dir: PathBuf,
    profile: Option<String>,
) -> anyhow::Result<Connection> {
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("creating {}", data_dir.display()))?;
    let token = uuid::Uuid::new_v4().simple().to_string();
    let mut config = ServerConfig::local(&data_dir, token);
    config.demo = true;
    config.demo_trickle = true;
    let server = crate::server::start(config)
        .await
        .with_context(|| format!("starting the embedded server in {}", data_dir.display()))?;
    let client = Client::new(server.url(), &server.token)?;
    Ok(Connection {
        client,
        info: ConnectionInfo {
            place: "local".into(),
            profile,
            embedded: true,
        },
        server: Some(server),
        warnings: Vec::new(),
        // The embedded server keeps every record.
        rawlog_sample_rate: None,
    })
}

/// "https://logs.example.com/x" → "logs.example.com".
pub fn host_of(url: &str) -> String {
    let rest = url.split("://").nth(1).unwrap_or(url);
    rest.split('/').next().unwrap_or(rest).to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn host_is_shown_without_scheme_and_path() {
        assert_eq!(super::host_of("https://a.example.com/v1"), "a.example.com");
        assert_eq!(super::host_of("http://127.0.0.1:8787"), "127.0.0.1:8787");
    }
}
