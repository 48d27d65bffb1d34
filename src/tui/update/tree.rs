//! The tree pane: moving, opening projects (their logstores load lazily)
//! and choosing a logstore.

use super::*;

pub(super) fn tree_command(app: &mut App, cmd: Command) -> Vec<Effect> {
    match cmd {
        Command::Up => app.tree.move_by(-1),
        Command::Down => app.tree.move_by(1),
        Command::First => app.tree.move_to(0),
        Command::Last => app.tree.move_to(usize::MAX),
        Command::Filter => app.tree.filtering = true,
        Command::Refresh => {
            let mut effects = load_projects(app);
            // Reload the logstores of open projects too.
            let open: Vec<String> = app
                .tree
                .projects
                .loaded()
                .map(|ps| {
                    ps.iter()
                        .filter(|p| p.expanded)
                        .map(|p| p.name.clone())
                        .collect()
                })
                .unwrap_or_default();
            for p in open {
                effects.extend(load_logstores(app, &p));
            }
            app.notify(NoticeLevel::Info, "refreshing…");
            return effects;
        }
        Command::Select | Command::Expand | Command::Collapse => {
            return tree_open(app, cmd);
        }
        _ => {}
    }
    Vec::new()
}

/// While the tree is filtered, every project's logstores are needed: a filter
/// matches logstore names too, and a matching project should show its
/// children. Loads those never asked for (each project at most once).
pub(super) fn load_for_filter(app: &mut App) -> Vec<Effect> {
    if app.tree.filter.is_empty() {
        return Vec::new();
    }
    let unloaded: Vec<String> = app
        .tree
        .projects
        .loaded()
        .map(|ps| {
            ps.iter()
                .filter(|p| matches!(p.logstores, Load::NotLoaded))
                .map(|p| p.name.clone())
                .collect()
        })
        .unwrap_or_default();
    unloaded
        .iter()
        .flat_map(|p| load_logstores(app, p))
        .collect()
}

pub(super) fn load_logstores(app: &mut App, project: &str) -> Vec<Effect> {
    let id = app.pending.next_id();
    app.pending.logstores.retain(|(p, _)| p != project);
    app.pending.logstores.push((project.to_string(), id));
    if let Some(node) = app.tree.project_mut(project) {
        if node.logstores.loaded().is_none() {
            node.logstores = Load::Loading;
        }
    }
    vec![Effect::LoadLogstores {
        id,
        project: project.to_string(),
    }]
}

pub(super) fn tree_open(app: &mut App, cmd: Command) -> Vec<Effect> {
    match app.tree.current() {
        Some(TreeRow::Project(pi)) => {
            let Some(node) = app.tree.project_node(pi).cloned() else {
                return Vec::new();
            };
            let expand = match cmd {
                Command::Expand => true,
                Command::Collapse => false,
                _ => !node.expanded,
            };
            let name = node.name.clone();
            if let Some(n) = app.tree.project_mut(&name) {
                n.expanded = expand;
            }
            app.tree.clamp();
            if expand && matches!(node.logstores, Load::NotLoaded | Load::Failed(_)) {
                return load_logstores(app, &name);
            }
            Vec::new()
        }
        Some(TreeRow::Logstore(pi, li)) => {
            if cmd == Command::Collapse {
                if let Some(name) = app.tree.project_name(pi).map(str::to_string) {
                    if let Some(n) = app.tree.project_mut(&name) {
                        n.expanded = false;
                    }
                    app.tree.cursor_to_project(pi);
                }
                return Vec::new();
            }
            let (Some(project), Some(logstore)) = (
                app.tree.project_name(pi).map(str::to_string),
                app.tree.logstore_name(pi, li).map(str::to_string),
            ) else {
                return Vec::new();
            };
            choose_logstore(app, Scope { project, logstore })
        }
        Some(TreeRow::ProjectStatus(pi)) => {
            let name = app.tree.project_name(pi).map(str::to_string);
            match name {
                Some(name) => load_logstores(app, &name),
                None => Vec::new(),
            }
        }
        None => Vec::new(),
    }
}

/// Scope the editor (and tail, send form) to a logstore.
pub fn choose_logstore(app: &mut App, scope: Scope) -> Vec<Effect> {
    app.editor.history = match &app.history_dir {
        Some(root) => History::load(History::path_for(
            root,
            &app.profile_name(),
            &scope.project,
            &scope.logstore,
        )),
        None => History::default(),
    };
    app.editor.history_pos = None;
    super::persist::load_saved(app, &scope);
    app.notify(NoticeLevel::Info, format!("editor scoped to {scope}"));
    app.scope = Some(scope);
    if app.editor.is_empty() {
        // The starter query follows the logstore's time range.
        let starter = super::time::with_range(app, &crate::tui::snippets::starter_query());
        app.editor.set_text(&starter);
    }
    app.focus = Focus::Editor;
    if app.bottom == Bottom::Tail {
        return ensure_tail(app);
    }
    Vec::new()
}
