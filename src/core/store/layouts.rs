//! # Field layouts: an emit site's keys, interned once
//!
//! The keys of the fields an emitting factory writes are literals: the same list, in the same
//! order, every time that factory runs. `tracing` keeps them in a `FieldSet` that is static
//! per call site, so recording an event writes only its values. The store does the same
//! here: the first time a list of literal keys is met, it becomes a *layout* (its keys as
//! symbols, kept once), found again after that by the keys' addresses in a small cache
//! ([`Layouts::cached`], a few compares), and the blob holds the layout's number and the
//! values' bytes, copied in one piece from the payload's encoded fields.
//!
//! ## Why
//! Before, the blob held a varint count and then, per field, the key's symbol (a lookup in
//! the symbol table's literal cache and a varint) and the value, found by skipping it in
//! the payload's bytes and copied alone: ~70 instructions a field on the pipeline's emitting
//! path (callgrind, docs/performance.md, "fourth step: field keys as call-site layouts").
//!
//! The blob's fields section that names a layout, and every reader of it: `field_keys.rs`.

use std::collections::HashMap;

use super::hash::{text_hash, TextHash};
use super::sym::Sym;

/// Keys a cached site can hold: the pipeline's events have up to three fields. A longer
/// list interns its keys and finds its layout in the table at every event (what the keyed
/// form cost, plus one lookup), so it still writes the shorter layout form.
const SITE_KEYS: usize = 4;
/// Sets of the site cache, [`SITE_WAYS`] entries each. Four ways: which sets a program's
/// sites fall in depends on where the linker put their key literals, and with two ways
/// three sites of the pipeline's six shared a set in one build of `examples/emit_cost`
/// and missed at every event (+~650 instructions an operation, callgrind, branch
/// `busput`); a hit costs a compare per way tried before it. 16 sets of 4 hold what 32
/// of 2 did (~4.6 KB).
const SITE_SETS: usize = 16;
const SITE_WAYS: usize = 4;

/// One cached site: its keys (addresses and lengths compared, never text) and its layout.
#[derive(Clone, Copy, Debug)]
struct Site {
    keys: [&'static str; SITE_KEYS],
    /// Keys used; 0 for an empty entry (a layout has at least one key).
    n: u8,
    layout: u32,
}

impl Site {
    const EMPTY: Site = Site {
        keys: [""; SITE_KEYS],
        n: 0,
        layout: 0,
    };

    #[inline]
    fn matches(&self, keys: &[&'static str]) -> bool {
        usize::from(self.n) == keys.len()
            && self
                .keys
                .iter()
                .zip(keys)
                .all(|(a, b)| a.as_ptr() == b.as_ptr() && a.len() == b.len())
    }
}

/// Every layout met, and the cache of literal key lists in front of it.
#[derive(Clone, Debug)]
pub(crate) struct Layouts {
    /// The keys of every layout, back to back.
    keys: Vec<Sym>,
    /// Each layout's start and length in `keys`, by number.
    spans: Vec<(u32, u32)>,
    by_keys: HashMap<Box<[Sym]>, u32, TextHash>,
    /// Recently met literal key lists, the most recent of each set first.
    sites: Box<[[Site; SITE_WAYS]; SITE_SETS]>,
    heap_bytes: usize,
}

impl Default for Layouts {
    fn default() -> Layouts {
        Layouts {
            keys: Vec::new(),
            spans: Vec::new(),
            by_keys: HashMap::with_hasher(text_hash()),
            sites: Box::new([[Site::EMPTY; SITE_WAYS]; SITE_SETS]),
            heap_bytes: 0,
        }
    }
}

impl Layouts {
    /// The layout of literal `keys` if a recent event of the same site had it: the keys'
    /// addresses picked the set, then compared (usually one entry, a few compares).
    #[inline]
    pub(crate) fn cached(&self, keys: &[&'static str]) -> Result<u32, usize> {
        let set = site_set(keys);
        for site in &self.sites[set] {
            if site.matches(keys) {
                return Ok(site.layout);
            }
        }
        Err(set)
    }

    /// Remembers that literal `keys` have `layout`, in the set [`Layouts::cached`] named.
    pub(crate) fn remember(&mut self, set: usize, keys: &[&'static str], layout: u32) {
        if keys.len() > SITE_KEYS {
            return;
        }
        let mut site = Site {
            n: keys.len() as u8,
            layout,
            ..Site::EMPTY
        };
        site.keys[..keys.len()].copy_from_slice(keys);
        let ways = &mut self.sites[set];
        ways.copy_within(0..SITE_WAYS - 1, 1);
        ways[0] = site;
    }

    /// The number of the layout of `keys` (symbols, in order), added if new.
    pub(crate) fn intern(&mut self, keys: &[Sym]) -> u32 {
        if let Some(&id) = self.by_keys.get(keys) {
            return id;
        }
        let id = u32::try_from(self.spans.len()).expect("fewer than 2^32 layouts");
        let start = u32::try_from(self.keys.len()).expect("fewer than 2^32 layout keys");
        self.spans.push((start, keys.len() as u32));
        self.keys.extend_from_slice(keys);
        self.by_keys.insert(keys.into(), id);
        // The keys twice (the list and the table's key), the table's entry and its span.
        self.heap_bytes += keys.len() * 2 * std::mem::size_of::<Sym>() + 48;
        id
    }

    /// The keys of layout `id`, which this store wrote.
    #[inline]
    pub(crate) fn keys(&self, id: u32) -> &[Sym] {
        let (start, len) = self.spans[id as usize];
        &self.keys[start as usize..(start + len) as usize]
    }

    /// Layouts held.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.spans.len()
    }

    /// An estimate of the heap the layouts hold, for memory budgets (the site cache is
    /// fixed and small: ~2 KB).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.heap_bytes + std::mem::size_of::<[[Site; SITE_WAYS]; SITE_SETS]>()
    }
}

/// The cache set of a list of literal keys: the first key's address mixed with the count
/// by one multiply. Only the first key: the whole list is compared in the set anyway
/// ([`Site::matches`]), and mixing every key's address cost a loop of ~5 instructions a
/// key at every event (~115 an operation of the pipeline, callgrind, branch `busemit`);
/// two sites that share a first key share a set of four ways.
#[inline]
fn site_set(keys: &[&'static str]) -> usize {
    let first = keys.first().map_or(0, |k| k.as_ptr() as u64);
    let h = (first ^ keys.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> 59) as usize % SITE_SETS
}
