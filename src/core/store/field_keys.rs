//! # A payload's fields in the blob, by layout or by key
//!
//! How the store writes a payload's fields (after the blob's `B_FIELDS` flag) and how every
//! reader walks their keys back. Kept apart from the layout table itself (`layouts.rs`) and
//! from the symbol table (`symbols.rs`), which it uses both of: a field section is written
//! with a layout when an emit site's keys have one, by key otherwise.
//!
//! ## Two forms
//! - `0`, the layout's number (varint), then one value per key of the layout: fields written
//!   by code with literal keys ([`put_fields`]). A count is never 0 (the section is only
//!   written for fields that hold something), so the 0 says which form follows.
//! - a count `n` ≥ 1, then per field the key's symbol (varint) and its value: fields read from
//!   a file or built at run time (keys of any text, owned or not), and fields kept as JSON
//!   text. A file's made-up key combinations therefore never grow the layout table; only
//!   the program's own sites do, a bounded set.
//!
//! Every reader (`record::decode_blob`, `search.rs`, `payload_json.rs`) walks the keys
//! through [`FieldKeys`], which hides the form.

use smallvec::SmallVec;

use super::shared_text::copy_value;
use super::sym::Sym;
use super::symbols::Symbols;
use crate::core::field_value::{put_value, put_varint, ByteSink, Reader, V_RAW};
use crate::core::fields::Fields;

/// The count that says a layout's number follows instead of keys.
const LAYOUT_FORM: u64 = 0;

/// Writes a payload's fields section (after its `B_FIELDS` flag): the layout form for fields
/// written by code with literal keys and nothing kept as text, the keyed form otherwise
/// (see the module docs).
#[inline]
pub(crate) fn put_fields(fields: &Fields, symbols: &mut Symbols, out: &mut Vec<u8>) {
    if fields.raw().is_empty() {
        if let Some((keys, values)) = fields.encoded() {
            // Written by the emitting code in this very encoding: the value bytes are
            // copied in one piece, the keys are the site's layout.
            let layout = symbols.layout_of_literals(keys);
            out.push(LAYOUT_FORM as u8);
            put_varint(out, u64::from(layout));
            if fields.has_shared_piece() {
                return put_shared_values(values, symbols, out);
            }
            out.extend_from_slice(values);
            return;
        }
    }
    put_keyed_fields(fields, symbols, out);
}

/// Values one of which holds a piece kept once (`shared_text.rs`), value by value.
#[cold]
#[inline(never)]
fn put_shared_values(values: &[u8], symbols: &mut Symbols, out: &mut Vec<u8>) {
    let mut rd = Reader {
        bytes: values,
        at: 0,
    };
    while rd.at < values.len() {
        copy_value(&mut rd, symbols, out);
    }
}

/// The keyed form: a count, then a symbol and a value per field.
#[cold]
#[inline(never)]
fn put_keyed_fields(fields: &Fields, symbols: &mut Symbols, out: &mut Vec<u8>) {
    put_varint(out, fields.len() as u64);
    if let Some((keys, values)) = fields.encoded() {
        let mut rd = Reader {
            bytes: values,
            at: 0,
        };
        for key in keys {
            put_varint(out, u64::from(symbols.intern_static(key).0));
            copy_value(&mut rd, symbols, out);
        }
    } else {
        for (key, value) in fields.entries() {
            put_varint(out, u64::from(symbols.intern_cow(key).0));
            put_value(out, value);
        }
    }
    for (key, text) in fields.raw().iter() {
        put_varint(out, u64::from(symbols.intern(key).0));
        out.push(V_RAW);
        put_varint(out, text.get().len() as u64);
        out.put_all(text.get().as_bytes());
    }
}

impl Symbols {
    /// The layout of a site's literal keys: usually a few compares in the site cache.
    #[inline]
    pub(crate) fn layout_of_literals(&mut self, keys: &[&'static str]) -> u32 {
        match self.layouts().cached(keys) {
            Ok(layout) => layout,
            Err(set) => self.layout_of_literals_slow(keys, set),
        }
    }

    /// The first event of a site (or one whose cache entry was taken by another site).
    #[cold]
    #[inline(never)]
    fn layout_of_literals_slow(&mut self, keys: &[&'static str], set: usize) -> u32 {
        let syms: SmallVec<[Sym; 8]> = keys.iter().map(|k| self.intern_static(k)).collect();
        let layouts = self.layouts_mut();
        let layout = layouts.intern(&syms);
        layouts.remember(set, keys, layout);
        layout
    }
}

/// The keys of a blob's fields section, in order, whichever form it has: read the section's
/// head with [`FieldKeys::read`], then before each value the key with [`FieldKeys::next`].
pub(crate) enum FieldKeys<'s> {
    /// The layout form: the keys are the layout's.
    Layout(std::slice::Iter<'s, Sym>),
    /// The keyed form: this many fields left, each key in front of its value.
    Keyed(u64),
}

impl<'s> FieldKeys<'s> {
    /// Reads the head of a fields section (just past the blob's `B_FIELDS` parts before it).
    #[inline]
    pub(crate) fn read(rd: &mut Reader<'_>, symbols: &'s Symbols) -> FieldKeys<'s> {
        match rd.varint() {
            LAYOUT_FORM => FieldKeys::Layout(symbols.layouts().keys(rd.varint() as u32).iter()),
            n => FieldKeys::Keyed(n),
        }
    }

    /// The next field's key (read from the blob in the keyed form); `None` after the last.
    /// Its value follows in `rd`.
    #[inline]
    pub(crate) fn next(&mut self, rd: &mut Reader<'_>) -> Option<Sym> {
        match self {
            FieldKeys::Layout(keys) => keys.next().copied(),
            FieldKeys::Keyed(0) => None,
            FieldKeys::Keyed(n) => {
                *n -= 1;
                Some(Sym(rd.varint() as u32))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn a_site_finds_its_layout_again_and_other_key_lists_get_their_own() {
        let mut s = Symbols::default();
        let ab: [&'static str; 2] = ["alpha", "beta"];
        let ba: [&'static str; 2] = ["beta", "alpha"];
        let abc: [&'static str; 3] = ["alpha", "beta", "gamma"];
        let first = s.layout_of_literals(&ab);
        assert_eq!(s.layout_of_literals(&ab), first);
        let other = s.layout_of_literals(&ba);
        let longer = s.layout_of_literals(&abc);
        assert!(first != other && other != longer && first != longer);
        // The same text at another address (built at run time, then leaked) is the same
        // layout: layouts are lists of symbols, the addresses only find them fast.
        let leaked: Vec<&'static str> = ["alpha", "beta"]
            .iter()
            .map(|k| &*Box::leak(k.to_string().into_boxed_str()))
            .collect();
        assert_eq!(s.layout_of_literals(&leaked), first);
        let names = |id| -> Vec<&str> {
            s.layouts()
                .keys(id)
                .iter()
                .map(|&k| s.str(k))
                .collect::<Vec<_>>()
        };
        assert_eq!(names(first), ["alpha", "beta"]);
        assert_eq!(names(other), ["beta", "alpha"]);
        assert_eq!(names(longer), ["alpha", "beta", "gamma"]);
        assert_eq!(s.layouts().len(), 3);
    }

    #[test]
    fn many_sites_sharing_cache_sets_each_keep_their_own_layout() {
        let mut s = Symbols::default();
        let keys: Vec<&'static str> = (0..40)
            .map(|i| &*Box::leak(format!("k{i}").into_boxed_str()))
            .collect();
        // 200 distinct lists of one to six keys, more than the cache holds.
        let lists: Vec<Vec<&'static str>> = (0..200)
            .map(|i| (0..1 + i % 6).map(|j| keys[(i * 7 + j * 3) % 40]).collect())
            .collect();
        let first: Vec<u32> = lists.iter().map(|l| s.layout_of_literals(l)).collect();
        for _ in 0..2 {
            for (list, &id) in lists.iter().zip(&first) {
                assert_eq!(s.layout_of_literals(list), id);
                let names: Vec<&str> = s.layouts().keys(id).iter().map(|&k| s.str(k)).collect();
                assert_eq!(&names, list);
            }
        }
    }
}
