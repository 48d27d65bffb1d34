//! The pane sizes are written when they change, not only on exit, so a
//! crash or a kill keeps them: a change asks for a write half a second on
//! (a burst of `<`/`>` is one write), and the write happens on that tick
//! when the sizes differ from what the file holds.

use super::*;
use crate::tui::layout_store::SavedLayout;

/// Ticks between the last change and the write.
pub const WRITE_AFTER_TICKS: u64 = TICKS_PER_SECOND / 2;

/// The user changed a pane's size.
pub(super) fn changed(app: &mut App) {
    if app.layout_path.is_some() {
        app.layout_write_at = Some(app.tick + WRITE_AFTER_TICKS);
    }
}

/// On each tick: write the sizes once the burst of changes is over.
pub(super) fn tick(app: &mut App) -> Vec<Effect> {
    if app.layout_write_at.is_none_or(|at| app.tick < at) {
        return Vec::new();
    }
    app.layout_write_at = None;
    let chosen = SavedLayout::from_layout(&app.layout);
    let Some(path) = app
        .layout_path
        .clone()
        .filter(|_| chosen != app.layout_kept)
    else {
        return Vec::new();
    };
    app.layout_kept = chosen.clone();
    vec![Effect::SaveLayout {
        path,
        layout: chosen,
    }]
}
