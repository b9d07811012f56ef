//! # A parent named by its record's slot
//!
//! The parents table keeps a parent's id once, but the id is in the parent's own record
//! already while that record is in the ring. An entry made when its parent is the ring's
//! newest record (a call's first child follows its start) names that record's slot instead
//! (`parents.rs` says why), and the record gets `PARENT_NAMED`. The id is then read from the
//! slot for as long as the entry lives, including after the parent is evicted: an evicted
//! record's bytes stay in its slot until another record is written there, and only then, if
//! the entry is still named (a child of the parent still held), does the id move into the
//! table's `ids` ([`Parents::keep_id_of_slot`]). A bus's ring has room for its queue past
//! the history, so a slot is written again thousands of events after its record left, when
//! the parent's children (a few events after it) have long gone and the entry with them:
//! the id never moves. A store that writes the slot at once (a file's, a capped listener's)
//! moves it then. A store laid out again or emptied moves the ids of the slots it drops.
//!
//! An entry forgotten clears its record's `PARENT_NAMED`, so writing the slot again only
//! reads a flag.

use uuid::Uuid;

use super::parents::{ParentId, Parents, OWN};
use super::record::{Record, PARENT_NAMED};

/// The ring's newest record, which a new entry names when it is the parent: the slot after
/// `head` by `used − 1`, or none for an empty ring.
#[derive(Clone, Copy)]
pub(crate) struct Newest {
    pub(crate) head: usize,
    pub(crate) used: usize,
}

impl Newest {
    #[inline]
    pub(super) fn slot(self, ring: usize) -> Option<usize> {
        if self.used == 0 {
            return None;
        }
        let s = self.head + self.used - 1;
        Some(if s >= ring { s - ring } else { s })
    }
}

impl Parents {
    /// Keeps `id` in `ids`; returns the entry's key for it.
    pub(super) fn own(&mut self, id: Uuid) -> u32 {
        let i = match self.free_ids.pop() {
            Some(i) => {
                self.ids[i as usize] = id;
                i
            }
            None => {
                self.ids.push(id);
                (self.ids.len() - 1) as u32
            }
        };
        OWN | i
    }

    /// The record at `slot` has `PARENT_NAMED` and is about to be written over or dropped:
    /// the entry naming its slot keeps its id instead.
    #[cold]
    #[inline(never)]
    pub(crate) fn keep_id_of_slot(&mut self, slot: u32, records: &mut [Record]) {
        let r = &mut records[slot as usize];
        r.flags &= !PARENT_NAMED;
        let id = r.id;
        // The entry is usually the parent of the next record (a call's first child follows
        // its start) or the slot cache's; an entry made through a hint is not in `by_id`
        // (`parent_hints.rs`), and is looked for among those only if all three miss.
        let naming = |p: ParentId| {
            let e = &self.entries[p as usize];
            e.refs > 0 && e.key == slot
        };
        let next = &records[super::write::wrap(slot as usize + 1, records.len())];
        let named = Some(next.parent)
            .filter(|&p| next.has_parent() && (p as usize) < self.entries.len() && naming(p))
            .or_else(|| self.named(slot))
            .or_else(|| {
                let found = self.by_id.find(self.id_hash.hash(&id), |&p| naming(p));
                found.copied().or_else(|| self.unindexed_naming(slot))
            });
        if let Some(p) = named {
            let key = self.own(id);
            self.entries[p as usize].key = key;
        }
    }

    /// The ring is laid out again: an entry naming a slot follows its record to
    /// `moved(slot)`, or keeps its id when the record is not kept (`None`: evicted).
    #[cold]
    pub(crate) fn move_slots(&mut self, records: &[Record], moved: impl Fn(u32) -> Option<u32>) {
        // Hints made before name slots that moved (`parent_hints.rs`).
        self.next_era();
        for p in 0..self.entries.len() {
            let e = self.entries[p];
            if e.refs == 0 || e.key & OWN != 0 {
                continue;
            }
            self.entries[p].key = match moved(e.key) {
                Some(s) => s,
                None => self.own(records[e.key as usize].id),
            };
        }
    }
}
