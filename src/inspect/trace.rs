//! # A trace: events to inspect
//!
//! A [`Trace`] is a list of events in the order they were processed (or read from a file),
//! indexed by id. It is what the inspector shows, whether the events came from the live bus's
//! history or from an imported file. Duplicate ids are kept (the first one wins the index) and
//! reported, never silently merged.
//!
//! ## Kept in the event store
//! The events live in an unbounded [`EventStore`], the same compact records the bus's history
//! keeps: ~100 bytes per event plus its payload bytes, instead of a `Vec` of owned events
//! (~450 bytes each before their strings). Index `i` is the store's position `i`. Readers
//! ask for what they need: the cheap accessors ([`Trace::id`], [`Trace::phase`],
//! [`Trace::timestamp_ns`], ...) read the record, [`Trace::event`] decodes an owned [`Event`]
//! (for the detail panel, exports and text search).

use uuid::Uuid;

use crate::core::store::record::Record;
use crate::core::{Event, EventStore, Phase};

/// Events plus an id index.
#[derive(Clone, Debug)]
pub struct Trace {
    store: EventStore,
    duplicates: Vec<usize>,
    /// Whether the events carry processing times (a live bus's history): the queue lag is
    /// `processed - timestamp`. Imported traces have none.
    has_processed: bool,
    /// Earliest and latest timestamp, kept as events arrive (the timeline asks for every row).
    time_range: Option<(u64, u64)>,
    /// Whether any event carries an emission number (order inversions are meaningless
    /// without them).
    has_seq: bool,
    /// Whether some end event does not name its start (the Python original's dumps).
    unnamed_ends: bool,
}

impl Default for Trace {
    fn default() -> Self {
        Trace {
            store: EventStore::unbounded(),
            duplicates: Vec::new(),
            has_processed: false,
            time_range: None,
            has_seq: false,
            unnamed_ends: false,
        }
    }
}

impl Trace {
    /// Indexes `events`, keeping their order.
    pub fn new(events: Vec<Event>) -> Trace {
        let mut t = Trace::default();
        for e in &events {
            t.push(e);
        }
        t
    }

    /// Appends one event (imports stream into a trace this way).
    pub fn push(&mut self, e: &Event) -> usize {
        let record = self.store.encode_event(e);
        self.push_record(record, 0)
    }

    /// Appends one event with the time the bus processed it.
    pub fn push_processed(&mut self, e: &Event, processed_ns: u64) -> usize {
        self.has_processed = true;
        let record = self.store.encode_event(e);
        self.push_record(record, processed_ns)
    }

    fn push_record(&mut self, r: Record, processed_ns: u64) -> usize {
        let dups = self.store.duplicate_ids();
        let ts = r.timestamp_ns;
        self.has_seq |= r.seq != 0;
        self.unnamed_ends |= r.phase.is_end() && r.start_id().is_none();
        let i = self.store.push(r, processed_ns) as usize;
        if self.store.duplicate_ids() != dups {
            self.duplicates.push(i);
        }
        self.time_range = Some(match self.time_range {
            Some((lo, hi)) => (lo.min(ts), hi.max(ts)),
            None => (ts, ts),
        });
        i
    }

    /// The store the events live in (its `children_by_parent` index nests the tree).
    pub fn store(&self) -> &EventStore {
        &self.store
    }

    /// The heap the trace holds: what the import budget counts.
    pub fn heap_bytes(&self) -> usize {
        self.store.heap_bytes() + self.duplicates.capacity() * 8
    }

    /// Sets when each event was processed (one time per event, in order).
    pub fn set_processed_ns(&mut self, processed: Vec<u64>) {
        for (i, p) in processed.into_iter().enumerate() {
            self.store.set_processed_ns(i as u64, p);
        }
        self.has_processed = true;
    }

    /// When event `i` was processed, if known.
    pub fn processed_ns(&self, i: usize) -> Option<u64> {
        if self.has_processed {
            self.store.processed_ns_at(i as u64)
        } else {
            None
        }
    }

    /// Event `i`, decoded into an owned copy.
    pub fn event(&self, i: usize) -> Event {
        self.store
            .event(i as u64)
            .expect("an index within the trace")
    }

    /// Every event, decoded one at a time, in order.
    pub fn events(&self) -> impl DoubleEndedIterator<Item = Event> + ExactSizeIterator + '_ {
        self.store.events()
    }

    #[inline]
    fn record(&self, i: usize) -> &Record {
        self.store
            .record(i as u64)
            .expect("an index within the trace")
    }

    #[inline]
    pub fn id(&self, i: usize) -> Uuid {
        self.record(i).id
    }

    #[inline]
    pub fn phase(&self, i: usize) -> Phase {
        self.record(i).phase
    }

    #[inline]
    pub fn timestamp_ns(&self, i: usize) -> u64 {
        self.record(i).timestamp_ns
    }

    #[inline]
    pub fn seq(&self, i: usize) -> u64 {
        self.record(i).seq
    }

    #[inline]
    pub fn parent_id(&self, i: usize) -> Option<Uuid> {
        self.record(i).parent_id()
    }

    #[inline]
    pub fn start_id(&self, i: usize) -> Option<Uuid> {
        self.record(i).start_id()
    }

    pub fn lineage_id(&self, i: usize) -> Uuid {
        self.store.lineage_id(self.record(i))
    }

    pub fn root_id(&self, i: usize) -> Uuid {
        self.store.root_id(self.record(i))
    }

    /// The event's kind.
    pub fn kind(&self, i: usize) -> &str {
        self.store.kind(self.record(i))
    }

    /// The distinct event kinds, sorted: what the kind filter offers.
    pub fn kinds(&self) -> Vec<String> {
        let distinct: std::collections::BTreeSet<&str> =
            (0..self.len()).map(|i| self.kind(i)).collect();
        distinct.into_iter().map(str::to_owned).collect()
    }

    /// The process name, if the payload has one.
    pub fn process_name(&self, i: usize) -> Option<&str> {
        let p = self.record(i).process;
        (!p.is_none()).then(|| self.store.symbols().str(p))
    }

    /// The process name, or the kind when there is none: what a tree row is labelled with.
    pub fn label(&self, i: usize) -> &str {
        self.store.label(self.record(i))
    }

    /// Whether any event carries an emission number.
    pub fn has_seq(&self) -> bool {
        self.has_seq
    }

    /// Whether some end event does not name its start (the original's sibling-linked ends).
    pub fn has_unnamed_ends(&self) -> bool {
        self.unnamed_ends
    }

    /// The earliest and latest event timestamp (both 0 when empty).
    pub fn time_range(&self) -> (u64, u64) {
        self.time_range.unwrap_or((0, 0))
    }

    pub fn len(&self) -> usize {
        self.store.len()
    }

    pub fn is_empty(&self) -> bool {
        self.store.is_empty()
    }

    /// The index of the event with this id (the first, if duplicated).
    pub fn index_of(&self, id: &Uuid) -> Option<usize> {
        self.store.position_of(id).map(|p| p as usize)
    }

    /// The event with this id (the first, if duplicated), decoded.
    pub fn get(&self, id: &Uuid) -> Option<Event> {
        self.index_of(id).map(|i| self.event(i))
    }

    /// Indexes of events whose id was already taken by an earlier event.
    pub fn duplicate_indexes(&self) -> &[usize] {
        &self.duplicates
    }
}

/// An import streams straight into a trace: each event is encoded into the store as it
/// arrives, and the budget counts the store's real heap.
impl crate::trace::EventSink for Trace {
    fn push(&mut self, event: Event) -> Result<(), crate::trace::BudgetExceeded> {
        Trace::push(self, &event);
        Ok(())
    }

    fn retained_bytes(&self) -> usize {
        self.heap_bytes()
    }
}

impl Trace {
    /// The same events in the order of `key` (stable), as a new trace: Chrome traces are
    /// read in file order and shown in time order.
    pub fn sorted_by_key<K: Ord>(&self, mut key: impl FnMut(&Trace, usize) -> K) -> Trace {
        let mut order: Vec<usize> = (0..self.len()).collect();
        let keys: Vec<K> = (0..self.len()).map(|i| key(self, i)).collect();
        order.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
        if order.iter().enumerate().all(|(i, &o)| i == o) {
            return self.clone();
        }
        let mut out = Trace::default();
        for i in order {
            match self.processed_ns(i) {
                Some(p) => out.push_processed(&self.event(i), p),
                None => out.push(&self.event(i)),
            };
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::core::Phase;

    #[test]
    fn the_kinds_are_listed_once_each_in_order() {
        let root = Event::root("processing", Phase::Started);
        let child = Event::child_of(&root, "custom", Phase::Started);
        let end = Event::child_of(&root, "processed", Phase::Completed);
        let again = Event::child_of(&root, "processing", Phase::Started);
        let trace = Trace::new(vec![root, child, end, again]);
        assert_eq!(trace.kinds(), ["custom", "processed", "processing"]);
        assert!(Trace::default().kinds().is_empty());
    }
}
