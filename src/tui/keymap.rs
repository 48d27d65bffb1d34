//! Keys as data: the defaults are the embedded `assets/keymap.toml`; a user
//! file with the same tables overrides only the keys it names. The help
//! screen and the footer are generated from the merged table, so what is
//! shown is what is bound.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.toml");

/// The contexts, each written once: the enum, [`Context::ALL`] and the
/// table names a keymap file uses all come from this list.
macro_rules! contexts {
    ($( $(#[$doc:meta])* $variant:ident => $table:literal, )*) => {
        /// Where a binding applies. Lookup goes pane table → `normal`
        /// (outside the editor) → `global`; the popups and one-line inputs
        /// (picker, completion, filter) use their own table only.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Context {
            $( $(#[$doc])* $variant, )*
        }

        impl Context {
            pub const ALL: &'static [Context] = &[$( Context::$variant, )*];

            pub fn table_name(self) -> &'static str {
                match self {
                    $( Context::$variant => $table, )*
                }
            }
        }
    };
}

contexts! {
    Global => "global",
    Normal => "normal",
    Tree => "tree",
    Editor => "editor",
    Grid => "grid",
    Detail => "detail",
    Tail => "tail",
    Chart => "chart",
    SendForm => "send_form",
    /// A list to choose from (time range, export format, snippets, pivot).
    Picker => "picker",
    /// The editor's completion popup; keys it leaves go to the editor.
    Completion => "completion",
    /// Typing a one-line filter (the tree's or the grid's `/`).
    Filter => "filter",
    /// A one-line question: a file name, a column's name, a time range, a
    /// saved query's name.
    Prompt => "prompt",
    /// The F2 query history popup (other keys search it).
    History => "history",
    Help => "help",
}

impl Context {
    fn from_table_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.table_name() == name)
    }

    /// Whether the table is looked up alone, without the `normal` and
    /// `global` fallbacks: text inputs and popups, where a `q` types or is
    /// ignored rather than quitting.
    fn stands_alone(self) -> bool {
        matches!(
            self,
            Context::Picker
                | Context::Completion
                | Context::Filter
                | Context::Prompt
                | Context::History
        )
    }
}

/// The commands, each written once: the enum, the names a keymap file
/// uses (and the "did you mean" suggestions draw from) and what help says
/// all come from this list. Its order is the order help lists them in.
macro_rules! commands {
    (
        $( $variant:ident => $name:literal, $desc:literal; )*
        ;
        $( $nvariant:ident($n:literal) => $nname:literal, $ndesc:literal; )*
    ) => {
        /// Everything a key can ask for. Pane-specific commands (up, down,
        /// …) mean the obvious thing in the pane whose table binds them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Command {
            $( $variant, )*
            /// Go to result tab n (1…9).
            GoTab(u8),
        }

        /// (config name, command, what help says).
        const COMMANDS: &[(&str, Command, &str)] = &[
            $( ($name, Command::$variant, $desc), )*
            $( ($nname, Command::$nvariant($n), $ndesc), )*
        ];
    };
}

commands! {
    Quit => "quit", "quit";
    Help => "help", "help";
    Close => "close", "close";
    FocusNext => "focus_next", "next pane";
    FocusPrev => "focus_prev", "previous pane";
    FocusTree => "focus_tree", "go to tree";
    FocusEditor => "focus_editor", "go to editor";
    FocusGrid => "focus_grid", "go to results";
    FocusDetail => "focus_detail", "go to detail";
    RunQuery => "run_query", "run query";
    Cancel => "cancel", "cancel / close";
    Zoom => "zoom", "zoom pane";
    ShrinkPane => "shrink_pane", "shrink pane";
    GrowPane => "grow_pane", "grow pane";
    ToggleMouse => "toggle_mouse", "mouse capture on/off";
    ToggleTail => "toggle_tail", "live tail";
    ToggleChart => "toggle_chart", "chart";
    SendForm => "send_form", "send a log/event";
    History => "history", "query history";
    Snippets => "snippets", "snippets";
    HistoryPrev => "history_prev", "older query";
    HistoryNext => "history_next", "newer query";
    Complete => "complete", "complete";
    CompleteOrNext => "complete_or_next", "complete / next pane";
    ClearEditor => "clear_editor", "clear editor";
    Undo => "undo", "undo (a word at a time)";
    Redo => "redo", "redo";
    BufferStart => "buffer_start", "start of the text";
    BufferEnd => "buffer_end", "end of the text";
    Up => "up", "up";
    Down => "down", "down";
    Left => "left", "left";
    Right => "right", "right";
    PageUp => "page_up", "page up";
    PageDown => "page_down", "page down";
    First => "first", "first";
    Last => "last", "last";
    Select => "select", "open / choose";
    Accept => "accept", "take it (the completion / the filter)";
    Expand => "expand", "expand";
    Collapse => "collapse", "collapse";
    Refresh => "refresh", "refresh";
    Filter => "filter", "filter";
    Sort => "sort", "sort asc/desc/off";
    Widen => "widen", "wider column";
    Narrow => "narrow", "narrower column";
    CopyCell => "copy_cell", "copy cell";
    CopyRow => "copy_row", "copy row";
    Export => "export", "export rows";
    OpenDetail => "open_detail", "show in detail";
    DrillIn => "drill_in", "drill in (AND col = value)";
    DrillOut => "drill_out", "leave out (AND col != value)";
    Back => "back", "back to the previous result";
    Watch => "watch", "watch: re-run every N s";
    WatchInterval => "watch_interval", "watch interval";
    Pivot => "pivot", "every row with this value";
    NarrowTime => "narrow_time", "time range: row ±5 min / bucket";
    SearchNext => "search_next", "next match";
    SearchPrev => "search_prev", "previous match";
    NameField => "name_field", "name this blob/double column";
    TimeRange => "time_range", "time range (15m … 7d, custom)";
    ToggleFold => "toggle_fold", "fold / unfold";
    FoldAll => "fold_all", "fold / unfold all";
    CopyValue => "copy_value", "copy value";
    CopyPath => "copy_path", "copy JSON path";
    Refetch => "refetch", "fetch the payload again";
    ToggleEmpty => "toggle_empty", "show / hide empty columns";
    Follow => "follow", "follow again";
    PauseFollow => "pause_follow", "pause / follow";
    LevelFilter => "level_filter", "level filter";
    InvertFilter => "invert_filter", "invert the filter";
    TimeMode => "time_mode", "UTC / local / relative times";
    ClearBuffer => "clear_buffer", "clear the buffer";
    ClearFilter => "clear_filter", "clear the filter";
    DeleteBack => "delete_back", "delete the last character typed";
    CopyJson => "copy_json", "copy as JSON";
    WindowWider => "window_wider", "raw logs: a wider span (±1/5/15/60 min)";
    WindowNarrower => "window_narrower", "raw logs: a narrower span";
    ChartKind => "chart_kind", "line / bar chart";
    NextSeries => "next_series", "one series at a time / all";
    Send => "send", "send";
    NextField => "next_field", "next field";
    PrevField => "prev_field", "previous field";
    ToggleKind => "toggle_kind", "log / event";
    PathFilter => "path_filter", "path filter (.a.b[0]; Esc clears)";
    CopyPayload => "copy_payload", "copy the whole payload (pretty JSON)";
    RawAround => "raw_around", "raw logs ±5 min around this time";
    TabNew => "tab_new", "new result tab (a copy of this one)";
    TabNext => "tab_next", "next result tab";
    TabPrev => "tab_prev", "previous result tab";
    TabClose => "tab_close", "close the result tab";
    TabRerun => "tab_rerun", "run the tab's query again";
    SaveQuery => "save_query", "save the statement (listed in F3)";
    // Numbered: one variant, a name each number.
    ;
    GoTab(1) => "tab_1", "result tab 1";
    GoTab(2) => "tab_2", "result tab 2";
    GoTab(3) => "tab_3", "result tab 3";
    GoTab(4) => "tab_4", "result tab 4";
    GoTab(5) => "tab_5", "result tab 5";
    GoTab(6) => "tab_6", "result tab 6";
    GoTab(7) => "tab_7", "result tab 7";
    GoTab(8) => "tab_8", "result tab 8";
    GoTab(9) => "tab_9", "result tab 9";
}

impl Command {
    fn from_name(name: &str) -> Option<Self> {
        COMMANDS
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, c, _)| *c)
    }
    #[cfg(test)]
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
    #[error(
        "keymap: unknown table [{name}]{} (known: {})",
        did_you_mean(suggestion),
        known_tables()
    )]
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

/// "global, normal, …": every table a keymap file may have.
fn known_tables() -> String {
    let names: Vec<&str> = Context::ALL.iter().map(|c| c.table_name()).collect();
    names.join(", ")
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

    /// The embedded defaults, parsed once: the keymap of the tests' panes
    /// (the explorer hands every pane its own merged keymap).
    #[cfg(any(test, feature = "internals"))]
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
                    suggestion: closest(&table, Context::ALL.iter().map(|c| c.table_name())),
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
        if pane.stands_alone() {
            return self.lookup_in(pane, key);
        }
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

    #[test]
    fn every_command_name_is_unique_and_found_again() {
        let mut seen = std::collections::HashSet::new();
        for (name, cmd, _) in COMMANDS {
            assert!(seen.insert(*name), "{name} twice");
            assert_eq!(Command::from_name(name), Some(*cmd), "{name}");
            assert_eq!(cmd.name(), *name);
        }
    }

    #[test]
    fn an_unknown_table_lists_every_table() {
        let mut km = Keymap::defaults();
        let e = km.apply_toml("[nope]\n").unwrap_err().to_string();
        for ctx in Context::ALL {
            assert!(e.contains(ctx.table_name()), "{ctx:?}: {e}");
        }
        assert!(
            e.contains("picker, completion, filter, prompt, history, help)"),
            "{e}"
        );
    }

    #[test]
    fn popups_and_text_inputs_use_their_own_table_only() {
        let km = Keymap::defaults();
        let plain = |c| key(KeyCode::Char(c), KeyModifiers::NONE);
        let esc = key(KeyCode::Esc, KeyModifiers::NONE);
        let enter = key(KeyCode::Enter, KeyModifiers::NONE);
        // A q types into a filter or a prompt; in a picker it closes.
        assert_eq!(km.lookup(Context::Filter, &plain('q')), None);
        assert_eq!(km.lookup(Context::Prompt, &plain('q')), None);
        assert_eq!(
            km.lookup(Context::Picker, &plain('q')),
            Some(Command::Close)
        );
        assert_eq!(km.lookup(Context::Filter, &esc), Some(Command::ClearFilter));
        assert_eq!(km.lookup(Context::Filter, &enter), Some(Command::Accept));
        assert_eq!(km.lookup(Context::Prompt, &esc), Some(Command::Close));
        assert_eq!(
            km.lookup(Context::Completion, &enter),
            Some(Command::Accept)
        );
        // F-keys and Ctrl chords do not reach through a popup.
        assert_eq!(
            km.lookup(Context::Picker, &key(KeyCode::F(5), KeyModifiers::NONE)),
            None
        );
    }

    #[test]
    fn picker_and_completion_keys_can_be_rebound() {
        let mut km = Keymap::defaults();
        km.apply_toml(
            "[picker]\n\"ctrl-n\" = \"down\"\n\"j\" = \"none\"\n[completion]\n\"tab\" = \"none\"\n",
        )
        .unwrap();
        let ctrl_n = key(KeyCode::Char('n'), KeyModifiers::CONTROL);
        assert_eq!(km.lookup(Context::Picker, &ctrl_n), Some(Command::Down));
        let j = key(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(km.lookup(Context::Picker, &j), None);
        let tab = key(KeyCode::Tab, KeyModifiers::NONE);
        assert_eq!(km.lookup(Context::Completion, &tab), None);
    }
}
