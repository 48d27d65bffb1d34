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
}
