//! # One stored event
//!
//! A [`Record`] is an event as the store keeps it: fixed size, `Copy`, owning no heap memory.
//! Strings are [`Sym`]s (the kind with the process and function names as one site, a
//! [`SiteId`]), the
//! root and lineage a [`TreeId`], the parent a [`ParentId`]
//! (each parent id kept once, `parents.rs`), the payload beyond its two names
//! a [`BlobRef`] into the arena, encoded by [`encode_blob`]. Recycling a slot therefore drops
//! nothing, and the queue, the history ring and an imported trace hold the same records.
//!
//! ## Why the start id lives in the blob
//! Only end events name their start, so a `start` field in the record cost 16 bytes on every
//! start and point event for nothing (a third of the record's size went to ids). An end
//! event's blob instead begins with the 16 bytes of its start id ([`begin_blob`]; the record's
//! `HAS_START` flag says so), and `EventStore::start_id` reads it from there: one arena
//! lookup, on reads that are rare next to writes (pairing spans, decoding).
//!
//! A start with sub-calls is a parent, so its id is in the store's parents table while an
//! end names it: the end's blob then begins with the four-byte entry instead
//! (`START_REF`), which the end holds a reference on until it is evicted. A start without
//! children (the innermost call) keeps the 16 bytes: an entry of its own would cost more.
//!
//! An innermost call has no children, so no entry; but its end is usually the very next
//! event after its start, and then names it as that (`START_PREV`), keeping nothing: the
//! start's record holds the id while it is held, and the store keeps it when the start is
//! evicted before its end (for that one eviction: the end is the next event).
//!
//! ## The blob
//! After the start id and a wide emission number, if any, a flags byte says which parts follow, in this order: the duration (varint), input and
//! output entity ids (count, then 16 bytes each), the entity count (varint), the error
//! (length, UTF-8), the fields (a layout's number and the values, or a count and per field
//! the key's symbol and a tagged value: `layouts.rs`),
//! then the payload's and the event's unknown members (count, then per member its key and
//! its JSON text, each length and UTF-8; keys not interned, so a file of many made-up keys
//! does not grow the symbol table). A value is encoded as `core::field_value` says, the same
//! bytes an emitting factory wrote into its payload's fields: they are copied here as they
//! are, in one piece, the keys being the emitting site's layout.

use serde_json::value::RawValue;
use uuid::Uuid;

use super::arena::BlobRef;
use super::field_keys::{put_fields, FieldKeys};
use super::origins::SiteId;
pub(crate) use super::seqs::SeqPlace;
use super::shared_text::SharedText;
use super::symbols::Symbols;
use super::trees::TreeId;
use crate::core::event::{Payload, Phase};
pub(crate) use crate::core::field_value::Reader;
use crate::core::field_value::{json_value, put_varint, ByteSink, V_JSON_PIECE, V_JSON_SYM};
pub(crate) use crate::core::field_value::{
    V_FALSE, V_FLOAT, V_JSON, V_NEG, V_NULL, V_STR, V_TRUE, V_UINT,
};
use crate::core::raw::RawMembers;

/// A parent id as the records that name it hold it: the number of its entry in the
/// parents table (`parents.rs`). Defined here, with the record that holds it, so the
/// table's file depends on the record's and not both ways.
pub(crate) type ParentId = u32;

/// No slot (an empty child list's end, no next sibling).
pub(crate) const NO_SLOT: u32 = u32::MAX;

pub(crate) const HAS_PARENT: u8 = 1;
pub(crate) const HAS_START: u8 = 2;
/// With `HAS_START`: the start id is kept in the parents table (the start event is a
/// parent too), and the blob begins with its four-byte [`ParentId`] instead of the id.
pub(crate) const START_REF: u8 = 4;
/// With `HAS_START`: the start is the event just before this one (the innermost call's
/// end follows its start), and the blob holds nothing for it: the start's own record has the
/// id, and [`ENDED_NEXT`] so the store keeps it when the start is evicted first.
pub(crate) const START_PREV: u8 = 8;
/// The next event is this start's end and names it as [`START_PREV`]: when this event is
/// evicted, its id stays with the store until the end is (`EventStore::start_id`).
pub(crate) const ENDED_NEXT: u8 = 16;
/// The emission number is 0 (an imported event without one): not in the run of its
/// position, not in the blob (`seqs.rs`).
pub(crate) const SEQ_ZERO: u8 = 32;
/// The emission number breaks the run of its position: its eight bytes follow the start's
/// bytes in front of the blob (`seqs.rs`).
pub(crate) const SEQ_WIDE: u8 = 64;
/// An entry of the parents table names this record's slot for its id (`parents.rs`): when
/// the record is evicted, the entry keeps the id instead.
pub(crate) const PARENT_NAMED: u8 = 128;

/// Packed to four-byte alignment: 52 bytes, for every retained event (the `u64` field is read
/// by value, never borrowed, so the packing is free on x86 and wasm). The emission number is
/// not here: it is the event's position plus its run's constant (`seqs.rs`; the flags say
/// when it is not). The processing time takes 32 bits because its common values fit, as
/// its lag after the timestamp (a bus processes an event well within 4 s; a longer or
/// earlier one goes in the store's `late` table). The next sibling takes 16 bits for the
/// same reason: siblings (a call's start and end, the sub-calls of one call) are rarely
/// 65 535 events apart; farther ones are kept beside the ring (`index.rs`).
#[derive(Clone, Copy, Debug)]
#[repr(C, packed(4))]
pub struct Record {
    pub id: Uuid,
    pub timestamp_ns: u64,
    /// `processed_ns − timestamp_ns`, or [`LAG_NONE`] (processed at 0: imported) or
    /// [`LAG_WIDE`] (in the store's `late` table); `EventStore::processed_ns_at` reads it.
    pub(crate) lag: u32,
    pub blob: BlobRef,
    pub tree: TreeId,
    /// The parent id's entry in the store's parents table, when `HAS_PARENT`
    /// (`EventStore::parent_id` reads the id; `parents.rs` says why it is not here).
    pub(crate) parent: ParentId,
    /// The kind with the payload's process and function names, kept once as a site
    /// (`origins.rs`; `EventStore::kind_sym`, `process_sym` and `function_sym` read them).
    pub(crate) site: SiteId,
    /// The next child of the same parent, as how many ring slots further on it is:
    /// [`NO_SIBLING`], a distance below [`FAR_SIBLING`], or `FAR_SIBLING` when it is further
    /// (its slot is then in the store's `far_siblings`). `EventStore::next_sibling` reads it.
    pub(crate) next_sibling: u16,
    pub phase: Phase,
    pub flags: u8,
}

/// [`Record::next_sibling`] of the last child held (or of an event without a parent).
pub(crate) const NO_SIBLING: u16 = 0;
/// [`Record::next_sibling`] of a child whose next sibling is `FAR_SIBLING` slots or more
/// further on: the next one's slot is in the store's `far_siblings` table.
pub(crate) const FAR_SIBLING: u16 = u16::MAX;

/// [`Record::lag`] of an event with no processing time (0: an imported event).
pub(crate) const LAG_NONE: u32 = u32::MAX - 1;
/// [`Record::lag`] of a processing time before the timestamp or 2^32 − 2 ns or more after it.
pub(crate) const LAG_WIDE: u32 = u32::MAX;

/// The lag that stands for `processed_ns`, or `None` when it must be kept in full.
#[inline]
pub(crate) fn lag_of(timestamp_ns: u64, processed_ns: u64) -> Option<u32> {
    if processed_ns == 0 {
        return Some(LAG_NONE);
    }
    let lag = processed_ns.checked_sub(timestamp_ns)?;
    (lag < u64::from(LAG_NONE)).then_some(lag as u32)
}

impl Record {
    /// Names a parent (`EventStore::parent_id` reads it).
    #[inline]
    pub fn has_parent(&self) -> bool {
        self.flags & HAS_PARENT != 0
    }

    /// An end event naming its start: its blob begins with the start's id, or with the
    /// start's entry in the parents table (`EventStore::start_id` reads either).
    #[inline]
    pub fn has_start(&self) -> bool {
        self.flags & HAS_START != 0
    }

    /// Bytes in front of the blob's own flags for the start: 16 for an id, 4 for a
    /// reference, 0 for none or the event before.
    #[inline]
    pub(crate) fn start_bytes(&self) -> usize {
        match self.flags & (HAS_START | START_REF | START_PREV) {
            HAS_START => START_BYTES,
            f if f & START_REF != 0 => START_REF_BYTES,
            _ => 0,
        }
    }

    /// Bytes in front of the blob's own flags: the start's, then a wide emission number's.
    #[inline]
    pub(crate) fn front_bytes(&self) -> usize {
        let seq = if self.flags & SEQ_WIDE != 0 {
            SEQ_BYTES
        } else {
            0
        };
        self.start_bytes() + seq
    }
}

/// Bytes of the start id in front of an end event's blob.
pub(crate) const START_BYTES: usize = 16;
/// Bytes of a start's [`ParentId`] in front of an end event's blob.
pub(crate) const START_REF_BYTES: usize = 4;

/// How an end event names its start: its id, its entry in the parents table when the start
/// has children there already (a call's end is emitted after its sub-calls named it as their
/// parent), or nothing when the start is the event just before (an innermost call's end).
#[derive(Clone, Copy)]
pub(crate) enum StartLink {
    None,
    Id(Uuid),
    Ref(ParentId),
    Prev,
}

impl StartLink {
    /// The record's flags for this link.
    #[inline]
    pub(crate) fn flags(self) -> u8 {
        match self {
            StartLink::None => 0,
            StartLink::Id(_) => HAS_START,
            StartLink::Ref(_) => HAS_START | START_REF,
            StartLink::Prev => HAS_START | START_PREV,
        }
    }
}

/// Starts a blob in `out` (cleared first): the start id of an end event (or its reference),
/// the emission number if its run does not give it (`place`, from `Seqs::place`); the
/// encoders below append the rest. Returns the record's flags for the two.
#[inline]
pub(crate) fn begin_blob(out: &mut Vec<u8>, start: StartLink, seq: u64, place: SeqPlace) -> u8 {
    out.clear();
    match start {
        StartLink::None | StartLink::Prev => {}
        StartLink::Id(id) => out.extend_from_slice(id.as_bytes()),
        StartLink::Ref(p) => out.extend_from_slice(&p.to_le_bytes()),
    }
    start.flags()
        | match place {
            SeqPlace::Run => 0,
            SeqPlace::Zero => SEQ_ZERO,
            SeqPlace::Wide => {
                out.extend_from_slice(&seq.to_le_bytes());
                SEQ_WIDE
            }
        }
}

/// Bytes of a wide emission number in front of a blob.
pub(crate) const SEQ_BYTES: usize = 8;

pub(super) const B_DURATION: u8 = 1;
pub(super) const B_INPUTS: u8 = 2;
pub(super) const B_OUTPUTS: u8 = 4;
pub(super) const B_COUNT: u8 = 8;
pub(super) const B_ERROR: u8 = 16;
pub(super) const B_FIELDS: u8 = 32;
pub(super) const B_PAYLOAD_UNKNOWN: u8 = 64;
pub(super) const B_EVENT_UNKNOWN: u8 = 128;

/// Appends what a record does not hold itself to `out` (after [`begin_blob`]). Appends
/// nothing when there is nothing to keep, the common case for end events of names only.
#[inline]
pub(crate) fn encode_blob(
    payload: &Payload,
    duration_ns: Option<u64>,
    error: Option<&str>,
    unknown: &RawMembers,
    symbols: &mut Symbols,
    out: &mut Vec<u8>,
) {
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
        put_fields(&payload.extra, symbols, out);
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
    out.put_all(s.as_bytes());
}

/// What a blob holds, decoded.
#[derive(Debug, Default)]
pub(crate) struct Decoded {
    pub duration_ns: Option<u64>,
    pub error: Option<String>,
    /// The event's unknown top-level members.
    pub unknown: RawMembers,
}

/// Fills `payload` (whose names the caller has set) from a blob past its start id
/// (`EventStore::payload_bytes`); returns the rest.
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
        let mut keys = FieldKeys::read(&mut r, symbols);
        while let Some(key) = keys.next(&mut r) {
            let key = symbols.get(key).to_cow();
            let tag = r.bytes[r.at];
            if tag == V_JSON_SYM || tag == V_JSON_PIECE {
                r.byte();
                let text = SharedText::read(tag, &mut r, symbols).text();
                payload.extra.push_unique(key, json_value(&text));
                continue;
            }
            match r.value_after(tag) {
                Some(value) => payload.extra.push_unique(key, value),
                None => {
                    r.byte();
                    payload.extra.push_unique_raw(key, raw(r.text()));
                }
            }
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
