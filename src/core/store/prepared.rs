//! # Events prepared for the store without an `Event`
//!
//! The listener receives spans by the thousand per request, and building an owned
//! [`Event`](crate::core::Event) per span (a `Payload`, a field vector, a `serde_json` tree
//! per object, each key an owned string) only to encode it into the arena and free it cost
//! a third of its instructions in `malloc`/`free` (`docs/live.md`). A [`Prepared`] batch
//! holds what a record needs instead: the header as plain values, the process name as an
//! index into the batch's names (each distinct name once per request, interned once per
//! batch when stored), and the fields as JSON text already written into one buffer.
//!
//! Stored, a prepared event is byte for byte the record its `Event` would give
//! ([`EventStore::push_prepared`] writes the blob `encode_blob` writes for a payload of a
//! process name and object-valued fields), so every reader (the page, `--out`, search)
//! sees the same event. The OTLP protobuf path (`trace::otlp::direct`) fills it; the tests
//! there hold it to the `Event` conversion.

use hashbrown::HashTable;
use std::hash::BuildHasher;
use uuid::Uuid;

use super::hash::TextHash;
use super::symbols::Sym;
use super::{EventStore, Header};
use crate::core::event::{Kind, Phase};

/// Bytes of the batch's text buffer: `start..start + len`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TextRef {
    pub start: u32,
    pub len: u32,
}

/// The most fields a prepared event carries (a span's `attributes` and `otel`).
pub const MAX_FIELDS: usize = 2;

/// One event, ready to be encoded into a record; see the module docs.
#[derive(Clone, Copy, Debug)]
pub struct PreparedEvent {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub start_id: Option<Uuid>,
    pub root_id: Uuid,
    pub lineage_id: Uuid,
    pub kind: &'static str,
    pub phase: Phase,
    pub timestamp_ns: u64,
    pub duration_ns: Option<u64>,
    /// Index into the batch's names (`payload.process_name`).
    pub process: u32,
    pub error: Option<TextRef>,
    /// `payload.extra`, in order: each key with its value's JSON text (an object or array).
    /// (The length is spelled out: clippy 1.95 ends with an internal error on the constant.)
    pub fields: [(&'static str, TextRef); 2],
    pub field_count: u8,
}

/// A batch of prepared events with the names and text they refer to.
#[derive(Debug, Default)]
pub struct Prepared {
    pub events: Vec<PreparedEvent>,
    names: Vec<Box<str>>,
    by_name: HashTable<u32>,
    /// Seeded per batch: names come from the network.
    hasher: TextHash,
    text: Vec<u8>,
}

impl Prepared {
    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The index of `name` among the batch's names, added if new.
    pub fn name(&mut self, name: &str) -> u32 {
        let hash = self.hasher.hash_one(name);
        let names = &self.names;
        if let Some(&i) = self.by_name.find(hash, |&i| &*names[i as usize] == name) {
            return i;
        }
        let i = u32::try_from(self.names.len()).expect("fewer than 2^32 names in a request");
        self.names.push(name.into());
        let (names, hasher) = (&self.names, &self.hasher);
        self.by_name
            .insert_unique(hash, i, |&j| hasher.hash_one(&*names[j as usize]));
        i
    }

    /// The text buffer, to append a field's JSON or an error to; see [`Prepared::text_since`].
    pub fn text_mut(&mut self) -> &mut Vec<u8> {
        &mut self.text
    }

    /// Bytes of text held.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// The text appended since the buffer was `start` bytes long.
    pub fn text_since(&self, start: usize) -> TextRef {
        TextRef {
            start: start as u32,
            len: (self.text.len() - start) as u32,
        }
    }

    pub fn text(&self, r: TextRef) -> &[u8] {
        &self.text[r.start as usize..(r.start + r.len) as usize]
    }

    /// The process name of an event.
    pub fn name_of(&self, e: &PreparedEvent) -> &str {
        &self.names[e.process as usize]
    }

    /// How many of the events from index `from` on are span starts (what a response counts
    /// as refused spans when the store refuses the rest of a batch).
    pub fn span_starts_from(&self, from: usize) -> u64 {
        self.events[from.min(self.events.len())..]
            .iter()
            .filter(|e| e.phase == Phase::Started && e.kind == "span")
            .count() as u64
    }
}

impl EventStore {
    /// Stores event `i` of `batch` (encode and push, see the module docs); returns its
    /// position. `syms` caches the batch's names as symbols (interned when first stored,
    /// so a refused event interns nothing); pass the same, initially empty, vector for
    /// every event of one batch.
    #[doc(hidden)]
    pub fn push_prepared(&mut self, batch: &Prepared, i: usize, syms: &mut Vec<Sym>) -> u64 {
        let e = &batch.events[i];
        if syms.len() < batch.names.len() {
            syms.resize(batch.names.len(), Sym::NONE);
        }
        let process = match syms[e.process as usize] {
            Sym::NONE => {
                let s = self.symbols.intern(&batch.names[e.process as usize]);
                syms[e.process as usize] = s;
                s
            }
            s => s,
        };
        let kind: Kind = Kind::Borrowed(e.kind);
        let error = e
            .error
            .map(|r| std::str::from_utf8(batch.text(r)).expect("prepared errors are UTF-8 text"));
        let mut fields: [(&'static str, &[u8]); MAX_FIELDS] = [("", &[]); MAX_FIELDS];
        for (k, (key, r)) in e.fields[..e.field_count as usize].iter().enumerate() {
            fields[k] = (key, batch.text(*r));
        }
        let header = Header {
            id: e.id,
            kind: &kind,
            phase: e.phase,
            parent_id: e.parent_id,
            root_id: e.root_id,
            lineage_id: e.lineage_id,
            start_id: e.start_id,
            seq: 0,
            timestamp_ns: e.timestamp_ns,
            duration_ns: e.duration_ns,
            error,
        };
        let record = self.encode_json_fields(&header, process, &fields[..e.field_count as usize]);
        self.push(record, 0)
    }
}
