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
    /// This thread's id stream: its random high half, and how many ids it has made; all
    /// zero until first use (a seeded high half is never zero: it carries the version).
    static ID_STREAM: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
}

/// The low half's bits that are not the RFC 4122 variant.
const LOW_BITS: u64 = (1 << 62) - 1;
/// The variant (`10`) in the low half's top two bits.
const VARIANT: u64 = 1 << 63;

/// A fresh random-looking (version 4) event id, unique on its thread.
///
/// ## Why not `Uuid::new_v4()`, nor a random generator per id
/// Event ids must be unique, not unpredictable. `Uuid::new_v4()` asks the platform for
/// randomness: natively through `rand`'s ChaCha (≈13 ns), and in the browser through
/// `crypto.getRandomValues` (measured at 1.6 µs per id in headless Chromium, more than
/// everything else an event costs there). Two xoshiro256++ steps per id, seeded once per
/// thread, were the next design: ~84 instructions an id, seven ids an operation (callgrind,
/// branch `busops`). Now each thread draws a random high half once (60 random bits beside
/// the version) and numbers its ids: the low half is the count through a bijection of its
/// 62 bits (multiply by an odd constant, xor-shift, twice), so two ids of one thread differ
/// for 2^62 ids, and ids of two threads or processes differ in their random high halves.
/// The bits still look random to the id hash and to sampling's draw, both of which mix them
/// again.
#[inline]
pub fn new_id() -> Uuid {
    ID_STREAM.with(|cell| {
        let (mut hi, mut n) = cell.get();
        n = n.wrapping_add(1) & LOW_BITS;
        if hi == 0 || n == 0 {
            // First use, or 2^62 ids made: a new stream.
            (hi, n) = (random_high_half(), 1);
        }
        cell.set((hi, n));
        Uuid::from_u64_pair(hi, scatter(n) | VARIANT)
    })
}

/// A random high half with the version (4) in its place; never zero.
#[cold]
fn random_high_half() -> u64 {
    (random_u64() & !0xf000) | 0x4000
}

/// A bijection of 62-bit numbers that scatters consecutive ones (each step is invertible
/// modulo 2^62: a multiplication by an odd constant, or an xor with a right shift).
#[inline]
fn scatter(n: u64) -> u64 {
    let mut x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) & LOW_BITS;
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9) & LOW_BITS;
    x ^ (x >> 29)
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
    fn scattering_keeps_62_bit_numbers_distinct() {
        // A bijection: no two inputs meet, across small counts and around the wrap.
        let inputs = (0..50_000u64).chain((LOW_BITS - 50_000)..=LOW_BITS);
        let outs: std::collections::HashSet<u64> = inputs.map(scatter).collect();
        assert_eq!(outs.len(), 100_001);
        assert!(outs.iter().all(|&x| x <= LOW_BITS));
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
