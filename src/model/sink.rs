//! # Where imported events go
//!
//! An importer hands each [`Event`] to an [`EventSink`] as soon as the event is complete, so
//! the only copy of the trace that grows with the input is the sink's. The sink says how much
//! memory it holds ([`EventSink::retained_bytes`]); the importer checks that, and the number of
//! events, against the import limits (`trace::Limits`) after every push and stops with a positioned
//! error when either is exceeded.
//!
//! Two sinks live here: [`EventVec`], a `Vec<Event>` that keeps a running estimate of the heap
//! its events own (what `trace::import` collects into), and `Vec<Event>` itself with
//! a coarser estimate. The event store of `core` is a sink too.

use crate::core::{Event, EventRef, Payload};

/// A sink refused an event because its own budget is spent. The importer turns it into an
/// import error (`trace::ImportError`) that says at which event and where in the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BudgetExceeded {
    /// The bytes the sink held when it refused.
    pub retained_bytes: usize,
    /// Its budget: the most it may hold, in bytes.
    pub limit_bytes: usize,
}

/// Receives the events of an import, one at a time.
pub trait EventSink {
    /// Keeps `event`, or refuses it when the sink's own budget is spent.
    fn push(&mut self, event: Event) -> Result<(), BudgetExceeded>;
    /// Keeps an event whose strings still borrow from the text it was read from. By
    /// default the owned event is built and [`push`](EventSink::push)ed; the event store
    /// encodes it directly, allocating nothing for its strings.
    fn push_ref(&mut self, event: EventRef<'_>) -> Result<(), BudgetExceeded> {
        self.push(event.into_event())
    }
    /// [`push_ref`](EventSink::push_ref) by reference: an `EventRef` is ~400 bytes, and an
    /// import that fills one in place and hands it on by value paid a `memcpy` call for each
    /// move (callgrind, 2026-12-06: ~75 instructions an event). A sink that encodes it
    /// directly (the event store) reads it where it lies; by default it is copied and
    /// [`push_ref`](EventSink::push_ref)ed.
    fn push_borrowed(&mut self, event: &EventRef<'_>) -> Result<(), BudgetExceeded> {
        self.push_ref(event.clone())
    }
    /// Whether [`push_borrowed`](EventSink::push_borrowed) encodes the event where it lies
    /// (the event store) rather than building the owned event. An importer that has the
    /// owned event's parts at hand anyway (an OTLP span's) hands over a borrowed one only
    /// then, so any other sink gets exactly the events it always got.
    const ENCODES_BORROWED: bool = false;
    /// The memory the sink holds for its events, in bytes (an estimate is fine: it is
    /// compared with a budget, not billed).
    fn retained_bytes(&self) -> usize;
    /// Makes room for `events` more events, when the importer knows how many are coming (a
    /// Chrome trace's held slices at the end of the input): a sink that grows by doubling
    /// then grows once, before the events, instead of copying everything it holds in the
    /// middle of them. Does nothing by default.
    fn reserve(&mut self, events: usize) {
        let _ = events;
    }
}

/// A `Vec<Event>` with a running estimate of the heap its events own.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventVec {
    /// The events received, in the order they were pushed.
    pub events: Vec<Event>,
    heap: usize,
}

impl EventVec {
    /// An empty sink with no budget of its own (the importer's limits bound it).
    pub fn new() -> EventVec {
        EventVec::default()
    }

    pub(crate) fn into_events(self) -> Vec<Event> {
        self.events
    }
}

impl EventSink for EventVec {
    fn push(&mut self, event: Event) -> Result<(), BudgetExceeded> {
        self.heap += heap_bytes(&event);
        self.events.push(event);
        Ok(())
    }

    fn retained_bytes(&self) -> usize {
        self.events.capacity() * std::mem::size_of::<Event>() + self.heap
    }
}

/// What an event of a typical trace owns on the heap besides its struct, for the estimate of
/// a plain `Vec<Event>` (which cannot keep a running sum): the pipeline's events, read back
/// from NDJSON, own 100 to 250 bytes each.
pub(crate) const TYPICAL_HEAP_PER_EVENT: usize = 200;

impl EventSink for Vec<Event> {
    fn push(&mut self, event: Event) -> Result<(), BudgetExceeded> {
        Vec::push(self, event);
        Ok(())
    }

    fn retained_bytes(&self) -> usize {
        self.capacity() * std::mem::size_of::<Event>() + self.len() * TYPICAL_HEAP_PER_EVENT
    }
}

/// An estimate of the heap bytes `event` owns: its strings, id lists and payload fields,
/// each counted as the allocator's chunk for it (glibc: the size plus 8, rounded up to 16,
/// at least 32). Checked against the peak resident memory of `lineage bench --import`.
pub(crate) fn heap_bytes(event: &Event) -> usize {
    let text = |s: &str| if s.is_empty() { 0 } else { granule(s.len()) };
    let owned = |k: &crate::core::Kind| match k {
        std::borrow::Cow::Borrowed(_) => 0,
        std::borrow::Cow::Owned(s) => text(s),
    };
    let Payload {
        process_name,
        function_name,
        input_entity_ids,
        output_entity_ids,
        extra,
        ..
    } = &event.payload;
    let mut n = owned(&event.kind)
        + event.error.as_deref().map_or(0, text)
        + process_name.as_ref().map_or(0, owned)
        + function_name.as_ref().map_or(0, owned)
        + granule(16 * input_entity_ids.capacity())
        + granule(16 * output_entity_ids.capacity());
    // Members and values kept as JSON text (`core::raw`): nothing for the bus's events.
    n += event.unknown.heap_bytes() + event.payload.unknown.heap_bytes();
    n += extra.raw().heap_bytes();
    if !extra.is_empty() {
        n += granule(extra.len() * 56);
        for (key, value) in extra.iter() {
            n += text(key) + value_heap(value);
        }
    }
    n
}

/// A JSON value's heap: a map is a B-tree whose nodes (up to 11 entries) take about 550
/// bytes each however few entries they hold, which dominates small maps.
fn value_heap(v: &serde_json::Value) -> usize {
    use serde_json::Value;
    const NODE: usize = 560;
    match v {
        Value::String(s) => granule(s.len()),
        Value::Array(a) => granule(a.len() * 32) + a.iter().map(value_heap).sum::<usize>(),
        Value::Object(o) => {
            NODE * o.len().div_ceil(11)
                + o.iter()
                    .map(|(k, v)| granule(k.len()) + value_heap(v))
                    .sum::<usize>()
        }
        _ => 0,
    }
}

/// The allocator's chunk for an allocation of `n` bytes (0 for none).
fn granule(n: usize) -> usize {
    if n == 0 {
        0
    } else {
        ((n + 8).div_ceil(16) * 16).max(32)
    }
}
