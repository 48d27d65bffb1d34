//! Starter queries shipped in assets/queries, embedded in the binary.

/// (title from the first comment line, SQL).
pub fn snippets() -> Vec<(String, String)> {
    const FILES: &[&str] = &[
        include_str!("../../assets/queries/01-recent-events.sql"),
        include_str!("../../assets/queries/02-events-per-minute.sql"),
        include_str!("../../assets/queries/03-errors-by-event.sql"),
        include_str!("../../assets/queries/04-levels.sql"),
        include_str!("../../assets/queries/05-latency.sql"),
    ];
    FILES
        .iter()
        .map(|text| {
            let title = text
                .lines()
                .next()
                .and_then(|l| l.strip_prefix("--"))
                .unwrap_or("query")
                .trim()
                .to_string();
            (title, text.trim_end().to_string())
        })
        .collect()
}

/// User snippet files read at most (the first, by name).
const MAX_USER_SNIPPETS: usize = 200;
/// Largest user snippet file read.
const MAX_USER_SNIPPET_BYTES: u64 = 64 * 1024;

/// The `*.sql` files of `dir` (e.g. ~/.config/aepipe/queries), by file
/// name, titled like the built-in ones (the first comment line, else the
/// file name) and marked as the user's. Unreadable, non-UTF-8 or oversized
/// files are left out; a missing folder gives none.
pub fn user_snippets(dir: &std::path::Path) -> Vec<(String, String)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<std::path::PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    files
        .into_iter()
        .filter(|p| {
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.len() <= MAX_USER_SNIPPET_BYTES)
        })
        .take(MAX_USER_SNIPPETS)
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            let name = p.file_stem()?.to_string_lossy().into_owned();
            let title = text
                .lines()
                .next()
                .and_then(|l| l.strip_prefix("--"))
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map_or(name, str::to_string);
            Some((format!("yours: {title}"), text.trim_end().to_string()))
        })
        .collect()
}

/// The query a newly chosen logstore gets when the editor is empty.
pub fn starter_query() -> String {
    "SELECT timestamp, blob3 AS event, blob4 AS level, blob5 AS ref_id\nFROM aepipe\nORDER BY timestamp DESC\nLIMIT 100".to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_snippet_has_a_title_and_sql() {
        for (title, sql) in super::snippets() {
            assert!(!title.is_empty());
            assert!(sql.contains("FROM aepipe"), "{title}");
        }
    }

    #[test]
    fn user_snippets_come_from_sql_files_of_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("b.sql"),
            "-- Slow checkouts\nSELECT 1 FROM aepipe\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("a.sql"), "SELECT 2 FROM aepipe").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a query").unwrap();
        std::fs::write(dir.path().join("big.sql"), "x".repeat(100_000)).unwrap();
        let got = super::user_snippets(dir.path());
        assert_eq!(
            got,
            vec![
                ("yours: a".to_string(), "SELECT 2 FROM aepipe".to_string()),
                (
                    "yours: Slow checkouts".to_string(),
                    "-- Slow checkouts\nSELECT 1 FROM aepipe".to_string()
                ),
            ]
        );
        assert!(super::user_snippets(&dir.path().join("missing")).is_empty());
    }
}
