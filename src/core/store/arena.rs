//! # The payload arena
//!
//! Payload bytes (entity ids, free-form fields, errors) of every stored event, in the order
//! the events entered the store. Because a bounded store evicts in that same order, the
//! arena is a FIFO of bytes: eviction releases whole chunks from the front, and released
//! chunks are reused for new bytes, so a full history allocates nothing per event.
//!
//! ## Why chunks
//! A single ring buffer would have to move every live payload (and rewrite every record's
//! offset) when it grows. Fixed-size chunks grow by adding a chunk and never move; a payload
//! never straddles two chunks (one larger than a chunk gets a chunk of its own).

/// Bytes per chunk: ~2 000 pipeline events.
const CHUNK: usize = 64 * 1024;

/// Payloads at least this long get a chunk of their own; their length then reads as
/// "the whole chunk", so a reference stays eight bytes.
const OWN_CHUNK: usize = u16::MAX as usize;

/// Where a payload lives: the absolute chunk number, the offset inside it and its length
/// (`u16::MAX`: the rest of the chunk, which the payload has to itself).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BlobRef {
    pub(crate) chunk: u32,
    pub(crate) offset: u16,
    pub(crate) len: u16,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Arena {
    chunks: Chunks,
    /// Absolute number of `chunks[0]`.
    first: u32,
    /// Bytes a payload may still take in the last chunk without a new one: 0 when there is
    /// none or it is a payload's own, never more than a payload sharing a chunk may have.
    /// Kept so that the usual push is one compare: asking the chunk (is there one, is it
    /// shared, what is left, which number is it) was ~20 instructions an event (callgrind,
    /// branch `busemit`).
    room: usize,
    /// Released chunks kept for reuse (at most a couple, the rest are freed).
    spare: Vec<Vec<u8>>,
    live_bytes: usize,
    /// The capacity of every chunk held, spares included, kept as chunks come and go: an
    /// import checks its memory budget after every event, and summing the chunks there made
    /// a long import quadratic.
    heap_bytes: usize,
}

/// The chunks held, oldest first: a vector whose released front slots are emptied and
/// skipped, and dropped from the vector once they are half of it.
///
/// Why not a `VecDeque`: every event's blob goes to the last chunk and is read back and
/// released from the first ones, and each of those deque calls computes a wrapped index
/// (the deque's own code was ~170 instructions an operation of six events, the put and the
/// processor together, callgrind, branch `busput`); in a vector the last is one
/// subtraction, the first one addition.
#[derive(Clone, Debug, Default)]
struct Chunks {
    all: Vec<Vec<u8>>,
    /// Released slots at the front of `all` (empty vectors).
    dead: usize,
}

impl Chunks {
    #[inline]
    fn len(&self) -> usize {
        self.all.len() - self.dead
    }

    #[inline]
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[inline]
    fn back_mut(&mut self) -> Option<&mut Vec<u8>> {
        if self.dead == self.all.len() {
            return None;
        }
        self.all.last_mut()
    }

    #[inline]
    fn front(&self) -> Option<&Vec<u8>> {
        self.all.get(self.dead)
    }

    fn push_back(&mut self, c: Vec<u8>) {
        self.all.push(c);
    }

    /// The oldest chunk, taken out; its slot is dropped with the others once they are half
    /// the vector (amortised: each slot is moved once at most).
    fn pop_front(&mut self) -> Option<Vec<u8>> {
        let c = std::mem::take(self.all.get_mut(self.dead)?);
        self.dead += 1;
        if self.dead == self.all.len() {
            self.all.clear();
            self.dead = 0;
        } else if self.dead >= 16 && self.dead * 2 >= self.all.len() {
            self.all.drain(..self.dead);
            self.dead = 0;
        }
        Some(c)
    }

    #[cfg(test)]
    fn iter(&self) -> impl Iterator<Item = &Vec<u8>> {
        self.all[self.dead..].iter()
    }
}

impl std::ops::Index<usize> for Chunks {
    type Output = Vec<u8>;

    #[inline]
    fn index(&self, i: usize) -> &Vec<u8> {
        &self.all[self.dead + i]
    }
}

impl Arena {
    /// Appends `bytes`; returns where they are (an empty slice takes no space).
    #[inline]
    pub(crate) fn push(&mut self, bytes: &[u8]) -> BlobRef {
        let n = bytes.len();
        if n == 0 {
            return BlobRef::default();
        }
        if n > self.room {
            return self.push_in_new_chunk(bytes);
        }
        self.room -= n;
        let chunk_no = self.first.wrapping_add(self.chunks.len() as u32 - 1);
        let c = self
            .chunks
            .back_mut()
            .expect("room is kept only with a chunk");
        let offset = c.len() as u16;
        c.extend_from_slice(bytes);
        self.live_bytes += n;
        BlobRef {
            chunk: chunk_no,
            offset,
            len: n as u16,
        }
    }

    /// [`push`](Self::push) of a payload the last chunk has no room for: a new chunk,
    /// shared, or the payload's own when it is [`OWN_CHUNK`] bytes or more.
    #[cold]
    #[inline(never)]
    fn push_in_new_chunk(&mut self, bytes: &[u8]) -> BlobRef {
        let own = bytes.len() >= OWN_CHUNK;
        self.new_chunk(bytes.len());
        let chunk_no = self.first.wrapping_add(self.chunks.len() as u32 - 1);
        let c = self.chunks.back_mut().expect("a chunk was just made");
        c.extend_from_slice(bytes);
        // Within `CHUNK` whatever the allocator gave: offsets are 16 bits.
        self.room = if own {
            0
        } else {
            CHUNK
                .min(c.capacity())
                .saturating_sub(c.len())
                .min(OWN_CHUNK - 1)
        };
        self.live_bytes += bytes.len();
        BlobRef {
            chunk: chunk_no,
            offset: 0,
            len: if own { u16::MAX } else { bytes.len() as u16 },
        }
    }

    #[cold]
    fn new_chunk(&mut self, need: usize) {
        let c = match self.spare.pop() {
            Some(spare) if need < OWN_CHUNK => spare,
            other => {
                self.spare.extend(other);
                let c = Vec::with_capacity(if need < OWN_CHUNK { CHUNK } else { need });
                self.heap_bytes += c.capacity();
                c
            }
        };
        self.chunks.push_back(c);
    }

    /// The bytes of a payload still held.
    #[inline]
    pub(crate) fn get(&self, r: BlobRef) -> &[u8] {
        if r.len == 0 {
            return &[];
        }
        let c = &self.chunks[r.chunk.wrapping_sub(self.first) as usize];
        &c[r.offset as usize..r.offset as usize + Self::len_in(r, c)]
    }

    /// The payload at `r` left the store: every chunk before its chunk is now dead (payloads
    /// leave in the order they came), and so is its own chunk when `r` ends it.
    #[inline]
    pub(crate) fn release(&mut self, r: BlobRef) {
        if r.len == 0 {
            return;
        }
        while self.first != r.chunk && !self.chunks.is_empty() {
            self.drop_front();
        }
        let Some(front) = self.chunks.front() else {
            return;
        };
        let len = Self::len_in(r, front);
        self.live_bytes -= len;
        let ends_chunk = front.len() == r.offset as usize + len;
        if ends_chunk && self.chunks.len() > 1 {
            self.drop_front();
        }
    }

    #[inline]
    fn len_in(r: BlobRef, chunk: &[u8]) -> usize {
        if r.len == u16::MAX {
            chunk.len() - r.offset as usize
        } else {
            r.len as usize
        }
    }

    #[cold]
    fn drop_front(&mut self) {
        if let Some(mut c) = self.chunks.pop_front() {
            self.first = self.first.wrapping_add(1);
            if self.chunks.is_empty() {
                // It was the last chunk too: the next payload needs a new one.
                self.room = 0;
            }
            if c.capacity() == CHUNK && self.spare.len() < 2 {
                c.clear();
                self.spare.push(c);
            } else {
                self.heap_bytes -= c.capacity();
            }
        }
    }

    /// Heap held, including spare and partly used chunks.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.heap_bytes
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn released_chunks_are_reused_and_live_payloads_stay_readable() {
        let mut a = Arena::default();
        let mut refs = std::collections::VecDeque::new();
        for i in 0..200_000u32 {
            let bytes = i.to_le_bytes();
            refs.push_back((a.push(&bytes), i));
            if refs.len() > 1_000 {
                let (r, _) = refs.pop_front().unwrap();
                a.release(r);
            }
        }
        for (r, i) in &refs {
            assert_eq!(a.get(*r), &i.to_le_bytes());
        }
        // 1 000 live payloads of 4 bytes: one or two chunks plus spares, not 800 KB.
        assert!(a.heap_bytes() <= 4 * CHUNK, "{} bytes held", a.heap_bytes());
    }

    /// The room kept for the last chunk: payloads that fill a chunk to its last byte, one
    /// byte short of a chunk of their own, and of their own, in every order, each read back
    /// whole and never sharing an own chunk; the room is given up when every chunk is.
    #[test]
    fn payloads_fill_chunks_exactly_and_never_straddle_them() {
        let sizes = [
            1,
            CHUNK - 1,
            1,
            OWN_CHUNK - 1,
            OWN_CHUNK,
            3,
            OWN_CHUNK + 1,
            CHUNK,
            2,
        ];
        let mut a = Arena::default();
        let mut held = std::collections::VecDeque::new();
        for round in 0..4u8 {
            for (i, &len) in sizes.iter().enumerate() {
                let bytes = vec![round.wrapping_mul(31).wrapping_add(i as u8); len];
                let r = a.push(&bytes);
                assert_eq!(a.get(r), &bytes[..], "round {round}, payload {i}");
                if len >= OWN_CHUNK {
                    assert_eq!((r.offset, r.len), (0, u16::MAX), "own chunk");
                } else {
                    assert!(r.offset as usize + len <= CHUNK, "within its chunk");
                }
                held.push_back((r, bytes));
                if held.len() > 3 {
                    a.release(held.pop_front().unwrap().0);
                }
                for (r, bytes) in &held {
                    assert_eq!(a.get(*r), &bytes[..]);
                }
            }
        }
        while let Some((r, _)) = held.pop_front() {
            a.release(r);
        }
        let r = a.push(b"after");
        assert_eq!(a.get(r), b"after");
    }

    #[test]
    fn a_payload_larger_than_a_chunk_gets_its_own() {
        let mut a = Arena::default();
        let small = a.push(b"abc");
        let big = vec![7u8; CHUNK * 2 + 1];
        let r = a.push(&big);
        assert_eq!(a.get(r), &big[..]);
        assert_eq!(a.get(small), b"abc");
        a.release(small);
        assert_eq!(a.get(r), &big[..]);
    }

    #[test]
    fn the_heap_figure_follows_every_chunk_taken_kept_and_freed() {
        let counted = |a: &Arena| {
            a.chunks.iter().map(Vec::capacity).sum::<usize>()
                + a.spare.iter().map(Vec::capacity).sum::<usize>()
        };
        let mut a = Arena::default();
        let mut held = std::collections::VecDeque::new();
        for i in 0..20_000usize {
            // Small payloads, now and then one larger than a chunk (a chunk of its own).
            let len = if i % 997 == 0 {
                OWN_CHUNK + i
            } else {
                1 + i % 300
            };
            held.push_back(a.push(&vec![7u8; len]));
            if held.len() > 3_000 {
                a.release(held.pop_front().unwrap());
            }
            assert_eq!(a.heap_bytes(), counted(&a), "after payload {i}");
        }
        while let Some(r) = held.pop_front() {
            a.release(r);
        }
        assert_eq!(a.heap_bytes(), counted(&a));
    }
}
