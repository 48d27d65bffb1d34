//! The bounded line buffer with its filtered view. The filtered view is a
//! list of sequence numbers kept up to date on every append and drop, so a
//! frame only reads the window it draws, whatever the buffer size.

use std::collections::VecDeque;

use super::filter::Filter;
use super::line::TailLine;
use crate::client::RawLogEntry;

/// Lines kept by default; the oldest are dropped beyond this.
pub const DEFAULT_CAPACITY: usize = 10_000;

#[derive(Debug, Clone)]
pub struct TailBuffer {
    lines: VecDeque<TailLine>,
    /// Sequence numbers of the lines that pass `filter`, oldest first.
    matched: VecDeque<u64>,
    capacity: usize,
    next_seq: u64,
    filter: Filter,
    /// Lines dropped for space since the tail started.
    dropped: u64,
    /// The tailed logstore's column names, applied as lines arrive.
    names: crate::tui::fields::FieldNames,
}

impl Default for TailBuffer {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

impl TailBuffer {
    pub fn new(capacity: usize) -> Self {
        Self {
            lines: VecDeque::with_capacity(capacity.min(DEFAULT_CAPACITY)),
            matched: VecDeque::new(),
            capacity: capacity.max(1),
            next_seq: 0,
            filter: Filter::default(),
            dropped: 0,
            names: Default::default(),
        }
    }

    /// Append one record; returns whether it passes the filter.
    pub fn push(&mut self, entry: RawLogEntry) -> bool {
        if self.lines.len() == self.capacity {
            if let Some(old) = self.lines.pop_front() {
                if self.matched.front() == Some(&old.seq) {
                    self.matched.pop_front();
                }
                self.dropped += 1;
            }
        }
        let line = TailLine::named(self.next_seq, entry, &self.names);
        self.next_seq += 1;
        let shown = self.filter.matches(&line);
        if shown {
            self.matched.push_back(line.seq);
        }
        self.lines.push_back(line);
        shown
    }

    /// Names for the lines that arrive from now on.
    pub fn set_names(&mut self, names: crate::tui::fields::FieldNames) {
        self.names = names;
    }

    pub fn filter(&self) -> &Filter {
        &self.filter
    }

    pub fn set_filter(&mut self, filter: Filter) {
        if filter != self.filter {
            self.filter = filter;
            self.matched = self
                .lines
                .iter()
                .filter(|l| self.filter.matches(l))
                .map(|l| l.seq)
                .collect();
        }
    }

    pub fn clear(&mut self) {
        self.lines.clear();
        self.matched.clear();
    }

    /// Lines in the buffer (filtered or not).
    pub fn len(&self) -> usize {
        self.lines.len()
    }
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
    #[cfg(test)]
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
    /// Lines that pass the filter.
    pub fn shown_len(&self) -> usize {
        self.matched.len()
    }

    /// The `i`-th shown line, oldest first.
    pub fn shown(&self, i: usize) -> Option<&TailLine> {
        let seq = *self.matched.get(i)?;
        self.get(seq)
    }

    /// Position among the shown lines of the first one at or after `seq`.
    pub fn shown_position(&self, seq: u64) -> usize {
        self.matched.partition_point(|s| *s < seq)
    }

    /// The newest line, shown or not.
    pub fn last(&self) -> Option<&TailLine> {
        self.lines.back()
    }

    /// A line by sequence number, if still in the buffer.
    pub fn get(&self, seq: u64) -> Option<&TailLine> {
        let first = self.lines.front()?.seq;
        let idx = usize::try_from(seq.checked_sub(first)?).ok()?;
        self.lines.get(idx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(level: &str, msg: &str) -> RawLogEntry {
        RawLogEntry {
            timestamp: "2026-11-27T02:15:35.123Z".into(),
            level: level.into(),
            data: json!({ "message": msg }),
        }
    }

    #[test]
    fn drops_the_oldest_beyond_capacity() {
        let mut b = TailBuffer::new(3);
        for i in 0..5 {
            b.push(entry("info", &format!("m{i}")));
        }
        assert_eq!(b.len(), 3);
        assert_eq!(b.dropped(), 2);
        assert_eq!(b.shown(0).map(|l| l.message.as_str()), Some("m2"));
        assert_eq!(b.shown(2).map(|l| l.message.as_str()), Some("m4"));
        assert_eq!(b.get(1), None);
    }

    #[test]
    fn the_filtered_view_follows_appends_drops_and_filter_changes() {
        let mut b = TailBuffer::new(4);
        let mut f = Filter::default();
        f.set_text("err");
        b.set_filter(f);
        assert!(b.push(entry("info", "err 1")));
        assert!(!b.push(entry("info", "ok")));
        assert!(b.push(entry("info", "err 2")));
        assert_eq!(b.shown_len(), 2);
        b.push(entry("info", "ok"));
        b.push(entry("info", "ok")); // drops "err 1"
        assert_eq!(b.shown_len(), 1);
        assert_eq!(b.shown(0).map(|l| l.message.as_str()), Some("err 2"));
        b.set_filter(Filter::default());
        assert_eq!(b.shown_len(), 4);
    }
}
