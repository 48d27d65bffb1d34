//! Editor commands: completion and history browsing.

use super::*;

pub(super) fn editor_command(app: &mut App, cmd: Command) -> Vec<Effect> {
    match cmd {
        Command::Complete => {
            open_completion(app);
        }
        Command::CompleteOrNext if !open_completion(app) => focus_step(app, 1),
        Command::HistoryPrev if !app.editor.browse_history(-1) => {
            app.notify(NoticeLevel::Info, "no older query in history");
        }
        Command::HistoryNext => {
            app.editor.browse_history(1);
        }
        Command::ClearEditor => app.editor.set_text(""),
        Command::Undo if !app.editor.undo() => app.notify(NoticeLevel::Info, "nothing to undo"),
        Command::Redo if !app.editor.redo() => app.notify(NoticeLevel::Info, "nothing to redo"),
        Command::BufferStart => app.editor.move_to_buffer_edge(false),
        Command::BufferEnd => app.editor.move_to_buffer_edge(true),
        _ => {}
    }
    Vec::new()
}

/// The word the cursor stands at the end of: what completion completes.
fn word_at_cursor(app: &App) -> String {
    let (row, col) = app.editor.textarea.cursor();
    let line = app
        .editor
        .textarea
        .lines()
        .get(row)
        .map_or("", String::as_str);
    completion::word_before(line, col)
}

/// Whether the word at the cursor starts an item of the select list (a
/// field name then inserts `column AS name`).
fn word_starts_select_item(app: &App, prefix: &str) -> bool {
    let lines = app.editor.textarea.lines();
    let (row, col) = app.editor.textarea.cursor();
    let text = lines.join("\n");
    let cursor = crate::tui::editor::statement::offset_of(lines, row, col);
    let word_start = cursor.saturating_sub(prefix.len());
    let start = crate::tui::editor::statement::statement_ranges(&text)
        .into_iter()
        .find(|&(s, e)| word_start >= s && word_start <= e)
        .map_or(0, |(s, _)| s);
    text.get(start..word_start)
        .is_some_and(completion::starts_select_item)
}

/// Completion candidates for the word at the cursor, the scoped
/// logstore's field names first.
fn candidates_at_cursor(app: &App, prefix: &str) -> Vec<completion::Candidate> {
    let names = app.names_for(app.scope.as_ref());
    let select_item = !names.is_empty() && word_starts_select_item(app, prefix);
    completion::candidates_named(prefix, names, select_item)
}

pub(super) fn open_completion(app: &mut App) -> bool {
    let prefix = word_at_cursor(app);
    // A word that is already complete offers nothing, so Tab after "DESC"
    // moves on instead of "completing" it to itself.
    let items: Vec<_> = candidates_at_cursor(app, &prefix)
        .into_iter()
        .filter(|c| {
            c.insert.is_some() || !c.text.trim_end_matches('(').eq_ignore_ascii_case(&prefix)
        })
        .collect();
    match items.len() {
        0 => {
            app.editor.completion = None;
            false
        }
        1 => {
            app.editor.accept_completion(&prefix, items[0].inserted());
            true
        }
        _ => {
            app.editor.completion = Some(CompletionState {
                prefix,
                items,
                selected: 0,
            });
            true
        }
    }
}

pub(super) fn refresh_completion(app: &mut App) {
    let prefix = word_at_cursor(app);
    let items = candidates_at_cursor(app, &prefix);
    app.editor.completion = (!items.is_empty()).then_some(CompletionState {
        prefix,
        items,
        selected: 0,
    });
}
