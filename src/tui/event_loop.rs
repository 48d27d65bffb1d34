//! The explorer's loop: draw, wait for the next thing that happens (a key,
//! a task's answer, a tick, the detail pane's debounce falling due), update,
//! repeat. It is generic over the backend and the input stream so the very
//! loop the binary runs can be driven on a test backend with scripted keys
//! (the keypress-to-frame benchmark measures it that way).

use std::io;
use std::time::Duration;

use crossterm::event::Event;
use futures::{Stream, StreamExt};
use ratatui::backend::Backend;
use ratatui::Terminal;
use tokio::sync::mpsc::UnboundedReceiver;

use super::action::Action;
use super::app::{App, TICKS_PER_SECOND};
use super::effects::tasks::TaskRunner;
use super::effects::Effect;
use super::{ui, update};

/// Why the loop stopped other than by the user quitting.
#[derive(Debug, thiserror::Error)]
pub enum LoopError {
    #[error("drawing: {0}")]
    Draw(#[source] io::Error),
    #[error("reading terminal input: {0}")]
    Input(#[source] io::Error),
}

/// What the loop needs from its surroundings besides the terminal: where
/// mouse capture is switched (the real terminal, or nowhere) and who is told
/// of each frame drawn (nobody, or a benchmark's clock).
pub trait LoopHost {
    fn set_mouse_capture(&mut self, on: bool) -> io::Result<()>;
    /// Called after every frame reached the backend.
    fn frame_drawn(&mut self, _app: &App) {}
}

/// Runs until the user quits or `events` ends.
pub async fn drive<B, S, H>(
    app: &mut App,
    terminal: &mut Terminal<B>,
    runner: &mut TaskRunner,
    answers: &mut UnboundedReceiver<Action>,
    mut events: S,
    host: &mut H,
) -> Result<(), LoopError>
where
    B: Backend,
    S: Stream<Item = io::Result<Event>> + Unpin,
    H: LoopHost,
{
    let mut ticker = tokio::time::interval(Duration::from_millis(1000 / TICKS_PER_SECOND));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        terminal
            .draw(|f| ui::render(app, f))
            .map_err(LoopError::Draw)?;
        host.frame_drawn(app);
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
                Some(Err(e)) => return Err(LoopError::Input(e)),
                None => return Ok(()),
            },
            Some(a) = answers.recv() => a,
            _ = ticker.tick() => Action::Tick,
            () = wake => Action::Wake,
        };
        let effects = update::update(app, action);
        run_effects(runner, host, effects);
        if app.should_quit {
            return Ok(());
        }
    }
}

/// Hands each effect to the task runner, except the one that belongs to the
/// terminal itself.
pub fn run_effects<H: LoopHost>(runner: &mut TaskRunner, host: &mut H, effects: Vec<Effect>) {
    for e in effects {
        match e {
            Effect::SetMouseCapture(on) => {
                if let Err(err) = host.set_mouse_capture(on) {
                    tracing::warn!("mouse capture: {err}");
                }
            }
            other => runner.run(other),
        }
    }
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
