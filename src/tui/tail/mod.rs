//! The live tail pane: the selected logstore's raw logs, newest at the
//! bottom, following by default. Scrolling up pauses and counts what arrives
//! meanwhile; End or `F` resumes. The polling runs in [`task`]; this state
//! only takes its messages and keys.

pub mod buffer;
pub mod columns;
pub mod conn;
pub mod filter;
pub mod line;
pub mod rate;
pub mod render;
pub mod task;
pub mod window;

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use serde_json::Value;

pub use buffer::{TailBuffer, DEFAULT_CAPACITY};
pub use conn::{ConnState, STALL_AFTER};
pub use filter::Filter;
#[cfg(any(test, feature = "internals"))]
pub use filter::LevelFilter;
pub use line::TailLine;
pub use task::{TailEvent, TailMsg};

/// The level of the lines that stand for a gap in the tail.
pub const GAP_LEVEL: &str = "gap";

use crate::client::{Gap, RawLogEntry};
use crate::tui::keymap::{Command, Context, Keymap};
use rate::RateMeter;

/// What the host should do after a call into the pane.
#[derive(Debug, Clone, PartialEq)]
pub enum TailOutcome {
    Ignored,
    Handled,
    /// Show this value in the detail pane.
    OpenJson {
        title: String,
        value: Value,
    },
    Copy {
        text: String,
        what: String,
    },
    /// Show the raw logs around this moment (Unix ms; None: the line has
    /// no valid time).
    RawAround(Option<i64>),
    /// Every row with one of this line's column values: the host offers
    /// the columns (see `columns`) and runs the chosen pivot.
    PivotOn(Value),
    /// Leave the raw-logs window: the host starts the live tail again.
    GoLive,
    /// A wider (true) or narrower span of raw logs around the moment: the
    /// host fetches the window again.
    WindowSpan(bool),
}

/// How timestamps are shown; `T` cycles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeMode {
    #[default]
    Utc,
    Local,
    Relative,
}

impl TimeMode {
    fn next(self) -> Self {
        match self {
            TimeMode::Utc => TimeMode::Local,
            TimeMode::Local => TimeMode::Relative,
            TimeMode::Relative => TimeMode::Utc,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            TimeMode::Utc => "UTC",
            TimeMode::Local => "local",
            TimeMode::Relative => "relative",
        }
    }
}

#[derive(Debug)]
pub struct TailState {
    buffer: TailBuffer,
    source: Option<(String, String)>,
    /// Id of the current tail; messages of older tails are dropped.
    id: u64,
    follow: bool,
    /// Shown lines between the newest and the bottom of the view.
    scroll: usize,
    /// Shown lines between the newest and the cursor (used while paused).
    cursor: usize,
    /// Shown lines that arrived while paused.
    new_while_paused: usize,
    width: u16,
    height: u16,
    time_mode: TimeMode,
    rate: RateMeter,
    conn: ConnState,
    last_ok: Option<Instant>,
    started: Instant,
    now: Instant,
    now_ms: i64,
    /// While typing a filter: the text it replaces (Esc restores it).
    editing: Option<String>,
    /// Gaps the tail reported (each also a line in the buffer).
    gaps: usize,
    /// Records skipped for having no valid timestamp.
    skipped: usize,
    /// The raw logs around a moment, shown paused instead of the live tail.
    window: Option<window::RawWindow>,
    /// The deployment's head sampling rate of raw logs, when below 1.
    sample_rate: Option<f64>,
}

impl Default for TailState {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

impl TailState {
    pub fn new(capacity: usize) -> Self {
        let now = Instant::now();
        Self {
            buffer: TailBuffer::new(capacity),
            source: None,
            id: 0,
            follow: true,
            scroll: 0,
            cursor: 0,
            new_while_paused: 0,
            width: 0,
            height: 0,
            time_mode: TimeMode::default(),
            rate: RateMeter::default(),
            conn: ConnState::Connecting,
            last_ok: None,
            started: now,
            now,
            now_ms: chrono::Utc::now().timestamp_millis(),
            editing: None,
            gaps: 0,
            skipped: 0,
            window: None,
            sample_rate: None,
        }
    }

    /// Begin a new tail of `project/logstore`: clears the buffer and returns
    /// the id to give `task::spawn`. Filters and time mode are kept.
    /// The deployment samples its raw logs at `rate` (below 1): the header
    /// says so for as long as the pane shows them.
    pub fn set_sample_rate(&mut self, rate: Option<f64>) {
        self.sample_rate = rate.filter(|r| *r < 1.0);
    }

    pub fn sample_rate(&self) -> Option<f64> {
        self.sample_rate
    }

    pub fn start(&mut self, project: &str, logstore: &str, now: Instant) -> u64 {
        self.begin_source(project, logstore, now);
        self.window = None;
        self.resume();
        self.id
    }

    /// A new source of lines (the live tail or a window): a new id, so
    /// answers for the old one are dropped, and nothing kept from it.
    fn begin_source(&mut self, project: &str, logstore: &str, now: Instant) {
        self.id += 1;
        self.source = Some((project.to_string(), logstore.to_string()));
        self.buffer.clear();
        self.rate = RateMeter::default();
        self.conn = ConnState::Connecting;
        self.last_ok = None;
        self.started = now;
        self.gaps = 0;
        self.skipped = 0;
    }

    /// Show the raw logs of `project/logstore` ±`minutes` around
    /// `center_ms` instead of the live tail (whose messages are dropped
    /// from now on): returns the id the window's answer must carry. Paused
    /// until `F`.
    pub fn begin_window(
        &mut self,
        project: &str,
        logstore: &str,
        center_ms: i64,
        minutes: i64,
    ) -> u64 {
        self.begin_source(project, logstore, self.now);
        self.window = Some(window::RawWindow {
            center_ms,
            minutes,
            count: 0,
            after_full: false,
            before_full: false,
        });
        self.follow = false;
        self.cursor = 0;
        self.scroll = 0;
        self.new_while_paused = 0;
        self.id
    }

    /// The window's answer: its lines, the cursor on the first at or after
    /// the moment, in the middle of the view.
    fn on_window(
        &mut self,
        id: u64,
        center_ms: i64,
        result: Result<(Vec<RawLogEntry>, Vec<RawLogEntry>), String>,
    ) {
        let Some(minutes) = self.window.as_ref().map(|w| w.minutes) else {
            return;
        };
        if id != self.id {
            return;
        }
        let (before, after) = match result {
            Ok(halves) => halves,
            Err(message) => {
                self.conn = ConnState::Failed(message);
                return;
            }
        };
        let (shown, lines) = window::assemble(center_ms, minutes, before, after);
        for line in lines {
            self.buffer.push(line);
        }
        self.window = Some(shown);
        self.conn = ConnState::Live;
        self.last_ok = Some(self.now);
        let n = self.buffer.shown_len();
        let idx = (0..n)
            .position(|i| {
                self.buffer
                    .shown(i)
                    .and_then(|l| l.time)
                    .is_some_and(|t| t.timestamp_millis() >= center_ms)
            })
            .unwrap_or(n.saturating_sub(1));
        self.cursor = n.saturating_sub(1).saturating_sub(idx);
        self.scroll = self.cursor.saturating_sub(usize::from(self.height) / 2);
        self.clamp();
    }

    /// Forget the logstore shown, so the next start is a fresh live tail.
    pub fn forget_source(&mut self) {
        self.source = None;
        self.window = None;
    }

    /// The raw-logs window shown instead of the live tail, if any.
    pub fn window(&self) -> Option<&window::RawWindow> {
        self.window.as_ref()
    }

    /// The tailed logstore's column names, for the lines to come.
    pub fn set_names(&mut self, names: crate::tui::fields::FieldNames) {
        self.buffer.set_names(names);
    }

    pub fn id(&self) -> u64 {
        self.id
    }

    /// Take one message of the polling task.
    pub fn on_tail_msg(&mut self, msg: TailMsg, now: Instant, now_ms: i64) {
        match msg.event {
            TailEvent::Entries(entries) => self.on_tail_entries(msg.id, entries, now, now_ms),
            TailEvent::Retrying {
                message,
                attempt,
                retry_in,
            } => self.on_tail_error(msg.id, message, attempt, retry_in, now),
            TailEvent::Failed(message) => self.on_tail_failed(msg.id, message),
            TailEvent::Gaps(gaps) => self.on_tail_gaps(msg.id, &gaps, now_ms),
            TailEvent::Malformed(n) => {
                if msg.id == self.id {
                    self.skipped += n;
                }
            }
            TailEvent::Window { center_ms, result } => self.on_window(msg.id, center_ms, result),
        }
    }

    /// What the tail cannot vouch for becomes a line of its own, in place,
    /// so it is read where the missing lines would be.
    pub fn on_tail_gaps(&mut self, id: u64, gaps: &[Gap], now_ms: i64) {
        if id != self.id {
            return;
        }
        for gap in gaps {
            self.gaps += 1;
            let entry = RawLogEntry {
                timestamp: crate::client::tail::iso_ms(now_ms),
                level: GAP_LEVEL.to_string(),
                data: serde_json::json!({ "message": format!("── gap: {gap} ──") }),
            };
            if self.buffer.push(entry) && !self.follow {
                self.scroll += 1;
                self.cursor += 1;
                self.new_while_paused += 1;
            }
        }
        self.clamp();
    }

    /// Gaps reported since the tail started.
    pub fn gaps(&self) -> usize {
        self.gaps
    }

    /// Records skipped since the tail started (no valid timestamp).
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// New records, oldest first.
    pub fn on_tail_entries(
        &mut self,
        id: u64,
        entries: Vec<RawLogEntry>,
        now: Instant,
        now_ms: i64,
    ) {
        if id != self.id {
            return;
        }
        self.conn = ConnState::Live;
        self.last_ok = Some(now);
        self.now = now;
        self.now_ms = now_ms;
        let mut shown = 0;
        for entry in entries {
            if self.buffer.push(entry) {
                shown += 1;
            }
            if let Some(t) = self.buffer.last().and_then(|l| l.time) {
                self.rate.record(t.timestamp_millis(), now_ms);
            }
        }
        if !self.follow {
            // Keep the paused view where it is: the new lines are below it.
            self.scroll += shown;
            self.cursor += shown;
            self.new_while_paused += shown;
        }
        self.clamp();
    }

    /// A poll failed; the task retries after `retry_in`.
    pub fn on_tail_error(
        &mut self,
        id: u64,
        message: String,
        attempt: u32,
        retry_in: Duration,
        now: Instant,
    ) {
        if id == self.id {
            self.conn = ConnState::Retrying {
                at: now + retry_in,
                attempt,
                message,
            };
        }
    }

    /// The task stopped for good.
    pub fn on_tail_failed(&mut self, id: u64, message: String) {
        if id == self.id {
            self.conn = ConnState::Failed(message);
        }
    }

    /// The clock moved (relative times, retry countdown, liveness, rate).
    pub fn tick(&mut self, now: Instant, now_ms: i64) {
        self.now = now;
        self.now_ms = now_ms;
        self.rate.expire(now_ms);
    }

    pub fn set_viewport(&mut self, width: u16, height: u16) {
        self.width = width;
        self.height = height;
        self.clamp();
    }

    /// True while the pane takes every key (typing a filter): the host should
    /// not treat `q` or Tab as its own then.
    pub fn captures_input(&self) -> bool {
        self.editing.is_some()
    }

    /// A key under the built-in keymap (the tests).
    #[cfg(any(test, feature = "internals"))]
    pub fn handle_key(&mut self, key: KeyEvent) -> TailOutcome {
        self.handle_key_with(Keymap::builtin(), key)
    }

    /// A key, through the `[tail]` table of `keymap`; while a filter is
    /// typed every key edits it.
    pub fn handle_key_with(&mut self, keymap: &Keymap, key: KeyEvent) -> TailOutcome {
        if key.kind == KeyEventKind::Release {
            return TailOutcome::Ignored;
        }
        if self.editing.is_some() {
            return self.edit_filter(key);
        }
        match keymap.lookup_in(Context::Tail, &key) {
            Some(cmd) => self.command(cmd),
            None => TailOutcome::Ignored,
        }
    }

    pub fn command(&mut self, cmd: Command) -> TailOutcome {
        let page = usize::from(self.height.max(2) - 1);
        // A window is not fed by the live tail: following means going live.
        if self.window.is_some()
            && matches!(
                cmd,
                Command::Follow | Command::Last | Command::PauseFollow | Command::ClearBuffer
            )
        {
            return TailOutcome::GoLive;
        }
        match cmd {
            Command::Up => self.move_up(1),
            Command::Down => self.move_down(1),
            Command::PageUp => self.move_up(page),
            Command::PageDown => self.move_down(page),
            Command::First => self.move_up(usize::MAX / 2),
            Command::Follow | Command::Last => self.resume(),
            Command::PauseFollow => {
                if self.follow {
                    self.pause();
                } else {
                    self.resume();
                }
            }
            Command::Filter => {
                self.editing = Some(self.buffer.filter().text.clone());
            }
            Command::LevelFilter => {
                let mut f = self.buffer.filter().clone();
                f.level = f.level.next();
                self.apply_filter(f);
            }
            Command::InvertFilter => {
                let mut f = self.buffer.filter().clone();
                f.inverse = !f.inverse;
                self.apply_filter(f);
            }
            Command::TimeMode => self.time_mode = self.time_mode.next(),
            Command::ClearBuffer => {
                self.buffer.clear();
                self.resume();
            }
            Command::OpenDetail => {
                return match self.selected() {
                    Some(line) => TailOutcome::OpenJson {
                        title: format!("log {}", line.raw_time),
                        value: line.data.clone(),
                    },
                    None => TailOutcome::Handled,
                }
            }
            Command::CopyJson => {
                return match self.selected() {
                    Some(line) => TailOutcome::Copy {
                        text: line.data.to_string(),
                        what: "log line JSON".into(),
                    },
                    None => TailOutcome::Handled,
                }
            }
            Command::RawAround => {
                return TailOutcome::RawAround(
                    self.selected()
                        .and_then(|l| l.time)
                        .map(|t| t.timestamp_millis()),
                )
            }
            Command::Pivot => {
                return match self.selected() {
                    Some(line) => TailOutcome::PivotOn(line.data.clone()),
                    None => TailOutcome::Handled,
                }
            }
            Command::WindowWider | Command::WindowNarrower => {
                return TailOutcome::WindowSpan(cmd == Command::WindowWider)
            }
            // Without a filter the key is the host's (Esc cancels a query).
            Command::ClearFilter if self.buffer.filter().is_active() => {
                self.apply_filter(Filter::default());
            }
            _ => return TailOutcome::Ignored,
        }
        TailOutcome::Handled
    }

    fn edit_filter(&mut self, key: KeyEvent) -> TailOutcome {
        let mut f = self.buffer.filter().clone();
        let mut text = f.text.clone();
        match key.code {
            KeyCode::Enter => {
                self.editing = None;
                return TailOutcome::Handled;
            }
            KeyCode::Esc => {
                text = self.editing.take().unwrap_or_default();
            }
            KeyCode::Backspace => {
                text.pop();
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => text.clear(),
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => text.push(c),
            _ => return TailOutcome::Handled,
        }
        f.set_text(&text);
        self.apply_filter(f);
        TailOutcome::Handled
    }

    /// Change the filter, keeping the selected line in view when paused.
    fn apply_filter(&mut self, filter: Filter) {
        let anchor = if self.follow {
            None
        } else {
            self.selected().map(|l| l.seq)
        };
        self.buffer.set_filter(filter);
        self.new_while_paused = 0;
        match anchor {
            Some(seq) => {
                let n = self.buffer.shown_len();
                let idx = self.buffer.shown_position(seq).min(n.saturating_sub(1));
                self.cursor = n.saturating_sub(1).saturating_sub(idx);
                self.scroll = self.cursor.saturating_sub(usize::from(self.height) / 2);
            }
            None => {
                self.cursor = 0;
                self.scroll = 0;
            }
        }
        self.clamp();
    }

    fn pause(&mut self) {
        if self.follow {
            self.follow = false;
            self.new_while_paused = 0;
            self.cursor = self.scroll;
        }
    }

    fn resume(&mut self) {
        self.follow = true;
        self.scroll = 0;
        self.cursor = 0;
        self.new_while_paused = 0;
    }

    fn move_up(&mut self, n: usize) {
        self.pause();
        self.cursor = self.cursor.saturating_add(n);
        self.clamp();
    }

    fn move_down(&mut self, n: usize) {
        if self.follow {
            return;
        }
        self.cursor = self.cursor.saturating_sub(n);
        self.clamp();
    }

    /// Keep cursor and view inside the shown lines, the cursor in the view.
    fn clamp(&mut self) {
        let len = self.buffer.shown_len();
        let height = usize::from(self.height.max(1));
        if self.follow {
            self.scroll = 0;
            self.cursor = 0;
            return;
        }
        self.cursor = self.cursor.min(len.saturating_sub(1));
        if self.cursor < self.scroll {
            self.scroll = self.cursor;
        } else if self.cursor >= self.scroll + height {
            self.scroll = self.cursor + 1 - height;
        }
        self.scroll = self.scroll.min(len.saturating_sub(height));
    }

    /// The line Enter opens: the cursor's while paused, else the newest shown.
    pub fn selected(&self) -> Option<&TailLine> {
        let len = self.buffer.shown_len();
        let idx = len.checked_sub(1)?.checked_sub(self.cursor)?;
        self.buffer.shown(idx)
    }

    /// Shown lines in the view, oldest first, with whether each is the cursor.
    pub fn visible_lines(&self) -> impl Iterator<Item = (&TailLine, bool)> {
        let len = self.buffer.shown_len();
        let height = usize::from(self.height);
        let end = len.saturating_sub(self.scroll);
        let start = end.saturating_sub(height);
        let cursor_idx = len.checked_sub(1 + self.cursor);
        let follow = self.follow;
        (start..end).filter_map(move |i| {
            self.buffer
                .shown(i)
                .map(|l| (l, !follow && Some(i) == cursor_idx))
        })
    }

    /// How long no poll succeeded, when that is longer than `STALL_AFTER`.
    pub fn stalled_for(&self) -> Option<Duration> {
        if self.window.is_some() {
            return None; // nothing is polled
        }
        let since = self.last_ok.unwrap_or(self.started);
        let quiet = self.now.saturating_duration_since(since);
        (quiet > STALL_AFTER && !matches!(self.conn, ConnState::Failed(_))).then_some(quiet)
    }

    // Read access for rendering and tests.
    pub fn buffer(&self) -> &TailBuffer {
        &self.buffer
    }
    pub fn source(&self) -> Option<(&str, &str)> {
        self.source.as_ref().map(|(p, l)| (p.as_str(), l.as_str()))
    }
    pub fn is_following(&self) -> bool {
        self.follow
    }
    pub fn new_while_paused(&self) -> usize {
        self.new_while_paused
    }
    pub fn conn(&self) -> &ConnState {
        &self.conn
    }
    pub fn time_mode(&self) -> TimeMode {
        self.time_mode
    }
    pub fn filter(&self) -> &Filter {
        self.buffer.filter()
    }
    pub fn is_editing_filter(&self) -> bool {
        self.editing.is_some()
    }
    pub fn rate(&self) -> &RateMeter {
        &self.rate
    }
    pub fn now(&self) -> Instant {
        self.now
    }
    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }
}

#[cfg(test)]
mod tests;
