//! # Writing an event borrowed from its text
//!
//! [`EventStore::encode_ref`] is [`EventStore::encode_event`] for an [`EventRef`]: the same
//! record and the same blob bytes, symbols interned in the same order, but straight from the
//! strings of the line an import is reading, so none of them is allocated on the way in (a
//! test in `trace::native` holds the two encodings equal byte for byte).

use super::record::{
    begin_blob, Record, B_COUNT, B_DURATION, B_ERROR, B_FIELDS, B_INPUTS, B_OUTPUTS, HAS_PARENT,
    LAG_NONE, NO_SIBLING, V_FALSE, V_NEG, V_NULL, V_STR, V_TRUE, V_UINT,
};
use super::symbols::Sym;
use super::EventStore;
use crate::core::field_value::put_varint;
use crate::core::{EventRef, ScalarRef};

impl EventStore {
    /// Turns a borrowed event into a record, as [`EventStore::encode_event`] does an owned
    /// one; the record must then be [`push`](EventStore::push)ed.
    pub fn encode_ref(&mut self, e: &EventRef<'_>) -> Record {
        let start = self.start_link(e.start_id);
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
            parent: self.parent_of(e.parent_id),
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
            (!e.extra.is_empty(), B_FIELDS),
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
        if !e.extra.is_empty() {
            put_varint(out, e.extra.len() as u64);
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
        }
        front
    }
}
