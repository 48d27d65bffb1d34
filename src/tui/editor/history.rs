//! Query history per profile and logstore, kept as one JSON value per line
//! (queries span lines) under the data dir, newest last, bounded, each
//! query once. A line is `{"sql", "at", "rows", "ms"}` once the query has
//! answered (when it ran, its rows and how long it took), or a bare JSON
//! string (a query that never answered, or a file from before).

use std::path::{Path, PathBuf};

use crate::safe_fs::{self, path_component, Access};

pub const MAX_ENTRIES: usize = 500;

/// What is known of a query's last answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RunMeta {
    /// When it answered, in milliseconds since the epoch (UTC).
    pub at: i64,
    pub rows: u64,
    /// How long it took, in milliseconds.
    pub ms: u64,
}

/// A history line of the newer kind.
#[derive(serde::Serialize, serde::Deserialize)]
struct Line {
    sql: String,
    #[serde(flatten)]
    meta: RunMeta,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// Oldest first, each query once.
    pub entries: Vec<String>,
    /// The last answer of a query of `entries`, by its text.
    pub meta: std::collections::HashMap<String, RunMeta>,
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
        let mut h = History {
            file: Some(file),
            ..Default::default()
        };
        let text = h
            .file
            .as_deref()
            .and_then(|f| std::fs::read_to_string(f).ok())
            .unwrap_or_default();
        for l in text.lines() {
            if let Ok(sql) = serde_json::from_str::<String>(l) {
                h.push(&sql);
            } else if let Ok(line) = serde_json::from_str::<Line>(l) {
                // Older files may hold a query more than once: the
                // newest place and answer win.
                h.push(&line.sql);
                h.meta.insert(line.sql.trim().to_string(), line.meta);
            }
        }
        h
    }

    /// Add a query that ran, as the newest; one run before moves up rather
    /// than being listed twice. Returns true when the list changed (and
    /// should be saved).
    pub fn push(&mut self, sql: &str) -> bool {
        let sql = sql.trim();
        if sql.is_empty() || self.entries.last().is_some_and(|l| l == sql) {
            return false;
        }
        self.entries.retain(|e| e != sql);
        self.entries.push(sql.to_string());
        if self.entries.len() > MAX_ENTRIES {
            let gone = self.entries.remove(0);
            self.meta.remove(&gone);
        }
        true
    }

    /// Note a query's answer (it is added when missing). Returns true when
    /// the history should be saved.
    pub fn record(&mut self, sql: &str, meta: RunMeta) -> bool {
        self.push(sql);
        let sql = sql.trim();
        if sql.is_empty() {
            return false;
        }
        self.meta.insert(sql.to_string(), meta);
        true
    }

    /// The file's lines, oldest first.
    pub fn lines(&self) -> Vec<String> {
        self.entries
            .iter()
            .map(|e| match self.meta.get(e) {
                Some(meta) => serde_json::to_string(&Line {
                    sql: e.clone(),
                    meta: *meta,
                })
                .unwrap_or_default(),
                None => serde_json::Value::String(e.clone()).to_string(),
            })
            .collect()
    }
}

/// Rewrite the file with `lines` (from [`History::lines`]; small, written
/// whole to stay bounded), atomically and readable by the user only:
/// queries can hold secrets.
pub fn save(file: &Path, lines: &[String]) -> std::io::Result<()> {
    if let Some(dir) = file.parent() {
        safe_fs::create_dir_all(dir, Access::Private)?;
    }
    safe_fs::write_atomic(file, Access::Private, |out| {
        for l in lines {
            writeln!(out, "{l}")?;
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
        save(&path, &h.lines()).unwrap();
        let again = History::load(path);
        assert_eq!(again.entries, vec!["SELECT 1\nFROM aepipe", "SELECT 2"]);
    }

    #[test]
    fn each_query_once_with_its_last_answer_and_old_files_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.jsonl");
        // A file of the old kind, with a repeat.
        std::fs::write(&path, "\"SELECT 1\"\n\"SELECT 2\"\n\"SELECT 1\"\n").unwrap();
        let mut h = History::load(path.clone());
        assert_eq!(h.entries, ["SELECT 2", "SELECT 1"]);
        let meta = RunMeta {
            at: 1_790_000_000_000,
            rows: 20,
            ms: 35,
        };
        assert!(h.record("SELECT 2", meta));
        assert_eq!(h.entries, ["SELECT 1", "SELECT 2"], "moved up, not twice");
        save(&path, &h.lines()).unwrap();
        let again = History::load(path);
        assert_eq!(again.entries, h.entries);
        assert_eq!(again.meta.get("SELECT 2"), Some(&meta));
        assert_eq!(again.meta.get("SELECT 1"), None);
    }

    #[test]
    fn names_from_a_server_stay_under_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("history");
        let path = History::path_for(&root, "local", "shop", "../../../../tmp/x");
        assert!(path.starts_with(&root), "{}", path.display());
        assert_eq!(path.components().count(), root.components().count() + 3);
        save(&path, &["\"SELECT 1\"".into()]).unwrap();
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
