//! The async SDK: one `Client`, built once and reused (one connection pool),
//! over the whole aepipe HTTP API (`docs/api.md`).
//!
//! Reads are retried on transient failures; writes only when the request
//! never reached the server, because a repeated write can duplicate events
//! (see [`retry`]).

pub mod batch;
mod decode;
pub mod deployment;
pub use decode::RowSink;
mod error;
mod query_result;
pub mod retry;
pub mod tail;
mod types;
pub mod validate;

pub use batch::{BatchOptions, BatchProgress, BatchSummary, FailedBatch};
pub use error::{Error, Result};
pub use query_result::{format_number, parse_ae_datetime, Cell, Column, QueryResult, Statistics};
pub use retry::{FailureAdvice, RequestKind, RetryPolicy};
pub use tail::{FollowEvent, Gap, TailBatch, TailOptions, TailStart, Tailer};
pub use types::*;

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;

/// Default per-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest answer read by default: far above any real query result, far
/// below what would take a machine down.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 512 * 1024 * 1024;
/// Bytes of an error answer kept for its message (an HTML error page or a
/// hostile server can send megabytes; the first few KB say what happened).
pub const ERROR_BODY_KEEP_BYTES: usize = 4096;

/// Builder for [`Client`].
#[derive(Clone)]
pub struct ClientBuilder {
    base_url: String,
    token: String,
    timeout: Duration,
    user_agent: String,
    retry: RetryPolicy,
    max_response_bytes: u64,
}

impl ClientBuilder {
    /// Largest answer body read; a bigger one fails with
    /// [`Error::TooLarge`] instead of filling memory. Default 512 MiB.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }
    /// Retries after the first attempt (0 disables retrying).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.retry.max_retries = n;
        self
    }
    /// Wait before the first retry; it doubles each time, with jitter.
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.retry.base_delay = delay;
        self
    }
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }
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
        if url_has_credentials(&base_url) {
            return Err(Error::Validation(CREDENTIALS_IN_URL.to_string()));
        }
        let http = reqwest::Client::builder()
            .user_agent(self.user_agent)
            .timeout(self.timeout)
            // A redirect would carry the token and the body (the SQL)
            // wherever the server points: never followed, reported instead.
            .redirect(reqwest::redirect::Policy::none())
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
            retry: self.retry,
            max_response_bytes: self.max_response_bytes,
        })
    }
}

/// An aepipe client. Cheap to clone (the connection pool is shared).
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: String,
    token: String,
    timeout: Duration,
    retry: RetryPolicy,
    max_response_bytes: u64,
}

impl Client {
    pub fn builder(base_url: impl Into<String>, token: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.into(),
            token: token.into(),
            timeout: DEFAULT_TIMEOUT,
            user_agent: format!("aepipe-rs/{}", env!("CARGO_PKG_VERSION")),
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }

    /// A client with default settings.
    pub fn new(base_url: impl Into<String>, token: impl Into<String>) -> Result<Self> {
        Self::builder(base_url, token).build()
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
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
            RequestKind::Write,
            &format!("/v1/{project}/{logstore}/ingest"),
            &PointsBody { points },
        )
        .await
    }

    /// Write any number of points: requests of 250, `options.concurrency` at
    /// a time. Fails early only for bad names; every other failure is a
    /// [`FailedBatch`] in the summary, naming its items.
    pub async fn ingest_all(
        &self,
        project: &str,
        logstore: &str,
        points: &[DataPoint],
        options: &BatchOptions,
    ) -> Result<BatchSummary> {
        validate::names(project, logstore)?;
        Ok(batch::run(
            points,
            crate::limits::MAX_POINTS_PER_REQUEST,
            options,
            |chunk| async move { Ok(self.ingest(project, logstore, chunk).await?.written) },
        )
        .await)
    }

    /// Write any number of log entries, as [`Client::ingest_all`] does points.
    pub async fn log_all(
        &self,
        project: &str,
        logstore: &str,
        logs: &[LogEntry],
        options: &BatchOptions,
    ) -> Result<BatchSummary> {
        validate::names(project, logstore)?;
        Ok(batch::run(
            logs,
            crate::limits::MAX_LOGS_PER_REQUEST,
            options,
            |chunk| async move { Ok(self.log(project, logstore, chunk).await?.written) },
        )
        .await)
    }

    /// Write raw log entries (≤ 250) to Workers Logs.
    pub async fn log(&self, project: &str, logstore: &str, logs: &[LogEntry]) -> Result<LogResult> {
        validate::names(project, logstore)?;
        validate::logs(logs)?;
        self.post(
            RequestKind::Write,
            &format!("/v1/{project}/{logstore}/log"),
            &LogsBody { logs },
        )
        .await
    }

    /// Run AE SQL scoped to the tenant.
    pub async fn query(&self, project: &str, logstore: &str, sql: &str) -> Result<QueryResult> {
        validate::names(project, logstore)?;
        let body = self
            .post_raw(
                RequestKind::Read,
                &format!("/v1/{project}/{logstore}/query"),
                &SqlBody { sql },
            )
            .await?;
        decode::decode_query(&body)
    }

    /// [`query`](Self::query), handing each row to `on_row` as it is decoded
    /// instead of keeping it: for writing a large answer out without holding
    /// it twice. Returns the answer without rows, and how many rows there were.
    pub async fn query_rows(
        &self,
        project: &str,
        logstore: &str,
        sql: &str,
        on_row: decode::RowSink<'_>,
    ) -> Result<(QueryResult, usize)> {
        validate::names(project, logstore)?;
        let body = self
            .post_raw(
                RequestKind::Read,
                &format!("/v1/{project}/{logstore}/query"),
                &SqlBody { sql },
            )
            .await?;
        decode::decode_query_rows(&body, on_row)
    }

    /// Newest raw records of the tenant.
    pub async fn rawlog(
        &self,
        project: &str,
        logstore: &str,
        req: &RawLogRequest,
    ) -> Result<RawLogResult> {
        validate::names(project, logstore)?;
        self.post(
            RequestKind::Read,
            &format!("/v1/{project}/{logstore}/rawlog"),
            req,
        )
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
            RequestKind::Read,
            &format!("/v1/{project}/{logstore}/detail"),
            &RefIdsBody { ref_ids },
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
        kind: RequestKind,
        path: &str,
        body: &B,
    ) -> Result<T> {
        decode(&self.post_raw(kind, path, body).await?)
    }

    async fn post_raw<B: Serialize + ?Sized>(
        &self,
        kind: RequestKind,
        path: &str,
        body: &B,
    ) -> Result<bytes::Bytes> {
        let body = serde_json::to_vec(body).map_err(|e| Error::Validation(e.to_string()))?;
        let req = self
            .http
            .post(format!("{}{}", self.base_url, path))
            .bearer_auth(&self.token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        self.send(kind, req).await
    }

    async fn get_raw(&self, path: &str) -> Result<bytes::Bytes> {
        let req = self
            .http
            .get(format!("{}{}", self.base_url, path))
            .bearer_auth(&self.token);
        self.send(RequestKind::Read, req).await
    }

    /// Send, retrying as the policy and the request kind allow.
    async fn send(&self, kind: RequestKind, req: reqwest::RequestBuilder) -> Result<bytes::Bytes> {
        let req = req
            .build()
            .map_err(|e| Error::Validation(error_chain(&e)))?;
        let mut retry = 0;
        loop {
            // Bodies are in memory, so a request can always be cloned.
            let attempt = req.try_clone().ok_or_else(|| {
                Error::Validation("request body cannot be sent twice".to_string())
            })?;
            let (error, retry_after) = match self.attempt(attempt).await {
                Ok(body) => return Ok(body),
                Err(failure) => failure,
            };
            if retry >= self.retry.max_retries || !retry::is_retryable(kind, &error) {
                return Err(error);
            }
            tokio::time::sleep(self.retry.delay(retry, retry_after)).await;
            retry += 1;
        }
    }

    /// One attempt: the body on 2xx, else the error and any Retry-After.
    async fn attempt(
        &self,
        req: reqwest::Request,
    ) -> std::result::Result<bytes::Bytes, (Error, Option<Duration>)> {
        let resp = self
            .http
            .execute(req)
            .await
            .map_err(|e| (self.transport_error(e), None))?;
        let status = resp.status();
        if status.is_redirection() {
            let location = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .unwrap_or_else(|| "(no Location header)".to_string());
            return Err((
                Error::Redirect {
                    status: status.as_u16(),
                    location: cut_chars(&location, 500),
                },
                None,
            ));
        }
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(retry::parse_retry_after);
        if status.is_success() {
            let body = self.read_body(resp, self.max_response_bytes).await?;
            return Ok(body.freeze());
        }
        // Only the start of an error answer is read: it is for a message.
        let body = self.read_body(resp, ERROR_BODY_KEEP_BYTES as u64).await;
        let text = match &body {
            Ok(b) => String::from_utf8_lossy(b).into_owned(),
            Err((e, _)) => e.to_string(),
        };
        Err((api_error(status.as_u16(), &text), retry_after))
    }

    /// The body, read chunk by chunk up to `limit` bytes. An error answer
    /// over its limit keeps its first `limit` bytes, marked as cut; a
    /// success over the limit is [`Error::TooLarge`].
    async fn read_body(
        &self,
        mut resp: reqwest::Response,
        limit: u64,
    ) -> std::result::Result<bytes::BytesMut, (Error, Option<Duration>)> {
        let is_error = !resp.status().is_success();
        let too_large = || (Error::TooLarge { limit }, None);
        let declared = resp.content_length();
        if !is_error && declared.is_some_and(|n| n > limit) {
            return Err(too_large());
        }
        let expect = declared.unwrap_or(0).min(limit).min(64 * 1024 * 1024);
        let mut body = bytes::BytesMut::with_capacity(usize::try_from(expect).unwrap_or(0));
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| (self.transport_error(e), None))?
        {
            let room =
                usize::try_from(limit.saturating_sub(body.len() as u64)).unwrap_or(usize::MAX);
            if chunk.len() > room {
                if !is_error {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk[..room]);
                // Cut on a character boundary, then say so.
                let mut text = String::from_utf8_lossy(&body)
                    .trim_end_matches('\u{fffd}')
                    .to_string();
                text.push_str(" … (cut)");
                return Ok(bytes::BytesMut::from(text.as_bytes()));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
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

// Debug output never shows the token (it ends up in logs and panics).
impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("token", &"<redacted>")
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .field("token", &"<redacted>")
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

// Request bodies, serialised straight from borrowed data (no JSON tree).
#[derive(Serialize)]
struct PointsBody<'a> {
    points: &'a [DataPoint],
}
#[derive(Serialize)]
struct LogsBody<'a> {
    logs: &'a [LogEntry],
}
#[derive(Serialize)]
struct SqlBody<'a> {
    sql: &'a str,
}
#[derive(Serialize)]
struct RefIdsBody<'a> {
    ref_ids: &'a [String],
}

/// What [`ClientBuilder::build`] says to a URL with `user:password@`.
pub const CREDENTIALS_IN_URL: &str = "the aepipe URL holds credentials (user:password@): \
    aepipe authenticates with a bearer token; remove them from the URL and pass the token \
    with --token, AEPIPE_TOKEN or the profile's token / token_env / token_command";

/// Whether `url` carries a user name or password (`https://u:p@host`).
pub fn url_has_credentials(url: &str) -> bool {
    reqwest::Url::parse(url).is_ok_and(|u| !u.username().is_empty() || u.password().is_some())
}

/// A warning when `token` would travel in clear text: plain http to a host
/// other than this machine. None for https, loopback or no token.
pub fn plain_http_warning(url: &str, token: &str) -> Option<String> {
    let u = reqwest::Url::parse(url).ok()?;
    if u.scheme() != "http" || token.is_empty() {
        return None;
    }
    let host = u.host_str()?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => {
            let d = bare.to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
    };
    (!loopback).then(|| {
        format!(
            "the token is sent over plain http to {}: anyone on the way can read it; use https",
            u.host_str().unwrap_or("the server")
        )
    })
}

/// At most `max` characters of `s`, marked when cut.
fn cut_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
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

/// Decode a small answer; a failure names the JSON path (`logs[3].timestamp`).
fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    let fail = |path: String, e: serde_json::Error| Error::Decode {
        body: String::from_utf8_lossy(&body[..body.len().min(2000)]).into_owned(),
        path,
        message: e.to_string(),
    };
    let at = |e: &serde_json::Error| format!("line {} column {}", e.line(), e.column());
    let mut de = serde_json::Deserializer::from_slice(body);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let path = if path == "." { at(&inner) } else { path };
        fail(path, inner)
    })?;
    de.end().map_err(|e| fail(at(&e), e))?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send<T: Send>(_: &T) {}

    /// The explorer runs every request as a spawned task: the futures must be Send.
    #[allow(dead_code)]
    fn futures_are_send(c: &Client, t: &mut Tailer, points: &[DataPoint], logs: &[LogEntry]) {
        let opts = BatchOptions::default();
        assert_send(&c.query("p", "l", "SELECT 1"));
        assert_send(&c.ingest_all("p", "l", points, &opts));
        assert_send(&c.log_all("p", "l", logs, &opts));
        assert_send(&c.rawlog("p", "l", &RawLogRequest::default()));
        assert_send(&c.detail("p", "l", &[]));
        assert_send(&c.list_projects());
        assert_send(&t.poll());
    }

    #[test]
    fn decode_errors_name_the_path() {
        let err = decode::<RawLogResult>(br#"{"logs":[{"timestamp":"t","level":"info","data":{}},{"level":"x","data":1}],"count":2}"#)
            .unwrap_err();
        match err {
            Error::Decode { path, message, .. } => {
                assert_eq!(path, "logs[1]", "{message}");
                assert!(message.contains("timestamp"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        match decode::<ProjectsBody>(b"<html>").unwrap_err() {
            Error::Decode { path, .. } => assert_eq!(path, "line 1 column 1"),
            other => panic!("{other:?}"),
        }
        assert!(decode::<ProjectsBody>(br#"{"projects":[]} x"#).is_err());
    }

    #[test]
    fn builder_rejects_non_http_urls_and_keeps_retry_settings() {
        assert!(matches!(
            Client::new("localhost:8787", "t"),
            Err(Error::Validation(_))
        ));
        let c = Client::builder("http://x/", "t")
            .max_retries(7)
            .base_delay(Duration::from_millis(3))
            .build()
            .unwrap();
        assert_eq!(c.base_url(), "http://x");
        assert_eq!(c.retry_policy().max_retries, 7);
        assert_eq!(c.retry_policy().base_delay, Duration::from_millis(3));
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("\"t\"") && shown.contains("redacted"),
            "{shown}"
        );
    }
}
