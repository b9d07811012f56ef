//! # Uuids from their hex, in place
//!
//! Five of every lineage line's ids are written in the hyphenated form; the `uuid` crate's
//! general parser (which also reads the simple, braced and URN forms) costs about twice a
//! table lookup per digit, and the table costs about twice this: eight digits at a time in
//! one `u64` (SWAR), checked and converted with a dozen word operations instead of sixteen
//! loads, and one branch for all 32 digits. Plain
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
    // Straight-line code, one branch for all 32 digits.
    let (n0, bad0) = nibbles(word(0));
    let (n1, bad1) = nibbles(half(9) | half(14) << 32);
    let (n2, bad2) = nibbles(half(19) | half(24) << 32);
    let (n3, bad3) = nibbles(word(28));
    if (bad0 | bad1 | bad2 | bad3) != 0 {
        return None;
    }
    let v = u128::from(pack(n0)) << 96
        | u128::from(pack(n1)) << 64
        | u128::from(pack(n2)) << 32
        | u128::from(pack(n3));
    Some(Uuid::from_u128(v))
}

/// A byte repeated in each of a word's eight lanes.
const fn lanes(b: u8) -> u64 {
    u64::from_ne_bytes([b; 8])
}

const HIGH: u64 = lanes(0x80);

/// Eight hex digits (the first in the lowest byte, as read little-endian) as their values
/// (one per lane), and a mask that is not zero if any byte is not a hex digit of either case.
#[inline(always)]
fn nibbles(w: u64) -> (u64, u64) {
    // With a byte below 0x80, `b + (0x80 - lo)` sets its lane's high bit exactly when
    // `b >= lo`, and no lane carries into the next; a byte from 0x80 up is refused first.
    let low = w & !HIGH;
    let at_least = |x: u64, lo: u8| x + lanes(0x80 - lo);
    let digit = at_least(low, b'0') & !at_least(low, b'9' + 1);
    let folded = low | lanes(0x20);
    let letter = at_least(folded, b'a') & !at_least(folded, b'f' + 1) & HIGH;
    let bad = (w | !(digit | letter)) & HIGH;
    // Each lane's value: its low nibble, plus 9 for a letter (`a` is 0x61, `A` 0x41).
    ((w & lanes(0x0f)) + (letter >> 7) * 9, bad)
}

/// Eight digit values (the first in the lowest lane) as the number they write.
#[inline(always)]
fn pack(nibbles: u64) -> u32 {
    // Pairs of lanes into bytes, first digit high; then the four bytes together, in
    // reading order from the lowest up, which is big-endian.
    let pairs = ((nibbles & 0x00ff_00ff_00ff_00ff) << 4) | ((nibbles >> 8) & 0x00ff_00ff_00ff_00ff);
    let quads = (pairs | (pairs >> 8)) & 0x0000_ffff_0000_ffff;
    ((quads | (quads >> 16)) as u32).swap_bytes()
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
