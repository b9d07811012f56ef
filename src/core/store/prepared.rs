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
use super::origins::OriginId;
use super::record::{
    begin_blob, Record, B_DURATION, B_ERROR, B_FIELDS, HAS_PARENT, LAG_NONE, NO_SIBLING, V_JSON,
};
use super::symbols::{Sym, Symbols};
use super::{EventStore, ParentHint};
use crate::core::event::Phase;
use crate::core::field_value::put_varint;

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
    /// The names met last, by a hash of their length and end bytes (index + 1, 0 for
    /// none): a request's spans repeat a few names, and a hit costs one compare where the
    /// seeded hash and the table cost ~60 instructions (`docs/live.md`). Boxed: a batch
    /// is moved whole, from the decoder to the store.
    recent: Box<[u32; RECENT_NAMES]>,
    text: Vec<u8>,
}

/// Slots of [`Prepared`]'s recent names.
const RECENT_NAMES: usize = 32;

/// A name's slot among the recent names: its length, first, middle and last bytes, mixed.
fn recent_slot(name: &[u8]) -> usize {
    let key = match name {
        [] => 0,
        [first, ..] => {
            let (mid, last) = (name[name.len() / 2], name[name.len() - 1]);
            (name.len() as u64) << 24
                | u64::from(*first) << 16
                | u64::from(mid) << 8
                | u64::from(last)
        }
    };
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 59) as usize % RECENT_NAMES
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
        let slot = recent_slot(name.as_bytes());
        let recent = self.recent[slot];
        if recent != 0 && *self.names[recent as usize - 1] == *name {
            return recent - 1;
        }
        let i = self.name_slow(name);
        self.recent[slot] = i.wrapping_add(1); // 0 (not kept) for the 2^32nd name
        i
    }

    fn name_slow(&mut self, name: &str) -> u32 {
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

/// What a batch's events are stored with, looked up once per batch instead of once per
/// event: each name's symbol and origin, and the symbols of the kinds and field keys (a few
/// literals). Filled as the events are stored, in the order the `Event` path interns
/// them (name, field keys, kind, origin), so the store's numbering is the same.
#[derive(Debug, Default)]
pub struct BatchSyms {
    names: Vec<Option<(Sym, OriginId)>>,
    /// Literals by address and length (`"span"`, `"attributes"`, ...); a fifth and later
    /// literal is looked up in the store's own address cache each time.
    literals: [(usize, usize, Sym); 4],
}

impl BatchSyms {
    #[inline]
    fn literal(&mut self, symbols: &mut Symbols, s: &'static str) -> Sym {
        let addr = s.as_ptr() as usize;
        for &(a, l, sym) in &self.literals {
            if a == addr && l == s.len() {
                return sym;
            }
        }
        self.literal_slow(symbols, s)
    }

    #[cold]
    #[inline(never)]
    fn literal_slow(&mut self, symbols: &mut Symbols, s: &'static str) -> Sym {
        let sym = symbols.intern_static(s);
        if let Some(free) = self.literals.iter_mut().find(|(a, _, _)| *a == 0) {
            *free = (s.as_ptr() as usize, s.len(), sym);
        }
        sym
    }
}

impl EventStore {
    /// Stores event `i` of `batch` (encode and push, see the module docs); returns its
    /// position. `syms` caches what the batch's events are stored with (interned when first
    /// stored, so a refused event interns nothing); pass the same, initially empty, value
    /// for every event of one batch.
    ///
    /// The record and blob are those [`EventStore::encode`] makes for the event's `Event`,
    /// written here from the prepared event itself (no `Header`, no `Payload`), with the
    /// symbols of the batch's names, kinds and keys looked up once per batch
    /// (`docs/live.md`).
    #[doc(hidden)]
    pub fn push_prepared(&mut self, batch: &Prepared, i: usize, syms: &mut BatchSyms) -> u64 {
        let e = &batch.events[i];
        if syms.names.len() < batch.names.len() {
            syms.names.resize(batch.names.len(), None);
        }
        let named = syms.names[e.process as usize];
        let process = match named {
            Some((s, _)) => s,
            None => self.symbols.intern(&batch.names[e.process as usize]),
        };
        let start = self.start_link(e.start_id, ParentHint::NONE);
        let place = self.seq_place(0);
        let mut flags = begin_blob(&mut self.scratch, start, 0, place);
        self.prepared_blob(batch, e, syms);
        let blob = self.arena.push(&self.scratch);
        if e.parent_id.is_some() {
            flags |= HAS_PARENT;
        }
        let parent = self.parent_of(e.parent_id, ParentHint::NONE);
        let tree = self.trees.acquire(e.root_id, e.lineage_id);
        let kind = syms.literal(&mut self.symbols, e.kind);
        let origin = match named {
            Some((_, o)) => o,
            None => {
                let o = self.origins.intern(process, Sym::NONE);
                syms.names[e.process as usize] = Some((process, o));
                o
            }
        };
        let record = Record {
            id: e.id,
            parent,
            lag: LAG_NONE,
            timestamp_ns: e.timestamp_ns,
            blob,
            tree,
            site: self.origins.site(kind, origin),
            next_sibling: NO_SIBLING,
            phase: e.phase,
            flags,
        };
        self.push(record, 0)
    }

    /// The rest of a prepared event's blob after `begin_blob`, into `scratch`: the bytes
    /// `encode_blob` writes for a payload of a process name and object-valued fields
    /// (duration, error, each field as `put_value` writes an object: its JSON text).
    fn prepared_blob(&mut self, batch: &Prepared, e: &PreparedEvent, syms: &mut BatchSyms) {
        let fields = &e.fields[..e.field_count as usize];
        let error = e.error.map(|r| batch.text(r));
        let mut flags = 0;
        if e.duration_ns.is_some() {
            flags |= B_DURATION;
        }
        if error.is_some() {
            flags |= B_ERROR;
        }
        if !fields.is_empty() {
            flags |= B_FIELDS;
        }
        if flags == 0 {
            return;
        }
        let text: usize = fields.iter().map(|(_, r)| r.len as usize).sum();
        let out = &mut self.scratch;
        out.reserve(text + error.map_or(0, <[u8]>::len) + 16 + 16 * fields.len());
        out.push(flags);
        if let Some(d) = e.duration_ns {
            put_varint(out, d);
        }
        if let Some(error) = error {
            put_varint(out, error.len() as u64);
            out.extend_from_slice(error);
        }
        if !fields.is_empty() {
            put_varint(out, fields.len() as u64);
            for &(key, r) in fields {
                put_varint(out, u64::from(syms.literal(&mut self.symbols, key).0));
                out.push(V_JSON);
                let text = batch.text(r);
                put_varint(out, text.len() as u64);
                out.extend_from_slice(text);
            }
        }
    }
}
