//! Which lines the tail shows: a minimum level, a case-insensitive text
//! filter, and its inverse (hide the lines that match).

use super::line::TailLine;

/// Minimum severity shown; cycles all → info → warn → error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LevelFilter {
    #[default]
    All,
    Info,
    Warn,
    Error,
}

impl LevelFilter {
    pub fn next(self) -> Self {
        match self {
            LevelFilter::All => LevelFilter::Info,
            LevelFilter::Info => LevelFilter::Warn,
            LevelFilter::Warn => LevelFilter::Error,
            LevelFilter::Error => LevelFilter::All,
        }
    }
    fn min_severity(self) -> u8 {
        match self {
            LevelFilter::All => 0,
            LevelFilter::Info => 1,
            LevelFilter::Warn => 2,
            LevelFilter::Error => 3,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            LevelFilter::All => "all levels",
            LevelFilter::Info => "info+",
            LevelFilter::Warn => "warn+",
            LevelFilter::Error => "error",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub level: LevelFilter,
    /// As typed; matched case-insensitively.
    pub text: String,
    needle: String,
    /// Show the lines that do NOT contain `text`.
    pub inverse: bool,
}

impl Filter {
    pub fn set_text(&mut self, text: &str) {
        self.text = text.to_string();
        self.needle = text.to_lowercase();
    }

    pub fn is_active(&self) -> bool {
        self.level != LevelFilter::All || !self.text.is_empty()
    }

    pub fn matches(&self, line: &TailLine) -> bool {
        if line.severity() < self.level.min_severity() {
            return false;
        }
        if self.needle.is_empty() {
            return true;
        }
        line.search.contains(&self.needle) != self.inverse
    }

    /// Byte ranges of `text` to highlight. Only when lower-casing keeps byte
    /// offsets (nearly all log text), so a highlight never lands mid-character.
    pub fn highlights(&self, text: &str) -> Vec<(usize, usize)> {
        if self.needle.is_empty() || self.inverse {
            return Vec::new();
        }
        let lower = text.to_lowercase();
        if lower.len() != text.len() {
            return Vec::new();
        }
        lower
            .match_indices(&self.needle)
            .map(|(i, m)| (i, i + m.len()))
            .filter(|(s, e)| text.is_char_boundary(*s) && text.is_char_boundary(*e))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::RawLogEntry;
    use serde_json::json;

    fn line(level: &str, msg: &str) -> TailLine {
        TailLine::new(
            0,
            RawLogEntry {
                timestamp: "2026-11-27T02:15:35.123Z".into(),
                level: level.into(),
                data: json!({ "message": msg }),
            },
        )
    }

    #[test]
    fn level_filter_is_a_minimum() {
        let f = Filter {
            level: LevelFilter::Warn,
            ..Filter::default()
        };
        assert!(!f.matches(&line("info", "x")));
        assert!(f.matches(&line("warn", "x")));
        assert!(f.matches(&line("error", "x")));
        assert_eq!(LevelFilter::Error.next(), LevelFilter::All);
    }

    #[test]
    fn text_filter_ignores_case_and_inverts() {
        let mut f = Filter::default();
        f.set_text("TimeOut");
        assert!(f.matches(&line("info", "upstream timeout after 3s")));
        assert!(!f.matches(&line("info", "ok")));
        f.inverse = true;
        assert!(!f.matches(&line("info", "upstream timeout after 3s")));
        assert!(f.matches(&line("info", "ok")));
    }

    #[test]
    fn highlights_every_match() {
        let mut f = Filter::default();
        f.set_text("ab");
        assert_eq!(f.highlights("xAByab"), vec![(1, 3), (4, 6)]);
        assert_eq!(
            f.highlights("İab"),
            Vec::<(usize, usize)>::new(),
            "offsets would shift"
        );
    }
}
