//! # Newlines and brackets found eight bytes at a time, for wasm32
//!
//! Every NDJSON line is searched for its newline (`memchr`) and, being longer than the
//! depth limit, has its opening brackets counted. Natively both run in SSE2 registers
//! (`memchr`'s own, and LLVM vectorises the count). The page's wasm32 build has no
//! `simd128`: there `memchr` falls back to `usize` words, four bytes on wasm32, and the count
//! to a byte loop, ~480 steps for a 477-byte lineage line. wasm32 has 64-bit integer
//! operations, so these look at sixteen bytes a step in two `u64` words (SWAR, as
//! [`crate::trace::swar`]) and are what the page's build uses; natively the tests check them
//! against the plain byte rules they replace.

use crate::trace::swar::{lanes, word, zero_lanes, HIGH};

/// Where the first `\n` of `b` is.
#[inline]
pub(super) fn newline(b: &[u8]) -> Option<usize> {
    #[cfg(target_arch = "wasm32")]
    return newline_words(b);
    #[cfg(not(target_arch = "wasm32"))]
    memchr::memchr(b'\n', b)
}

/// How many bytes of `line` are `[` or `{`.
#[inline]
pub(super) fn openers(line: &[u8]) -> usize {
    #[cfg(target_arch = "wasm32")]
    return openers_words(line);
    #[cfg(not(target_arch = "wasm32"))]
    line.iter().filter(|&&b| b == b'[' || b == b'{').count()
}

/// [`newline`] sixteen bytes a step.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
#[inline]
fn newline_words(b: &[u8]) -> Option<usize> {
    let nl = lanes(b'\n');
    let mut at = 0;
    while let (Some(w0), Some(w1)) = (word(b, at), word(b, at + 8)) {
        // Only the lowest lane `zero_lanes` marks is exact, and that is the one read.
        let (z0, z1) = (zero_lanes(w0 ^ nl), zero_lanes(w1 ^ nl));
        if z0 | z1 != 0 {
            let z = if z0 != 0 { z0 } else { z1 };
            let base = if z0 != 0 { at } else { at + 8 };
            return Some(base + z.trailing_zeros() as usize / 8);
        }
        at += 16;
    }
    b[at..].iter().position(|&c| c == b'\n').map(|k| at + k)
}

/// [`openers`] sixteen bytes a step: `[` (0x5b) and `{` (0x7b) differ only in bit 0x20, so
/// with that bit set in every lane both are 0x7b and no other byte is; the lanes equal to it
/// are counted exactly (every lane, not only the lowest, so not with [`zero_lanes`]).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
#[inline]
fn openers_words(line: &[u8]) -> usize {
    let exact_zero_lanes = |x: u64| {
        let low7 = lanes(0x7f);
        // A lane's high bit: set by the add unless its low seven bits are all zero, or by
        // the lane's own high bit; what is left, inverted, marks the zero lanes alone.
        !(((x & low7) + low7) | x | low7)
    };
    let brace = lanes(b'{');
    let both = |w: u64| exact_zero_lanes((w | lanes(0x20)) ^ brace);
    let mut count = 0;
    let mut at = 0;
    while let (Some(w0), Some(w1)) = (word(line, at), word(line, at + 8)) {
        count += ((both(w0) & HIGH).count_ones() + (both(w1) & HIGH).count_ones()) as usize;
        at += 16;
    }
    count
        + line[at..]
            .iter()
            .filter(|&&b| b == b'[' || b == b'{')
            .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines of every length up to 40 with every byte at every position, and a few real ones.
    fn cases() -> Vec<Vec<u8>> {
        let mut cases = Vec::new();
        for len in 0..40 {
            for at in 0..len {
                for b in [
                    b'\n',
                    b'[',
                    b'{',
                    b']',
                    b'}',
                    b'{' ^ 0x80,
                    b'[' ^ 0x80,
                    0x5a,
                    0x7c,
                    0x0a ^ 0x20,
                ] {
                    let mut line = vec![b'x'; len];
                    line[at] = b;
                    cases.push(line.clone());
                    line[len - 1 - at] = b'\n';
                    cases.push(line);
                }
            }
        }
        for b in 0..=255u8 {
            cases.push(vec![b; 37]);
        }
        let json = br#"{"id":"a","payload":{"list":[1,[2,{"k":[]}]]},"x":"[{"}"#;
        cases.push(json.to_vec());
        cases.push([json.as_slice(), b"\n", json].concat());
        cases
    }

    #[test]
    fn the_words_find_the_same_newline_as_memchr() {
        for case in cases() {
            assert_eq!(
                newline_words(&case),
                memchr::memchr(b'\n', &case),
                "{case:?}"
            );
        }
    }

    #[test]
    fn the_words_count_the_same_brackets_as_the_byte_loop() {
        for case in cases() {
            let want = case.iter().filter(|&&b| b == b'[' || b == b'{').count();
            assert_eq!(openers_words(&case), want, "{case:?}");
        }
    }
}
