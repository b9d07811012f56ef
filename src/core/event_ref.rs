//! # An event still borrowed from the text it was read from
//!
//! An import reads a line, builds an [`Event`] and hands it to the event store, which interns
//! its strings, encodes its payload into the arena and drops it: every string of the event
//! (its kind, the process and function names, each field's key and text) is allocated and
//! freed once for nothing. An [`EventRef`] is the same event with its strings borrowed from
//! the line, for the common shape of event lineage writes (payload fields that are strings,
//! booleans, `null` or 64-bit integers, or object fields as JSON text; no members it does
//! not model). The store encodes it
//! directly (`EventStore::encode_ref`); any other sink takes [`EventRef::into_event`], the
//! owned event serde would have read from the same line.

use uuid::Uuid;

use super::event::EntityIds;
use super::{Event, JsonRef, Kind, Payload, Phase};

/// An event whose strings borrow from the text it was read from; see the module docs.
#[derive(Clone, Debug, PartialEq)]
pub struct EventRef<'a> {
    /// The event's id ([`Event::id`]).
    pub id: Uuid,
    /// Its kind, as written in the line.
    pub kind: &'a str,
    /// Its phase.
    pub phase: Phase,
    /// The start event of the operation it ran inside, if any.
    pub parent_id: Option<Uuid>,
    /// The start event of its tree's root operation.
    pub root_id: Uuid,
    /// Its tree's lineage.
    pub lineage_id: Uuid,
    /// For an end event, the start it ends.
    pub start_id: Option<Uuid>,
    /// Its emission number on the bus that wrote it.
    pub seq: u64,
    /// When it was created, in nanoseconds of its clock.
    pub timestamp_ns: u64,
    /// For an end event, the operation's duration in nanoseconds.
    pub duration_ns: Option<u64>,
    /// For a failed end, the error's text.
    pub error: Option<&'a str>,
    /// The payload's process name.
    pub process_name: Option<&'a str>,
    /// The payload's function name.
    pub function_name: Option<&'a str>,
    /// The payload's input entity ids.
    pub input_entity_ids: EntityIds,
    /// The payload's output entity ids.
    pub output_entity_ids: EntityIds,
    /// The payload's entity count, when written.
    pub entity_count: Option<u32>,
    /// The payload's `extra` fields in the order read, keys unique.
    pub extra: smallvec::SmallVec<[(&'a str, ScalarRef<'a>); 4]>,
    /// More `extra` fields, after those, given as JSON text (an OTLP span's `attributes`
    /// and `otel`; see [`JsonRef`]); keys unique among all of `extra`'s.
    pub json: &'a [(&'static str, JsonRef<'a>)],
}

/// A payload field's value a `serde_json::Value` holds exactly, borrowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarRef<'a> {
    /// JSON `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A non-negative integer.
    UInt(u64),
    /// A negative integer.
    Neg(i64),
    /// A string without escapes, borrowed from the line.
    Str(&'a str),
}

impl ScalarRef<'_> {
    /// The `Value` serde_json reads for it.
    pub fn to_value(self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            ScalarRef::Null => Value::Null,
            ScalarRef::Bool(b) => Value::Bool(b),
            ScalarRef::UInt(n) => Value::from(n),
            ScalarRef::Neg(n) => Value::from(n),
            ScalarRef::Str(s) => Value::String(s.to_owned()),
        }
    }
}

impl EventRef<'_> {
    /// The owned event, built as serde builds it from the same text (the same values, and
    /// collections grown the same way, so even the heap estimate agrees).
    pub fn into_event(self) -> Event {
        let owned = |s: &str| Kind::Owned(s.to_owned());
        let mut payload = Payload {
            process_name: self.process_name.map(owned),
            function_name: self.function_name.map(owned),
            input_entity_ids: self.input_entity_ids,
            output_entity_ids: self.output_entity_ids,
            entity_count: self.entity_count,
            ..Payload::default()
        };
        for &(key, value) in &self.extra {
            payload.extra.push_unique(owned(key), value.to_value());
        }
        for &(key, value) in self.json {
            payload.extra.put(key, value);
        }
        Event {
            id: self.id,
            kind: owned(self.kind),
            phase: self.phase,
            parent_id: self.parent_id,
            root_id: self.root_id,
            lineage_id: self.lineage_id,
            start_id: self.start_id,
            seq: self.seq,
            timestamp_ns: self.timestamp_ns,
            duration_ns: self.duration_ns,
            error: self.error.map(str::to_owned),
            payload,
            unknown: Default::default(),
        }
    }
}
