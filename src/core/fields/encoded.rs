//! # Fields as emitting code writes them
//!
//! The encoded form of [`super::Fields`]: the keys, and the values in the store's byte
//! encoding (`core::field_value`), in insertion order, on plain inline arrays with a count
//! each. Up to [`KEYS`] keys and [`BYTES`] bytes of values live inline; past either, both
//! move to the heap together ([`Spill`]), kept there (cleared, capacity and all) for a payload
//! reused event after event.
//!
//! ## Why not `SmallVec`
//! The pipeline's profile (docs/performance.md, "fourth step") charged ~80 instructions to
//! every field put and ~70 to clearing each scratch payload, a third of it `SmallVec`'s
//! `spilled()` checks: a `SmallVec` pushes a value's bytes one at a time, each push asking
//! where its data lives, and clearing it drops its items one by one. Here a value's tag and
//! length are written with one fixed-size copy ([`ByteSink::put_head`]), its text with one
//! more, and clearing is two count resets.

use std::fmt;

use smallvec::SmallVec;

use crate::core::field_value::{ByteSink, HEAD};

/// Keys held inline (the pipeline's events have up to three fields).
pub(crate) const KEYS: usize = 4;
/// Value bytes held inline.
pub(crate) const BYTES: usize = 64;

/// Keys and value bytes once either outgrew its inline array.
#[derive(Clone, Default)]
struct Spill {
    /// A few keys in place: a spilled payload usually has one or two (an OTLP span's
    /// `attributes` and `otel`), and a `Vec` of them was one more allocation and free a
    /// span (2026-12-07).
    keys: SmallVec<[&'static str; 4]>,
    bytes: Vec<u8>,
    /// Does a value hold a shared piece ([`ByteSink::mark_shared_piece`])? Kept here, not
    /// beside the counts, so that the bus's fields (inline) never set or clear it.
    shared_piece: bool,
}

/// The encoded fields; see the module docs.
#[derive(Clone)]
pub(crate) struct Encoded {
    keys: [&'static str; KEYS],
    bytes: [u8; BYTES],
    key_count: u8,
    byte_count: u8,
    /// Do `spill`'s vectors hold the fields (not the inline arrays)?
    spilled: bool,
    spill: Option<Box<Spill>>,
}

impl Encoded {
    pub(crate) const fn new() -> Encoded {
        Encoded {
            keys: [""; KEYS],
            bytes: [0; BYTES],
            key_count: 0,
            byte_count: 0,
            spilled: false,
            spill: None,
        }
    }

    /// The keys, in insertion order.
    #[inline]
    pub(crate) fn keys(&self) -> &[&'static str] {
        if self.spilled {
            return self.spill().keys.as_slice();
        }
        &self.keys[..usize::from(self.key_count)]
    }

    /// The values' bytes, in the keys' order.
    #[inline]
    pub(crate) fn bytes(&self) -> &[u8] {
        if self.spilled {
            return self.spill().bytes.as_slice();
        }
        &self.bytes[..usize::from(self.byte_count)]
    }

    /// The heap vectors of a spilled form.
    #[cold]
    fn spill(&self) -> &Spill {
        self.spill.as_deref().expect("a spilled form has its spill")
    }

    /// Is `key` held? The same literal is found by its address first.
    #[inline]
    pub(crate) fn contains(&self, key: &str) -> bool {
        self.keys()
            .iter()
            .any(|k| (k.as_ptr() == key.as_ptr() && k.len() == key.len()) || *k == key)
    }

    /// Appends a key whose value is appended next (through [`ByteSink`]).
    #[inline]
    pub(crate) fn push_key(&mut self, key: &'static str) {
        let n = usize::from(self.key_count);
        if !self.spilled && n < KEYS {
            self.keys[n] = key;
            self.key_count += 1;
        } else {
            self.heap().keys.push(key);
        }
    }

    /// Does a value hold a shared piece that the store keeps once
    /// ([`ByteSink::mark_shared_piece`])?
    #[inline]
    pub(crate) fn has_shared_piece(&self) -> bool {
        self.spilled && self.spill().shared_piece
    }

    /// Removes every field: the counts reset, a spill emptied but kept.
    #[inline]
    pub(crate) fn clear(&mut self) {
        self.key_count = 0;
        self.byte_count = 0;
        if self.spilled {
            self.clear_spill();
        }
    }

    /// [`clear`](Self::clear) for fields in the inline arrays; `false` (nothing done) for
    /// spilled ones.
    #[inline]
    pub(crate) fn clear_inline(&mut self) -> bool {
        if self.spilled {
            return false;
        }
        self.key_count = 0;
        self.byte_count = 0;
        true
    }

    #[cold]
    fn clear_spill(&mut self) {
        self.spilled = false;
        if let Some(s) = &mut self.spill {
            s.keys.clear();
            s.bytes.clear();
            s.shared_piece = false;
        }
    }

    /// The heap vectors, the inline fields moved there first if they are not yet: once
    /// moved, without a call (a long value written piece by piece reaches them at every
    /// piece; through `spill_mut` each was a call, ~240 instructions an OTLP span).
    #[inline]
    fn heap(&mut self) -> &mut Spill {
        if !self.spilled {
            return self.spill_mut();
        }
        self.spill
            .as_deref_mut()
            .expect("a spilled form has its spill")
    }

    /// The heap vectors, the inline fields moved there first if they are not yet.
    #[cold]
    #[inline(never)]
    fn spill_mut(&mut self) -> &mut Spill {
        self.spill_with_room(0)
    }

    /// [`Encoded::spill_mut`], with room for `extra` more bytes once moved.
    #[cold]
    #[inline(never)]
    fn spill_with_room(&mut self, extra: usize) -> &mut Spill {
        let spill = self.spill.get_or_insert_with(Box::default);
        if !self.spilled {
            self.spilled = true;
            spill.keys.clear();
            spill.bytes.clear();
            spill.shared_piece = false;
            spill
                .keys
                .extend_from_slice(&self.keys[..usize::from(self.key_count)]);
            let inline = &self.bytes[..usize::from(self.byte_count)];
            spill.bytes.reserve(inline.len() + extra);
            spill.bytes.extend_from_slice(inline);
            self.key_count = 0;
            self.byte_count = 0;
        }
        spill
    }
}

impl ByteSink for Encoded {
    #[inline]
    fn put(&mut self, byte: u8) {
        let n = usize::from(self.byte_count);
        if !self.spilled && n < BYTES {
            self.bytes[n] = byte;
            self.byte_count += 1;
        } else {
            self.heap().bytes.push(byte);
        }
    }

    #[inline]
    fn put_all(&mut self, bytes: &[u8]) {
        let n = usize::from(self.byte_count);
        if !self.spilled && bytes.len() <= BYTES - n {
            self.bytes[n..n + bytes.len()].copy_from_slice(bytes);
            self.byte_count += bytes.len() as u8;
        } else {
            self.heap().bytes.extend_from_slice(bytes);
        }
    }

    /// One fixed-size copy (inlined, no `memcpy` call) when the whole head fits, of which
    /// the count then keeps `used` bytes.
    #[inline]
    fn put_head(&mut self, head: &[u8; HEAD], used: usize) {
        let n = usize::from(self.byte_count);
        if !self.spilled && HEAD <= BYTES - n && used <= HEAD {
            self.bytes[n..n + HEAD].copy_from_slice(head);
            self.byte_count += used as u8;
        } else {
            self.put_all(&head[..used]);
        }
    }

    /// Room for a value longer than what is left of the inline array: moved to the heap
    /// at once, with room for all of it.
    #[inline]
    fn reserve(&mut self, additional: usize) {
        if self.spilled {
            self.heap().bytes.reserve(additional);
        } else if additional > BYTES - usize::from(self.byte_count) {
            self.spill_with_room(additional);
        }
    }

    /// Moves the fields to the heap (rare: such a value is longer than the inline array
    /// anyway) and notes the piece there.
    fn mark_shared_piece(&mut self) {
        self.heap().shared_piece = true;
    }
}

impl fmt::Debug for Encoded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Encoded")
            .field("keys", &self.keys())
            .field("bytes", &self.bytes())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::core::field_value::{FieldValue, Reader};
    use serde_json::Value;

    #[test]
    fn fields_past_the_inline_arrays_spill_whole_and_a_cleared_spill_starts_inline_again() {
        let mut e = Encoded::new();
        let keys: [&'static str; 7] = ["a", "b", "c", "d", "e", "f", "g"];
        let long = "x".repeat(40);
        for round in 0..3 {
            for (i, k) in keys.iter().enumerate().take(3 + 2 * round) {
                e.push_key(k);
                if i % 2 == 0 {
                    long.as_str().encode(&mut e);
                } else {
                    (i as u64 * 1_000_000_007).encode(&mut e);
                }
            }
            let n = 3 + 2 * round;
            assert_eq!(e.keys(), &keys[..n]);
            let mut rd = Reader {
                bytes: e.bytes(),
                at: 0,
            };
            for i in 0..n {
                let want = if i % 2 == 0 {
                    Value::from(long.as_str())
                } else {
                    Value::from(i as u64 * 1_000_000_007)
                };
                assert_eq!(rd.value(), want, "round {round}, field {i}");
            }
            assert_eq!(rd.at, e.bytes().len());
            assert!(e.contains("a") && !e.contains("z"));
            e.clear();
            assert!(e.keys().is_empty() && e.bytes().is_empty());
        }
    }
}
