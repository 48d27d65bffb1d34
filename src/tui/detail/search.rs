//! `/` search inside the detail pane's JSON: the nodes whose key or value
//! holds the text (case-insensitive, folded ones included), and which of
//! them the cursor is on. Jumping unfolds what hides a match.

use super::json_tree::{JsonTree, NodeKey};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    /// What is searched for (empty: no search).
    pub query: String,
    /// The query is being typed: the pane takes every key.
    pub typing: bool,
    /// Matching nodes, in tree order.
    pub matches: Vec<usize>,
    /// Index into `matches` of the one the cursor went to last.
    pub current: usize,
}

impl Search {
    pub fn is_active(&self) -> bool {
        !self.query.is_empty()
    }

    /// Find the query in `tree` again (after typing or a new tree).
    pub fn refresh(&mut self, tree: &JsonTree) {
        self.matches = find(tree, &self.query);
        self.current = self.current.min(self.matches.len().saturating_sub(1));
    }

    /// The match after (`forward`) or before the node at the cursor,
    /// wrapping round.
    pub fn step(&mut self, from_node: Option<usize>, forward: bool) -> Option<usize> {
        if self.matches.is_empty() {
            return None;
        }
        let n = self.matches.len();
        let i = match (from_node, forward) {
            (Some(at), true) => self.matches.iter().position(|m| *m > at).unwrap_or(0),
            (Some(at), false) => self.matches.iter().rposition(|m| *m < at).unwrap_or(n - 1),
            (None, _) => 0,
        };
        self.current = i;
        self.matches.get(i).copied()
    }

    pub fn is_match(&self, node: usize) -> bool {
        self.matches.binary_search(&node).is_ok()
    }

    /// "/text 2/5" for the title; "/text (none)" without a match.
    pub fn label(&self) -> String {
        let caret = if self.typing { "▏" } else { "" };
        match self.matches.len() {
            0 if self.query.is_empty() => format!("/{caret}"),
            0 => format!("/{}{caret} (none)", self.query),
            n => format!("/{}{caret} {}/{n}", self.query, self.current + 1),
        }
    }
}

/// Nodes whose key or shown text contains `query`, ignoring case.
pub fn find(tree: &JsonTree, query: &str) -> Vec<usize> {
    if query.is_empty() {
        return Vec::new();
    }
    let needle = query.to_lowercase();
    tree.nodes()
        .iter()
        .enumerate()
        .filter(|(_, node)| {
            let key_hit = match &node.key {
                NodeKey::Field(k) => k.to_lowercase().contains(&needle),
                _ => false,
            };
            key_hit || node.text.to_lowercase().contains(&needle)
        })
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_keys_and_values_and_steps_round() {
        let mut tree = JsonTree::new();
        tree.push_section(
            "payload",
            "",
            json!({"error": {"message": "Timeout talking to DB", "code": 504},
                   "trace": ["at db.rs:12", "at main.rs:3"]}),
        );
        let mut s = Search {
            query: "db".into(),
            ..Default::default()
        };
        s.refresh(&tree);
        assert_eq!(s.matches.len(), 2, "{:?}", s.matches);
        let first = s.step(None, true);
        assert_eq!(first, s.matches.first().copied());
        let second = s.step(first, true);
        assert_eq!(second, s.matches.get(1).copied());
        assert_eq!(s.step(second, true), first, "wraps");
        assert_eq!(s.step(first, false), second, "wraps back");
        assert_eq!(s.label(), "/db 2/2");
        s.query = "CODE".into();
        s.refresh(&tree);
        assert_eq!(s.matches.len(), 1, "keys match too, ignoring case");
        s.query = "nothing".into();
        s.refresh(&tree);
        assert_eq!(s.label(), "/nothing (none)");
    }
}
