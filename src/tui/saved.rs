//! Saved queries per profile and logstore: a statement kept under a name
//! (the save key in the editor), listed in F3 after the bundled snippets.
//! One JSON file per logstore under the data dir, written whole,
//! atomically and 0600, its path built from checked or hashed names.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::safe_fs::path_component;

/// Saved queries kept per logstore at most (the oldest go first).
pub const MAX_SAVED: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedQuery {
    pub name: String,
    pub sql: String,
}

/// The scoped logstore's saved queries.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SavedQueries {
    /// Root of the files; None keeps them in memory only.
    pub root: Option<PathBuf>,
    /// The scoped logstore's file.
    pub file: Option<PathBuf>,
    pub items: Vec<SavedQuery>,
}

/// `<root>/<profile>/<project>/<logstore>.json`.
pub fn path_for(root: &Path, profile: &str, project: &str, logstore: &str) -> PathBuf {
    root.join(path_component(profile))
        .join(path_component(project))
        .join(format!("{}.json", path_component(logstore)))
}

/// The saved queries of a file; a missing or damaged file gives none (a
/// damaged one is logged, and replaced at the next save).
pub fn load(file: &Path) -> Vec<SavedQuery> {
    match std::fs::read_to_string(file) {
        Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
            tracing::warn!("saved queries in {}: {e}", file.display());
            Vec::new()
        }),
        Err(_) => Vec::new(),
    }
}

impl SavedQueries {
    /// Keep `sql` under `name`; a name saved before is replaced (and moves
    /// to the end).
    pub fn put(&mut self, name: &str, sql: &str) {
        self.items.retain(|q| q.name != name);
        self.items.push(SavedQuery {
            name: name.to_string(),
            sql: sql.to_string(),
        });
        let over = self.items.len().saturating_sub(MAX_SAVED);
        self.items.drain(..over);
    }

    /// The file's text.
    pub fn to_text(&self) -> String {
        // Plain strings always serialise.
        serde_json::to_string_pretty(&self.items).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_saved_again_replaces_and_names_from_a_server_stay_under_root() {
        let mut s = SavedQueries::default();
        s.put("errors", "SELECT 1");
        s.put("slow", "SELECT 2");
        s.put("errors", "SELECT 3");
        let names: Vec<_> = s.items.iter().map(|q| q.name.as_str()).collect();
        assert_eq!(names, ["slow", "errors"]);
        let dir = tempfile::tempdir().unwrap();
        let path = path_for(dir.path(), "local", "..", "../../x");
        assert!(path.starts_with(dir.path()));
        crate::tui::session::save(&path, &s.to_text()).unwrap();
        assert_eq!(load(&path), s.items);
    }
}
