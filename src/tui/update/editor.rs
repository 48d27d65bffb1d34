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

pub(super) fn open_completion(app: &mut App) -> bool {
    let prefix = word_at_cursor(app);
    // A word that is already complete offers nothing, so Tab after "DESC"
    // moves on instead of "completing" it to itself.
    let items: Vec<_> = completion::candidates(&prefix)
        .into_iter()
        .filter(|c| !c.text.trim_end_matches('(').eq_ignore_ascii_case(&prefix))
        .collect();
    match items.len() {
        0 => {
            app.editor.completion = None;
            false
        }
        1 => {
            app.editor.accept_completion(&prefix, &items[0].text);
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
    let items = completion::candidates(&prefix);
    app.editor.completion = (!items.is_empty()).then_some(CompletionState {
        prefix,
        items,
        selected: 0,
    });
}
