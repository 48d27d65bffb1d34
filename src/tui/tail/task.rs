//! The polling task the host spawns for a live tail: the SDK's follow loop
//! ([`follow`], the same as `aepipe tail -f`) with its reports turned into
//! the pane's messages: lines, gaps, skipped records, retries, failure.

use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use crate::client::tail::{follow, FollowEvent, Gap, TailOptions, TailStart, Tailer};
use crate::client::{Client, RawLogEntry};

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
    /// Stretches the tail cannot vouch for (shown as gap lines).
    Gaps(Vec<Gap>),
    /// Records skipped because they have no valid timestamp.
    Malformed(usize),
    /// The answer to a raw-logs window (see `tail::window`): the records
    /// before the moment and from it on, or why they could not be read.
    Window {
        center_ms: i64,
        result: Result<(Vec<RawLogEntry>, Vec<RawLogEntry>), String>,
    },
}

/// The running task; dropping it stops the polling.
#[derive(Debug)]
pub struct TailTask {
    handle: JoinHandle<()>,
}

impl TailTask {
    #[cfg(any(test, feature = "internals"))]
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
    let tailer = Tailer::new(client, project, logstore, options);
    let handle = tokio::spawn(follow(tailer, move |event| {
        let alive = events_of(event)
            .into_iter()
            .all(|event| sender.send(A::from(TailMsg { id, event })).is_ok());
        std::future::ready(alive)
    }));
    TailTask { handle }
}

/// The pane's messages for one report of the follow loop: the records first
/// (an empty list is a sign of life), then what the tail cannot vouch for.
fn events_of(event: FollowEvent) -> Vec<TailEvent> {
    match event {
        FollowEvent::Batch(batch) => {
            let mut out = vec![TailEvent::Entries(batch.records)];
            if !batch.gaps.is_empty() {
                out.push(TailEvent::Gaps(batch.gaps));
            }
            if batch.malformed > 0 {
                out.push(TailEvent::Malformed(batch.malformed));
            }
            out
        }
        FollowEvent::Retrying {
            message,
            attempt,
            retry_in,
        } => vec![TailEvent::Retrying {
            message,
            attempt,
            retry_in,
        }],
        FollowEvent::Failed(message) => vec![TailEvent::Failed(message)],
    }
}
