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

use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::ids::hex;
use super::scalars::StatusCode;
use super::wire::{attributes, Span, SpanEvent};
use crate::core::{Event, Payload, Phase};

/// What the spans of one `scopeSpans` share, already as JSON.
pub(super) struct Origin<'a> {
    pub resource: Option<&'a Value>,
    pub scope: Option<&'a Value>,
    pub schema_url: Option<&'a str>,
}

/// Where the converted events go: the span's start, its span events and its end, in that
/// order; and notes for the user.
pub(super) struct Converted<'a> {
    pub events: &'a mut Vec<Event>,
    pub notes: &'a mut Vec<String>,
}

/// Converts one span; see the module docs.
pub(super) fn convert(span: Span, origin: &Origin<'_>, out: Converted<'_>) {
    convert_parts(span, origin, out, false);
}

/// Converts one span but hands back its start's `payload.extra` (with the `otel` object in
/// it) instead of setting it: a span read before its element's last word (a `schemaUrl`
/// after the spans) waits with it, to be completed then ([`super::window`]).
pub(super) fn convert_open(
    span: Span,
    origin: &Origin<'_>,
    out: Converted<'_>,
) -> Map<String, Value> {
    convert_parts(span, origin, out, true).unwrap_or_default()
}

fn convert_parts(
    mut span: Span,
    origin: &Origin<'_>,
    out: Converted<'_>,
    open: bool,
) -> Option<Map<String, Value>> {
    let trace = span.trace_id.0;
    let id = span_uuid(span.span_id.0, trace);
    let parent_id = span
        .parent_span_id
        .as_ref()
        .and_then(|p| p.0)
        .map(|p| span_uuid(p, trace));
    let (code, message) = span.status.take().map_or((0, None), |s| {
        (s.code.map_or(0, StatusCode::number), s.message)
    });
    let mut extra = Map::new();
    extra.insert(
        "otel".into(),
        Value::Object(otel(&mut span, parent_id, origin, code, &message)),
    );
    if !span.attributes.is_empty() {
        extra.insert(
            "attributes".into(),
            Value::Object(attributes(span.attributes)),
        );
    }
    let start_ns = span.start_time_unix_nano.0;
    let mut start = operation_event(id, parent_id, start_ns, span.name.clone());
    let kept = if open {
        Some(extra)
    } else {
        start.payload.extra = extra.into();
        None
    };
    out.events.push(start);
    for (k, ev) in span.events.into_iter().enumerate() {
        out.events.push(point_event(id, k, ev));
    }
    let end_ns = match span.end_time_unix_nano {
        Some(end) if end.0 != 0 => end.0,
        _ => return kept, // never finished
    };
    let end_ns = if end_ns < start_ns {
        out.notes.push(format!(
            "span {} ({}) ends before it starts; read as lasting 0 ns",
            hex(&span.span_id.0),
            span.name
        ));
        start_ns
    } else {
        end_ns
    };
    let mut end = operation_event(end_uuid(id), parent_id, end_ns, span.name);
    end.root_id = id;
    end.lineage_id = id;
    end.start_id = Some(id);
    end.duration_ns = Some(end_ns - start_ns);
    if code == 2 {
        end.phase = Phase::Failed;
        end.error = Some(message.unwrap_or_else(|| "error status".to_owned()));
    } else {
        end.phase = Phase::Completed;
    }
    out.events.push(end);
    kept
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
fn point_event(span: Uuid, k: usize, ev: SpanEvent) -> Event {
    let mut extra = Map::new();
    if !ev.attributes.is_empty() {
        extra.insert(
            "attributes".into(),
            Value::Object(attributes(ev.attributes)),
        );
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
            extra: extra.into(),
            ..Payload::default()
        },
        unknown: Default::default(),
    }
}

/// `payload.extra["otel"]`: what OTLP says of the span that an [`Event`] has no field for.
fn otel(
    span: &mut Span,
    parent_id: Option<Uuid>,
    origin: &Origin<'_>,
    code: u8,
    message: &Option<String>,
) -> Map<String, Value> {
    let mut otel = Map::new();
    otel.insert("trace_id".into(), json!(hex(&span.trace_id.0)));
    otel.insert("span_id".into(), json!(hex(&span.span_id.0)));
    if let Some(p) = parent_id {
        let (hi, _) = p.as_u64_pair();
        otel.insert("parent_span_id".into(), json!(hex(&hi.to_be_bytes())));
    }
    if let Some(k) = &span.kind {
        otel.insert("kind".into(), kind_name(k));
    }
    if let Some(r) = origin.resource {
        otel.insert("resource".into(), r.clone());
    }
    if let Some(s) = origin.scope {
        otel.insert("scope".into(), s.clone());
    }
    if let Some(u) = origin.schema_url {
        otel.insert("schema_url".into(), json!(u));
    }
    if !span.links.is_empty() {
        otel.insert(
            "links".into(),
            Value::Array(std::mem::take(&mut span.links)),
        );
    }
    if let Some(ts) = span.trace_state.take().filter(|s| !s.is_empty()) {
        otel.insert("trace_state".into(), json!(ts));
    }
    if let Some(f) = span.flags {
        otel.insert("flags".into(), json!(f));
    }
    if code != 0 || message.is_some() {
        otel.insert("status".into(), json!({"code": code, "message": message}));
    }
    otel
}

/// Span kinds by number, as the spec names them.
pub(super) const KIND_NAMES: [&str; 6] = [
    "SPAN_KIND_UNSPECIFIED",
    "SPAN_KIND_INTERNAL",
    "SPAN_KIND_SERVER",
    "SPAN_KIND_CLIENT",
    "SPAN_KIND_PRODUCER",
    "SPAN_KIND_CONSUMER",
];

/// Span kinds by number, as the spec names them.
pub(super) fn kind_name(kind: &Value) -> Value {
    match kind.as_u64() {
        Some(n) if (n as usize) < KIND_NAMES.len() => Value::from(KIND_NAMES[n as usize]),
        _ => kind.clone(),
    }
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
