//! # A span's fields written as the JSON text the store keeps
//!
//! A span's start carries two objects in `payload.extra`: `attributes` and `otel` (see
//! [`super::span`]). The store keeps an object field as the JSON text `serde_json` writes
//! for its `Value` (`core::field_value`, `V_JSON`). Building those `Value`s (a B-tree map
//! per object, a `String` per key and per id), handing them to the store to be written as
//! text and dropping them was most of an OTLP import's work: in `lineage bench
//! --import-case` on a 100 000-span document, `serde_json`'s serializer, `malloc` and `free`
//! took about 5 k of the 19.5 k instructions an event (2026-12-06). Here the text is written
//! directly, byte for byte what `serde_json` writes for those `Value`s: keys in sorted order
//! (serde_json's `Map` without `preserve_order`), a repeated attribute key keeping its last
//! value, strings and numbers written by serde_json itself. Values this module does not
//! spell out (nested `arrayValue`s and `kvlistValue`s, links, an unusual `kind`) are built as
//! the same `Value`s and written by serde_json, so they cannot differ.
//!
//! `otel` is kept in pieces until the span's origin is known ([`OpenExtra`]): its resource,
//! `schemaUrl` and scope may come after the span ([`super::window`]), and they sit in the
//! middle of the sorted keys.

use serde_json::Value;

use super::ids::hex_into;
use super::origin::Origin;
use super::scalars::KIND_NAMES;
use super::wire::{attributes, AnyValue, KeyValue};
use crate::core::{Fields, JsonRef};

/// What `serde_json::to_writer` writes for `v`.
pub(super) fn write_json(out: &mut Vec<u8>, v: &(impl serde::Serialize + ?Sized)) {
    serde_json::to_writer(&mut *out, v).expect("writing JSON to memory succeeds");
}

/// An id of 8 or 16 bytes as a JSON string of lowercase hex (`ids::hex`), from the table
/// of digit pairs (the `hex` crate's encoder was ~250 instructions a span's three ids;
/// callgrind, 2026-12-06).
pub(super) fn write_hex<const N: usize>(out: &mut Vec<u8>, id: &[u8; N]) {
    const { assert!(N <= 16) };
    let mut text = [b'"'; 34];
    hex_into(&mut text[1..=2 * N], id);
    out.extend_from_slice(&text[..2 * N + 2]);
}

/// The attributes as the JSON object `wire::attributes` builds, written; `kvs` is left
/// empty, its room kept for the next span's (`fast::span_prefix`).
pub(super) fn write_attributes(out: &mut Vec<u8>, kvs: &mut Vec<KeyValue>) {
    // Arrays of plain values (our own export writes the entity ids so, two a span) are
    // written here too: through a `Value` they cost ~10 000 instructions a span event of
    // our export (callgrind, 2026-12-06). Anything deeper takes the `Value`.
    if !kvs.iter().all(|kv| kv.value.as_ref().is_none_or(shallow)) {
        return write_json(out, &Value::Object(attributes(std::mem::take(kvs))));
    }
    write_shallow_attributes(out, kvs);
    kvs.clear();
}

/// [`write_attributes`] of attributes whose values are all [`shallow`].
fn write_shallow_attributes(out: &mut Vec<u8>, kvs: &[KeyValue]) {
    // Room for it all at once: grown piece by piece, the buffer was reallocated a few
    // times a span (~2 500 instructions an event of our export, callgrind, 2026-12-06).
    out.reserve(kvs.iter().map(text_len).sum::<usize>() + 2);
    // Sorted by key (stable), the last of equal keys kept: what a `Map` collected does.
    // Each key's first sixteen bytes as one number order the keys as their text does
    // (see [`prefix`]); only keys equal in those are compared as text.
    let mut order: smallvec::SmallVec<[(u128, u32); 16]> = (kvs.iter().enumerate())
        .map(|(i, kv)| (prefix(&kv.key), i as u32))
        .collect();
    let by_key = |a: &(u128, u32), b: &(u128, u32)| {
        (a.0.cmp(&b.0)).then_with(|| kvs[a.1 as usize].key.cmp(&kvs[b.1 as usize].key))
    };
    if !order.is_sorted_by(|a, b| by_key(a, b).is_lt()) {
        order.sort_by(by_key);
    }
    let mut first = true;
    for (j, &(_, i)) in order.iter().enumerate() {
        let kv = &kvs[i as usize];
        if order
            .get(j + 1)
            .is_some_and(|&(_, next)| kvs[next as usize].key == kv.key)
        {
            continue;
        }
        write_key(out, first, &kv.key);
        first = false;
        match &kv.value {
            Some(v) => write_shallow_value(out, v),
            None => out.extend_from_slice(b"null"),
        }
    }
    if first {
        out.push(b'{');
    }
    out.push(b'}');
}

/// Whether `AnyValue::into_json` reads `v` as a value without nesting: its first field set
/// (in that function's order) is neither an array nor a list of pairs.
fn flat(v: &AnyValue) -> bool {
    v.string_value.is_some()
        || v.bool_value.is_some()
        || v.int_value.is_some()
        || v.double_value.is_some()
        || v.bytes_value.is_some()
        || (v.array_value.is_none() && v.kvlist_value.is_none())
}

/// Whether `v` is flat or read as an array of flat values.
fn shallow(v: &AnyValue) -> bool {
    flat(v)
        || v.array_value
            .as_ref()
            .is_some_and(|a| a.values.iter().all(flat))
}

/// A [`shallow`] value as `AnyValue::into_json` reads it, written.
fn write_shallow_value(out: &mut Vec<u8>, v: &AnyValue) {
    match &v.array_value {
        Some(array) if !flat(v) => {
            out.push(b'[');
            for (i, item) in array.values.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_flat_value(out, item);
            }
            out.push(b']');
        }
        _ => write_flat_value(out, v),
    }
}

/// A key's first sixteen bytes, big-endian, zero-padded: where two keys' numbers differ,
/// they order as the keys do (at the first differing byte either both have a byte, or the
/// shorter key has ended, a zero against a byte that is not, and is a prefix of the other).
fn prefix(key: &str) -> u128 {
    let mut b = [0u8; 16];
    let n = key.len().min(16);
    b[..n].copy_from_slice(&key.as_bytes()[..n]);
    u128::from_be_bytes(b)
}

/// About the bytes an attribute takes written: its key and string values, and the
/// punctuation and numbers around them.
fn text_len(kv: &KeyValue) -> usize {
    let value = |v: &AnyValue| v.string_value.as_ref().map_or(0, String::len) + 24;
    kv.key.len()
        + kv.value.as_ref().map_or(4, |v| match &v.array_value {
            Some(a) if !flat(v) => a.values.iter().map(value).sum::<usize>() + 2,
            _ => value(v),
        })
}

/// An `AnyValue` without nested values, as `AnyValue::into_json` reads it (the first field
/// set wins, in the same order).
fn write_flat_value(out: &mut Vec<u8>, v: &AnyValue) {
    if let Some(s) = &v.string_value {
        write_str(out, s);
    } else if let Some(b) = v.bool_value {
        out.extend_from_slice(if b { b"true" } else { b"false" });
    } else if let Some(i) = v.int_value {
        write_json(out, &i.0);
    } else if let Some(d) = &v.double_value {
        write_json(out, d.as_json());
    } else if let Some(b) = &v.bytes_value {
        write_str(out, b);
    } else {
        out.extend_from_slice(b"null");
    }
}

/// `kind`: a number of [`KIND_NAMES`] by its name, anything else as it was written.
pub(super) fn write_kind(out: &mut Vec<u8>, kind: &Value) {
    match kind
        .as_u64()
        .and_then(|n| usize::try_from(n).ok())
        .and_then(|n| KIND_NAMES.get(n))
    {
        Some(name) => {
            out.push(b'"');
            out.extend_from_slice(name.as_bytes());
            out.push(b'"');
        }
        None => write_json(out, kind),
    }
}

/// The members of `otel` that come from the span's origin, in their sorted order.
const ORIGIN_KEYS: [&str; 3] = ["resource", "schema_url", "scope"];

/// A span start's `payload.extra` as text, its `otel` object open until the origin is
/// known: the members before the origin's (`flags` to `parent_span_id`), the origin's, and
/// those after (`span_id` to `trace_state`), each written as `,"key":value` into one buffer.
pub(crate) struct OpenExtra {
    text: Vec<u8>,
    /// `attributes`' object in `text` (empty: the span has none).
    attributes: std::ops::Range<usize>,
    head: std::ops::Range<usize>,
    origin: [std::ops::Range<usize>; 3],
    tail: std::ops::Range<usize>,
}

/// Writes one `,"key":` of `otel` (the caller writes the value).
pub(super) fn member(out: &mut Vec<u8>, key: &str) {
    out.extend_from_slice(b",\"");
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
}

impl OpenExtra {
    /// Starts with the span's attributes (none: empty; left empty, their room kept, see
    /// [`write_attributes`]) and the members of `otel` before the origin's, written by
    /// `head`; [`OpenExtra::tail`] ends it.
    pub(super) fn new(attrs: &mut Vec<KeyValue>, head: impl FnOnce(&mut Vec<u8>)) -> Self {
        let mut text = Vec::with_capacity(320);
        if !attrs.is_empty() {
            write_attributes(&mut text, attrs);
        }
        let attributes = 0..text.len();
        let at = text.len();
        head(&mut text);
        OpenExtra {
            head: at..text.len(),
            attributes,
            origin: [0..0, 0..0, 0..0],
            tail: 0..0,
            text,
        }
    }

    /// Writes what of the origin is known, then the members after it (`tail`).
    pub(super) fn tail(mut self, origin: &Origin<'_>, tail: impl FnOnce(&mut Vec<u8>)) -> Self {
        self.fill("resource", origin.resource);
        self.fill("schema_url", origin.schema_url);
        self.fill("scope", origin.scope);
        let at = self.text.len();
        tail(&mut self.text);
        self.tail = at..self.text.len();
        self
    }

    /// Writes `key` of the origin, given as its JSON text (nothing for an absent value, as
    /// the whole-element reading writes nothing).
    pub(super) fn fill(&mut self, key: &str, value: Option<&[u8]>) {
        let Some(value) = value else {
            return;
        };
        let Some(slot) = ORIGIN_KEYS.iter().position(|&k| k == key) else {
            return;
        };
        let at = self.text.len();
        member(&mut self.text, key);
        self.text.extend_from_slice(value);
        self.origin[slot] = at..self.text.len();
    }

    /// The fields: `attributes` (if any) then `otel`, the order of a `Map`'s keys.
    pub(crate) fn into_fields(self) -> Fields {
        let mut fields = Fields::default();
        for &(key, value) in &self.json() {
            fields.put(key, value);
        }
        fields
    }

    /// The fields as borrowed JSON text, in the order of [`OpenExtra::into_fields`]: what
    /// an [`EventRef`](crate::core::EventRef) carries to the store, which writes each once
    /// into its blob. `otel`'s origin members are the piece the store keeps once (`origin.rs`).
    pub(crate) fn json(&self) -> smallvec::SmallVec<[(&'static str, JsonRef<'_>); 2]> {
        let mut json = smallvec::SmallVec::new();
        if !self.attributes.is_empty() {
            let text = &self.text[self.attributes.clone()];
            json.push(("attributes", JsonRef::Whole(text)));
        }
        let [r, u, s] = &self.origin;
        let otel = JsonRef::Members {
            head: &self.text[self.head.clone()],
            shared: [r, u, s].map(|p| &self.text[p.clone()]),
            tail: &self.text[self.tail.clone()],
        };
        json.push(("otel", otel));
        json
    }
}

// proptest is a native dev-dependency only.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

/// What `serde_json` writes for the string `s`. A string with nothing to escape (no
/// control character, quote or backslash: nearly every attribute key and value) is copied
/// between its quotes, without serde_json's escape loop and its writes through `io::Write`
/// (~150 instructions a string, two of the bench's span's).
pub(super) fn write_str(out: &mut Vec<u8>, s: &str) {
    if nothing_to_escape(s.as_bytes()) {
        put_between(out, b'"', s.as_bytes(), b"\"");
    } else {
        write_json(out, s);
    }
}

/// An object member's start, `{"key":` or `,"key":`, as serde_json writes it.
pub(super) fn write_key(out: &mut Vec<u8>, first: bool, key: &str) {
    let open = if first { b'{' } else { b',' };
    if nothing_to_escape(key.as_bytes()) {
        out.push(open);
        put_between(out, b'"', key.as_bytes(), b"\":");
    } else {
        out.push(open);
        write_json(out, key);
        out.push(b':');
    }
}

/// Appends `before`, `text` and `after` with one check of the room left (three pushes
/// checked it three times, and a short copy through `extend_from_slice` more: ~60
/// instructions for a ten-byte attribute value, `docs/live.md`).
#[inline]
fn put_between(out: &mut Vec<u8>, before: u8, text: &[u8], after: &[u8]) {
    let n = text.len() + after.len() + 1;
    out.reserve(n);
    let len = out.len();
    // SAFETY: `reserve` left room for `n` bytes past `len`, and all `n` are written (the
    // three parts do not overlap each other or `out`'s initialized bytes) before the
    // length is set to cover them.
    unsafe {
        let at = out.as_mut_ptr().add(len);
        at.write(before);
        std::ptr::copy_nonoverlapping(text.as_ptr(), at.add(1), text.len());
        std::ptr::copy_nonoverlapping(after.as_ptr(), at.add(1 + text.len()), after.len());
        out.set_len(len + n);
    }
}

/// Whether `b` holds no control character, quote or backslash, eight bytes at a time.
fn nothing_to_escape(b: &[u8]) -> bool {
    use crate::trace::swar::{lanes, zero_lanes, HIGH};
    let mut words = b.chunks_exact(8);
    for w in &mut words {
        let w = u64::from_le_bytes(w.try_into().expect("eight bytes"));
        // Each term is non-zero exactly when some lane matches (`swar::zero_lanes`).
        let quote = zero_lanes(w ^ lanes(b'"'));
        let backslash = zero_lanes(w ^ lanes(b'\\'));
        let control = w.wrapping_sub(lanes(0x20)) & !w & HIGH;
        if quote | backslash | control != 0 {
            return false;
        }
    }
    (words.remainder().iter()).all(|&b| b >= 0x20 && b != b'"' && b != b'\\')
}
