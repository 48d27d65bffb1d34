//! Helpers of the client and CLI tests: a scripted HTTP server for answers our
//! own server never gives (5xx, 429 with Retry-After, non-JSON bodies), which
//! counts the requests it got.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::Response;

/// One scripted answer.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl Answer {
    pub fn json(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: body.to_string(),
        }
    }
    pub fn error(status: u16, message: &str) -> Self {
        Self::json(status, &serde_json::json!({ "error": message }).to_string())
    }
    pub fn text(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: vec![("content-type", "text/html".into())],
            body: body.to_string(),
        }
    }
    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_string()));
        self
    }
}

/// Answers request n with `script[n]` (the last one once the script runs out).
pub struct ScriptedServer {
    pub addr: SocketAddr,
    hits: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl ScriptedServer {
    pub async fn start(script: Vec<Answer>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::serve(listener, script)
    }

    /// Serve on an already bound listener (e.g. a port reserved earlier).
    pub fn serve(listener: tokio::net::TcpListener, script: Vec<Answer>) -> Self {
        let addr = listener.local_addr().unwrap();
        let hits = Arc::new(AtomicUsize::new(0));
        let script = Arc::new(script);
        let counter = hits.clone();
        let app = axum::Router::new().fallback(move || {
            let (script, counter) = (script.clone(), counter.clone());
            async move {
                let n = counter.fetch_add(1, Ordering::SeqCst);
                let a = &script[n.min(script.len() - 1)];
                let mut resp = Response::builder().status(a.status);
                for (k, v) in &a.headers {
                    resp = resp.header(*k, v);
                }
                resp.body(Body::from(a.body.clone())).unwrap()
            }
        });
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { addr, hits, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Requests received so far.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A local port with nothing listening on it (connections are refused).
pub fn closed_port() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

/// A valid AE query answer with `n` rows of one String column `x`.
pub fn query_answer(n: usize) -> String {
    let data: Vec<_> = (0..n)
        .map(|i| serde_json::json!({ "x": i.to_string() }))
        .collect();
    serde_json::json!({
        "meta": [{ "name": "x", "type": "String" }],
        "data": data,
        "rows": n,
    })
    .to_string()
}
