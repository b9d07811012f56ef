//! # The listener's store
//!
//! Every event a listener accepts goes into one bounded [`EventStore`], the compact store
//! imports use, numbered by a listener sequence: the `n`th event ever stored has `seq` `n`
//! (the store's position plus one). Readers (the page's streams) hold only a sequence number
//! and read from the store at their own pace, so a slow reader costs nothing and a reader
//! that falls behind the retained window is told how many it lost (a gap).
//!
//! ## When it is full
//! The budget is the import budget ([`Limits`]): events and the bytes the store holds. What
//! happens at the edge is a setting ([`WhenFull`]): keep the newest (evict the oldest, count
//! them) or refuse new events (the HTTP layer answers 429 with `Retry-After`). Either way
//! nothing queues: an event is stored or refused when its request is handled.

use std::io::Write;

use uuid::Uuid;

use super::batch::Batch;
use crate::core::store::prepared::{BatchSyms, Prepared};
use crate::core::store::Duplicates;
use crate::core::{Event, EventRef, EventStore};
use crate::trace::{native, Limits};

/// The memory budget's share per event slot. The parts of the store that never shrink cost
/// up to ~210 bytes a slot (the 104-byte record, the index entries, and ~90 bytes of tree
/// table when every event is its own root, measured); 320 leaves a third of the budget for
/// payload bytes, which eviction does give back. 1 GiB: 3.3 M events at most.
const BYTES_PER_EVENT: u64 = 320;

/// What a full listener does with new events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(target_arch = "wasm32"), derive(clap::ValueEnum))]
pub enum WhenFull {
    /// Evict the oldest events to make room; streams behind the window get a `gap`.
    KeepNewest,
    /// Refuse new events (429 + Retry-After) until the listener restarts.
    Refuse,
}

impl WhenFull {
    pub const fn as_str(self) -> &'static str {
        match self {
            WhenFull::KeepNewest => "keep-newest",
            WhenFull::Refuse => "refuse",
        }
    }
}

/// The counters every status message carries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Events that arrived in readable requests (stored or refused).
    pub received: u64,
    /// Events stored, ever (the last seq given).
    pub stored: u64,
    /// Stored events evicted to keep the budget (keep-newest).
    pub evicted: u64,
    /// Events refused because the store was full (refuse), or larger than the budget.
    pub refused: u64,
}

/// What [`LiveStore::commit`] did with a batch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Committed {
    pub stored: u64,
    /// The events refused, from the end of the batch (their index starts at `stored`).
    pub refused: u64,
    /// Events evicted to make room.
    pub evicted: u64,
}

/// The bounded store, its counters and the optional recording; see the module docs.
pub struct LiveStore {
    store: EventStore,
    limits: Limits,
    when_full: WhenFull,
    counts: Counts,
    out: Option<Box<dyn Write + Send>>,
    line: Vec<u8>,
    /// The listener's id in `hello` and `status`; see [`LiveStore::instance`].
    instance: Option<String>,
}

impl LiveStore {
    /// A store within `limits` (events and retained bytes; the rest is for request bodies).
    pub fn new(limits: Limits, when_full: WhenFull) -> LiveStore {
        // The ring of records never shrinks, so the event cap must leave the memory budget
        // room for payloads: at most one event per BYTES_PER_EVENT of the budget.
        let by_memory = limits.max_retained_bytes / BYTES_PER_EVENT;
        let cap = limits
            .max_events
            .min(by_memory)
            .clamp(1, u32::MAX as u64 - 2) as usize;
        LiveStore {
            store: EventStore::bounded(cap, Duplicates::KeepFirst),
            limits,
            when_full,
            counts: Counts::default(),
            out: None,
            line: Vec::with_capacity(512),
            instance: None,
        }
    }

    /// The id of this store's numbering, which a page compares across reconnections: set
    /// by [`LiveStore::set_instance`] (a listener without a recording draws a UUID per
    /// process), else the id of the first event ever stored. With `--out` that event is line
    /// 1 of the recording, read back first on a restart: a listener restarted on its
    /// recording numbers on AND keeps its instance, so a page simply continues; another
    /// recording, or a fresh one, is another instance (or, before its first event, none:
    /// the page then goes by `next_seq`, and learns the id from the next `status`).
    pub fn instance(&self) -> Option<&str> {
        self.instance.as_deref()
    }

    pub fn set_instance(&mut self, id: String) {
        self.instance = Some(id);
    }

    /// Records every stored event as a lineage NDJSON line to `out`, flushed per batch.
    pub fn record_to(&mut self, out: Box<dyn Write + Send>) {
        self.out = Some(out);
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The most events held: `max_events`, or fewer when the memory budget says so.
    pub fn capacity(&self) -> u64 {
        self.store.capacity() as u64
    }

    pub fn when_full(&self) -> WhenFull {
        self.when_full
    }

    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// The seq of the oldest event held (`next_seq` when none is).
    pub fn first_seq(&self) -> u64 {
        self.store.first_position() + 1
    }

    /// The seq the next stored event gets.
    pub fn next_seq(&self) -> u64 {
        self.store.first_position() + self.store.len() as u64 + 1
    }

    /// The bytes the store holds (what the memory budget counts).
    pub fn heap_bytes(&self) -> usize {
        self.store.heap_bytes()
    }

    /// Whether a new event would be refused right now (policy `refuse`, or a store whose
    /// memory is spent even when empty).
    pub fn is_refusing(&self) -> bool {
        match self.when_full {
            WhenFull::Refuse => self.is_full(),
            WhenFull::KeepNewest => self.over_memory() && self.store.is_empty(),
        }
    }

    fn is_full(&self) -> bool {
        self.store.len() == self.store.capacity() || self.over_memory()
    }

    fn over_memory(&self) -> bool {
        self.store.heap_bytes() as u64 > self.limits.max_retained_bytes
    }

    /// Stores `events` in order under the policy; writes the stored ones to the recording
    /// (whole lines, flushed once at the end). An error is the recording's: the events are
    /// stored all the same.
    pub fn commit(&mut self, events: &[Event]) -> (Committed, std::io::Result<()>) {
        self.commit_from(Source::Events(events))
    }

    /// [`LiveStore::commit`] for a request's batch, owned events or prepared.
    pub fn commit_batch(&mut self, batch: &Batch) -> (Committed, std::io::Result<()>) {
        match batch {
            Batch::None => self.commit(&[]),
            Batch::Events(events) => self.commit(events),
            Batch::Prepared(p) => self.commit_from(Source::Prepared(p, BatchSyms::default())),
        }
    }

    fn commit_from(&mut self, mut source: Source<'_, '_>) -> (Committed, std::io::Result<()>) {
        let mut done = Committed::default();
        let mut written = Ok(());
        let len = source.len();
        for i in 0..len {
            if !self.take(&mut source, i, &mut done, &mut written) {
                // Refused: the policy refuses every later event of the batch too (a full
                // store under `refuse` stays full; an empty store over its memory stays so).
                self.counts.received += (len - i - 1) as u64;
                self.counts.refused += (len - i - 1) as u64;
                done.refused += (len - i - 1) as u64;
                break;
            }
        }
        (done, self.end_batch(written))
    }

    /// Stores event `i` of `source` under the policy, counts it in `done` and the counters,
    /// and writes it to the recording (not flushed; see [`LiveStore::end_batch`]). `false`
    /// when it was refused. One event at a time, so a body read line by line goes straight
    /// into the store (`listener::lines`) under the same policy as a decoded batch.
    pub(crate) fn take(
        &mut self,
        source: &mut Source<'_, '_>,
        i: usize,
        done: &mut Committed,
        written: &mut std::io::Result<()>,
    ) -> bool {
        self.counts.received += 1;
        if !self.make_room(done) {
            done.refused += 1;
            self.counts.refused += 1;
            return false;
        }
        let pos = source.push(i, &mut self.store);
        if self.instance.is_none() {
            self.instance = Some(source.id(i).to_string());
        }
        done.stored += 1;
        self.counts.stored += 1;
        if written.is_ok() && self.out.is_some() {
            *written = match source {
                Source::Events(events) => self.write(&events[i]),
                Source::Ref(e) => self.write_ref(e),
                // The event as stored (the store keeps it whole): built only to be written.
                Source::Prepared(..) => match self.store.event(pos) {
                    Some(e) => self.write(&e),
                    None => Ok(()),
                },
            };
        }
        true
    }

    /// Evicts what the policy says to make room for one more event; `false` when the
    /// event must be refused instead. Evictions are counted in `done` and the counters.
    fn make_room(&mut self, done: &mut Committed) -> bool {
        let before = done.evicted;
        match self.when_full {
            WhenFull::Refuse if self.is_full() => return false,
            WhenFull::KeepNewest if self.store.len() == self.store.capacity() => {
                done.evicted += 1; // push evicts the oldest itself
            }
            _ => {}
        }
        // The memory is measured once per event when under budget (it is asked for every
        // event stored: twice was ~5 % of a span's instructions, `docs/live.md`).
        let mut over = self.when_full == WhenFull::KeepNewest && self.over_memory();
        while over && self.store.evict_oldest_event() {
            done.evicted += 1;
            over = self.over_memory();
        }
        self.counts.evicted += done.evicted - before;
        // Empty and still over: symbols alone spend the budget.
        !over
    }

    /// The end of a batch: flushes the recording once, unless writing it already failed.
    pub(crate) fn end_batch(&mut self, written: std::io::Result<()>) -> std::io::Result<()> {
        match (written, self.out.as_mut()) {
            (Ok(()), Some(out)) => out.flush(),
            (written, _) => written,
        }
    }

    /// Stores an event read back from the recording (not written again); returns 1 if it
    /// was refused.
    pub fn replay(&mut self, e: &Event) -> u64 {
        let out = self.out.take();
        let (done, _) = self.commit(std::slice::from_ref(e));
        self.out = out;
        done.refused
    }

    /// One event's line, written whole: serialized first, then handed over in one call.
    fn write(&mut self, e: &Event) -> std::io::Result<()> {
        let Some(out) = self.out.as_mut() else {
            return Ok(());
        };
        self.line.clear();
        native::write_line(&mut self.line, e)?;
        out.write_all(&self.line)
    }

    /// [`LiveStore::write`] for an event borrowed from its line: the same bytes, written
    /// without building the owned event (`super::recording`).
    fn write_ref(&mut self, e: &EventRef<'_>) -> std::io::Result<()> {
        let Some(out) = self.out.as_mut() else {
            return Ok(());
        };
        self.line.clear();
        super::recording::write_ref_line(&mut self.line, e);
        out.write_all(&self.line)
    }

    /// Flushes the recording (at shutdown).
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.as_mut().map_or(Ok(()), |o| o.flush())
    }

    /// The event with listener seq `seq`, if still held.
    pub fn event(&self, seq: u64) -> Option<Event> {
        seq.checked_sub(1).and_then(|p| self.store.event(p))
    }
}

/// What a commit stores: owned events, one event borrowed from its line, or a prepared
/// batch with what its events are stored with (interned as they are first stored).
pub(crate) enum Source<'a, 'b> {
    Events(&'a [Event]),
    Ref(&'a EventRef<'b>),
    Prepared(&'a Prepared, BatchSyms),
}

impl Source<'_, '_> {
    fn len(&self) -> usize {
        match self {
            Source::Events(events) => events.len(),
            Source::Ref(_) => 1,
            Source::Prepared(p, _) => p.len(),
        }
    }

    fn id(&self, i: usize) -> Uuid {
        match self {
            Source::Events(events) => events[i].id,
            Source::Ref(e) => e.id,
            Source::Prepared(p, _) => p.events[i].id,
        }
    }

    /// Stores event `i`; returns its position.
    fn push(&mut self, i: usize, store: &mut EventStore) -> u64 {
        match self {
            Source::Events(events) => store.push_event(&events[i], 0),
            Source::Ref(e) => {
                let record = store.encode_ref(e);
                store.push(record, 0)
            }
            Source::Prepared(p, syms) => store.push_prepared(p, i, syms),
        }
    }
}
