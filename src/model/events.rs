//! # A trace: events to inspect
//!
//! A [`EventLog`] is a list of events in the order they were processed (or read from a file),
//! indexed by id. It is what the inspector shows, whether the events came from the live bus's
//! history or from an imported file. Duplicate ids are kept (the first one wins the index) and
//! reported, never silently merged.
//!
//! ## Kept in the event store
//! The events live in an unbounded [`EventStore`], the same compact records the bus's history
//! keeps: ~100 bytes per event plus its payload bytes, instead of a `Vec` of owned events
//! (~450 bytes each before their strings). Index `i` is the store's position `i`. Readers
//! ask for what they need: the cheap accessors ([`EventLog::id`], [`EventLog::phase`],
//! [`EventLog::timestamp_ns`], ...) read the record, [`EventLog::event`] decodes an owned [`Event`]
//! (for the detail panel, exports and text search).
//!
//! ## A prefix shown, the rest held
//! A replay's trace is the bus's history up to the cursor. Scrubbing back hides the events past
//! the cursor ([`EventLog::show_first`]) instead of dropping them, so scrubbing forward again
//! shows them without decoding them twice; every reader sees the shown prefix only (its
//! length, ids, duplicates, time range), as if the hidden events had never been read.

use uuid::Uuid;

use crate::core::store::record::Record;
use crate::core::store::symbols::Sym;
use crate::core::{Event, EventStore, Phase};

/// Events plus an id index.
#[derive(Clone, Debug)]
pub struct EventLog {
    store: EventStore,
    duplicates: Vec<usize>,
    /// Whether the events carry processing times (a live bus's history): the queue lag is
    /// `processed - timestamp`. Imported traces have none.
    has_processed: bool,
    /// Earliest and latest timestamp, kept as events arrive (the timeline asks for every row).
    time_range: Option<(u64, u64)>,
    /// Events shown: the first `shown` of the store (see the module docs).
    shown: usize,
    /// Where the earliest and the latest timestamp changed as events arrived (index, new
    /// value): the time range of a prefix is the last of each before its end. Kept for live
    /// traces only (the ones a replay scrubs); an imported trace shows all it holds.
    lo_steps: Vec<(u32, u64)>,
    hi_steps: Vec<(u32, u64)>,
    /// The first event with an emission number (order inversions are meaningless without
    /// them), and the first end event not naming its start (the Python original's dumps).
    first_seq: Option<usize>,
    first_unnamed_end: Option<usize>,
    /// Each distinct kind with the first event of it, in order of first appearance: the
    /// filter's list of kinds, read at every scrub step, costs the kinds, not the events.
    kinds: Vec<(Sym, usize)>,
    /// The kinds met, one bit per symbol: a `HashSet<Sym>` asked at every event cost ~120
    /// instructions of SipHash an imported event (callgrind, 2026-12-06); symbols are
    /// numbered densely from 1, so the bits take an eighth of a byte per distinct string.
    kind_seen: Vec<u64>,
}

impl Default for EventLog {
    fn default() -> Self {
        EventLog {
            store: EventStore::unbounded(),
            duplicates: Vec::new(),
            has_processed: false,
            time_range: None,
            shown: 0,
            lo_steps: Vec::new(),
            hi_steps: Vec::new(),
            first_seq: None,
            first_unnamed_end: None,
            kinds: Vec::new(),
            kind_seen: Vec::new(),
        }
    }
}

impl EventLog {
    /// Indexes `events`, keeping their order.
    pub fn new(events: Vec<Event>) -> EventLog {
        EventLog::from_events(&events)
    }

    /// Indexes `events` by reference, keeping their order: each is encoded into the store, so
    /// a caller holding a list gets the compact store beside it, not a second `Vec<Event>`.
    pub fn from_events(events: &[Event]) -> EventLog {
        let mut t = EventLog::default();
        for e in events {
            t.push(e);
        }
        t
    }

    /// Appends one event (imports stream into a trace this way).
    pub fn push(&mut self, e: &Event) -> usize {
        let record = self.store.encode_event(e);
        self.push_record(record, 0)
    }

    /// Appends one event read from text, its strings still borrowed from it.
    pub fn push_ref(&mut self, e: &crate::core::EventRef<'_>) -> usize {
        let record = self.store.encode_ref(e);
        self.push_record(record, 0)
    }

    /// Appends one event given as a header and a payload (a live stream's event, its
    /// names and payload shared with the other events of its message).
    pub(crate) fn push_header(
        &mut self,
        h: &crate::core::store::Header<'_>,
        payload: &crate::core::Payload,
    ) -> usize {
        let record = self.store.encode(h, payload);
        self.push_record(record, 0)
    }

    /// Appends one event with the time the bus processed it.
    pub fn push_processed(&mut self, e: &Event, processed_ns: u64) -> usize {
        self.has_processed = true;
        let record = self.store.encode_event(e);
        self.push_record(record, processed_ns)
    }

    fn push_record(&mut self, r: Record, processed_ns: u64) -> usize {
        assert_eq!(
            self.shown,
            self.store.len(),
            "events are appended only when none is hidden"
        );
        let dups = self.store.duplicate_ids();
        let ts = r.timestamp_ns;
        let unnamed_end = r.phase.is_end() && !r.has_start();
        let i = self.store.push(r, processed_ns) as usize;
        self.shown += 1;
        if self.first_seq.is_none() && self.store.seq_at(i as u64) != Some(0) {
            self.first_seq = Some(i);
        }
        let kind = self.store.kind_sym(&r);
        if self.first_of_kind(kind) {
            self.kinds.push((kind, i));
        }
        if unnamed_end && self.first_unnamed_end.is_none() {
            self.first_unnamed_end = Some(i);
        }
        if self.store.duplicate_ids() != dups {
            self.duplicates.push(i);
        }
        let range = match self.time_range {
            Some((lo, hi)) => (lo.min(ts), hi.max(ts)),
            None => (ts, ts),
        };
        if self.has_processed {
            if self.time_range.map(|r| r.0) != Some(range.0) {
                self.lo_steps.push((i as u32, range.0));
            }
            if self.time_range.map(|r| r.1) != Some(range.1) {
                self.hi_steps.push((i as u32, range.1));
            }
        }
        self.time_range = Some(range);
        i
    }

    /// Whether `kind` is met for the first time (it is marked as met).
    #[inline]
    fn first_of_kind(&mut self, kind: Sym) -> bool {
        let (word, bit) = (kind.0 as usize / 64, 1u64 << (kind.0 % 64));
        if word >= self.kind_seen.len() {
            self.kind_seen.resize(word + 1, 0);
        }
        let first = self.kind_seen[word] & bit == 0;
        self.kind_seen[word] |= bit;
        first
    }

    /// Makes room for `events` more events, when their number is known before they come
    /// (see [`EventStore::reserve`]).
    pub fn reserve(&mut self, events: usize) {
        self.store.reserve(events);
    }

    /// Shows the first `n` events held (at most all of them), hiding the rest: a replay's
    /// cursor moved. Hidden events are kept, and shown again by a later call.
    pub fn show_first(&mut self, n: usize) {
        self.shown = n.min(self.store.len());
    }

    /// Events held, shown or not.
    pub fn held(&self) -> usize {
        self.store.len()
    }

    /// The store the events live in (its `children_by_parent` index nests the tree).
    pub fn store(&self) -> &EventStore {
        &self.store
    }

    /// The heap the trace holds: what the import budget counts.
    pub fn heap_bytes(&self) -> usize {
        self.store.heap_bytes()
            + self.duplicates.capacity() * 8
            + (self.lo_steps.capacity() + self.hi_steps.capacity()) * 16
            + self.kinds.capacity() * 16
            + self.kind_seen.capacity() * 8
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
        self.store.events().take(self.shown)
    }

    #[inline]
    fn record(&self, i: usize) -> &Record {
        debug_assert!(i < self.shown, "an index within the shown events");
        self.store
            .record(i as u64)
            .expect("an index within the trace")
    }

    /// The id of event `i` (an index below [`EventLog::len`], as for every accessor here).
    #[inline]
    pub fn id(&self, i: usize) -> Uuid {
        self.record(i).id
    }

    /// The phase of event `i`.
    #[inline]
    pub fn phase(&self, i: usize) -> Phase {
        self.record(i).phase
    }

    /// When event `i` was created: nanoseconds since the clock's origin (the bus's, or the file's
    /// own time base for an imported trace).
    #[inline]
    pub fn timestamp_ns(&self, i: usize) -> u64 {
        self.record(i).timestamp_ns
    }

    /// The emission number of event `i` (0 for imported events without one; see
    /// [`EventLog::has_seq`]).
    #[inline]
    pub fn seq(&self, i: usize) -> u64 {
        debug_assert!(i < self.shown, "an index within the shown events");
        self.store
            .seq_at(i as u64)
            .expect("an index within the trace")
    }

    /// The start event of the operation enclosing event `i`, if it names one.
    #[inline]
    pub fn parent_id(&self, i: usize) -> Option<Uuid> {
        self.store.parent_id(self.record(i))
    }

    /// For an end event, the start event it closes; `None` for start events and for the Python
    /// original's ends, which do not name their start.
    #[inline]
    pub fn start_id(&self, i: usize) -> Option<Uuid> {
        debug_assert!(i < self.shown, "an index within the shown events");
        self.store.start_id_at(i as u64)
    }

    /// For an end event, the index of the start event it closes, if shown: what
    /// `index_of(&start_id(i)?)` answers (the id's first holder), found by position when
    /// the record names the held record its start's id is read from (the event before it,
    /// or the one a parents-table entry names) and that record is shown and its id's first
    /// holder: in lineage's own traces every end, without an id lookup.
    #[inline]
    pub fn start_index(&self, i: usize) -> Option<usize> {
        debug_assert!(i < self.shown, "an index within the shown events");
        if let Some(s) = self.store.start_held_at(i as u64) {
            let s = s as usize;
            if s < self.shown && !self.is_duplicate(s) {
                return Some(s);
            }
        }
        self.start_id(i).and_then(|id| self.index_of(&id))
    }

    /// The lineage of event `i`: shared by every event descending from one root call.
    pub fn lineage_id(&self, i: usize) -> Uuid {
        self.store.lineage_id(self.record(i))
    }

    /// The start event of the outermost operation event `i` belongs to.
    pub fn root_id(&self, i: usize) -> Uuid {
        self.store.root_id(self.record(i))
    }

    /// The event's kind.
    pub fn kind(&self, i: usize) -> &str {
        self.store.kind(self.record(i))
    }

    /// The distinct kinds of the shown events, in order of first appearance.
    pub fn kinds(&self) -> impl Iterator<Item = &str> + '_ {
        self.kinds
            .iter()
            .take_while(|&&(_, i)| i < self.shown)
            .map(|&(k, _)| self.store.symbols().str(k))
    }

    /// The process name, if the payload has one.
    pub fn process_name(&self, i: usize) -> Option<&str> {
        let p = self.store.process_sym(self.record(i));
        (!p.is_none()).then(|| self.store.symbols().str(p))
    }

    /// The process name, or the kind when there is none: what a tree row is labelled with.
    pub fn label(&self, i: usize) -> &str {
        self.store.label(self.record(i))
    }

    /// Whether any event carries an emission number.
    pub fn has_seq(&self) -> bool {
        self.first_seq.is_some_and(|i| i < self.shown)
    }

    /// Whether some end event does not name its start (the original's sibling-linked ends).
    pub fn has_unnamed_ends(&self) -> bool {
        self.first_unnamed_end.is_some_and(|i| i < self.shown)
    }

    /// The earliest and latest event timestamp (both 0 when empty).
    pub fn time_range(&self) -> (u64, u64) {
        if self.shown == self.store.len() {
            return self.time_range.unwrap_or((0, 0));
        }
        if self.shown == 0 {
            return (0, 0);
        }
        if self.lo_steps.first().map(|s| s.0) != Some(0) {
            // Not kept (an imported trace): read the shown events.
            return (0..self.shown).fold((u64::MAX, 0), |(lo, hi), i| {
                let t = self.timestamp_ns(i);
                (lo.min(t), hi.max(t))
            });
        }
        let last_before = |steps: &[(u32, u64)]| {
            let k = steps.partition_point(|&(i, _)| (i as usize) < self.shown);
            steps[k - 1].1
        };
        (last_before(&self.lo_steps), last_before(&self.hi_steps))
    }

    /// Events shown (the prefix readers see; see the module docs).
    pub fn len(&self) -> usize {
        self.shown
    }

    /// No event shown.
    pub fn is_empty(&self) -> bool {
        self.shown == 0
    }

    /// The index of the event with this id (the first, if duplicated).
    pub fn index_of(&self, id: &Uuid) -> Option<usize> {
        self.store
            .position_of(id)
            .map(|p| p as usize)
            .filter(|&i| i < self.shown)
    }

    /// The event with this id (the first, if duplicated), decoded.
    pub fn get(&self, id: &Uuid) -> Option<Event> {
        self.index_of(id).map(|i| self.event(i))
    }

    /// Whether event `i`'s id was already taken by an earlier event: the same answer as
    /// `index_of(&id(i)) != Some(i)`, without decoding the id or looking it up (the spans'
    /// build asks it of every span, a million lookups in a million-event file's open).
    #[inline]
    pub fn is_duplicate(&self, i: usize) -> bool {
        !self.duplicates.is_empty() && self.duplicate_indexes().binary_search(&i).is_ok()
    }

    /// Indexes of events whose id was already taken by an earlier event.
    pub fn duplicate_indexes(&self) -> &[usize] {
        &self.duplicates[..self.duplicates.partition_point(|&i| i < self.shown)]
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::core::Phase;

    #[test]
    fn the_kinds_are_listed_once_each_in_order_of_first_appearance() {
        let root = Event::root("processing", Phase::Started);
        let child = Event::child_of(&root, "custom", Phase::Started);
        let end = Event::child_of(&root, "processed", Phase::Completed);
        let again = Event::child_of(&root, "processing", Phase::Started);
        let trace = EventLog::new(vec![root, child, end, again]);
        assert_eq!(
            trace.kinds().collect::<Vec<_>>(),
            ["processing", "custom", "processed"]
        );
        assert_eq!(EventLog::default().kinds().count(), 0);
    }

    #[test]
    fn is_duplicate_answers_as_the_id_lookup_does_for_every_shown_event() {
        let a = Event::root("a", Phase::Started);
        let b = Event::root("b", Phase::Started);
        let mut again = Event::root("a again", Phase::Started);
        again.id = a.id;
        let mut b_twice = Event::root("b again", Phase::Started);
        b_twice.id = b.id;
        let mut trace = EventLog::new(vec![a, b, again, b_twice.clone(), b_twice]);
        let by_lookup = |t: &EventLog| {
            (0..t.len())
                .map(|i| t.index_of(&t.id(i)) != Some(i))
                .collect::<Vec<_>>()
        };
        let by_list = |t: &EventLog| (0..t.len()).map(|i| t.is_duplicate(i)).collect::<Vec<_>>();
        assert_eq!(by_list(&trace), [false, false, true, true, true]);
        assert_eq!(by_list(&trace), by_lookup(&trace));
        trace.show_first(3);
        assert_eq!(by_list(&trace), by_lookup(&trace));
        let plain = EventLog::new(vec![Event::root("x", Phase::Started)]);
        assert!(!plain.is_duplicate(0));
    }

    #[test]
    fn start_index_answers_as_the_id_lookup_does_also_when_the_event_before_is_a_duplicate() {
        let root = Event::root("op", Phase::Started);
        let inner = Event::child_of(&root, "inner", Phase::Started);
        let mut inner_end = Event::child_of(&root, "inner", Phase::Completed);
        inner_end.start_id = Some(inner.id); // names the event just before it
        let mut root_end = Event::child_of(&root, "op", Phase::Completed);
        root_end.start_id = Some(root.id); // names one further back
        let mut twin = Event::root("twin", Phase::Started);
        twin.id = root.id; // a duplicate of the root, then an end naming that id
        let mut twin_end = Event::root("twin", Phase::Completed);
        twin_end.start_id = Some(root.id);
        let mut lost_end = Event::root("lost", Phase::Completed);
        lost_end.start_id = Some(Uuid::from_u128(7));
        let trace = EventLog::new(vec![
            root, inner, inner_end, root_end, twin, twin_end, lost_end,
        ]);
        let found: Vec<Option<usize>> = (0..trace.len()).map(|i| trace.start_index(i)).collect();
        let looked_up: Vec<Option<usize>> = (0..trace.len())
            .map(|i| trace.start_id(i).and_then(|id| trace.index_of(&id)))
            .collect();
        assert_eq!(found, looked_up);
        assert_eq!(found, [None, None, Some(1), Some(0), None, Some(0), None]);
        let held: Vec<Option<u64>> = (0..7).map(|p| trace.store().start_held_at(p)).collect();
        assert_eq!(held[2], Some(1), "the event before it");
        assert_eq!(
            held[5],
            Some(4),
            "the event before it, a duplicate: looked up instead"
        );
        assert_eq!(held[3], Some(0), "through the parents table");
    }
}
