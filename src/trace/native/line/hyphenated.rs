//! # Uuids from their hex, in place
//!
//! Five of every lineage line's ids are written in the hyphenated form; the `uuid` crate's
//! general parser (which also reads the simple, braced and URN forms) costs about twice a
//! table lookup per digit, and the table costs about twice this: eight digits at a time in
//! one `u64` (SWAR), checked and converted with two dozen word operations instead of sixteen
//! table loads (callgrind, 2026-12-06: ~250 → ~210 instructions per uuid with the call
//! around it; one branch for all four words instead of one per word measured 12 more). Plain
//! integer code, so it runs the same natively and in wasm32.

use uuid::Uuid;

use crate::trace::swar::{lanes, HIGH};

/// The 16 bytes of a uuid written hyphenated (`8-4-4-4-12` hex digits, either case), as
/// the `uuid` crate parses that form; `None` for anything else (which then goes to the
/// crate's own parser). No allocation, no table.
#[inline(always)]
pub(super) fn hyphenated(text: &[u8]) -> Option<Uuid> {
    let text: &[u8; 36] = text.try_into().ok()?;
    if text[8] != b'-' || text[13] != b'-' || text[18] != b'-' || text[23] != b'-' {
        return None;
    }
    let word = |at: usize| u64::from_le_bytes(text[at..at + 8].try_into().expect("8 bytes"));
    let half = |at: usize| u64::from(u32::from_le_bytes(text[at..at + 4].try_into().expect("4")));
    let words = [
        word(0),
        half(9) | half(14) << 32,
        half(19) | half(24) << 32,
        word(28),
    ];
    digits(words).map(Uuid::from_bytes)
}

/// The `2N` hex digits of `text` (either case) as the `N` bytes they write, for `N` of 8
/// or 16 (OTLP's span and trace ids), by the same steps as a uuid's; `None` for any other
/// length or any byte that is not a hex digit (as the `hex` crate refuses it). Through the
/// `hex` crate, a span's three ids were ~580 instructions of the budget.md document's
/// ~16 000 a span (callgrind, 2026-12-06).
#[inline]
pub(crate) fn hex_id<const N: usize>(text: &[u8]) -> Option<[u8; N]> {
    if text.len() != 2 * N || (N != 8 && N != 16) {
        return None;
    }
    // Words past the text (a span id's last two) are zeros, written as digits.
    let word = |k: usize| {
        text.get(8 * k..8 * k + 8).map_or(lanes(b'0'), |w| {
            u64::from_le_bytes(w.try_into().expect("8 bytes"))
        })
    };
    let bytes = digits([word(0), word(1), word(2), word(3)])?;
    bytes[..N].try_into().ok()
}

/// The 32 hex digits in `words` (eight a word, the first in the lowest byte) as the 16
/// bytes they write, or `None` if any is not a hex digit.
#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn digits(words: [u64; 4]) -> Option<[u8; 16]> {
    let mut bytes = [0u8; 16];
    for (out, &w) in bytes.chunks_exact_mut(4).zip(&words) {
        out.copy_from_slice(&eight_digits(w)?.to_be_bytes());
    }
    Some(bytes)
}

/// [`digits`] sixteen at a time in SSE2 registers (every x86_64 has them), the same steps
/// as [`eight_digits`] on eight lanes: ~70 instead of ~180 instructions per uuid
/// (callgrind, 2026-12-06), five uuids a lineage line.
#[cfg(target_arch = "x86_64")]
#[inline]
fn digits(words: [u64; 4]) -> Option<[u8; 16]> {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 is part of every x86_64 target (the intrinsics' only requirement), and
    // these touch no memory: values in, values out.
    unsafe {
        let lanes = |b: u8| _mm_set1_epi8(b as i8);
        // Bytes below 0x80 are positive, so the signed compares below are plain ranges, and
        // bytes from 0x80 up are negative: in neither range.
        let between = |x: __m128i, lo: u8, hi: u8| {
            _mm_and_si128(
                _mm_cmpgt_epi8(x, lanes(lo - 1)),
                _mm_cmplt_epi8(x, lanes(hi + 1)),
            )
        };
        let sixteen = |low: u64, high: u64| -> Option<__m128i> {
            let text = _mm_set_epi64x(high as i64, low as i64);
            let digit = between(text, b'0', b'9');
            let letter = between(_mm_or_si128(text, lanes(0x20)), b'a', b'f');
            if _mm_movemask_epi8(_mm_or_si128(digit, letter)) != 0xffff {
                return None;
            }
            // Each lane's value: its low nibble, plus 9 for a letter.
            let nibbles = _mm_add_epi8(
                _mm_and_si128(text, lanes(0x0f)),
                _mm_and_si128(letter, lanes(9)),
            );
            // Pairs of lanes into the low byte of each 16-bit lane, first digit high.
            let high_nibble = _mm_and_si128(_mm_slli_epi16(nibbles, 4), _mm_set1_epi16(0xf0));
            Some(_mm_or_si128(high_nibble, _mm_srli_epi16(nibbles, 8)))
        };
        let bytes = _mm_packus_epi16(sixteen(words[0], words[1])?, sixteen(words[2], words[3])?);
        let low = _mm_cvtsi128_si64(bytes) as u64;
        let high = _mm_cvtsi128_si64(_mm_unpackhi_epi64(bytes, bytes)) as u64;
        Some(((u128::from(high) << 64) | u128::from(low)).to_le_bytes())
    }
}

/// Eight hex digits (the first in the lowest byte, as read little-endian) as the number
/// they write, or `None` if any byte is not a hex digit of either case.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline]
fn eight_digits(w: u64) -> Option<u32> {
    if w & HIGH != 0 {
        return None;
    }
    // With every byte below 0x80, `b + (0x80 - lo)` sets a lane's high bit exactly when
    // `b >= lo`, and no lane carries into the next.
    let at_least = |x: u64, lo: u8| x + lanes(0x80 - lo);
    let digit = at_least(w, b'0') & !at_least(w, b'9' + 1);
    let folded = w | lanes(0x20);
    let letter = at_least(folded, b'a') & !at_least(folded, b'f' + 1) & HIGH;
    if (digit | letter) & HIGH != HIGH {
        return None;
    }
    // Each lane's value: its low nibble, plus 9 for a letter (`a` is 0x61, `A` 0x41).
    let nibbles = (w & lanes(0x0f)) + (letter >> 7) * 9;
    // Pairs of lanes into bytes, first digit high; then the four bytes together.
    let pairs = ((nibbles & 0x00ff_00ff_00ff_00ff) << 4) | ((nibbles >> 8) & 0x00ff_00ff_00ff_00ff);
    let quads = (pairs | (pairs >> 8)) & 0x0000_ffff_0000_ffff;
    let le = (quads | (quads >> 16)) as u32;
    // The bytes are in reading order from the lowest up: reading order is big-endian.
    Some(u32::from_be_bytes(le.to_le_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_in_every_hex_id_position_is_judged_as_the_hex_crate_judges_it() {
        fn both<const N: usize>(text: &[u8]) {
            let mut want = [0u8; N];
            let want = hex::decode_to_slice(text, &mut want).ok().map(|()| want);
            assert_eq!(hex_id::<N>(text), want, "{text:?}");
        }
        let good = *b"0123abcdef4567ABCDEF89aBcDeF0189";
        for at in 0..32 {
            for b in 0..=255u8 {
                let mut text = good;
                text[at] = b;
                both::<16>(&text);
                if at < 16 {
                    both::<8>(&text[..16]);
                }
            }
        }
        for len in 0..40 {
            both::<8>(&good.repeat(2)[..len]);
            both::<16>(&good.repeat(2)[..len]);
        }
    }

    #[test]
    fn every_byte_in_every_digit_position_is_judged_as_the_uuid_crate_judges_it() {
        let good = *b"0123abcd-ef45-6789-ABCD-EFabcdef0189";
        assert_eq!(hyphenated(&good), Uuid::try_parse_ascii(&good).ok());
        for at in 0..36 {
            for b in 0..=255u8 {
                let mut text = good;
                text[at] = b;
                assert_eq!(
                    hyphenated(&text),
                    Uuid::try_parse_ascii(&text).ok(),
                    "byte {b:#x} at {at}"
                );
            }
        }
    }
}
