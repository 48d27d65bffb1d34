//! The explorer: project/logstore tree, SQL editor, result grid, payload
//! detail and live tail.
//!
//! Shape: `app::App` is the state, `update::update`
//! the only thing that changes it, `ui::render` only draws it, and every
//! request is a task (`effects::tasks`) that answers with an `Action`;
//! `event_loop::drive` ties them together.

pub mod action;
pub mod app;
pub mod chart;
pub(crate) mod clipboard;
pub mod connect;
pub mod detail;
pub mod editor;
pub mod effects;
pub mod event_loop;
pub mod fields;
pub mod grid;
pub(crate) mod history_view;
pub mod keymap;
pub mod layout_store;
pub mod pane;
pub(crate) mod ref_id;
pub(crate) mod saved;
pub mod send_form;
pub mod session;
pub(crate) mod settings;
pub(crate) mod snippets;
pub(crate) mod tabs;
pub mod tail;
pub mod terminal;
pub mod theme;
pub(crate) mod timerange;
pub mod tree;
pub mod ui;
pub mod update;
pub(crate) mod watch;

use anyhow::Context as _;
use crossterm::event::EventStream;
use tokio::sync::mpsc;

use crate::config::ConnectionFlags;
use app::App;
use effects::tasks::TaskRunner;
use keymap::Keymap;
use terminal::TerminalGuard;
use theme::Theme;

/// `aepipe` with no subcommand (`flags` from the command line).
pub fn run_with(flags: ConnectionFlags) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(run_async(flags))
}

async fn run_async(flags: ConnectionFlags) -> anyhow::Result<()> {
    let user_keymap = dirs::config_dir().map(|d| d.join("aepipe").join("keymap.toml"));
    let keymap = Keymap::load(user_keymap.as_deref()).with_context(|| {
        format!(
            "in {}",
            user_keymap
                .as_deref()
                .map_or("the keymap".into(), |p| p.display().to_string())
        )
    })?;
    let settings = settings::Settings::load(settings::Settings::default_path().as_deref())?;
    let conn = connect::connect(&flags).await?;

    let mut app = App::new(conn.info.clone(), keymap, Theme::from_env());
    app.mouse_capture = settings.mouse;
    app.raw_window_minutes = settings
        .raw_window_minutes
        .clamp(1, tail::window::MAX_MINUTES);
    let layout_path = layout_store::default_path();
    let mut layout_warning = None;
    let saved_layout = match layout_path.as_deref().map(layout_store::SavedLayout::load) {
        Some(Ok(saved)) => saved,
        // Pane sizes are not worth refusing to start over: built-in sizes.
        Some(Err(e)) => {
            layout_warning = Some(format!("{e} (pane sizes reset)"));
            Default::default()
        }
        None => Default::default(),
    };
    saved_layout.apply(&mut app.layout);
    app.layout_path.clone_from(&layout_path);
    app.layout_kept = saved_layout.clone();
    app.fields_path = fields::FieldsConfig::default_path();
    if let Some(path) = &app.fields_path {
        app.fields = fields::FieldsConfig::load(path)?;
    }
    app.connection_warnings.clone_from(&conn.warnings);
    app.tail.set_sample_rate(conn.rawlog_sample_rate);
    app.connection_warnings.extend(layout_warning);
    app.history_dir = dirs::data_dir().map(|d| d.join("aepipe").join("history"));
    app.export_dir = std::env::current_dir().unwrap_or_else(|_| std::env::temp_dir());
    app.user_snippets = dirs::config_dir()
        .map(|d| snippets::user_snippets(&d.join("aepipe").join("queries")))
        .unwrap_or_default();

    let data = dirs::data_dir().map(|d| d.join("aepipe"));
    app.saved.root = data.as_ref().map(|d| d.join("saved"));
    app.session_path = data
        .as_ref()
        .map(|d| session::path_for(&d.join("session"), &app.profile_name()));
    // A damaged session file costs the last session, not this one.
    let last_session = match app.session_path.as_deref().map(session::load) {
        Some(Ok(found)) => found,
        Some(Err(e)) => {
            tracing::warn!("{e}");
            None
        }
        None => None,
    };

    let mut guard = TerminalGuard::enter(app.mouse_capture).context("setting up the terminal")?;
    let size = guard.terminal.size().context("reading the terminal size")?;
    app.size = (size.width, size.height);

    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut runner = TaskRunner::new(conn.client.clone(), tx);
    let mut host = terminal::RealTerminal;
    let mut first = update::start(&mut app);
    if let Some(last) = last_session {
        first.extend(session::restore(&mut app, last));
    }
    event_loop::run_effects(&mut runner, &mut host, first);

    let ended = event_loop::drive(
        &mut app,
        &mut guard.terminal,
        &mut runner,
        &mut rx,
        EventStream::new(),
        &mut host,
    )
    .await;
    drop(guard);
    // The sizes the user chose, for the next start (only when they changed;
    // written again in case the last write while running had not landed).
    let chosen = layout_store::SavedLayout::from_layout(&app.layout);
    if let Some(path) = layout_path.filter(|_| chosen != saved_layout) {
        if let Err(e) = chosen.save(&path) {
            tracing::warn!("{e}");
        }
    }
    // The editor and tabs as they are now, for the next start.
    if let Some(path) = &app.session_path {
        let text = session::to_text(&session::capture(&app));
        if let Err(e) = session::save(path, &text) {
            eprintln!(
                "aepipe: could not keep the session in {}: {e}",
                path.display()
            );
        }
    }
    conn.close().await;
    Ok(ended?)
}
