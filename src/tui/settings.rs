//! Explorer settings from `~/.config/aepipe/explorer.toml` (a file of its
//! own: config.toml holds connection profiles and rejects unknown keys).
//!
//! ```toml
//! mouse = false   # no mouse capture: the terminal's own selection works
//!
//! [fields.local.shop.api]   # names for shop/api's columns under profile "local"
//! blob6 = "path"
//! double1 = "latency_ms"
//! ```
//!
//! (`fields` is described in `crate::tui::fields`.)

use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Capture the mouse (focus, select, scroll); `m` toggles it live.
    pub mouse: bool,
    /// Column names per profile, project and logstore (checked on load).
    pub fields: crate::tui::fields::FieldsTable,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            mouse: true,
            fields: Default::default(),
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
        let settings: Self = toml::from_str(&text).map_err(|e| SettingsError::Invalid {
            path: path.display().to_string(),
            message: e.message().to_string(),
        })?;
        settings.field_names().map_err(|e| SettingsError::Invalid {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Ok(settings)
    }

    /// The `[fields]` tables, checked.
    pub fn field_names(
        &self,
    ) -> Result<crate::tui::fields::FieldsConfig, crate::tui::fields::FieldsError> {
        crate::tui::fields::FieldsConfig::from_table(&self.fields)
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
        std::fs::write(&path, "[fields.local.shop.api]\nblob6 = \"a b\"\n").unwrap();
        let e = Settings::load(Some(&path)).unwrap_err().to_string();
        assert!(
            e.contains("explorer.toml") && e.contains("[fields.local.shop.api] blob6"),
            "{e}"
        );
    }

    #[test]
    fn field_names_are_read_per_profile_project_and_logstore() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("explorer.toml");
        std::fs::write(
            &path,
            "[fields.local.shop.api]\nblob6 = \"path\"\ndouble1 = \"latency_ms\"\n",
        )
        .unwrap();
        let fields = Settings::load(Some(&path)).unwrap().field_names().unwrap();
        let names = fields.names("local", "shop", "api");
        assert_eq!(names.name_of("double1"), Some("latency_ms"));
    }
}
