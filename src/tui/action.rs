//! Everything that can happen to the app: input from the terminal, the clock,
//! and answers of the tasks it started (each tagged with its request id so a
//! stale answer can be recognised and dropped).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{KeyEvent, MouseEvent};

use crate::client::{DetailResult, QueryResult};
use crate::tui::detail::PayloadError;
use crate::tui::tail::task::TailMsg;

/// Identifies one request; newer requests have larger ids.
pub type RequestId = u64;

/// A failed request as the UI needs it: the text to show and whether trying
/// again could help (network, timeout, 5xx) or not (bad SQL, 4xx).
#[derive(Debug, Clone, PartialEq)]
pub struct TaskError {
    pub message: String,
    pub retryable: bool,
}

impl TaskError {
    /// The SDK's failure policy decides (one rule for SDK, CLI and explorer);
    /// a timeout counts as worth another try here, where the user decides.
    pub fn from_client(e: &crate::client::Error) -> Self {
        use crate::client::{retry, Error};
        let retryable = retry::advise(retry::RequestKind::Poll, e) == retry::FailureAdvice::Retry;
        let message = match e {
            Error::Api { message, .. } if retry::describe(e) == e.to_string() => message.clone(),
            other => retry::describe(other),
        };
        // The CLI's hint (e.g. "check the token" for a 401) goes with it.
        let message = match e.hint() {
            Some(hint) => format!("{message} — {hint}"),
            None => message,
        };
        TaskError { message, retryable }
    }
}

#[derive(Debug, Clone)]
pub enum Action {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Paste(String),
    Resize(u16, u16),
    /// The clock (spinners, retries, debounces).
    Tick,
    /// A debounce fell due between ticks (only the detail pane's clock).
    Wake,
    ProjectsLoaded {
        id: RequestId,
        result: Result<Vec<String>, TaskError>,
    },
    LogstoresLoaded {
        id: RequestId,
        project: String,
        result: Result<Vec<String>, TaskError>,
    },
    QueryFinished {
        id: RequestId,
        result: Result<Arc<QueryResult>, TaskError>,
        elapsed: Duration,
    },
    /// Answer to the detail pane's payload request (its own id space).
    DetailLoaded {
        req_id: u64,
        result: Result<DetailResult, PayloadError>,
    },
    /// A report of the live tail's polling task (tagged with the tail's id).
    Tail(TailMsg),
    SendFinished {
        id: RequestId,
        /// How many the server wrote.
        result: Result<u64, TaskError>,
    },
    Exported {
        result: Result<(PathBuf, usize), String>,
    },
    /// Copied; `Ok` says how (the tool, or the terminal).
    Copied {
        what: String,
        result: Result<String, String>,
    },
    /// No system clipboard worked: copy through the terminal (OSC 52), which
    /// must happen on the UI thread so it cannot interleave with a frame.
    CopyViaTerminal {
        what: String,
        text: String,
    },
}

impl From<TailMsg> for Action {
    fn from(msg: TailMsg) -> Self {
        Action::Tail(msg)
    }
}
