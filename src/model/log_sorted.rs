//! # A trace in another order
//!
//! Chrome traces are read in file order (a slice's end may come before a later-starting
//! slice's begin) and shown in time order; the reorder builds a new trace rather than
//! moving records inside the store, whose positions the indexes point at.

use super::events::EventLog;

impl EventLog {
    /// The same events in the order of `key` (stable), as a new trace: Chrome traces are
    /// read in file order and shown in time order.
    pub fn sorted_by_key<K: Ord>(&self, mut key: impl FnMut(&EventLog, usize) -> K) -> EventLog {
        let mut order: Vec<usize> = (0..self.len()).collect();
        let keys: Vec<K> = (0..self.len()).map(|i| key(self, i)).collect();
        order.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
        if order.iter().enumerate().all(|(i, &o)| i == o) {
            return self.clone();
        }
        let mut out = EventLog::default();
        for i in order {
            match self.processed_ns(i) {
                Some(p) => out.push_processed(&self.event(i), p),
                None => out.push(&self.event(i)),
            };
        }
        out
    }
}
