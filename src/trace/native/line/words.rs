//! # Keys compared eight bytes at a time
//!
//! A lineage line's keys are 3 to 18 bytes: compared as two or three words with masks
//! rather than by `memcmp` (see [`crate::trace::swar`] for why words pay for tokens this
//! short).

use crate::trace::swar::word;

/// A key as three words and masks, for [`Key::is_at`].
pub(super) struct Key {
    words: [u64; 3],
    masks: [u64; 3],
    /// Its length in bytes (at most 24).
    pub(super) len: usize,
    /// Its first byte, to rule most keys out before a whole compare.
    pub(super) first: u8,
}

impl Key {
    /// `text` as compared eight bytes at a time (at most 24 bytes).
    pub(super) const fn new(text: &[u8]) -> Key {
        assert!(!text.is_empty() && text.len() <= 24);
        let (mut words, mut masks) = ([0u64; 3], [0u64; 3]);
        let mut i = 0;
        while i < text.len() {
            words[i / 8] |= (text[i] as u64) << (8 * (i % 8));
            masks[i / 8] |= 0xff << (8 * (i % 8));
            i += 1;
        }
        Key {
            words,
            masks,
            len: text.len(),
            first: text[0],
        }
    }

    /// Whether `b` starts with this key. Three word compares when 24 bytes are there to
    /// read (any key that is followed by a value, except at the very end of a short line);
    /// byte by byte otherwise.
    #[inline(always)]
    pub(super) fn is_at(&self, b: &[u8]) -> bool {
        if let (Some(w0), Some(w1), Some(w2)) = (word(b, 0), word(b, 8), word(b, 16)) {
            return ((w0 ^ self.words[0]) & self.masks[0])
                | ((w1 ^ self.words[1]) & self.masks[1])
                | ((w2 ^ self.words[2]) & self.masks[2])
                == 0;
        }
        b.len() >= self.len
            && (0..self.len).all(|i| b[i] == (self.words[i / 8] >> (8 * (i % 8))) as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_matches_exactly_its_bytes_whether_or_not_24_bytes_follow() {
        let key = Key::new(b"output_entity_ids\"");
        assert!(key.is_at(b"output_entity_ids\":[]}}"));
        assert!(key.is_at(b"output_entity_ids\":[\"00000000-0000\"]}}"));
        assert!(!key.is_at(b"output_entity_idz\":[\"00000000-0000\"]}}"));
        assert!(!key.is_at(b"output_entity_ids"));
        assert!(!key.is_at(b"Output_entity_ids\":[]}}"));
        let short = Key::new(b"id\"");
        assert!(short.is_at(b"id\":"));
        assert!(short.is_at(b"id\":\"00000000-0000-4000-8000-000000000001\""));
        assert!(!short.is_at(b"ie\":\"00000000-0000-4000-8000-000000000001\""));
        assert!(!short.is_at(b"id"));
    }
}
