//! The pane sizes the user chose (`<`/`>`, Alt-←/→), kept across restarts
//! in `~/.config/aepipe/layout.toml`. A file of its own, written by the
//! explorer alone: explorer.toml is the user's and keeps its comments.
//! Written whole and atomically when the sizes change (half a second after
//! the last `<`/`>`, so a crash or a kill keeps them) and on exit; a
//! missing or broken file gives the built-in sizes (a layout is not worth
//! refusing to start over).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::tui::app::LayoutState;

/// Largest file read (a layout is a few lines).
const MAX_FILE_BYTES: u64 = 4096;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SavedLayout {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tree_width: Option<u16>,
    /// The detail pane's share of the terminal's width, in per mille.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail_share: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub editor_height: Option<u16>,
}

#[derive(Debug, thiserror::Error)]
pub enum LayoutStoreError {
    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error("cannot write {path}: {message}")]
    Write { path: String, message: String },
}

pub fn default_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("aepipe").join("layout.toml"))
}

impl SavedLayout {
    /// What of `layout` the user changed from the built-in sizes.
    pub fn from_layout(layout: &LayoutState) -> Self {
        let built_in = LayoutState::default();
        Self {
            tree_width: (layout.tree_width != built_in.tree_width).then_some(layout.tree_width),
            detail_share: layout.detail_share,
            editor_height: (layout.editor_height != built_in.editor_height)
                .then_some(layout.editor_height),
        }
    }

    /// Apply the saved sizes, each bounded as `<`/`>` would bound it (the
    /// file may have been edited by hand).
    pub fn apply(&self, layout: &mut LayoutState) {
        if let Some(w) = self.tree_width {
            layout.tree_width = w.clamp(12, 60);
        }
        if let Some(share) = self.detail_share {
            layout.detail_share = Some(share.clamp(MIN_SHARE, MAX_SHARE));
        }
        if let Some(h) = self.editor_height {
            layout.editor_height = h.clamp(3, 40);
        }
    }

    /// The file's sizes; no file gives none.
    pub fn load(path: &Path) -> Result<Self, LayoutStoreError> {
        use std::io::Read;
        let read_err = |e: std::io::Error| LayoutStoreError::Read {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(read_err(e)),
        };
        let mut text = String::new();
        file.take(MAX_FILE_BYTES)
            .read_to_string(&mut text)
            .map_err(read_err)?;
        toml::from_str(&text).map_err(|e| LayoutStoreError::Invalid {
            path: path.display().to_string(),
            message: e.message().to_string(),
        })
    }

    /// Write the sizes to `path`, whole and atomically.
    pub fn save(&self, path: &Path) -> Result<(), LayoutStoreError> {
        use crate::safe_fs::{self, Access};
        let write_err = |message: String| LayoutStoreError::Write {
            path: path.display().to_string(),
            message,
        };
        let body = toml::to_string(self).map_err(|e| write_err(e.to_string()))?;
        let text = format!(
            "# Pane sizes chosen in the aepipe explorer (< and >); written by it when they change.\n{body}"
        );
        if let Some(dir) = path.parent() {
            safe_fs::create_dir_all(dir, Access::Default).map_err(|e| write_err(e.to_string()))?;
        }
        safe_fs::write_atomic(path, Access::Default, |out| out.write_all(text.as_bytes()))
            .map_err(|e| write_err(e.to_string()))
    }
}

/// Bounds of the detail pane's share, per mille: at least a tenth of the
/// screen, at most most of it (the layout still keeps the grid usable).
pub const MIN_SHARE: u16 = 100;
pub const MAX_SHARE: u16 = 800;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_layout_survives_a_save_and_a_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("layout.toml");
        assert_eq!(SavedLayout::load(&path).unwrap(), SavedLayout::default());
        let mut layout = LayoutState {
            detail_share: Some(420),
            tree_width: 30,
            ..Default::default()
        };
        SavedLayout::from_layout(&layout).save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("detail_share = 420"), "{text}");
        assert!(
            !text.contains("editor_height"),
            "unchanged sizes are not kept: {text}"
        );
        let mut restored = LayoutState::default();
        SavedLayout::load(&path).unwrap().apply(&mut restored);
        layout.zoomed = false;
        assert_eq!(restored, layout);
    }

    #[test]
    fn hand_edited_values_are_bounded_and_bad_files_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("layout.toml");
        std::fs::write(&path, "detail_share = 5000\ntree_width = 1\n").unwrap();
        let mut l = LayoutState::default();
        SavedLayout::load(&path).unwrap().apply(&mut l);
        assert_eq!((l.detail_share, l.tree_width), (Some(MAX_SHARE), 12));
        std::fs::write(&path, "detail_share = \"wide\"\n").unwrap();
        let e = SavedLayout::load(&path).unwrap_err().to_string();
        assert!(e.contains("layout.toml"), "{e}");
    }
}
