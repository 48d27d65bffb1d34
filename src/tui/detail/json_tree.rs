//! A JSON document as a foldable tree, flattened in pre-order so that folding,
//! moving and drawing a window of it never walk the whole value again: each
//! node knows where its subtree ends, and the list of visible lines is rebuilt
//! only when a fold or the wrap width changes.

use serde_json::Value;
use unicode_width::UnicodeWidthChar;

/// What a node holds; decides its colour and whether it can fold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Object,
    Array,
    String,
    Number,
    Bool,
    Null,
    /// A section heading (e.g. "row", "payload") that groups one value.
    Section,
    /// A line of explanation instead of a value (loading, not found…).
    Note,
}

impl NodeKind {
    pub fn is_container(self) -> bool {
        matches!(self, NodeKind::Object | NodeKind::Array | NodeKind::Section)
    }
}

/// How a node is reached from its parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeKey {
    None,
    Field(String),
    Index(usize),
}

#[derive(Debug, Clone)]
pub struct Node {
    pub depth: u16,
    pub key: NodeKey,
    pub kind: NodeKind,
    /// A leaf's text as shown (strings quoted, as JSON); a section's heading;
    /// a container's summary (`{3}` / `[12]`).
    pub text: String,
    /// Extra text after a section heading (e.g. created/expires).
    pub note: String,
    pub parent: Option<usize>,
    /// One past the last node of this subtree.
    pub end: usize,
    pub folded: bool,
    /// Index in `roots` of the top-level value this node is part of
    /// (None for section headings and notes).
    pub root: Option<usize>,
}

impl Node {
    /// A string shown as lines of its own: its text holds line feeds, which
    /// a one-line (JSON-quoted, sanitised) text never does.
    pub fn is_multiline(&self) -> bool {
        self.kind == NodeKind::String && self.text.contains('\n')
    }
}

/// Most lines of one string shown as lines; the rest is summed up (a value
/// from a server may hold millions of them).
pub const MAX_STRING_LINES: usize = 2_000;

/// A multi-line string as the pane shows it: its lines, each made safe
/// (tabs become spaces, a `\r` before a line feed goes), joined by `\n`.
fn multiline_text(s: &str) -> String {
    let mut lines: Vec<String> = s
        .split('\n')
        .take(MAX_STRING_LINES)
        .map(|l| shown(l.strip_suffix('\r').unwrap_or(l)))
        .collect();
    let total = s.split('\n').count();
    if total > MAX_STRING_LINES {
        lines.push(format!(
            "… {} more lines (y copies them all)",
            total - MAX_STRING_LINES
        ));
    }
    lines.join("\n")
}

/// One line on screen: a node, and which wrapped piece of its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisibleLine {
    pub node: usize,
    /// 0 for the node's first line, 1.. for continuation lines.
    pub piece: u16,
    /// Byte range of `text` shown on this line.
    pub start: usize,
    pub end: usize,
}

/// Indentation per depth level, in columns.
pub const INDENT: usize = 2;

/// A forest of sections, each holding one JSON value or a note.
#[derive(Debug, Clone, Default)]
pub struct JsonTree {
    nodes: Vec<Node>,
    /// The value behind each top-level child of a section, to copy subtrees
    /// exactly (a section's fields keep their own order, duplicates included).
    roots: Vec<Value>,
    visible: Vec<VisibleLine>,
    wrap_width: usize,
}

impl JsonTree {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a section whose body is `value`: an object's fields become its
    /// children directly, so the heading stands for the object.
    pub fn push_section(&mut self, heading: &str, note: &str, value: Value) {
        self.push_section_with_notes(heading, note, &[], value);
    }

    /// Like `push_section`, with lines of explanation before the value
    /// (e.g. when a payload was created and expires).
    pub fn push_section_with_notes(
        &mut self,
        heading: &str,
        note: &str,
        notes: &[String],
        value: Value,
    ) {
        let root = self.push_heading(heading, note);
        for line in notes {
            self.push_note_line(root, line);
        }
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    self.push_root(NodeKey::Field(k), v, root);
                }
            }
            other => self.push_root(NodeKey::None, other, root),
        }
        self.close_section(root);
    }

    /// Add a section of named fields kept in the given order (a result row).
    pub fn push_fields_section(&mut self, heading: &str, note: &str, fields: Vec<(String, Value)>) {
        let root = self.push_heading(heading, note);
        for (k, v) in fields {
            self.push_root(NodeKey::Field(k), v, root);
        }
        self.close_section(root);
    }

    /// Add a section that explains why there is no value (loading, error…).
    pub fn push_note_section(&mut self, heading: &str, note: &str, message: &str) {
        let root = self.push_heading(heading, note);
        self.push_note_line(root, message);
        self.close_section(root);
    }

    fn push_note_line(&mut self, heading: usize, text: &str) {
        let idx = self.nodes.len();
        self.nodes.push(Node {
            depth: 1,
            key: NodeKey::None,
            kind: NodeKind::Note,
            text: shown(text),
            note: String::new(),
            parent: Some(heading),
            end: idx + 1,
            folded: false,
            root: None,
        });
    }

    fn push_heading(&mut self, heading: &str, note: &str) -> usize {
        let idx = self.nodes.len();
        self.nodes.push(Node {
            depth: 0,
            key: NodeKey::None,
            kind: NodeKind::Section,
            text: shown(heading),
            note: shown(note),
            parent: None,
            end: idx + 1,
            folded: false,
            root: None,
        });
        idx
    }

    fn push_root(&mut self, key: NodeKey, value: Value, heading: usize) {
        let root = self.roots.len();
        self.push_value(key, &value, 1, heading, root);
        self.roots.push(value);
    }

    fn close_section(&mut self, heading: usize) {
        self.nodes[heading].end = self.nodes.len();
        self.rebuild_visible();
    }

    fn push_value(&mut self, key: NodeKey, v: &Value, depth: u16, parent: usize, root: usize) {
        let idx = self.nodes.len();
        let (kind, text) = match v {
            Value::Object(m) => (NodeKind::Object, format!("{{{}}}", m.len())),
            Value::Array(a) => (NodeKind::Array, format!("[{}]", a.len())),
            // A stack trace reads as lines, one under the other (each made
            // safe on its own); see `multiline_text`.
            Value::String(s) if s.contains('\n') => (NodeKind::String, multiline_text(s)),
            // JSON escapes C0 controls; C1, DEL and bidi controls are left.
            Value::String(s) => (
                NodeKind::String,
                shown(&Value::String(s.clone()).to_string()),
            ),
            Value::Number(n) => (NodeKind::Number, n.to_string()),
            Value::Bool(b) => (NodeKind::Bool, b.to_string()),
            Value::Null => (NodeKind::Null, "null".to_string()),
        };
        self.nodes.push(Node {
            depth,
            key,
            kind,
            text,
            note: String::new(),
            parent: Some(parent),
            end: idx + 1,
            folded: false,
            root: Some(root),
        });
        match v {
            Value::Object(m) => {
                for (k, child) in m {
                    self.push_value(NodeKey::Field(k.clone()), child, depth + 1, idx, root);
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter().enumerate() {
                    self.push_value(NodeKey::Index(i), child, depth + 1, idx, root);
                }
            }
            _ => {}
        }
        self.nodes[idx].end = self.nodes.len();
    }

    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }
    pub fn node(&self, idx: usize) -> Option<&Node> {
        self.nodes.get(idx)
    }
    pub fn visible(&self) -> &[VisibleLine] {
        &self.visible
    }

    /// Width available for text; long leaves wrap onto continuation lines.
    /// 0 means "do not wrap".
    pub fn set_wrap_width(&mut self, width: usize) {
        if width != self.wrap_width {
            self.wrap_width = width;
            self.rebuild_visible();
        }
    }

    /// Fold or unfold a container; returns false for leaves.
    pub fn toggle(&mut self, idx: usize) -> bool {
        self.set_folded(idx, !self.nodes.get(idx).is_some_and(|n| n.folded))
    }

    pub fn set_folded(&mut self, idx: usize, folded: bool) -> bool {
        match self.nodes.get_mut(idx) {
            Some(n) if n.kind.is_container() && n.end > idx + 1 => {
                n.folded = folded;
                self.rebuild_visible();
                true
            }
            _ => false,
        }
    }

    /// Fold every container below the section headings, or unfold them all.
    pub fn set_all_folded(&mut self, folded: bool) {
        for n in &mut self.nodes {
            if matches!(n.kind, NodeKind::Object | NodeKind::Array) {
                n.folded = folded;
            }
        }
        self.rebuild_visible();
    }

    /// True when some container below a heading is folded.
    pub fn any_folded(&self) -> bool {
        self.nodes
            .iter()
            .any(|n| n.folded && matches!(n.kind, NodeKind::Object | NodeKind::Array))
    }

    fn rebuild_visible(&mut self) {
        self.visible.clear();
        let mut i = 0;
        while i < self.nodes.len() {
            let node = &self.nodes[i];
            for (piece, (start, end)) in self.line_ranges(node).into_iter().enumerate() {
                self.visible.push(VisibleLine {
                    node: i,
                    piece: u16::try_from(piece).unwrap_or(u16::MAX),
                    start,
                    end,
                });
            }
            i = if node.folded { node.end } else { i + 1 };
        }
    }

    /// The byte ranges of a node's text on each of its lines: leaves wrap at
    /// the wrap width, containers keep one line. When the key leaves little
    /// room, the value starts on the next line.
    fn line_ranges(&self, node: &Node) -> Vec<(usize, usize)> {
        let whole = vec![(0, node.text.len())];
        // Every leaf wraps: a number after a long key (`_sample_interval`)
        // moves under it rather than being cut at the pane's edge.
        if node.is_multiline() {
            return self.multiline_ranges(node);
        }
        if self.wrap_width == 0 || node.kind.is_container() {
            return whole;
        }
        let first = self.wrap_width.saturating_sub(prefix_width(node));
        let rest = self
            .wrap_width
            .saturating_sub(self.continuation_indent(node));
        if rest < 4 || str_width(&node.text) <= first {
            return whole;
        }
        let first = if first < 6 { 0 } else { first };
        let ranges = wrap_ranges(&node.text, first, rest);
        // A token cut inside the key's line reads badly ("29a804d" / "d-…"):
        // then the value starts on the next line instead.
        let cut_mid_token = |r: &[(usize, usize)], piece: usize| {
            r.len() > piece + 1
                && node.text[..r[piece].1]
                    .chars()
                    .next_back()
                    .is_some_and(|c| !is_break_after(c))
        };
        if first > 0 && cut_mid_token(&ranges, 0) {
            // (Unless the token is too long for a whole line as well.)
            let moved = wrap_ranges(&node.text, 0, rest);
            if !cut_mid_token(&moved, 1) {
                return moved;
            }
        }
        ranges
    }

    /// A multi-line string: an empty first piece after the key, then each
    /// of its lines (wrapped when longer than the pane) under the key.
    fn multiline_ranges(&self, node: &Node) -> Vec<(usize, usize)> {
        let rest = self
            .wrap_width
            .saturating_sub(self.continuation_indent(node));
        let mut out = vec![(0, 0)];
        let mut start = 0;
        for line in node.text.split('\n') {
            let end = start + line.len();
            if self.wrap_width == 0 || rest < 4 || str_width(line) <= rest {
                out.push((start, end));
            } else {
                out.extend(
                    wrap_ranges(line, rest, rest)
                        .into_iter()
                        .map(|(s, e)| (start + s, start + e)),
                );
            }
            start = end + 1;
        }
        out
    }

    /// Columns before a wrapped value's continuation lines: under the value
    /// when there is room, else a hanging indent under the key.
    pub fn continuation_indent(&self, node: &Node) -> usize {
        if node.is_multiline() {
            // The lines of a stack trace go under the key, a little in.
            return usize::from(node.depth) * INDENT + 4;
        }
        let prefix = prefix_width(node);
        if self.wrap_width.saturating_sub(prefix) >= 16 {
            prefix
        } else {
            prefix.min(usize::from(node.depth) * INDENT + 4)
        }
    }

    /// Replace a node's text (a note that depends on the clock).
    pub fn set_text(&mut self, idx: usize, text: String) {
        let Some(n) = self.nodes.get_mut(idx) else {
            return;
        };
        let text = shown(&text);
        if n.text == text {
            return;
        }
        n.text = text;
        // Patch the node's lines in place when it wraps to as many lines as
        // before: a clock tick must not walk a large payload's whole tree.
        let Some(first) = self.line_of(idx) else {
            return; // folded away: nothing on screen to patch
        };
        let count = self.visible[first..]
            .iter()
            .take_while(|l| l.node == idx)
            .count();
        let ranges = self.line_ranges(&self.nodes[idx]);
        if ranges.len() == count {
            for (line, (start, end)) in self.visible[first..first + count].iter_mut().zip(ranges) {
                line.start = start;
                line.end = end;
            }
        } else {
            self.rebuild_visible();
        }
    }

    /// Index in `visible()` of a node's first line, if it is visible.
    pub fn line_of(&self, node: usize) -> Option<usize> {
        self.visible
            .binary_search_by(|l| l.node.cmp(&node).then(l.piece.cmp(&0)))
            .ok()
    }

    /// The JSON path of a node from its section's value, e.g.
    /// `$.user.items[2]["first name"]`.
    pub fn path(&self, idx: usize) -> String {
        let mut parts = Vec::new();
        let mut cur = Some(idx);
        while let Some(i) = cur {
            let Some(n) = self.nodes.get(i) else { break };
            match &n.key {
                NodeKey::Field(k) if is_identifier(k) => parts.push(format!(".{k}")),
                NodeKey::Field(k) => parts.push(format!("[{}]", Value::String(k.clone()))),
                NodeKey::Index(i) => parts.push(format!("[{i}]")),
                NodeKey::None => {}
            }
            cur = n.parent;
        }
        parts.reverse();
        format!("${}", parts.concat())
    }

    /// The value under a node: strings without quotes, other values as
    /// pretty JSON (what a user pastes elsewhere).
    pub fn copy_text(&self, idx: usize) -> Option<String> {
        let n = self.nodes.get(idx)?;
        if matches!(n.kind, NodeKind::Note | NodeKind::Section) {
            return Some(n.text.clone());
        }
        let value = self.value_of(idx)?;
        Some(match value {
            Value::String(s) => s.clone(),
            other => serde_json::to_string_pretty(other).unwrap_or_else(|_| other.to_string()),
        })
    }

    /// The JSON value of a node, found by walking its keys down from the
    /// top-level value it belongs to.
    pub fn value_of(&self, idx: usize) -> Option<&Value> {
        let n = self.nodes.get(idx)?;
        let mut keys = Vec::new();
        let mut cur = idx;
        // Collect keys up to (not including) the top-level node, at depth 1.
        while let Some(node) = self.nodes.get(cur) {
            if node.depth <= 1 {
                break;
            }
            keys.push(&node.key);
            cur = node.parent?;
        }
        let mut v = self.roots.get(n.root?)?;
        for key in keys.into_iter().rev() {
            v = match key {
                NodeKey::Field(k) => v.get(k.as_str())?,
                NodeKey::Index(i) => v.get(*i)?,
                NodeKey::None => v,
            };
        }
        Some(v)
    }
}

/// Columns before a node's text: indentation, fold marker, key.
pub fn prefix_width(node: &Node) -> usize {
    let key = match &node.key {
        NodeKey::Field(k) => str_width(k) + 2,
        NodeKey::Index(i) => i.to_string().len() + 2,
        NodeKey::None => 0,
    };
    usize::from(node.depth) * INDENT + 2 + key
}

/// Columns `s` takes when drawn (made safe first: a key may hold controls).
pub fn str_width(s: &str) -> usize {
    crate::sanitize::line(s)
        .chars()
        .map(|c| c.width().unwrap_or(0))
        .sum()
}

/// Text from a payload or a server as the pane draws it.
fn shown(s: &str) -> String {
    crate::sanitize::line(s).into_owned()
}

/// Byte ranges of `text` cut into pieces: the first at most `first`
/// columns (0: an empty first piece), the others at most `rest`, breaking
/// after a space when the piece has one, else mid-word.
fn wrap_ranges(text: &str, first: usize, rest: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut width = first;
    if first == 0 {
        out.push((0, 0));
        width = rest;
    }
    let mut start = 0;
    let mut cols = 0;
    // Byte index just after the last space of the current piece, and the
    // columns taken up to there.
    let mut after_space: Option<(usize, usize)> = None;
    for (i, c) in text.char_indices() {
        let w = c.width().unwrap_or(0);
        if cols + w > width && i > start {
            match after_space {
                Some((cut, used)) if cut > start && cut < i => {
                    out.push((start, cut));
                    start = cut;
                    cols -= used;
                }
                _ => {
                    out.push((start, i));
                    start = i;
                    cols = 0;
                }
            }
            after_space = None;
            width = rest;
        }
        cols += w;
        if is_break_after(c) {
            after_space = Some((i + c.len_utf8(), cols));
        }
    }
    out.push((start, text.len()));
    out
}

/// A line may end after a space, or inside a long token after a separator
/// (the groups of a UUID, a path's parts, a list).
fn is_break_after(c: char) -> bool {
    matches!(c, ' ' | '-' | '/' | ',' | ';' | '&' | '=' | '?')
}

fn is_identifier(k: &str) -> bool {
    let mut chars = k.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> JsonTree {
        let mut t = JsonTree::new();
        t.push_section(
            "payload",
            "",
            json!({"user": {"id": 7, "first name": "Ada"}, "items": [1, "two", null], "ok": true}),
        );
        t
    }

    #[test]
    fn flattens_in_preorder_with_subtree_ends() {
        let t = sample();
        let texts: Vec<_> = t.nodes().iter().map(|n| n.text.as_str()).collect();
        // serde_json keeps keys sorted (no preserve_order feature).
        assert_eq!(
            texts,
            ["payload", "[3]", "1", "\"two\"", "null", "true", "{2}", "\"Ada\"", "7"]
        );
        assert_eq!(t.nodes()[1].end, 5);
        assert_eq!(t.nodes()[0].end, 9);
        assert_eq!(t.visible().len(), 9);
    }

    #[test]
    fn folding_hides_the_subtree_and_unfolding_restores_it() {
        let mut t = sample();
        assert!(t.toggle(1));
        assert_eq!(t.visible().len(), 6);
        assert!(t.visible().iter().all(|l| !(2..5).contains(&l.node)));
        assert!(!t.toggle(2), "a leaf does not fold");
        assert!(t.toggle(1));
        assert_eq!(t.visible().len(), 9);
    }

    #[test]
    fn fold_all_keeps_sections_open() {
        let mut t = sample();
        t.set_all_folded(true);
        assert!(t.any_folded());
        let shown: Vec<_> = t.visible().iter().map(|l| l.node).collect();
        assert_eq!(shown, [0, 1, 5, 6]);
        t.set_all_folded(false);
        assert_eq!(t.visible().len(), 9);
    }

    #[test]
    fn paths_quote_keys_that_are_not_identifiers() {
        let t = sample();
        assert_eq!(t.path(7), "$.user[\"first name\"]");
        assert_eq!(t.path(3), "$.items[1]");
        assert_eq!(t.path(0), "$");
    }

    #[test]
    fn copy_gives_plain_strings_and_pretty_json() {
        let t = sample();
        assert_eq!(t.copy_text(7).as_deref(), Some("Ada"));
        assert_eq!(
            t.copy_text(1).as_deref(),
            Some("[\n  1,\n  \"two\",\n  null\n]")
        );
        assert_eq!(t.value_of(8), Some(&json!(7)));
    }

    #[test]
    fn long_strings_wrap_onto_continuation_lines() {
        let mut t = JsonTree::new();
        t.push_section("row", "", json!({"m": "x".repeat(50)}));
        t.set_wrap_width(30);
        // prefix: depth 1 → 2 + marker 2 + "m: " 3 = 7, so 23 columns of text.
        let pieces: Vec<_> = t.visible().iter().filter(|l| l.node == 1).collect();
        assert_eq!(pieces.len(), 3);
        assert_eq!(pieces[0].end - pieces[0].start, 23);
        assert_eq!(t.line_of(1), Some(1));
    }

    #[test]
    fn fields_keep_their_order_and_duplicates() {
        let mut t = JsonTree::new();
        t.push_fields_section(
            "row",
            "",
            vec![
                ("z".into(), json!(1)),
                ("a".into(), json!({"k": [2]})),
                ("z".into(), json!(3)),
            ],
        );
        let keys: Vec<_> = t.nodes().iter().map(|n| n.key.clone()).collect();
        assert_eq!(keys[1], NodeKey::Field("z".into()));
        assert_eq!(keys[2], NodeKey::Field("a".into()));
        assert_eq!(t.value_of(4), Some(&json!(2)));
        assert_eq!(
            t.value_of(5),
            Some(&json!(3)),
            "the second z is its own value"
        );
        assert_eq!(t.path(4), "$.a.k[0]");
    }

    #[test]
    fn wrapping_breaks_after_spaces_when_it_can() {
        let text = "a long note that wraps";
        let pieces: Vec<&str> = wrap_ranges(text, 10, 10)
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect();
        assert_eq!(pieces, ["a long ", "note that ", "wraps"]);
        let pieces: Vec<&str> = wrap_ranges("abcdefghijkl mn", 5, 5)
            .into_iter()
            .map(|(s, e)| &"abcdefghijkl mn"[s..e])
            .collect();
        assert_eq!(pieces, ["abcde", "fghij", "kl mn"]);
    }

    #[test]
    fn set_text_patches_lines_and_rewraps_when_needed() {
        let mut t = JsonTree::new();
        t.push_note_section("payload", "", "short");
        t.set_wrap_width(20);
        t.set_text(1, "other".into());
        assert_eq!(t.visible()[1].end, 5);
        t.set_text(1, "a much longer note that wraps".into());
        assert_eq!(t.visible().iter().filter(|l| l.node == 1).count(), 2);
        t.set_text(1, "x".into());
        assert_eq!(t.visible().len(), 2);
    }

    #[test]
    fn a_narrow_pane_hangs_the_value_under_the_key() {
        let mut t = JsonTree::new();
        t.push_section("row", "", json!({"timestamp": "2026-11-27 02:00:00"}));
        // prefix 2 + 2 + "timestamp: " 11 = 15 columns; 18 wide leaves 3.
        t.set_wrap_width(18);
        let node = &t.nodes()[1];
        assert_eq!(t.continuation_indent(node), 6);
        let pieces: Vec<&str> = t
            .visible()
            .iter()
            .filter(|l| l.node == 1)
            .map(|l| &node.text[l.start..l.end])
            .collect();
        assert_eq!(pieces, ["", "\"2026-11-27 ", "02:00:00\""]);
    }

    #[test]
    fn multi_line_strings_show_as_lines_under_their_key() {
        let mut t = JsonTree::new();
        let trace = "Error: boom\r\n  at f (a.js:1)\n\tat g (b.js:2)\u{1b}[31m";
        t.push_section("payload", "", json!({"stack": trace, "n": 1}));
        t.set_wrap_width(40);
        let node = &t.nodes()[2];
        assert!(node.is_multiline());
        let pieces: Vec<&str> = t
            .visible()
            .iter()
            .filter(|l| l.node == 2)
            .map(|l| &node.text[l.start..l.end])
            .collect();
        // The escape is made safe, the tab a space, the \r dropped.
        assert_eq!(
            pieces,
            [
                "",
                "Error: boom",
                "  at f (a.js:1)",
                " at g (b.js:2)\u{241b}[31m"
            ]
        );
        assert_eq!(t.continuation_indent(node), 6);
        assert_eq!(t.copy_text(2).as_deref(), Some(trace), "copy is exact");
        assert!(!t.nodes()[1].is_multiline(), "a number is one line");
    }

    #[test]
    fn long_lines_of_a_multi_line_string_wrap_and_huge_ones_are_cut() {
        let mut t = JsonTree::new();
        t.push_section("p", "", json!({"s": format!("{}\nb", "x".repeat(30))}));
        t.set_wrap_width(20);
        // indent 2 + 4 = 6, so 14 columns a line: 30 x → 3 lines, then "b".
        assert_eq!(
            t.visible().iter().filter(|l| l.node == 1).count(),
            1 + 3 + 1
        );
        let many = vec!["l"; MAX_STRING_LINES + 5].join("\n");
        let mut t = JsonTree::new();
        t.push_section("p", "", json!({"s": many}));
        let text = &t.nodes()[1].text;
        assert_eq!(text.matches('\n').count(), MAX_STRING_LINES);
        assert!(
            text.ends_with("… 5 more lines (y copies them all)"),
            "{text:.40}"
        );
    }

    #[test]
    fn wrapping_counts_wide_characters() {
        assert_eq!(
            wrap_ranges("日本語です", 4, 4),
            vec![(0, 6), (6, 12), (12, 15)]
        );
    }
}
