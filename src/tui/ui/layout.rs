//! Where each pane goes. Pure: `update` uses it to size viewports and
//! route mouse clicks, `render` to draw, so both always agree.

use ratatui::layout::Rect;

use crate::tui::app::{App, Focus};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Panes {
    pub tree: Rect,
    pub editor: Rect,
    pub results: Rect,
    /// The result tabs' strip, above the results (only when 2+ are open).
    pub tabs: Rect,
    pub detail: Rect,
    pub status: Rect,
    pub footer: Rect,
}

pub fn compute(app: &App) -> Panes {
    let (w, h) = app.size;
    let body_h = h.saturating_sub(2);
    let body = Rect::new(0, 0, w, body_h);
    let status = Rect::new(0, body_h, w, 1.min(h));
    let footer = Rect::new(0, body_h + 1, w, h.saturating_sub(body_h + 1).min(1));
    let mut panes = Panes {
        status,
        footer,
        ..Default::default()
    };
    if app.layout.zoomed {
        match app.focus {
            Focus::Tree => panes.tree = body,
            Focus::Editor => panes.editor = body,
            Focus::Results => panes.results = body,
            Focus::Detail => panes.detail = body,
        }
        return with_tab_strip(app, panes);
    }
    // On narrow terminals the side panes give way so the middle keeps at
    // least about half the width (80×24 must stay usable).
    let tree_w = app.layout.tree_width.min(w * 22 / 100).max(w.min(12));
    let detail_w = detail_width(app, w, tree_w);
    let middle_w = w.saturating_sub(tree_w + detail_w);
    let editor_h = app
        .layout
        .editor_height
        .min(body_h.saturating_sub(5))
        .max(body_h.min(3));
    panes.tree = Rect::new(0, 0, tree_w, body_h);
    panes.editor = Rect::new(tree_w, 0, middle_w, editor_h);
    panes.results = Rect::new(tree_w, editor_h, middle_w, body_h.saturating_sub(editor_h));
    panes.detail = Rect::new(tree_w + middle_w, 0, detail_w, body_h);
    with_tab_strip(app, panes)
}

/// With two or more result tabs, their strip takes the results' top row
/// (one tab shows none, so the screen is as it was before tabs).
fn with_tab_strip(app: &App, mut panes: Panes) -> Panes {
    if app.tabs.len() > 1 && panes.results.height >= 4 {
        let r = panes.results;
        panes.tabs = Rect::new(r.x, r.y, r.width, 1);
        panes.results = Rect::new(r.x, r.y + 1, r.width, r.height - 1);
    }
    panes
}

/// Columns the middle (editor and grid) keeps however wide the detail pane
/// is made.
const MIN_MIDDLE: u16 = 30;

/// The detail pane's width: the user's share of the screen when one was
/// chosen, else a quarter of a wide screen (at 200 columns a fixed 30 left
/// the grid 80 empty columns) and at most 28% of a narrow one. Either way
/// the middle keeps `MIN_MIDDLE` columns when the screen has them.
fn detail_width(app: &App, w: u16, tree_w: u16) -> u16 {
    let wanted = match app.layout.detail_share {
        Some(share) => u16::try_from(u32::from(w) * u32::from(share) / 1000).unwrap_or(w),
        None => app.layout.detail_width.min(w * 28 / 100).max(w / 4),
    };
    let max = w.saturating_sub(tree_w + MIN_MIDDLE);
    let min = w.saturating_sub(tree_w).min(16);
    wanted.min(max).max(min.min(wanted))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::app::ConnectionInfo;
    use crate::tui::keymap::Keymap;
    use crate::tui::theme::Theme;

    fn app(w: u16, h: u16) -> App {
        let mut a = App::new(
            ConnectionInfo {
                place: "local".into(),
                profile: None,
                embedded: true,
            },
            Keymap::defaults(),
            Theme::monochrome(),
        );
        a.size = (w, h);
        a
    }

    #[test]
    fn panes_tile_the_screen_at_80x24() {
        let p = compute(&app(80, 24));
        assert_eq!(p.tree.width + p.editor.width + p.detail.width, 80);
        assert!(p.editor.width >= 40, "{p:?}");
        assert_eq!(p.editor.height + p.results.height, 22);
        assert!(p.results.height >= 10);
        assert_eq!(p.footer.y, 23);
    }

    #[test]
    fn zoom_gives_the_focused_pane_everything() {
        let mut a = app(100, 30);
        a.layout.zoomed = true;
        a.focus = Focus::Results;
        let p = compute(&a);
        assert_eq!(p.results, Rect::new(0, 0, 100, 28));
        assert_eq!(p.tree, Rect::default());
    }

    #[test]
    fn a_wide_screen_gives_the_detail_pane_a_share() {
        let p = compute(&app(200, 50));
        assert_eq!(p.detail.width, 50);
        assert_eq!(compute(&app(120, 32)).detail.width, 30, "as before");
        let mut a = app(200, 50);
        a.layout.detail_share = Some(400);
        assert_eq!(compute(&a).detail.width, 80);
        a.layout.detail_share = Some(800);
        let p = compute(&a);
        assert_eq!(p.editor.width, 30, "the middle keeps its columns: {p:?}");
        assert_eq!(p.tree.width + p.editor.width + p.detail.width, 200);
    }

    #[test]
    fn tiny_terminal_does_not_underflow() {
        for (w, h) in [(0, 0), (1, 1), (10, 3), (20, 5)] {
            let _ = compute(&app(w, h));
        }
    }
}
