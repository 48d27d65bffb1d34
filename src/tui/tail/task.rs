//! The polling task the host spawns for a live tail: it drives a
//! [`Tailer`] (which pages back and never returns a line twice), sends
//! every poll's lines as a message, and on failure says so and retries with
//! backoff — or stops when retrying cannot help (bad token, bad name).

use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use super::conn::backoff;
use crate::client::tail::{TailOptions, TailStart, Tailer};
use crate::client::{Client, Error, RawLogEntry};

/// Records shown at once when a tail opens.
pub const DEFAULT_BACKLOG: usize = 200;

/// One report of the polling task, tagged with the tail's id so a report
/// from a tail the host already replaced is recognised and dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct TailMsg {
    pub id: u64,
    pub event: TailEvent,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TailEvent {
    /// A poll succeeded: the new records, oldest first (possibly none).
    Entries(Vec<RawLogEntry>),
    /// A poll failed; the next try is in `retry_in`.
    Retrying {
        message: String,
        attempt: u32,
        retry_in: Duration,
    },
    /// The task stopped: retrying cannot help.
    Failed(String),
}

/// The running task; dropping it stops the polling.
#[derive(Debug)]
pub struct TailTask {
    handle: JoinHandle<()>,
}

impl TailTask {
    pub fn is_finished(&self) -> bool {
        self.handle.is_finished()
    }
}

impl Drop for TailTask {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

/// Start tailing `project/logstore` with the default options (the newest
/// 200 records first, then a poll every second). Must run inside a tokio runtime.
pub fn spawn<A>(
    client: Client,
    project: &str,
    logstore: &str,
    id: u64,
    sender: UnboundedSender<A>,
) -> TailTask
where
    A: From<TailMsg> + Send + 'static,
{
    let options = TailOptions {
        start: TailStart::Backlog(DEFAULT_BACKLOG),
        ..TailOptions::default()
    };
    spawn_with(client, project, logstore, id, options, sender)
}

pub fn spawn_with<A>(
    client: Client,
    project: &str,
    logstore: &str,
    id: u64,
    options: TailOptions,
    sender: UnboundedSender<A>,
) -> TailTask
where
    A: From<TailMsg> + Send + 'static,
{
    let interval = options.interval;
    let mut tailer = Tailer::new(client, project, logstore, options);
    let handle = tokio::spawn(async move {
        let send = |event: TailEvent| sender.send(A::from(TailMsg { id, event })).is_ok();
        let mut attempt = 0u32;
        loop {
            let wait = match tailer.poll().await {
                Ok(entries) => {
                    attempt = 0;
                    if !send(TailEvent::Entries(entries)) {
                        return;
                    }
                    interval
                }
                Err(e) if is_retryable(&e) => {
                    attempt = attempt.saturating_add(1);
                    let retry_in = backoff(attempt);
                    let event = TailEvent::Retrying {
                        message: e.to_string(),
                        attempt,
                        retry_in,
                    };
                    if !send(event) {
                        return;
                    }
                    retry_in
                }
                Err(e) => {
                    send(TailEvent::Failed(e.to_string()));
                    return;
                }
            };
            tokio::time::sleep(wait).await;
        }
    });
    TailTask { handle }
}

/// Network trouble, timeouts, overload and server faults pass; a request the
/// server rejected (4xx, 501, an upstream "CF API 4xx") will fail again.
fn is_retryable(e: &Error) -> bool {
    match e {
        Error::Transport { .. } | Error::Timeout(_) | Error::Decode { .. } => true,
        Error::Api { status, message } => {
            *status == 429 || (*status >= 500 && *status != 501 && !message.starts_with("CF API 4"))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_transient_failures_are_retried() {
        let api = |status: u16, message: &str| Error::Api {
            status,
            message: message.into(),
        };
        assert!(is_retryable(&api(503, "busy")));
        assert!(is_retryable(&api(429, "slow down")));
        assert!(is_retryable(&api(502, "CF Telemetry API 500: x")));
        assert!(!is_retryable(&api(502, "CF API 401: bad token")));
        assert!(!is_retryable(&api(401, "unauthorized")));
        assert!(!is_retryable(&api(400, "invalid logstore name")));
        assert!(is_retryable(&Error::Timeout(Duration::from_secs(1))));
        assert!(!is_retryable(&Error::Validation("x".into())));
    }
}
