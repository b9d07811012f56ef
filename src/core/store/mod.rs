//! # The event store
//!
//! One compact representation of events, used wherever lineage keeps many of them: the bus's
//! queue and bounded history, and (through `inspect::Trace`) every opened trace.
//!
//! - [`record`]: a [`Record`] is one event in a fixed-size `Copy` struct owning no heap
//!   memory; the payload beyond its names is encoded into the [`arena`].
//! - [`symbols`]: kinds, names and field keys interned once ([`Sym`]).
//! - [`trees`]: each (root, lineage) pair kept once ([`trees::TreeId`]).
//! - [`arena`]: payload bytes in chunks released and reused in FIFO order.
//! - [`hash`]: the hashes of the indexes.
//!
//! ## Why this shape
//! The first bus kept a `VecDeque` of ~300-byte events, each owning a field vector, id
//! vectors and strings: ~900 bytes resident per retained event, 2.3 allocations per event,
//! and every eviction freed memory gone cold 10 000 events earlier. Here the records live in
//! a ring that a bounded store overwrites in place (nothing to drop), strings are four-byte
//! symbols, and the two indexes the original keeps, `events_by_id` and
//! `children_by_parent`, are hash tables of *slot numbers* that compare through the records:
//! the id is stored once, in its record, and an index entry costs four or eight bytes.
//!
//! Children are an intrusive list: each parent's entry holds the slots of its first and last
//! child, each record the slot of its next sibling. Records enter and leave in the same
//! order, so the child evicted is always the head of its parent's list.
//!
//! Positions (`u64`) number events from the first one the store ever held; they are what
//! callers see, and stay valid as long as the event is held.

pub mod arena;
pub mod hash;
pub mod record;
pub mod symbols;
pub mod trees;

use hashbrown::HashTable;
use uuid::Uuid;

use self::arena::Arena;
use self::hash::hash_id;
use self::record::{decode_blob, encode_blob, Record, HAS_PARENT, HAS_START, NO_SLOT};
use self::symbols::{Sym, Symbols};
use self::trees::Trees;
use super::event::{Event, Kind, Payload, Phase};

pub use self::arena::BlobRef;

#[derive(Clone, Copy, Debug)]
struct ChildList {
    first: u32,
    last: u32,
}

/// Which event owns an id that arrives twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Duplicates {
    /// The newest (the bus: what `get` returns is what was emitted last).
    KeepLatest,
    /// The first (a trace file: later copies are reported, not merged).
    KeepFirst,
}

/// The header of an event about to be stored: what [`EventStore::encode`] needs besides the
/// payload. The wrapper fills it without building an [`Event`].
pub struct Header<'a> {
    pub id: Uuid,
    pub kind: &'a Kind,
    pub phase: Phase,
    pub parent_id: Option<Uuid>,
    pub root_id: Uuid,
    pub lineage_id: Uuid,
    pub start_id: Option<Uuid>,
    pub seq: u64,
    pub timestamp_ns: u64,
    pub duration_ns: Option<u64>,
    pub error: Option<&'a str>,
}

/// Events in a ring of [`Record`]s with their indexes; see the module docs.
#[derive(Clone, Debug)]
pub struct EventStore {
    records: Vec<Record>,
    capacity: usize,
    /// Slot of the oldest event.
    head: usize,
    len: usize,
    /// Position of the oldest event.
    base: u64,
    symbols: Symbols,
    arena: Arena,
    trees: Trees,
    by_id: HashTable<u32>,
    children: HashTable<ChildList>,
    duplicates: Duplicates,
    duplicate_ids: u64,
    scratch: Vec<u8>,
}

impl EventStore {
    /// A store keeping at most `capacity` events (at least one), evicting the oldest.
    pub fn bounded(capacity: usize, duplicates: Duplicates) -> EventStore {
        let capacity = capacity.clamp(1, NO_SLOT as usize - 1);
        let reserve = capacity.min(1 << 16);
        EventStore {
            records: Vec::with_capacity(reserve),
            capacity,
            head: 0,
            len: 0,
            base: 0,
            symbols: Symbols::default(),
            arena: Arena::default(),
            trees: Trees::default(),
            by_id: HashTable::with_capacity(reserve),
            children: HashTable::with_capacity(reserve / 4),
            duplicates,
            duplicate_ids: 0,
            scratch: Vec::with_capacity(256),
        }
    }

    /// A store that never evicts (up to 2^32 − 2 events): a trace read from a file.
    pub fn unbounded() -> EventStore {
        EventStore::bounded(usize::MAX, Duplicates::KeepFirst)
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many events were evicted to respect the cap (or cleared).
    pub fn pruned(&self) -> u64 {
        self.base
    }

    /// How many events arrived with an id already held.
    pub fn duplicate_ids(&self) -> u64 {
        self.duplicate_ids
    }

    /// Position of the oldest event held.
    pub fn first_position(&self) -> u64 {
        self.base
    }

    pub fn symbols(&self) -> &Symbols {
        &self.symbols
    }

    // ----- writing -----

    /// Turns a header and payload into a record: interns its strings, writes its payload
    /// bytes to the arena and counts its tree. The record must then be [`push`]ed (the
    /// arena is a FIFO: records are pushed in the order they were encoded).
    ///
    /// [`push`]: EventStore::push
    #[inline]
    pub fn encode(&mut self, h: &Header<'_>, payload: &Payload) -> Record {
        encode_blob(
            payload,
            h.duration_ns,
            h.error,
            &mut self.symbols,
            &mut self.scratch,
        );
        let blob = self.arena.push(&self.scratch);
        let mut flags = 0;
        if h.parent_id.is_some() {
            flags |= HAS_PARENT;
        }
        if h.start_id.is_some() {
            flags |= HAS_START;
        }
        Record {
            id: h.id,
            parent: h.parent_id.unwrap_or_default(),
            start: h.start_id.unwrap_or_default(),
            seq: h.seq,
            timestamp_ns: h.timestamp_ns,
            processed_ns: 0,
            blob,
            tree: self.trees.acquire(h.root_id, h.lineage_id),
            kind: self.symbols.intern_cow(h.kind),
            process: intern_opt(&mut self.symbols, &payload.process_name),
            function: intern_opt(&mut self.symbols, &payload.function_name),
            next_sibling: NO_SLOT,
            phase: h.phase,
            flags,
        }
    }

    /// Encodes a public [`Event`].
    pub fn encode_event(&mut self, e: &Event) -> Record {
        self.encode(
            &Header {
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
            },
            &e.payload,
        )
    }

    /// Stores an event (encode and push); returns its position.
    pub fn push_event(&mut self, e: &Event, processed_ns: u64) -> u64 {
        let r = self.encode_event(e);
        self.push(r, processed_ns)
    }

    /// Gives back what an encoded record holds without storing it (a refused event).
    pub fn discard(&mut self, r: &Record) {
        self.trees.release(r.tree);
        // Its payload bytes stay in the arena until the events after them are evicted: the
        // arena only releases in order, and a refused event is rare (a shut-down bus).
    }

    /// Appends an encoded record, evicting the oldest event when full; returns its position.
    #[inline]
    pub fn push(&mut self, mut record: Record, processed_ns: u64) -> u64 {
        if self.len == self.capacity {
            self.evict_oldest();
        }
        record.processed_ns = processed_ns;
        record.next_sibling = NO_SLOT;
        let slot = if self.head == 0 && self.records.len() == self.len {
            self.records.push(record);
            self.len
        } else {
            let slot = (self.head + self.len) % self.records.len();
            self.records[slot] = record;
            slot
        } as u32;
        let pos = self.base + self.len as u64;
        self.len += 1;
        self.index(slot);
        pos
    }

    #[inline]
    fn index(&mut self, slot: u32) {
        let EventStore {
            records,
            by_id,
            children,
            duplicates,
            duplicate_ids,
            ..
        } = self;
        let r = records[slot as usize];
        let h = hash_id(&r.id);
        match by_id.find_mut(h, |&s| s != slot && records[s as usize].id == r.id) {
            Some(owner) => {
                *duplicate_ids += 1;
                if *duplicates == Duplicates::KeepLatest {
                    *owner = slot;
                }
            }
            None => {
                by_id.insert_unique(h, slot, |&s| hash_id(&records[s as usize].id));
            }
        }
        if let Some(parent) = r.parent_id() {
            let h = hash_id(&parent);
            let list = children.find_mut(h, |l| {
                let first = &records[l.first as usize];
                first.flags & HAS_PARENT != 0 && first.parent == parent
            });
            match list {
                Some(list) => {
                    let last = list.last;
                    list.last = slot;
                    records[last as usize].next_sibling = slot;
                }
                None => {
                    children.insert_unique(
                        h,
                        ChildList {
                            first: slot,
                            last: slot,
                        },
                        |l| hash_id(&records[l.first as usize].parent),
                    );
                }
            }
        }
    }

    fn evict_oldest(&mut self) {
        if self.len == 0 {
            return;
        }
        let slot = self.head as u32;
        let r = self.records[self.head];
        self.head = (self.head + 1) % self.records.len();
        self.len -= 1;
        self.base += 1;
        if let Ok(entry) = self.by_id.find_entry(hash_id(&r.id), |&s| s == slot) {
            entry.remove();
        }
        if let Some(parent) = r.parent_id() {
            if let Ok(mut entry) = self
                .children
                .find_entry(hash_id(&parent), |l| l.first == slot)
            {
                if r.next_sibling == NO_SLOT {
                    entry.remove();
                } else {
                    entry.get_mut().first = r.next_sibling;
                }
            }
        }
        self.trees.release(r.tree);
        self.arena.release(r.blob);
        if self.len == 0 {
            self.head = 0;
            self.records.clear();
        }
    }

    /// Changes the cap, evicting the oldest events if the store is now over it.
    pub fn set_capacity(&mut self, capacity: usize) {
        let capacity = capacity.clamp(1, NO_SLOT as usize - 1);
        while self.len > capacity {
            self.evict_oldest();
        }
        let growing = self.head == 0 && self.records.len() == self.len;
        if !growing && self.records.len() != capacity {
            self.relayout();
        }
        self.capacity = capacity;
    }

    /// Lays the ring out oldest first from slot 0 and rebuilds the indexes.
    #[cold]
    fn relayout(&mut self) {
        let mut records = Vec::with_capacity(self.len);
        for i in 0..self.len {
            records.push(self.records[(self.head + i) % self.records.len()]);
        }
        self.records = records;
        self.head = 0;
        self.by_id.clear();
        self.children.clear();
        let dups = self.duplicate_ids;
        for slot in 0..self.len as u32 {
            self.records[slot as usize].next_sibling = NO_SLOT;
            self.index(slot);
        }
        self.duplicate_ids = dups;
    }

    /// Forgets every event (positions keep counting). Payload bytes of records encoded but
    /// not yet pushed (the bus's queue) stay readable.
    pub fn clear(&mut self) {
        while self.len > 0 {
            self.evict_oldest();
        }
    }

    // ----- reading -----

    #[inline]
    fn slot(&self, pos: u64) -> Option<usize> {
        let i = pos.checked_sub(self.base)?;
        if i >= self.len as u64 {
            return None;
        }
        Some((self.head + i as usize) % self.records.len())
    }

    #[inline]
    fn position(&self, slot: u32) -> u64 {
        let n = self.records.len();
        self.base + ((slot as usize + n - self.head) % n) as u64
    }

    /// The record at a position, if still held.
    #[inline]
    pub fn record(&self, pos: u64) -> Option<&Record> {
        self.slot(pos).map(|s| &self.records[s])
    }

    /// The position of the event with this id, if held.
    #[inline]
    pub fn position_of(&self, id: &Uuid) -> Option<u64> {
        let records = &self.records;
        self.by_id
            .find(hash_id(id), |&s| records[s as usize].id == *id)
            .map(|&s| self.position(s))
    }

    /// The event at a position, decoded.
    pub fn event(&self, pos: u64) -> Option<Event> {
        self.record(pos).map(|r| self.decode(r))
    }

    /// The event with this id, decoded.
    pub fn get(&self, id: &Uuid) -> Option<Event> {
        self.position_of(id).and_then(|p| self.event(p))
    }

    /// When the event at `pos` was stored (bus clock, ns; 0 for imported events).
    pub fn processed_ns_at(&self, pos: u64) -> Option<u64> {
        self.record(pos).map(|r| r.processed_ns)
    }

    /// Corrects when the event at `pos` was stored (a trace given its processing times
    /// afterwards).
    pub fn set_processed_ns(&mut self, pos: u64, processed_ns: u64) {
        if let Some(s) = self.slot(pos) {
            self.records[s].processed_ns = processed_ns;
        }
    }

    /// Positions of the children of `parent` still held, in the order they arrived: the
    /// `children_by_parent` index. The parent itself need not be held.
    pub fn child_positions(&self, parent: &Uuid) -> impl Iterator<Item = u64> + '_ {
        let records = &self.records;
        let first = self
            .children
            .find(hash_id(parent), |l| {
                let f = &records[l.first as usize];
                f.flags & HAS_PARENT != 0 && f.parent == *parent
            })
            .map_or(NO_SLOT, |l| l.first);
        std::iter::successors((first != NO_SLOT).then_some(first), move |&s| {
            let next = records[s as usize].next_sibling;
            (next != NO_SLOT).then_some(next)
        })
        .map(move |s| self.position(s))
    }

    /// The children of `parent` still held, decoded, in the order they arrived.
    pub fn children(&self, parent: &Uuid) -> impl Iterator<Item = Event> + '_ {
        self.child_positions(parent)
            .filter_map(move |p| self.event(p))
    }

    /// Ids that have at least one child held.
    pub fn parents(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.children
            .iter()
            .map(|l| self.records[l.first as usize].parent)
    }

    /// Positions held, oldest first.
    pub fn positions(&self) -> std::ops::Range<u64> {
        self.base..self.base + self.len as u64
    }

    /// Records held, oldest first, with their positions.
    pub fn records(&self) -> impl DoubleEndedIterator<Item = (u64, &Record)> + '_ {
        self.positions().map(|p| (p, self.record(p).expect("held")))
    }

    /// Events held, oldest first, decoded one at a time.
    pub fn events(&self) -> impl DoubleEndedIterator<Item = Event> + ExactSizeIterator + '_ {
        (0..self.len).map(|i| self.decode(&self.records[(self.head + i) % self.records.len()]))
    }

    /// The kind of a record, as text.
    #[inline]
    pub fn kind(&self, r: &Record) -> &str {
        self.symbols.str(r.kind)
    }

    /// What a tree row is labelled with: the process name, or the kind.
    pub fn label(&self, r: &Record) -> &str {
        if r.process.is_none() {
            self.symbols.str(r.kind)
        } else {
            self.symbols.str(r.process)
        }
    }

    pub fn root_id(&self, r: &Record) -> Uuid {
        self.trees.root(r.tree)
    }

    pub fn lineage_id(&self, r: &Record) -> Uuid {
        self.trees.lineage(r.tree)
    }

    /// A record as the public [`Event`]: an owned copy (literal strings are not copied).
    pub fn decode(&self, r: &Record) -> Event {
        let mut payload = Payload {
            process_name: name(&self.symbols, r.process),
            function_name: name(&self.symbols, r.function),
            ..Payload::default()
        };
        let rest = decode_blob(self.arena.get(r.blob), &self.symbols, &mut payload);
        Event {
            id: r.id,
            kind: self.symbols.get(r.kind).to_cow(),
            phase: r.phase,
            parent_id: r.parent_id(),
            root_id: self.trees.root(r.tree),
            lineage_id: self.trees.lineage(r.tree),
            start_id: r.start_id(),
            seq: r.seq,
            timestamp_ns: r.timestamp_ns,
            duration_ns: rest.duration_ns,
            error: rest.error,
            payload,
        }
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
                self.records.capacity() * std::mem::size_of::<Record>(),
            ),
            ("payload arena", self.arena.heap_bytes()),
            ("events_by_id", self.by_id.allocation_size()),
            ("children_by_parent", self.children.allocation_size()),
            ("symbols", self.symbols.heap_bytes()),
            ("trees", self.trees.heap_bytes()),
        ]
    }

    /// Checks that both indexes agree with the ring: every indexed id and every child link
    /// points at an event held, and every held event with a parent is linked. Returns the
    /// first inconsistency. Tests and property tests call it after every run.
    pub fn check_indexes(&self) -> Result<(), String> {
        let held = |s: u32| {
            let i = (s as usize + self.records.len() - self.head) % self.records.len().max(1);
            (s as usize) < self.records.len() && i < self.len
        };
        for &s in &self.by_id {
            if !held(s) {
                return Err(format!("events_by_id points at slot {s}, not held"));
            }
            let id = self.records[s as usize].id;
            if self.position_of(&id) != Some(self.position(s)) {
                return Err(format!("events_by_id[{id}] is not found by its own id"));
            }
        }
        let mut linked = 0usize;
        for list in &self.children {
            let parent = self.records[list.first as usize].parent;
            let mut s = list.first;
            let mut last = NO_SLOT;
            while s != NO_SLOT {
                if !held(s) {
                    return Err(format!(
                        "children_by_parent[{parent}] has dangling slot {s}"
                    ));
                }
                let r = &self.records[s as usize];
                if r.parent_id() != Some(parent) {
                    return Err(format!(
                        "child at slot {s} does not name {parent} as parent"
                    ));
                }
                linked += 1;
                last = s;
                s = r.next_sibling;
            }
            if last != list.last {
                return Err(format!("children_by_parent[{parent}] tail is stale"));
            }
        }
        let with_parent = self
            .records()
            .filter(|(_, r)| r.flags & HAS_PARENT != 0)
            .count();
        if linked != with_parent {
            return Err(format!(
                "{with_parent} held events have a parent but {linked} are linked"
            ));
        }
        if self.by_id.len() > self.len {
            return Err("more ids indexed than events held".into());
        }
        Ok(())
    }
}

#[inline]
fn intern_opt(symbols: &mut Symbols, s: &Option<Kind>) -> Sym {
    match s {
        Some(s) => symbols.intern_cow(s),
        None => Sym::NONE,
    }
}

fn name(symbols: &Symbols, sym: Sym) -> Option<Kind> {
    (!sym.is_none()).then(|| symbols.get(sym).to_cow())
}

#[cfg(test)]
mod tests;
