//! # The event store
//!
//! One compact representation of events, used wherever lineage keeps many of them: the bus's
//! queue and bounded history, and (through `inspect::EventLog`) every opened trace.
//!
//! - `record`: a `Record` is one event in a fixed-size `Copy` struct owning no heap
//!   memory; the payload beyond its names is encoded into the `arena`.
//! - `symbols`: kinds, names and field keys interned once (`Sym`); `origins`: each
//!   (process, function) pair of names kept once, and each (kind, pair) as a site;
//!   `layouts`: the key lists of emit sites, kept once, so a blob names its fields' keys
//!   with one number.
//! - `trees`: each (root, lineage) pair kept once (`trees::TreeId`).
//! - `parents`: each parent id kept once with its child list (`parents::ParentId`): the
//!   `children_by_parent` index.
//! - `arena`: payload bytes in chunks released and reused in FIFO order.
//! - `hash`: the seeded hash of interned strings, the same [`crate::core::ids::IdHash`] as ids.
//! - `write.rs`, `index.rs`, `read.rs`: the store's methods, by what they do: encode and
//!   push (evicting), keep the two indexes, read by position or id; `links.rs`: how a
//!   record names its start, its parent and its emission number (by position or slot when
//!   it can, `seqs.rs`, `parent_slots.rs`).
//! - `pending.rs`: the bus's queue as the ring's unprocessed tail.
//! - `prepared`: events a listener encodes without building an `Event` first.
//! - `shared_text`: a JSON text's piece that many events share (an OTLP span's resource
//!   and scope) kept once, as a symbol.
//! - `search`: whether an event's text contains a needle, read from its record and blob
//!   (`payload_json.rs` writes a payload's JSON from them).
//!
//! ## Why this shape
//! The first bus kept a `VecDeque` of ~300-byte events, each owning a field vector, id
//! vectors and strings: ~900 bytes resident per retained event, 2.3 allocations per event,
//! and every eviction freed memory gone cold 10 000 events earlier. Here the records live in
//! a ring that a bounded store overwrites in place (nothing to drop), strings are four-byte
//! symbols, and the two indexes the original keeps are small: `events_by_id` is a hash table
//! of *slot numbers* that compares through the records (the id is stored once, in its
//! record, and an entry costs four bytes), and `children_by_parent` is the parents table,
//! where each parent id is kept once for all the records naming it.
//!
//! Children are an intrusive list: each parent's entry holds the slots of its first and last
//! child, each record the slot of its next sibling. Records enter and leave in the same
//! order, so the child evicted is always the head of its parent's list.
//!
//! Positions (`u64`) number events from the first one the store ever held; they are what
//! callers see, and stay valid as long as the event is held.

pub(crate) mod arena;
mod batch;
pub(crate) mod field_keys;
pub(crate) mod hash;
mod index;
pub(crate) mod layouts;
mod links;
mod origins;
mod parent_hints;
mod parent_slots;
pub(crate) mod parents;
mod payload_json;
mod pending;
// Public only for the listener (a hidden module): not the library's surface.
#[doc(hidden)]
pub mod prepared;
mod read;
pub(crate) mod record;
pub(crate) mod search;
mod seqs;
pub(crate) mod sharded;
mod shared_text;
pub(crate) mod sym;
pub(crate) mod symbols;
pub(crate) mod trees;
mod write;
mod write_ref;

use std::collections::BTreeMap;

use sharded::ShardedTable;
use uuid::Uuid;

use self::arena::Arena;
use self::origins::Origins;
use self::parents::Parents;
use self::record::{Record, NO_SLOT};
use self::seqs::Seqs;
use self::symbols::Symbols;
use self::trees::Trees;
use super::event::{Kind, Phase};
use super::ids::IdHash;

pub use self::arena::BlobRef;
pub(crate) use self::parent_hints::ParentHint;
pub(crate) use self::write::NameSyms;

/// What one entry of the `late` table costs, counted with the records: two `u64`s and a
/// B-tree node's share (a node holds up to 11 entries, ~200 bytes).
const LATE_ENTRY_BYTES: usize = 36;
/// The same for an entry of `far_siblings`: two `u32`s and a node's share.
const FAR_SIBLING_BYTES: usize = 28;

/// Which event owns an id that arrives twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Duplicates {
    /// The newest (the bus: what `get` returns is what was emitted last).
    KeepLatest,
    /// The first (a trace file: later copies are reported, not merged).
    KeepFirst,
}

/// The header of an event about to be stored: what `EventStore::encode` needs besides the
/// payload. The wrapper fills it without building an [`Event`](crate::core::Event).
pub struct Header<'a> {
    pub(crate) id: Uuid,
    pub(crate) kind: &'a Kind,
    pub(crate) phase: Phase,
    pub(crate) parent_id: Option<Uuid>,
    pub(crate) root_id: Uuid,
    pub(crate) lineage_id: Uuid,
    pub(crate) start_id: Option<Uuid>,
    pub(crate) seq: u64,
    pub(crate) timestamp_ns: u64,
    pub(crate) duration_ns: Option<u64>,
    pub(crate) error: Option<&'a str>,
    /// Where the parent's record was queued, if the wrapper knows (`parent_hints.rs`).
    pub(crate) parent_hint: ParentHint,
    /// Where the start's record was queued, for an end the wrapper emits.
    pub(crate) start_hint: ParentHint,
}

impl<'a> Header<'a> {
    /// The header of a public [`Event`](crate::core::Event), with no hints: an event that
    /// arrives whole (a file's, `emit()`'s) was not queued by the wrapper.
    pub(crate) fn of_event(e: &'a crate::core::Event) -> Header<'a> {
        Header {
            id: e.id,
            kind: &e.kind,
            phase: e.phase,
            parent_id: e.parent_id,
            root_id: e.root_id,
            lineage_id: e.lineage_id,
            start_id: e.start_id,
            seq: e.seq,
            timestamp_ns: e.timestamp_ns,
            duration_ns: e.duration_ns,
            error: e.error.as_deref(),
            parent_hint: ParentHint::NONE,
            start_hint: ParentHint::NONE,
        }
    }
}

/// Events in a ring of `Record`s with their indexes; see the module docs.
#[derive(Clone, Debug)]
pub struct EventStore {
    records: Vec<Record>,
    capacity: usize,
    /// Slot of the oldest event.
    head: usize,
    /// Events held (processed); the `pending` ones follow them in the ring.
    len: usize,
    /// Records encoded but not yet processed, in the ring after the held ones: the bus's
    /// queue (`pending.rs`). Not held: no index names them, no read sees them.
    pending: usize,
    /// Position of the oldest event.
    base: u64,
    /// Emission numbers as runs of positions (`seqs.rs`).
    seqs: Seqs,
    /// The id of the start evicted last when it has `ENDED_NEXT`: the start of the oldest
    /// event held if that one names it as `START_PREV` (`record.rs`).
    start_of_head: Uuid,
    symbols: Symbols,
    origins: Origins,
    arena: Arena,
    trees: Trees,
    by_id: ShardedTable<u32>,
    /// Held events at positions below this are in `by_id`; the ones from it on are not yet.
    /// A store written with `push` indexes every event as it comes; a bus's history
    /// (`pending.rs`) leaves its ids to [`EventStore::catch_up_ids`], run before the bus
    /// hands out a read (`index.rs` says why).
    ids_to: u64,
    /// Each parent id once, with its child list: `children_by_parent`.
    parents: Parents,
    /// The next sibling's slot of children whose next sibling is too far on for their
    /// record's 16 bits (`Record::next_sibling`), by the child's slot; rare.
    far_siblings: BTreeMap<u32, u32>,
    /// The seeded hash of `events_by_id`, drawn per store (`core/ids.rs` says why).
    id_hash: IdHash,
    duplicates: Duplicates,
    duplicate_ids: u64,
    /// Processing times a record's 32-bit lag cannot hold, by position (`record.rs` says
    /// why the lag is 32 bits); a bus leaves it empty.
    late: BTreeMap<u64, u64>,
    scratch: Vec<u8>,
}

impl EventStore {
    /// Bytes of one event's fixed-size record (the `records` part of
    /// [`heap_parts`](Self::heap_parts) is this times the room made), so tests of the room an
    /// import makes follow the record's layout instead of repeating its size.
    pub const RECORD_BYTES: usize = std::mem::size_of::<Record>();

    /// A store keeping at most `capacity` events (at least one), evicting the oldest.
    pub fn bounded(capacity: usize, duplicates: Duplicates) -> EventStore {
        let capacity = capacity.clamp(1, NO_SLOT as usize - 1);
        EventStore::with_room(capacity, duplicates, capacity.min(1 << 16))
    }

    /// A store keeping at most `capacity` (already clamped) events, with room for `reserve`.
    fn with_room(capacity: usize, duplicates: Duplicates, reserve: usize) -> EventStore {
        EventStore {
            records: Vec::with_capacity(reserve),
            capacity,
            head: 0,
            len: 0,
            pending: 0,
            base: 0,
            seqs: Seqs::default(),
            start_of_head: Uuid::nil(),
            symbols: Symbols::default(),
            origins: Origins::default(),
            arena: Arena::default(),
            trees: Trees::default(),
            by_id: ShardedTable::with_capacity(reserve),
            ids_to: 0,
            parents: Parents::default(),
            far_siblings: BTreeMap::new(),
            id_hash: IdHash::random(),
            duplicates,
            duplicate_ids: 0,
            late: BTreeMap::new(),
            scratch: Vec::with_capacity(256),
        }
    }

    /// A store that never evicts (up to 2^32 − 2 events): a trace read from a file.
    pub fn unbounded() -> EventStore {
        // No room made up front: a file's importer makes room for the whole file once it
        // has seen a slice of it ([`EventStore::reserve`]). 64 k records made here were a
        // 4.9 MB hole in the page's wasm memory once that room moved them, and 4.9 MB more
        // held by the empty trace on screen while a file opens (docs/page-open.md).
        let mut s = EventStore::with_room(NO_SLOT as usize - 1, Duplicates::KeepFirst, 0);
        // Never evicting, its id table only grows: its split tables grow at different sizes
        // (`sharded.rs`).
        s.by_id.stagger();
        s
    }

    /// The most events held before the oldest is evicted (`usize::MAX` for a file's store).
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Position of the oldest event held: positions count every event ever pushed, so a
    /// capped history's first held event is past the ones it pruned.
    pub fn first_position(&self) -> u64 {
        self.base
    }

    /// Events held now (at most [`EventStore::capacity`]).
    pub fn len(&self) -> usize {
        self.len
    }

    /// No event held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many events were evicted to respect the cap.
    pub fn pruned(&self) -> u64 {
        self.base
    }

    /// How many events arrived with an id already held.
    pub fn duplicate_ids(&self) -> u64 {
        self.duplicate_ids
    }

    pub(crate) fn symbols(&self) -> &Symbols {
        &self.symbols
    }

    /// The heap this store holds: records, indexes, payload bytes, symbols and trees. What
    /// memory budgets count.
    pub fn heap_bytes(&self) -> usize {
        self.heap_parts().iter().map(|(_, bytes)| bytes).sum()
    }

    /// [`EventStore::heap_bytes`] part by part: where a retained event's bytes go
    /// (`lineage bench --memory` prints it).
    pub fn heap_parts(&self) -> [(&'static str, usize); 6] {
        [
            (
                "records",
                self.records.capacity() * std::mem::size_of::<Record>()
                    + self.late.len() * LATE_ENTRY_BYTES
                    + self.seqs.heap_bytes(),
            ),
            ("payload arena", self.arena.heap_bytes()),
            ("events_by_id", self.by_id.allocation_size()),
            (
                "children_by_parent",
                self.parents.heap_bytes() + self.far_siblings.len() * FAR_SIBLING_BYTES,
            ),
            (
                "symbols",
                self.symbols.heap_bytes() + self.origins.heap_bytes(),
            ),
            ("trees", self.trees.heap_bytes()),
        ]
    }
}

#[cfg(test)]
mod hints_tests;
#[cfg(test)]
mod layouts_tests;
#[cfg(test)]
mod parents_tests;
#[cfg(test)]
mod positions_tests;
#[cfg(test)]
mod siblings_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod wide_tests;
