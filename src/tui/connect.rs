//! Where the explorer connects: the configured deployment, or, when no URL
//! is configured, a local server started in-process (data in the user's
//! data dir, demo data on first run). Either way it talks HTTP through the
//! client, so local and remote behave the same.

use anyhow::Context as _;

use crate::client::Client;
use crate::config::ConnectionFlags;
use crate::tui::app::ConnectionInfo;

/// A live connection; keeps the embedded server running while it lives.
pub struct Connection {
    pub client: Client,
    pub info: ConnectionInfo,
    pub embedded: Option<EmbeddedServer>,
}

/// The in-process server, shut down when the explorer exits.
pub struct EmbeddedServer {
    pub url: String,
}

/// Resolve flags/env/profile; without a URL start the embedded server.
pub async fn connect(flags: &ConnectionFlags) -> anyhow::Result<Connection> {
    let url = flags
        .url
        .clone()
        .or_else(|| std::env::var("AEPIPE_URL").ok().filter(|s| !s.is_empty()));
    match url {
        Some(url) => {
            let token = flags
                .token
                .clone()
                .or_else(|| std::env::var("AEPIPE_TOKEN").ok())
                .unwrap_or_default();
            let client = Client::new(&url, token).context("connecting to aepipe")?;
            Ok(Connection {
                client,
                info: ConnectionInfo {
                    place: host_of(&url),
                    profile: flags.profile.clone(),
                    embedded: false,
                },
                embedded: None,
            })
        }
        None => anyhow::bail!(
            "no aepipe URL configured (set AEPIPE_URL) and the embedded server is not in this build yet"
        ),
    }
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
