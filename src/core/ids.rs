//! # Event ids: making them and hashing them
//!
//! Every id-keyed table of lineage (the store's `events_by_id`, `children_by_parent` and
//! trees, and the importers' [`IdMap`]s) hashes ids with one function, [`IdHash`].
//!
//! ## Why a seeded hash
//! Ids come from outside: trace files now, the network next, and whoever writes them chooses
//! them. The hash used until 2026-12 folded a uuid as `rotl(hi, 23) ^ lo` before a fixed
//! finaliser; ids chosen to share that fold all landed in one probe chain and 80 000 of them
//! took 119 s to summarise (0.2 s for random ids). [`IdHash`] is foldhash's fast hash (the
//! one hashbrown itself defaults to; a well-kept crate rather than a mix of our own) keyed
//! by two random seeds: one per table owner, one per process. Ids that collide under one
//! seed do not under another, so no file can be written to collide in every process.
//!
//! foldhash seeds its own `RandomState` from address-space randomisation and the clock,
//! neither of which exists on `wasm32-unknown-unknown` (every page would share one seed),
//! so the seeds here come from the platform's randomness through `Uuid::new_v4` (`getrandom`:
//! the OS natively, `crypto.getRandomValues` in the browser), drawn once per table owner.
//! SipHash would also resist chosen ids, at several times the cost per lookup
//! (`docs/reference.md`: SipHash maps made a naive bus 3–4× slower); foldhash on a `u128` is
//! one 64×64→128 multiply.
//!
//! ## Why a finaliser after foldhash
//! foldhash hashes a `u128` with one folded multiply, `fold((lo ^ a) × (hi ^ b))`. The low
//! bits of a product depend only on the low bits of its factors, and hashbrown picks the
//! bucket from the low bits. For ids that differ only in a few bits (counters, which traces
//! written by other tools often use), some seeds spread badly: over 20 000 random seeds, 1 000
//! sequential ids used as few as 12 of 128 low-bit patterns natively (a CI run of 2026-12-06
//! caught 91). Without a widening multiply (wasm32 has none) foldhash approximates the product
//! by 32×32 products and it was worse: about half of all seeds gave 64 patterns in headless
//! Chromium. `spread` multiplies once more and rotates the product's well-mixed high bits down, two
//! instructions per hash; with it the same 20 000 seeds never gave fewer than 125 (on
//! foldhash's 64-bit product and on its wasm32 approximation alike).
//! Interned text is hashed by the same [`IdHash`], so one function keys every table.

use std::cell::Cell;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;

use foldhash::fast::FoldHasher;
use foldhash::SharedSeed;
use uuid::Uuid;

/// The seeded id hash; see the module docs. Each [`IdHash::random`] (and `default()`) draws a
/// fresh seed; copies hash alike, as a cloned table needs.
#[derive(Clone, Copy, Debug)]
pub struct IdHash {
    per_owner: u64,
    shared: &'static SharedSeed,
}

impl IdHash {
    /// A hash with a fresh random seed.
    pub fn random() -> IdHash {
        IdHash {
            per_owner: random_u64(),
            shared: process_seed(),
        }
    }

    /// The hash of `id` under this seed.
    #[inline]
    pub fn hash(&self, id: &Uuid) -> u64 {
        let mut h = FoldHasher::with_seed(self.per_owner, self.shared);
        h.write_u128(id.as_u128());
        spread(h.finish())
    }
}

impl Default for IdHash {
    fn default() -> Self {
        IdHash::random()
    }
}

impl BuildHasher for IdHash {
    type Hasher = IdHasher;

    #[inline]
    fn build_hasher(&self) -> IdHasher {
        IdHasher(FoldHasher::with_seed(self.per_owner, self.shared))
    }
}

/// [`IdHash`] as a `Hasher`, for `HashMap`s keyed by `Uuid`: the id's 16 bytes go in as one
/// `u128`, as [`IdHash::hash`] does, and the slice length `Uuid`'s `Hash` writes first is
/// skipped (every id has 16 bytes). Text (the symbol table's keys) goes to foldhash's
/// `write`; a key that writes lengths or `usize`s of its own would lose them, so only ids and
/// text are keyed by it.
#[derive(Clone)]
pub struct IdHasher(FoldHasher<'static>);

impl Hasher for IdHasher {
    #[inline]
    fn finish(&self) -> u64 {
        spread(self.0.finish())
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        match <[u8; 16]>::try_from(bytes) {
            Ok(id) => self.0.write_u128(u128::from_be_bytes(id)),
            Err(_) => self.0.write(bytes),
        }
    }

    #[inline]
    fn write_usize(&mut self, _len: usize) {
        // The length prefix of a uuid's bytes carries no information.
    }
}

/// Spreads a foldhash value's entropy into its low bits, where hashbrown picks the bucket
/// (see the module docs).
#[inline(always)]
fn spread(h: u64) -> u64 {
    // A multiply carries every bit upwards only; the rotation brings the well-mixed high bits
    // down to where the bucket is chosen. Both are bijections: no ids newly collide. (A
    // rotation alone, or a shift-xor alone, left as few as 3 or 19 patterns.)
    h.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(26)
}

/// A `HashMap` keyed by event id, hashed with a fresh [`IdHash`].
pub type IdMap<V> = HashMap<Uuid, V, IdHash>;

/// The half of the seed every table of this process shares, drawn once.
pub(crate) fn process_seed() -> &'static SharedSeed {
    static SEED: OnceLock<SharedSeed> = OnceLock::new();
    SEED.get_or_init(|| SharedSeed::from_u64(random_u64()))
}

/// 64 random bits from the platform (a v4 uuid holds 122; the fold covers its 6 fixed bits).
pub(crate) fn random_u64() -> u64 {
    let (hi, lo) = Uuid::new_v4().as_u64_pair();
    hi ^ lo.rotate_left(32)
}

thread_local! {
    /// xoshiro256++ state; all zero until first use (an all-zero state never occurs seeded).
    static ID_RNG: Cell<[u64; 4]> = const { Cell::new([0; 4]) };
}

/// A fresh random (version 4) event id.
///
/// ## Why not `Uuid::new_v4()`
/// Event ids must be unique, not unpredictable. `Uuid::new_v4()` asks the platform for
/// randomness: natively through `rand`'s ChaCha (≈13 ns), and in the browser through
/// `crypto.getRandomValues` (measured at 1.6 µs per id in headless Chromium, more than
/// everything else an event costs there). Here each thread seeds a xoshiro256++ generator
/// once from `Uuid::new_v4()` and draws 122 random bits per id from it, a few ns anywhere.
#[inline]
pub fn new_id() -> Uuid {
    ID_RNG.with(|cell| {
        let mut s = cell.get();
        if s == [0; 4] {
            s = seed();
        }
        let hi = next(&mut s);
        let lo = next(&mut s);
        cell.set(s);
        let bytes = ((u128::from(hi) << 64) | u128::from(lo)).to_be_bytes();
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    })
}

#[cold]
fn seed() -> [u64; 4] {
    let (a, b) = Uuid::new_v4().as_u64_pair();
    let (c, d) = Uuid::new_v4().as_u64_pair();
    let s = [a, b, c, d];
    if s == [0; 4] {
        [1, 2, 3, 4]
    } else {
        s
    }
}

/// One step of xoshiro256++ (Blackman and Vigna).
#[inline]
fn next(s: &mut [u64; 4]) -> u64 {
    let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
    let t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = s[3].rotate_left(45);
    result
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn new_ids_are_version_4_and_distinct() {
        let ids: std::collections::HashSet<Uuid> = (0..10_000).map(|_| new_id()).collect();
        assert_eq!(ids.len(), 10_000);
        assert!(ids
            .iter()
            .all(|id| id.get_version_num() == 4 && id.get_variant() == uuid::Variant::RFC4122));
    }

    #[test]
    fn sequential_ids_spread_over_distinct_hashes_under_every_seed() {
        // Many seeds, because a weakness shows under only some of them (before `spread`,
        // about half on wasm32 and one in forty natively).
        for _ in 0..64 {
            let hash = IdHash::random();
            let hashes: std::collections::HashSet<u64> = (0u128..1000)
                .map(|n| hash.hash(&Uuid::from_u128(n)))
                .collect();
            assert_eq!(hashes.len(), 1000);
            // Low 7 bits (hashbrown's bucket choice for small tables) must vary too: 1 000
            // random values leave none of 128 unused nearly always, and with `spread` 20 000
            // seeds never left more than two.
            let low: std::collections::HashSet<u64> = hashes.iter().map(|h| h & 0x7f).collect();
            assert!(
                low.len() > 100,
                "only {} distinct low-bit patterns",
                low.len()
            );
        }
    }

    #[test]
    fn the_map_hasher_and_the_table_hash_agree() {
        let hash = IdHash::random();
        for n in [
            0u128,
            1,
            u128::MAX,
            0x0123_4567_89ab_cdef_0011_2233_4455_6677,
        ] {
            let id = Uuid::from_u128(n);
            assert_eq!(hash.hash_one(id), hash.hash(&id));
        }
    }

    #[test]
    fn each_owner_draws_its_own_seed() {
        let id = Uuid::from_u128(42);
        let hashes: std::collections::HashSet<u64> =
            (0..8).map(|_| IdHash::random().hash(&id)).collect();
        assert_eq!(hashes.len(), 8, "two owners drew the same seed");
        let one = IdHash::random();
        assert_eq!(one.hash(&id), { one }.hash(&id), "a copy hashes alike");
    }
}
