//! # Writing OTLP JSON
//!
//! OpenTelemetry's JSON encoding of `TracesData` (`resourceSpans[].scopeSpans[].spans[]`), the
//! document an OpenTelemetry collector, Jaeger or Tempo accepts over OTLP/HTTP and that
//! [`otlp`](super::otlp) reads back. This is how a lineage trace leaves one machine.
//!
//! ## What becomes what
//! - Every operation (a start event and its end, paired by [`Spans`]) is one span: `name` is
//!   the operation's label (process name, else kind), `startTimeUnixNano` and
//!   `endTimeUnixNano` are its start and end events' times as decimal strings (the spec's JSON
//!   mapping of 64-bit integers), `kind` is `SPAN_KIND_INTERNAL`.
//! - Outcome: failed and timed-out operations get `status.code` 2 (`STATUS_CODE_ERROR`) with
//!   the error as the message; the others leave the status unset, as OpenTelemetry asks of
//!   instrumentation. The exact outcome (`completed`, `cancelled`, ...) is the attribute
//!   `lineage.status`.
//! - An operation that never finished has no `endTimeUnixNano` (the proto default, 0), which
//!   our importer reads as "never finished". An end event whose start is missing becomes a
//!   span that starts `duration_ns` before it.
//! - A point event (phase pending, progress, ...) under an operation is a span event of that
//!   operation's span. A point event with no operation above it, or with events below it, has
//!   no span to sit in and becomes a span of zero length (attribute `lineage.point`).
//! - Ids: `traceId` is the lineage id (32 hex digits), `spanId` 16 hex digits folded from the
//!   start event's uuid, `parentSpanId` the parent operation's span id. A trace that came from
//!   OTLP keeps its original ids (the importer's `otel.trace_id` / `otel.span_id`). Span ids
//!   are unique within each trace and never zero: a collision is re-mixed deterministically,
//!   so the same events always give the same document.
//! - Attributes: the event header under `lineage.` (`kind`, `status`, `event_id`,
//!   `end_event_id`, `end_kind`, `parent_id`, `root_id`, `lineage_id`), then every payload
//!   field under its own name (`process_name`, `function_name`, `input_entity_ids`, ..., and
//!   each free-form field); end-event payload fields that differ from the start's are
//!   prefixed `end.`. Attributes an OTLP import kept (`payload.extra["attributes"]`) go back
//!   out as attributes. JSON values map to `AnyValue`s: strings, booleans, integers
//!   (`intValue`, as a string), floats (`doubleValue`), arrays (`arrayValue`), objects
//!   (`kvlistValue`); `null` is an empty `AnyValue`, and an integer beyond `i64` is written as
//!   its decimal string.
//! - Times are written as the events carry them. Events of a live bus count from the bus
//!   clock's origin, not from the Unix epoch, so a backend shows them near 1970; traces read
//!   from OTLP or other tools keep their own epoch times.
//!
//! ## Where things are
//! - Here: the document, span by span ([`traces_data`]).
//! - `attributes`: event headers and payload fields as OTLP attributes, JSON as `AnyValue`s.
//! - `ids`: trace and span ids, kept from an OTLP import or derived, unique per trace.
//!
//! ```
//! use lineage::core::{Event, Phase};
//!
//! let start = Event::root("processing", Phase::Started);
//! let doc = lineage::trace::otlp_export::export(std::slice::from_ref(&start));
//! let back = lineage::trace::import(doc.as_bytes(), None).unwrap();
//! assert_eq!(back.events.len(), 1); // a span that never finished: its start only
//! ```

mod attributes;
mod ids;

use serde_json::{json, Map, Value};

use crate::core::Event;
use crate::inspect::{Spans, Status, Trace};
use attributes::{key_value, point_attributes, span_attributes};
use ids::{fold, hex, Ids};

/// `SPAN_KIND_INTERNAL`: an operation inside the application, neither side of a remote call.
const SPAN_KIND_INTERNAL: u8 = 1;
/// `STATUS_CODE_ERROR`.
const STATUS_CODE_ERROR: u8 = 2;
/// The instrumentation scope and service every exported span is reported under.
const SCOPE_NAME: &str = "lineage";

/// Writes `events` as one OTLP JSON `TracesData` document.
pub fn export(events: &[Event]) -> String {
    let doc = traces_data(events);
    // A `Value` built from strings, integers and finite floats always serialises.
    serde_json::to_string(&doc).expect("an OTLP document always serialises")
}

/// The `TracesData` object for `events` (see the module docs for the mapping).
pub fn traces_data(events: &[Event]) -> Value {
    let trace = Trace::new(events.to_vec());
    let spans = Spans::build(&trace);
    // The trace keeps the events in the order given: index i is `events[i]`.
    let ids = Ids::assign(events, &spans);
    let mut out: Vec<Value> = Vec::with_capacity(spans.len());
    let mut out_index: Vec<Option<usize>> = vec![None; spans.len()];
    for (s, slot) in out_index.iter_mut().enumerate() {
        if let Some(span) = span_object(events, &spans, &ids, s) {
            *slot = Some(out.len());
            out.push(span);
        }
    }
    attach_point_events(events, &spans, &ids, &out_index, &mut out);
    json!({
        "resourceSpans": [{
            "resource": {
                "attributes": [key_value("service.name", &json!(SCOPE_NAME))],
            },
            "scopeSpans": [{
                "scope": {"name": SCOPE_NAME, "version": env!("CARGO_PKG_VERSION")},
                "spans": out,
            }],
        }],
    })
}

/// Span `s` as an OTLP span object; `None` if it is a point event that sits in its
/// operation's span instead.
fn span_object(events: &[Event], spans: &Spans, ids: &Ids, s: usize) -> Option<Value> {
    let span_id = ids.span[s]?;
    let span = &spans.spans[s];
    let first = &events[span.start];
    let end = span.end.map(|e| &events[e]);
    let parent_span_id = match span.parent {
        Some(p) => ids.span[p],
        // An orphan keeps a link to the parent it names, though it is not in the trace.
        None => first.parent_id.map(fold),
    };
    let (start_ns, end_ns) = times(span.status, first);
    let end_ns = end.map_or(end_ns, |e| Some(e.timestamp_ns.max(start_ns)));
    let mut o = Map::new();
    o.insert("traceId".into(), json!(hex(&ids.trace[s])));
    o.insert("spanId".into(), json!(hex(&span_id)));
    if let Some(p) = parent_span_id {
        o.insert("parentSpanId".into(), json!(hex(&p)));
    }
    o.insert("name".into(), json!(first.label()));
    o.insert("kind".into(), json!(SPAN_KIND_INTERNAL));
    o.insert("startTimeUnixNano".into(), json!(start_ns.to_string()));
    if let Some(end_ns) = end_ns {
        o.insert("endTimeUnixNano".into(), json!(end_ns.to_string()));
    }
    o.insert(
        "attributes".into(),
        span_attributes(span.status, first, end).into_json(),
    );
    o.insert("events".into(), Value::Array(Vec::new()));
    if let Some(status) = status_of(span.status, first, end) {
        o.insert("status".into(), status);
    }
    Some(Value::Object(o))
}

/// Point events into their operation's span (`out_index`: where each span went in `out`),
/// in trace order.
fn attach_point_events(
    events: &[Event],
    spans: &Spans,
    ids: &Ids,
    out_index: &[Option<usize>],
    out: &mut [Value],
) {
    for (s, span) in spans.spans.iter().enumerate() {
        if ids.span[s].is_some() {
            continue;
        }
        let Some(host) = span.parent.and_then(|p| out_index[p]) else {
            continue;
        };
        let e = &events[span.start];
        let ev = json!({
            "timeUnixNano": e.timestamp_ns.to_string(),
            "name": e.label(),
            "attributes": point_attributes(e).into_json(),
        });
        if let Some(Value::Array(list)) = out[host].get_mut("events") {
            list.push(ev);
        }
    }
}

/// Start and end time of a span from its first event: an end whose start is missing reaches
/// back by its duration; an unfinished operation has no end; a point has zero length.
fn times(status: Status, first: &Event) -> (u64, Option<u64>) {
    let t = first.timestamp_ns;
    match status {
        Status::EndOnly => (t.saturating_sub(first.duration_ns.unwrap_or(0)), Some(t)),
        Status::Unfinished => (t, None),
        _ => (t, Some(t)),
    }
}

/// `status` for failed and timed-out operations (code 2 and the error); `None` (unset) else.
fn status_of(status: Status, first: &Event, end: Option<&Event>) -> Option<Value> {
    if !matches!(status, Status::Failed | Status::TimedOut) {
        return None;
    }
    let closing = end.unwrap_or(first);
    let message = closing
        .error
        .clone()
        .unwrap_or_else(|| status.as_str().to_owned());
    Some(json!({"code": STATUS_CODE_ERROR, "message": message}))
}
