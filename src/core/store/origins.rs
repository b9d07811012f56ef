//! # Origins: the process and function names an event was emitted from, kept as a pair
//!
//! A payload's `process_name` and `function_name` come in few pairs: one per wrapped level
//! of a call (the pipeline has three), and a start and its end name the same pair. Kept as
//! two symbols in every record they took eight bytes; the pair is kept once here as an
//! [`OriginId`], which a record reaches through its site (below). Like symbols, pairs and
//! sites are never forgotten: they are bounded by the distinct pairs of distinct strings, and the
//! import budget counts them ([`Origins::heap_bytes`]).
//!
//! ## Why a cache in front of the table
//! Every event is encoded through [`Origins::intern`], and the pipeline's events cycle
//! through their three pairs: a small direct-mapped cache, picked by the two symbols, answers
//! a repeat with one compare; only a miss hashes the pair.
//!
//! ## Why a cache of literal names in front of that
//! An operation's start names its process and function with literals, the same two at every
//! run of that level: like a field layout (`layouts.rs`), the pair is found by the literals'
//! addresses ([`EventStore::origin_of_names`]), without interning either name (two symbol
//! lookups, ~37 instructions each, then the pair's: ~90 a start in the pipeline's profile,
//! callgrind, branch `fieldkeys`).

//! ## Sites: the kind with the pair
//! The kind comes in as few values as the pair and with it (a wrapped level emits its start
//! and end kinds under its own names), so a record holds neither the kind's symbol nor the
//! pair's id but a [`SiteId`] of the two, kept once here the same way: four bytes a record
//! less (64 → 60, `record.rs`), for one more cached compare when an event is encoded and one
//! more array read when its kind or names are read.

use std::collections::HashMap;

use super::symbols::{Sym, Symbols};
use super::EventStore;
use crate::core::event::Kind;

/// A (process, function) pair, kept once; 0 is the pair of two absent names.
pub(crate) type OriginId = u32;

/// A (kind, origin) pair as a record holds it (see the module docs); 0 is no kind and no
/// names.
pub(crate) type SiteId = u32;

/// Cache slots: a power of two, a few times the pairs a program's hot path names.
const CACHE: usize = 16;

/// Entries of a set of the site cache.
const SITE_WAYS: usize = 2;

/// Sets of the literal cache, [`LITERAL_WAYS`] entries each.
const LITERAL_SETS: usize = 16;
const LITERAL_WAYS: usize = 2;

/// Sets of the literal kinds' cache, [`KIND_WAYS`] entries each.
const KIND_SETS: usize = 8;
const KIND_WAYS: usize = 4;

/// A literal kind's address and length, a pair, and their site; address 0 (no literal's)
/// marks an empty entry.
type LiteralKind = (usize, usize, OriginId, SiteId);

/// A name as the literal cache keys it: its address and length, `(0, 0)` when absent;
/// `None` for a name built at run time (never cached: it has no lasting address).
type LiteralKey = (usize, usize);

/// One cached pair of literal names and its id; `id` 0 (two absent names) marks an empty
/// entry, which no literal key matches.
type LiteralPair = (LiteralKey, LiteralKey, OriginId);

#[derive(Clone, Debug)]
pub(crate) struct Origins {
    pairs: Vec<(Sym, Sym)>,
    by_pair: HashMap<(Sym, Sym), OriginId>,
    cache: [(Sym, Sym, OriginId); CACHE],
    /// Recently met pairs of literal names, the most recent of each set first.
    literals: [[LiteralPair; LITERAL_WAYS]; LITERAL_SETS],
    sites: Vec<(Sym, OriginId)>,
    by_site: HashMap<(Sym, OriginId), SiteId>,
    /// Two ways a set, the most recent first: direct-mapped, two of a Chrome trace's
    /// (kind, pair) sites shared a slot and missed at two events in three (`lineage bench
    /// --import-case` of our Chrome export: ~170 instructions an event in `site_slow`'s
    /// SipHash map, callgrind 2026-12-07).
    site_cache: [[(Sym, OriginId, SiteId); SITE_WAYS]; CACHE],
    /// Sites of a literal kind (by its address and length) and a pair: an emitting program
    /// names its kinds with literals, so a hit here skips interning the kind too. Four ways
    /// a set: direct-mapped, two of the pipeline's six (kind, pair) entries shared a slot in
    /// most builds (where the linker puts the literals decides), and missed at every event.
    literal_cache: [[LiteralKind; KIND_WAYS]; KIND_SETS],
}

impl Default for Origins {
    fn default() -> Self {
        Origins {
            pairs: vec![(Sym::NONE, Sym::NONE)],
            by_pair: HashMap::new(),
            cache: [(Sym::NONE, Sym::NONE, 0); CACHE],
            literals: [[((0, 0), (0, 0), 0); LITERAL_WAYS]; LITERAL_SETS],
            sites: vec![(Sym::NONE, 0)],
            by_site: HashMap::new(),
            site_cache: [[(Sym::NONE, 0, 0); SITE_WAYS]; CACHE],
            // Address 0 is no literal's: an empty slot never hits.
            literal_cache: [[(0, 0, 0, 0); KIND_WAYS]; KIND_SETS],
        }
    }
}

impl Origins {
    /// The id of `(process, function)`, kept once.
    #[inline]
    pub(crate) fn intern(&mut self, process: Sym, function: Sym) -> OriginId {
        let set =
            (process.0.wrapping_mul(0x9E37_79B9) ^ function.0.wrapping_mul(0x85EB_CA6B)) >> 28;
        let slot = &self.cache[set as usize % CACHE];
        if slot.0 == process && slot.1 == function {
            return slot.2;
        }
        let id = self.intern_slow(process, function);
        self.cache[set as usize % CACHE] = (process, function, id);
        id
    }

    #[cold]
    #[inline(never)]
    fn intern_slow(&mut self, process: Sym, function: Sym) -> OriginId {
        if process.is_none() && function.is_none() {
            return 0;
        }
        let pairs = &mut self.pairs;
        *self.by_pair.entry((process, function)).or_insert_with(|| {
            pairs.push((process, function));
            (pairs.len() - 1) as OriginId
        })
    }

    /// The cache set of a pair of literal names.
    #[inline]
    fn literal_set(process: LiteralKey, function: LiteralKey) -> usize {
        let h = (process.0 ^ function.0.rotate_left(17) ^ process.1 ^ function.1 << 8) as u64;
        (h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 60) as usize % LITERAL_SETS
    }

    /// The id of `(kind, origin)`, kept once (the module docs say why).
    #[inline]
    pub(crate) fn site(&mut self, kind: Sym, origin: OriginId) -> SiteId {
        let set = (kind.0.wrapping_mul(0x9E37_79B9) ^ origin.wrapping_mul(0x85EB_CA6B)) >> 28;
        let ways = &mut self.site_cache[set as usize % CACHE];
        if let Some(way) = ways.iter().find(|w| w.0 == kind && w.1 == origin) {
            return way.2;
        }
        let id = self.site_slow(kind, origin);
        let ways = &mut self.site_cache[set as usize % CACHE];
        ways.copy_within(0..SITE_WAYS - 1, 1);
        ways[0] = (kind, origin, id);
        id
    }

    /// The site of a literal kind and `origin` if this cache has seen them ([`site`]
    /// otherwise, then [`remember_literal`]).
    ///
    /// [`site`]: Self::site
    /// [`remember_literal`]: Self::remember_literal
    #[inline]
    pub(crate) fn literal_site(&self, kind: &'static str, origin: OriginId) -> Option<SiteId> {
        let (addr, len) = (kind.as_ptr() as usize, kind.len());
        let set = &self.literal_cache[literal_slot(addr, origin) % KIND_SETS];
        set.iter()
            .find(|e| e.0 == addr && e.1 == len && e.2 == origin)
            .map(|e| e.3)
    }

    /// Remembers that the literal `kind` with `origin` is `site`.
    #[inline]
    pub(crate) fn remember_literal(&mut self, kind: &'static str, origin: OriginId, site: SiteId) {
        let addr = kind.as_ptr() as usize;
        let ways = &mut self.literal_cache[literal_slot(addr, origin) % KIND_SETS];
        ways.copy_within(0..KIND_WAYS - 1, 1);
        ways[0] = (addr, kind.len(), origin, site);
    }

    #[cold]
    #[inline(never)]
    fn site_slow(&mut self, kind: Sym, origin: OriginId) -> SiteId {
        if kind.is_none() && origin == 0 {
            return 0;
        }
        let sites = &mut self.sites;
        *self.by_site.entry((kind, origin)).or_insert_with(|| {
            sites.push((kind, origin));
            (sites.len() - 1) as SiteId
        })
    }

    /// The kind of site `s`.
    #[inline]
    pub(crate) fn kind(&self, s: SiteId) -> Sym {
        self.sites[s as usize].0
    }

    /// The (process, function) pair of site `s`.
    #[inline]
    pub(crate) fn origin(&self, s: SiteId) -> OriginId {
        self.sites[s as usize].1
    }

    #[inline]
    pub(crate) fn process(&self, o: OriginId) -> Sym {
        self.pairs[o as usize].0
    }

    #[inline]
    pub(crate) fn function(&self, o: OriginId) -> Sym {
        self.pairs[o as usize].1
    }

    /// Bytes held besides the fixed caches.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.pairs.capacity() * std::mem::size_of::<(Sym, Sym)>()
            + self.by_pair.capacity() * (std::mem::size_of::<((Sym, Sym), OriginId)>() + 1)
            + self.sites.capacity() * std::mem::size_of::<(Sym, OriginId)>()
            + self.by_site.capacity() * (std::mem::size_of::<((Sym, OriginId), SiteId)>() + 1)
    }
}

/// The literal cache's key of a name; see [`LiteralKey`].
#[inline]
fn literal_key(name: &Option<Kind>) -> Option<LiteralKey> {
    match name {
        None => Some((0, 0)),
        Some(Kind::Borrowed(s)) => Some((s.as_ptr() as usize, s.len())),
        Some(Kind::Owned(_)) => None,
    }
}

impl EventStore {
    /// The origin of a payload's process and function names: for literals (the usual start
    /// event) found by their addresses, a few compares; otherwise both interned.
    #[inline]
    pub(super) fn origin_of_names(
        &mut self,
        process: &Option<Kind>,
        function: &Option<Kind>,
    ) -> OriginId {
        if let (Some(p), Some(f)) = (literal_key(process), literal_key(function)) {
            let set = Origins::literal_set(p, f);
            for &(cp, cf, id) in &self.origins.literals[set] {
                if cp == p && cf == f && id != 0 {
                    return id;
                }
            }
            return self.origin_of_literals_slow(process, function, (p, f, set));
        }
        self.origin_of_interned(process, function)
    }

    /// Interns both names, then their pair.
    #[inline]
    fn origin_of_interned(&mut self, process: &Option<Kind>, function: &Option<Kind>) -> OriginId {
        let process = intern_opt(&mut self.symbols, process);
        let function = intern_opt(&mut self.symbols, function);
        self.origins.intern(process, function)
    }

    /// A pair of literals not in the cache: interned, and remembered unless both are absent.
    #[cold]
    #[inline(never)]
    fn origin_of_literals_slow(
        &mut self,
        process: &Option<Kind>,
        function: &Option<Kind>,
        (p, f, set): (LiteralKey, LiteralKey, usize),
    ) -> OriginId {
        let id = self.origin_of_interned(process, function);
        if id != 0 {
            let ways = &mut self.origins.literals[set];
            ways.copy_within(0..LITERAL_WAYS - 1, 1);
            ways[0] = (p, f, id);
        }
        id
    }
}

/// The symbol of a name, or [`Sym::NONE`] for an absent one.
#[inline]
fn intern_opt(symbols: &mut Symbols, s: &Option<Kind>) -> Sym {
    match s {
        Some(s) => symbols.intern_cow(s),
        None => Sym::NONE,
    }
}

/// The literal cache's slot of a kind's address and a pair.
#[inline]
fn literal_slot(addr: usize, origin: OriginId) -> usize {
    (((addr as u64) ^ u64::from(origin)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 60) as usize % CACHE
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn a_pair_is_kept_once_and_read_back_whichever_way_it_was_found() {
        let mut o = Origins::default();
        assert_eq!(o.intern(Sym::NONE, Sym::NONE), 0);
        let mut ids = Vec::new();
        // More pairs than cache slots, asked for twice in a row and then again after the
        // cache has seen the others.
        for round in 0..3 {
            for p in 1..40u32 {
                for f in [0, p + 1] {
                    let id = o.intern(Sym(p), Sym(f));
                    assert_eq!((o.process(id), o.function(id)), (Sym(p), Sym(f)));
                    assert_eq!(o.intern(Sym(p), Sym(f)), id);
                    if round == 0 {
                        ids.push(id);
                    } else {
                        assert!(ids.contains(&id), "round {round}: a new id for ({p}, {f})");
                    }
                }
            }
        }
        assert_eq!(o.pairs.len(), 1 + 39 * 2, "each pair once");
        assert_eq!(o.intern(Sym(0), Sym(5)), o.intern(Sym(0), Sym(5)));
        let id = o.intern(Sym(0), Sym(5));
        assert_eq!(o.function(id), Sym(5));
    }

    #[test]
    fn literal_names_find_the_pair_their_text_interns_to() {
        let mut s = EventStore::unbounded();
        let names: Vec<&'static str> = (0..30)
            .map(|i| &*Box::leak(format!("name {i}").into_boxed_str()))
            .collect();
        let lit = |i: usize| Some(Kind::Borrowed(names[i]));
        let owned = |i: usize| Some(Kind::Owned(names[i].to_string()));
        // More literal pairs than the cache holds, each asked for three times, with the
        // same text at run time and absent names between.
        let mut first = Vec::new();
        for round in 0..3 {
            for i in 0..29 {
                let id = s.origin_of_names(&lit(i), &lit(i + 1));
                let text = s.origin_of_names(&owned(i), &owned(i + 1));
                assert_eq!(id, text, "round {round}, pair {i}");
                let p = s.origins.process(id);
                let f = s.origins.function(id);
                assert_eq!(
                    (s.symbols.str(p), s.symbols.str(f)),
                    (names[i], names[i + 1])
                );
                if round == 0 {
                    first.push(id);
                } else {
                    assert_eq!(first[i], id);
                }
                assert_eq!(s.origin_of_names(&None, &None), 0);
                let only = s.origin_of_names(&lit(i), &None);
                assert!(s.origins.function(only).is_none());
                assert_eq!(s.symbols.str(s.origins.process(only)), names[i]);
            }
        }
        // 29 pairs and 29 with the function absent.
        assert_eq!(s.origins.pairs.len(), 1 + 29 * 2);
    }

    #[test]
    fn a_site_is_kept_once_and_read_back_whichever_way_it_was_found() {
        let mut o = Origins::default();
        assert_eq!(o.site(Sym::NONE, 0), 0);
        let mut ids = Vec::new();
        for round in 0..3 {
            for k in 1..40u32 {
                for origin in [0, k + 1] {
                    let s = o.site(Sym(k), origin);
                    assert_eq!((o.kind(s), o.origin(s)), (Sym(k), origin));
                    assert_eq!(o.site(Sym(k), origin), s);
                    if round == 0 {
                        assert!(!ids.contains(&s), "({k}, {origin}) shares a site");
                        ids.push(s);
                    } else {
                        assert!(
                            ids.contains(&s),
                            "round {round}: a new site for ({k}, {origin})"
                        );
                    }
                }
            }
        }
        assert_eq!(o.sites.len(), 1 + 39 * 2, "each site once");
    }

    #[test]
    fn the_literal_kind_cache_answers_right_or_not_at_all_and_keeps_the_last_ways() {
        let mut o = Origins::default();
        let kinds: Vec<&'static str> = (0..100)
            .map(|i| &*Box::leak(format!("kind {i}").into_boxed_str()))
            .collect();
        let site_of = |i: usize| 1000 + i as SiteId;
        for (i, k) in kinds.iter().enumerate() {
            o.remember_literal(k, i as OriginId % 7, site_of(i));
            // The last KIND_WAYS remembered are held whichever sets they fell in.
            let recent = i.saturating_sub(KIND_WAYS - 1);
            for (j, k) in kinds.iter().enumerate().take(i + 1).skip(recent) {
                assert_eq!(o.literal_site(k, j as OriginId % 7), Some(site_of(j)));
            }
            for (j, k) in kinds.iter().enumerate().take(i + 1) {
                let found = o.literal_site(k, j as OriginId % 7);
                assert!(found.is_none() || found == Some(site_of(j)), "kind {j}");
                assert_eq!(o.literal_site(k, 7), None, "kind {j} with a pair never met");
            }
        }
    }

    #[test]
    fn a_literal_kind_is_found_only_with_its_own_pair() {
        let mut o = Origins::default();
        let kind: &'static str = "processing";
        assert_eq!(o.literal_site(kind, 3), None);
        let s = o.site(Sym(7), 3);
        o.remember_literal(kind, 3, s);
        assert_eq!(o.literal_site(kind, 3), Some(s));
        assert_eq!(o.literal_site(kind, 4), None, "another pair");
        assert_eq!(
            o.literal_site(&kind[..4], 3),
            None,
            "same address, shorter text"
        );
    }
}
