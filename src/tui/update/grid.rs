//! What the grid pane asks for (the detail pane following its cursor,
//! drill-downs, copy), and the export.

use super::*;

/// Act on what the grid asked for; None when the key was not the grid's.
pub(super) fn grid_outcome(app: &mut App, outcome: GridOutcome) -> Option<Vec<Effect>> {
    let effects = match outcome {
        GridOutcome::Ignored => return None,
        GridOutcome::Handled => Vec::new(),
        GridOutcome::Moved => sync_detail(app),
        GridOutcome::Copy { what, text } => vec![Effect::Copy { what, text }],
        GridOutcome::Warn(text) => {
            app.notify(NoticeLevel::Warning, text);
            Vec::new()
        }
        GridOutcome::Export if app.grid.result.is_none() => {
            app.notify(NoticeLevel::Warning, "no rows to export: run a query first");
            sync_detail(app)
        }
        GridOutcome::Export => {
            app.open(Popup::Picker(Picker {
                kind: PickerKind::Export,
                title: format!("Export {} fetched rows as", app.grid.view.len()),
                items: ExportFormat::ALL
                    .into_iter()
                    .map(|f| (f.label().to_string(), f.extension().to_string()))
                    .collect(),
                selected: 0,
            }));
            sync_detail(app)
        }
        GridOutcome::OpenDetail => {
            app.focus = Focus::Detail;
            sync_detail(app)
        }
        GridOutcome::NameField => {
            names::open_prompt(app);
            sync_detail(app)
        }
        GridOutcome::Drill(op) => drill::drill_down(app, op),
        GridOutcome::Back => drill::go_back(app),
        GridOutcome::Pivot => drill::pivot(app),
        GridOutcome::RawAround => super::raw_window::raw_around_row(app),
        GridOutcome::NarrowTime => super::time::narrow_to_row(app),
    };
    Some(effects)
}

/// Ask where to write: the file name is offered for editing, in the
/// directory the explorer was started in.
pub(super) fn export(app: &mut App, format: ExportFormat) -> Vec<Effect> {
    if app.grid.result.is_none() {
        app.notify(NoticeLevel::Warning, "no rows to export: run a query first");
        return Vec::new();
    }
    let scope = app
        .result_scope
        .as_ref()
        .or(app.scope.as_ref())
        .map_or_else(|| "result".to_string(), ToString::to_string);
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S").to_string();
    let name = crate::tui::grid::export::default_file_name(&scope, &stamp, format);
    app.open(Popup::ExportPrompt(ExportPrompt {
        format,
        path: crate::tui::send_form::Input::with(&name),
    }));
    Vec::new()
}

/// Keys while the export's path is shown: Enter writes, Esc cancels, the
/// rest edit the path.
pub(super) fn export_prompt_key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
    let Some(Popup::ExportPrompt(prompt)) = &mut app.popup else {
        return Vec::new();
    };
    match app.keymap.lookup(Context::Prompt, key) {
        Some(Command::Close | Command::Cancel) => {
            app.close_popup();
            app.notify(NoticeLevel::Info, "export cancelled");
        }
        Some(Command::Accept | Command::Select) => {
            let (format, typed) = (prompt.format, prompt.path.text.trim().to_string());
            if typed.is_empty() {
                app.notify(NoticeLevel::Warning, "type a file name, or Esc to cancel");
                return Vec::new();
            }
            app.close_popup();
            let Some(result) = app.grid.result.clone() else {
                return Vec::new();
            };
            return vec![Effect::Export {
                path: export_path(&app.export_dir, &typed),
                result,
                rows: app.grid.view.clone(),
                format,
            }];
        }
        _ => {
            prompt.path.handle(key);
        }
    }
    Vec::new()
}

/// A typed path: `~/…` under the home directory, a relative one under `dir`.
fn export_path(dir: &std::path::Path, typed: &str) -> std::path::PathBuf {
    match (typed.strip_prefix("~/"), dirs::home_dir()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => dir.join(typed),
    }
}
