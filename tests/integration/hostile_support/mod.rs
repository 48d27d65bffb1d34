//! Hostile data for the "nothing from outside reaches the terminal" tests:
//! every kind of control sequence a log line or a server can carry, a seed
//! of it on the real local server, checks for what may reach a terminal, and
//! a hostile HTTP server for what our own server never answers (bad names,
//! redirects, oversized bodies).
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use aepipe::client::{Client, DataPoint, LogEntry};
use aepipe::sanitize::is_unsafe;
use axum::body::Body;
use axum::http::{Request, Response};
use ratatui::buffer::Buffer;
use serde_json::{json, Map, Value};

/// Retitle (OSC 0), clear (CSI 2 J), recolour (SGR 31), write the clipboard
/// (OSC 52), a C1 CSI (U+009B) with no ESC, DEL, a bidi override that makes
/// text read backwards, isolates and zero-width characters.
pub const HOSTILE: &str = "t\x1b]0;PWNED\x07i\x1b]2;PWNED2\x1b\\\x1b[2J\x1b[31mRED\x1b]52;c;cHduZWQ=\x07\u{9b}1;1H\x7f\u{202e}desrever\u{202c}\u{2066}iso\u{2069}z\u{200b}w\u{feff}e\r\nnext\tcol";

/// The start of [`HOSTILE`] as the sanitiser shows it.
pub const HOSTILE_SHOWN_START: &str = "t␛]0;PWNED␇i␛]2;PWNED2␛\\␛[2J␛[31mRED";

pub const PROJECT: &str = "hostile";
pub const LOGSTORE: &str = "data";

/// A payload whose keys and values are hostile too.
pub fn hostile_payload() -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(format!("key{HOSTILE}"), json!(HOSTILE));
    m.insert("nested".into(), json!({ "deep": [HOSTILE, 1] }));
    m
}

/// Points whose blobs and event are hostile, with a payload, and log
/// entries whose message, level and fields are.
pub async fn seed(client: &Client) {
    let points: Vec<DataPoint> = (0..3)
        .map(|i| {
            DataPoint::new(format!("ev{i}{HOSTILE}"))
                .blobs([HOSTILE.to_string(), format!("plain{i}")])
                .doubles([f64::from(i) * 1.5 + 1.0])
                .payload(hostile_payload())
        })
        .collect();
    client
        .ingest(PROJECT, LOGSTORE, &points)
        .await
        .expect("hostile points are valid data");
    let logs = vec![
        LogEntry::new(HOSTILE).level("error").field("f", HOSTILE),
        LogEntry::new(format!("second {HOSTILE}")).field(format!("k{HOSTILE}"), 1),
    ];
    client
        .log(PROJECT, LOGSTORE, &logs)
        .await
        .expect("hostile logs are valid data");
}

/// The unsafe characters in `text`, for messages.
pub fn unsafe_chars(text: &str) -> Vec<char> {
    text.chars().filter(|&c| is_unsafe(c)).collect()
}

/// Every cell of the buffer is safe to send to a terminal.
pub fn assert_buffer_safe(buf: &Buffer, what: &str) {
    for (i, cell) in buf.content.iter().enumerate() {
        let bad = unsafe_chars(cell.symbol());
        assert!(
            bad.is_empty(),
            "{what}: cell {i} ({}, {}) holds {bad:?}",
            i % usize::from(buf.area.width.max(1)),
            i / usize::from(buf.area.width.max(1))
        );
    }
}

/// Lines of output a terminal would show, checked for unsafe characters
/// (a line feed between lines is fine, a tab is ordinary whitespace).
pub fn assert_text_safe(text: &str, what: &str) {
    for (n, line) in text.lines().enumerate() {
        let bad: Vec<char> = line
            .chars()
            .filter(|&c| c != '\t' && is_unsafe(c))
            .collect();
        assert!(bad.is_empty(), "{what}: line {n} holds {bad:?}: {line:?}");
    }
}

/// What a hostile server does with one request: (method, path) → answer.
pub type Handler = Arc<dyn Fn(&str, &str) -> Response<Body> + Send + Sync>;

/// A server on 127.0.0.1 that answers every request with `handler`,
/// counting requests. Lives as long as the runtime it was started on.
pub struct HostileServer {
    pub url: String,
    pub hits: Arc<AtomicUsize>,
}

impl HostileServer {
    pub async fn start(handler: Handler) -> Self {
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        let app = axum::Router::new().fallback(move |req: Request<Body>| {
            let handler = handler.clone();
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                handler(req.method().as_str(), req.uri().path())
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { url, hits }
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// A JSON answer with `status`.
pub fn json_answer(status: u16, v: &Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(v.to_string()))
        .expect("response")
}

/// A body of `len` bytes of `fill`, sent in 64 KiB chunks with no
/// Content-Length (so only reading it shows how big it is).
pub fn streamed_answer(status: u16, len: usize, fill: u8) -> Response<Body> {
    let chunk = bytes::Bytes::from(vec![fill; 64 * 1024]);
    let n = len.div_ceil(chunk.len());
    let stream = futures::stream::iter((0..n).map(move |_| Ok::<_, std::io::Error>(chunk.clone())));
    Response::builder()
        .status(status)
        .body(Body::from_stream(stream))
        .expect("response")
}
