//! Helpers for the explorer's tests: an `App` with fixed settings, key
//! presses, drawing on ratatui's TestBackend, and a harness that runs the
//! app's effects as real tasks against a real local server.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use aepipe::client::{Cell, Column, QueryResult};
use aepipe::tui::action::Action;
use aepipe::tui::app::{App, ConnectionInfo, Focus};
use aepipe::tui::effects::tasks::TaskRunner;
use aepipe::tui::effects::Effect;
use aepipe::tui::keymap::Keymap;
use aepipe::tui::theme::Theme;
use aepipe::tui::tree::{Load, TreeRow};
use aepipe::tui::{ui, update};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use tokio::sync::mpsc;

pub fn new_app(w: u16, h: u16) -> App {
    let mut app = App::new(
        ConnectionInfo {
            place: "local".into(),
            profile: None,
            embedded: true,
        },
        Keymap::defaults(),
        Theme::ansi16(),
    );
    app.size = (w, h);
    update::apply_layout(&mut app);
    app
}

/// An app scoped to shop/api (answers fed by hand).
pub fn scoped(w: u16, h: u16) -> App {
    let mut app = new_app(w, h);
    aepipe::tui::update::start(&mut app);
    let projects = app.pending.projects.unwrap_or(1);
    press(
        &mut app,
        [Action::ProjectsLoaded {
            id: projects,
            result: Ok(vec!["auth".into(), "shop".into()]),
        }],
    );
    let effects = press(&mut app, [key(KeyCode::End), key(KeyCode::Enter)]);
    let id = effects
        .iter()
        .find_map(|e| match e {
            Effect::LoadLogstores { id, .. } => Some(*id),
            _ => None,
        })
        .expect("logstores load");
    press(
        &mut app,
        [
            Action::LogstoresLoaded {
                id,
                project: "shop".into(),
                result: Ok(vec!["api".into(), "checkout".into()]),
            },
            key(KeyCode::Down),
            key(KeyCode::Enter),
        ],
    );
    app.notice = None;
    app
}

pub fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn ctrl(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

pub fn alt(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::ALT))
}

pub fn chars(s: &str) -> Vec<Action> {
    s.chars().map(|c| key(KeyCode::Char(c))).collect()
}

/// Send actions through `update`, collecting the effects.
pub fn press(app: &mut App, actions: impl IntoIterator<Item = Action>) -> Vec<Effect> {
    actions
        .into_iter()
        .flat_map(|a| update::update(app, a))
        .collect()
}

/// The screen as text, one line per row, trailing spaces trimmed.
pub fn screen(app: &App) -> String {
    let (w, h) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    terminal.draw(|f| ui::render(app, f)).expect("draw");
    let buf = terminal.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..h {
        let mut line = String::new();
        for x in 0..w {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A small result like the starter query returns.
pub fn sample_result(rows: usize) -> Arc<QueryResult> {
    let cols = vec![
        Column {
            name: "timestamp".into(),
            type_name: "DateTime".into(),
        },
        Column {
            name: "event".into(),
            type_name: "String".into(),
        },
        Column {
            name: "level".into(),
            type_name: "String".into(),
        },
        Column {
            name: "ref_id".into(),
            type_name: "String".into(),
        },
        Column {
            name: "ms".into(),
            type_name: "Float64".into(),
        },
        Column {
            name: "note".into(),
            type_name: "Nullable(String)".into(),
        },
    ];
    let events = ["http_request", "checkout", "http_error", "login"];
    let levels = ["info", "info", "error", "warn"];
    let data = (0..rows)
        .map(|i| {
            vec![
                Cell::Text(format!("2026-11-27 02:{:02}:{:02}", (i / 60) % 60, i % 60).into()),
                Cell::Text(events[i % 4].into()),
                Cell::Text(levels[i % 4].into()),
                Cell::Text(if i % 3 == 0 {
                    format!("00000000-0000-4000-8000-{:012}", i).into()
                } else {
                    "".into()
                }),
                Cell::Number((i as f64 * 7.25) % 1000.0),
                if i % 5 == 0 {
                    Cell::Null
                } else {
                    Cell::Text(format!("note {i}").into())
                },
            ]
        })
        .collect();
    Arc::new(QueryResult::from_parts(cols, data))
}

/// insta settings that blank what changes from run to run.
pub fn snapshot_settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(r"127\.0\.0\.1:\d+", "127.0.0.1:[port]");
    s.add_filter(r"\d+\.\d+ s\b", "[secs] s");
    s.add_filter(r"\d+(\.\d+)?/s", "[rate]/s");
    s
}

/// The app wired to a real server: effects run as real tasks, their answers
/// come back through the channel as in the real event loop.
pub struct Harness {
    pub app: App,
    pub runner: TaskRunner,
    pub rx: mpsc::UnboundedReceiver<Action>,
}

impl Harness {
    pub fn new(client: aepipe::client::Client, w: u16, h: u16) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let app = new_app(w, h);
        let runner = TaskRunner::new(client, tx);
        let mut h = Harness { app, runner, rx };
        let first = update::start(&mut h.app);
        h.run(first);
        h
    }

    pub fn run(&mut self, effects: Vec<Effect>) {
        for e in effects {
            self.runner.run(e);
        }
    }

    pub fn send(&mut self, actions: impl IntoIterator<Item = Action>) {
        for a in actions {
            let effects = update::update(&mut self.app, a);
            self.run(effects);
        }
    }

    /// Open `project` in the tree, as a user does, and wait for its
    /// logstores (or their error).
    pub async fn open_project(&mut self, project: &str) {
        let wait = Duration::from_secs(30);
        self.until("projects", wait, |a| a.tree.projects.loaded().is_some())
            .await;
        let rows = self.app.tree.visible_rows();
        let (row, pi) = rows
            .iter()
            .enumerate()
            .find_map(|(row, r)| match r {
                TreeRow::Project(i) if self.app.tree.project_name(*i) == Some(project) => {
                    Some((row, *i))
                }
                _ => None,
            })
            .unwrap_or_else(|| panic!("project {project:?} in the tree:\n{}", screen(&self.app)));
        // Enter toggles: an open project stays open.
        if !self.app.tree.project_node(pi).is_some_and(|n| n.expanded) {
            self.app.focus = Focus::Tree;
            self.app.tree.move_to(row);
            self.send([key(KeyCode::Enter)]);
        }
        self.until("logstores", wait, |a| {
            a.tree
                .projects
                .loaded()
                .and_then(|ps| ps.iter().find(|n| n.name == project))
                .is_some_and(|n| matches!(n.logstores, Load::Loaded(_) | Load::Failed(_)))
        })
        .await;
    }

    /// Open `project` and choose its `logstore` in the tree.
    pub async fn choose(&mut self, project: &str, logstore: &str) {
        self.open_project(project).await;
        let li = self
            .app
            .tree
            .visible_rows()
            .iter()
            .position(|r| matches!(r, TreeRow::Logstore(p, l) if self.app.tree.project_name(*p) == Some(project) && self.app.tree.logstore_name(*p, *l) == Some(logstore)))
            .unwrap_or_else(|| panic!("logstore {logstore:?} in the tree:\n{}", screen(&self.app)));
        self.app.focus = Focus::Tree;
        self.app.tree.move_to(li);
        self.send([key(KeyCode::Enter)]);
    }

    /// Feed answers (and clock ticks) into the app until `done` holds.
    /// Panics with the screen after `timeout`.
    pub async fn until(&mut self, what: &str, timeout: Duration, done: impl Fn(&App) -> bool) {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut tick = tokio::time::interval(Duration::from_millis(50));
        while !done(&self.app) {
            if tokio::time::Instant::now() > deadline {
                panic!(
                    "timed out waiting for {what}; screen:\n{}",
                    screen(&self.app)
                );
            }
            let action = tokio::select! {
                Some(a) = self.rx.recv() => a,
                _ = tick.tick() => Action::Tick,
            };
            let effects = update::update(&mut self.app, action);
            self.run(effects);
        }
    }
}
