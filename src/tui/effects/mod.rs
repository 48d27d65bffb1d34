//! What `update` asks the outside world to do. The event loop hands each
//! effect to the task runner (network, files, clipboard) or handles it
//! itself (terminal settings).

pub mod tasks;

use std::path::PathBuf;
use std::sync::Arc;

use crate::client::QueryResult;
use crate::tui::action::RequestId;
use crate::tui::app::Scope;
use crate::tui::detail::PayloadRequest;
use crate::tui::grid::export::ExportFormat;
use crate::tui::send_form::SendRequest;

#[derive(Debug, Clone)]
pub enum Effect {
    LoadProjects {
        id: RequestId,
    },
    LoadLogstores {
        id: RequestId,
        project: String,
    },
    RunQuery {
        id: RequestId,
        scope: Scope,
        sql: String,
    },
    /// Stop a running request; its answer will not come.
    Abort(RequestId),
    /// The detail pane's payload request, for the scope the rows came from.
    FetchDetail {
        scope: Scope,
        request: PayloadRequest,
    },
    /// (Re)start the live tail; replaces a running one.
    StartTail {
        scope: Scope,
        id: u64,
    },
    StopTail,
    /// The send form's validated log entry or event.
    Send {
        id: RequestId,
        request: SendRequest,
    },
    /// Copy to the system clipboard, else through the terminal.
    Copy {
        what: String,
        text: String,
    },
    /// Write OSC 52 (run on the UI thread, between frames).
    CopyOsc52 {
        what: String,
        text: String,
    },
    Export {
        /// Where to write (numbered -2, -3… when taken).
        path: PathBuf,
        result: Arc<QueryResult>,
        rows: Vec<usize>,
        format: ExportFormat,
    },
    SaveHistory {
        file: PathBuf,
        /// The file's lines (`History::lines`).
        entries: Vec<String>,
    },
    /// Write the column names file (names given in the explorer).
    SaveFields {
        path: PathBuf,
        text: String,
    },
    SetMouseCapture(bool),
    /// The raw logs ±`minutes` around a moment, for the tail pane's
    /// window `id`.
    FetchRawWindow {
        scope: Scope,
        id: u64,
        center_ms: i64,
        minutes: i64,
    },
    /// Write the pane sizes the user chose (whole, atomically).
    SaveLayout {
        path: PathBuf,
        layout: crate::tui::layout_store::SavedLayout,
    },
    /// Write a small file of the user's (the session, saved queries)
    /// whole, atomically and 0600; `what` names it in a failure's log.
    WritePrivate {
        path: PathBuf,
        text: String,
        what: &'static str,
    },
}
