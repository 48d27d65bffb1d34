//! Shared test helpers: a real local server on 127.0.0.1 (port 0) over a
//! temporary data dir, with a random token, and a real client for it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use aepipe::client::Client;
use aepipe::server::{ServerConfig, ServerHandle};

/// A running server that lives as long as this value (its data dir too).
pub struct TestServer {
    handle: Option<ServerHandle>,
    dir: tempfile::TempDir,
}

pub fn random_token() -> String {
    format!("test-{}", uuid::Uuid::new_v4().simple())
}

impl TestServer {
    /// Default config: payloads on, no demo.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Payload storage off: `detail` answers 501.
    pub async fn without_payloads() -> Self {
        Self::start_with(|c| c.payloads = false).await
    }

    /// Adjust the config (retention, body limit, demo…) before starting.
    pub async fn start_with(adjust: impl FnOnce(&mut ServerConfig)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = ServerConfig::local(dir.path(), random_token());
        adjust(&mut config);
        let handle = aepipe::server::start(config).await.expect("server starts");
        Self {
            handle: Some(handle),
            dir,
        }
    }

    /// Start another server on an existing data dir (e.g. after a restart).
    pub async fn start_in(dir: tempfile::TempDir, adjust: impl FnOnce(&mut ServerConfig)) -> Self {
        let mut config = ServerConfig::local(dir.path(), random_token());
        adjust(&mut config);
        let handle = aepipe::server::start(config).await.expect("server starts");
        Self {
            handle: Some(handle),
            dir,
        }
    }

    fn handle(&self) -> &ServerHandle {
        self.handle.as_ref().expect("server running")
    }

    pub fn url(&self) -> String {
        self.handle().url()
    }

    pub fn token(&self) -> &str {
        &self.handle().token
    }

    pub fn addr(&self) -> std::net::SocketAddr {
        self.handle().addr
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join(aepipe::server::store::DB_FILE)
    }

    /// The real SDK client for this server.
    pub fn client(&self) -> Client {
        Client::new(self.url(), self.token()).expect("client")
    }

    /// Requests the server answered so far, by kind.
    pub fn request_counts(&self) -> aepipe::server::RequestCounts {
        self.handle().request_counts()
    }

    /// A plain HTTP client for requests the SDK would refuse to send.
    pub fn http(&self) -> reqwest::Client {
        reqwest::Client::new()
    }

    /// `url` + `path`.
    pub fn at(&self, path: &str) -> String {
        format!("{}{}", self.url(), path)
    }

    /// Stop gracefully; keep the data dir for a restart.
    pub async fn stop(mut self) -> tempfile::TempDir {
        if let Some(handle) = self.handle.take() {
            handle.shutdown().await;
        }
        self.dir
    }
}

/// An HTTP answer as tests look at it.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: serde_json::Value,
    pub text: String,
}

impl Answer {
    /// The `error` text of an error body ("" when absent).
    pub fn error(&self) -> &str {
        self.body["error"].as_str().unwrap_or("")
    }
}

impl TestServer {
    /// Send `method path` with `body` bytes and our token; for requests the
    /// SDK would refuse to send.
    pub async fn send(&self, method: &str, path: &str, body: Option<Vec<u8>>) -> Answer {
        self.send_as(Some(self.token()), method, path, body).await
    }

    /// Same as [`send`](Self::send) with any token (or none).
    pub async fn send_as(
        &self,
        token: Option<&str>,
        method: &str,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Answer {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.http().request(method, self.at(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("body read");
        let body = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
        Answer {
            status,
            headers,
            body,
            text,
        }
    }

    /// POST a JSON value with our token.
    pub async fn post(&self, path: &str, body: serde_json::Value) -> Answer {
        self.send("POST", path, Some(body.to_string().into_bytes()))
            .await
    }

    /// Open the database directly (read-write), for checks and for ageing rows.
    pub fn db(&self) -> rusqlite::Connection {
        let conn = rusqlite::Connection::open(self.db_path()).expect("open db");
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .expect("busy timeout");
        conn
    }
}
