//! Colours. Only the 16 ANSI colours are used, so a 16-colour terminal shows
//! the same thing as a true-colour one; with NO_COLOR set (any value, per
//! no-color.org) every style keeps only bold/reverse/underline so focus and
//! selection stay visible.

use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::{Block, BorderType, Borders};

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub color: bool,
    pub border: Style,
    pub border_focused: Style,
    pub title: Style,
    pub selected: Style,
    pub selected_unfocused: Style,
    pub header: Style,
    pub header_type: Style,
    pub null: Style,
    pub number: Style,
    pub dim: Style,
    pub error: Style,
    pub warning: Style,
    pub ok: Style,
    pub key: Style,
    pub keyword: Style,
    pub function: Style,
    pub string: Style,
    pub comment: Style,
    pub match_highlight: Style,
}

impl Theme {
    /// Picks colour or not from the environment (NO_COLOR).
    pub fn from_env() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        if no_color {
            Self::monochrome()
        } else {
            Self::ansi16()
        }
    }

    pub fn ansi16() -> Self {
        let fg = |c: Color| Style::default().fg(c);
        Theme {
            color: true,
            border: fg(Color::DarkGray),
            border_focused: fg(Color::Cyan),
            title: Style::default().add_modifier(Modifier::BOLD),
            selected: Style::default().fg(Color::Black).bg(Color::Cyan),
            selected_unfocused: Style::default().add_modifier(Modifier::REVERSED),
            header: Style::default().add_modifier(Modifier::BOLD),
            header_type: fg(Color::DarkGray),
            null: fg(Color::Magenta).add_modifier(Modifier::ITALIC),
            number: fg(Color::Reset),
            dim: fg(Color::DarkGray),
            error: fg(Color::Red),
            warning: fg(Color::Yellow),
            ok: fg(Color::Green),
            key: fg(Color::Cyan).add_modifier(Modifier::BOLD),
            keyword: fg(Color::Blue).add_modifier(Modifier::BOLD),
            function: fg(Color::Cyan),
            string: fg(Color::Green),
            comment: fg(Color::DarkGray).add_modifier(Modifier::ITALIC),
            match_highlight: Style::default().fg(Color::Black).bg(Color::Yellow),
        }
    }

    pub fn monochrome() -> Self {
        let plain = Style::default();
        let bold = plain.add_modifier(Modifier::BOLD);
        let rev = plain.add_modifier(Modifier::REVERSED);
        Theme {
            color: false,
            border: plain,
            border_focused: bold,
            title: bold,
            selected: rev,
            selected_unfocused: plain.add_modifier(Modifier::UNDERLINED),
            header: bold,
            header_type: plain,
            null: plain.add_modifier(Modifier::ITALIC),
            number: plain,
            dim: plain,
            error: bold,
            warning: bold,
            ok: plain,
            key: bold,
            keyword: bold,
            function: plain,
            string: plain,
            comment: plain.add_modifier(Modifier::ITALIC),
            match_highlight: rev,
        }
    }

    /// A log level's colour (error red, warn yellow, debug dim).
    pub fn level(&self, level: &str) -> Style {
        if !self.color {
            return match level {
                "error" | "fatal" => self.error,
                _ => Style::default(),
            };
        }
        match level.to_ascii_lowercase().as_str() {
            "error" | "fatal" | "critical" => self.error,
            "warn" | "warning" => self.warning,
            "debug" | "trace" => self.dim,
            _ => Style::default(),
        }
    }
}

impl Default for Theme {
    fn default() -> Self {
        Self::ansi16()
    }
}

impl Theme {
    /// A pane's frame: a thick border shows which pane has focus, so focus
    /// stays visible without colour (NO_COLOR, 16-colour terminals).
    pub fn pane_block<'a>(&self, focused: bool) -> Block<'a> {
        Block::default()
            .borders(Borders::ALL)
            .border_type(if focused {
                BorderType::Thick
            } else {
                BorderType::Plain
            })
            .border_style(if focused {
                self.border_focused
            } else {
                self.border
            })
    }
}
