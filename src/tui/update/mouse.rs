//! The mouse: a click focuses the pane under it and selects there; the
//! wheel scrolls the pane under the pointer.

use super::*;

pub(super) fn on_mouse(app: &mut App, m: MouseEvent) -> Vec<Effect> {
    let panes = layout::compute(app);
    let at = Position::new(m.column, m.row);
    let inside = |r: Rect| r.contains(at);
    if inside(panes.tabs) && m.kind == MouseEventKind::Down(MouseButton::Left) {
        return tabs::clicked(app, panes.tabs, m.column);
    }
    let target = [
        (panes.tree, Focus::Tree),
        (panes.editor, Focus::Editor),
        (panes.results, Focus::Results),
        (panes.detail, Focus::Detail),
    ]
    .into_iter()
    .find(|(r, _)| inside(*r));
    let Some((rect, pane)) = target else {
        return Vec::new();
    };
    match m.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            let was_editing = app.focus == Focus::Editor;
            app.focus = pane;
            let inner_row = m.row.saturating_sub(rect.y + 1) as usize;
            match pane {
                Focus::Editor => {
                    let inner_col = m.column.saturating_sub(rect.x + 1);
                    app.editor.completion = None;
                    app.editor.click(
                        inner_row as u16,
                        inner_col,
                        rect.height.saturating_sub(2),
                        was_editing,
                    );
                }
                Focus::Tree => app.tree.move_to(app.tree.offset + inner_row),
                // Two header lines (names, types) above the rows.
                Focus::Results if app.bottom == Bottom::Grid && inner_row >= 2 => {
                    app.grid.move_to_row(app.grid.offset + inner_row - 2);
                    return sync_detail(app);
                }
                _ => {}
            }
        }
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let d = if m.kind == MouseEventKind::ScrollDown {
                3
            } else {
                -3
            };
            match pane {
                Focus::Tree => app.tree.move_by(d),
                Focus::Results if app.bottom == Bottom::Grid => {
                    app.grid.move_rows(d);
                    return sync_detail(app);
                }
                Focus::Results | Focus::Detail => {
                    let cmd = if d > 0 { Command::Down } else { Command::Up };
                    for _ in 0..d.abs() {
                        if pane == Focus::Detail {
                            app.detail.command(cmd);
                        } else {
                            app.tail.command(cmd);
                        }
                    }
                }
                _ => {}
            }
        }
        _ => {}
    }
    Vec::new()
}
