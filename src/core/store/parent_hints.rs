//! # A parent found without hashing its id
//!
//! The emit wrapper knows its start event when its children are emitted: the start is the
//! operation's own, queued a moment before in a ring slot the bus can name. The
//! [`Frame`](crate::core::context::Frame) its children inherit therefore carries a
//! [`ParentHint`], that slot and the parents table's *era* when the start was queued, and a
//! child's parent entry is found (or made) from the hint without hashing the parent's id,
//! as the records themselves are (`events_by_id` hashes an event's id only when someone
//! reads, `index.rs`).
//!
//! ## Why the entries it makes are not indexed
//! An entry made through a hint is not put in `by_id` ("unindexed", one bit of
//! `Parents::unindexed`): the bus never looks a parent up by id unless something asks by id
//! (a read, `child_positions`; a bare id from `emit()` or a file; the self-check), and then
//! [`Parents::index_unindexed`] hashes the ones not indexed yet. Forgetting an unindexed
//! entry clears its bit: no probe. In a bus whose events are only wrapped operations, the
//! two insertions and two removals of every operation's parents (about 600 instructions
//! an operation by callgrind) become a few compares.
//!
//! ## Why a hint is checked, never trusted
//! A frame can be copied out of its operation, and a store can be laid out again or
//! emptied (`move_slots`, `clear_lists`): the slot may hold another record by the time a
//! child comes. So a hint is used only when
//! - the record at its slot has the parent's id: a stale slot holds another event (ids are
//!   unique), an empty ring none; and then
//! - if that record is `PARENT_NAMED`, an entry names its slot: the entry the table's small
//!   slot cache (`Parents::by_slot`) names, if it does name this slot and is alive;
//! - if it is not, there is no entry of that id only if no entry was made by hashing since
//!   the start was queued (a bare-id child of the start from `emit()` would have an entry
//!   that does not name the slot): the era, which every entry made by hashing, every slot
//!   move and every id moved out of a slot advances, is still the hint's. The era starts at
//!   a random number per store, so a hint from another store's frame (buses nested on one
//!   thread) does not pass by chance.
//!
//! Anything else falls back to the hashed path, which first indexes the unindexed entries
//! so that it sees every entry.

use uuid::Uuid;

use super::parents::{Parent, ParentId, Parents, NO_SLOT, OWN, SLOT_CACHE};
use super::record::{Record, PARENT_NAMED};

/// Where a start event's record was queued, for its children to find their parent's entry
/// without hashing its id (the module docs say how it is checked). Travels in a
/// [`Frame`](crate::core::context::Frame).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ParentHint {
    slot: u32,
    era: u32,
}

impl ParentHint {
    /// No hint: a frame built outside the wrapper, or a start not queued on the spot.
    pub(crate) const NONE: ParentHint = ParentHint {
        slot: NO_SLOT,
        era: 0,
    };

    pub(super) fn new(slot: usize, era: u32) -> ParentHint {
        ParentHint {
            slot: u32::try_from(slot).unwrap_or(NO_SLOT),
            era,
        }
    }
}

impl Default for ParentHint {
    fn default() -> ParentHint {
        ParentHint::NONE
    }
}

impl Parents {
    /// The era a hint made now carries.
    #[inline]
    pub(super) fn era(&self) -> u32 {
        self.era
    }

    /// Something an unindexed entry's hint relied on changed (an entry made by hashing,
    /// a slot moved or emptied): hints made before no longer vouch that no entry exists.
    #[inline]
    pub(super) fn next_era(&mut self) {
        self.era = self.era.wrapping_add(1);
    }

    /// The entry of `id` as `hint` finds it, counting one more record that names it, or a
    /// new unindexed entry naming the hinted slot; `None` when the hint does not hold (the
    /// caller then hashes).
    #[inline]
    pub(crate) fn acquire_hinted(
        &mut self,
        id: Uuid,
        hint: ParentHint,
        records: &mut [Record],
    ) -> Option<ParentId> {
        let slot = hint.slot;
        let r = records.get_mut(slot as usize)?;
        if r.id != id {
            return None;
        }
        let p = if r.flags & PARENT_NAMED != 0 {
            let p = self.named(slot)?;
            self.entries[p as usize].refs += 1;
            p
        } else {
            if hint.era != self.era || slot >= OWN {
                return None;
            }
            r.flags |= PARENT_NAMED;
            self.make_unindexed(slot)
        };
        self.last = Some(p);
        self.last_id = id;
        Some(p)
    }

    /// The entry of the start whose record `hint` names, counting one more record that
    /// names it (an end naming its start, `record::StartLink`); never a new entry.
    #[inline]
    pub(crate) fn acquire_named_hinted(
        &mut self,
        id: Uuid,
        hint: ParentHint,
        records: &[Record],
    ) -> Option<ParentId> {
        let r = records.get(hint.slot as usize)?;
        if r.id != id || r.flags & PARENT_NAMED == 0 {
            return None;
        }
        let p = self.named(hint.slot)?;
        self.entries[p as usize].refs += 1;
        Some(p)
    }

    /// The live entry naming `slot`, if the slot cache remembers it.
    #[inline]
    pub(super) fn named(&self, slot: u32) -> Option<ParentId> {
        let p = self.by_slot[slot as usize % SLOT_CACHE];
        let e = self.entries.get(p as usize)?;
        (e.refs > 0 && e.key == slot).then_some(p)
    }

    /// Remembers that entry `p` names `slot`.
    #[inline]
    pub(super) fn remember_slot(&mut self, slot: u32, p: ParentId) {
        self.by_slot[slot as usize % SLOT_CACHE] = p;
    }

    /// A new entry naming `slot`, left out of `by_id`.
    #[inline]
    fn make_unindexed(&mut self, slot: u32) -> ParentId {
        let entry = Parent::naming(slot);
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
        let word = p as usize / 64;
        if word >= self.unindexed.len() {
            self.unindexed.resize(word + 1, 0);
        }
        self.unindexed[word] |= 1 << (p % 64);
        self.lazy += 1;
        self.remember_slot(slot, p);
        p
    }

    /// Whether entry `p` is left out of `by_id`; clears its bit (it is being forgotten).
    #[inline]
    pub(super) fn take_unindexed(&mut self, p: ParentId) -> bool {
        let (word, bit) = (p as usize / 64, 1u64 << (p % 64));
        match self.unindexed.get_mut(word) {
            Some(w) if *w & bit != 0 => {
                *w &= !bit;
                self.lazy -= 1;
                true
            }
            _ => false,
        }
    }

    /// The entries left out of `by_id`.
    pub(super) fn unindexed_entries(&self) -> impl Iterator<Item = ParentId> + '_ {
        self.unindexed.iter().enumerate().flat_map(|(w, &bits)| {
            let mut bits = bits;
            std::iter::from_fn(move || {
                (bits != 0).then(|| {
                    let b = bits.trailing_zeros();
                    bits &= bits - 1;
                    (w * 64) as u32 + b
                })
            })
        })
    }

    /// Puts every unindexed entry in `by_id`: before anything finds an entry by its id.
    #[cold]
    #[inline(never)]
    pub(crate) fn index_unindexed(&mut self, records: &[Record]) {
        if self.lazy == 0 {
            return;
        }
        // A refill (`rehash`) takes every entry named, the unindexed ones too.
        if self.by_id.capacity() - self.by_id.len() < self.lazy as usize {
            self.rehash(records);
            return;
        }
        let unindexed = std::mem::take(&mut self.unindexed);
        for (w, &bits) in unindexed.iter().enumerate() {
            let mut bits = bits;
            while bits != 0 {
                let p = (w * 64) as u32 + bits.trailing_zeros();
                bits &= bits - 1;
                let hash = self.id_hash.hash(&self.id(p, records));
                let Parents {
                    entries,
                    ids,
                    by_id,
                    id_hash,
                    ..
                } = self;
                by_id.insert_unique(hash, p, |&q| {
                    id_hash.hash(&super::parents::id_of(entries, ids, records, q))
                });
            }
        }
        self.unindexed = unindexed;
        self.unindexed.fill(0);
        self.lazy = 0;
    }

    /// The unindexed entry of `id`, by a walk over them (a read through `&self` before
    /// anything indexed them).
    #[cold]
    #[inline(never)]
    pub(super) fn find_unindexed(&self, id: &Uuid, records: &[Record]) -> Option<ParentId> {
        self.unindexed_entries()
            .find(|&p| self.id(p, records) == *id)
    }

    /// The unindexed entry naming `slot`, by a walk over those.
    #[cold]
    pub(super) fn unindexed_naming(&self, slot: u32) -> Option<ParentId> {
        self.unindexed_entries().find(|&p| {
            let e = &self.entries[p as usize];
            e.refs > 0 && e.key == slot
        })
    }

    /// Entries left out of `by_id` (the self-check counts them).
    pub(crate) fn unindexed_count(&self) -> usize {
        self.lazy as usize
    }
}
