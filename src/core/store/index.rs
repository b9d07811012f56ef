//! # The two indexes
//!
//! `events_by_id` and `children_by_parent`, as the original names them. `events_by_id` is a
//! hash table of slot numbers that compares through the records, so an id is stored once,
//! in its record; `children_by_parent` is the parents table (`parents.rs`). A
//! parent's entry holds the slots of its first and last child and each record the slot of
//! its next sibling (an intrusive list); records enter and leave in the same order, so the
//! child evicted is always the head of its parent's list, and eviction is O(1).
//!
//! A bus's history indexes ids lazily ([`EventStore::catch_up_ids`]): only events read
//! after they were processed are ever hashed into `events_by_id`.
//!
//! [`EventStore::check_indexes`] re-derives both from the ring, for tests.

use hashbrown::hash_table::Entry;
use hashbrown::HashTable;
use uuid::Uuid;

use super::record::{
    Record, ENDED_NEXT, FAR_SIBLING, NO_SIBLING, NO_SLOT, SEQ_WIDE, SEQ_ZERO, START_PREV,
};
use super::write::wrap;
use super::{Duplicates, EventStore};
use crate::core::event::Event;
use crate::core::ids::IdHash;

impl EventStore {
    #[inline]
    /// Adds the record at `slot` to both indexes: its id (the newest or the first owner of a
    /// repeated id, as the store's [`Duplicates`] says) and its parent's child list. `slot`
    /// holds the newest event.
    pub(super) fn index(&mut self, slot: u32) {
        let pos = self.base + self.len as u64 - 1;
        if self.ids_to != pos {
            self.catch_up_ids_to(pos);
        }
        self.index_id(slot);
        self.ids_to = pos + 1;
        self.link_child(slot);
    }

    /// Puts every held event's id in `events_by_id`. A bus's history leaves them out as
    /// events are processed and the bus runs this before it hands out a read: an id index
    /// nobody asks is not kept, and events evicted before anyone looked (most of them: a
    /// history of 10 000 turns over every 10 000 events) never cost an insertion and a
    /// removal. The insertions it makes are the ones the processor would have made, in the
    /// same order, so what the index names is the same.
    #[inline]
    pub(crate) fn catch_up_ids(&mut self) {
        let end = self.base + self.len as u64;
        if self.ids_to != end {
            self.catch_up_ids_to(end);
        }
        // The parents the bus's wrapper found through hints, likewise (`parent_hints.rs`).
        if self.parents.unindexed_count() > 0 {
            self.parents.index_unindexed(&self.records);
        }
    }

    #[cold]
    #[inline(never)]
    fn catch_up_ids_to(&mut self, end: u64) {
        self.ids_to = self.ids_to.max(self.base);
        while self.ids_to < end {
            let slot = self.slot(self.ids_to).expect("held") as u32;
            self.index_id(slot);
            self.ids_to += 1;
        }
    }

    /// Indexes the id of the record at `slot`, the held event at position `ids_to`.
    #[inline]
    fn index_id(&mut self, slot: u32) {
        let EventStore {
            records,
            by_id,
            duplicates,
            duplicate_ids,
            id_hash,
            head,
            base,
            ids_to,
            ..
        } = self;
        let h = id_hash.hash(&records[slot as usize].id);
        // Before the entry: a full table is refilled (or grown) with what it names; a whole
        // one from the ring, whose order is the order its entries were made in.
        let indexed = ids_to.saturating_sub(*base) as usize;
        by_id.make_room(
            h,
            |&s| id_hash.hash(&records[s as usize].id),
            |whole| {
                let live = whole.len() + 1;
                whole.clear();
                whole.reserve(live + live / 8, |&s| id_hash.hash(&records[s as usize].id));
                let n = records.len().max(1);
                for k in 0..indexed {
                    let s = ((*head + k) % n) as u32;
                    let h = id_hash.hash(&records[s as usize].id);
                    index_id(records, whole, id_hash, h, *duplicates, s);
                }
            },
        );
        if index_id(records, by_id.table_for(h), id_hash, h, *duplicates, slot) {
            *duplicate_ids += 1;
        }
    }

    /// Appends the record at `slot` to its parent's child list, if it names a parent: no
    /// hashing, the record holds its parent's entry. Always inlined: with `#[inline]` alone
    /// it stayed a call of every event the processor records (callgrind, branch `busemit`).
    #[inline(always)]
    pub(super) fn link_child(&mut self, slot: u32) {
        let r = &self.records[slot as usize];
        if !r.has_parent() {
            return;
        }
        let before = self.parents.append(r.parent, slot);
        if before != NO_SLOT {
            self.set_next_sibling(before, slot);
        }
    }

    /// Makes `next` the next sibling of the record at `slot`: as the distance between them
    /// in ring order (the ring's length stays the same while both are held: it changes only
    /// as it grows at its end, where no held record has wrapped, or when it is laid out
    /// again, which links every child anew), or in `far_siblings` when that does not fit.
    #[inline]
    fn set_next_sibling(&mut self, slot: u32, next: u32) {
        let n = self.records.len() as u32;
        let distance = if next > slot {
            next - slot
        } else {
            next + n - slot
        };
        let short = distance < u32::from(FAR_SIBLING);
        self.records[slot as usize].next_sibling = if short {
            distance as u16
        } else {
            self.far_siblings.insert(slot, next);
            FAR_SIBLING
        };
    }

    /// The slot of the next child of the same parent as the record at `slot`, or
    /// [`NO_SLOT`].
    #[inline]
    pub(super) fn next_sibling(&self, slot: u32) -> u32 {
        match self.records[slot as usize].next_sibling {
            NO_SIBLING => NO_SLOT,
            FAR_SIBLING => self.far_siblings[&slot],
            d => wrap(slot as usize + usize::from(d), self.records.len()) as u32,
        }
    }

    /// Takes the evicted record `r`, which was at `slot`, out of `events_by_id` (it was
    /// indexed: a bus's history indexes ids only when read, [`EventStore::catch_up_ids`]).
    #[inline]
    pub(super) fn unindex_id(&mut self, slot: u32, r: &Record) {
        if let Ok(entry) = self
            .by_id
            .find_entry(self.id_hash.hash(&r.id), |&s| s == slot)
        {
            entry.remove();
        }
    }

    /// Takes the evicted record `r`, which was at `slot`, out of its parent's child list.
    /// Records leave in the order they came, so `r` is the head of that list.
    #[inline(always)]
    pub(super) fn unlink_child(&mut self, slot: u32, r: &Record) {
        if r.has_parent() {
            let next = match r.next_sibling {
                NO_SIBLING => NO_SLOT,
                FAR_SIBLING => self.far_siblings.remove(&slot).expect("a far sibling kept"),
                d => wrap(slot as usize + usize::from(d), self.records.len()) as u32,
            };
            self.parents.drop_first(r.parent, next);
            self.parents.release(r.parent, &mut self.records);
        }
    }

    /// The position of the event with this id, if held.
    #[inline]
    pub fn position_of(&self, id: &Uuid) -> Option<u64> {
        let records = &self.records;
        self.by_id
            .find(self.id_hash.hash(id), |&s| records[s as usize].id == *id)
            .map(|&s| self.position(s))
    }

    /// Positions of the children of `parent` still held, in the order they arrived: the
    /// `children_by_parent` index. The parent itself need not be held.
    pub fn child_positions(&self, parent: &Uuid) -> impl Iterator<Item = u64> + '_ {
        let first = self
            .parents
            .find(parent, &self.records)
            .map_or(NO_SLOT, |p| self.parents.list(p).0);
        std::iter::successors((first != NO_SLOT).then_some(first), move |&s| {
            let next = self.next_sibling(s);
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
        self.parents
            .with_children(&self.records)
            .map(|(id, _, _)| id)
    }

    /// Checks that both indexes agree with the ring: every indexed id and every child link
    /// points at an event held, and every held event with a parent is linked. Returns the
    /// first inconsistency. Tests and property tests call it after every run.
    pub fn check_indexes(&self) -> Result<(), String> {
        if self.ids_to != self.base + self.len as u64 {
            return Err("events_by_id is behind the events held (catch_up_ids)".into());
        }
        let held = |s: u32| {
            let i = (s as usize + self.records.len() - self.head) % self.records.len().max(1);
            (s as usize) < self.records.len() && i < self.len
        };
        for &s in self.by_id.iter() {
            if !held(s) {
                return Err(format!("events_by_id points at slot {s}, not held"));
            }
            let id = self.records[s as usize].id;
            if self.position_of(&id) != Some(self.position(s)) {
                return Err(format!("events_by_id[{id}] is not found by its own id"));
            }
        }
        let mut linked = 0usize;
        self.parents.check(&self.records)?;
        for (parent, first, list_last) in self.parents.with_children(&self.records) {
            let mut s = first;
            let mut last = NO_SLOT;
            while s != NO_SLOT {
                if !held(s) {
                    return Err(format!(
                        "children_by_parent[{parent}] has dangling slot {s}"
                    ));
                }
                let r = &self.records[s as usize];
                if self.parent_id(r) != Some(parent) {
                    return Err(format!(
                        "child at slot {s} does not name {parent} as parent"
                    ));
                }
                linked += 1;
                last = s;
                s = self.next_sibling(s);
            }
            if last != list_last {
                return Err(format!("children_by_parent[{parent}] tail is stale"));
            }
        }
        let with_parent = self.records().filter(|(_, r)| r.has_parent()).count();
        if linked != with_parent {
            return Err(format!(
                "{with_parent} held events have a parent but {linked} are linked"
            ));
        }
        if self.by_id.len() > self.len {
            return Err("more ids indexed than events held".into());
        }
        let far = self
            .records()
            .filter(|(_, r)| r.next_sibling == FAR_SIBLING);
        if far.count() != self.far_siblings.len() {
            return Err("far_siblings does not hold exactly the far next siblings".into());
        }
        let in_run = |r: &Record| r.flags & (SEQ_WIDE | SEQ_ZERO) == 0;
        if let Some((pos, _)) = self.records().find(|(_, r)| in_run(r)) {
            self.seqs.check(pos)?;
        }
        let mut before: Option<&Record> = None;
        for (pos, r) in self.records() {
            if r.flags & START_PREV != 0 && before.is_some_and(|b| b.flags & ENDED_NEXT == 0) {
                return Err(format!(
                    "the end at {pos} names the event before it, which does not know"
                ));
            }
            before = Some(r);
        }
        Ok(())
    }
}

/// Indexes the id of the record at `slot`, hashed `h`, in its table of `events_by_id`; true
/// when the id was already held (the store's
/// [`Duplicates`] says which of the two the index then names). One probe of the table
/// (`entry`), not a lookup and then an insertion: this runs for every event the bus records.
#[inline]
fn index_id(
    records: &[Record],
    by_id: &mut HashTable<u32>,
    id_hash: &IdHash,
    h: u64,
    duplicates: Duplicates,
    slot: u32,
) -> bool {
    let id = records[slot as usize].id;
    match by_id.entry(
        h,
        |&s| s != slot && records[s as usize].id == id,
        |&s| id_hash.hash(&records[s as usize].id),
    ) {
        Entry::Occupied(mut owner) => {
            if duplicates == Duplicates::KeepLatest {
                *owner.get_mut() = slot;
            }
            true
        }
        Entry::Vacant(room) => {
            room.insert(slot);
            false
        }
    }
}
