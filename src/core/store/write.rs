//! # Writing the store
//!
//! An event enters in two steps: [`EventStore::encode`] turns it into a [`Record`] (strings
//! interned, payload bytes appended to the arena, its tree counted), and
//! [`EventStore::push`] puts the record in the ring and the indexes, evicting the oldest
//! event when the store is full. The bus encodes when an event is put on its queue and pushes
//! when the processor takes it off, so the queue holds records too.

use super::origins::{OriginId, SiteId};
use super::record::{
    begin_blob, encode_blob, lag_of, Record, ENDED_NEXT, HAS_PARENT, LAG_NONE, LAG_WIDE,
    NO_SIBLING, NO_SLOT, PARENT_NAMED, START_REF,
};
use super::{EventStore, Header};
use crate::core::event::{Event, Kind, Payload};
use crate::core::raw::RawMembers;

/// A record's process and function names, as the interned site the record holds; see
/// [`EventStore::encode_named`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NameSyms {
    site: SiteId,
}

impl NameSyms {
    /// The names `record` was stored with.
    #[inline]
    pub(crate) fn of(record: &Record) -> NameSyms {
        NameSyms { site: record.site }
    }
}

impl EventStore {
    /// Turns a header and payload into a record: interns its strings, writes its payload
    /// bytes to the arena and counts its tree. The record must then be [`push`]ed (the
    /// arena is a FIFO: records are pushed in the order they were encoded).
    ///
    /// [`push`]: EventStore::push
    #[inline]
    pub(crate) fn encode(&mut self, h: &Header<'_>, payload: &Payload) -> Record {
        self.encode_with_unknown(h, payload, &RawMembers::new())
    }

    /// [`encode`](EventStore::encode), keeping an imported event's unknown top-level
    /// members too.
    #[inline]
    fn encode_with_unknown(
        &mut self,
        h: &Header<'_>,
        payload: &Payload,
        unknown: &RawMembers,
    ) -> Record {
        self.encode_parts(h, payload, unknown, None)
    }

    /// [`encode`](EventStore::encode) for a payload whose process and function names this
    /// store has interned already, as `names` (an end event that names what its start
    /// named: the bus keeps the start record's symbols, so the end does not intern them
    /// again). The caller vouches that `names` are this store's symbols of the payload's
    /// names; `None` interns them, as `encode` does.
    #[inline]
    pub(crate) fn encode_named(
        &mut self,
        h: &Header<'_>,
        payload: &Payload,
        names: Option<NameSyms>,
    ) -> Record {
        self.encode_parts(h, payload, &RawMembers::new(), names)
    }

    // Always inlined: with two callers it was outlined, and the bus's put paid a call and
    // lost the constant-folding of `names` (callgrind, branch `busops`).
    #[inline(always)]
    fn encode_parts(
        &mut self,
        h: &Header<'_>,
        payload: &Payload,
        unknown: &RawMembers,
        names: Option<NameSyms>,
    ) -> Record {
        let start = self.start_link(h.start_id, h.start_hint);
        let place = self.seq_place(h.seq);
        let mut flags = begin_blob(&mut self.scratch, start, h.seq, place);
        encode_blob(
            payload,
            h.duration_ns,
            h.error,
            unknown,
            &mut self.symbols,
            &mut self.scratch,
        );
        let blob = self.arena.push(&self.scratch);
        if h.parent_id.is_some() {
            flags |= HAS_PARENT;
        }
        Record {
            id: h.id,
            parent: self.parent_of(h.parent_id, h.parent_hint),
            lag: LAG_NONE,
            timestamp_ns: h.timestamp_ns,
            blob,
            tree: self.trees.acquire(h.root_id, h.lineage_id),
            site: {
                let origin = match names {
                    Some(n) => self.origins.origin(n.site),
                    None => self.origin_of_names(&payload.process_name, &payload.function_name),
                };
                self.site_of(h.kind, origin)
            },
            next_sibling: NO_SIBLING,
            phase: h.phase,
            flags,
        }
    }

    /// Encodes a public [`Event`].
    pub fn encode_event(&mut self, e: &Event) -> Record {
        self.encode_with_unknown(&Header::of_event(e), &e.payload, &e.unknown)
    }

    /// Stores an event (encode and push); returns its position.
    pub fn push_event(&mut self, e: &Event, processed_ns: u64) -> u64 {
        let r = self.encode_event(e);
        self.push(r, processed_ns)
    }

    /// Appends an encoded record, evicting the oldest event when full; returns its position.
    #[inline]
    pub fn push(&mut self, mut record: Record, processed_ns: u64) -> u64 {
        // A bus's history is written through `append_pending` and `process_pending` only.
        debug_assert_eq!(self.pending, 0, "push behind unprocessed records");
        if self.len == self.capacity {
            self.evict_oldest();
        }
        let pos = self.base + self.len as u64;
        record.lag = self.lag_at(pos, record.timestamp_ns, processed_ns);
        record.next_sibling = NO_SIBLING;
        let slot = if self.head == 0 && self.records.len() == self.len {
            if self.records.len() == self.records.capacity() {
                // Doubling, but never past the cap: a 100 000-event history would otherwise
                // allocate room for 131 072 records.
                let room = self.capacity - self.len;
                self.records.reserve_exact(room.min(self.len.max(16)));
            }
            self.records.push(record);
            self.len
        } else {
            // `head` and `len` are below the ring's length: a subtraction, not a division.
            let slot = wrap(self.head + self.len, self.records.len());
            self.write_slot(slot, record);
            slot
        } as u32;
        self.len += 1;
        self.seqs.appended();
        self.index(slot);
        pos
    }

    #[inline]
    pub(super) fn evict_oldest(&mut self) {
        if self.len == 0 {
            return;
        }
        self.evict_head();
        if self.len == 0 && self.pending == 0 {
            self.emptied();
        }
    }

    /// Evicts the oldest event of a store that holds one, and leaves the ring as it is even
    /// if it is now empty: for [`process_pending`](Self::process_pending), which evicts from
    /// a full store (a cap is at least 1) with the record it processes still behind, so
    /// neither check of [`evict_oldest`](Self::evict_oldest) can fail there (they were ~8
    /// instructions of every event the bus processes, callgrind, branch `busemit`).
    #[inline(always)]
    pub(super) fn evict_head(&mut self) {
        debug_assert!(self.len > 0, "evicting from an empty store");
        let (slot, pos) = (self.head, self.base);
        self.head = wrap(self.head + 1, self.records.len());
        self.len -= 1;
        self.base += 1;
        self.seqs.evicted_to(self.base);
        self.let_go(slot, pos);
        self.ids_to = self.ids_to.max(self.base);
    }

    /// Lets go of what the evicted record at `slot`, the event at `pos`, held in the indexes,
    /// the trees, the parents and the arena. The ring, `len`, `base`, the runs of emission
    /// numbers and `ids_to` are the caller's to move on: [`evict_head`](Self::evict_head)
    /// moves them per event, `evict_heads` (`batch.rs`) once for a run of them.
    #[inline(always)]
    pub(super) fn let_go(&mut self, slot: usize, pos: u64) {
        let r = self.records[slot];
        if r.lag == LAG_WIDE {
            self.late.remove(&pos);
        }
        if r.flags & ENDED_NEXT != 0 {
            // Its end is the oldest event now, and names it as the event before it.
            self.start_of_head = r.id;
        }
        if pos < self.ids_to {
            self.unindex_id(slot as u32, &r);
        }
        self.unlink_child(slot as u32, &r);
        self.trees.release(r.tree);
        if r.flags & START_REF != 0 {
            let start = self.start_ref(&r);
            self.parents.release(start, &mut self.records);
        }
        self.arena.release(r.blob);
    }

    /// The last record left: the ring starts again from slot 0. Its slots go, and with them
    /// the ids entries read from them.
    #[cold]
    #[inline(never)]
    fn emptied(&mut self) {
        self.parents.move_slots(&self.records, |_| None);
        self.head = 0;
        self.records.clear();
    }

    /// Makes room for `events` more events at once, when the caller knows how many are coming
    /// (an import's end-of-file pass, a trace copied into time order). Growing one event at
    /// a time doubles the record vector and rebuilds each id index from every record held,
    /// in one go, each time it fills: at a million events one such rebuild took 250–340 ms
    /// (native, release), a frozen frame in the page. Reserved up front, an empty store only
    /// allocates, and a non-empty one rebuilds once. `children_by_parent` gets half as many
    /// entries: an event with a parent usually shares it with its end event, so a trace has
    /// at most about half as many parents as events. Never past the store's cap.
    pub fn reserve(&mut self, events: usize) {
        let events = events.min(self.capacity - self.len);
        if events == 0 || self.head != 0 || self.records.len() != self.len {
            return; // full, or a ring that has wrapped: it does not grow any more
        }
        self.records.reserve_exact(events);
        let EventStore {
            records,
            by_id,
            id_hash,
            ..
        } = self;
        // Room beyond the total, as a refill leaves (`ShardedTable::make_room`), so the tables
        // do not fill exactly.
        let ids = events + events / 8;
        by_id.reserve(ids, |&s| id_hash.hash(&records[s as usize].id));
        let parents = parents_to_reserve(events, self.len, self.parents.len());
        self.parents.reserve(parents, &self.records);
    }

    /// Changes the cap, evicting the oldest events if the store is now over it.
    pub fn set_capacity(&mut self, capacity: usize) {
        let capacity = capacity.clamp(1, NO_SLOT as usize - 1);
        while self.len > capacity {
            self.evict_oldest();
        }
        let growing = self.head == 0 && self.records.len() == self.len + self.pending;
        if !growing && self.records.len() != capacity {
            self.relayout();
        }
        self.capacity = capacity;
    }

    /// Lays the ring out oldest first from slot 0 and rebuilds the indexes.
    #[cold]
    fn relayout(&mut self) {
        self.relayout_with_room(0);
    }

    /// [`relayout`](Self::relayout) with room for `room` more records (unprocessed ones
    /// included: they follow the held ones, unindexed).
    #[cold]
    #[inline(never)]
    pub(super) fn relayout_with_room(&mut self, room: usize) {
        let used = self.len + self.pending;
        let mut records = Vec::with_capacity(used + room);
        for i in 0..used {
            records.push(self.records[(self.head + i) % self.records.len()]);
        }
        let (head, n) = (self.head, self.records.len());
        self.parents.move_slots(&self.records, |s| {
            let i = (s as usize + n - head) % n.max(1);
            (i < used).then_some(i as u32)
        });
        self.records = records;
        self.head = 0;
        self.by_id.clear();
        self.parents.clear_lists();
        self.far_siblings.clear();
        let dups = self.duplicate_ids;
        self.ids_to = self.base;
        for slot in 0..self.len as u32 {
            self.records[slot as usize].next_sibling = NO_SIBLING;
            self.link_child(slot);
        }
        self.catch_up_ids();
        self.duplicate_ids = dups;
    }
}

impl EventStore {
    /// The record's `lag` for the event at `pos`, keeping a processing time it cannot hold in
    /// the `late` table.
    #[inline]
    pub(super) fn lag_at(&mut self, pos: u64, timestamp_ns: u64, processed_ns: u64) -> u32 {
        match lag_of(timestamp_ns, processed_ns) {
            Some(lag) => lag,
            None => self.keep_late(pos, processed_ns),
        }
    }

    #[cold]
    #[inline(never)]
    fn keep_late(&mut self, pos: u64, processed_ns: u64) -> u32 {
        self.late.insert(pos, processed_ns);
        LAG_WIDE
    }
}

impl EventStore {
    /// Writes `record` over the evicted one at `slot`, whose id a parents-table entry may
    /// still read from there (`parent_slots.rs`).
    #[inline]
    pub(super) fn write_slot(&mut self, slot: usize, record: Record) {
        if self.records[slot].flags & PARENT_NAMED != 0 {
            self.parents.keep_id_of_slot(slot as u32, &mut self.records);
        }
        self.records[slot] = record;
    }
}

/// `i % n` for an `i` below `2 * n`.
#[inline]
pub(super) fn wrap(i: usize, n: usize) -> usize {
    if i >= n {
        i - n
    } else {
        i
    }
}

impl EventStore {
    /// The site of `kind` and `origin`: for a literal kind (what emitting code names), one
    /// compare in the origins' literal cache, without interning the kind.
    #[inline]
    fn site_of(&mut self, kind: &Kind, origin: OriginId) -> SiteId {
        if let Kind::Borrowed(k) = kind {
            if let Some(site) = self.origins.literal_site(k, origin) {
                return site;
            }
            let site = self.origins.site(self.symbols.intern_static(k), origin);
            self.origins.remember_literal(k, origin, site);
            return site;
        }
        let kind = self.symbols.intern_cow(kind);
        self.origins.site(kind, origin)
    }
}

impl EventStore {
    /// Evicts the oldest event held, if any (a live listener keeping its memory budget,
    /// which the event cap alone does not bound: payloads vary in size).
    pub fn evict_oldest_event(&mut self) -> bool {
        let had = self.len > 0;
        self.evict_oldest();
        had
    }
}

/// Parents to make room for with `events` more events, when `held` events name `parents`
/// parents: as many per event as so far (plus an eighth, and a sixteenth of the events) once
/// a few thousand events show the trace's shape, never more than the half that a trace of
/// calls has at most. Half by default cost a 1 M-event lineage trace, with a third, 6.5 MB
/// of entries never used (wasm memory, docs/page-open.md); a guess short of the truth only
/// grows the table once more.
fn parents_to_reserve(events: usize, held: usize, parents: usize) -> usize {
    let most = events / 2 + events / 16;
    if held < 4096 {
        return most;
    }
    let seen = (events as u128 * parents as u128 / held as u128) as usize;
    (seen + seen / 8 + events / 16).min(most)
}
