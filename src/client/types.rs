//! Request and response types of the aepipe HTTP API
//! (`docs/api.md`). The server deserialises requests with its own
//! lenient parsing (it must skip bad points, not reject the batch); these types
//! are what a well-behaved client sends and what any aepipe answers.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One Analytics Engine event. `blobs` become blob6…blob20, `doubles`
/// double1…double20; a `payload` is stored in D1 and its UUID goes to blob5.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DataPoint {
    pub event: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blobs: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub doubles: Vec<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Map<String, Value>>,
    /// Payload lifetime in seconds (default 90 days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u64>,
}

impl DataPoint {
    pub fn new(event: impl Into<String>) -> Self {
        Self {
            event: event.into(),
            ..Self::default()
        }
    }
    pub fn level(mut self, level: impl Into<String>) -> Self {
        self.level = Some(level.into());
        self
    }
    pub fn blobs<I, S>(mut self, blobs: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.blobs = blobs.into_iter().map(Into::into).collect();
        self
    }
    pub fn doubles(mut self, doubles: impl IntoIterator<Item = f64>) -> Self {
        self.doubles = doubles.into_iter().collect();
        self
    }
    pub fn payload(mut self, payload: Map<String, Value>) -> Self {
        self.payload = Some(payload);
        self
    }
    pub fn ttl(mut self, seconds: u64) -> Self {
        self.ttl = Some(seconds);
        self
    }
}

/// One raw log line (goes only to Workers Logs). Extra fields are kept as they
/// are; the server never lets them overwrite `project`, `logstore` or `level`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

impl LogEntry {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            ..Self::default()
        }
    }
    pub fn level(mut self, level: impl Into<String>) -> Self {
        self.level = Some(level.into());
        self
    }
    pub fn field(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.fields.insert(key.into(), value.into());
        self
    }
}

/// Answer of `ingest`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngestResult {
    pub ok: bool,
    pub written: u64,
}

/// Answer of `log`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogResult {
    pub ok: bool,
    pub written: u64,
}

/// Body of `rawlog`. All fields optional: `{}` asks for the defaults
/// (50 newest of the last 6 hours).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawLogRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// ISO-8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// ISO-8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
}

/// One raw record: an ingested point or a log entry as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawLogEntry {
    /// ISO-8601 (e.g. `2026-11-27T02:15:35.123Z`).
    pub timestamp: String,
    pub level: String,
    pub data: Value,
}

/// Answer of `rawlog`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawLogResult {
    pub logs: Vec<RawLogEntry>,
    pub count: u64,
}

/// One stored payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DetailEntry {
    pub ref_id: String,
    pub payload: Value,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Unix milliseconds.
    pub expires_at: i64,
}

/// Answer of `detail`: one entry per ref_id found and not expired.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DetailResult {
    pub results: Vec<DetailEntry>,
}

/// Answer of `GET /v1/projects` / `GET /v1/{project}/logstores`, unwrapped.
pub type ListResult = Vec<String>;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ProjectsBody {
    pub projects: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct LogstoresBody {
    pub logstores: Vec<String>,
}

/// The `{"error": "..."}` body every aepipe error carries.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
}
