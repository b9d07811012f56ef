//! # Parents: each parent id kept once, with its child list
//!
//! An event names its parent by a 16-byte id, and in a call tree most parents have several
//! children (a call's sub-calls, and each one's end event, a sibling of its start). Kept in
//! every child's record, the id cost 16 bytes per event with a parent. Here each parent id is
//! kept once, reference-counted by the records that name it (as `trees` keeps each
//! root and lineage pair), and a record holds a four-byte [`ParentId`].
//!
//! ## Why the child list lives here
//! The `children_by_parent` index needs an entry per parent anyway: the slots of its first
//! and last child held (each record holds the slot of its next sibling, an intrusive list).
//! That entry is this one, so the index costs no table of its own, and pushing or evicting
//! a child reaches its list through the record's [`ParentId`] without hashing the id.
//!
//! A record takes its reference when it is encoded (the bus encodes when an event is queued,
//! before the store holds it) and gives it back when it is evicted; the list holds only the
//! children the store holds. An entry is forgotten with its last reference, so the table is
//! as flat as the history.
//!
//! ## Why an entry names its parent's slot
//! The parent's id is in the parent's own record already while that record is held or
//! queued, and a call's first child follows its start: when the entry is made, the parent
//! is usually the newest record. The entry then keeps that record's ring slot instead of a
//! second copy of the id (an entry is 16 bytes, not 28), and the record gets
//! `PARENT_NAMED`; when it is evicted while its children are still held (always, in a
//! bounded history: the parent leaves first), its id moves into `ids`, found through the
//! first child, which is the next record. A parent that is not the newest record when its
//! entry is made (a file's order, interleaved calls) has its id in `ids` from the start.

use hashbrown::hash_table::Entry;
use hashbrown::HashTable;
use uuid::Uuid;

pub(crate) use super::parent_slots::Newest;
use super::record::{Record, PARENT_NAMED};
use crate::core::ids::IdHash;

pub(crate) use super::record::{ParentId, NO_SLOT};

/// An entry's [`Parent::key`] with this bit is an index into `Parents::ids`; without it, the
/// slot of the parent's own record.
pub(super) const OWN: u32 = 1 << 31;

/// Slots the table remembers the entry of (`Parents::by_slot`, `parent_hints.rs`): the
/// starts of the operations open at once, which are few.
pub(super) const SLOT_CACHE: usize = 32;

#[derive(Clone, Copy, Debug)]
pub(super) struct Parent {
    /// Where the id is: the parent record's slot, or `OWN |` its index in `Parents::ids`.
    pub(super) key: u32,
    /// Slots of the first and last child held, or [`NO_SLOT`] for none.
    first: u32,
    last: u32,
    /// Records naming this parent, held or encoded and not yet pushed.
    pub(super) refs: u32,
}

impl Parent {
    /// A new entry, named by one record, taking its id from the record at `key` (or from
    /// `ids`, `OWN`).
    #[inline]
    pub(super) fn naming(key: u32) -> Parent {
        Parent {
            key,
            first: NO_SLOT,
            last: NO_SLOT,
            refs: 1,
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Parents {
    pub(super) entries: Vec<Parent>,
    pub(super) free: Vec<ParentId>,
    /// Ids of parents whose record is not in the ring (`OWN` entries), and the free ones.
    pub(super) ids: Vec<Uuid>,
    pub(super) free_ids: Vec<u32>,
    pub(super) by_id: HashTable<ParentId>,
    /// The last parent asked for: a call's start and end events name the same parent. Its
    /// id beside it, so asking again compares 16 bytes here instead of reading the id
    /// through the entry (from the parent's record: a load more and a branch). Tried: the
    /// last two (a call's end names its parent right after its sub-call's end named the
    /// call): one probe fewer an operation, paid back in compares and shifts (callgrind).
    pub(super) last: Option<ParentId>,
    pub(super) last_id: Uuid,
    /// `by_id`'s seeded hash (parent ids come from files too).
    pub(super) id_hash: IdHash,
    /// Entries made through a hint and not yet put in `by_id`, one bit each, and how many
    /// (`parent_hints.rs`).
    pub(super) unindexed: Vec<u64>,
    pub(super) lazy: u32,
    /// What a hint's era must be for the table to vouch that its parent has no entry yet
    /// (`parent_hints.rs`); drawn per store.
    pub(super) era: u32,
    /// The entry naming a slot, by the slot: the last one made for it (`parent_hints.rs`).
    pub(super) by_slot: [ParentId; SLOT_CACHE],
}

/// The id an entry names.
#[inline]
pub(super) fn id_of(entries: &[Parent], ids: &[Uuid], records: &[Record], p: ParentId) -> Uuid {
    let key = entries[p as usize].key;
    if key & OWN == 0 {
        records[key as usize].id
    } else {
        ids[(key & !OWN) as usize]
    }
}

impl Default for Parents {
    fn default() -> Parents {
        Parents {
            entries: Vec::new(),
            free: Vec::new(),
            ids: Vec::new(),
            free_ids: Vec::new(),
            by_id: HashTable::new(),
            last: None,
            last_id: Uuid::nil(),
            id_hash: IdHash::default(),
            unindexed: Vec::new(),
            lazy: 0,
            era: crate::core::ids::random_u64() as u32,
            by_slot: [0; SLOT_CACHE],
        }
    }
}

impl Parents {
    /// The id entry `p` names (`records`: the ring).
    #[inline]
    pub(crate) fn id(&self, p: ParentId, records: &[Record]) -> Uuid {
        id_of(&self.entries, &self.ids, records, p)
    }

    /// The ring slot of the record entry `p` takes its id from, if it is a record's (not an
    /// id kept after its record left: `OWN`).
    #[inline]
    pub(crate) fn held_slot(&self, p: ParentId) -> Option<usize> {
        let key = self.entries[p as usize].key;
        (key & OWN == 0).then_some(key as usize)
    }

    /// The entry of `id` if it was the last one asked for, counting one more record that
    /// names it; otherwise [`acquire`](Self::acquire) it.
    #[inline]
    pub(crate) fn acquire_last(&mut self, id: Uuid) -> Option<ParentId> {
        let p = self.last?;
        if self.last_id != id {
            return None;
        }
        self.entries[p as usize].refs += 1;
        Some(p)
    }

    /// The entry of `id`, counting one more record that names it; a new entry names the
    /// newest record's slot when that is the parent (the module docs say why).
    #[inline]
    pub(crate) fn acquire(&mut self, id: Uuid, records: &mut [Record], newest: Newest) -> ParentId {
        if let Some(p) = self.acquire_last(id) {
            return p;
        }
        // Hashing sees every entry only once the hinted ones are in `by_id` too.
        if self.lazy > 0 {
            self.index_unindexed(records);
        }
        // Before a new entry could be placed: the refill takes every entry named.
        if self.by_id.len() == self.by_id.capacity() {
            self.rehash(records);
        }
        // One probe finds the entry or the place for a new one.
        let Parents {
            entries,
            ids,
            by_id,
            id_hash,
            ..
        } = self;
        let found = by_id.entry(
            id_hash.hash(&id),
            |&p| id_of(entries, ids, records, p) == id,
            |&q| id_hash.hash(&id_of(entries, ids, records, q)),
        );
        let p = match found {
            Entry::Occupied(e) => {
                let p = *e.get();
                self.entries[p as usize].refs += 1;
                p
            }
            Entry::Vacant(room) => {
                let p = self
                    .free
                    .last()
                    .copied()
                    .unwrap_or(self.entries.len() as ParentId);
                room.insert(p);
                self.insert(p, id, records, newest);
                // A hint made before cannot vouch that this id has no entry.
                self.next_era();
                p
            }
        };
        self.last = Some(p);
        self.last_id = id;
        p
    }

    /// The entry of `id` if a record names it already, counting one more (an end event
    /// naming its start, `record::StartLink`); never a new entry.
    #[inline]
    pub(crate) fn acquire_named(&mut self, id: Uuid, records: &[Record]) -> Option<ParentId> {
        let p = match self.last {
            Some(p) if self.last_id == id => p,
            _ => {
                if self.lazy > 0 {
                    self.index_unindexed(records);
                }
                self.find(&id, records)?
            }
        };
        self.entries[p as usize].refs += 1;
        Some(p)
    }

    /// Places entry `p` (the free one on top, or the next new one) for `id`, already put
    /// in `by_id`.
    #[inline]
    fn insert(&mut self, p: ParentId, id: Uuid, records: &mut [Record], newest: Newest) {
        let key = match newest.slot(records.len()) {
            Some(s) if records[s].id == id && (s as u32) < OWN => {
                records[s].flags |= PARENT_NAMED;
                self.remember_slot(s as u32, p);
                s as u32
            }
            _ => self.own(id),
        };
        let entry = Parent::naming(key);
        if self.free.last() == Some(&p) {
            self.free.pop();
            self.entries[p as usize] = entry;
        } else {
            self.entries.push(entry);
        }
    }

    /// Refills `by_id` in place before it would grow: an entry is erased for every parent
    /// forgotten, and hashbrown's tombstones would otherwise double the table
    /// (`EventStore::reindex_ids` says how). Entries are refilled from the vector, whose
    /// live ones are exactly the table's.
    #[cold]
    #[inline(never)]
    pub(super) fn rehash(&mut self, records: &[Record]) {
        let live = self.by_id.len() + self.lazy as usize + 1;
        let Parents {
            entries,
            ids,
            by_id,
            id_hash,
            ..
        } = self;
        let hash = |q: ParentId| id_hash.hash(&id_of(entries, ids, records, q));
        if by_id.is_empty() {
            // Emptied by removals (every entry named is unindexed): hashbrown's `clear` of
            // a table holding nothing returns early and leaves its tombstones, and `reserve`
            // would then double it (`bench --memory`: 114 688 ids of room for 33 334). One
            // placeholder makes `clear` do its work; placing it in a table with no room left
            // rehashes the table in place (one item is under half of it), without
            // allocating. Making a fresh table instead left 0.3–0.4 MiB more resident
            // after the allocator freed the old one (`bench --memory`, gdb).
            by_id.insert_unique(0, 0, |_| 0);
        }
        by_id.clear();
        by_id.reserve(live + live / 8, |&q| hash(q));
        for (p, entry) in entries.iter().enumerate() {
            if entry.refs > 0 {
                by_id.insert_unique(hash(p as ParentId), p as ParentId, |&q| hash(q));
            }
        }
        // Every entry named is in it now, the ones made through a hint too.
        self.unindexed.fill(0);
        self.lazy = 0;
    }

    /// One record naming `p` left the store (or was never pushed).
    #[inline]
    pub(crate) fn release(&mut self, p: ParentId, records: &mut [Record]) {
        let entry = &mut self.entries[p as usize];
        entry.refs -= 1;
        if entry.refs == 0 {
            self.forget(p, records);
        }
    }

    fn forget(&mut self, p: ParentId, records: &mut [Record]) {
        // An entry never indexed is not looked for.
        if !self.take_unindexed(p) {
            let id = self.id(p, records);
            if let Ok(found) = self.by_id.find_entry(self.id_hash.hash(&id), |&q| q == p) {
                found.remove();
            }
        }
        let key = self.entries[p as usize].key;
        if key & OWN != 0 {
            self.free_ids.push(key & !OWN);
        } else {
            // Its record need not hand its id over when its slot is written again.
            records[key as usize].flags &= !PARENT_NAMED;
        }
        self.free.push(p);
        if self.last == Some(p) {
            self.last = None;
        }
    }

    /// The entry of `id`, if a record names it (an entry made through a hint and not
    /// indexed yet is found by a walk over those).
    #[inline]
    pub(crate) fn find(&self, id: &Uuid, records: &[Record]) -> Option<ParentId> {
        let (entries, ids) = (&self.entries, &self.ids);
        let found = self
            .by_id
            .find(self.id_hash.hash(id), |&p| {
                id_of(entries, ids, records, p) == *id
            })
            .copied();
        if found.is_some() || self.lazy == 0 {
            return found;
        }
        self.find_unindexed(id, records)
    }

    /// The slots of `p`'s first and last child held ([`NO_SLOT`] for none).
    #[inline]
    pub(crate) fn list(&self, p: ParentId) -> (u32, u32) {
        let e = &self.entries[p as usize];
        (e.first, e.last)
    }

    /// Makes `slot` the last child of `p`; returns the slot of the child before it, whose
    /// next sibling `slot` now is, or [`NO_SLOT`] when `slot` is the only one.
    #[inline]
    pub(crate) fn append(&mut self, p: ParentId, slot: u32) -> u32 {
        let e = &mut self.entries[p as usize];
        let before = e.last;
        if before == NO_SLOT {
            e.first = slot;
        }
        e.last = slot;
        before
    }

    /// The first child of `p` left the store; `next` is its next sibling.
    #[inline]
    pub(crate) fn drop_first(&mut self, p: ParentId, next: u32) {
        let e = &mut self.entries[p as usize];
        e.first = next;
        if next == NO_SLOT {
            e.last = NO_SLOT;
        }
    }

    /// Empties every child list (the ring is being laid out again; its records are then
    /// appended anew).
    pub(crate) fn clear_lists(&mut self) {
        for e in &mut self.entries {
            e.first = NO_SLOT;
            e.last = NO_SLOT;
        }
    }

    /// Parents with at least one child held: their ids and first and last child slots.
    pub(crate) fn with_children<'a>(
        &'a self,
        records: &'a [Record],
    ) -> impl Iterator<Item = (Uuid, u32, u32)> + 'a {
        (0..self.entries.len() as ParentId)
            .filter(|&p| {
                let e = &self.entries[p as usize];
                e.refs > 0 && e.first != NO_SLOT
            })
            .map(|p| {
                let e = &self.entries[p as usize];
                (self.id(p, records), e.first, e.last)
            })
    }

    /// Checks that every entry named is found by its own id and no forgotten one is, and
    /// that an entry naming a slot names a record that knows (`PARENT_NAMED`).
    pub(crate) fn check(&self, records: &[Record]) -> Result<(), String> {
        let live = self.entries.iter().filter(|e| e.refs > 0).count();
        let lazy = self.unindexed_count();
        if live != self.by_id.len() + lazy {
            return Err(format!(
                "{live} parents named but {} indexed by id and {lazy} left to index",
                self.by_id.len()
            ));
        }
        if self.unindexed_entries().count() != lazy {
            return Err("the count of unindexed parents is not their bits'".into());
        }
        for p in self.unindexed_entries() {
            if self.entries.get(p as usize).is_none_or(|e| e.refs == 0) {
                return Err(format!("unindexed parent entry {p} is not named"));
            }
        }
        for (p, e) in self.entries.iter().enumerate() {
            if e.refs == 0 {
                continue;
            }
            if e.key & OWN == 0 && records[e.key as usize].flags & PARENT_NAMED == 0 {
                return Err(format!(
                    "parent entry {p} names slot {}, which does not know",
                    e.key
                ));
            }
            let id = self.id(p as ParentId, records);
            if self.find(&id, records) != Some(p as ParentId) {
                return Err(format!("parent {id} is not found by its own id"));
            }
        }
        let owned = self
            .entries
            .iter()
            .filter(|e| e.refs > 0 && e.key & OWN != 0);
        if owned.count() + self.free_ids.len() != self.ids.len() {
            return Err("the parents' kept ids are not exactly the entries' own".into());
        }
        Ok(())
    }

    /// Makes room for `parents` more entries at once (an import that knows its length).
    pub(crate) fn reserve(&mut self, parents: usize, records: &[Record]) {
        let Parents {
            entries,
            ids,
            by_id,
            id_hash,
            ..
        } = self;
        by_id.reserve(parents, |&q| id_hash.hash(&id_of(entries, ids, records, q)));
        self.entries
            .reserve(parents.saturating_sub(self.free.len()));
    }

    /// The seeded hash an id is found by (the store's tests check its spread).
    #[cfg(test)]
    pub(crate) fn hash(&self, id: &Uuid) -> u64 {
        self.id_hash.hash(id)
    }

    /// Entries the table holds before its vector grows (the store's tests check what an
    /// import reserves).
    #[cfg(test)]
    pub(crate) fn entry_room(&self) -> usize {
        self.entries.capacity()
    }

    /// Ids the table holds before it grows.
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.by_id.capacity()
    }

    /// Entries named by at least one record (the store's tests check the count, and
    /// [`EventStore::reserve`](super::EventStore::reserve) scales it).
    pub(crate) fn len(&self) -> usize {
        self.entries.len() - self.free.len()
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.entries.capacity() * std::mem::size_of::<Parent>()
            + self.free.capacity() * 4
            + self.ids.capacity() * 16
            + self.free_ids.capacity() * 4
            + self.unindexed.capacity() * 8
            + self.by_id.allocation_size()
    }
}
