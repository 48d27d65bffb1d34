//! Query history per profile and logstore, kept as one JSON string per line
//! (queries span lines) under the data dir, newest last, bounded.

use std::io::Write;
use std::path::{Path, PathBuf};

pub const MAX_ENTRIES: usize = 500;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// Oldest first.
    pub entries: Vec<String>,
    /// Where it is kept; None keeps it in memory only (tests, no data dir).
    pub file: Option<PathBuf>,
}

impl History {
    /// `<root>/<profile>/<project>/<logstore>.jsonl`; names are already
    /// restricted to [A-Za-z0-9_-], the profile is cleaned here.
    pub fn path_for(root: &Path, profile: &str, project: &str, logstore: &str) -> PathBuf {
        let clean: String = profile
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        root.join(clean)
            .join(project)
            .join(format!("{logstore}.jsonl"))
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

/// Rewrite the file with `entries` (small; written whole to stay bounded).
pub fn save(file: &Path, entries: &[String]) -> std::io::Result<()> {
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = file.with_extension("jsonl.tmp");
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        for e in entries {
            writeln!(out, "{}", serde_json::Value::String(e.clone()))?;
        }
        out.flush()?;
    }
    std::fs::rename(tmp, file)
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
    fn bounded() {
        let mut h = History::default();
        for i in 0..(MAX_ENTRIES + 10) {
            h.push(&format!("SELECT {i}"));
        }
        assert_eq!(h.entries.len(), MAX_ENTRIES);
        assert_eq!(h.entries[0], "SELECT 10");
    }
}
