//! # OTLP JSON traces
//!
//! OpenTelemetry's JSON encoding of `TracesData`: `resourceSpans[].scopeSpans[].spans[]`
//! (the older `instrumentationLibrarySpans` too). The collector's file exporter writes JSON
//! Lines, one `TracesData` per line; a single, possibly pretty-printed document is read too.
//!
//! Each span becomes an operation, two events: a start at `startTimeUnixNano` and an end at
//! `endTimeUnixNano` (`completed`, or `failed` when `status.code` is 2 /
//! `STATUS_CODE_ERROR`, with the status message as the error). A span with no end time (or
//! 0) never finished and has only its start. Span events become point events under their
//! span. `parentSpanId` becomes `parent_id`; root and lineage follow the parent links.
//!
//! - Ids are hex (32 digits for a trace, 16 for a span) and map to uuids deterministically:
//!   the span id in the high half, the low half of the trace id in the low half. So the same
//!   file always gives the same ids, and a span's parent (same trace) maps the same way.
//! - Times are strings or numbers of nanoseconds since the Unix epoch.
//! - Attribute values of every type (`stringValue`, `boolValue`, `intValue` as a string or a
//!   number, `doubleValue`, `bytesValue` (kept as its base64 text), `arrayValue`,
//!   `kvlistValue`, nested) become plain JSON in `payload.extra["attributes"]`; the resource,
//!   the scope, the raw ids, the span kind, status, links and trace state go to
//!   `payload.extra["otel"]`, so nothing is dropped.
//!
//! ## Where things are
//! - `wire`: the document's shape, as serde reads it (unknown fields ignored).
//! - `scalars`: the forgiving scalars (ints as strings or numbers, enum names or numbers),
//!   built on `serde_with` rather than hand-written visitors; it says why the OpenTelemetry
//!   project's own types do not fit.
//! - `ids`: hex trace and span ids.
//! - `fast`: a span read in one pass from its text, serde (`wire`) as the exact fallback.
//! - `span`: what a span becomes (events, uuids, `otel` extras); `json_text`: its
//!   `attributes` and `otel` written as the JSON text the store keeps.
//! - `link`: roots for spans whose parent comes later, holding only what linking needs;
//!   `leftovers`: its end-of-input pass, in slices.
//! - `by_span`: a single document read span by span (the scanner cuts it at the span);
//!   `window`: the spans that wait for their element's `schemaUrl` (or a late `resource`
//!   or `scope`).
//! - `proto`: protobuf requests through the same conversion; `direct` and `proto_json`: the
//!   listener's path from protobuf straight to the store's prepared events.
//! - Here: the `Reader` that the streaming importer feeds record by record; it parses,
//!   converts and hands over one span at a time.

mod by_span;
#[cfg(not(target_arch = "wasm32"))]
pub(crate) mod direct;
mod fast;
mod ids;
mod json_text;
mod leftovers;
mod link;
mod origin;
#[cfg(not(target_arch = "wasm32"))]
pub(crate) mod proto;
#[cfg(not(target_arch = "wasm32"))]
mod proto_json;
mod scalars;
mod span;
mod span_events;
mod window;
mod wire;

use serde_json::value::RawValue;
use serde_json::{json, Value};

use super::error::{ImportError, Position, Problem};
use super::read;
use super::scan::{Entry, Place};
use super::stream::output::Output;
use super::{Format, Imported};
use crate::core::Event;
use crate::model::sink::EventSink;
use link::Linker;
use origin::{Origin, Written};
use span::Converted;
use span_events::SpanEvents;
use wire::{attributes, ResourceSpans, Span, TracesData};

/// Reads OTLP JSON.
pub fn import(bytes: &[u8]) -> Result<Imported, ImportError> {
    super::import_as(Format::Otlp, bytes)
}

/// Where an OTLP import's events stand among events of the same time: a span's start and
/// its span events before any end, so a span that ends as another starts reads as ending
/// first only when it does. Events go to the sink as their spans are read (file order);
/// [`Imported`] puts them in time order with this as the tie-break, the order this
/// importer always gave.
pub(crate) fn rank(e: &Event) -> u8 {
    u8::from(e.start_id.is_some())
}

/// Reads the records of an OTLP input (see the module docs), span by span: each span is
/// parsed, converted and handed to the sink as soon as its root is known ([`link`]), and
/// the budgets are checked at every event, so a document of a million spans is stopped at
/// the span that crosses a budget, not after it was read whole.
#[derive(Default)]
pub(crate) struct Reader {
    /// Records are `resourceSpans` elements (a single document) rather than whole
    /// `TracesData` (JSON Lines).
    by_resource: bool,
    linker: Linker,
    /// A document cut at the span: the element being read, and spans waiting for it.
    element: Option<by_span::Element>,
    window: window::Window,
    /// The last span's attributes' list, emptied, for the next span to read its own into
    /// (see `fast::span_prefix`).
    spare_attributes: Vec<wire::KeyValue>,
}

impl Reader {
    pub(crate) fn new(by_resource: bool) -> Reader {
        Reader {
            by_resource,
            ..Reader::default()
        }
    }

    pub(crate) fn record<S: EventSink>(
        &mut self,
        record: &Entry<'_>,
        out: &mut Output<S>,
    ) -> Result<(), ImportError> {
        if record.place != Place::Record {
            return self.place(record, out);
        }
        let (resource_spans, first) = if self.by_resource {
            let prefix = || format!("resourceSpans[{}]", record.index);
            let one = read::parse_record::<ResourceSpans>(Format::Otlp, record, prefix)?;
            (vec![one], record.index)
        } else {
            let doc = read::parse_record::<TracesData>(Format::Otlp, record, String::new)?;
            (doc.resource_spans, 0)
        };
        for (r, rs) in resource_spans.into_iter().enumerate() {
            self.resource(rs, first + r, record, out)?;
        }
        Ok(())
    }

    /// The spans of one `resourceSpans` element, one at a time.
    fn resource<S: EventSink>(
        &mut self,
        rs: ResourceSpans<'_>,
        r: usize,
        record: &Entry<'_>,
        out: &mut Output<S>,
    ) -> Result<(), ImportError> {
        let resource = rs.resource.map(|r| Value::Object(attributes(r.attributes)));
        for (s, ss) in rs.scope_spans.into_iter().enumerate() {
            let scope = ss.scope.map(scope_value);
            let written = Written::new(resource.as_ref(), scope.as_ref(), rs.schema_url.as_deref());
            let origin = written.origin();
            for (k, raw) in ss.spans.into_iter().enumerate() {
                let path = || format!("resourceSpans[{r}].scopeSpans[{s}].spans[{k}]");
                let one = parse_span(raw, record, path)?;
                self.span(one, &origin, raw, record, out)?;
            }
        }
        Ok(())
    }

    /// Converts one span and hands its events over (now, or when its parent comes).
    fn span<S: EventSink>(
        &mut self,
        one: Span,
        origin: &Origin<'_>,
        raw: &RawValue,
        record: &Entry<'_>,
        out: &mut Output<S>,
    ) -> Result<(), ImportError> {
        let Some(events) = span_events(one, origin, &mut out.notes) else {
            return Ok(());
        };
        let added = self.linker.add(events, &mut |e| out.push(e));
        let held = added.and_then(|()| out.hold(self.linker.held()));
        // Only on the error path: where this span starts (counting lines is linear).
        held.map_err(|e| at_span(e, raw, record))
    }

    /// The end of the input: the spans whose parent never came, linked among themselves
    /// and handed over in slices of `budget` events (see [`link`]). Returns whether it is
    /// done; [`Reader::finish`] runs it to the end.
    pub(crate) fn finish_step<S: EventSink>(
        &mut self,
        budget: usize,
        out: &mut Output<S>,
    ) -> Result<bool, ImportError> {
        // Spans still waiting (the last element's, or one that never closed: the input
        // was cut), in slices too.
        if !self.drain(budget, out)? {
            return Ok(false);
        }
        // Room in the sink for what is left, before the first of it (see `Output::reserve`).
        out.reserve(self.linker.events_to_hand_over() as u64, 1);
        let done = self.linker.step(budget, &mut |e| out.push(e))?;
        out.hold(if done { 0 } else { self.linker.held() })?;
        Ok(done)
    }

    /// How far the end-of-input pass has got, 0 to 1.
    pub(crate) fn finish_fraction(&self) -> f64 {
        self.linker.fraction()
    }
}

/// Parses one span from its text; on failure, parses it again for the error's field path
/// (after `path`) and absolute position.
fn parse_span(
    raw: &RawValue,
    record: &Entry<'_>,
    path: impl FnOnce() -> String,
) -> Result<Span, ImportError> {
    if let Some(span) = fast::span(raw.get()) {
        return Ok(span);
    }
    if let Ok(span) = read::from_str_deep(raw.get()) {
        return Ok(span);
    }
    let at = span_position(raw, record);
    let sub = Entry {
        text: raw.get(),
        at,
        index: record.index,
        cut: false,
        len: raw.get().len(),
        place: Place::Record,
    };
    read::parse_record::<Span>(Format::Otlp, &sub, path)
}

/// Where the span `raw` (a slice of `record`'s text) starts in the input.
fn span_position(raw: &RawValue, record: &Entry<'_>) -> Position {
    let offset = read::offset_in(record.text, raw.get());
    Position::of_byte(record.text.as_bytes(), offset).shifted(record.at)
}

/// A budget error met while handing over the events of span `raw`, placed at that span
/// (the record it is in may hold a million spans).
fn at_span(mut e: ImportError, raw: &RawValue, record: &Entry<'_>) -> ImportError {
    if matches!(e.problem, Problem::OverBudget { .. }) {
        e.at = Some(span_position(raw, record));
    }
    e
}

/// One `resourceSpans` element as the protobuf decoder ([`proto`]) hands it over: the
/// resource and each scope with its spans, already decoded (the JSON reader instead parses
/// each span from its text as it goes).
#[cfg(all(test, not(target_arch = "wasm32")))]
struct DecodedResource {
    resource: Option<wire::Resource>,
    schema_url: Option<String>,
    scopes: Vec<(Option<wire::Scope>, Vec<Span>)>,
}

/// Every span of one request, converted (see [`span`]) and linked among themselves (see
/// [`link`]), in time order: the protobuf decoder's path through the conversion the JSON
/// reader uses, so a span means the same whichever encoding carried it.
#[cfg(all(test, not(target_arch = "wasm32")))]
fn convert_decoded(resources: Vec<DecodedResource>, notes: &mut Vec<String>) -> Vec<Event> {
    let mut linker = Linker::default();
    let mut linked: Vec<Event> = Vec::new();
    let mut ready = |e: Event| -> Result<(), std::convert::Infallible> {
        linked.push(e);
        Ok(())
    };
    for rs in resources {
        let resource = rs.resource.map(|r| Value::Object(attributes(r.attributes)));
        for (scope, spans) in rs.scopes {
            let scope = scope.map(scope_value);
            let written = Written::new(resource.as_ref(), scope.as_ref(), rs.schema_url.as_deref());
            let origin = written.origin();
            for one in spans {
                if let Some(span) = span_events(one, &origin, notes) {
                    let Ok(()) = linker.add(span, &mut ready);
                }
            }
        }
    }
    let Ok(_) = linker.step(usize::MAX, &mut ready);
    linked.sort_by_key(|e| (e.timestamp_ns, u8::from(e.start_id.is_some())));
    linked
}

/// What a span's events carry of its instrumentation scope.
fn scope_value(s: wire::Scope) -> Value {
    json!({
        "name": s.name,
        "version": s.version,
        "attributes": attributes(s.attributes),
    })
}

/// One span's events (see [`span`]) as the linker takes them; `None` for a span that gave
/// no event.
fn span_events(one: Span, origin: &Origin<'_>, notes: &mut Vec<String>) -> Option<SpanEvents> {
    let mut events = Vec::with_capacity(2 + one.events.len());
    span::convert(
        one,
        origin,
        Converted {
            events: &mut events,
            notes,
        },
    );
    let first = events.first()?;
    Some(SpanEvents {
        id: first.id,
        parent: first.parent_id,
        events,
    })
}
