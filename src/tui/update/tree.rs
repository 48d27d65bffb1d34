//! What the tree pane asks for: loading projects and logstores (lazily,
//! when a project opens or a filter may match them) and choosing a
//! logstore.

use super::*;

/// Act on what the tree asked for.
pub(super) fn tree_outcome(app: &mut App, outcome: TreeOutcome) -> Vec<Effect> {
    match outcome {
        TreeOutcome::Ignored | TreeOutcome::Handled => Vec::new(),
        TreeOutcome::Filtered => load_for_filter(app),
        TreeOutcome::Reload => reload(app),
        TreeOutcome::LoadLogstores(project) => load_logstores(app, &project),
        TreeOutcome::Choose(scope) => choose_logstore(app, scope),
    }
}

/// The projects again, and the logstores of the open ones.
fn reload(app: &mut App) -> Vec<Effect> {
    let mut effects = load_projects(app);
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
    effects
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
