//! What is kept between runs, as update() sees it: the session file
//! (editor and tabs), saved queries per logstore (the save key, listed in
//! F3) and the F2 history with each query's last answer.

use super::*;
use crate::tui::editor::history::RunMeta;
use crate::tui::history_view::{HistoryOutcome, HistoryView};
use crate::tui::send_form::Input;

/// Write the session (editor, tabs) when it is kept.
pub(super) fn save_session(app: &App) -> Vec<Effect> {
    let Some(path) = app.session_path.clone() else {
        return Vec::new();
    };
    let text = crate::tui::session::to_text(&crate::tui::session::capture(app));
    vec![Effect::WritePrivate {
        path,
        text,
        what: "session",
    }]
}

/// The scoped logstore's saved queries, read when it is chosen (as its
/// history is).
pub(super) fn load_saved(app: &mut App, scope: &Scope) {
    let file = app.saved.root.as_ref().map(|root| {
        crate::tui::saved::path_for(root, &app.profile_name(), &scope.project, &scope.logstore)
    });
    app.saved.items = file
        .as_deref()
        .map(crate::tui::saved::load)
        .unwrap_or_default();
    app.saved.file = file;
}

/// Ask for a name to save the statement under the cursor with.
pub(super) fn open_save_prompt(app: &mut App) {
    if app.scope.is_none() {
        app.notify(NoticeLevel::Warning, "choose a logstore in the tree first");
        return;
    }
    if app.editor.sql_to_run().is_none() {
        app.notify(NoticeLevel::Warning, "nothing to save: the editor is empty");
        return;
    }
    app.open(Popup::SavePrompt(Input::default()));
}

pub(super) fn save_prompt_key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
    let Some(Popup::SavePrompt(input)) = &mut app.popup else {
        return Vec::new();
    };
    match app.keymap.lookup(Context::Prompt, key) {
        Some(Command::Close | Command::Cancel) => app.close_popup(),
        Some(Command::Accept | Command::Select) => {
            let name = input.text.trim().to_string();
            if name.is_empty() {
                app.notify(NoticeLevel::Warning, "a saved query needs a name");
                return Vec::new();
            }
            app.close_popup();
            let Some(sql) = app.editor.sql_to_run() else {
                return Vec::new();
            };
            app.saved.put(&name, &sql);
            app.notify(
                NoticeLevel::Info,
                format!("saved as {name:?}: F3 lists it for this logstore"),
            );
            if let Some(path) = app.saved.file.clone() {
                return vec![Effect::WritePrivate {
                    path,
                    text: app.saved.to_text(),
                    what: "saved queries",
                }];
            }
        }
        _ => {
            input.handle(key);
        }
    }
    Vec::new()
}

/// F2: the history popup (searchable).
pub(super) fn open_history(app: &mut App) {
    if app.editor.history.entries.is_empty() {
        app.notify(NoticeLevel::Info, "no history yet for this logstore");
        return;
    }
    app.open(Popup::History(HistoryView::default()));
}

pub(super) fn history_key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
    let page = crate::tui::ui::history::page(app);
    let Some(Popup::History(view)) = &mut app.popup else {
        return Vec::new();
    };
    match view.handle_key(&app.keymap, key, &app.editor.history, page) {
        HistoryOutcome::Handled => {}
        HistoryOutcome::Close => app.close_popup(),
        HistoryOutcome::Choose(sql) => {
            app.close_popup();
            app.editor.set_text(&sql);
            app.editor.history_pos = None;
            app.focus = Focus::Editor;
        }
    }
    Vec::new()
}

/// A query answered: its history line notes when, how many rows and how
/// long (only in the history of the logstore it ran on, when that is the
/// one the editor is scoped to: the other's is not loaded).
pub(super) fn record_answer(
    app: &mut App,
    scope: &Scope,
    sql: &str,
    rows: usize,
    elapsed: std::time::Duration,
) -> Vec<Effect> {
    if app.scope.as_ref() != Some(scope) {
        return Vec::new();
    }
    let meta = RunMeta {
        at: chrono::Utc::now().timestamp_millis(),
        rows: rows as u64,
        ms: elapsed.as_millis() as u64,
    };
    if !app.editor.history.record(sql, meta) {
        return Vec::new();
    }
    match app.editor.history.file.clone() {
        Some(file) => vec![Effect::SaveHistory {
            file,
            entries: app.editor.history.lines(),
        }],
        None => Vec::new(),
    }
}
