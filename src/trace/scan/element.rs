//! # An element's end in one tight loop
//!
//! The splitter's state machine (`structure`) sees every byte that matters one at a time,
//! with its state in the [`Splitter`](super::Splitter): about 11 instructions a byte of a
//! Chrome trace (callgrind, 2026-12-06), most of it per token, on records of a kilobyte.
//! For a record that starts in the chunk being scanned, [`element_len`] first looks for its
//! end with the state in locals: strings skipped eight bytes at a time, brackets counted, the
//! first `,`, `]` or `}` outside any bracket is the end. It gives up (and the state machine
//! scans the record as before, from its first byte) on what the machine must see itself: a
//! newline (lines are counted for positions), nesting past the depth limit (the machine
//! reports where), the end of the chunk (the record continues in the next). So the records
//! handed over, and every error, are the machine's.

use crate::trace::swar::{lanes, zero_lanes};

/// The bytes of an element (outside its strings) the state machine must see: the ones that
/// open a string, nest, end the element, or start a line.
pub(super) const ELEMENT_STOPS: [bool; 256] = {
    let mut t = [false; 256];
    let stops = b"\"[]{},\n";
    let mut k = 0;
    while k < stops.len() {
        t[stops[k] as usize] = true;
        k += 1;
    }
    t
};

/// Where the first `"`, `\` or newline of `b` is. Strings in traces are mostly short (keys,
/// names, ids), where `memchr`'s set-up costs more than the bytes: the first 64 bytes are
/// scanned eight at a time ([`crate::trace::swar`]), the rest of a long
/// string by `memchr`.
#[inline(always)]
pub(super) fn string_stop(b: &[u8]) -> Option<usize> {
    let mut at = 0;
    while let Some(word) = b.get(at..at + 8) {
        let w = u64::from_le_bytes(word.try_into().ok()?);
        let hit = zero_lanes(w ^ lanes(b'"'))
            | zero_lanes(w ^ lanes(b'\\'))
            | zero_lanes(w ^ lanes(b'\n'));
        if hit != 0 {
            return Some(at + hit.trailing_zeros() as usize / 8);
        }
        at += 8;
        if at == 64 {
            return memchr::memchr3(b'"', b'\\', b'\n', &b[at..]).map(|k| at + k);
        }
    }
    b[at..]
        .iter()
        .position(|&c| matches!(c, b'"' | b'\\' | b'\n'))
        .map(|k| at + k)
}

/// Where the element that starts `b` ends: the offset of the `,`, `]` or `}` after it at
/// its own level (nesting at most `room` levels inside it). `None` where the state machine
/// must scan it (see the module docs).
#[inline]
pub(super) fn element_len(b: &[u8], room: usize) -> Option<usize> {
    let (mut depth, mut i) = (0usize, 0usize);
    loop {
        while !ELEMENT_STOPS[usize::from(*b.get(i)?)] {
            i += 1;
        }
        match b[i] {
            b'"' => {
                i += 1;
                loop {
                    i += string_stop(&b[i..])?;
                    match b[i] {
                        b'"' => break,
                        // An escaped byte never ends the string; an escaped newline is the
                        // machine's to count.
                        b'\\' if *b.get(i + 1)? != b'\n' => i += 2,
                        _ => return None,
                    }
                }
            }
            b'{' | b'[' => {
                depth += 1;
                if depth > room {
                    return None;
                }
            }
            b'}' | b']' | b',' if depth == 0 => return Some(i),
            b'}' | b']' => depth -= 1,
            b',' => {}
            _ => return None,
        }
        i += 1;
    }
}

#[cfg(test)]
#[cfg(test)]
mod tests {
    /// Every stop byte at every offset of strings around the word and `memchr` boundaries.
    #[test]
    fn string_stop_finds_the_first_quote_backslash_or_newline() {
        for len in [0, 1, 7, 8, 9, 63, 64, 65, 130] {
            for at in 0..=len {
                for stop in [b'"', b'\\', b'\n', b'x'] {
                    let mut b = vec![b'a'; len];
                    b.extend_from_slice(b"\xc3\xa9");
                    if at < len {
                        b[at] = stop;
                        if at + 1 < len {
                            b[at + 1] = b'"';
                        }
                    }
                    let naive = b.iter().position(|c| matches!(c, b'"' | b'\\' | b'\n'));
                    assert_eq!(super::string_stop(&b), naive, "{len} {at} {stop}");
                }
            }
        }
    }

    #[test]
    fn element_len_ends_where_the_state_machine_does_or_gives_up() {
        use super::element_len;
        let cases: [(&[u8], usize, Option<usize>); 9] = [
            (br#"{"a":[1,{"b":"}]"}],"c":"\"\\"},{"#, 9, Some(31)),
            (b"12]", 9, Some(2)),
            (br#"{"a":1}}"#, 9, Some(7)),
            (br#"{"a":1"#, 9, None),
            (b"{\"a\":\n1},", 9, None),
            (br#"{"a\"#, 9, None),
            (br#"[[[1]]],"#, 3, Some(7)),
            (br#"[[[1]]],"#, 2, None),
            (br#""a\u0022",1"#, 9, Some(9)),
        ];
        for (text, room, end) in cases {
            assert_eq!(
                element_len(text, room),
                end,
                "{}",
                String::from_utf8_lossy(text)
            );
        }
    }
}
