//! The detail pane: the selected grid row with every field in full and, when
//! it carries a ref_id, its D1 payload as a foldable JSON tree; or any JSON
//! value the host opens (a tail entry's data). A plain state struct: the host
//! feeds it selections, clock ticks and `detail` answers, and acts on the
//! [`DetailOutcome`] of each call.

mod cache;
mod fetch;
pub mod json_tree;
pub mod path;
pub mod render;
pub mod search;
pub mod time_fmt;

use std::time::Instant;

use crossterm::event::{KeyEvent, KeyEventKind};
use serde_json::Value;

#[cfg(any(test, feature = "internals"))]
pub use fetch::DEFAULT_DEBOUNCE;
pub use fetch::{FetchPlanner, PayloadError, PayloadRequest, PayloadStatus};
use json_tree::JsonTree;

use crate::client::{DetailResult, QueryResult};
use crate::tui::keymap::{Command, Context, Keymap};
use crate::tui::ref_id::row_ref_id;

/// What the host should do after a call into the pane.
#[derive(Debug, Clone, PartialEq)]
pub enum DetailOutcome {
    /// The key is not the pane's; the host may use it (Tab, q, …).
    Ignored,
    /// Handled; redraw.
    Handled,
    /// Call `client.detail` with these ref_ids and answer with `on_payloads`.
    Fetch(PayloadRequest),
    /// Put this text on the clipboard; `what` says what it is, for the status line.
    Copy { text: String, what: String },
}

/// What the pane shows.
#[derive(Debug, Clone, PartialEq)]
enum Content {
    Empty,
    Row {
        title: String,
        fields: Vec<(String, Value)>,
        /// Per field: an empty blob or double (`""`, 0, NULL), hidden
        /// unless the user shows empty columns.
        empty: Vec<bool>,
        ref_id: Option<String>,
    },
    Json {
        title: String,
        value: Value,
    },
}

#[derive(Debug)]
pub struct DetailState {
    content: Content,
    tree: JsonTree,
    /// The payload state the tree was built from (rebuilt when it changes).
    shown: Option<PayloadStatus>,
    /// Nodes holding "created …"/"expires …", refreshed as time passes.
    meta_nodes: Option<(usize, usize)>,
    /// Index into the tree's visible lines.
    cursor: usize,
    /// First visible line drawn.
    scroll: usize,
    width: u16,
    height: u16,
    planner: FetchPlanner,
    /// Wall clock (Unix ms) for relative times; set by `tick`.
    now_ms: i64,
    /// The logstore's names for positional columns (set by the host).
    names: crate::tui::fields::FieldNames,
    /// Show empty blob/double columns too (`SELECT *` has ~30 of them).
    show_empty: bool,
    /// `/` search in the JSON.
    search: search::Search,
    /// `.` jq-style path: only the subtree it names is shown.
    path: path::PathFilter,
}

impl Default for DetailState {
    fn default() -> Self {
        Self::new(FetchPlanner::default())
    }
}

/// What AE stores for a blob or double never set: `""` or 0.
fn is_empty_value(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Number(n) => n.as_f64() == Some(0.0),
        _ => false,
    }
}

/// Where a row stands among the rows the grid shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowPlace {
    /// 0-based position in the shown order.
    pub position: usize,
    /// How many rows are shown.
    pub shown: usize,
}

impl DetailState {
    pub fn new(planner: FetchPlanner) -> Self {
        Self {
            content: Content::Empty,
            tree: JsonTree::new(),
            shown: None,
            meta_nodes: None,
            cursor: 0,
            scroll: 0,
            width: 0,
            height: 0,
            planner,
            now_ms: chrono::Utc::now().timestamp_millis(),
            names: Default::default(),
            show_empty: false,
            search: Default::default(),
            path: Default::default(),
        }
    }

    /// Show row `row` of `result`; `visible_rows` are the result rows on screen
    /// (in any order: the grid may be sorted or filtered),
    /// whose payloads are prefetched in the same request.
    /// As [`show_row_at`](Self::show_row_at) for a grid in result order.
    #[cfg(any(test, feature = "internals"))]
    pub fn show_row(
        &mut self,
        result: &QueryResult,
        row: usize,
        visible_rows: impl IntoIterator<Item = usize>,
        now: Instant,
    ) {
        let place = RowPlace {
            position: row,
            shown: result.len(),
        };
        self.show_row_at(result, row, place, visible_rows, now);
    }

    /// `place` is where the row stands in the grid as shown (sorted,
    /// filtered), which is what the title counts.
    pub fn show_row_at(
        &mut self,
        result: &QueryResult,
        row: usize,
        place: RowPlace,
        visible_rows: impl IntoIterator<Item = usize>,
        now: Instant,
    ) {
        let Some(cells) = result.row(row) else {
            self.clear();
            return;
        };
        let (fields, empty) = result
            .columns()
            .iter()
            .zip(cells)
            .map(|(c, v)| {
                let value = v.to_json();
                let empty = crate::tui::fields::is_positional(&c.name) && is_empty_value(&value);
                let key = match self.names.name_of(&c.name) {
                    Some(name) => format!("{name} ({})", c.name),
                    None => c.name.clone(),
                };
                ((key, value), empty)
            })
            .unzip();
        let ref_id = row_ref_id(result, row);
        let visible: Vec<String> = visible_rows
            .into_iter()
            .filter_map(|r| row_ref_id(result, r))
            .collect();
        self.planner
            .want(ref_id.as_deref(), visible.iter().map(String::as_str), now);
        let content = Content::Row {
            title: format!("row {} of {}", place.position + 1, place.shown),
            fields,
            empty,
            ref_id,
        };
        self.set_content(content);
    }

    /// The names of the logstore the next rows come from.
    pub fn set_names(&mut self, names: crate::tui::fields::FieldNames) {
        self.names = names;
    }

    /// Whether empty blob/double columns are shown.
    #[cfg(any(test, feature = "internals"))]
    pub fn shows_empty(&self) -> bool {
        self.show_empty
    }

    /// Open any JSON value (e.g. a tail entry's data) under `title`.
    pub fn show_json(&mut self, title: &str, value: Value) {
        self.set_content(Content::Json {
            title: title.to_string(),
            value,
        });
    }

    pub fn clear(&mut self) {
        self.set_content(Content::Empty);
    }

    fn set_content(&mut self, content: Content) {
        if content != self.content {
            self.content = content;
            self.cursor = 0;
            self.scroll = 0;
            self.shown = None;
            self.rebuild();
        } else {
            self.refresh_payload();
        }
    }

    /// The ref_id of the shown row, if any.
    pub fn ref_id(&self) -> Option<&str> {
        match &self.content {
            Content::Row { ref_id, .. } => ref_id.as_deref(),
            _ => None,
        }
    }

    /// Advance the clocks: sends a due fetch, refreshes relative times.
    pub fn tick(&mut self, now: Instant, now_ms: i64) -> DetailOutcome {
        if now_ms / 1000 != self.now_ms / 1000 {
            self.now_ms = now_ms;
            self.refresh_meta();
        }
        self.now_ms = now_ms;
        match self.planner.poll(now) {
            Some(req) => {
                self.refresh_payload();
                DetailOutcome::Fetch(req)
            }
            None => DetailOutcome::Handled,
        }
    }

    /// When the next fetch falls due, so the host can wake up for it.
    pub fn next_due(&self) -> Option<Instant> {
        self.planner.due()
    }

    /// Payload requests sent and not answered yet.
    #[cfg(any(test, feature = "internals"))]
    pub fn fetches_in_flight(&self) -> usize {
        self.planner.in_flight_count()
    }

    /// The answer to a `Fetch`; answers to older requests are still cached.
    pub fn on_payloads(&mut self, req_id: u64, answer: Result<DetailResult, PayloadError>) {
        self.planner.on_answer(req_id, answer);
        self.refresh_payload();
    }

    pub fn set_viewport(&mut self, width: u16, height: u16) {
        self.width = width;
        self.height = height;
        self.tree.set_wrap_width(usize::from(width));
        self.clamp();
    }

    /// A key under the built-in keymap (the tests).
    #[cfg(any(test, feature = "internals"))]
    pub fn handle_key(&mut self, key: KeyEvent) -> DetailOutcome {
        self.handle_key_with(Keymap::builtin(), key)
    }

    /// A key, through the `[detail]` table of `keymap`.
    pub fn handle_key_with(&mut self, keymap: &Keymap, key: KeyEvent) -> DetailOutcome {
        if key.kind == KeyEventKind::Release {
            return DetailOutcome::Ignored;
        }
        if self.search.typing {
            return self.search_key(key);
        }
        if self.path.typing {
            return self.path_key(key);
        }
        match keymap.lookup_in(Context::Detail, &key) {
            Some(cmd) => self.command(cmd),
            None => DetailOutcome::Ignored,
        }
    }

    pub fn command(&mut self, cmd: Command) -> DetailOutcome {
        let page = usize::from(self.height.max(2) - 1);
        match cmd {
            Command::Up => self.move_by(-1),
            Command::Down => self.move_by(1),
            Command::PageUp => self.move_by(-(page as isize)),
            Command::PageDown => self.move_by(page as isize),
            Command::First => self.move_by(isize::MIN / 2),
            Command::Last => self.move_by(isize::MAX / 2),
            Command::ToggleFold => {
                if let Some(node) = self.cursor_node() {
                    self.tree.toggle(node);
                }
                self.clamp();
            }
            Command::Expand => {
                if let Some(node) = self.cursor_node() {
                    self.tree.set_folded(node, false);
                }
            }
            Command::Collapse => self.fold_or_go_to_parent(),
            Command::FoldAll => {
                let fold = !self.tree.any_folded();
                let node = self.cursor_node();
                self.tree.set_all_folded(fold);
                self.cursor_to_node_or_ancestor(node);
            }
            Command::CopyValue => {
                return match self.cursor_node().and_then(|n| self.tree.copy_text(n)) {
                    Some(text) => DetailOutcome::Copy {
                        text,
                        what: "value".into(),
                    },
                    None => DetailOutcome::Handled,
                };
            }
            Command::CopyPath => {
                return match self.cursor_node() {
                    Some(n) => DetailOutcome::Copy {
                        text: self.tree.path(n),
                        what: "JSON path".into(),
                    },
                    None => DetailOutcome::Handled,
                };
            }
            Command::Filter if !self.is_empty() => {
                self.search = search::Search {
                    typing: true,
                    ..Default::default()
                };
            }
            Command::SearchNext | Command::SearchPrev if self.search.is_active() => {
                let from = self.cursor_node();
                if let Some(node) = self.search.step(from, cmd == Command::SearchNext) {
                    self.reveal(node);
                }
            }
            Command::ClearFilter if self.search.is_active() => {
                self.search = Default::default();
            }
            Command::ClearFilter if !self.path.text.is_empty() => {
                self.path = Default::default();
                self.rebuild_from_top();
            }
            Command::PathFilter if !self.is_empty() => self.path.edit(),
            Command::CopyPayload => {
                return match self.document() {
                    Some((what, value)) => DetailOutcome::Copy {
                        text: serde_json::to_string_pretty(&value)
                            .unwrap_or_else(|_| value.to_string()),
                        what: what.into(),
                    },
                    None => DetailOutcome::Handled,
                };
            }
            Command::ToggleEmpty => {
                self.show_empty = !self.show_empty;
                let node = self.cursor_node();
                self.rebuild();
                self.cursor_to_node_or_ancestor(node);
            }
            Command::Refetch => {
                if let Some(id) = self.ref_id().map(str::to_string) {
                    self.planner.retry(&id, Instant::now());
                    self.refresh_payload();
                }
            }
            _ => return DetailOutcome::Ignored,
        }
        DetailOutcome::Handled
    }

    fn fold_or_go_to_parent(&mut self) {
        let Some(node) = self.cursor_node() else {
            return;
        };
        let Some(n) = self.tree.node(node) else {
            return;
        };
        if n.kind.is_container() && !n.folded && n.end > node + 1 {
            self.tree.set_folded(node, true);
        } else if let Some(parent) = n.parent {
            self.cursor_to_node_or_ancestor(Some(parent));
        }
        self.clamp();
    }

    /// Put the cursor on `node`, or on its nearest visible ancestor.
    /// A key while the search is typed: text, Backspace, Enter (keep it and
    /// stay on the match) or Esc (drop the search).
    fn search_key(&mut self, key: KeyEvent) -> DetailOutcome {
        use crossterm::event::{KeyCode, KeyModifiers};
        match key.code {
            KeyCode::Enter => self.search.typing = false,
            KeyCode::Esc => self.search = Default::default(),
            KeyCode::Backspace => {
                self.search.query.pop();
                self.search_from_top();
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.search.query.push(c);
                self.search_from_top();
            }
            _ => {}
        }
        DetailOutcome::Handled
    }

    /// A key while the path is typed: it applies as it is typed; Enter keeps
    /// it, Esc drops it.
    fn path_key(&mut self, key: KeyEvent) -> DetailOutcome {
        use crossterm::event::{KeyCode, KeyModifiers};
        let mut text = self.path.text.clone();
        match key.code {
            KeyCode::Enter => {
                self.path.typing = false;
                return DetailOutcome::Handled;
            }
            KeyCode::Esc => {
                self.path = Default::default();
                self.rebuild_from_top();
                return DetailOutcome::Handled;
            }
            KeyCode::Backspace => {
                text.pop();
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => text.clear(),
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => text.push(c),
            _ => return DetailOutcome::Handled,
        }
        let before = self.path.steps().to_vec();
        self.path.set_text(text);
        if self.path.steps() != before {
            self.rebuild_from_top();
        }
        DetailOutcome::Handled
    }

    /// Rebuild after the path changed: the cursor goes to the top.
    fn rebuild_from_top(&mut self) {
        self.cursor = 0;
        self.scroll = 0;
        self.rebuild();
    }

    /// The JSON the path filter and "copy payload" work on, and what it is
    /// called: the payload when it is loaded, else the opened value, else the
    /// row's fields as an object.
    fn document(&self) -> Option<(&'static str, Value)> {
        match (&self.content, &self.shown) {
            (Content::Empty, _) => None,
            (Content::Json { value, .. }, _) => Some(("value", value.clone())),
            (Content::Row { .. }, Some(PayloadStatus::Found(entry))) => {
                Some(("payload", entry.payload.clone()))
            }
            (Content::Row { fields, .. }, _) => {
                Some(("row", Value::Object(fields.iter().cloned().collect())))
            }
        }
    }

    /// After the query changed: find it again and go to its first match.
    fn search_from_top(&mut self) {
        self.search.refresh(&self.tree);
        if let Some(node) = self.search.step(None, true) {
            self.reveal(node);
        }
    }

    /// Unfold what hides `node` and put the cursor on it.
    fn reveal(&mut self, node: usize) {
        let mut parent = self.tree.node(node).and_then(|n| n.parent);
        while let Some(p) = parent {
            self.tree.set_folded(p, false);
            parent = self.tree.node(p).and_then(|n| n.parent);
        }
        self.cursor_to_node_or_ancestor(Some(node));
    }

    /// The search, for the title and the highlight.
    pub fn search(&self) -> &search::Search {
        &self.search
    }

    /// The pane takes every key while a search is typed.
    pub fn captures_input(&self) -> bool {
        self.search.typing || self.path.typing
    }

    fn cursor_to_node_or_ancestor(&mut self, node: Option<usize>) {
        let mut cur = node;
        while let Some(n) = cur {
            if let Some(line) = self.tree.line_of(n) {
                self.cursor = line;
                break;
            }
            cur = self.tree.node(n).and_then(|x| x.parent);
        }
        self.clamp();
    }

    fn move_by(&mut self, delta: isize) {
        let lines = self.tree.visible();
        if lines.is_empty() {
            return;
        }
        // Continuation lines of a wrapped value are skipped: the cursor is on nodes.
        let mut target = self
            .cursor
            .saturating_add_signed(delta)
            .min(lines.len() - 1);
        if delta > 0 {
            while target + 1 < lines.len() && lines[target].piece > 0 {
                target += 1;
            }
            if lines[target].piece > 0 {
                target = self.tree.line_of(lines[target].node).unwrap_or(target);
            }
        } else {
            target = self.tree.line_of(lines[target].node).unwrap_or(target);
        }
        self.cursor = target;
        self.clamp();
    }

    /// Keep cursor and scroll inside the content and the cursor on screen.
    fn clamp(&mut self) {
        let len = self.tree.visible().len();
        self.cursor = self.cursor.min(len.saturating_sub(1));
        let height = usize::from(self.height.max(1));
        if self.cursor < self.scroll {
            self.scroll = self.cursor;
        } else if self.cursor >= self.scroll + height {
            self.scroll = self.cursor + 1 - height;
        }
        self.scroll = self.scroll.min(len.saturating_sub(height));
    }

    fn cursor_node(&self) -> Option<usize> {
        self.tree.visible().get(self.cursor).map(|l| l.node)
    }

    /// Rebuild the tree if the shown row's payload state changed.
    fn refresh_payload(&mut self) {
        let status = self
            .ref_id()
            .map(str::to_string)
            .map(|id| self.planner.status(&id));
        if status != self.shown {
            let cursor_node = self.cursor_node();
            self.rebuild();
            self.cursor_to_node_or_ancestor(cursor_node);
        }
    }

    fn rebuild(&mut self) {
        let mut tree = JsonTree::new();
        self.meta_nodes = None;
        self.shown = None;
        match &self.content {
            Content::Empty => {}
            Content::Json { title, value } => tree.push_section(title, "", value.clone()),
            Content::Row {
                title: _,
                fields,
                empty,
                ref_id,
            } => {
                let hidden = if self.show_empty {
                    0
                } else {
                    empty.iter().filter(|e| **e).count()
                };
                let note = match hidden {
                    0 => String::new(),
                    1 => "1 empty column hidden".to_string(),
                    n => format!("{n} empty columns hidden"),
                };
                let shown = fields
                    .iter()
                    .zip(empty)
                    .filter(|(_, e)| self.show_empty || !**e)
                    .map(|(f, _)| f.clone())
                    .collect();
                tree.push_fields_section("row", &note, shown);
                if let Some(id) = ref_id.clone() {
                    let status = self.planner.status(&id);
                    self.push_payload(&mut tree, &id, &status);
                    self.shown = Some(status);
                }
            }
        }
        if self.path.is_active() {
            tree = self.filtered_tree();
            // The created/expires lines are not in the filtered tree.
            self.meta_nodes = None;
        }
        tree.set_wrap_width(usize::from(self.width));
        self.tree = tree;
        self.search.refresh(&self.tree);
        self.clamp();
    }

    /// Only the subtree the path names, under a heading that says which.
    fn filtered_tree(&self) -> JsonTree {
        let mut tree = JsonTree::new();
        let Some((what, doc)) = self.document() else {
            return tree;
        };
        match path::select(&doc, self.path.steps()) {
            Some(v) => tree.push_section(what, &self.path.text, v.clone()),
            None => tree.push_note_section(what, &self.path.text, "nothing at this path"),
        }
        tree
    }

    fn push_payload(&mut self, tree: &mut JsonTree, ref_id: &str, status: &PayloadStatus) {
        let heading = "payload";
        match status {
            PayloadStatus::Loading => tree.push_note_section(heading, ref_id, "loading…"),
            PayloadStatus::Missing => tree.push_note_section(
                heading,
                ref_id,
                "not found or expired (payloads live 90 days unless the writer set a ttl)",
            ),
            PayloadStatus::NoStorage => tree.push_note_section(
                heading,
                ref_id,
                "this server keeps no payloads (501: D1 payload storage is not configured)",
            ),
            PayloadStatus::Failed(message) => tree.push_note_section(
                heading,
                ref_id,
                &format!("could not fetch the payload: {message} (r retries)"),
            ),
            PayloadStatus::Found(entry) => {
                let first = tree.nodes().len() + 1;
                let (created, expires) =
                    meta_lines(entry.created_at, entry.expires_at, self.now_ms);
                tree.push_section_with_notes(
                    heading,
                    ref_id,
                    &[created, expires],
                    entry.payload.clone(),
                );
                self.meta_nodes = Some((first, first + 1));
            }
        }
    }

    fn refresh_meta(&mut self) {
        let (Some((created_node, expires_node)), Some(PayloadStatus::Found(entry))) =
            (self.meta_nodes, &self.shown)
        else {
            return;
        };
        let (created, expires) = meta_lines(entry.created_at, entry.expires_at, self.now_ms);
        self.tree.set_text(created_node, created);
        self.tree.set_text(expires_node, expires);
    }

    // Read access for rendering and tests.
    pub fn tree(&self) -> &JsonTree {
        &self.tree
    }
    pub fn cursor(&self) -> usize {
        self.cursor
    }
    pub fn scroll(&self) -> usize {
        self.scroll
    }
    pub fn is_empty(&self) -> bool {
        self.content == Content::Empty
    }
    /// The payload state of the shown row, if it has a ref_id.
    #[cfg(any(test, feature = "internals"))]
    pub fn payload_status(&self) -> Option<&PayloadStatus> {
        self.shown.as_ref()
    }
    /// The text of the node under the cursor's section heading, for titles.
    pub fn title(&self) -> String {
        let base = match &self.content {
            Content::Empty => "detail".into(),
            Content::Row { title, .. } => format!("detail · {title}"),
            Content::Json { title, .. } => format!("detail · {title}"),
        };
        let base = if self.path.typing || self.path.is_active() {
            format!("{base} · {}", self.path.label())
        } else {
            base
        };
        if self.search.typing || self.search.is_active() {
            format!("{base} · {}", self.search.label())
        } else {
            base
        }
    }
    /// The title, without the "detail · " prefix when the pane is too
    /// narrow for it (the row count matters more than the pane's name).
    pub fn title_for_width(&self, width: u16) -> String {
        let full = self.title();
        if unicode_width::UnicodeWidthStr::width(full.as_str()) <= usize::from(width) {
            return full;
        }
        let short = match &self.content {
            Content::Empty => return full,
            Content::Row { title, .. } | Content::Json { title, .. } => title.clone(),
        };
        if self.search.typing || self.search.is_active() {
            // The search is what the user is looking at: it goes first.
            format!("{} · {short}", self.search.label())
        } else {
            short
        }
    }
    #[cfg(test)]
    pub fn cursor_kind(&self) -> Option<json_tree::NodeKind> {
        self.cursor_node()
            .and_then(|n| self.tree.node(n))
            .map(|n| n.kind)
    }
}

fn meta_lines(created_ms: i64, expires_ms: i64, now_ms: i64) -> (String, String) {
    (
        format!(
            "created {} ({})",
            time_fmt::utc_from_ms(created_ms),
            time_fmt::relative(created_ms, now_ms)
        ),
        format!(
            "expires {} ({})",
            time_fmt::utc_from_ms(expires_ms),
            time_fmt::relative(expires_ms, now_ms)
        ),
    )
}

#[cfg(test)]
mod tests;
