//! The explorer: project/logstore tree, SQL editor, result grid, payload
//! detail and live tail.
//!
//! Shape: `app::App` is the state, `update::update`
//! the only thing that changes it, `ui::render` only draws it, and every
//! request is a task (`effects::tasks`) that answers with an `Action`.

pub mod action;
pub mod app;
pub mod chart;
pub mod clipboard;
pub mod connect;
pub mod detail;
pub mod editor;
pub mod effects;
pub mod fields;
pub mod grid;
pub mod keymap;
pub mod send_form;
pub mod settings;
pub mod snippets;
pub mod tail;
pub mod terminal;
pub mod theme;
pub mod timerange;
pub mod tree;
pub mod ui;
pub mod update;
pub mod watch;

use std::time::Duration;

use anyhow::Context as _;
use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use tokio::sync::mpsc;

use crate::config::ConnectionFlags;
use action::Action;
use app::{App, TICKS_PER_SECOND};
use effects::tasks::TaskRunner;
use effects::Effect;
use keymap::Keymap;
use terminal::TerminalGuard;
use theme::Theme;

/// `aepipe` with no subcommand.
pub fn run() -> anyhow::Result<()> {
    run_with(ConnectionFlags::default())
}

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
    app.fields_path = fields::FieldsConfig::default_path();
    if let Some(path) = &app.fields_path {
        app.fields = fields::FieldsConfig::load(path)?;
    }
    app.connection_warnings.clone_from(&conn.warnings);
    app.history_dir = dirs::data_dir().map(|d| d.join("aepipe").join("history"));
    app.export_dir = std::env::current_dir().unwrap_or_else(|_| std::env::temp_dir());
    app.user_snippets = dirs::config_dir()
        .map(|d| snippets::user_snippets(&d.join("aepipe").join("queries")))
        .unwrap_or_default();

    let mut guard = TerminalGuard::enter(app.mouse_capture).context("setting up the terminal")?;
    let size = guard.terminal.size().context("reading the terminal size")?;
    app.size = (size.width, size.height);

    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut runner = TaskRunner::new(conn.client.clone(), tx);
    let first = update::start(&mut app);
    run_effects(&mut runner, &mut guard, first);

    let mut events = EventStream::new();
    let mut ticker = tokio::time::interval(Duration::from_millis(1000 / TICKS_PER_SECOND));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        guard
            .terminal
            .draw(|f| ui::render(&app, f))
            .context("drawing")?;
        // The detail pane's debounced fetch falls due between ticks; wake
        // for it rather than waiting for the next tick.
        let detail_due = app.detail.next_due();
        let wake = async move {
            match detail_due {
                // A due time already past is left to the next tick, so a
                // pane that keeps it would never make this loop spin.
                Some(at) if at > std::time::Instant::now() => {
                    tokio::time::sleep_until(at.into()).await
                }
                _ => std::future::pending().await,
            }
        };
        let action = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => match event_action(ev) {
                    Some(a) => a,
                    None => continue,
                },
                Some(Err(e)) => return Err(e).context("reading terminal input"),
                None => break,
            },
            Some(a) = rx.recv() => a,
            _ = ticker.tick() => Action::Tick,
            () = wake => Action::Wake,
        };
        let effects = update::update(&mut app, action);
        run_effects(&mut runner, &mut guard, effects);
        if app.should_quit {
            break;
        }
    }
    drop(guard);
    conn.close().await;
    Ok(())
}

fn event_action(ev: Event) -> Option<Action> {
    match ev {
        Event::Key(k) => Some(Action::Key(k)),
        Event::Mouse(m) => Some(Action::Mouse(m)),
        Event::Paste(p) => Some(Action::Paste(p)),
        Event::Resize(w, h) => Some(Action::Resize(w, h)),
        _ => None,
    }
}

fn run_effects(runner: &mut TaskRunner, guard: &mut TerminalGuard, effects: Vec<Effect>) {
    for e in effects {
        match e {
            Effect::SetMouseCapture(on) => {
                if let Err(err) = guard.set_mouse(on) {
                    tracing::warn!("mouse capture: {err}");
                }
            }
            other => runner.run(other),
        }
    }
}
