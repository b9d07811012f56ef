//! # A stream's events as read, until they are stored
//!
//! The compact stream writes a message's ids, names and payloads once and refers to them
//! by number ([`super::compact`]). The page read each line into an owned [`Event`]: a payload
//! repeated in the message was cloned per event (its `Fields`, each key and value
//! allocated), each name made a fresh `String`, and the store then encoded that copy and
//! dropped it. Natively that was 17 000 instructions an event, two thirds of it decoding
//! (`examples/live_cost.rs`, docs/live-page.md).
//!
//! A [`LiveEvent`] read from a compact line is its header (ids, phase, numbers) and three
//! numbers into its message's tables ([`Wire`]: the message's text, its strings, its
//! payloads), shared by every event of the message. A payload lineage writes (names, entity
//! ids, scalar `extra` fields) is read once per message, by the purpose-built NDJSON reader,
//! into places in the message's text; storing an event borrows it from there
//! ([`EventLog::push_ref`]), so nothing is allocated per event on the way in. A payload
//! that reader leaves to serde (an OTLP span's `attributes` object) is read by serde once per
//! message and stored from the table too. An NDJSON line (an older listener, or an event
//! with members the compact form does not carry) stays an owned [`Event`].
//!
//! An event the page holds back for a while (waiting for its parent, [`super::reorder`])
//! is made owned first ([`Incoming::to_hold`]): a held event must not keep its whole
//! message's text alive.

use std::rc::Rc;

use smallvec::SmallVec;
use uuid::Uuid;

use crate::core::event::EntityIds;
use crate::core::store::{Header, ParentHint};
use crate::core::{Event, EventRef, Kind, Payload, Phase, ScalarRef};
use crate::model::EventLog;

/// Bytes `start..end` of a message's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    start: usize,
    end: usize,
}

impl Span {
    /// Where `part`, a slice of `text`, lies in it.
    pub(crate) fn of(text: &str, part: &str) -> Span {
        let start = part.as_ptr() as usize - text.as_ptr() as usize;
        debug_assert!(start + part.len() <= text.len(), "a slice of the text");
        Span {
            start,
            end: start + part.len(),
        }
    }
}

/// A payload `extra` value, its string in the message's text.
#[derive(Clone, Copy, Debug, PartialEq)]
enum ScalarAt {
    Null,
    Bool(bool),
    UInt(u64),
    Neg(i64),
    Str(Span),
}

/// A payload as lineage writes it, read once per message, its strings left in the text.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FastPayload {
    process: Option<Span>,
    function: Option<Span>,
    inputs: EntityIds,
    outputs: EntityIds,
    count: Option<u32>,
    extra: SmallVec<[(Span, ScalarAt); 4]>,
}

impl FastPayload {
    /// The payload members of `read` (the purpose-built reader's, borrowed from `text`).
    pub(crate) fn of(text: &str, read: EventRef<'_>) -> FastPayload {
        // The line reader gives scalar fields only (`EventRef::json` is an OTLP span's).
        debug_assert!(
            read.json.is_empty(),
            "a lineage line has no JSON-text fields"
        );
        let at = |s: &str| Span::of(text, s);
        FastPayload {
            process: read.process_name.map(at),
            function: read.function_name.map(at),
            inputs: read.input_entity_ids,
            outputs: read.output_entity_ids,
            count: read.entity_count,
            extra: read
                .extra
                .iter()
                .map(|&(k, v)| {
                    let v = match v {
                        ScalarRef::Null => ScalarAt::Null,
                        ScalarRef::Bool(b) => ScalarAt::Bool(b),
                        ScalarRef::UInt(n) => ScalarAt::UInt(n),
                        ScalarRef::Neg(n) => ScalarAt::Neg(n),
                        ScalarRef::Str(s) => ScalarAt::Str(at(s)),
                    };
                    (at(k), v)
                })
                .collect(),
        }
    }
}

/// A payload of a message's table.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum PayloadAt {
    /// Read by the purpose-built reader, its strings in the text.
    Fast(FastPayload),
    /// Read by serde (anything else a payload may hold).
    Owned(Payload),
}

/// One compact message's text and tables, shared by its events; see the module docs.
#[derive(Debug, Default, PartialEq)]
pub struct Wire {
    pub(crate) text: String,
    pub(crate) strings: Vec<Kind>,
    pub(crate) payloads: Vec<PayloadAt>,
}

/// An event's header as its compact line gives it, its names and payload as numbers into
/// its message's tables.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Line {
    pub(crate) id: Uuid,
    pub(crate) parent_id: Option<Uuid>,
    pub(crate) root_id: Uuid,
    pub(crate) lineage_id: Uuid,
    pub(crate) start_id: Option<Uuid>,
    pub(crate) phase: Phase,
    pub(crate) seq: u64,
    pub(crate) timestamp_ns: u64,
    pub(crate) duration_ns: Option<u64>,
    pub(crate) kind: u32,
    pub(crate) error: Option<u32>,
    pub(crate) payload: u32,
}

impl Wire {
    fn str(&self, s: Span) -> &str {
        &self.text[s.start..s.end]
    }

    /// `line` as the store's borrowed form, if its payload is one the fast reader read.
    fn event_ref(&self, line: &Line) -> Option<EventRef<'_>> {
        let PayloadAt::Fast(p) = &self.payloads[line.payload as usize] else {
            return None;
        };
        Some(EventRef {
            id: line.id,
            kind: &self.strings[line.kind as usize],
            phase: line.phase,
            parent_id: line.parent_id,
            root_id: line.root_id,
            lineage_id: line.lineage_id,
            start_id: line.start_id,
            seq: line.seq,
            timestamp_ns: line.timestamp_ns,
            duration_ns: line.duration_ns,
            error: line.error.map(|e| &*self.strings[e as usize]),
            process_name: p.process.map(|s| self.str(s)),
            function_name: p.function.map(|s| self.str(s)),
            input_entity_ids: p.inputs.clone(),
            output_entity_ids: p.outputs.clone(),
            entity_count: p.count,
            extra: p
                .extra
                .iter()
                .map(|&(k, v)| {
                    let v = match v {
                        ScalarAt::Null => ScalarRef::Null,
                        ScalarAt::Bool(b) => ScalarRef::Bool(b),
                        ScalarAt::UInt(n) => ScalarRef::UInt(n),
                        ScalarAt::Neg(n) => ScalarRef::Neg(n),
                        ScalarAt::Str(s) => ScalarRef::Str(self.str(s)),
                    };
                    (self.str(k), v)
                })
                .collect(),
            json: &[],
        })
    }

    /// Stores `line` into `trace`, borrowing its names and payload from the tables.
    fn push(&self, line: &Line, trace: &mut EventLog) -> usize {
        if let Some(e) = self.event_ref(line) {
            return trace.push_ref(&e);
        }
        let PayloadAt::Owned(payload) = &self.payloads[line.payload as usize] else {
            unreachable!("a fast payload has its borrowed form");
        };
        let header = Header {
            id: line.id,
            kind: &self.strings[line.kind as usize],
            phase: line.phase,
            parent_id: line.parent_id,
            root_id: line.root_id,
            lineage_id: line.lineage_id,
            start_id: line.start_id,
            seq: line.seq,
            timestamp_ns: line.timestamp_ns,
            duration_ns: line.duration_ns,
            error: line.error.map(|e| &*self.strings[e as usize]),
            parent_hint: ParentHint::NONE,
            start_hint: ParentHint::NONE,
        };
        trace.push_header(&header, payload)
    }

    /// `line` as an owned event.
    pub(crate) fn event(&self, line: &Line) -> Event {
        if let Some(e) = self.event_ref(line) {
            return e.into_event();
        }
        let PayloadAt::Owned(payload) = &self.payloads[line.payload as usize] else {
            unreachable!("a fast payload has its borrowed form");
        };
        Event {
            id: line.id,
            kind: self.strings[line.kind as usize].clone(),
            phase: line.phase,
            parent_id: line.parent_id,
            root_id: line.root_id,
            lineage_id: line.lineage_id,
            start_id: line.start_id,
            seq: line.seq,
            timestamp_ns: line.timestamp_ns,
            duration_ns: line.duration_ns,
            error: line.error.map(|e| self.strings[e as usize].to_string()),
            payload: payload.clone(),
            unknown: Default::default(),
        }
    }
}

/// An event received and not stored yet; see the module docs.
#[derive(Clone, Debug)]
pub enum LiveEvent {
    /// Read from a compact line: its header, and its message's tables.
    Compact(Rc<Wire>, CompactLine),
    /// Read from an NDJSON line, or made owned to be held.
    Owned(Box<Event>),
}

/// A compact line's header ([`LiveEvent::Compact`]); opaque outside this module's readers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CompactLine(pub(crate) Line);

/// What the page's live path asks of an event before it is stored: its links (to hold it
/// until they are in, [`super::reorder`]; to check it, `Scrub::append`), and how to store
/// it. A [`LiveEvent`] as read, or an owned [`Event`] (the tests, the replay).
pub trait Incoming: Sized {
    fn id(&self) -> Uuid;
    fn parent_id(&self) -> Option<Uuid>;
    fn start_id(&self) -> Option<Uuid>;
    /// The same event, to be held for a while: holding nothing else alive.
    fn to_hold(self) -> Self;
    /// Stores the event at the end of `trace`; returns its index.
    fn push_to(&self, trace: &mut EventLog) -> usize;
}

impl Incoming for Event {
    fn id(&self) -> Uuid {
        self.id
    }
    fn parent_id(&self) -> Option<Uuid> {
        self.parent_id
    }
    fn start_id(&self) -> Option<Uuid> {
        self.start_id
    }
    fn to_hold(self) -> Event {
        self
    }
    fn push_to(&self, trace: &mut EventLog) -> usize {
        trace.push(self)
    }
}

impl Incoming for LiveEvent {
    fn id(&self) -> Uuid {
        match self {
            LiveEvent::Compact(_, l) => l.0.id,
            LiveEvent::Owned(e) => e.id,
        }
    }

    fn parent_id(&self) -> Option<Uuid> {
        match self {
            LiveEvent::Compact(_, l) => l.0.parent_id,
            LiveEvent::Owned(e) => e.parent_id,
        }
    }

    fn start_id(&self) -> Option<Uuid> {
        match self {
            LiveEvent::Compact(_, l) => l.0.start_id,
            LiveEvent::Owned(e) => e.start_id,
        }
    }

    /// Owned: a held event must not keep its whole message's text and tables alive.
    fn to_hold(self) -> LiveEvent {
        match self {
            LiveEvent::Compact(w, l) => LiveEvent::Owned(Box::new(w.event(&l.0))),
            owned => owned,
        }
    }

    fn push_to(&self, trace: &mut EventLog) -> usize {
        match self {
            LiveEvent::Compact(w, l) => w.push(&l.0, trace),
            LiveEvent::Owned(e) => trace.push(e),
        }
    }
}

impl LiveEvent {
    /// The event, owned (what serde would have read from its NDJSON line).
    pub fn to_event(&self) -> Event {
        match self {
            LiveEvent::Compact(w, l) => w.event(&l.0),
            LiveEvent::Owned(e) => (**e).clone(),
        }
    }
}

impl From<Event> for LiveEvent {
    fn from(e: Event) -> LiveEvent {
        LiveEvent::Owned(Box::new(e))
    }
}

impl PartialEq for LiveEvent {
    fn eq(&self, other: &LiveEvent) -> bool {
        self.to_event() == other.to_event()
    }
}

impl PartialEq<Event> for LiveEvent {
    fn eq(&self, other: &Event) -> bool {
        match self {
            LiveEvent::Owned(e) => **e == *other,
            compact => compact.to_event() == *other,
        }
    }
}
