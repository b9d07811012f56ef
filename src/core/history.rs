//! # History and its indexes
//!
//! The processor appends every event to a bounded [`History`]: the most recent `capacity`
//! events with the two indexes the original keeps too, `events_by_id` and
//! `children_by_parent`. It is an [`EventStore`] that evicts the
//! oldest event when full and lets a later event with a known id own it.
//!
//! ## Why the indexes are pruned with the ring
//! The original bounds its history deque but never prunes `_events_by_id` and
//! `_children_by_parent`, so memory grows without limit. Here every eviction removes the event
//! from both indexes in O(1), and overwrites its record in place: memory is flat once the cap
//! is reached, and a full history allocates nothing per event.

use super::store::{Duplicates, EventStore};

/// The default number of events kept, as in the original (`max_history=10000`).
pub(crate) const DEFAULT_CAPACITY: usize = 10_000;

/// A bounded, indexed record of processed events, oldest first.
pub type History = EventStore;

impl EventStore {
    /// An empty history keeping at most `capacity` events (at least one).
    pub fn with_capacity(capacity: usize) -> History {
        EventStore::bounded(capacity, Duplicates::KeepLatest)
    }
}

impl Default for EventStore {
    fn default() -> Self {
        EventStore::with_capacity(DEFAULT_CAPACITY)
    }
}
