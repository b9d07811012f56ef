//! # A hash table that grows a sixty-fourth at a time
//!
//! The store's three tables (`events_by_id`, the parents' ids, the trees' roots) hold small
//! numbers that name an entry elsewhere, and each is refilled in place when it is full
//! ([`ShardedTable::make_room`] says why: a bounded store's tombstones). One hashbrown table
//! refills or doubles all its entries at once: with 1.86 M events in the page's live view
//! the id table's growth stopped the page for 609 ms, 333 ms at 0.93 M (the append of one
//! slice of 512 events, Chromium's profile; 145 ms natively, `examples/live_cost.rs`), while
//! the listener kept sending 100 000 events a second (docs/live-page.md).
//!
//! [`ShardedTable`] is one table until it holds [`SPLIT_AT`] entries, then [`SHARDS`] tables;
//! bits of the hash no table uses for its buckets or its control bytes choose one. Each grows
//! on its own, so a growth moves a sixty-fourth of the entries (about 30 000 of 2 M): what
//! the page's frame budget and a slice's look at the clock can absorb. The work over a run is
//! the same; a lookup costs a shift and a mask more. Small tables stay whole: split, a
//! table of 1 000 entries would be 64 of about 16, and the chance swings of so few entries
//! per table would keep growing one or another of them under a bounded store's churn.

use hashbrown::hash_table::{AbsentEntry, Entry, OccupiedEntry};
use hashbrown::HashTable;

/// Tables in a [`ShardedTable`] once it is split.
pub(crate) const SHARDS: usize = 64;

/// Entries a [`ShardedTable`] holds whole; it splits when one more would grow it. Splitting
/// moves them all once (about 3 ms natively); each of the 64 tables then holds about 1 000,
/// swinging by 3 %.
pub(crate) const SPLIT_AT: usize = 1 << 16;

/// Which table a hash belongs to, of `mask + 1`: bits from 32 on. hashbrown takes a bucket
/// from the low bits and a control byte from the top seven, so all of a table's entries
/// sharing these six bits leaves both as spread as in one table (below 2³² buckets).
#[inline]
fn shard(hash: u64, mask: usize) -> usize {
    (hash >> 32) as usize & mask
}

/// A hash table of `T`, split into [`SHARDS`] tables once it is big; see the module docs.
#[derive(Clone, Debug)]
pub(crate) struct ShardedTable<T> {
    shards: Box<[HashTable<T>]>,
    /// `shards.len() - 1`: 0 while whole.
    mask: usize,
}

impl<T> Default for ShardedTable<T> {
    fn default() -> Self {
        ShardedTable::with_capacity(0)
    }
}

impl<T> ShardedTable<T> {
    /// Room for about `n` entries in all (none allocated for 0).
    pub(crate) fn with_capacity(n: usize) -> ShardedTable<T> {
        let tables = if n < SPLIT_AT { 1 } else { SHARDS };
        let each = n.div_ceil(tables);
        ShardedTable {
            shards: (0..tables)
                .map(|_| HashTable::with_capacity(each))
                .collect(),
            mask: tables - 1,
        }
    }

    #[inline]
    fn of(&self, hash: u64) -> usize {
        shard(hash, self.mask)
    }

    /// The entry hashed `hash` that `eq` accepts.
    #[inline]
    pub(crate) fn find(&self, hash: u64, eq: impl FnMut(&T) -> bool) -> Option<&T> {
        self.shards[self.of(hash)].find(hash, eq)
    }

    /// The entry hashed `hash` that `eq` accepts, to be removed or changed.
    #[inline]
    pub(crate) fn find_entry(
        &mut self,
        hash: u64,
        eq: impl FnMut(&T) -> bool,
    ) -> Result<OccupiedEntry<'_, T>, AbsentEntry<'_, T>> {
        self.shards[self.of(hash)].find_entry(hash, eq)
    }

    /// The place of the entry hashed `hash` that `eq` accepts, filled or not. Room for one
    /// more must have been made ([`ShardedTable::make_room`]).
    #[inline]
    pub(crate) fn entry(
        &mut self,
        hash: u64,
        eq: impl FnMut(&T) -> bool,
        hasher: impl Fn(&T) -> u64,
    ) -> Entry<'_, T> {
        self.shards[self.of(hash)].entry(hash, eq, hasher)
    }

    /// Adds `value`, hashed `hash`, known not to be in the table. Room for one more must
    /// have been made ([`ShardedTable::make_room`]).
    #[inline]
    pub(crate) fn insert_unique(&mut self, hash: u64, value: T, hasher: impl Fn(&T) -> u64) {
        self.shards[self.of(hash)].insert_unique(hash, value, hasher);
    }

    /// Whether the table an entry hashed `hash` goes to is full: the next insertion would
    /// rehash it or, with its tombstones, double it.
    #[inline]
    pub(crate) fn is_full_for(&self, hash: u64) -> bool {
        let t = &self.shards[self.of(hash)];
        t.len() == t.capacity()
    }

    /// Entries the tables hold before one of them grows, in all.
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.shards.iter().map(HashTable::capacity).sum()
    }

    /// Entries in all.
    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(HashTable::len).sum()
    }

    /// Every entry, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.shards.iter().flat_map(HashTable::iter)
    }

    /// Bytes the tables have allocated.
    pub(crate) fn allocation_size(&self) -> usize {
        self.shards.iter().map(HashTable::allocation_size).sum()
    }

    /// Room for `additional` more entries in all, spread over the tables as entries are.
    pub(crate) fn reserve(&mut self, additional: usize, hasher: impl Fn(&T) -> u64) {
        if self.mask == 0 && self.len() + additional >= SPLIT_AT {
            self.split(&hasher);
        }
        let each = additional.div_ceil(self.shards.len());
        for t in self.shards.iter_mut() {
            t.reserve(each, &hasher);
        }
    }

    /// Puts the whole table's entries into [`SHARDS`] tables, each with its share of room.
    #[cold]
    #[inline(never)]
    fn split(&mut self, hasher: &impl Fn(&T) -> u64) {
        let whole = std::mem::take(&mut self.shards[0]);
        let live = whole.len() + 1;
        let each = (live + live / 8).div_ceil(SHARDS);
        self.shards = (0..SHARDS)
            .map(|_| HashTable::with_capacity(each))
            .collect();
        self.mask = SHARDS - 1;
        for e in whole {
            let h = hasher(&e);
            let i = self.of(h);
            self.shards[i].insert_unique(h, e, hasher);
        }
    }

    /// Removes every entry, keeping the room.
    pub(crate) fn clear(&mut self) {
        self.shards.iter_mut().for_each(HashTable::clear);
    }
}

impl<T: Copy> ShardedTable<T> {
    /// Refills the table an entry hashed `hash` goes to, in place, with an eighth of room to
    /// spare, if it is full: cleared (which drops hashbrown's tombstones and keeps the
    /// buckets), grown only if its live entries need it, and its entries put back in the
    /// order `order` gives (the order they were made in, so the records they name are read
    /// front to back). Only that table's entries move.
    ///
    /// Why refill: hashbrown marks an erased entry as a tombstone when it sat in a full probe
    /// window, and tombstones use up the table's slack until the next rehash. A bounded store
    /// erases one entry per event forever, so the slack always runs out; hashbrown then
    /// rehashes in place only if the table is at most half full, and otherwise doubles it: a
    /// 100 000-event history held a 262 144-bucket `events_by_id` (1.3 MB) where 131 072
    /// buckets hold it, and `children_by_parent` doubled the same way after a million events.
    /// Refilled in place, a table keeps its size and needs no second allocation (a fresh
    /// table beside the old one left a transient half-megabyte in the resident size); it
    /// grows only when its live entries need it. O(its entries), once per slack's worth of
    /// tombstones.
    #[inline]
    pub(crate) fn make_room(
        &mut self,
        hash: u64,
        hasher: impl Fn(&T) -> u64,
        order: impl FnMut(&T) -> u64,
    ) {
        if self.is_full_for(hash) {
            if self.mask == 0 && self.shards[0].len() >= SPLIT_AT {
                self.split(&hasher);
            } else {
                self.refill(self.of(hash), hasher, order);
            }
        }
    }

    #[cold]
    #[inline(never)]
    fn refill(&mut self, i: usize, hasher: impl Fn(&T) -> u64, mut order: impl FnMut(&T) -> u64) {
        let table = &mut self.shards[i];
        let mut entries: Vec<T> = table.drain().collect();
        entries.sort_unstable_by_key(|e| order(e));
        let live = entries.len() + 1;
        table.reserve(live + live / 8, &hasher);
        for e in entries {
            table.insert_unique(hasher(&e), e, &hasher);
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// A table of `n` numbers hashed by `hash`, filled as the store fills its tables.
    fn filled(n: u64, hash: impl Fn(&u64) -> u64 + Copy) -> ShardedTable<u64> {
        let mut t: ShardedTable<u64> = ShardedTable::default();
        for k in 0..n {
            t.make_room(hash(&k), hash, |&e| e);
            t.insert_unique(hash(&k), k, hash);
        }
        t
    }

    fn spread(n: &u64) -> u64 {
        n.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29)
    }

    #[test]
    fn a_small_table_stays_whole_and_a_big_one_splits_once_it_would_grow_past_the_limit() {
        let small = filled(SPLIT_AT as u64 - 1, spread);
        assert_eq!(small.shards.len(), 1);
        let big = filled(SPLIT_AT as u64 * 2, spread);
        assert_eq!((big.shards.len(), big.mask), (SHARDS, SHARDS - 1));
        assert_eq!(big.len(), SPLIT_AT * 2);
        for k in (0..SPLIT_AT as u64 * 2).step_by(7) {
            assert_eq!(big.find(spread(&k), |&e| e == k), Some(&k));
        }
        assert_eq!(big.find(spread(&u64::MAX), |&e| e == u64::MAX), None);
        let mut all: Vec<u64> = big.iter().copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..SPLIT_AT as u64 * 2).collect::<Vec<u64>>());
    }

    #[test]
    fn a_full_table_is_refilled_alone_and_keeps_its_room_when_cleared() {
        let mut t = filled(SPLIT_AT as u64 * 2, spread);
        // Removed entries leave tombstones; refilling one table leaves the others' buckets.
        for k in (0..SPLIT_AT as u64 * 2).filter(|k| k % 2 == 0) {
            let found = t.find_entry(spread(&k), |&e| e == k);
            assert!(found.is_ok_and(|e| {
                e.remove();
                true
            }));
        }
        let before: Vec<usize> = t.shards.iter().map(HashTable::capacity).collect();
        let in_first = (1..u64::MAX)
            .step_by(2)
            .find(|n| t.of(spread(n)) == 0)
            .expect("a hash for the first table");
        t.refill(0, spread, |&e| e);
        assert_eq!(t.len(), SPLIT_AT);
        for (i, (b, s)) in before.iter().zip(t.shards.iter()).enumerate().skip(1) {
            assert_eq!(*b, s.capacity(), "table {i} untouched");
        }
        assert!(
            !t.is_full_for(spread(&in_first)),
            "refilled with room to spare"
        );
        t.clear();
        assert_eq!((t.len(), t.iter().count()), (0, 0));
        assert!(t.allocation_size() > 0, "cleared, the room is kept");
    }

    #[test]
    fn the_tables_share_the_entries_of_seeded_id_hashes_evenly() {
        let id_hash = crate::core::ids::IdHash::default();
        let hash = |n: &u64| id_hash.hash(&uuid::Uuid::from_u64_pair(*n, 7));
        let t = filled(SHARDS as u64 * 2_000, hash);
        let (lo, hi) = t.shards.iter().fold((usize::MAX, 0), |(lo, hi), s| {
            (lo.min(s.len()), hi.max(s.len()))
        });
        assert!(
            lo > 1_800 && hi < 2_200,
            "2 000 each on average: {lo}..{hi}"
        );
    }
}
