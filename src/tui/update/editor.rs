//! What the editor pane asks for: completion from the scoped logstore's
//! field names, the next pane, a notice.

use super::*;

/// Act on what the editor asked for; None when the key was not the
/// editor's.
pub(super) fn editor_outcome(app: &mut App, outcome: EditorOutcome) -> Option<Vec<Effect>> {
    match outcome {
        EditorOutcome::Ignored => return None,
        EditorOutcome::Handled => {}
        EditorOutcome::Typed => {
            if app.editor.completion.is_some() {
                refresh_completion(app);
            }
        }
        EditorOutcome::Complete => {
            open_completion(app);
        }
        EditorOutcome::CompleteOrNext => {
            if !open_completion(app) {
                focus_step(app, 1);
            }
        }
        EditorOutcome::Info(text) => app.notify(NoticeLevel::Info, text),
    }
    Some(Vec::new())
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
