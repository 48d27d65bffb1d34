//! What `update` asks the outside world to do. The event loop hands each
//! effect to the task runner (network, files, clipboard) or handles it
//! itself (terminal settings).

pub mod tasks;

use std::path::PathBuf;
use std::sync::Arc;

use crate::client::{QueryResult, RawLogRequest};
use crate::tui::action::RequestId;
use crate::tui::app::Scope;
use crate::tui::grid::export::ExportFormat;

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
    FetchDetail {
        id: RequestId,
        scope: Scope,
        ref_ids: Vec<String>,
    },
    PollRawlog {
        id: RequestId,
        scope: Scope,
        request: RawLogRequest,
    },
    Copy {
        what: String,
        text: String,
    },
    Export {
        dir: PathBuf,
        scope: String,
        result: Arc<QueryResult>,
        rows: Vec<usize>,
        format: ExportFormat,
    },
    SaveHistory {
        file: PathBuf,
        entries: Vec<String>,
    },
    SetMouseCapture(bool),
}
