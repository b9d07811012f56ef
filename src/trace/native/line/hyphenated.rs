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

/// The 16 bytes of a uuid written hyphenated (`8-4-4-4-12` hex digits, either case), as
/// the `uuid` crate parses that form; `None` for anything else (which then goes to the
/// crate's own parser). No allocation, no table.
#[inline]
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
    let mut bytes = [0u8; 16];
    for (out, &w) in bytes.chunks_exact_mut(4).zip(&words) {
        out.copy_from_slice(&eight_digits(w)?.to_be_bytes());
    }
    Some(Uuid::from_bytes(bytes))
}

/// A byte repeated in each of a word's eight lanes.
const fn lanes(b: u8) -> u64 {
    u64::from_ne_bytes([b; 8])
}

const HIGH: u64 = lanes(0x80);

/// Eight hex digits (the first in the lowest byte, as read little-endian) as the number
/// they write, or `None` if any byte is not a hex digit of either case.
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
