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
//! - Here: the document, written span by span from the events as the page holds them
//!   ([`write_log`]: an `EventLog` and its `Spans`) or from a list of events ([`write`](fn@write)),
//!   one writer over both (`trace::source`).
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

use std::io::{self, Write};

use serde_json::{json, Map, Value};

use crate::core::Event;
use crate::model::EventLog;
use crate::model::Spans;
use crate::model::Status;
use crate::trace::source::EventSource;
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
    let mut out = Vec::new();
    write(events, &mut out).expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// Writes `events` as one OTLP JSON `TracesData` document to `out`: for callers that hold a
/// list of events (`lineage convert`). They are paired into [`Spans`] through an [`EventLog`]
/// (the compact store, filled by reference, dropped before writing), then written from the
/// list as [`write_log`] writes a store.
pub fn write(events: &[Event], out: &mut impl Write) -> io::Result<()> {
    let spans = Spans::build(&EventLog::from_events(events));
    write_from(events, &spans, out)
}

/// Writes the events of `log` as one OTLP JSON `TracesData` document to `out`, one span at a
/// time. `spans` are `log`'s own (as [`Spans::build`] or the page's inspection made them). The
/// ids and which span events go where are worked out first (a few words per span), then each
/// span's events are decoded from the store, built, written and dropped: neither the document
/// as one tree of JSON values (about 26 KB an event) nor a `Vec<Event>` of the trace exists.
pub fn write_log(log: &EventLog, spans: &Spans, out: &mut impl Write) -> io::Result<()> {
    write_from(log, spans, out)
}

/// Writes the events of `src` with their `spans` (see [`write_log`]).
fn write_from<S: EventSource + ?Sized>(
    src: &S,
    spans: &Spans,
    out: &mut impl Write,
) -> io::Result<()> {
    let doc = Document::new(src, spans);
    // The envelope with its keys in the order serde_json writes an object's (sorted), as
    // [`traces_data`] gives it.
    let envelope = envelope(Vec::new());
    let text = serde_json::to_string(&envelope).map_err(io::Error::other)?;
    let (head, tail) = text.split_at(text.find("[]").unwrap_or(text.len()));
    out.write_all(head.as_bytes())?;
    out.write_all(b"[")?;
    let mut first = true;
    for s in 0..spans.len() {
        if let Some(span) = doc.span(s) {
            if !std::mem::take(&mut first) {
                out.write_all(b",")?;
            }
            serde_json::to_writer(&mut *out, &span).map_err(io::Error::other)?;
        }
    }
    out.write_all(b"]")?;
    out.write_all(tail.get(2..).unwrap_or_default().as_bytes())
}

/// The `TracesData` object for `events` (see the module docs for the mapping), as one JSON
/// value; [`write`](fn@write) writes the same document without building it.
pub fn traces_data(events: &[Event]) -> Value {
    let spans = Spans::build(&EventLog::from_events(events));
    let doc = Document::new(events, &spans);
    let spans = (0..spans.len()).filter_map(|s| doc.span(s)).collect();
    envelope(spans)
}

/// The resource and scope around `spans`.
fn envelope(spans: Vec<Value>) -> Value {
    json!({
        "resourceSpans": [{
            "resource": {
                "attributes": [key_value("service.name", &json!(SCOPE_NAME))],
            },
            "scopeSpans": [{
                "scope": {"name": SCOPE_NAME, "version": env!("CARGO_PKG_VERSION")},
                "spans": spans,
            }],
        }],
    })
}

/// What writing a span needs: the events, their spans, ids, and each span's span events.
struct Document<'a, S: EventSource + ?Sized> {
    src: &'a S,
    spans: &'a Spans,
    ids: Ids,
    /// The point events that are span events, as (host span, point span), by host then in
    /// trace order: a span's span events are one run of this list.
    points: Vec<(usize, usize)>,
}

impl<'a, S: EventSource + ?Sized> Document<'a, S> {
    fn new(src: &'a S, spans: &'a Spans) -> Document<'a, S> {
        let ids = Ids::assign(src, spans);
        let mut points: Vec<(usize, usize)> = spans
            .spans
            .iter()
            .enumerate()
            .filter(|&(s, _)| ids.span[s].is_none())
            .filter_map(|(s, span)| {
                span.parent
                    .filter(|&p| ids.span[p].is_some())
                    .map(|p| (p, s))
            })
            .collect();
        points.sort_unstable();
        Document {
            src,
            spans,
            ids,
            points,
        }
    }

    /// Span `s` with its span events; `None` if it is itself a span event.
    fn span(&self, s: usize) -> Option<Value> {
        let mut span = span_object(self.src, self.spans, &self.ids, s)?;
        let from = self.points.partition_point(|&(h, _)| h < s);
        let list: Vec<Value> = self.points[from..]
            .iter()
            .take_while(|&&(h, _)| h == s)
            .map(|&(_, p)| span_event(&self.src.event(self.spans.spans[p].start)))
            .collect();
        span["events"] = Value::Array(list);
        Some(span)
    }
}

/// Span `s` as an OTLP span object; `None` if it is a point event that sits in its
/// operation's span instead.
fn span_object<S: EventSource + ?Sized>(
    src: &S,
    spans: &Spans,
    ids: &Ids,
    s: usize,
) -> Option<Value> {
    let span_id = ids.span[s]?;
    let span = &spans.spans[s];
    let first = &*src.event(span.start);
    let end = span.end.map(|e| src.event(e));
    let end = end.as_deref();
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

/// A point event as a span event of its operation's span.
fn span_event(e: &Event) -> Value {
    json!({
        "timeUnixNano": e.timestamp_ns.to_string(),
        "name": e.label(),
        "attributes": point_attributes(e).into_json(),
    })
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
