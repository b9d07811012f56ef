//! # Eight bytes at a time
//!
//! The tokens of a trace line are short: keys of 3 to 18 bytes, kinds and names of 5 to 30,
//! ids of 36. For tokens that short, `memchr` and `memcmp` spend more on their set-up (a
//! call through a pointer picked at start-up, alignment, a tail loop) than on the bytes
//! (callgrind, 2026-12-06: ~100 instructions per string, ~60 per key). These helpers do the
//! work on `u64` words (SWAR): a string's end found and its body checked eight bytes per
//! step. Plain integer code, the same natively and in wasm32. One home for the NDJSON line
//! reader (`native/line`), the skimmer of the Chrome and OTLP readers (`trace/skim.rs`) and the
//! record splitter (`scan/element.rs`), which all read JSON the same way.

/// A byte repeated in each of a word's eight lanes.
pub(crate) const fn lanes(b: u8) -> u64 {
    u64::from_ne_bytes([b; 8])
}

/// Each lane's high bit.
pub(crate) const HIGH: u64 = lanes(0x80);

/// The eight bytes at `at`, the first in the lowest lane; `None` past the end.
#[inline(always)]
pub(crate) fn word(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// Lanes equal to zero have their high bit set; above the lowest such lane a borrow may set
/// more, so only the lowest set bit is exact (which is all the callers read).
#[inline(always)]
pub(crate) const fn zero_lanes(x: u64) -> u64 {
    x.wrapping_sub(lanes(1)) & !x & HIGH
}

/// How many bytes of `b` come before its first `"`, if no backslash and no control
/// character comes before it (a string serde_json reads as it is, without unescaping);
/// `None` otherwise, or if there is no `"`.
#[inline]
pub(crate) fn plain_string_len(b: &[u8]) -> Option<usize> {
    let mut at = 0;
    while let Some(w) = word(b, at) {
        let quote = zero_lanes(w ^ lanes(b'"'));
        // Bytes below 0x20: as for `zero_lanes`, exact up to the lowest.
        let bad = zero_lanes(w ^ lanes(b'\\')) | (w.wrapping_sub(lanes(0x20)) & !w & HIGH);
        if quote | bad != 0 {
            let (q, x) = (quote.trailing_zeros(), bad.trailing_zeros());
            return (q < x).then_some(at + q as usize / 8);
        }
        at += 8;
    }
    for (k, &c) in b.get(at..)?.iter().enumerate() {
        match c {
            b'"' => return Some(at + k),
            b'\\' | 0..=0x1f => return None,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_string_ends_at_its_first_quote_unless_an_escape_or_control_comes_first() {
        let cases: [(&[u8], Option<usize>); 9] = [
            (b"\"", Some(0)),
            (b"abc\"def", Some(3)),
            (b"0123456789abcdef\"", Some(16)),
            (b"0123456\\\"", None),
            (b"0123456\n89\"", None),
            (b"0123\"56\n89", Some(4)),
            (b"01234567\x7f\xc3\xa9\"", Some(11)),
            (b"no quote at all here", None),
            (b"", None),
        ];
        for (text, want) in cases {
            assert_eq!(
                plain_string_len(text),
                want,
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
        // Every position of every byte, against the byte-by-byte rule.
        for len in 0..20 {
            for b in 0..=255u8 {
                let mut text = vec![b'x'; len];
                text.push(b);
                text.extend_from_slice(b"yy\"zzzzzzzz");
                let slow = text
                    .iter()
                    .position(|&c| c == b'"' || c == b'\\' || c < 0x20);
                let want = slow.filter(|&p| text[p] == b'"');
                assert_eq!(plain_string_len(&text), want, "byte {b:#x} after {len}");
            }
        }
    }
}
