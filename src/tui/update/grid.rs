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
                app.picker = Some(Picker {
                    kind: PickerKind::Export,
                    title: format!("Export {} fetched rows as", app.grid.view.len()),
                    items: ExportFormat::ALL
                        .into_iter()
                        .map(|f| (f.label().to_string(), f.extension().to_string()))
                        .collect(),
                    selected: 0,
                });
            }
        }
        Command::OpenDetail => app.focus = Focus::Detail,
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

pub(super) fn export(app: &mut App, format: ExportFormat) -> Vec<Effect> {
    let Some(result) = app.grid.result.clone() else {
        app.notify(NoticeLevel::Warning, "no rows to export: run a query first");
        return Vec::new();
    };
    let scope = app
        .query
        .running
        .as_ref()
        .map(|r| r.scope.to_string())
        .or_else(|| app.scope.as_ref().map(ToString::to_string))
        .unwrap_or_else(|| "result".into());
    vec![Effect::Export {
        dir: app.export_dir.clone(),
        scope,
        result,
        rows: app.grid.view.clone(),
        format,
    }]
}
