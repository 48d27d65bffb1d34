//! Grid commands: moving, sorting, filtering, widths, copy and export.

use super::*;

pub(super) fn grid_command(app: &mut App, cmd: Command) -> Vec<Effect> {
    let g = &mut app.grid;
    let page = g.height.max(1) as isize;
    match cmd {
        Command::Up => g.move_rows(-1),
        Command::Down => g.move_rows(1),
        Command::PageUp => g.move_rows(-page),
        Command::PageDown => g.move_rows(page),
        Command::First => g.move_to_row(0),
        Command::Last => g.move_to_row(usize::MAX),
        Command::Left => g.move_cols(-1),
        Command::Right => g.move_cols(1),
        Command::Sort => g.cycle_sort(),
        Command::Filter => g.start_filter(),
        Command::Widen => g.adjust_width(2),
        Command::Narrow => g.adjust_width(-2),
        Command::CopyCell | Command::CopyRow => return copy(app, cmd == Command::CopyRow),
        Command::Export => {
            if app.grid.result.is_none() {
                app.notify(NoticeLevel::Warning, "no rows to export: run a query first");
            } else {
                app.open(Popup::Picker(Picker {
                    kind: PickerKind::Export,
                    title: format!("Export {} fetched rows as", app.grid.view.len()),
                    items: ExportFormat::ALL
                        .into_iter()
                        .map(|f| (f.label().to_string(), f.extension().to_string()))
                        .collect(),
                    selected: 0,
                }));
            }
        }
        Command::OpenDetail => app.focus = Focus::Detail,
        Command::DrillIn => return drill::drill_down(app, crate::tui::editor::drill::Op::Eq),
        Command::DrillOut => return drill::drill_down(app, crate::tui::editor::drill::Op::Ne),
        Command::Back => return drill::go_back(app),
        Command::Pivot => return drill::pivot(app),
        Command::RawAround => return super::raw_window::raw_around_row(app),
        Command::NameField => names::open_prompt(app),
        Command::NarrowTime => return super::time::narrow_to_row(app),
        _ => {}
    }
    sync_detail(app)
}

pub(super) fn copy(app: &mut App, whole_row: bool) -> Vec<Effect> {
    let (Some(result), Some(row)) = (app.grid.result.clone(), app.grid.selected_row()) else {
        app.notify(NoticeLevel::Warning, "nothing to copy");
        return Vec::new();
    };
    let (what, text) = if whole_row {
        let obj = result.row_json(row).unwrap_or_default();
        (
            "row as JSON".to_string(),
            serde_json::Value::Object(obj).to_string(),
        )
    } else {
        let name = result
            .columns()
            .get(app.grid.col)
            .map_or("cell".to_string(), |c| c.name.clone());
        (
            format!("cell {name}"),
            result.display(row, app.grid.col).into_owned(),
        )
    };
    vec![Effect::Copy { what, text }]
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
