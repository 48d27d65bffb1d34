//! F2: the scoped logstore's query history, newest first, each query once
//! with when it last answered, its rows and duration; typing searches it
//! (every word must be found, in any case).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::tui::editor::history::{History, RunMeta};
use crate::tui::keymap::{Command, Context, Keymap};

/// The popup's state: the search typed and the selected line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryView {
    pub search: String,
    pub selected: usize,
}

/// What a key did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryOutcome {
    Handled,
    Close,
    /// Put this query in the editor.
    Choose(String),
}

/// One line of the list.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryItem<'a> {
    pub sql: &'a str,
    pub meta: Option<&'a RunMeta>,
}

impl HistoryView {
    /// The queries the search keeps, newest first.
    pub fn items<'a>(&self, history: &'a History) -> Vec<HistoryItem<'a>> {
        let words: Vec<String> = self
            .search
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        history
            .entries
            .iter()
            .rev()
            .filter(|sql| {
                let lower = sql.to_lowercase();
                words.iter().all(|w| lower.contains(w.as_str()))
            })
            .map(|sql| HistoryItem {
                sql,
                meta: history.meta.get(sql),
            })
            .collect()
    }

    /// Keys from the `history` table of `keymap`: ↑/↓ PgUp/PgDn move,
    /// Enter chooses, Esc closes (or clears the search first), Backspace
    /// and Ctrl-U edit the search; other characters type into it.
    pub fn handle_key(
        &mut self,
        keymap: &Keymap,
        key: &KeyEvent,
        history: &History,
        page: usize,
    ) -> HistoryOutcome {
        let n = self.items(history).len();
        let last = n.saturating_sub(1);
        match keymap.lookup(Context::History, key) {
            Some(Command::Close | Command::Cancel) if !self.search.is_empty() => {
                self.search.clear();
                self.selected = 0;
            }
            Some(Command::Close | Command::Cancel) => return HistoryOutcome::Close,
            Some(Command::Select | Command::Accept) => {
                return match self.items(history).get(self.selected) {
                    Some(item) => HistoryOutcome::Choose(item.sql.to_string()),
                    None => HistoryOutcome::Handled,
                }
            }
            Some(Command::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Command::Down) => self.selected = (self.selected + 1).min(last),
            Some(Command::PageUp) => self.selected = self.selected.saturating_sub(page.max(1)),
            Some(Command::PageDown) => self.selected = (self.selected + page.max(1)).min(last),
            Some(Command::DeleteBack) => {
                self.search.pop();
                self.selected = 0;
            }
            Some(Command::ClearFilter) => {
                self.search.clear();
                self.selected = 0;
            }
            _ => match key.code {
                KeyCode::Char(c)
                    if !key
                        .modifiers
                        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
                {
                    self.search.push(c);
                    self.selected = 0;
                }
                _ => {}
            },
        }
        HistoryOutcome::Handled
    }
}

/// "12-03 08:29 · 20 rows · 35 ms", or blanks for a query that never
/// answered.
pub fn describe(meta: Option<&RunMeta>) -> String {
    let Some(m) = meta else {
        return format!("{:<11}   {:>10}   {:>8}", "not run", "", "");
    };
    let when = chrono::DateTime::from_timestamp_millis(m.at)
        .map_or_else(|| "?".to_string(), |t| t.format("%m-%d %H:%M").to_string());
    let rows = if m.rows == 1 {
        "1 row".to_string()
    } else {
        format!("{} rows", m.rows)
    };
    let took = if m.ms < 1000 {
        format!("{} ms", m.ms)
    } else {
        format!("{:.1} s", m.ms as f64 / 1000.0)
    };
    format!("{when:<11} · {rows:>10} · {took:>8}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history() -> History {
        let mut h = History::default();
        h.push("SELECT count() FROM aepipe");
        h.push("SELECT blob6 FROM aepipe WHERE blob3 = 'error'");
        h.record(
            "SELECT blob6 FROM aepipe WHERE blob3 = 'http_request'",
            RunMeta {
                at: 0,
                rows: 1,
                ms: 1500,
            },
        );
        h
    }

    #[test]
    fn every_word_is_searched_for_newest_first() {
        let h = history();
        let mut v = HistoryView::default();
        assert_eq!(v.items(&h).len(), 3);
        assert!(v.items(&h)[0].sql.contains("http_request"));
        for c in "BLOB6 err".chars() {
            v.handle_key(Keymap::builtin(), &KeyEvent::from(KeyCode::Char(c)), &h, 10);
        }
        let items = v.items(&h);
        assert_eq!(items.len(), 1);
        assert!(items[0].sql.contains("'error'"));
        let out = v.handle_key(Keymap::builtin(), &KeyEvent::from(KeyCode::Enter), &h, 10);
        assert_eq!(out, HistoryOutcome::Choose(items[0].sql.to_string()));
        // Esc clears the search, then closes.
        v.handle_key(Keymap::builtin(), &KeyEvent::from(KeyCode::Esc), &h, 10);
        assert_eq!(v.search, "");
        let out = v.handle_key(Keymap::builtin(), &KeyEvent::from(KeyCode::Esc), &h, 10);
        assert_eq!(out, HistoryOutcome::Close);
    }

    #[test]
    fn its_keys_come_from_the_history_table() {
        let h = history();
        let mut km = Keymap::defaults();
        km.apply_toml("[history]\n\"ctrl-n\" = \"down\"\n\"ctrl-g\" = \"close\"\n")
            .unwrap();
        let mut v = HistoryView::default();
        let ctrl = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
        v.handle_key(&km, &ctrl('n'), &h, 10);
        assert_eq!(v.selected, 1, "ctrl-n moves down once bound");
        assert_eq!(v.search, "", "a bound chord does not type");
        assert_eq!(v.handle_key(&km, &ctrl('g'), &h, 10), HistoryOutcome::Close);
        // Unbound keys still search, and the default Backspace edits it.
        v.handle_key(&km, &KeyEvent::from(KeyCode::Char('x')), &h, 10);
        v.handle_key(&km, &KeyEvent::from(KeyCode::Backspace), &h, 10);
        assert_eq!(v.search, "");
    }

    #[test]
    fn describes_when_rows_and_duration() {
        let h = history();
        let d = describe(h.meta.values().next());
        assert!(d.contains("01-01 00:00"), "{d}");
        assert!(d.contains("1 row ·") && d.contains("1.5 s"), "{d}");
        assert!(describe(None).contains("not run"));
    }
}
