//! # A hash table that grows a sixty-fourth at a time
//!
//! `events_by_id` holds a slot number per event held, and is refilled in place when it is
//! full ([`ShardedTable::make_room`] says why: a bounded store's tombstones). One hashbrown
//! table refills or doubles all its entries at once: with 1.86 M events in the page's live view
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
//!
//! The parents' and the trees' tables (`parents.rs`, `trees.rs`) hold one entry per parent
//! and per call, not per event, and stay plain tables: they are on the bus's emitting path,
//! where going through this type cost about 140 instructions an operation (callgrind,
//! `examples/emit_cost.rs`), and `events_by_id` is not (a bus indexes ids lazily).

use hashbrown::hash_table::{AbsentEntry, OccupiedEntry};
use hashbrown::HashTable;

/// Tables in a [`ShardedTable`] once it is split.
pub(crate) const SHARDS: usize = 64;

/// Entries a [`ShardedTable`] holds whole; it splits when one more would grow it. Splitting
/// moves them all once (about 3 ms natively); each of the 64 tables then holds about 1 000,
/// swinging by 3 %.
pub(crate) const SPLIT_AT: usize = 1 << 16;

/// Which of the [`SHARDS`] tables a hash belongs to: bits 32–37. hashbrown takes a bucket
/// from the low bits and a control byte from the top seven, so all of a table's entries
/// sharing these six bits leaves both as spread as in one table (below 2³² buckets).
#[inline]
fn shard(hash: u64) -> usize {
    (hash >> 32) as usize & (SHARDS - 1)
}

/// Whether split table `i`, holding `len` of `capacity` and with no tombstones, grows now.
///
/// The split tables fill evenly, so without this all 64 reached their limit within a few
/// thousand insertions and grew one after the other: each growth was short (no frame over
/// 67 ms), but together they cost what one table's growth did, and a 100 k/s live stream
/// waited 400–500 ms behind them at 0.93 M and 1.86 M events (docs/live-page.md). Table `i`
/// grows once it is `1 - i/128` full instead, so between two doublings of the whole the 64
/// grow spread over the way, one about every 1/128 of it.
#[inline]
fn grows_early(i: usize, len: usize, capacity: usize) -> bool {
    // No tombstones: the capacity is exactly 7/8 of a power of two of buckets (hashbrown
    // takes an erased entry's room until the next rehash).
    let buckets = (capacity * 8 / 7).next_power_of_two();
    capacity >= 8 && buckets * 7 / 8 == capacity && len >= capacity - capacity * i / (2 * SHARDS)
}

/// A hash table of `T`, split into [`SHARDS`] tables once it is big; see the module docs.
#[derive(Clone, Debug)]
pub(crate) struct ShardedTable<T> {
    /// The table while whole (empty once split). A field of its own rather than the first
    /// of a vector: a bus's history never splits, and its tables are on the emitting path.
    whole: HashTable<T>,
    /// The [`SHARDS`] tables once split; empty while whole.
    split: Vec<HashTable<T>>,
    /// Split tables grow at different sizes ([`grows_early`]): for a store that never
    /// evicts. A bounded one keeps its tables at the size its cap needs (a bus's history
    /// of 100 000 events held 4 B more an event with it, `lineage bench --memory`).
    staggered: bool,
    /// Bytes the split tables have allocated, kept as they change: an import checks its
    /// memory budget at every event, and summing the 64 tables there cost ~170
    /// instructions an event (callgrind, `lineage bench --import-case`, 2026-12-07). A split
    /// table's allocation changes only here (split, refill, reserve): entries are added
    /// through [`ShardedTable::table_for`] only after [`ShardedTable::make_room`].
    split_bytes: usize,
}

impl<T> Default for ShardedTable<T> {
    fn default() -> Self {
        ShardedTable::with_capacity(0)
    }
}

impl<T> ShardedTable<T> {
    /// Room for about `n` entries in all (none allocated for 0).
    pub(crate) fn with_capacity(n: usize) -> ShardedTable<T> {
        if n < SPLIT_AT {
            return ShardedTable {
                whole: HashTable::with_capacity(n),
                split: Vec::new(),
                staggered: false,
                split_bytes: 0,
            };
        }
        let each = n.div_ceil(SHARDS);
        let mut table = ShardedTable {
            whole: HashTable::new(),
            split: (0..SHARDS)
                .map(|_| HashTable::with_capacity(each))
                .collect(),
            staggered: false,
            split_bytes: 0,
        };
        table.count_split_bytes();
        table
    }

    /// Counts the split tables' allocations again, after one of them changed.
    fn count_split_bytes(&mut self) {
        self.split_bytes = self.split.iter().map(HashTable::allocation_size).sum();
    }

    /// Lets split tables grow at different sizes ([`grows_early`]): for a table that only
    /// grows.
    pub(crate) fn stagger(&mut self) {
        self.staggered = true;
    }

    /// The table an entry hashed `hash` goes to.
    #[inline]
    fn table(&self, hash: u64) -> &HashTable<T> {
        if self.split.is_empty() {
            &self.whole
        } else {
            &self.split[shard(hash)]
        }
    }

    /// The table an entry hashed `hash` goes to, to change (an entry placed through it must
    /// have had room made, [`ShardedTable::make_room`]).
    #[inline]
    pub(crate) fn table_for(&mut self, hash: u64) -> &mut HashTable<T> {
        if self.split.is_empty() {
            &mut self.whole
        } else {
            &mut self.split[shard(hash)]
        }
    }

    /// Every table: the whole one (empty once split), then the split ones.
    fn tables(&self) -> impl Iterator<Item = &HashTable<T>> + '_ {
        std::iter::once(&self.whole).chain(self.split.iter())
    }

    /// The entry hashed `hash` that `eq` accepts.
    #[inline]
    pub(crate) fn find(&self, hash: u64, eq: impl FnMut(&T) -> bool) -> Option<&T> {
        self.table(hash).find(hash, eq)
    }

    /// The entry hashed `hash` that `eq` accepts, to be removed or changed.
    #[inline]
    pub(crate) fn find_entry(
        &mut self,
        hash: u64,
        eq: impl FnMut(&T) -> bool,
    ) -> Result<OccupiedEntry<'_, T>, AbsentEntry<'_, T>> {
        self.table_for(hash).find_entry(hash, eq)
    }

    /// Adds `value`, hashed `hash`, known not to be in the table. Room for one more must
    /// have been made ([`ShardedTable::make_room`]).
    #[cfg(test)]
    pub(crate) fn insert_unique(&mut self, hash: u64, value: T, hasher: impl Fn(&T) -> u64) {
        self.table_for(hash).insert_unique(hash, value, hasher);
        self.count_split_bytes();
    }

    /// Whether the table an entry hashed `hash` goes to is full: the next insertion would
    /// rehash it or, with its tombstones, double it. A split table that only grows (no
    /// tombstones) counts as full earlier, the more so the higher its number
    /// ([`grows_early`]).
    #[inline]
    pub(crate) fn is_full_for(&self, hash: u64) -> bool {
        if self.split.is_empty() {
            return self.whole.len() == self.whole.capacity();
        }
        let i = shard(hash);
        let t = &self.split[i];
        t.len() == t.capacity() || (self.staggered && grows_early(i, t.len(), t.capacity()))
    }

    /// Entries the tables hold before one of them grows, in all.
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.tables().map(HashTable::capacity).sum()
    }

    /// Entries in all.
    pub(crate) fn len(&self) -> usize {
        self.tables().map(HashTable::len).sum()
    }

    /// Every entry, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.tables().flat_map(HashTable::iter)
    }

    /// Bytes the tables have allocated.
    #[inline]
    pub(crate) fn allocation_size(&self) -> usize {
        debug_assert_eq!(
            self.split_bytes,
            (self.split.iter().map(HashTable::allocation_size)).sum::<usize>(),
            "the split tables' bytes as kept"
        );
        self.whole.allocation_size() + self.split_bytes
    }

    /// Room for `additional` more entries in all, spread over the tables as entries are.
    /// The room is the size wanted: the tables no longer grow early ([`grows_early`]), which
    /// would spend it (an import told its length makes room once and grows no more).
    pub(crate) fn reserve(&mut self, additional: usize, hasher: impl Fn(&T) -> u64) {
        self.staggered = false;
        if self.split.is_empty() && self.whole.len() + additional >= SPLIT_AT {
            self.split(&hasher);
        }
        if self.split.is_empty() {
            self.whole.reserve(additional, &hasher);
        }
        let each = additional.div_ceil(SHARDS);
        for t in self.split.iter_mut() {
            t.reserve(each, &hasher);
        }
        self.count_split_bytes();
    }

    /// Puts the whole table's entries into [`SHARDS`] tables, each with its share of room.
    #[cold]
    #[inline(never)]
    fn split(&mut self, hasher: &impl Fn(&T) -> u64) {
        let whole = std::mem::take(&mut self.whole);
        let live = whole.len() + 1;
        let each = (live + live / 8).div_ceil(SHARDS);
        self.split = (0..SHARDS)
            .map(|_| HashTable::with_capacity(each))
            .collect();
        for e in whole {
            let h = hasher(&e);
            self.split[shard(h)].insert_unique(h, e, hasher);
        }
        self.count_split_bytes();
    }

    /// Removes every entry, keeping the room.
    pub(crate) fn clear(&mut self) {
        self.whole.clear();
        self.split.iter_mut().for_each(HashTable::clear);
    }
}

impl<T: Copy> ShardedTable<T> {
    /// Makes room for one more entry hashed `hash`: nothing while its table has room. A
    /// full table is refilled in place with an eighth of room to spare: cleared (which drops
    /// hashbrown's tombstones and keeps the buckets), grown only if its live entries need
    /// it. A whole table is refilled by `refill_whole` from the entries' owner, which knows
    /// them in the order they were made (the ring, the parents' vector) and reads them
    /// front to back, or split once it holds [`SPLIT_AT`]; a split one refills only the
    /// table of `hash`, from its own entries.
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
        refill_whole: impl FnOnce(&mut HashTable<T>),
    ) {
        if self.is_full_for(hash) {
            self.full(hash, hasher, refill_whole);
        }
    }

    #[cold]
    #[inline(never)]
    fn full(
        &mut self,
        hash: u64,
        hasher: impl Fn(&T) -> u64,
        refill_whole: impl FnOnce(&mut HashTable<T>),
    ) {
        if !self.split.is_empty() {
            self.refill(shard(hash), hasher);
        } else if self.whole.len() >= SPLIT_AT {
            self.split(&hasher);
        } else {
            refill_whole(&mut self.whole);
        }
    }

    /// Refills split table `i` from its own entries; one that grows early ([`grows_early`])
    /// grows to the next size.
    fn refill(&mut self, i: usize, hasher: impl Fn(&T) -> u64) {
        let table = &mut self.split[i];
        let before = table.allocation_size();
        let early = table.len() < table.capacity();
        let room = if early { table.capacity() + 1 } else { 0 };
        let entries: Vec<T> = table.drain().collect();
        let live = entries.len() + 1;
        table.reserve((live + live / 8).max(room), &hasher);
        for e in entries {
            table.insert_unique(hasher(&e), e, &hasher);
        }
        self.split_bytes = self.split_bytes - before + table.allocation_size();
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
            t.make_room(hash(&k), hash, |whole| refill_whole(whole, hash));
            t.insert_unique(hash(&k), k, hash);
        }
        t
    }

    /// The owner's refill of a whole table (here from the table itself).
    fn refill_whole(whole: &mut HashTable<u64>, hash: impl Fn(&u64) -> u64) {
        let entries: Vec<u64> = whole.drain().collect();
        let live = entries.len() + 1;
        whole.reserve(live + live / 8, &hash);
        for e in entries {
            whole.insert_unique(hash(&e), e, &hash);
        }
    }

    fn spread(n: &u64) -> u64 {
        n.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29)
    }

    #[test]
    fn a_small_table_stays_whole_and_a_big_one_splits_once_it_would_grow_past_the_limit() {
        let small = filled(SPLIT_AT as u64 - 1, spread);
        assert!(small.split.is_empty());
        let big = filled(SPLIT_AT as u64 * 2, spread);
        assert_eq!((big.split.len(), big.whole.len()), (SHARDS, 0));
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
        let before: Vec<usize> = t.split.iter().map(HashTable::capacity).collect();
        let in_first = (1..u64::MAX)
            .step_by(2)
            .find(|n| shard(spread(n)) == 0)
            .expect("a hash for the first table");
        t.refill(0, spread);
        assert_eq!(t.len(), SPLIT_AT);
        for (i, (b, s)) in before.iter().zip(t.split.iter()).enumerate().skip(1) {
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
    fn split_tables_that_only_grow_grow_at_different_sizes() {
        // Table 0 grows when full, table 63 at about half full.
        assert!(grows_early(0, 896, 896) && !grows_early(0, 895, 896));
        assert!(grows_early(63, 456, 896) && !grows_early(63, 400, 896));
        // With tombstones (a capacity short of 7/8 of a power of two): only when full.
        assert!(!grows_early(63, 800, 890));
        let mut t: ShardedTable<u64> = ShardedTable::default();
        t.stagger();
        for k in 0..SPLIT_AT as u64 * 8 {
            t.make_room(spread(&k), spread, |whole| refill_whole(whole, spread));
            t.table_for(spread(&k)).insert_unique(spread(&k), k, spread);
        }
        assert_eq!(t.len(), SPLIT_AT * 8);
        let even = filled(SPLIT_AT as u64 * 8, spread);
        assert!(even.allocation_size() <= t.allocation_size());
        let mut sizes: Vec<usize> = t.split.iter().map(HashTable::capacity).collect();
        sizes.sort_unstable();
        sizes.dedup();
        assert!(sizes.len() > 1, "not all the same size: {sizes:?}");
    }

    #[test]
    fn the_tables_share_the_entries_of_seeded_id_hashes_evenly() {
        let id_hash = crate::core::ids::IdHash::default();
        let hash = |n: &u64| id_hash.hash(&uuid::Uuid::from_u64_pair(*n, 7));
        let t = filled(SHARDS as u64 * 2_000, hash);
        let (lo, hi) = t.split.iter().fold((usize::MAX, 0), |(lo, hi), s| {
            (lo.min(s.len()), hi.max(s.len()))
        });
        assert!(
            lo > 1_800 && hi < 2_200,
            "2 000 each on average: {lo}..{hi}"
        );
    }
}
