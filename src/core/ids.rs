//! # Id-keyed maps
//!
//! The history indexes are keyed by event id. SipHash would protect against chosen keys we do
//! not have and costs several times a cheap mix (ANCHORS.md: SipHash maps made a naive bus
//! 3–4× slower). A v4 uuid is already random, so [`IdHasher`] folds its two halves and applies
//! a short finaliser, which also spreads imported, non-random ids (OTLP span ids, Chrome
//! trace ids) well enough for hashbrown's use of both high and low bits.

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

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

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
