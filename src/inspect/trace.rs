//! # A trace: events to inspect
//!
//! A [`Trace`] is a list of events in the order they were processed (or read from a file),
//! indexed by id. It is what the inspector shows, whether the events came from the live bus's
//! history or from an imported file. Duplicate ids are kept (the first one wins the index) and
//! reported, never silently merged.

use uuid::Uuid;

use crate::core::ids::IdMap;
use crate::core::{Event, EventBus};

/// Events plus an id index.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    events: Vec<Event>,
    by_id: IdMap<usize>,
    duplicates: Vec<usize>,
    /// When each event was processed by the bus (ns, bus clock), if known: the queue lag is
    /// `processed - timestamp`. Empty for imported traces.
    processed_ns: Vec<u64>,
    /// Earliest and latest timestamp, computed once (the timeline asks for every row).
    time_range: (u64, u64),
}

impl Trace {
    /// Indexes `events`, keeping their order.
    pub fn new(events: Vec<Event>) -> Trace {
        let mut by_id = IdMap::with_capacity_and_hasher(events.len(), Default::default());
        let mut duplicates = Vec::new();
        for (i, e) in events.iter().enumerate() {
            match by_id.entry(e.id) {
                std::collections::hash_map::Entry::Occupied(_) => duplicates.push(i),
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(i);
                }
            }
        }
        let lo = events.iter().map(|e| e.timestamp_ns).min().unwrap_or(0);
        let hi = events.iter().map(|e| e.timestamp_ns).max().unwrap_or(lo);
        Trace {
            events,
            by_id,
            duplicates,
            processed_ns: Vec::new(),
            time_range: (lo, hi),
        }
    }

    /// The live bus's history, oldest first, with processing times.
    pub fn from_bus(bus: &EventBus) -> Trace {
        let (events, processed) = bus.with_history(|h| {
            h.records()
                .map(|(_, r)| (h.decode(r), r.processed_ns))
                .unzip::<_, _, Vec<_>, Vec<_>>()
        });
        let mut t = Trace::new(events);
        t.processed_ns = processed;
        t
    }

    /// Attaches processing times (one per event, or none).
    pub fn set_processed_ns(&mut self, processed: Vec<u64>) {
        debug_assert!(processed.is_empty() || processed.len() == self.events.len());
        self.processed_ns = processed;
    }

    /// When event `i` was processed, if known.
    pub fn processed_ns(&self, i: usize) -> Option<u64> {
        self.processed_ns.get(i).copied()
    }

    pub fn events(&self) -> &[Event] {
        &self.events
    }

    pub fn into_events(self) -> Vec<Event> {
        self.events
    }

    /// The earliest and latest event timestamp (both 0 when empty).
    pub fn time_range(&self) -> (u64, u64) {
        self.time_range
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The index of the event with this id (the first, if duplicated).
    pub fn index_of(&self, id: &Uuid) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    pub fn get(&self, id: &Uuid) -> Option<&Event> {
        self.index_of(id).map(|i| &self.events[i])
    }

    /// Indexes of events whose id was already taken by an earlier event.
    pub fn duplicate_indexes(&self) -> &[usize] {
        &self.duplicates
    }
}
