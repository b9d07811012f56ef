//! # A span becomes events
//!
//! Each span is an operation: a start event at `startTimeUnixNano` and, if the span ended
//! (an end time other than 0), an end event, `failed` with the status message when the
//! status code is 2. Span events become point events under the span. What has no place in
//! an [`Event`] (the ids as written, kind, resource, scope, links, status...) goes to
//! `payload.extra["otel"]`, so nothing is dropped.
//!
//! Ids map to uuids deterministically: the span id in the high half, the low half of the
//! trace id in the low half. So the same file always gives the same ids, and a span's parent
//! (same trace) maps the same way.

use uuid::Uuid;

use super::ids::hex;
use super::json_text::{member, write_attributes, write_hex, write_json, write_kind, OpenExtra};
use super::origin::Origin;
use super::scalars::StatusCode;
use super::wire::{KeyValue, Span, SpanEvent};
use crate::core::event::EntityIds;
use crate::core::{Event, EventRef, Fields, JsonRef, Payload, Phase};

/// Where the converted events go: the span's start, its span events and its end, in that
/// order; and notes for the user.
pub(super) struct Converted<'a> {
    pub events: &'a mut Vec<Event>,
    pub notes: &'a mut Vec<String>,
}

/// Converts one span; see the module docs.
pub(super) fn convert(span: Span, origin: &Origin<'_>, out: Converted<'_>) {
    let (parts, extra) = convert_parts(span, origin, out.notes, &mut Vec::new());
    parts.into_events(extra.into_fields(), out.events);
}

/// Converts one span but hands back its start's `payload.extra` (with the `otel` object in
/// it, open) apart from what its events are built from: a span read before its element's
/// last word (a `schemaUrl` after the spans) waits as these two, to be completed then
/// ([`super::window`]).
pub(super) fn convert_open(
    span: Span,
    origin: &Origin<'_>,
    notes: &mut Vec<String>,
    spare: &mut Vec<KeyValue>,
) -> (Parts, OpenExtra) {
    convert_parts(span, origin, notes, spare)
}

/// What a span's events are built from, without its start's `payload.extra`: a waiting
/// span ([`super::window`]) holds this (~100 bytes and its name) rather than its two
/// 504-byte [`Event`]s. Held as events, the window's 8 192 spans were ~12 MB touched
/// twice, once when read and once when let go: a document without `schemaUrl` (every
/// span waits) took 15 % more CPU time than the same with it (`lineage bench
/// --import-case`, 2026-12-07).
pub(super) struct Parts {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    start_ns: u64,
    /// The end's time, if the span ended.
    end_ns: Option<u64>,
    name: String,
    /// The end's error, for a failed span.
    failed: Option<String>,
    span_events: Vec<SpanEvent>,
}

impl Parts {
    /// Events this span gives: its start, its span events, its end.
    pub(super) fn event_count(&self) -> usize {
        1 + self.span_events.len() + usize::from(self.end_ns.is_some())
    }

    /// What its owned parts hold on the heap, about (for a waiting span's budget).
    pub(super) fn heap_bytes(&self) -> usize {
        self.name.capacity()
            + self.failed.as_ref().map_or(0, String::capacity)
            + self.span_events.len() * (std::mem::size_of::<Event>() + 64)
    }

    /// Whether it has span events (which are handed over as owned events).
    pub(super) fn has_span_events(&self) -> bool {
        !self.span_events.is_empty()
    }

    /// Its events, the start carrying `extra`, handed to `push` borrowed from these parts
    /// (the event store encodes them where they lie), under the root `root_id` and its
    /// lineage: the events [`Parts::into_events`] builds once their root is set, without
    /// an owned [`Event`] each (its name copied, its fields encoded into a payload, copied
    /// again into the store and freed: ~1 200 instructions an event, 2026-12-07). For a
    /// span without span events ([`Parts::has_span_events`]).
    pub(super) fn push_borrowed<X>(
        &self,
        extra: &OpenExtra,
        (root_id, lineage_id): (Uuid, Uuid),
        push: &mut impl FnMut(&EventRef<'_>) -> Result<(), X>,
    ) -> Result<(), X> {
        debug_assert!(
            self.span_events.is_empty(),
            "span events go as owned events"
        );
        let json = extra.json();
        let mut event = EventRef {
            id: self.id,
            kind: "span",
            phase: Phase::Started,
            parent_id: self.parent_id,
            root_id,
            lineage_id,
            start_id: None,
            seq: 0,
            timestamp_ns: self.start_ns,
            duration_ns: None,
            error: None,
            process_name: Some(&self.name),
            function_name: None,
            input_entity_ids: EntityIds::new(),
            output_entity_ids: EntityIds::new(),
            entity_count: None,
            extra: smallvec::SmallVec::new(),
            json: &json,
        };
        push(&event)?;
        let Some(end_ns) = self.end_ns else {
            return Ok(()); // never finished
        };
        event.id = end_uuid(self.id);
        event.phase = match self.failed {
            Some(_) => Phase::Failed,
            None => Phase::Completed,
        };
        event.start_id = Some(self.id);
        event.timestamp_ns = end_ns;
        event.duration_ns = Some(end_ns - self.start_ns);
        event.error = self.failed.as_deref();
        event.json = &[];
        push(&event)
    }

    /// Its events, the start carrying `extra`, appended to `events`.
    pub(super) fn into_events(self, extra: Fields, events: &mut Vec<Event>) {
        let Parts {
            id,
            parent_id,
            start_ns,
            end_ns,
            name,
            failed,
            span_events,
        } = self;
        let Some(end_ns) = end_ns else {
            // Never finished: its start (and span events) only.
            let mut start = operation_event(id, parent_id, start_ns, name);
            start.payload.extra = extra;
            events.push(start);
            for (k, ev) in span_events.into_iter().enumerate() {
                events.push(point_event(id, k, ev));
            }
            return;
        };
        let mut start = operation_event(id, parent_id, start_ns, name.clone());
        start.payload.extra = extra;
        events.push(start);
        for (k, ev) in span_events.into_iter().enumerate() {
            events.push(point_event(id, k, ev));
        }
        let mut end = operation_event(end_uuid(id), parent_id, end_ns, name);
        end.root_id = id;
        end.lineage_id = id;
        end.start_id = Some(id);
        end.duration_ns = Some(end_ns - start_ns);
        match failed {
            Some(error) => {
                end.phase = Phase::Failed;
                end.error = Some(error);
            }
            None => end.phase = Phase::Completed,
        }
        events.push(end);
    }
}

/// Converts `span`; its attributes' list goes back emptied into `spare`, its room kept for
/// the next span's (`fast::span_prefix`).
fn convert_parts(
    mut span: Span,
    origin: &Origin<'_>,
    notes: &mut Vec<String>,
    spare: &mut Vec<KeyValue>,
) -> (Parts, OpenExtra) {
    let trace = span.trace_id.0;
    let id = span_uuid(span.span_id.0, trace);
    let parent = span.parent_span_id.as_ref().and_then(|p| p.0);
    let parent_id = parent.map(|p| span_uuid(p, trace));
    let (code, message) = span.status.take().map_or((0, None), |s| {
        (s.code.map_or(0, StatusCode::number), s.message)
    });
    let extra = otel(&mut span, parent, origin, code, &message);
    *spare = std::mem::take(&mut span.attributes);
    let start_ns = span.start_time_unix_nano.0;
    let end_ns = match span.end_time_unix_nano {
        Some(end) if end.0 != 0 => Some(end.0),
        _ => None, // never finished
    };
    let end_ns = end_ns.map(|end_ns| {
        if end_ns < start_ns {
            notes.push(format!(
                "span {} ({}) ends before it starts; read as lasting 0 ns",
                hex(&span.span_id.0),
                span.name
            ));
            start_ns
        } else {
            end_ns
        }
    });
    let failed = (code == 2).then(|| message.unwrap_or_else(|| "error status".to_owned()));
    let parts = Parts {
        id,
        parent_id,
        start_ns,
        end_ns,
        name: span.name,
        failed,
        span_events: span.events,
    };
    (parts, extra)
}

/// A span's start (and, adjusted by the caller, its end): phase `started`, its own root and
/// lineage until `link_roots` follows the parent links.
fn operation_event(id: Uuid, parent_id: Option<Uuid>, at_ns: u64, name: String) -> Event {
    Event {
        id,
        kind: "span".into(),
        phase: Phase::Started,
        parent_id,
        root_id: id,
        lineage_id: id,
        start_id: None,
        seq: 0,
        timestamp_ns: at_ns,
        duration_ns: None,
        error: None,
        payload: Payload {
            process_name: Some(name.into()),
            ..Payload::default()
        },
        unknown: Default::default(),
    }
}

/// The `k`th span event of the span whose start is `span`.
fn point_event(span: Uuid, k: usize, mut ev: SpanEvent) -> Event {
    let mut extra = Fields::default();
    if !ev.attributes.is_empty() {
        let mut text = Vec::new();
        write_attributes(&mut text, &mut ev.attributes);
        extra.put("attributes", JsonRef::Whole(&text));
    }
    Event {
        id: point_uuid(span, k),
        kind: "span_event".into(),
        phase: Phase::Progress,
        parent_id: Some(span),
        root_id: span,
        lineage_id: span,
        start_id: None,
        seq: 0,
        timestamp_ns: ev.time_unix_nano.0,
        duration_ns: None,
        error: None,
        payload: Payload {
            process_name: Some(ev.name.into()),
            extra,
            ..Payload::default()
        },
        unknown: Default::default(),
    }
}

/// `payload.extra`: the span's attributes, and `otel`, what OTLP says of the span that an
/// [`Event`] has no field for (written as the JSON text of those objects, see
/// [`super::json_text`]; the origin's members as far as `origin` knows them).
fn otel(
    span: &mut Span,
    parent: Option<[u8; 8]>,
    origin: &Origin<'_>,
    code: u8,
    message: &Option<String>,
) -> OpenExtra {
    let extra = OpenExtra::new(&mut span.attributes, |out| {
        if let Some(f) = span.flags {
            member(out, "flags");
            write_json(out, &f);
        }
        if let Some(k) = &span.kind {
            member(out, "kind");
            write_kind(out, k);
        }
        if !span.links.is_empty() {
            member(out, "links");
            write_json(out, &span.links);
        }
        if let Some(p) = &parent {
            member(out, "parent_span_id");
            write_hex(out, p);
        }
    });
    extra.tail(origin, |out| {
        member(out, "span_id");
        write_hex(out, &span.span_id.0);
        if code != 0 || message.is_some() {
            member(out, "status");
            out.extend_from_slice(b"{\"code\":");
            write_json(out, &code);
            out.extend_from_slice(b",\"message\":");
            write_json(out, message);
            out.push(b'}');
        }
        member(out, "trace_id");
        write_hex(out, &span.trace_id.0);
        if let Some(ts) = span.trace_state.as_deref().filter(|s| !s.is_empty()) {
            member(out, "trace_state");
            write_json(out, ts);
        }
    })
}

/// The uuid of a span: its id in the high half, the trace id's low half in the low half.
pub(super) fn span_uuid(span: [u8; 8], trace: [u8; 16]) -> Uuid {
    let low = u64::from_be_bytes(trace[8..].try_into().unwrap_or_default());
    Uuid::from_u64_pair(u64::from_be_bytes(span), low)
}

/// The uuid of a span's end event (its start's with the low half inverted).
pub(super) fn end_uuid(start: Uuid) -> Uuid {
    let (hi, lo) = start.as_u64_pair();
    Uuid::from_u64_pair(hi, !lo)
}

/// The uuid of a span's `k`th span event.
pub(super) fn point_uuid(start: Uuid, k: usize) -> Uuid {
    let (hi, lo) = start.as_u64_pair();
    let salt = (k as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    Uuid::from_u64_pair(hi ^ salt, lo.rotate_left(32))
}
