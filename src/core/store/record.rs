//! # One stored event
//!
//! A [`Record`] is an event as the store keeps it: fixed size, `Copy`, owning no heap memory.
//! Strings are [`Sym`]s, the root and lineage a [`TreeId`], the payload beyond its two names
//! a [`BlobRef`] into the arena, encoded by [`encode_blob`]. Recycling a slot therefore drops
//! nothing, and the queue, the history ring and an imported trace hold the same records.
//!
//! ## The blob
//! A flags byte says which parts follow, in this order: the duration (varint), input and
//! output entity ids (count, then 16 bytes each), the entity count (varint), the error
//! (length, UTF-8), the fields (count, then per field the key's symbol and a tagged value),
//! then the payload's and the event's unknown members (count, then per member its key and
//! its JSON text, each length and UTF-8; keys not interned, so a file of many made-up keys
//! does not grow the symbol table). Numbers keep serde_json's three kinds (unsigned,
//! negative, float), so integers beyond 2^53 come back exactly; arrays and objects are kept
//! as their JSON text, and so is a field a `Value` cannot hold (`V_RAW`, see `core::raw`).

use serde_json::value::RawValue;
use serde_json::{Number, Value};
use uuid::Uuid;

use super::arena::BlobRef;
use super::symbols::{Sym, Symbols};
use super::trees::TreeId;
use crate::core::event::{Payload, Phase};
use crate::core::raw::RawMembers;

/// No slot (an empty child list's end, no next sibling).
pub(crate) const NO_SLOT: u32 = u32::MAX;

pub(crate) const HAS_PARENT: u8 = 1;
pub(crate) const HAS_START: u8 = 2;

/// Packed to four-byte alignment: 104 bytes instead of 112, for every retained event (the
/// `u64` fields are read by value, never borrowed, so the packing is free on x86 and wasm).
#[derive(Clone, Copy, Debug)]
#[repr(C, packed(4))]
pub struct Record {
    pub id: Uuid,
    pub parent: Uuid,
    pub start: Uuid,
    pub seq: u64,
    pub timestamp_ns: u64,
    pub processed_ns: u64,
    pub blob: BlobRef,
    pub tree: TreeId,
    pub kind: Sym,
    pub process: Sym,
    pub function: Sym,
    /// The ring slot of the next child of the same parent, or [`NO_SLOT`].
    pub next_sibling: u32,
    pub phase: Phase,
    pub flags: u8,
}

impl Record {
    #[inline]
    pub fn parent_id(&self) -> Option<Uuid> {
        (self.flags & HAS_PARENT != 0).then_some(self.parent)
    }

    #[inline]
    pub fn start_id(&self) -> Option<Uuid> {
        (self.flags & HAS_START != 0).then_some(self.start)
    }
}

pub(super) const B_DURATION: u8 = 1;
pub(super) const B_INPUTS: u8 = 2;
pub(super) const B_OUTPUTS: u8 = 4;
pub(super) const B_COUNT: u8 = 8;
pub(super) const B_ERROR: u8 = 16;
pub(super) const B_FIELDS: u8 = 32;
pub(super) const B_PAYLOAD_UNKNOWN: u8 = 64;
pub(super) const B_EVENT_UNKNOWN: u8 = 128;

pub(super) const V_NULL: u8 = 0;
pub(super) const V_FALSE: u8 = 1;
pub(super) const V_TRUE: u8 = 2;
pub(super) const V_UINT: u8 = 3;
pub(super) const V_NEG: u8 = 4;
pub(super) const V_FLOAT: u8 = 5;
pub(super) const V_STR: u8 = 6;
pub(super) const V_JSON: u8 = 7;
/// JSON text a `Value` would change, kept as text (`Fields::get_raw`).
pub(super) const V_RAW: u8 = 8;

#[inline]
pub(super) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Encodes what a record does not hold itself into `out` (cleared first). Leaves `out`
/// empty when there is nothing to keep, the common case for end events of names only.
#[inline]
pub(crate) fn encode_blob(
    payload: &Payload,
    duration_ns: Option<u64>,
    error: Option<&str>,
    unknown: &RawMembers,
    symbols: &mut Symbols,
    out: &mut Vec<u8>,
) {
    out.clear();
    let mut flags = 0;
    if duration_ns.is_some() {
        flags |= B_DURATION;
    }
    if !payload.input_entity_ids.is_empty() {
        flags |= B_INPUTS;
    }
    if !payload.output_entity_ids.is_empty() {
        flags |= B_OUTPUTS;
    }
    if payload.entity_count.is_some() {
        flags |= B_COUNT;
    }
    if error.is_some() {
        flags |= B_ERROR;
    }
    if !payload.extra.is_empty() {
        flags |= B_FIELDS;
    }
    if !payload.unknown.is_empty() {
        flags |= B_PAYLOAD_UNKNOWN;
    }
    if !unknown.is_empty() {
        flags |= B_EVENT_UNKNOWN;
    }
    if flags == 0 {
        return;
    }
    out.push(flags);
    if let Some(d) = duration_ns {
        put_varint(out, d);
    }
    for ids in [&payload.input_entity_ids, &payload.output_entity_ids] {
        if !ids.is_empty() {
            put_varint(out, ids.len() as u64);
            for id in ids.iter() {
                out.extend_from_slice(id.as_bytes());
            }
        }
    }
    if let Some(n) = payload.entity_count {
        put_varint(out, u64::from(n));
    }
    if let Some(e) = error {
        put_varint(out, e.len() as u64);
        out.extend_from_slice(e.as_bytes());
    }
    if !payload.extra.is_empty() {
        put_varint(out, payload.extra.len() as u64);
        for (key, value) in payload.extra.entries() {
            put_varint(out, u64::from(symbols.intern_cow(key).0));
            put_value(out, value);
        }
        for (key, text) in payload.extra.raw().iter() {
            put_varint(out, u64::from(symbols.intern(key).0));
            out.push(V_RAW);
            put_text(out, text.get());
        }
    }
    for members in [&payload.unknown, unknown] {
        if !members.is_empty() {
            put_members(out, members);
        }
    }
}

#[cold]
fn put_members(out: &mut Vec<u8>, members: &RawMembers) {
    put_varint(out, members.len() as u64);
    for (key, text) in members.iter() {
        put_text(out, key);
        put_text(out, text.get());
    }
}

fn put_text(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

#[inline]
fn put_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.push(V_NULL),
        Value::Bool(false) => out.push(V_FALSE),
        Value::Bool(true) => out.push(V_TRUE),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                out.push(V_UINT);
                put_varint(out, u);
            } else if let Some(i) = n.as_i64() {
                out.push(V_NEG);
                put_varint(out, i.unsigned_abs());
            } else {
                out.push(V_FLOAT);
                out.extend_from_slice(&n.as_f64().unwrap_or(f64::NAN).to_le_bytes());
            }
        }
        Value::String(s) => {
            out.push(V_STR);
            put_varint(out, s.len() as u64);
            out.extend_from_slice(s.as_bytes());
        }
        Value::Array(_) | Value::Object(_) => {
            let text = serde_json::to_string(value).expect("a JSON value serialises");
            out.push(V_JSON);
            put_varint(out, text.len() as u64);
            out.extend_from_slice(text.as_bytes());
        }
    }
}

/// What a blob holds, decoded.
#[derive(Debug, Default)]
pub(crate) struct Decoded {
    pub duration_ns: Option<u64>,
    pub error: Option<String>,
    /// The event's unknown top-level members.
    pub unknown: RawMembers,
}

/// Reads a blob front to back (the search walks it without decoding, `search.rs`).
pub(super) struct Reader<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) at: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn byte(&mut self) -> u8 {
        let b = self.bytes[self.at];
        self.at += 1;
        b
    }

    pub(super) fn varint(&mut self) -> u64 {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let b = self.byte();
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return v;
            }
            shift += 7;
        }
    }

    pub(super) fn take(&mut self, n: usize) -> &'a [u8] {
        let s = &self.bytes[self.at..self.at + n];
        self.at += n;
        s
    }

    fn text(&mut self) -> String {
        let n = self.varint() as usize;
        String::from_utf8(self.take(n).to_vec()).expect("blobs hold valid UTF-8")
    }
}

/// Fills `payload` (whose names the caller has set) from a blob; returns the rest.
pub(crate) fn decode_blob(bytes: &[u8], symbols: &Symbols, payload: &mut Payload) -> Decoded {
    let mut d = Decoded::default();
    if bytes.is_empty() {
        return d;
    }
    let mut r = Reader { bytes, at: 0 };
    let flags = r.byte();
    if flags & B_DURATION != 0 {
        d.duration_ns = Some(r.varint());
    }
    for (bit, ids) in [
        (B_INPUTS, &mut payload.input_entity_ids),
        (B_OUTPUTS, &mut payload.output_entity_ids),
    ] {
        if flags & bit != 0 {
            let n = r.varint() as usize;
            for _ in 0..n {
                let b: [u8; 16] = r.take(16).try_into().expect("16 bytes");
                ids.push(Uuid::from_bytes(b));
            }
        }
    }
    if flags & B_COUNT != 0 {
        payload.entity_count = Some(r.varint() as u32);
    }
    if flags & B_ERROR != 0 {
        d.error = Some(r.text());
    }
    if flags & B_FIELDS != 0 {
        let n = r.varint() as usize;
        for _ in 0..n {
            let key = symbols.get(Sym(r.varint() as u32)).to_cow();
            let value = match r.byte() {
                V_NULL => Value::Null,
                V_FALSE => Value::Bool(false),
                V_TRUE => Value::Bool(true),
                V_UINT => Value::from(r.varint()),
                V_NEG => Value::from((r.varint() as i64).wrapping_neg()),
                V_FLOAT => {
                    let b: [u8; 8] = r.take(8).try_into().expect("8 bytes");
                    Number::from_f64(f64::from_le_bytes(b)).map_or(Value::Null, Value::Number)
                }
                V_STR => Value::String(r.text()),
                V_RAW => {
                    payload.extra.push_unique_raw(key, raw(r.text()));
                    continue;
                }
                _ => json_value(&r.text()),
            };
            payload.extra.push_unique(key, value);
        }
    }
    for (bit, members) in [
        (B_PAYLOAD_UNKNOWN, &mut payload.unknown),
        (B_EVENT_UNKNOWN, &mut d.unknown),
    ] {
        if flags & bit != 0 {
            for _ in 0..r.varint() {
                let key = r.text();
                members.push_unique(key, raw(r.text()));
            }
        }
    }
    d
}

/// JSON text the store wrote itself, as a `RawValue` again.
fn raw(text: String) -> Box<RawValue> {
    RawValue::from_string(text).expect("blobs hold valid JSON")
}

/// Parses JSON text the store wrote itself; as deep as imports allow (they bound the depth).
fn json_value(text: &str) -> Value {
    use serde::Deserialize;
    let mut de = serde_json::Deserializer::from_str(text);
    de.disable_recursion_limit();
    Value::deserialize(&mut de).expect("blobs hold valid JSON")
}
