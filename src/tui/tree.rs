//! The project → logstore tree: what is loaded, what is open, the cursor and
//! the filter. Projects load at start, a project's logstores when it is first
//! opened; nothing here waits for the network. Its keys answer with a
//! [`TreeOutcome`]: what needs the network (a load, a refresh) or the rest
//! of the explorer (choosing a logstore) the host does.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::tui::app::Scope;
use crate::tui::keymap::{Command, Context, Keymap};

/// Something that loads over the network.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Load<T> {
    #[default]
    NotLoaded,
    Loading,
    Loaded(T),
    Failed(String),
}

impl<T> Load<T> {
    pub fn loaded(&self) -> Option<&T> {
        match self {
            Load::Loaded(t) => Some(t),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProjectNode {
    pub name: String,
    pub expanded: bool,
    pub logstores: Load<Vec<String>>,
}

/// One line of the tree as drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TreeRow {
    Project(usize),
    Logstore(usize, usize),
    /// "loading…" / an error under an open project.
    ProjectStatus(usize),
}

#[derive(Debug, Clone, Default)]
pub struct TreeState {
    pub projects: Load<Vec<ProjectNode>>,
    pub cursor: usize,
    pub offset: usize,
    pub filter: String,
    pub filtering: bool,
    /// Rows the pane shows (set from the layout in `update`).
    pub height: usize,
}

impl TreeState {
    pub fn set_projects(&mut self, names: Vec<String>) {
        // Keep what was open and loaded across a refresh.
        let old = match std::mem::take(&mut self.projects) {
            Load::Loaded(nodes) => nodes,
            _ => Vec::new(),
        };
        let nodes = names
            .into_iter()
            .map(|name| match old.iter().find(|n| n.name == name) {
                Some(prev) => prev.clone(),
                None => ProjectNode {
                    name,
                    expanded: false,
                    logstores: Load::NotLoaded,
                },
            })
            .collect();
        self.projects = Load::Loaded(nodes);
        self.clamp();
    }

    pub fn project_mut(&mut self, name: &str) -> Option<&mut ProjectNode> {
        match &mut self.projects {
            Load::Loaded(nodes) => nodes.iter_mut().find(|n| n.name == name),
            _ => None,
        }
    }

    fn nodes(&self) -> &[ProjectNode] {
        self.projects.loaded().map_or(&[], |v| v.as_slice())
    }

    fn matches(&self, s: &str) -> bool {
        self.filter.is_empty() || s.to_lowercase().contains(&self.filter.to_lowercase())
    }

    /// The lines to draw, after the filter: a project shows when its name
    /// or one of its loaded logstores matches.
    pub fn visible_rows(&self) -> Vec<TreeRow> {
        let mut rows = Vec::new();
        for (pi, p) in self.nodes().iter().enumerate() {
            let stores = p.logstores.loaded();
            let project_matches = self.matches(&p.name);
            let matching: Vec<usize> = stores
                .map(|s| {
                    s.iter()
                        .enumerate()
                        .filter(|(_, l)| project_matches || self.matches(l))
                        .map(|(i, _)| i)
                        .collect()
                })
                .unwrap_or_default();
            if !project_matches && matching.is_empty() {
                continue;
            }
            rows.push(TreeRow::Project(pi));
            let open = p.expanded || (!self.filter.is_empty() && !matching.is_empty());
            if !open {
                continue;
            }
            match &p.logstores {
                Load::Loaded(_) => {
                    rows.extend(matching.into_iter().map(|li| TreeRow::Logstore(pi, li)))
                }
                _ => rows.push(TreeRow::ProjectStatus(pi)),
            }
        }
        rows
    }

    pub fn project_name(&self, pi: usize) -> Option<&str> {
        self.nodes().get(pi).map(|p| p.name.as_str())
    }

    pub fn logstore_name(&self, pi: usize, li: usize) -> Option<&str> {
        self.nodes()
            .get(pi)?
            .logstores
            .loaded()?
            .get(li)
            .map(String::as_str)
    }

    pub fn project_node(&self, pi: usize) -> Option<&ProjectNode> {
        self.nodes().get(pi)
    }

    pub fn current(&self) -> Option<TreeRow> {
        self.visible_rows().get(self.cursor).cloned()
    }

    pub fn move_by(&mut self, delta: isize) {
        let n = self.visible_rows().len();
        if n == 0 {
            self.cursor = 0;
            return;
        }
        self.cursor = (self.cursor as isize + delta).clamp(0, n as isize - 1) as usize;
        self.scroll_to_cursor();
    }

    pub fn move_to(&mut self, index: usize) {
        self.cursor = index;
        self.clamp();
    }

    pub fn clamp(&mut self) {
        let n = self.visible_rows().len();
        self.cursor = self.cursor.min(n.saturating_sub(1));
        self.scroll_to_cursor();
    }

    fn scroll_to_cursor(&mut self) {
        let h = self.height.max(1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + h {
            self.offset = self.cursor + 1 - h;
        }
    }

    /// Put the cursor on a project's row (after a collapse).
    pub fn cursor_to_project(&mut self, pi: usize) {
        if let Some(i) = self
            .visible_rows()
            .iter()
            .position(|r| *r == TreeRow::Project(pi))
        {
            self.cursor = i;
            self.scroll_to_cursor();
        }
    }
}

/// What the host should do after a key in the tree.
#[derive(Debug, Clone, PartialEq)]
pub enum TreeOutcome {
    /// Not the tree's key; the host may use it.
    Ignored,
    Handled,
    /// The filter changed: the host loads the logstores it may match.
    Filtered,
    /// Load the projects again, and the logstores of the open ones.
    Reload,
    /// Load this project's logstores.
    LoadLogstores(String),
    /// Scope the explorer to this logstore.
    Choose(Scope),
}

impl TreeState {
    /// A key: the `/` filter while it is typed, a character typed straight
    /// into the filter (see `TreeState::typing`), else the `[tree]` table.
    pub fn handle_key_with(&mut self, keymap: &Keymap, key: KeyEvent) -> TreeOutcome {
        if self.filtering {
            crate::tui::pane::filter_input(keymap, &key, &mut self.filter, &mut self.filtering);
            self.clamp();
            return TreeOutcome::Filtered;
        }
        if self.typing(keymap, &key) {
            return TreeOutcome::Filtered;
        }
        match keymap.lookup_in(Context::Tree, &key) {
            Some(cmd) => self.command(cmd),
            None => TreeOutcome::Ignored,
        }
    }

    /// Typing in the tree filters it without `/` first: a printable
    /// character no table of the tree binds (so j, k, h, l, r, q, ? keep
    /// their meaning) starts the filter; once it has started every
    /// printable character extends it (so "che" stays "che" although h
    /// collapses), and the `filter` table's keys take one back (Backspace)
    /// or clear it (Esc). Returns whether the key was used so.
    fn typing(&mut self, keymap: &Keymap, key: &KeyEvent) -> bool {
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        let typing = !self.filter.is_empty();
        match keymap.lookup(Context::Filter, key) {
            Some(Command::DeleteBack) if typing => {
                self.filter.pop();
                self.clamp();
                return true;
            }
            Some(Command::ClearFilter | Command::Cancel) if typing => {
                self.filter.clear();
                self.clamp();
                return true;
            }
            _ => {}
        }
        match key.code {
            KeyCode::Char(c)
                if plain
                    && !c.is_control()
                    && (typing || keymap.lookup(Context::Tree, key).is_none()) =>
            {
                self.filter.push(c);
            }
            _ => return false,
        }
        self.clamp();
        true
    }

    /// A command of the tree's (from its table, or a fallback table).
    pub fn command(&mut self, cmd: Command) -> TreeOutcome {
        match cmd {
            Command::Up => self.move_by(-1),
            Command::Down => self.move_by(1),
            Command::First => self.move_to(0),
            Command::Last => self.move_to(usize::MAX),
            Command::Filter => self.filtering = true,
            Command::Refresh => return TreeOutcome::Reload,
            Command::Select | Command::Expand | Command::Collapse => return self.open(cmd),
            _ => return TreeOutcome::Ignored,
        }
        TreeOutcome::Handled
    }

    /// Enter (open or close a project, choose a logstore), → and ←.
    fn open(&mut self, cmd: Command) -> TreeOutcome {
        match self.current() {
            Some(TreeRow::Project(pi)) => {
                let Some(node) = self.project_node(pi).cloned() else {
                    return TreeOutcome::Handled;
                };
                let expand = match cmd {
                    Command::Expand => true,
                    Command::Collapse => false,
                    _ => !node.expanded,
                };
                if let Some(n) = self.project_mut(&node.name) {
                    n.expanded = expand;
                }
                self.clamp();
                if expand && matches!(node.logstores, Load::NotLoaded | Load::Failed(_)) {
                    return TreeOutcome::LoadLogstores(node.name);
                }
                TreeOutcome::Handled
            }
            Some(TreeRow::Logstore(pi, li)) => {
                if cmd == Command::Collapse {
                    if let Some(name) = self.project_name(pi).map(str::to_string) {
                        if let Some(n) = self.project_mut(&name) {
                            n.expanded = false;
                        }
                        self.cursor_to_project(pi);
                    }
                    return TreeOutcome::Handled;
                }
                match (self.project_name(pi), self.logstore_name(pi, li)) {
                    (Some(project), Some(logstore)) => TreeOutcome::Choose(Scope {
                        project: project.to_string(),
                        logstore: logstore.to_string(),
                    }),
                    _ => TreeOutcome::Handled,
                }
            }
            Some(TreeRow::ProjectStatus(pi)) => match self.project_name(pi) {
                Some(name) => TreeOutcome::LoadLogstores(name.to_string()),
                None => TreeOutcome::Handled,
            },
            None => TreeOutcome::Handled,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> TreeState {
        let mut t = TreeState {
            height: 10,
            ..Default::default()
        };
        t.set_projects(vec!["shop".into(), "billing".into()]);
        t.project_mut("shop").unwrap().logstores =
            Load::Loaded(vec!["api".into(), "worker".into()]);
        t.project_mut("shop").unwrap().expanded = true;
        t
    }

    #[test]
    fn open_project_shows_its_logstores() {
        let t = tree();
        assert_eq!(
            t.visible_rows(),
            vec![
                TreeRow::Project(0),
                TreeRow::Logstore(0, 0),
                TreeRow::Logstore(0, 1),
                TreeRow::Project(1)
            ]
        );
    }

    #[test]
    fn filter_keeps_matching_logstores_and_their_project() {
        let mut t = tree();
        t.filter = "WORK".into();
        assert_eq!(
            t.visible_rows(),
            vec![TreeRow::Project(0), TreeRow::Logstore(0, 1)]
        );
        t.filter = "bill".into();
        assert_eq!(t.visible_rows(), vec![TreeRow::Project(1)]);
    }

    #[test]
    fn refresh_keeps_open_projects() {
        let mut t = tree();
        t.set_projects(vec!["shop".into(), "zeta".into()]);
        assert!(t.project_mut("shop").unwrap().expanded);
        assert_eq!(t.visible_rows().len(), 4);
    }
}
