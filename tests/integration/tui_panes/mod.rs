//! Helpers for the panes' tests: draw a pane on a TestBackend and read the
//! screen back as text.
#![allow(dead_code)]

use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::Terminal;

/// Draw with `draw(area, buf)` on a `width`×`height` TestBackend and return
/// the terminal (its buffer holds the screen).
pub fn draw(
    width: u16,
    height: u16,
    draw: impl FnOnce(Rect, &mut Buffer),
) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|f| {
            let area = f.area();
            draw(area, f.buffer_mut());
        })
        .expect("draw");
    terminal
}

/// The screen as lines of text (trailing spaces kept, so widths show).
pub fn screen(terminal: &Terminal<TestBackend>) -> String {
    let buf = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        for x in 0..buf.area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The foreground colour of the first cell on row `y` whose text starts `needle`.
pub fn fg_of(terminal: &Terminal<TestBackend>, needle: &str) -> Option<ratatui::style::Color> {
    let buf = terminal.backend().buffer();
    for y in 0..buf.area.height {
        let row: Vec<String> = (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        let text: String = row.concat();
        if let Some(byte) = text.find(needle) {
            // Column of the match: count symbols before it.
            let mut acc = 0;
            for (x, s) in row.iter().enumerate() {
                if acc >= byte {
                    return Some(buf[(x as u16, y)].fg);
                }
                acc += s.len();
            }
        }
    }
    None
}
