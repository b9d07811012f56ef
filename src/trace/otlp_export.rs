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
//! ```
//! use lineage::core::{Event, Phase};
//!
//! let start = Event::root("processing", Phase::Started);
//! let doc = lineage::trace::otlp_export::export(std::slice::from_ref(&start));
//! let back = lineage::trace::import(doc.as_bytes(), None).unwrap();
//! assert_eq!(back.events.len(), 1); // a span that never finished: its start only
//! ```

use std::collections::HashSet;

use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::core::ids::IdMap;
use crate::core::{Event, Payload};
use crate::inspect::{Spans, Status, Trace};

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
    let evs = events;
    let as_event = |s: usize| {
        let span = &spans.spans[s];
        span.status == Status::Point
            && span.children.is_empty()
            && span
                .parent
                .is_some_and(|p| spans.spans[p].status != Status::Point)
    };

    // Ids first, so a parent's span id is known whatever the order of spans.
    let mut ids = SpanIds::default();
    let mut span_ids: Vec<Option<[u8; 8]>> = vec![None; spans.len()];
    let mut trace_ids: Vec<[u8; 16]> = Vec::with_capacity(spans.len());
    for (s, span) in spans.spans.iter().enumerate() {
        let first = &evs[span.start];
        let trace_id = trace_id_of(first);
        trace_ids.push(trace_id);
        if !as_event(s) {
            span_ids[s] = Some(ids.assign(trace_id, first));
        }
    }

    let mut out: Vec<Value> = Vec::with_capacity(spans.len());
    let mut out_index: Vec<Option<usize>> = vec![None; spans.len()];
    for (s, span) in spans.spans.iter().enumerate() {
        let Some(span_id) = span_ids[s] else {
            continue;
        };
        let first = &evs[span.start];
        let end = span.end.map(|e| &evs[e]);
        let parent_span_id = match span.parent {
            Some(p) => span_ids[p],
            // An orphan keeps a link to the parent it names, though it is not in the trace.
            None => first.parent_id.map(fold),
        };
        let (start_ns, end_ns) = times(span.status, first);
        let end_ns = end.map_or(end_ns, |e| Some(e.timestamp_ns.max(start_ns)));
        let mut o = Map::new();
        o.insert("traceId".into(), json!(hex(&trace_ids[s])));
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
        out_index[s] = Some(out.len());
        out.push(Value::Object(o));
    }
    // Point events into their operation's span, in trace order.
    for (s, span) in spans.spans.iter().enumerate() {
        if span_ids[s].is_some() {
            continue;
        }
        let Some(host) = span.parent.and_then(|p| out_index[p]) else {
            continue;
        };
        let e = &evs[span.start];
        let mut attrs = Attributes::default();
        attrs.header("lineage.kind", json!(e.kind));
        attrs.header("lineage.phase", json!(e.phase));
        attrs.header("lineage.event_id", json!(e.id));
        if let Some(err) = &e.error {
            attrs.header("lineage.error", json!(err));
        }
        attrs.payload(&e.payload, "");
        let ev = json!({
            "timeUnixNano": e.timestamp_ns.to_string(),
            "name": e.label(),
            "attributes": attrs.into_json(),
        });
        if let Some(Value::Array(list)) = out[host].get_mut("events") {
            list.push(ev);
        }
    }
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

fn span_attributes(status: Status, first: &Event, end: Option<&Event>) -> Attributes {
    let mut attrs = Attributes::default();
    attrs.header("lineage.kind", json!(first.kind));
    attrs.header("lineage.status", json!(status.as_str()));
    if status == Status::Point {
        attrs.header("lineage.point", json!(true));
        attrs.header("lineage.phase", json!(first.phase));
    }
    attrs.header("lineage.event_id", json!(first.id));
    if let Some(e) = end {
        attrs.header("lineage.end_event_id", json!(e.id));
        attrs.header("lineage.end_kind", json!(e.kind));
    }
    if let Some(p) = first.parent_id {
        attrs.header("lineage.parent_id", json!(p));
    }
    attrs.header("lineage.root_id", json!(first.root_id));
    attrs.header("lineage.lineage_id", json!(first.lineage_id));
    // The error of an outcome that is not an OTLP error (cancelled) is kept here; failures
    // carry theirs as the status message.
    let error = end.and_then(|e| e.error.as_ref()).or(first.error.as_ref());
    if let (Some(err), false) = (error, matches!(status, Status::Failed | Status::TimedOut)) {
        attrs.header("lineage.error", json!(err));
    }
    attrs.payload(&first.payload, "");
    if let Some(e) = end {
        let start_fields = payload_fields(&first.payload);
        let end_fields: Map<String, Value> = payload_fields(&e.payload)
            .into_iter()
            .filter(|(k, v)| start_fields.get(k) != Some(v))
            .collect();
        attrs.fields(end_fields, "end.");
    }
    attrs
}

/// A payload as one flat JSON object: the typed fields, then the free-form ones.
fn payload_fields(p: &Payload) -> Map<String, Value> {
    let mut out = match serde_json::to_value(p) {
        Ok(Value::Object(o)) => o,
        _ => Map::new(),
    };
    if let Some(Value::Object(extra)) = out.remove("extra") {
        for (k, v) in extra {
            out.entry(k).or_insert(v);
        }
    }
    out
}

/// A span's or event's attribute list; the first value of a key wins, so the header written
/// first cannot be overwritten by a payload field of the same name.
#[derive(Default)]
struct Attributes {
    list: Vec<Value>,
    seen: HashSet<String>,
}

impl Attributes {
    fn header(&mut self, key: &str, value: Value) {
        self.push(key.to_owned(), &value);
    }

    fn push(&mut self, key: String, value: &Value) {
        if self.seen.insert(key.clone()) {
            self.list.push(key_value(&key, value));
        }
    }

    /// The payload's fields; the attributes an OTLP import kept (`extra["attributes"]`) are
    /// unwrapped back into attributes, and its `otel` bookkeeping (ids, resource) is not a
    /// field of the span.
    fn payload(&mut self, p: &Payload, prefix: &str) {
        self.fields(payload_fields(p), prefix);
    }

    fn fields(&mut self, mut fields: Map<String, Value>, prefix: &str) {
        let imported = fields.contains_key("otel");
        if imported {
            fields.remove("otel");
            if let Some(Value::Object(attrs)) = fields.remove("attributes") {
                for (k, v) in attrs {
                    self.push(format!("{prefix}{k}"), &v);
                }
            }
        }
        for (k, v) in fields {
            self.push(format!("{prefix}{k}"), &v);
        }
    }

    fn into_json(self) -> Value {
        Value::Array(self.list)
    }
}

fn key_value(key: &str, value: &Value) -> Value {
    json!({"key": key, "value": any_value(value)})
}

/// A JSON value as an OTLP `AnyValue`.
fn any_value(v: &Value) -> Value {
    match v {
        Value::Null => json!({}),
        Value::Bool(b) => json!({"boolValue": b}),
        Value::String(s) => json!({"stringValue": s}),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => json!({"intValue": i.to_string()}),
            // Beyond i64: an OTLP int cannot hold it and a double would round it.
            (None, Some(u)) => json!({"stringValue": u.to_string()}),
            (None, None) => json!({"doubleValue": n.as_f64().unwrap_or(0.0)}),
        },
        Value::Array(a) => {
            json!({"arrayValue": {"values": a.iter().map(any_value).collect::<Vec<_>>()}})
        }
        Value::Object(o) => json!({"kvlistValue": {"values": o
            .iter()
            .map(|(k, v)| key_value(k, v))
            .collect::<Vec<_>>()}}),
    }
}

/// The trace id: the one an OTLP import kept, else the lineage id (never all zeros, which
/// OTLP reserves for "no trace").
fn trace_id_of(e: &Event) -> [u8; 16] {
    let kept = otel_hex(e, "trace_id", 32).and_then(|s| u128::from_str_radix(s, 16).ok());
    let id = match kept.unwrap_or(e.lineage_id.as_u128()) {
        0 => !0,
        id => id,
    };
    id.to_be_bytes()
}

/// The span id an OTLP import kept, if it is one (not zero).
fn kept_span_id(e: &Event) -> Option<[u8; 8]> {
    let s = otel_hex(e, "span_id", 16)?;
    let id = u64::from_str_radix(s, 16).ok()?;
    (id != 0).then(|| id.to_be_bytes())
}

/// A hex id of `digits` digits the OTLP importer kept in `payload.extra["otel"][key]`.
fn otel_hex<'a>(e: &'a Event, key: &str, digits: usize) -> Option<&'a str> {
    let s = e.payload.extra.get("otel")?.get(key)?.as_str()?;
    (s.len() == digits && s.bytes().all(|b| b.is_ascii_hexdigit())).then_some(s)
}

/// A uuid folded to 64 bits: both halves count, so ids that share one half (derived ids of
/// other importers share their high half) still differ.
fn fold(id: Uuid) -> [u8; 8] {
    let (hi, lo) = id.as_u64_pair();
    (hi ^ lo.rotate_left(32)).to_be_bytes()
}

/// Span ids handed out so far, per trace.
#[derive(Default)]
struct SpanIds {
    used: IdMap<HashSet<[u8; 8]>>,
}

impl SpanIds {
    /// A span id for `e` in `trace`: the one an OTLP import kept, else the folded uuid,
    /// re-mixed (splitmix64) until it is unique in the trace and not zero.
    fn assign(&mut self, trace: [u8; 16], e: &Event) -> [u8; 8] {
        let used = self.used.entry(Uuid::from_bytes(trace)).or_default();
        let mut id = kept_span_id(e).unwrap_or_else(|| fold(e.id));
        while id == [0; 8] || used.contains(&id) {
            id = splitmix64(u64::from_be_bytes(id)).to_be_bytes();
        }
        used.insert(id);
        id
    }
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::core::Phase;

    #[test]
    fn colliding_span_ids_are_remixed_and_zero_is_never_used() {
        let mut ids = SpanIds::default();
        let trace = [1; 16];
        let mut e = Event::root("processing", Phase::Started);
        e.id = Uuid::nil(); // folds to zero
        let a = ids.assign(trace, &e);
        let b = ids.assign(trace, &e); // same uuid again: a collision
        assert_ne!(a, [0; 8]);
        assert_ne!(a, b);
        // Another trace has its own ids: the same event gets the same id there.
        assert_eq!(ids.assign([2; 16], &e), a);
    }

    #[test]
    fn json_values_become_any_values_of_their_type() {
        assert_eq!(any_value(&json!(-3)), json!({"intValue": "-3"}));
        assert_eq!(
            any_value(&json!(u64::MAX)),
            json!({"stringValue": u64::MAX.to_string()})
        );
        assert_eq!(any_value(&json!(0.5)), json!({"doubleValue": 0.5}));
        assert_eq!(any_value(&Value::Null), json!({}));
        assert_eq!(
            any_value(&json!({"a": [true]})),
            json!({"kvlistValue": {"values": [{"key": "a", "value":
                {"arrayValue": {"values": [{"boolValue": true}]}}}]}})
        );
    }
}
