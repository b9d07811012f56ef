//! # Interned strings
//!
//! An event's kind, its process and function names and its field keys repeat across
//! thousands of events: the pipeline has two kinds, three process names and a dozen keys. The
//! store keeps each distinct string once and gives events a [`Sym`], four bytes.
//!
//! ## Why a pointer cache in front of the table
//! Code names its kinds and keys with `&'static str` literals. Hashing the text of five
//! strings per event would cost more than the rest of recording it, so a small cache keyed by
//! the literal's address and length answers the common case with a compare or two; only a
//! miss hashes the text. Strings read from files are interned by content.
//!
//! The cache is four-way set-associative, its set picked by a multiplicative hash of the
//! address: direct-mapped on the address's low bits, two of the pipeline's dozen literals
//! shared a slot in some builds and evicted each other on every event (callgrind, 2026-12-06:
//! half the events took the slow path, 155 instructions per event more). Two ways were not
//! enough either: in one build three of the pipeline's literals shared a set and missed in
//! turn, three slow interns an operation (~440 instructions, branch `busops`); a set now
//! holds four.
//!
//! ## Why a content cache in front of the table
//! An import reads its strings from the file, so they have no stable address; but they repeat
//! just as much (a lineage trace: two kinds, three process names, a few keys). Hashing each
//! one (foldhash over the text, then a probe and a compare) cost ~100 instructions, six times
//! an event. A direct-mapped cache picked by the text's length and three of its bytes, then
//! one compare against the symbol's own text, answers a repeat in about a third of that
//! (callgrind, 2026-12-06); a miss, or two strings sharing a slot, just takes the table.
//!
//! Symbols are never freed: they are bounded by the number of *distinct* strings, which the
//! import budget counts ([`Symbols::heap_bytes`]).

use std::collections::HashMap;
use std::sync::Arc;

use super::hash::{text_hash, TextHash};
use super::layouts::Layouts;

pub(crate) use super::sym::Sym;

/// The text of a symbol: borrowed from the program when it was a literal, shared otherwise.
#[derive(Clone, Debug)]
pub(crate) enum SymStr {
    Static(&'static str),
    Shared(Arc<str>),
}

impl SymStr {
    pub(crate) fn as_str(&self) -> &str {
        match self {
            SymStr::Static(s) => s,
            SymStr::Shared(s) => s,
        }
    }

    /// As the public `Cow` events carry: no allocation for literals.
    pub(crate) fn to_cow(&self) -> std::borrow::Cow<'static, str> {
        match self {
            SymStr::Static(s) => std::borrow::Cow::Borrowed(s),
            SymStr::Shared(s) => std::borrow::Cow::Owned(s.to_string()),
        }
    }
}

/// Sets of the literal cache, [`CACHE_WAYS`] entries each.
const CACHE_SETS: usize = 64;
/// Entries per set of the literal cache.
const CACHE_WAYS: usize = 4;

/// Slots of the content cache (a power of two). 64 slots held a lineage trace's fourteen
/// strings with two pairs sharing a slot, which missed in turn: 0.67 table look-ups an
/// imported event (~90 instructions, callgrind, 2026-12-06); 256 (1 KiB) hold them apart.
const RECENT_SLOTS: usize = 256;

/// One cached literal: its address, its length and its symbol.
type Cached = (usize, usize, Sym);

/// The symbol table; see the module docs.
#[derive(Clone, Debug)]
pub(crate) struct Symbols {
    strs: Vec<SymStr>,
    by_text: HashMap<Arc<str>, Sym, TextHash>,
    /// Recently interned literals, the most recent of each set first.
    cache: Box<[[Cached; CACHE_WAYS]; CACHE_SETS]>,
    /// Recently interned texts, by [`recent_slot`]; `Sym::NONE` for an empty slot.
    recent: Box<[Sym; RECENT_SLOTS]>,
    /// The field key lists of emit sites (`layouts.rs`).
    layouts: Layouts,
    heap_bytes: usize,
}

impl Default for Symbols {
    fn default() -> Self {
        Symbols {
            // Slot 0 is `Sym::NONE`.
            strs: vec![SymStr::Static("")],
            by_text: HashMap::with_hasher(text_hash()),
            cache: Box::new([[(0, 0, Sym::NONE); CACHE_WAYS]; CACHE_SETS]),
            recent: Box::new([Sym::NONE; RECENT_SLOTS]),
            layouts: Layouts::default(),
            heap_bytes: 0,
        }
    }
}

impl Symbols {
    /// The symbol of a literal: usually one compare in the address cache.
    #[inline]
    pub(crate) fn intern_static(&mut self, s: &'static str) -> Sym {
        let addr = s.as_ptr() as usize;
        let set = ((addr ^ s.len()) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58;
        let set = set as usize % CACHE_SETS;
        for &(a, l, sym) in &self.cache[set] {
            if a == addr && l == s.len() && !sym.is_none() {
                return sym;
            }
        }
        self.intern_static_slow(s, set)
    }

    #[cold]
    fn intern_static_slow(&mut self, s: &'static str, set: usize) -> Sym {
        let sym = match self.by_text.get(s) {
            Some(&sym) => sym,
            None => self.add(SymStr::Static(s)),
        };
        let ways = &mut self.cache[set];
        ways.copy_within(0..CACHE_WAYS - 1, 1);
        ways[0] = (s.as_ptr() as usize, s.len(), sym);
        sym
    }

    /// The symbol of any text (read from a file, or built at run time): usually one compare
    /// in the content cache.
    #[inline]
    pub(crate) fn intern(&mut self, s: &str) -> Sym {
        let slot = recent_slot(s);
        let sym = self.recent[slot];
        // `NONE`'s text is "" but "" is not `NONE` once interned: an empty slot never hits.
        if !sym.is_none() && self.str(sym) == s {
            return sym;
        }
        self.intern_slow(s, slot)
    }

    /// [`Symbols::intern`] of bytes that are UTF-8 text, checked as such only when the
    /// content cache misses: a shared piece of JSON text (`shared_text.rs`) repeats span
    /// after span, and checking its ~90 bytes every time was ~180 instructions a span
    /// (callgrind, 2026-12-07).
    #[inline]
    pub(crate) fn intern_utf8(&mut self, b: &[u8]) -> Sym {
        let slot = recent_slot_of(b);
        let sym = self.recent[slot];
        if !sym.is_none() && self.str(sym).as_bytes() == b {
            return sym;
        }
        self.intern_slow(
            std::str::from_utf8(b).expect("interned text is UTF-8"),
            slot,
        )
    }

    fn intern_slow(&mut self, s: &str, slot: usize) -> Sym {
        let sym = match self.by_text.get(s) {
            Some(&sym) => sym,
            None => self.add(SymStr::Shared(Arc::from(s))),
        };
        self.recent[slot] = sym;
        sym
    }

    /// Interns a `Cow` the cheap way for its variant (its variant is the point: a borrowed
    /// string is a literal and takes the address cache).
    #[inline]
    #[allow(clippy::ptr_arg)]
    pub(crate) fn intern_cow(&mut self, s: &std::borrow::Cow<'static, str>) -> Sym {
        match s {
            std::borrow::Cow::Borrowed(s) => self.intern_static(s),
            std::borrow::Cow::Owned(s) => self.intern(s),
        }
    }

    fn add(&mut self, s: SymStr) -> Sym {
        let sym = Sym(u32::try_from(self.strs.len()).expect("fewer than 2^32 distinct strings"));
        let key: Arc<str> = match &s {
            SymStr::Static(t) => Arc::from(*t),
            SymStr::Shared(t) => t.clone(),
        };
        self.heap_bytes += key.len() * 2 + 64;
        self.by_text.insert(key, sym);
        self.strs.push(s);
        sym
    }

    #[inline]
    pub(crate) fn get(&self, sym: Sym) -> &SymStr {
        &self.strs[sym.0 as usize]
    }

    #[inline]
    pub(crate) fn str(&self, sym: Sym) -> &str {
        self.strs[sym.0 as usize].as_str()
    }

    /// Distinct strings held (without the empty `NONE`).
    pub(crate) fn len(&self) -> usize {
        self.strs.len() - 1
    }

    /// The field layouts interned with these symbols.
    #[inline]
    pub(crate) fn layouts(&self) -> &Layouts {
        &self.layouts
    }

    pub(crate) fn layouts_mut(&mut self) -> &mut Layouts {
        &mut self.layouts
    }

    /// An estimate of the heap the table holds, for memory budgets.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.heap_bytes
            + self.strs.capacity() * std::mem::size_of::<SymStr>()
            + self.layouts.heap_bytes()
    }
}

/// The content cache's slot for `s`: its length and its first, middle and last bytes,
/// mixed by a multiplication (the pipeline's names differ in at least one of these).
#[inline]
fn recent_slot(s: &str) -> usize {
    recent_slot_of(s.as_bytes())
}

/// [`recent_slot`] of a text's bytes.
#[inline]
fn recent_slot_of(b: &[u8]) -> usize {
    let key = match b {
        [] => 0,
        [first, ..] => {
            let (mid, last) = (b[b.len() / 2], b[b.len() - 1]);
            (b.len() as u64) << 24 | u64::from(*first) << 16 | u64::from(mid) << 8 | u64::from(last)
        }
    };
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - RECENT_SLOTS.trailing_zeros())) as usize
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn literals_and_runtime_text_share_one_symbol_per_distinct_string() {
        let mut s = Symbols::default();
        let a = s.intern_static("processing");
        let b = s.intern(&String::from("processing"));
        let c = s.intern_static("processed");
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(s.str(a), "processing");
        assert_eq!(s.intern_static("processing"), a);
        assert_eq!(s.len(), 2);
        assert!(matches!(s.get(a), SymStr::Static(_)));
    }

    #[test]
    fn the_content_cache_answers_only_for_the_same_text() {
        let mut s = Symbols::default();
        let empty = s.intern("");
        assert!(!empty.is_none(), "the empty text is a symbol of its own");
        assert_eq!(s.intern(""), empty);
        // Many texts, some sharing cache slots, each interned twice in turn.
        let texts: Vec<String> = (0..500).map(|i| format!("k{}x{}", i % 7, i)).collect();
        let first: Vec<Sym> = texts.iter().map(|t| s.intern(t)).collect();
        for _ in 0..2 {
            for (t, &sym) in texts.iter().zip(&first) {
                assert_eq!(s.intern(t), sym);
                assert_eq!(s.str(sym), t);
            }
        }
        assert_eq!(s.len(), 501);
    }
}
