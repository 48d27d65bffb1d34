//! The one terminal guard: raw mode, alternate screen, bracketed paste and
//! (optionally) mouse capture go on when it is made and come off on Drop and
//! in a panic hook that restores first and then chains to the previous hook.
//! Restoring ignores errors: the terminal may already be gone.

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    KeyboardEnhancementFlags, PopKeyboardEnhancementFlags, PushKeyboardEnhancementFlags,
};
use crossterm::execute;
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

/// Whether the terminal is currently in our mode; the panic hook and Drop
/// both restore, and restoring twice must be harmless.
static ACTIVE: AtomicBool = AtomicBool::new(false);
static MOUSE: AtomicBool = AtomicBool::new(false);
static KEYBOARD_FLAGS: AtomicBool = AtomicBool::new(false);

pub struct TerminalGuard {
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl TerminalGuard {
    pub fn enter(mouse: bool) -> io::Result<Self> {
        install_panic_hook();
        enable_raw_mode()?;
        ACTIVE.store(true, Ordering::SeqCst);
        let mut out = io::stdout();
        let setup = execute!(out, EnterAlternateScreen, EnableBracketedPaste)
            .and_then(|()| set_mouse_capture(mouse))
            .and_then(|()| enable_key_disambiguation())
            .and_then(|()| Terminal::new(CrosstermBackend::new(io::stdout())));
        match setup {
            Ok(mut terminal) => {
                terminal.clear()?;
                Ok(Self { terminal })
            }
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }
}

/// The explorer loop's host on the real terminal (entered by a
/// [`TerminalGuard`]): mouse capture (a setting: capture takes away the
/// terminal's own text selection) is switched on stdout while running;
/// frames go unobserved.
pub struct RealTerminal;

impl super::event_loop::LoopHost for RealTerminal {
    fn set_mouse_capture(&mut self, on: bool) -> io::Result<()> {
        set_mouse_capture(on)
    }
}

/// Terminals that speak the kitty keyboard protocol then report Ctrl-Enter
/// (one of the run keys) apart from Enter; others are left as they are.
fn enable_key_disambiguation() -> io::Result<()> {
    if crossterm::terminal::supports_keyboard_enhancement().unwrap_or(false) {
        execute!(
            io::stdout(),
            PushKeyboardEnhancementFlags(KeyboardEnhancementFlags::DISAMBIGUATE_ESCAPE_CODES)
        )?;
        KEYBOARD_FLAGS.store(true, Ordering::SeqCst);
    }
    Ok(())
}

fn set_mouse_capture(on: bool) -> io::Result<()> {
    let mut out = io::stdout();
    if on {
        execute!(out, EnableMouseCapture)?;
    } else {
        execute!(out, DisableMouseCapture)?;
    }
    MOUSE.store(on, Ordering::SeqCst);
    Ok(())
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
        let _ = self.terminal.show_cursor();
    }
}

/// Undo everything `enter` did; safe to call more than once and on a dead
/// terminal.
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = io::stdout();
    if MOUSE.swap(false, Ordering::SeqCst) {
        let _ = execute!(out, DisableMouseCapture);
    }
    if KEYBOARD_FLAGS.swap(false, Ordering::SeqCst) {
        let _ = execute!(out, PopKeyboardEnhancementFlags);
    }
    let _ = execute!(
        out,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
    let _ = out.flush();
}

fn install_panic_hook() {
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(restore_then(restore, previous));
}

/// What `std::panic::set_hook` takes.
pub type PanicHook = Box<dyn Fn(&std::panic::PanicHookInfo<'_>) + Sync + Send + 'static>;

/// A panic hook that first gives the terminal back (`restore`) and then runs
/// the `previous` hook, so the panic message is printed on the normal screen
/// in cooked mode instead of vanishing with the alternate screen.
pub fn restore_then(restore: impl Fn() + Sync + Send + 'static, previous: PanicHook) -> PanicHook {
    Box::new(move |info| {
        restore();
        previous(info);
    })
}

/// Most text copied through OSC 52: its base64 stays under the ~100 KB
/// that common terminals (xterm, tmux, hterm) accept in one sequence.
pub const OSC52_MAX_TEXT_BYTES: usize = 72 * 1024;

/// Write an OSC 52 clipboard sequence; terminals that support it put the
/// text on the system clipboard. Returns an error rather than panicking;
/// text over [`OSC52_MAX_TEXT_BYTES`] is refused, not cut.
pub fn osc52_copy(text: &str) -> io::Result<()> {
    if text.len() > OSC52_MAX_TEXT_BYTES {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "too large for the terminal clipboard ({} KB; at most {} KB)",
                text.len().div_ceil(1024),
                OSC52_MAX_TEXT_BYTES / 1024
            ),
        ));
    }
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let mut out = io::stdout();
    write!(out, "\x1b]52;c;{encoded}\x07")?;
    out.flush()
}
