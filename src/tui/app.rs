//! The whole explorer state as one plain struct. `update` changes it,
//! `render` only reads it; tests build one with `App::new` and drive it.

use std::path::PathBuf;
use std::time::Instant;

use crate::tui::action::RequestId;
use crate::tui::chart::ChartState;
use crate::tui::detail::DetailState;
use crate::tui::editor::EditorState;
use crate::tui::grid::GridState;
use crate::tui::keymap::{Context, Keymap};
use crate::tui::tail::TailState;
use crate::tui::theme::Theme;
use crate::tui::tree::TreeState;

/// Which pane has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Tree,
    Editor,
    /// The lower middle pane: grid, tail or chart (see `Bottom`).
    Results,
    Detail,
}

impl Focus {
    pub const ORDER: [Focus; 4] = [Focus::Tree, Focus::Editor, Focus::Results, Focus::Detail];
}

/// What the lower middle pane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bottom {
    Grid,
    Tail,
    Chart,
}

/// The logstore the editor, tail and send form work on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub project: String,
    pub logstore: String,
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.project, self.logstore)
    }
}

/// Where the explorer is connected, for the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionInfo {
    /// "local" for the embedded server, else the host.
    pub place: String,
    pub profile: Option<String>,
    pub embedded: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ConnState {
    Connecting,
    Connected,
    /// Last request failed for a network reason; retrying at tick `retry_at`.
    Failing {
        message: String,
        retry_at: u64,
    },
    /// The server refused us for a reason waiting cannot fix (a wrong
    /// token, a wrong URL); the message says what to do.
    Refused(String),
    /// Several attempts in a row failed (the live tail keeps trying).
    Down {
        message: String,
        retry_at: u64,
    },
}

/// Failed attempts in a row after which the connection shows as down.
pub const DOWN_AFTER_ATTEMPTS: u32 = 3;

/// Pane sizes the user can change.
#[derive(Debug, Clone, PartialEq)]
pub struct LayoutState {
    pub zoomed: bool,
    pub tree_width: u16,
    pub detail_width: u16,
    pub editor_height: u16,
    /// The detail pane's share of the width (per mille) the user chose with
    /// `<`/`>`; None: the built-in size (see `ui::layout`).
    pub detail_share: Option<u16>,
}

impl Default for LayoutState {
    fn default() -> Self {
        Self {
            zoomed: false,
            tree_width: 22,
            detail_width: 30,
            editor_height: 8,
            detail_share: None,
        }
    }
}

/// A running query.
#[derive(Debug, Clone)]
pub struct RunningQuery {
    pub id: RequestId,
    pub started: Instant,
    pub sql: String,
    pub scope: Scope,
    pub kind: RunKind,
}

/// Why a query runs, which decides what its answer does to the grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    /// Run by the user (F5, a drill-down): a new result; the one it
    /// replaces can be gone back to.
    User,
    /// A watch refresh: the rows are replaced in place, keeping the
    /// selection, scroll, sort and filter.
    Refresh,
}

/// A result the grid showed before the current one, to go back to.
#[derive(Debug, Clone)]
pub struct PastResult {
    pub sql: String,
    pub scope: Scope,
    pub result: std::sync::Arc<crate::client::QueryResult>,
    pub run: crate::tui::grid::RunInfo,
}

/// Results kept to go back to (each is shared, not copied, but a large
/// one is still held in memory while it is here).
pub const MAX_PAST_RESULTS: usize = 10;

#[derive(Debug, Clone, Default)]
pub struct QueryState {
    pub running: Option<RunningQuery>,
    /// The server's message for the last failed run, shown under the editor.
    pub error: Option<String>,
}

/// What a picker popup chooses between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickerKind {
    Snippets,
    Export,
    TimeRange,
    /// A tail line's column values, to pivot on one.
    TailPivot,
}

/// A small list popup (snippets, export format, time range; F2 history
/// has its own, searchable: `history_view`).
#[derive(Debug, Clone, PartialEq)]
pub struct Picker {
    pub kind: PickerKind,
    pub title: String,
    /// (label, value).
    pub items: Vec<(String, String)>,
    pub selected: usize,
}

/// The export's file, shown for editing before anything is written.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportPrompt {
    pub format: crate::tui::grid::export::ExportFormat,
    /// The path as typed; relative paths are under `App::export_dir`.
    pub path: crate::tui::send_form::Input,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeLevel {
    Info,
    Warning,
    Error,
}

/// A one-line message in the status bar, gone after a few seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub text: String,
    pub level: NoticeLevel,
    pub until_tick: u64,
}

/// Ids of the newest request of each kind; answers with other ids are stale.
#[derive(Debug, Clone, Default)]
pub struct Pending {
    pub last_id: RequestId,
    pub projects: Option<RequestId>,
    pub logstores: Vec<(String, RequestId)>,
}

impl Pending {
    pub fn next_id(&mut self) -> RequestId {
        self.last_id += 1;
        self.last_id
    }
}

/// Ticks per second of the event loop's clock.
pub const TICKS_PER_SECOND: u64 = 4;

#[derive(Debug)]
pub struct App {
    pub connection: ConnectionInfo,
    pub conn_state: ConnState,
    pub keymap: Keymap,
    pub theme: Theme,
    pub focus: Focus,
    pub bottom: Bottom,
    pub layout: LayoutState,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    pub tree: TreeState,
    pub scope: Option<Scope>,
    /// The logstore the grid's rows came from (payloads are fetched there).
    pub result_scope: Option<Scope>,
    pub editor: EditorState,
    pub query: QueryState,
    pub grid: GridState,
    /// The panes helper's components, hosted here.
    pub detail: DetailState,
    pub tail: TailState,
    /// The chart of the grid's result (built when the chart view opens or a
    /// new result arrives while it is open).
    pub chart: Option<ChartState>,
    /// The one open popup (help, a prompt, a picker, the send form…), if
    /// any; it takes every key. The tests read it with `app.picker()` and
    /// the like.
    pub popup: Option<crate::tui::pane::Popup>,
    /// The id of the send form's send in flight.
    pub send_id: Option<RequestId>,
    /// Starter queries from the user's folder (read at start), after the
    /// built-in ones in F3.
    pub user_snippets: Vec<(String, String)>,
    pub notice: Option<Notice>,
    pub pending: Pending,
    pub mouse_capture: bool,
    pub tick: u64,
    pub should_quit: bool,
    /// A first quit key was pressed while the editor held a query that never
    /// ran: a second one before this tick quits.
    pub quit_asked_until: Option<u64>,
    /// Root of the per-profile history files; None keeps history in memory.
    pub history_dir: Option<PathBuf>,
    /// Where exports are written.
    pub export_dir: PathBuf,
    /// Kept on the status bar for the whole session (the token goes over
    /// plain http, the file holding it is readable by others).
    pub connection_warnings: Vec<String>,
    /// Names of positional columns per logstore (explorer.toml `[fields]`).
    pub fields: crate::tui::fields::FieldsConfig,
    /// Where names given in the explorer are saved; None keeps them in memory.
    pub fields_path: Option<PathBuf>,
    /// Earlier results, newest last (the back key returns to them).
    pub past: Vec<PastResult>,
    /// Re-running the grid's query every few seconds.
    pub watch: crate::tui::watch::WatchState,
    /// The time range chosen per logstore (`project/logstore`).
    pub time_ranges: std::collections::BTreeMap<String, crate::tui::timerange::TimeRange>,
    /// Result tabs; the shown one's state is in the fields above.
    pub tabs: crate::tui::tabs::Tabs,
    /// Where the editor and tabs are kept between runs; None keeps nothing.
    pub session_path: Option<PathBuf>,
    /// The scoped logstore's saved queries (F3).
    pub saved: crate::tui::saved::SavedQueries,
    /// Minutes on each side of a raw-logs window (`a`): the span last
    /// chosen with `+`/`-`, at first `raw_window_minutes` of explorer.toml.
    pub raw_window_minutes: i64,
    /// Where the chosen pane sizes are kept; None keeps them in memory.
    pub layout_path: Option<PathBuf>,
    /// The sizes the layout file holds (or is being written with).
    pub layout_kept: crate::tui::layout_store::SavedLayout,
    /// The tick at which changed sizes are written (a burst of `<`/`>`
    /// is one write).
    pub layout_write_at: Option<u64>,
}

impl App {
    pub fn new(connection: ConnectionInfo, keymap: Keymap, theme: Theme) -> Self {
        Self {
            connection,
            conn_state: ConnState::Connecting,
            keymap,
            theme,
            focus: Focus::Tree,
            bottom: Bottom::Grid,
            layout: LayoutState::default(),
            size: (80, 24),
            tree: TreeState::default(),
            scope: None,
            result_scope: None,
            editor: EditorState::new(),
            query: QueryState::default(),
            grid: GridState::default(),
            detail: DetailState::default(),
            tail: TailState::default(),
            chart: None,
            popup: None,
            send_id: None,
            user_snippets: Vec::new(),
            notice: None,
            pending: Pending::default(),
            mouse_capture: true,
            tick: 0,
            should_quit: false,
            quit_asked_until: None,
            history_dir: None,
            export_dir: PathBuf::from("."),
            connection_warnings: Vec::new(),
            fields: Default::default(),
            fields_path: None,
            past: Vec::new(),
            watch: Default::default(),
            time_ranges: Default::default(),
            tabs: Default::default(),
            session_path: None,
            saved: Default::default(),
            raw_window_minutes: crate::tui::tail::window::AROUND_MINUTES,
            layout_path: None,
            layout_kept: Default::default(),
            layout_write_at: None,
        }
    }

    /// The key table for the focused pane.
    pub fn key_context(&self) -> Context {
        if self.help().is_some() {
            return Context::Help;
        }
        match self.focus {
            Focus::Tree => Context::Tree,
            Focus::Editor => Context::Editor,
            Focus::Results => match self.bottom {
                Bottom::Tail => Context::Tail,
                Bottom::Chart => Context::Chart,
                Bottom::Grid => Context::Grid,
            },
            Focus::Detail => Context::Detail,
        }
    }

    pub fn notify(&mut self, level: NoticeLevel, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            level,
            until_tick: self.tick + 5 * TICKS_PER_SECOND,
        });
    }

    /// The column names of a logstore under the current profile.
    pub fn names_for(&self, scope: Option<&Scope>) -> &crate::tui::fields::FieldNames {
        let profile = self.profile_name();
        match scope {
            Some(s) => self.fields.names(&profile, &s.project, &s.logstore),
            None => self.fields.names("", "", ""),
        }
    }

    /// The names for the grid's rows (the logstore they came from).
    pub fn result_names(&self) -> &crate::tui::fields::FieldNames {
        self.names_for(self.result_scope.as_ref())
    }

    /// The time range of the scoped logstore (all time until one is chosen).
    pub fn time_range(&self) -> crate::tui::timerange::TimeRange {
        self.scope
            .as_ref()
            .and_then(|s| self.time_ranges.get(&s.to_string()))
            .cloned()
            .unwrap_or_default()
    }

    /// A watch waits while the user edits the query it would replace.
    pub fn watch_paused(&self) -> bool {
        self.focus == Focus::Editor
    }

    /// The profile name history is kept under.
    pub fn profile_name(&self) -> String {
        match (&self.connection.profile, self.connection.embedded) {
            (Some(p), _) => p.clone(),
            (None, true) => "local".into(),
            (None, false) => self.connection.place.clone(),
        }
    }
}
