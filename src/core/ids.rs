//! # Id-keyed maps
//!
//! The history indexes are keyed by event id. SipHash would protect against chosen keys we do
//! not have and costs several times a cheap mix (`docs/reference.md`: SipHash maps made a naive bus
//! 3–4× slower). A v4 uuid is already random, so [`IdHasher`] folds its two halves and applies
//! a short finaliser, which also spreads imported, non-random ids (OTLP span ids, Chrome
//! trace ids) well enough for hashbrown's use of both high and low bits.

use std::cell::Cell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use uuid::Uuid;

/// A hasher for `Uuid` keys: fold the 16 bytes into 64 bits, then one multiply-xorshift.
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        // `Uuid`'s `Hash` writes its 16 bytes in one call (after a length prefix that lands in
        // `write_usize`); other lengths are folded eight bytes at a time so the hasher stays
        // correct for any key, just tuned for ids.
        let mut acc = self.0;
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            acc = acc.rotate_left(23) ^ u64::from_le_bytes(word);
        }
        // MurmurHash3's 64-bit finaliser: every input bit reaches every output bit, so
        // sequential or structured ids spread over both ends of the hash.
        acc ^= acc >> 33;
        acc = acc.wrapping_mul(0xff51_afd7_ed55_8ccd);
        acc ^= acc >> 33;
        self.0 = acc;
    }

    #[inline]
    fn write_usize(&mut self, _len: usize) {
        // Length prefixes carry no information for fixed-size ids.
    }
}

/// A `HashMap` keyed by event id with [`IdHasher`].
pub type IdMap<V> = HashMap<Uuid, V, BuildHasherDefault<IdHasher>>;

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
    fn sequential_ids_spread_over_distinct_hashes() {
        use std::hash::BuildHasher;
        let build = BuildHasherDefault::<IdHasher>::default();
        let hashes: std::collections::HashSet<u64> = (0u128..1000)
            .map(|n| build.hash_one(Uuid::from_u128(n)))
            .collect();
        assert_eq!(hashes.len(), 1000);
        // Low 7 bits (hashbrown's bucket choice for small tables) must vary too.
        let low: std::collections::HashSet<u64> = hashes.iter().map(|h| h & 0x7f).collect();
        assert!(
            low.len() > 100,
            "only {} distinct low-bit patterns",
            low.len()
        );
    }
}
