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
///
/// On x86_64 sixteen bytes a step in SSE2 registers (every x86_64 has them) while sixteen
/// are left, then eight a step in words: a lineage line's strings are 5 to 30 bytes, and the
/// words cost ~74 instructions a string there against ~45 (callgrind, 2026-12-06). wasm32
/// (no `simd128` in the page's build) takes the words alone.
#[inline]
pub(crate) fn plain_string_len(b: &[u8]) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    let at = {
        let mut at = 0;
        while let Some(sixteen) = b.get(at..at + 16) {
            let (quote, bad) = sse2::stops(sixteen.try_into().expect("16 bytes"));
            if quote | bad != 0 {
                let (q, x) = (quote.trailing_zeros(), bad.trailing_zeros());
                return (q < x).then_some(at + q as usize);
            }
            at += 16;
        }
        at
    };
    #[cfg(not(target_arch = "x86_64"))]
    let at = 0;
    plain_string_tail(b, at)
}

/// [`plain_string_len`] from `at`, eight bytes a step.
#[inline(always)]
fn plain_string_tail(b: &[u8], mut at: usize) -> Option<usize> {
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

/// `bytes` as text, judged exactly as [`std::str::from_utf8`] judges them. A line of a
/// trace is nearly always ASCII: on x86_64 that is checked 32 bytes a step in SSE2, ~0.2
/// instructions a byte against ~0.66 for the standard check (callgrind, 2026-12-06: ~300
/// instructions of a 450-byte lineage line); anything else goes to the standard check,
/// which finds the same error at the same byte.
#[inline]
pub(crate) fn utf8(bytes: &[u8]) -> Result<&str, std::str::Utf8Error> {
    #[cfg(target_arch = "x86_64")]
    if sse2::is_ascii(bytes) {
        // SAFETY: ASCII is UTF-8.
        return Ok(unsafe { std::str::from_utf8_unchecked(bytes) });
    }
    #[cfg(target_arch = "wasm32")]
    if is_ascii_words(bytes) {
        // SAFETY: ASCII is UTF-8.
        return Ok(unsafe { std::str::from_utf8_unchecked(bytes) });
    }
    std::str::from_utf8(bytes)
}

/// Whether every byte is below 0x80, sixteen bytes a step in two words: the standard
/// check's own ASCII path steps by `usize`, four bytes on wasm32 (the page's build, which
/// has no `simd128`; `scan/words.rs` says more).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
#[inline]
fn is_ascii_words(bytes: &[u8]) -> bool {
    let mut blocks = bytes.chunks_exact(16);
    let mut high = 0;
    for block in &mut blocks {
        high |= word(block, 0).unwrap_or(HIGH) | word(block, 8).unwrap_or(HIGH);
    }
    high & HIGH == 0 && blocks.remainder().is_ascii()
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::*;

    /// Whether every byte is below 0x80.
    #[inline]
    pub(super) fn is_ascii(bytes: &[u8]) -> bool {
        let mut blocks = bytes.chunks_exact(32);
        // SAFETY: SSE2 is part of every x86_64 target; each load reads 16 bytes inside
        // one 32-byte block of `bytes`, unaligned as `loadu` allows.
        let high = unsafe {
            let mut high = _mm_setzero_si128();
            for block in &mut blocks {
                let p = block.as_ptr().cast::<__m128i>();
                high = _mm_or_si128(
                    high,
                    _mm_or_si128(_mm_loadu_si128(p), _mm_loadu_si128(p.add(1))),
                );
            }
            _mm_movemask_epi8(high)
        };
        high == 0 && blocks.remainder().is_ascii()
    }

    /// Bit `k` of the first answer: byte `k` is `"`; of the second: it is `\\` or below
    /// 0x20.
    #[inline(always)]
    pub(super) fn stops(sixteen: &[u8; 16]) -> (u32, u32) {
        // SAFETY: SSE2 is part of every x86_64 target (the intrinsics' only requirement);
        // the one load reads the 16 bytes of `sixteen`, unaligned as `loadu` allows.
        unsafe {
            let x = _mm_loadu_si128(sixteen.as_ptr().cast());
            let quote = _mm_cmpeq_epi8(x, _mm_set1_epi8(b'"' as i8));
            let backslash = _mm_cmpeq_epi8(x, _mm_set1_epi8(b'\\' as i8));
            // Unsigned `x <= 0x1f`: the minimum of the two is `x` itself.
            let control = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1f)), x);
            (
                _mm_movemask_epi8(quote) as u32,
                _mm_movemask_epi8(_mm_or_si128(backslash, control)) as u32,
            )
        }
    }
}

/// The decimal digits at the start of `w` (eight bytes, the first in the lowest lane): how
/// many there are before the first other byte (8 if all are), and the number the first
/// `count` write (0 for none). Plain word operations (SWAR), the same natively and in wasm32:
/// an integer of a lineage line (a sequence number, a timestamp, a duration) is 1 to 20
/// digits, and the byte loop cost ~8 instructions a digit.
#[inline(always)]
pub(crate) fn leading_digits(w: u64) -> (usize, u64) {
    // A lane is a digit when its high nibble is 3 and adding 6 keeps it 3 (0x30..=0x39). A
    // carry out of a lane (bytes from 0xfa) only disturbs the lanes after it, and the
    // lowest lane that is not a digit is all that is read.
    let high = lanes(0xf0);
    let not_digit = ((w & high) ^ lanes(b'0')) | ((w.wrapping_add(lanes(6)) & high) ^ lanes(b'0'));
    let count = (not_digit.trailing_zeros() / 8) as usize;
    if count == 0 {
        return (0, 0);
    }
    // The digits' values moved into the top lanes, zeros (leading zero digits) below.
    let v = (w & lanes(0x0f)) << (8 * (8 - count));
    // Pairs, then fours, then all eight: the first digit is the lowest lane, so the most
    // significant (the multiply-and-shift of Lemire's eight-digit parse).
    let v = (v.wrapping_mul(10 << 8 | 1) >> 8) & 0x00ff_00ff_00ff_00ff;
    let v = (v.wrapping_mul(100 << 16 | 1) >> 16) & 0x0000_ffff_0000_ffff;
    let v = v.wrapping_mul(10_000 << 32 | 1) >> 32;
    (count, v)
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

#[cfg(test)]
mod digit_tests {
    use super::*;

    #[test]
    fn leading_digits_read_as_the_byte_loop_reads_them() {
        let mut cases: Vec<[u8; 8]> = vec![*b"12345678", *b"00000000", *b"99999999", *b"0,234567"];
        for len in 0..=8 {
            for stop in 0..=255u8 {
                let mut w = *b"98765432";
                if len < 8 {
                    w[len] = stop;
                }
                cases.push(w);
            }
        }
        for w in cases {
            let count = w.iter().take_while(|b| b.is_ascii_digit()).count();
            let value = w[..count]
                .iter()
                .fold(0u64, |v, &d| v * 10 + u64::from(d - b'0'));
            assert_eq!(
                leading_digits(u64::from_le_bytes(w)),
                (count, value),
                "{:?}",
                String::from_utf8_lossy(&w)
            );
        }
    }
}

#[cfg(test)]
mod utf8_tests {
    use super::*;

    #[test]
    fn text_is_judged_as_the_standard_check_judges_it() {
        let mut cases: Vec<Vec<u8>> = vec![Vec::new()];
        for len in [1usize, 15, 16, 31, 32, 33, 64, 100] {
            for at in 0..len {
                for bad in [0x80u8, 0xc3, 0xe2, 0xff, 0x7f, b'"'] {
                    let mut b = vec![b'a'; len];
                    b[at] = bad;
                    cases.push(b.clone());
                    if at + 1 < len {
                        b[at + 1] = 0xa9;
                        cases.push(b);
                    }
                }
            }
        }
        cases.push("é".repeat(40).into_bytes());
        for b in cases {
            assert_eq!(utf8(&b), std::str::from_utf8(&b), "{b:?}");
            assert_eq!(is_ascii_words(&b), b.is_ascii(), "{b:?}");
        }
    }
}
