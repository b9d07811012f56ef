//! # Writing an event borrowed from its text
//!
//! [`EventStore::encode_ref`] is [`EventStore::encode_event`] for an [`EventRef`]: the same
//! record and the same blob bytes, symbols interned in the same order, but straight from the
//! strings of the line an import is reading, so none of them is allocated on the way in (a
//! test in `trace::native` holds the two encodings equal byte for byte).

use super::record::{
    begin_blob, Record, B_COUNT, B_DURATION, B_ERROR, B_FIELDS, B_INPUTS, B_OUTPUTS, HAS_PARENT,
    LAG_NONE, NO_SIBLING, V_FALSE, V_JSON, V_NEG, V_NULL, V_STR, V_TRUE, V_UINT,
};
use super::symbols::Sym;
use super::{EventStore, ParentHint};
use crate::core::field_value::{put_varint, V_JSON_SYM};
use crate::core::json_ref::JsonLayout;
use crate::core::{EventRef, JsonRef, ScalarRef};

impl EventStore {
    /// Turns a borrowed event into a record, as [`EventStore::encode_event`] does an owned
    /// one; the record must then be [`push`](EventStore::push)ed.
    pub fn encode_ref(&mut self, e: &EventRef<'_>) -> Record {
        let start = self.start_link(e.start_id, ParentHint::NONE);
        let mut flags = self.encode_ref_blob(e, start);
        let blob = self.arena.push(&self.scratch);
        if e.parent_id.is_some() {
            flags |= HAS_PARENT;
        }
        let intern = |symbols: &mut super::Symbols, s: Option<&str>| match s {
            Some(s) => symbols.intern(s),
            None => Sym::NONE,
        };
        Record {
            id: e.id,
            parent: self.parent_of(e.parent_id, ParentHint::NONE),
            lag: LAG_NONE,
            timestamp_ns: e.timestamp_ns,
            blob,
            tree: self.trees.acquire(e.root_id, e.lineage_id),
            site: {
                let kind = self.symbols.intern(e.kind);
                let process = intern(&mut self.symbols, e.process_name);
                let function = intern(&mut self.symbols, e.function_name);
                let origin = self.origins.intern(process, function);
                self.origins.site(kind, origin)
            },
            next_sibling: NO_SIBLING,
            phase: e.phase,
            flags,
        }
    }

    /// The blob `encode_blob` writes for the owned event, into `scratch`; returns the
    /// record's flags for the start and the emission number.
    fn encode_ref_blob(&mut self, e: &EventRef<'_>, start: super::record::StartLink) -> u8 {
        let place = self.seq_place(e.seq);
        let out = &mut self.scratch;
        let front = begin_blob(out, start, e.seq, place);
        let flags = [
            (e.duration_ns.is_some(), B_DURATION),
            (!e.input_entity_ids.is_empty(), B_INPUTS),
            (!e.output_entity_ids.is_empty(), B_OUTPUTS),
            (e.entity_count.is_some(), B_COUNT),
            (e.error.is_some(), B_ERROR),
            (!e.extra.is_empty() || !e.json.is_empty(), B_FIELDS),
        ]
        .into_iter()
        .fold(0, |flags, (on, bit)| if on { flags | bit } else { flags });
        if flags == 0 {
            return front;
        }
        out.push(flags);
        if let Some(d) = e.duration_ns {
            put_varint(out, d);
        }
        for ids in [&e.input_entity_ids, &e.output_entity_ids] {
            if !ids.is_empty() {
                put_varint(out, ids.len() as u64);
                for id in ids.iter() {
                    out.extend_from_slice(id.as_bytes());
                }
            }
        }
        if let Some(n) = e.entity_count {
            put_varint(out, u64::from(n));
        }
        if let Some(text) = e.error {
            put_varint(out, text.len() as u64);
            out.extend_from_slice(text.as_bytes());
        }
        if e.extra.is_empty() && !e.json.is_empty() {
            // The layout form, as `put_fields` writes the same fields put by literal keys
            // into an owned event's payload: the same blob bytes.
            let keys: smallvec::SmallVec<[&'static str; 4]> =
                e.json.iter().map(|&(key, _)| key).collect();
            let layout = self.symbols.layout_of_literals(&keys);
            self.scratch.push(0);
            put_varint(&mut self.scratch, u64::from(layout));
            for &(_, value) in e.json {
                self.put_json(value);
            }
            return front;
        }
        if !e.extra.is_empty() || !e.json.is_empty() {
            put_varint(out, (e.extra.len() + e.json.len()) as u64);
            for &(key, value) in &e.extra {
                put_varint(out, u64::from(self.symbols.intern(key).0));
                match value {
                    ScalarRef::Null => out.push(V_NULL),
                    ScalarRef::Bool(false) => out.push(V_FALSE),
                    ScalarRef::Bool(true) => out.push(V_TRUE),
                    ScalarRef::UInt(n) => {
                        out.push(V_UINT);
                        put_varint(out, n);
                    }
                    ScalarRef::Neg(n) => {
                        out.push(V_NEG);
                        put_varint(out, n.unsigned_abs());
                    }
                    ScalarRef::Str(s) => {
                        out.push(V_STR);
                        put_varint(out, s.len() as u64);
                        out.extend_from_slice(s.as_bytes());
                    }
                }
            }
            for &(key, value) in e.json {
                put_varint(&mut self.scratch, u64::from(self.symbols.intern(key).0));
                self.put_json(value);
            }
        }
        front
    }

    /// One field's JSON text into the blob, as `copy_value` copies its encoding from an
    /// owned event's payload: a `V_JSON` value, or a `V_JSON_SYM` with the shared piece
    /// interned (`shared_text.rs`).
    fn put_json(&mut self, value: JsonRef<'_>) {
        let out = &mut self.scratch;
        match value.layout() {
            JsonLayout::Plain { len } => {
                out.reserve(len + 11);
                out.push(V_JSON);
                put_varint(out, len as u64);
                value.write(out);
            }
            JsonLayout::Shared { len, piece } => {
                out.reserve(len + 31);
                out.push(V_JSON_SYM);
                put_varint(out, piece.start as u64);
                // The text written whole, then its piece interned and replaced by its
                // symbol: the piece's members are not contiguous in the importer's text
                // when they came after the span (`trace::otlp::window`).
                let at = out.len();
                value.write(out);
                let sym = self
                    .symbols
                    .intern_utf8(&out[at + piece.start..at + piece.end]);
                let end = out.len();
                let mut syms = smallvec::SmallVec::<[u8; 16]>::new();
                put_varint(&mut syms, u64::from(sym.0));
                put_varint(&mut syms, (end - at - piece.end) as u64);
                // The text after the piece moved up to follow the two varints.
                let (from, to) = (at + piece.end, at + piece.start + syms.len());
                if to > from {
                    out.resize(end + (to - from), 0);
                }
                out.copy_within(from..end, to);
                out[at + piece.start..to].copy_from_slice(&syms);
                out.truncate(to + (end - from));
            }
        }
    }
}
