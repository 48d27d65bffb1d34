//! Runs effects as tokio tasks. Each answers with an `Action` carrying its
//! request id on the channel the event loop reads, so nothing here blocks
//! the UI, and a running task can be aborted by id.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::AbortHandle;

use crate::client::Client;
use crate::tui::action::{Action, RequestId, TaskError};
use crate::tui::detail::PayloadError;
use crate::tui::effects::Effect;
use crate::tui::tail::task::TailTask;

pub struct TaskRunner {
    client: Client,
    tx: UnboundedSender<Action>,
    running: HashMap<RequestId, AbortHandle>,
    /// The live tail's polling task; dropping it stops the polling.
    tail: Option<TailTask>,
}

impl TaskRunner {
    pub fn new(client: Client, tx: UnboundedSender<Action>) -> Self {
        Self {
            client,
            tx,
            running: HashMap::new(),
            tail: None,
        }
    }

    /// Start an effect. Terminal effects (mouse) are the event loop's.
    pub fn run(&mut self, effect: Effect) {
        self.running.retain(|_, h| !h.is_finished());
        let client = self.client.clone();
        let tx = self.tx.clone();
        match effect {
            Effect::LoadProjects { id } => self.spawn(id, async move {
                let result = client
                    .list_projects()
                    .await
                    .map_err(|e| TaskError::from_client(&e));
                let _ = tx.send(Action::ProjectsLoaded { id, result });
            }),
            Effect::LoadLogstores { id, project } => self.spawn(id, async move {
                let result = client
                    .list_logstores(&project)
                    .await
                    .map_err(|e| TaskError::from_client(&e));
                let _ = tx.send(Action::LogstoresLoaded {
                    id,
                    project,
                    result,
                });
            }),
            Effect::RunQuery { id, scope, sql } => self.spawn(id, async move {
                let started = Instant::now();
                let result = client
                    .query(&scope.project, &scope.logstore, &sql)
                    .await
                    .map(Arc::new)
                    .map_err(|e| TaskError::from_client(&e));
                let _ = tx.send(Action::QueryFinished {
                    id,
                    result,
                    elapsed: started.elapsed(),
                });
            }),
            Effect::FetchDetail { scope, request } => {
                // Payload fetches are not aborted: a late answer still fills
                // the pane's cache.
                tokio::spawn(async move {
                    let result = client
                        .detail(&scope.project, &scope.logstore, &request.ref_ids)
                        .await
                        .map_err(|e| PayloadError::from(&e));
                    let _ = tx.send(Action::DetailLoaded {
                        req_id: request.req_id,
                        result,
                    });
                });
            }
            Effect::StartTail { scope, id } => {
                self.tail = Some(crate::tui::tail::task::spawn(
                    client,
                    &scope.project,
                    &scope.logstore,
                    id,
                    tx,
                ));
            }
            Effect::StopTail => self.tail = None,
            Effect::Send { id, request } => self.spawn(id, async move {
                use crate::tui::send_form::SendItem;
                let (project, logstore) = (&request.project, &request.logstore);
                let result = match &request.item {
                    SendItem::Log(entry) => client
                        .log(project, logstore, std::slice::from_ref(entry))
                        .await
                        .map(|r| r.written),
                    SendItem::Point(point) => client
                        .ingest(project, logstore, std::slice::from_ref(point))
                        .await
                        .map(|r| r.written),
                };
                let result = result.map_err(|e| TaskError::from_client(&e));
                let _ = tx.send(Action::SendFinished { id, result });
            }),
            Effect::Abort(id) => {
                if let Some(h) = self.running.remove(&id) {
                    h.abort();
                }
            }
            Effect::Copy { what, text } => {
                tokio::task::spawn_blocking(move || {
                    let action = match crate::tui::clipboard::copy_with_system_tool(&text) {
                        Ok(tool) => Action::Copied {
                            what,
                            result: Ok(tool.to_string()),
                        },
                        Err(_) => Action::CopyViaTerminal { what, text },
                    };
                    let _ = tx.send(action);
                });
            }
            Effect::CopyOsc52 { what, text } => {
                let result = crate::tui::terminal::osc52_copy(&text)
                    .map(|()| "the terminal (OSC 52; some terminals block it)".to_string())
                    .map_err(|e| e.to_string());
                let _ = tx.send(Action::Copied { what, result });
            }
            Effect::Export {
                path,
                result,
                rows,
                format,
            } => {
                tokio::task::spawn_blocking(move || {
                    let result =
                        crate::tui::grid::export::export_to_path(&path, &result, &rows, format)
                            .map_err(|e| format!("export to {} failed: {e}", path.display()));
                    let _ = tx.send(Action::Exported { result });
                });
            }
            Effect::SaveHistory { file, entries } => {
                tokio::task::spawn_blocking(move || {
                    if let Err(e) = crate::tui::editor::history::save(&file, &entries) {
                        tracing::warn!("saving history to {}: {e}", file.display());
                    }
                });
            }
            Effect::SaveFields { path, text } => {
                tokio::task::spawn_blocking(move || {
                    if let Err(e) = crate::tui::fields::FieldsConfig::save(&path, &text) {
                        tracing::warn!("saving column names to {}: {e}", path.display());
                    }
                });
            }
            Effect::SetMouseCapture(_) => {}
            Effect::FetchRawWindow {
                scope,
                id,
                center_ms,
                minutes,
            } => {
                // Not aborted: an answer for a window no longer shown is
                // dropped by its id.
                tokio::spawn(async move {
                    use crate::tui::tail::task::{TailEvent, TailMsg};
                    let (before, after) = crate::tui::tail::window::requests(center_ms, minutes);
                    let (p, l) = (&scope.project, &scope.logstore);
                    let (b, a) =
                        tokio::join!(client.rawlog(p, l, &before), client.rawlog(p, l, &after));
                    let result = match (b, a) {
                        (Ok(b), Ok(a)) => Ok((b.logs, a.logs)),
                        (Err(e), _) | (_, Err(e)) => Err(TaskError::from_client(&e).message),
                    };
                    let event = TailEvent::Window { center_ms, result };
                    let _ = tx.send(Action::Tail(TailMsg { id, event }));
                });
            }
            Effect::SaveLayout { path, layout } => {
                tokio::task::spawn_blocking(move || {
                    if let Err(e) = layout.save(&path) {
                        tracing::warn!("{e}");
                    }
                });
            }
            Effect::WritePrivate { path, text, what } => {
                tokio::task::spawn_blocking(move || {
                    if let Err(e) = crate::tui::session::save(&path, &text) {
                        tracing::warn!("saving the {what} to {}: {e}", path.display());
                    }
                });
            }
        }
    }

    fn spawn(
        &mut self,
        id: RequestId,
        fut: impl std::future::Future<Output = ()> + Send + 'static,
    ) {
        let handle = tokio::spawn(fut);
        self.running.insert(id, handle.abort_handle());
    }
}
