//! The async SDK: one `Client`, built once and reused (one connection pool),
//! over the whole aepipe HTTP API (`shared/spec/aepipe-api.md`).

mod error;
mod query_result;
pub mod tail;
mod types;
pub mod validate;

pub use error::{Error, Result};
pub use query_result::{format_number, parse_ae_datetime, Cell, Column, QueryResult, Statistics};
pub use types::*;

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

/// Default per-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Builder for [`Client`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    base_url: String,
    token: String,
    timeout: Duration,
    user_agent: String,
}

impl ClientBuilder {
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }
    pub fn build(self) -> Result<Client> {
        let base_url = self.base_url.trim_end_matches('/').to_string();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(Error::Validation(format!(
                "aepipe URL {base_url:?} must start with http:// or https://"
            )));
        }
        let http = reqwest::Client::builder()
            .user_agent(self.user_agent)
            .timeout(self.timeout)
            .build()
            .map_err(|e| Error::Transport {
                message: e.to_string(),
                never_sent: true,
            })?;
        Ok(Client {
            http,
            base_url,
            token: self.token,
            timeout: self.timeout,
        })
    }
}

/// An aepipe client. Cheap to clone (the connection pool is shared).
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: String,
    token: String,
    timeout: Duration,
}

impl Client {
    pub fn builder(base_url: impl Into<String>, token: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.into(),
            token: token.into(),
            timeout: DEFAULT_TIMEOUT,
            user_agent: format!("aepipe-rs/{}", env!("CARGO_PKG_VERSION")),
        }
    }

    /// A client with default settings.
    pub fn new(base_url: impl Into<String>, token: impl Into<String>) -> Result<Self> {
        Self::builder(base_url, token).build()
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Write data points (≤ 250) to AE; payloads go to D1.
    pub async fn ingest(
        &self,
        project: &str,
        logstore: &str,
        points: &[DataPoint],
    ) -> Result<IngestResult> {
        validate::names(project, logstore)?;
        validate::points(project, logstore, points)?;
        self.post(
            &format!("/v1/{project}/{logstore}/ingest"),
            &json!({ "points": points }),
        )
        .await
    }

    /// Write raw log entries (≤ 250) to Workers Logs.
    pub async fn log(&self, project: &str, logstore: &str, logs: &[LogEntry]) -> Result<LogResult> {
        validate::names(project, logstore)?;
        validate::logs(logs)?;
        self.post(
            &format!("/v1/{project}/{logstore}/log"),
            &json!({ "logs": logs }),
        )
        .await
    }

    /// Run AE SQL scoped to the tenant.
    pub async fn query(&self, project: &str, logstore: &str, sql: &str) -> Result<QueryResult> {
        validate::names(project, logstore)?;
        let body = self
            .post_raw(
                &format!("/v1/{project}/{logstore}/query"),
                &json!({ "sql": sql }),
            )
            .await?;
        decode_query(&body)
    }

    /// Newest raw records of the tenant.
    pub async fn rawlog(
        &self,
        project: &str,
        logstore: &str,
        req: &RawLogRequest,
    ) -> Result<RawLogResult> {
        validate::names(project, logstore)?;
        self.post(&format!("/v1/{project}/{logstore}/rawlog"), req)
            .await
    }

    /// Payloads for ref_ids (≤ 100); none asked, none fetched (no request).
    pub async fn detail(
        &self,
        project: &str,
        logstore: &str,
        ref_ids: &[String],
    ) -> Result<DetailResult> {
        validate::names(project, logstore)?;
        validate::ref_ids(ref_ids)?;
        if ref_ids.is_empty() {
            return Ok(DetailResult::default());
        }
        self.post(
            &format!("/v1/{project}/{logstore}/detail"),
            &json!({ "ref_ids": ref_ids }),
        )
        .await
    }

    pub async fn list_projects(&self) -> Result<ListResult> {
        let body: ProjectsBody = decode(&self.get_raw("/v1/projects").await?)?;
        Ok(body.projects)
    }

    pub async fn list_logstores(&self, project: &str) -> Result<ListResult> {
        if !crate::limits::is_valid_name(project) {
            return Err(Error::Validation(format!(
                "invalid project name {project:?}"
            )));
        }
        let body: LogstoresBody =
            decode(&self.get_raw(&format!("/v1/{project}/logstores")).await?)?;
        Ok(body.logstores)
    }

    async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T> {
        decode(&self.post_raw(path, body).await?)
    }

    async fn post_raw<B: Serialize + ?Sized>(&self, path: &str, body: &B) -> Result<String> {
        let req = self
            .http
            .post(format!("{}{}", self.base_url, path))
            .bearer_auth(&self.token)
            .json(body);
        self.send(req).await
    }

    async fn get_raw(&self, path: &str) -> Result<String> {
        let req = self
            .http
            .get(format!("{}{}", self.base_url, path))
            .bearer_auth(&self.token);
        self.send(req).await
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Result<String> {
        let resp = req.send().await.map_err(|e| self.transport_error(e))?;
        let status = resp.status();
        let text = resp.text().await.map_err(|e| self.transport_error(e))?;
        if status.is_success() {
            Ok(text)
        } else {
            Err(api_error(status.as_u16(), &text))
        }
    }

    fn transport_error(&self, e: reqwest::Error) -> Error {
        if e.is_timeout() {
            Error::Timeout(self.timeout)
        } else {
            Error::Transport {
                never_sent: e.is_connect(),
                message: error_chain(&e),
            }
        }
    }
}

/// The server's `error` text, or the raw body when it is not our JSON shape.
fn api_error(status: u16, body: &str) -> Error {
    let message = serde_json::from_str::<ErrorBody>(body)
        .map(|b| b.error)
        .unwrap_or_else(|_| body.trim().to_string());
    Error::Api { status, message }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    msg
}

fn decode<T: DeserializeOwned>(body: &str) -> Result<T> {
    serde_json::from_str(body).map_err(|e| Error::Decode {
        body: body.chars().take(2000).collect(),
        path: format!("line {} column {}", e.line(), e.column()),
        message: e.to_string(),
    })
}

/// Decode AE's FORMAT JSON answer.
fn decode_query(body: &str) -> Result<QueryResult> {
    #[derive(serde::Deserialize)]
    struct Raw {
        meta: Vec<Column>,
        #[serde(default)]
        data: Vec<serde_json::Map<String, Value>>,
        #[serde(default)]
        rows_before_limit_at_least: Option<Value>,
        #[serde(default)]
        statistics: Option<Statistics>,
    }
    let raw: Raw = decode(body)?;
    let rows = raw
        .data
        .into_iter()
        .map(|mut obj| {
            raw.meta
                .iter()
                .map(|c| Cell::from_json(obj.remove(&c.name).unwrap_or(Value::Null)))
                .collect()
        })
        .collect();
    let mut result = QueryResult::from_parts(raw.meta, rows);
    result.rows_before_limit_at_least = raw.rows_before_limit_at_least.and_then(|v| match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    });
    result.statistics = raw.statistics;
    Ok(result)
}
