//! Naming a grid column from the explorer: `n` on a blob/double column asks
//! for its name in the result's logstore; the names are checked, applied
//! to every pane at once and saved to the fields file.

use super::*;
use crate::tui::send_form::Input;

pub(super) fn open_prompt(app: &mut App) {
    let (Some(result), Some(scope)) = (app.grid.result.clone(), app.result_scope.clone()) else {
        app.notify(
            NoticeLevel::Warning,
            "run a query first, then name its columns",
        );
        return;
    };
    let Some(column) = result.columns().get(app.grid.col).map(|c| c.name.clone()) else {
        return;
    };
    if !crate::tui::fields::is_positional(&column) {
        app.notify(
            NoticeLevel::Warning,
            format!(
                "only blob and double columns are named; {} is not one (select the column itself, without AS)",
                crate::tui::ui::safe::text(&column)
            ),
        );
        return;
    }
    let current = app
        .names_for(Some(&scope))
        .name_of(&column)
        .unwrap_or("")
        .to_string();
    app.open(Popup::NamePrompt(scope, column, Input::with(&current)));
}

/// Keys while a name is typed: Enter applies (empty removes the name),
/// Esc cancels.
pub(super) fn prompt_key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
    let Some(Popup::NamePrompt(_, _, input)) = &mut app.popup else {
        return Vec::new();
    };
    match app.keymap.lookup(Context::Prompt, key) {
        Some(Command::Close | Command::Cancel) => app.close_popup(),
        Some(Command::Accept | Command::Select) => {
            let Some(Popup::NamePrompt(scope, column, input)) = app.popup.take() else {
                return Vec::new();
            };
            return apply(app, &scope, &column, &input.text, input.clone());
        }
        _ => {
            input.handle(key);
        }
    }
    Vec::new()
}

fn apply(app: &mut App, scope: &Scope, column: &str, name: &str, input: Input) -> Vec<Effect> {
    let profile = app.profile_name();
    let key = (
        profile.as_str(),
        scope.project.as_str(),
        scope.logstore.as_str(),
    );
    if let Err(e) = app.fields.set(key, column, Some(name)) {
        // Keep the prompt open with what was typed, so it can be fixed.
        app.open(Popup::NamePrompt(scope.clone(), column.to_string(), input));
        app.notify(NoticeLevel::Warning, e.to_string());
        return Vec::new();
    }
    let said = match name.trim() {
        "" => format!("{column} has no name now in {scope}"),
        n => format!("{column} is {n} in {scope}"),
    };
    app.notify(NoticeLevel::Info, said);
    let labels = app.result_names().clone();
    app.grid.fit_labels(&labels);
    refresh_chart(app);
    if app.tail.source() == Some((scope.project.as_str(), scope.logstore.as_str())) {
        let names = app.names_for(Some(scope)).clone();
        app.tail.set_names(names);
    }
    let mut effects = sync_detail(app);
    if let Some(path) = app.fields_path.clone() {
        effects.push(Effect::SaveFields {
            path,
            text: app.fields.to_toml(),
        });
    }
    effects
}
