//! Keys as data: the defaults are the embedded `assets/keymap.toml`; a user
//! file with the same tables overrides only the keys it names. The help
//! screen and the footer are generated from the merged table, so what is
//! shown is what is bound.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.toml");

/// Where a binding applies. Lookup goes pane table → `normal` (outside the
/// editor) → `global`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Context {
    Global,
    Normal,
    Tree,
    Editor,
    Grid,
    Detail,
    Tail,
    Chart,
    SendForm,
    Help,
}

impl Context {
    pub const ALL: [Context; 10] = [
        Context::Global,
        Context::Normal,
        Context::Tree,
        Context::Editor,
        Context::Grid,
        Context::Detail,
        Context::Tail,
        Context::Chart,
        Context::SendForm,
        Context::Help,
    ];
    pub fn table_name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Normal => "normal",
            Context::Tree => "tree",
            Context::Editor => "editor",
            Context::Grid => "grid",
            Context::Detail => "detail",
            Context::Tail => "tail",
            Context::Chart => "chart",
            Context::SendForm => "send_form",
            Context::Help => "help",
        }
    }
    fn from_table_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.table_name() == name)
    }
}

/// Everything a key can ask for. Pane-specific commands (up, down, …) mean
/// the obvious thing in the pane whose table binds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    Quit,
    Help,
    Close,
    FocusNext,
    FocusPrev,
    FocusTree,
    FocusEditor,
    FocusGrid,
    FocusDetail,
    RunQuery,
    Cancel,
    Zoom,
    ShrinkPane,
    GrowPane,
    ToggleMouse,
    ToggleTail,
    ToggleChart,
    SendForm,
    History,
    Snippets,
    HistoryPrev,
    HistoryNext,
    Complete,
    CompleteOrNext,
    ClearEditor,
    Undo,
    Redo,
    BufferStart,
    BufferEnd,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    First,
    Last,
    Select,
    Expand,
    Collapse,
    Refresh,
    Filter,
    Sort,
    Widen,
    Narrow,
    CopyCell,
    CopyRow,
    Export,
    OpenDetail,
    DrillIn,
    DrillOut,
    Back,
    Watch,
    WatchInterval,
    Pivot,
    NarrowTime,
    SearchNext,
    SearchPrev,
    NameField,
    TimeRange,
    // Detail pane.
    ToggleFold,
    FoldAll,
    CopyValue,
    CopyPath,
    Refetch,
    ToggleEmpty,
    PathFilter,
    CopyPayload,
    RawAround,
    // Live tail.
    Follow,
    PauseFollow,
    LevelFilter,
    InvertFilter,
    TimeMode,
    ClearBuffer,
    ClearFilter,
    CopyJson,
    WindowWider,
    WindowNarrower,
    // Chart.
    ChartKind,
    NextSeries,
    // Send form.
    Send,
    NextField,
    PrevField,
    ToggleKind,
    // Result tabs.
    TabNew,
    TabNext,
    TabPrev,
    TabClose,
    TabRerun,
    GoTab(u8),
    SaveQuery,
}

/// (config name, command, what help says).
const COMMANDS: &[(&str, Command, &str)] = &[
    ("quit", Command::Quit, "quit"),
    ("help", Command::Help, "help"),
    ("close", Command::Close, "close"),
    ("focus_next", Command::FocusNext, "next pane"),
    ("focus_prev", Command::FocusPrev, "previous pane"),
    ("focus_tree", Command::FocusTree, "go to tree"),
    ("focus_editor", Command::FocusEditor, "go to editor"),
    ("focus_grid", Command::FocusGrid, "go to results"),
    ("focus_detail", Command::FocusDetail, "go to detail"),
    ("run_query", Command::RunQuery, "run query"),
    ("cancel", Command::Cancel, "cancel / close"),
    ("zoom", Command::Zoom, "zoom pane"),
    ("shrink_pane", Command::ShrinkPane, "shrink pane"),
    ("grow_pane", Command::GrowPane, "grow pane"),
    ("toggle_mouse", Command::ToggleMouse, "mouse capture on/off"),
    ("toggle_tail", Command::ToggleTail, "live tail"),
    ("toggle_chart", Command::ToggleChart, "chart"),
    ("send_form", Command::SendForm, "send a log/event"),
    ("history", Command::History, "query history"),
    ("snippets", Command::Snippets, "snippets"),
    ("history_prev", Command::HistoryPrev, "older query"),
    ("history_next", Command::HistoryNext, "newer query"),
    ("complete", Command::Complete, "complete"),
    (
        "complete_or_next",
        Command::CompleteOrNext,
        "complete / next pane",
    ),
    ("clear_editor", Command::ClearEditor, "clear editor"),
    ("undo", Command::Undo, "undo (a word at a time)"),
    ("redo", Command::Redo, "redo"),
    ("buffer_start", Command::BufferStart, "start of the text"),
    ("buffer_end", Command::BufferEnd, "end of the text"),
    ("up", Command::Up, "up"),
    ("down", Command::Down, "down"),
    ("left", Command::Left, "left"),
    ("right", Command::Right, "right"),
    ("page_up", Command::PageUp, "page up"),
    ("page_down", Command::PageDown, "page down"),
    ("first", Command::First, "first"),
    ("last", Command::Last, "last"),
    ("select", Command::Select, "open / choose"),
    ("expand", Command::Expand, "expand"),
    ("collapse", Command::Collapse, "collapse"),
    ("refresh", Command::Refresh, "refresh"),
    ("filter", Command::Filter, "filter"),
    ("sort", Command::Sort, "sort asc/desc/off"),
    ("widen", Command::Widen, "wider column"),
    ("narrow", Command::Narrow, "narrower column"),
    ("copy_cell", Command::CopyCell, "copy cell"),
    ("copy_row", Command::CopyRow, "copy row"),
    ("export", Command::Export, "export rows"),
    ("open_detail", Command::OpenDetail, "show in detail"),
    ("drill_in", Command::DrillIn, "drill in (AND col = value)"),
    (
        "drill_out",
        Command::DrillOut,
        "leave out (AND col != value)",
    ),
    ("back", Command::Back, "back to the previous result"),
    ("watch", Command::Watch, "watch: re-run every N s"),
    ("watch_interval", Command::WatchInterval, "watch interval"),
    ("pivot", Command::Pivot, "every row with this value"),
    (
        "narrow_time",
        Command::NarrowTime,
        "time range: row ±5 min / bucket",
    ),
    ("search_next", Command::SearchNext, "next match"),
    ("search_prev", Command::SearchPrev, "previous match"),
    (
        "name_field",
        Command::NameField,
        "name this blob/double column",
    ),
    (
        "time_range",
        Command::TimeRange,
        "time range (15m … 7d, custom)",
    ),
    ("toggle_fold", Command::ToggleFold, "fold / unfold"),
    ("fold_all", Command::FoldAll, "fold / unfold all"),
    ("copy_value", Command::CopyValue, "copy value"),
    ("copy_path", Command::CopyPath, "copy JSON path"),
    ("refetch", Command::Refetch, "fetch the payload again"),
    (
        "toggle_empty",
        Command::ToggleEmpty,
        "show / hide empty columns",
    ),
    ("follow", Command::Follow, "follow again"),
    ("pause_follow", Command::PauseFollow, "pause / follow"),
    ("level_filter", Command::LevelFilter, "level filter"),
    ("invert_filter", Command::InvertFilter, "invert the filter"),
    (
        "time_mode",
        Command::TimeMode,
        "UTC / local / relative times",
    ),
    ("clear_buffer", Command::ClearBuffer, "clear the buffer"),
    ("clear_filter", Command::ClearFilter, "clear the filter"),
    ("copy_json", Command::CopyJson, "copy as JSON"),
    (
        "window_wider",
        Command::WindowWider,
        "raw logs: a wider span (±1/5/15/60 min)",
    ),
    (
        "window_narrower",
        Command::WindowNarrower,
        "raw logs: a narrower span",
    ),
    ("chart_kind", Command::ChartKind, "line / bar chart"),
    (
        "next_series",
        Command::NextSeries,
        "one series at a time / all",
    ),
    ("send", Command::Send, "send"),
    ("next_field", Command::NextField, "next field"),
    ("prev_field", Command::PrevField, "previous field"),
    ("toggle_kind", Command::ToggleKind, "log / event"),
    (
        "path_filter",
        Command::PathFilter,
        "path filter (.a.b[0]; Esc clears)",
    ),
    (
        "copy_payload",
        Command::CopyPayload,
        "copy the whole payload (pretty JSON)",
    ),
    (
        "raw_around",
        Command::RawAround,
        "raw logs ±5 min around this time",
    ),
    (
        "tab_new",
        Command::TabNew,
        "new result tab (a copy of this one)",
    ),
    ("tab_next", Command::TabNext, "next result tab"),
    ("tab_prev", Command::TabPrev, "previous result tab"),
    ("tab_close", Command::TabClose, "close the result tab"),
    ("tab_rerun", Command::TabRerun, "run the tab's query again"),
    ("tab_1", Command::GoTab(1), "result tab 1"),
    ("tab_2", Command::GoTab(2), "result tab 2"),
    ("tab_3", Command::GoTab(3), "result tab 3"),
    ("tab_4", Command::GoTab(4), "result tab 4"),
    ("tab_5", Command::GoTab(5), "result tab 5"),
    ("tab_6", Command::GoTab(6), "result tab 6"),
    ("tab_7", Command::GoTab(7), "result tab 7"),
    ("tab_8", Command::GoTab(8), "result tab 8"),
    ("tab_9", Command::GoTab(9), "result tab 9"),
    (
        "save_query",
        Command::SaveQuery,
        "save the statement (listed in F3)",
    ),
];

impl Command {
    fn from_name(name: &str) -> Option<Self> {
        COMMANDS
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, c, _)| *c)
    }
    pub fn name(self) -> &'static str {
        COMMANDS
            .iter()
            .find(|(_, c, _)| *c == self)
            .map_or("?", |(n, _, _)| n)
    }
    pub fn description(self) -> &'static str {
        // The help screen shows the nine tab keys as one row.
        if self == Command::GoTab(0) {
            return "result tab 1…9";
        }
        COMMANDS
            .iter()
            .find(|(_, c, _)| *c == self)
            .map_or("?", |(_, _, d)| d)
    }
}

/// A key with its modifiers, normalised so that `?` and `shift-?` are one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Chord {
    pub code: ChordCode,
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChordCode {
    Char(char),
    F(u8),
    Enter,
    Esc,
    Tab,
    BackTab,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    Backspace,
    Delete,
    Space,
}

impl Chord {
    pub fn from_key(key: &KeyEvent) -> Option<Self> {
        let m = key.modifiers;
        let code = match key.code {
            KeyCode::Char(' ') => ChordCode::Space,
            KeyCode::Char(c) => ChordCode::Char(c),
            KeyCode::F(n) => ChordCode::F(n),
            KeyCode::Enter => ChordCode::Enter,
            KeyCode::Esc => ChordCode::Esc,
            KeyCode::Tab => ChordCode::Tab,
            KeyCode::BackTab => ChordCode::BackTab,
            KeyCode::Up => ChordCode::Up,
            KeyCode::Down => ChordCode::Down,
            KeyCode::Left => ChordCode::Left,
            KeyCode::Right => ChordCode::Right,
            KeyCode::Home => ChordCode::Home,
            KeyCode::End => ChordCode::End,
            KeyCode::PageUp => ChordCode::PageUp,
            KeyCode::PageDown => ChordCode::PageDown,
            KeyCode::Backspace => ChordCode::Backspace,
            KeyCode::Delete => ChordCode::Delete,
            _ => return None,
        };
        // Shift is part of the character itself ('G', '?'); keeping it would
        // make "G" unmatchable on terminals that report SHIFT with it.
        let shift = m.contains(KeyModifiers::SHIFT)
            && !matches!(code, ChordCode::Char(_) | ChordCode::BackTab);
        Some(Chord {
            code,
            ctrl: m.contains(KeyModifiers::CONTROL),
            alt: m.contains(KeyModifiers::ALT),
            shift,
        })
    }

    pub fn parse(s: &str) -> Result<Self, KeymapError> {
        let bad = || KeymapError::BadKey(s.to_string());
        let mut rest = s;
        let (mut ctrl, mut alt, mut shift) = (false, false, false);
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.len() > 1 && lower.starts_with("ctrl-") {
                ctrl = true;
                rest = &rest[5..];
            } else if rest.len() > 1 && lower.starts_with("alt-") {
                alt = true;
                rest = &rest[4..];
            } else if rest.len() > 1 && lower.starts_with("shift-") {
                shift = true;
                rest = &rest[6..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => ChordCode::Char(c),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => ChordCode::Enter,
                "esc" | "escape" => ChordCode::Esc,
                "tab" => ChordCode::Tab,
                "backtab" => ChordCode::BackTab,
                "up" => ChordCode::Up,
                "down" => ChordCode::Down,
                "left" => ChordCode::Left,
                "right" => ChordCode::Right,
                "home" => ChordCode::Home,
                "end" => ChordCode::End,
                "pageup" | "pgup" => ChordCode::PageUp,
                "pagedown" | "pgdn" => ChordCode::PageDown,
                "backspace" => ChordCode::Backspace,
                "delete" | "del" => ChordCode::Delete,
                "space" => ChordCode::Space,
                f if f.starts_with('f') => {
                    let n: u8 = f[1..].parse().map_err(|_| bad())?;
                    if !(1..=12).contains(&n) {
                        return Err(bad());
                    }
                    ChordCode::F(n)
                }
                _ => return Err(bad()),
            },
        };
        if shift && code == ChordCode::Tab {
            return Ok(Chord {
                code: ChordCode::BackTab,
                ctrl,
                alt,
                shift: false,
            });
        }
        let shift = shift && !matches!(code, ChordCode::Char(_));
        Ok(Chord {
            code,
            ctrl,
            alt,
            shift,
        })
    }
}

impl fmt::Display for Chord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        if self.shift {
            f.write_str("Shift-")?;
        }
        match self.code {
            ChordCode::Char(c) => write!(f, "{c}"),
            ChordCode::F(n) => write!(f, "F{n}"),
            ChordCode::Enter => f.write_str("Enter"),
            ChordCode::Esc => f.write_str("Esc"),
            ChordCode::Tab => f.write_str("Tab"),
            ChordCode::BackTab => f.write_str("Shift-Tab"),
            ChordCode::Up => f.write_str("↑"),
            ChordCode::Down => f.write_str("↓"),
            ChordCode::Left => f.write_str("←"),
            ChordCode::Right => f.write_str("→"),
            ChordCode::Home => f.write_str("Home"),
            ChordCode::End => f.write_str("End"),
            ChordCode::PageUp => f.write_str("PgUp"),
            ChordCode::PageDown => f.write_str("PgDn"),
            ChordCode::Backspace => f.write_str("Backspace"),
            ChordCode::Delete => f.write_str("Del"),
            ChordCode::Space => f.write_str("Space"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeymapError {
    #[error("keymap: not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("keymap: unknown table [{name}]{} (known: global, normal, tree, editor, grid, detail, tail, chart, send_form, help)", did_you_mean(suggestion))]
    UnknownTable {
        name: String,
        suggestion: Option<&'static str>,
    },
    #[error("keymap: unknown key name {0:?}")]
    BadKey(String),
    #[error(
        "keymap: [{table}] {key:?} = {command:?}: unknown command{}",
        did_you_mean(suggestion)
    )]
    UnknownCommand {
        table: String,
        key: String,
        command: String,
        suggestion: Option<&'static str>,
    },
    /// Every problem of the file, not only the first.
    #[error("keymap: {} problems:{}", .0.len(), problem_list(.0))]
    Several(Vec<KeymapError>),
    #[error("keymap: [{table}] {key:?} must be a command name in quotes")]
    NotAString { table: String, key: String },
    #[error("keymap: cannot read {path}: {message}")]
    Read { path: String, message: String },
}

fn did_you_mean(suggestion: &Option<&'static str>) -> String {
    suggestion.map_or_else(String::new, |s| format!(" (did you mean {s:?}?)"))
}

fn problem_list(problems: &[KeymapError]) -> String {
    problems
        .iter()
        .map(|p| {
            let text = p.to_string();
            format!("\n  - {}", text.strip_prefix("keymap: ").unwrap_or(&text))
        })
        .collect()
}

/// The known name closest to a misspelt one, when it is close enough to be
/// what was meant.
fn closest(name: &str, known: impl IntoIterator<Item = &'static str>) -> Option<&'static str> {
    known
        .into_iter()
        .map(|k| (strsim::levenshtein(name, k), k))
        .filter(|(d, k)| *d <= (k.len() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// The merged key table.
#[derive(Debug, Clone)]
pub struct Keymap {
    tables: BTreeMap<Context, BTreeMap<Chord, Command>>,
}

impl Keymap {
    /// The embedded defaults.
    pub fn defaults() -> Self {
        let mut km = Keymap {
            tables: BTreeMap::new(),
        };
        // The embedded file is tested; a failure here would be a build bug,
        // and an empty keymap still leaves Ctrl-C (handled before lookup).
        if let Err(e) = km.apply_toml(DEFAULT_KEYMAP) {
            tracing::error!("embedded keymap: {e}");
        }
        km
    }

    /// The embedded defaults, parsed once; panes use them when the host
    /// does not hand over its own (merged) keymap.
    pub fn builtin() -> &'static Keymap {
        static BUILTIN: std::sync::OnceLock<Keymap> = std::sync::OnceLock::new();
        BUILTIN.get_or_init(Keymap::defaults)
    }

    /// Defaults overridden by the user file when it exists.
    pub fn load(user_file: Option<&Path>) -> Result<Self, KeymapError> {
        let mut km = Self::defaults();
        if let Some(path) = user_file {
            match std::fs::read_to_string(path) {
                Ok(text) => km.apply_toml(&text)?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(KeymapError::Read {
                        path: path.display().to_string(),
                        message: e.to_string(),
                    })
                }
            }
        }
        Ok(km)
    }

    /// Apply a TOML text on top of what is there; all-or-nothing. Every
    /// bad entry is reported, not only the first.
    pub fn apply_toml(&mut self, text: &str) -> Result<(), KeymapError> {
        let doc: toml::Table = text.parse()?;
        let mut staged = self.tables.clone();
        let mut problems = Vec::new();
        for (table, entries) in doc {
            let (Some(ctx), toml::Value::Table(entries)) =
                (Context::from_table_name(&table), entries)
            else {
                problems.push(KeymapError::UnknownTable {
                    suggestion: closest(&table, Context::ALL.map(Context::table_name)),
                    name: table,
                });
                continue;
            };
            let slot = staged.entry(ctx).or_default();
            for (key, value) in entries {
                let chord = match Chord::parse(&key) {
                    Ok(chord) => chord,
                    Err(e) => {
                        problems.push(e);
                        continue;
                    }
                };
                let toml::Value::String(name) = value else {
                    problems.push(KeymapError::NotAString {
                        table: table.clone(),
                        key,
                    });
                    continue;
                };
                if name == "none" {
                    slot.remove(&chord);
                    continue;
                }
                match Command::from_name(&name) {
                    Some(cmd) => {
                        slot.insert(chord, cmd);
                    }
                    None => problems.push(KeymapError::UnknownCommand {
                        table: table.clone(),
                        key: key.clone(),
                        suggestion: closest(&name, COMMANDS.iter().map(|(n, _, _)| *n)),
                        command: name,
                    }),
                }
            }
        }
        match problems.len() {
            0 => {
                self.tables = staged;
                Ok(())
            }
            1 => Err(problems.remove(0)),
            _ => Err(KeymapError::Several(problems)),
        }
    }

    /// The command for a key in a pane, falling back to `normal` (when the
    /// pane is not a text input) and `global`.
    pub fn lookup(&self, pane: Context, key: &KeyEvent) -> Option<Command> {
        let chord = Chord::from_key(key)?;
        let mut chain = vec![pane];
        if !matches!(
            pane,
            Context::Editor | Context::Global | Context::Normal | Context::SendForm
        ) {
            chain.push(Context::Normal);
        }
        chain.push(Context::Global);
        chain
            .into_iter()
            .find_map(|ctx| self.tables.get(&ctx)?.get(&chord).copied())
    }

    /// Only the pane's own table (no fallback).
    pub fn lookup_in(&self, ctx: Context, key: &KeyEvent) -> Option<Command> {
        let chord = Chord::from_key(key)?;
        self.tables.get(&ctx)?.get(&chord).copied()
    }

    /// Bindings of one table, grouped by command in a stable order.
    pub fn bindings(&self, ctx: Context) -> Vec<(Command, Vec<Chord>)> {
        let mut out: Vec<(Command, Vec<Chord>)> = Vec::new();
        if let Some(table) = self.tables.get(&ctx) {
            for (chord, cmd) in table {
                match out.iter_mut().find(|(c, _)| c == cmd) {
                    Some((_, chords)) => chords.push(*chord),
                    None => out.push((*cmd, vec![*chord])),
                }
            }
        }
        let order = |c: &Command| COMMANDS.iter().position(|(_, x, _)| x == c);
        out.sort_by_key(|(c, _)| order(c));
        out
    }

    /// "key label · key label" for a pane's own hint line: each command's
    /// first key in `ctx` with a short label; unbound commands are left out,
    /// so a remapped key shows as remapped.
    pub fn hints(&self, ctx: Context, items: &[(Command, &str)]) -> String {
        self.hints_within(ctx, items, usize::MAX)
    }

    /// As [`Keymap::hints`], keeping only the leading hints that fit in
    /// `width` columns (a hint is dropped whole, never cut).
    pub fn hints_within(&self, ctx: Context, items: &[(Command, &str)], width: usize) -> String {
        let mut out = String::new();
        for (cmd, label) in items {
            let Some(key) = self.hint_key(ctx, *cmd) else {
                continue;
            };
            let hint = format!("{key} {label}");
            let sep = if out.is_empty() { "" } else { " · " };
            if unicode_width::UnicodeWidthStr::width(format!("{out}{sep}{hint}").as_str()) > width {
                break;
            }
            out = format!("{out}{sep}{hint}");
        }
        out
    }

    /// The key a hint shows for a command: "←/→" when both arrows do it
    /// (a choice that goes either way), else [`Keymap::key_for`].
    fn hint_key(&self, ctx: Context, cmd: Command) -> Option<String> {
        let bound = |code| {
            let chord = Chord {
                code,
                ctrl: false,
                alt: false,
                shift: false,
            };
            self.tables.get(&ctx)?.get(&chord).filter(|c| **c == cmd)
        };
        if bound(ChordCode::Left).is_some() && bound(ChordCode::Right).is_some() {
            return Some("←/→".into());
        }
        self.key_for(ctx, cmd).map(|k| k.to_string())
    }

    /// The first key bound to a command in a table, for hints.
    pub fn key_for(&self, ctx: Context, cmd: Command) -> Option<Chord> {
        self.tables
            .get(&ctx)?
            .iter()
            .filter(|(_, c)| **c == cmd)
            .map(|(k, _)| *k)
            // Prefer plain keys over Ctrl-Enter-like chords in hints, and
            // letters over punctuation ("v invert" rather than "! invert").
            .min_by_key(|k| {
                let punctuation = matches!(k.code, ChordCode::Char(c) if !c.is_alphanumeric());
                (
                    k.code == ChordCode::Enter && k.ctrl,
                    k.ctrl || k.alt,
                    punctuation,
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, m)
    }

    #[test]
    fn embedded_defaults_parse() {
        let mut km = Keymap {
            tables: BTreeMap::new(),
        };
        km.apply_toml(DEFAULT_KEYMAP).unwrap();
        assert_eq!(
            km.lookup(Context::Editor, &key(KeyCode::F(5), KeyModifiers::NONE)),
            Some(Command::RunQuery)
        );
    }

    #[test]
    fn q_quits_outside_the_editor_only() {
        let km = Keymap::defaults();
        let q = key(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(km.lookup(Context::Grid, &q), Some(Command::Quit));
        assert_eq!(km.lookup(Context::Editor, &q), None);
    }

    #[test]
    fn user_file_overrides_only_named_keys() {
        let mut km = Keymap::defaults();
        km.apply_toml("[grid]\n\"x\" = \"sort\"\n\"s\" = \"none\"\n")
            .unwrap();
        let none = KeyModifiers::NONE;
        assert_eq!(
            km.lookup(Context::Grid, &key(KeyCode::Char('x'), none)),
            Some(Command::Sort)
        );
        assert_eq!(
            km.lookup(Context::Grid, &key(KeyCode::Char('s'), none)),
            None
        );
        assert_eq!(
            km.lookup(Context::Grid, &key(KeyCode::Char('y'), none)),
            Some(Command::CopyCell)
        );
    }

    #[test]
    fn every_run_query_binding_has_a_non_ctrl_enter_alternative() {
        let km = Keymap::defaults();
        let keys: Vec<_> = km
            .bindings(Context::Global)
            .into_iter()
            .find(|(c, _)| *c == Command::RunQuery)
            .unwrap()
            .1;
        assert!(keys.iter().any(|k| !(k.ctrl && k.code == ChordCode::Enter)));
    }

    #[test]
    fn every_problem_is_listed_with_a_suggestion() {
        let mut km = Keymap::defaults();
        let e = km
            .apply_toml("[grdi]\n\n[grid]\n\"x\" = \"sortt\"\n\"ctrl-foo\" = \"sort\"\n\"y\" = \"exprot\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("keymap: 4 problems:"), "{e}");
        assert!(
            e.contains("unknown table [grdi] (did you mean \"grid\"?)"),
            "{e}"
        );
        assert!(
            e.contains("\"sortt\": unknown command (did you mean \"sort\"?)"),
            "{e}"
        );
        assert!(
            e.contains("\"exprot\": unknown command (did you mean \"export\"?)"),
            "{e}"
        );
        assert!(e.contains("unknown key name \"ctrl-foo\""), "{e}");
        // Nothing of a bad file is applied.
        assert_eq!(
            km.lookup_in(Context::Grid, &KeyEvent::from(KeyCode::Char('x'))),
            None
        );
        let e = km
            .apply_toml("[grid]\n\"x\" = \"fly_to_the_moon\"")
            .unwrap_err()
            .to_string();
        assert!(!e.contains("did you mean"), "{e}");
    }

    #[test]
    fn bad_user_files_say_what_is_wrong() {
        let mut km = Keymap::defaults();
        let e = km.apply_toml("[grdi]\n").unwrap_err().to_string();
        assert!(e.contains("unknown table [grdi]"), "{e}");
        let e = km
            .apply_toml("[grid]\n\"ctrl-foo\" = \"sort\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown key name"), "{e}");
        let e = km
            .apply_toml("[grid]\n\"x\" = \"sortt\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown command"), "{e}");
        let e = km.apply_toml("[grid]\n\"x\" = 3").unwrap_err().to_string();
        assert!(e.contains("command name in quotes"), "{e}");
        let e = km.apply_toml("[grid").unwrap_err().to_string();
        assert!(e.contains("not valid TOML"), "{e}");
    }

    #[test]
    fn hints_drop_whole_hints_that_do_not_fit() {
        let km = Keymap::defaults();
        let items = [(Command::Filter, "filter"), (Command::LevelFilter, "level")];
        assert_eq!(km.hints(Context::Tail, &items), "/ filter · l level");
        assert_eq!(km.hints_within(Context::Tail, &items, 16), "/ filter");
        assert_eq!(km.hints_within(Context::Tail, &items, 3), "");
        let kind = [(Command::ToggleKind, "kind")];
        assert_eq!(km.hints(Context::SendForm, &kind), "←/→ kind");
    }

    #[test]
    fn shifted_characters_match_their_plain_name() {
        let km = Keymap::defaults();
        let g = key(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(km.lookup(Context::Grid, &g), Some(Command::Last));
        let bt = key(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(km.lookup(Context::Grid, &bt), Some(Command::FocusPrev));
    }
}
