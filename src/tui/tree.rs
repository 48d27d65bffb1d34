//! The project → logstore tree: what is loaded, what is open, the cursor and
//! the filter. Projects load at start, a project's logstores when it is first
//! opened; nothing here waits for the network.

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
