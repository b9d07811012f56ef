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

use super::sharded::ShardedTable;
use uuid::Uuid;

use crate::core::ids::IdHash;

/// A parent id as the records that name it hold it.
pub(crate) type ParentId = u32;

/// No slot (an empty child list's end, no next sibling). Defined with the child lists,
/// which the parents table holds; records name it through `record::NO_SLOT`.
pub(crate) const NO_SLOT: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
struct Parent {
    id: Uuid,
    /// Slots of the first and last child held, or [`NO_SLOT`] for none.
    first: u32,
    last: u32,
    /// Records naming this parent, held or encoded and not yet pushed.
    refs: u32,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Parents {
    entries: Vec<Parent>,
    free: Vec<ParentId>,
    by_id: ShardedTable<ParentId>,
    /// The last parent asked for: a call's start and end events name the same parent.
    last: Option<ParentId>,
    /// `by_id`'s seeded hash (parent ids come from files too).
    id_hash: IdHash,
}

impl Parents {
    /// The entry of `id`, counting one more record that names it.
    #[inline]
    pub(crate) fn acquire(&mut self, id: Uuid) -> ParentId {
        if let Some(p) = self.last {
            let entry = &mut self.entries[p as usize];
            if entry.refs > 0 && entry.id == id {
                entry.refs += 1;
                return p;
            }
        }
        let entries = &self.entries;
        let found = self
            .by_id
            .find(self.id_hash.hash(&id), |&p| entries[p as usize].id == id);
        let p = match found {
            Some(&p) => {
                self.entries[p as usize].refs += 1;
                p
            }
            None => self.insert(id),
        };
        self.last = Some(p);
        p
    }

    /// The entry of `id` if a record names it already, counting one more (an end event
    /// naming its start, `record::StartLink`); never a new entry.
    #[inline]
    pub(crate) fn acquire_named(&mut self, id: Uuid) -> Option<ParentId> {
        let p = match self.last {
            Some(p) if self.entries[p as usize].refs > 0 && self.entries[p as usize].id == id => p,
            _ => self.find(&id)?,
        };
        self.entries[p as usize].refs += 1;
        Some(p)
    }

    fn insert(&mut self, id: Uuid) -> ParentId {
        let entry = Parent {
            id,
            first: NO_SLOT,
            last: NO_SLOT,
            refs: 1,
        };
        let p = match self.free.pop() {
            Some(p) => {
                self.entries[p as usize] = entry;
                p
            }
            None => {
                self.entries.push(entry);
                (self.entries.len() - 1) as ParentId
            }
        };
        let (entries, id_hash) = (&self.entries, &self.id_hash);
        let hasher = |&q: &ParentId| id_hash.hash(&entries[q as usize].id);
        let h = id_hash.hash(&id);
        // A full table is refilled (or grown) with the entries named, the new one not yet
        // among them: hashbrown's tombstones would otherwise double it
        // (`ShardedTable::make_room`).
        self.by_id.make_room(h, hasher, |&q| u64::from(q));
        self.by_id.insert_unique(h, p, hasher);
        p
    }

    /// One record naming `p` left the store (or was never pushed).
    #[inline]
    pub(crate) fn release(&mut self, p: ParentId) {
        let entry = &mut self.entries[p as usize];
        entry.refs -= 1;
        if entry.refs == 0 {
            let id = entry.id;
            if let Ok(found) = self.by_id.find_entry(self.id_hash.hash(&id), |&q| q == p) {
                found.remove();
            }
            self.free.push(p);
            if self.last == Some(p) {
                self.last = None;
            }
        }
    }

    #[inline]
    pub(crate) fn id(&self, p: ParentId) -> Uuid {
        self.entries[p as usize].id
    }

    /// The entry of `id`, if a record names it.
    #[inline]
    pub(crate) fn find(&self, id: &Uuid) -> Option<ParentId> {
        let entries = &self.entries;
        self.by_id
            .find(self.id_hash.hash(id), |&p| entries[p as usize].id == *id)
            .copied()
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
    pub(crate) fn with_children(&self) -> impl Iterator<Item = (Uuid, u32, u32)> + '_ {
        self.entries
            .iter()
            .filter(|e| e.refs > 0 && e.first != NO_SLOT)
            .map(|e| (e.id, e.first, e.last))
    }

    /// Checks that every entry named is found by its own id and no forgotten one is.
    pub(crate) fn check(&self) -> Result<(), String> {
        let live = self.entries.iter().filter(|e| e.refs > 0).count();
        if live != self.by_id.len() {
            return Err(format!(
                "{live} parents named but {} indexed by id",
                self.by_id.len()
            ));
        }
        for (p, e) in self.entries.iter().enumerate() {
            if e.refs > 0 && self.find(&e.id) != Some(p as ParentId) {
                return Err(format!("parent {} is not found by its own id", e.id));
            }
        }
        Ok(())
    }

    /// Makes room for `parents` more entries at once (an import that knows its length).
    pub(crate) fn reserve(&mut self, parents: usize) {
        let (entries, id_hash) = (&self.entries, &self.id_hash);
        self.by_id
            .reserve(parents, |&q| id_hash.hash(&entries[q as usize].id));
        self.entries
            .reserve(parents.saturating_sub(self.free.len()));
    }

    /// The seeded hash an id is found by (the store's tests check its spread).
    #[cfg(test)]
    pub(crate) fn hash(&self, id: &Uuid) -> u64 {
        self.id_hash.hash(id)
    }

    /// Ids the tables hold before they grow.
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
            + self.by_id.allocation_size()
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn an_id_is_kept_once_while_named_and_its_entry_reused_after() {
        let mut t = Parents::default();
        let (a_id, b_id) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let a = t.acquire(a_id);
        let b = t.acquire(b_id);
        assert_eq!(t.acquire(a_id), a, "found again by its id");
        assert_ne!(a, b);
        assert_eq!((t.id(a), t.id(b)), (a_id, b_id));
        assert_eq!(t.append(a, 7), NO_SLOT);
        assert_eq!(t.append(a, 9), 7);
        assert_eq!(t.list(a), (7, 9));
        t.drop_first(a, 9);
        t.drop_first(a, NO_SLOT);
        assert_eq!(t.list(a), (NO_SLOT, NO_SLOT));
        t.release(a);
        t.release(a);
        assert_eq!(t.len(), 1);
        assert_eq!(t.find(&a_id), None, "forgotten with its last reference");
        let c = t.acquire(Uuid::from_u128(3));
        assert_eq!(c, a, "the freed entry is reused");
        t.release(b);
        t.release(c);
        assert_eq!(t.len(), 0);
        t.check().unwrap();
    }

    #[test]
    fn the_id_table_keeps_its_size_while_parents_come_and_go() {
        let mut t = Parents::default();
        let mut held = std::collections::VecDeque::new();
        for n in 0..200_000u128 {
            held.push_back(t.acquire(Uuid::from_u128(n * 7919 + 1)));
            if held.len() > 1_000 {
                t.release(held.pop_front().unwrap());
            }
        }
        t.check().unwrap();
        // 1 000 live ids: 1 024 or 2 048 buckets of five bytes, not the doubling tombstones
        // bring.
        let bytes = t.by_id.allocation_size();
        assert!(bytes < 4_096 * 5, "{bytes} bytes");
    }
}
