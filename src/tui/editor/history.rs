//! Query history per profile and logstore, kept as one JSON string per line
//! (queries span lines) under the data dir, newest last, bounded.

use std::path::{Path, PathBuf};

use crate::safe_fs::{self, path_component, Access};

pub const MAX_ENTRIES: usize = 500;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// Oldest first.
    pub entries: Vec<String>,
    /// Where it is kept; None keeps it in memory only (tests, no data dir).
    pub file: Option<PathBuf>,
}

impl History {
    /// `<root>/<profile>/<project>/<logstore>.jsonl`. The project and
    /// logstore names come from a server and the profile from a config
    /// file: each is checked (or hashed) so the path stays under `root`.
    pub fn path_for(root: &Path, profile: &str, project: &str, logstore: &str) -> PathBuf {
        root.join(path_component(profile))
            .join(path_component(project))
            .join(format!("{}.jsonl", path_component(logstore)))
    }

    /// Read a history file; a missing or damaged file gives what could be read.
    pub fn load(file: PathBuf) -> Self {
        let entries = std::fs::read_to_string(&file)
            .map(|text| {
                text.lines()
                    .filter_map(|l| serde_json::from_str::<String>(l).ok())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        let skip = entries.len().saturating_sub(MAX_ENTRIES);
        History {
            entries: entries.into_iter().skip(skip).collect(),
            file: Some(file),
        }
    }

    /// Add a query that ran; a repeat of the newest is not added again.
    /// Returns true when the entry was added (and should be saved).
    pub fn push(&mut self, sql: &str) -> bool {
        let sql = sql.trim();
        if sql.is_empty() || self.entries.last().is_some_and(|l| l == sql) {
            return false;
        }
        self.entries.push(sql.to_string());
        if self.entries.len() > MAX_ENTRIES {
            self.entries.remove(0);
        }
        true
    }
}

/// Rewrite the file with `entries` (small; written whole to stay bounded),
/// atomically and readable by the user only: queries can hold secrets.
pub fn save(file: &Path, entries: &[String]) -> std::io::Result<()> {
    if let Some(dir) = file.parent() {
        safe_fs::create_dir_all(dir, Access::Private)?;
    }
    safe_fs::write_atomic(file, Access::Private, |out| {
        for e in entries {
            writeln!(out, "{}", serde_json::Value::String(e.clone()))?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persists_multiline_queries_and_skips_repeats() {
        let dir = tempfile::tempdir().unwrap();
        let path = History::path_for(dir.path(), "local", "shop", "api");
        let mut h = History::load(path.clone());
        assert!(h.entries.is_empty());
        assert!(h.push("SELECT 1\nFROM aepipe"));
        assert!(!h.push("SELECT 1\nFROM aepipe  "));
        assert!(h.push("SELECT 2"));
        save(&path, &h.entries).unwrap();
        let again = History::load(path);
        assert_eq!(again.entries, vec!["SELECT 1\nFROM aepipe", "SELECT 2"]);
    }

    #[test]
    fn names_from_a_server_stay_under_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("history");
        let path = History::path_for(&root, "local", "shop", "../../../../tmp/x");
        assert!(path.starts_with(&root), "{}", path.display());
        assert_eq!(path.components().count(), root.components().count() + 3);
        save(&path, &["SELECT 1".into()]).unwrap();
        assert!(path.is_file());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn bounded() {
        let mut h = History::default();
        for i in 0..(MAX_ENTRIES + 10) {
            h.push(&format!("SELECT {i}"));
        }
        assert_eq!(h.entries.len(), MAX_ENTRIES);
        assert_eq!(h.entries[0], "SELECT 10");
    }
}
