//! Explorer settings from `~/.config/aepipe/explorer.toml` (a file of its
//! own: config.toml holds connection profiles and rejects unknown keys).
//!
//! ```toml
//! mouse = false   # no mouse capture: the terminal's own selection works
//! raw_window_minutes = 15   # raw logs ±15 min around a row (a); 1..60
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Capture the mouse (focus, select, scroll); `m` toggles it live.
    pub mouse: bool,
    /// Minutes on each side of the raw logs around a row or tail line
    /// (`a`), bounded to 1..60; `+`/`-` change it while they are shown.
    pub raw_window_minutes: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            mouse: true,
            raw_window_minutes: crate::tui::tail::window::AROUND_MINUTES,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl Settings {
    pub fn default_path() -> Option<PathBuf> {
        dirs::config_dir().map(|d| d.join("aepipe").join("explorer.toml"))
    }

    /// The file's settings; no file gives the defaults.
    pub fn load(path: Option<&Path>) -> Result<Self, SettingsError> {
        let Some(path) = path else {
            return Ok(Self::default());
        };
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => {
                return Err(SettingsError::Read {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })
            }
        };
        toml::from_str(&text).map_err(|e| SettingsError::Invalid {
            path: path.display().to_string(),
            message: e.message().to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_gives_defaults_and_mouse_can_be_turned_off() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("explorer.toml");
        assert_eq!(Settings::load(Some(&path)).unwrap(), Settings::default());
        std::fs::write(&path, "mouse = false\n").unwrap();
        assert!(!Settings::load(Some(&path)).unwrap().mouse);
        std::fs::write(&path, "raw_window_minutes = 15\n").unwrap();
        let s = Settings::load(Some(&path)).unwrap();
        assert_eq!((s.mouse, s.raw_window_minutes), (true, 15));
    }

    #[test]
    fn bad_files_name_the_file_and_the_problem() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("explorer.toml");
        std::fs::write(&path, "mouse = \"no\"\n").unwrap();
        let e = Settings::load(Some(&path)).unwrap_err().to_string();
        assert!(
            e.contains("explorer.toml") && e.contains("invalid type"),
            "{e}"
        );
        std::fs::write(&path, "mose = false\n").unwrap();
        let e = Settings::load(Some(&path)).unwrap_err().to_string();
        assert!(e.contains("unknown field `mose`"), "{e}");
    }
}
