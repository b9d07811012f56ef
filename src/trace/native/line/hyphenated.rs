//! # Uuids from their hex, in place
//!
//! Five of every lineage line's ids are written in the hyphenated form; the `uuid` crate's
//! general parser (which also reads the simple, braced and URN forms) costs about twice this
//! one for them.

use uuid::Uuid;

/// The 16 bytes of a uuid written hyphenated (`8-4-4-4-12` hex digits, either case), as
/// the `uuid` crate parses that form; `None` for anything else (which then goes to the
/// crate's own parser). A table lookup per digit, no allocation.
pub(super) fn hyphenated(text: &[u8]) -> Option<Uuid> {
    /// Where each byte's two digits start.
    const PAIRS: [usize; 16] = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
    if text.len() != 36 || [8, 13, 18, 23].iter().any(|&h| text[h] != b'-') {
        return None;
    }
    let mut bytes = [0u8; 16];
    let mut bad = 0u8;
    for (byte, &p) in bytes.iter_mut().zip(&PAIRS) {
        let (hi, lo) = (HEX[usize::from(text[p])], HEX[usize::from(text[p + 1])]);
        bad |= hi | lo;
        *byte = (hi << 4) | (lo & 0x0f);
    }
    (bad & NOT_HEX == 0).then(|| Uuid::from_bytes(bytes))
}

/// Marks a byte that is not a hex digit in [`HEX`].
const NOT_HEX: u8 = 0x80;

/// Each byte's value as a hex digit, or [`NOT_HEX`].
const HEX: [u8; 256] = {
    let mut t = [NOT_HEX; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};
