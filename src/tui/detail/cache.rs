//! Recently fetched payloads, so moving back over rows shows them at once.
//! A ref_id the server did not return is remembered too (not found or
//! expired), so it is not asked for again on every move.

use std::collections::HashMap;

use crate::client::DetailEntry;

/// What the server said about one ref_id.
#[derive(Debug, Clone, PartialEq)]
pub enum Cached {
    Found(DetailEntry),
    /// Absent from the answer: never stored, expired, or another tenant's.
    Missing,
}

/// A least-recently-used map from ref_id to answer. Capacities are small
/// (hundreds), so eviction scans for the oldest stamp instead of keeping a list.
#[derive(Debug, Clone)]
pub struct PayloadCache {
    capacity: usize,
    entries: HashMap<String, (Cached, u64)>,
    clock: u64,
}

/// Default number of payloads kept.
pub const DEFAULT_CAPACITY: usize = 256;

impl Default for PayloadCache {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

impl PayloadCache {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            entries: HashMap::new(),
            clock: 0,
        }
    }

    /// Look up and mark as recently used.
    pub fn get(&mut self, ref_id: &str) -> Option<&Cached> {
        self.clock += 1;
        let clock = self.clock;
        self.entries.get_mut(ref_id).map(|(v, stamp)| {
            *stamp = clock;
            &*v
        })
    }

    pub fn contains(&self, ref_id: &str) -> bool {
        self.entries.contains_key(ref_id)
    }

    pub fn insert(&mut self, ref_id: String, value: Cached) {
        self.clock += 1;
        if !self.entries.contains_key(&ref_id) && self.entries.len() >= self.capacity {
            if let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, (_, stamp))| *stamp)
                .map(|(k, _)| k.clone())
            {
                self.entries.remove(&oldest);
            }
        }
        self.entries.insert(ref_id, (value, self.clock));
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_the_least_recently_used() {
        let mut c = PayloadCache::new(2);
        c.insert("a".into(), Cached::Missing);
        c.insert("b".into(), Cached::Missing);
        assert!(c.get("a").is_some()); // a is now newer than b
        c.insert("c".into(), Cached::Missing);
        assert!(c.contains("a"));
        assert!(!c.contains("b"));
        assert!(c.contains("c"));
        assert_eq!(c.len(), 2);
    }

    #[test]
    fn replacing_an_entry_does_not_evict() {
        let mut c = PayloadCache::new(2);
        c.insert("a".into(), Cached::Missing);
        c.insert("b".into(), Cached::Missing);
        c.insert("a".into(), Cached::Missing);
        assert_eq!(c.len(), 2);
        assert!(c.contains("b"));
    }
}
