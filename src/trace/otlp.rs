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

use serde::de::{self, Deserializer, Unexpected, Visitor};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::error::ImportError;
use super::read;
use super::scan::Record;
use super::sink::{heap_bytes, EventSink};
use super::stream::Output;
use super::{link_roots, Format, Imported};
use crate::core::{Event, Payload, Phase};

/// Reads OTLP JSON.
pub fn import(bytes: &[u8]) -> Result<Imported, ImportError> {
    super::import_as(Format::Otlp, bytes)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TracesData {
    #[serde(default)]
    resource_spans: Vec<ResourceSpans>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResourceSpans {
    #[serde(default)]
    resource: Option<Resource>,
    #[serde(default, alias = "instrumentationLibrarySpans")]
    scope_spans: Vec<ScopeSpans>,
    #[serde(default)]
    schema_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Resource {
    #[serde(default)]
    attributes: Vec<KeyValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScopeSpans {
    #[serde(default, alias = "instrumentationLibrary")]
    scope: Option<Scope>,
    #[serde(default)]
    spans: Vec<Span>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Scope {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    attributes: Vec<KeyValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Span {
    trace_id: Hex<16>,
    span_id: Hex<8>,
    #[serde(default)]
    parent_span_id: Option<ParentId>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: Option<Value>,
    start_time_unix_nano: Nanos,
    #[serde(default)]
    end_time_unix_nano: Option<Nanos>,
    #[serde(default)]
    attributes: Vec<KeyValue>,
    #[serde(default)]
    events: Vec<SpanEvent>,
    #[serde(default)]
    links: Vec<Value>,
    #[serde(default)]
    status: Option<Status>,
    #[serde(default)]
    trace_state: Option<String>,
    #[serde(default)]
    flags: Option<u32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpanEvent {
    time_unix_nano: Nanos,
    #[serde(default)]
    name: String,
    #[serde(default)]
    attributes: Vec<KeyValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Status {
    #[serde(default)]
    code: Option<StatusCode>,
    #[serde(default)]
    message: Option<String>,
}

#[derive(Deserialize)]
struct KeyValue {
    key: String,
    #[serde(default)]
    value: Option<AnyValue>,
}

/// OTLP's `AnyValue`: exactly one of its fields is set (none: an empty value).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AnyValue {
    #[serde(default)]
    string_value: Option<String>,
    #[serde(default)]
    bool_value: Option<bool>,
    #[serde(default)]
    int_value: Option<IntValue>,
    #[serde(default)]
    double_value: Option<DoubleValue>,
    #[serde(default)]
    bytes_value: Option<String>,
    #[serde(default)]
    array_value: Option<ArrayValue>,
    #[serde(default)]
    kvlist_value: Option<KvList>,
}

#[derive(Deserialize)]
struct ArrayValue {
    #[serde(default)]
    values: Vec<AnyValue>,
}

#[derive(Deserialize)]
struct KvList {
    #[serde(default)]
    values: Vec<KeyValue>,
}

impl AnyValue {
    fn into_json(self) -> Value {
        if let Some(s) = self.string_value {
            Value::String(s)
        } else if let Some(b) = self.bool_value {
            Value::Bool(b)
        } else if let Some(IntValue(i)) = self.int_value {
            Value::from(i)
        } else if let Some(d) = self.double_value {
            d.0
        } else if let Some(b) = self.bytes_value {
            Value::String(b)
        } else if let Some(a) = self.array_value {
            Value::Array(a.values.into_iter().map(AnyValue::into_json).collect())
        } else if let Some(kv) = self.kvlist_value {
            Value::Object(attributes(kv.values))
        } else {
            Value::Null
        }
    }
}

fn attributes(kvs: Vec<KeyValue>) -> Map<String, Value> {
    kvs.into_iter()
        .map(|kv| (kv.key, kv.value.map_or(Value::Null, AnyValue::into_json)))
        .collect()
}

/// `intValue`: a decimal string (the spec's JSON mapping of int64) or a number.
struct IntValue(i64);

impl<'de> Deserialize<'de> for IntValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = IntValue;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a 64-bit integer as a string or a number")
            }
            fn visit_i64<E>(self, v: i64) -> Result<IntValue, E> {
                Ok(IntValue(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<IntValue, E> {
                i64::try_from(v)
                    .map(IntValue)
                    .map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<IntValue, E> {
                v.trim()
                    .parse()
                    .map(IntValue)
                    .map_err(|_| E::invalid_value(Unexpected::Str(v), &self))
            }
        }
        d.deserialize_any(V)
    }
}

/// `doubleValue`: a number, or one of the strings `NaN`, `Infinity`, `-Infinity` (kept as
/// strings: JSON numbers cannot hold them).
struct DoubleValue(Value);

impl<'de> Deserialize<'de> for DoubleValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = DoubleValue;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number, or \"NaN\", \"Infinity\" or \"-Infinity\"")
            }
            fn visit_f64<E>(self, v: f64) -> Result<DoubleValue, E> {
                Ok(DoubleValue(Value::from(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<DoubleValue, E> {
                Ok(DoubleValue(Value::from(v as f64)))
            }
            fn visit_u64<E>(self, v: u64) -> Result<DoubleValue, E> {
                Ok(DoubleValue(Value::from(v as f64)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DoubleValue, E> {
                match v {
                    "NaN" | "Infinity" | "-Infinity" => Ok(DoubleValue(Value::from(v))),
                    _ => v
                        .parse::<f64>()
                        .ok()
                        .filter(|x| x.is_finite())
                        .map(|x| DoubleValue(Value::from(x)))
                        .ok_or_else(|| E::invalid_value(Unexpected::Str(v), &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// Nanoseconds since the epoch: a decimal string or a number.
#[derive(Clone, Copy)]
struct Nanos(u64);

impl<'de> Deserialize<'de> for Nanos {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Nanos;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("nanoseconds since the Unix epoch, as a string or a number")
            }
            fn visit_u64<E>(self, v: u64) -> Result<Nanos, E> {
                Ok(Nanos(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Nanos, E> {
                u64::try_from(v)
                    .map(Nanos)
                    .map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Nanos, E> {
                if (0.0..1.8e19).contains(&v) {
                    Ok(Nanos(v as u64))
                } else {
                    Err(E::invalid_value(Unexpected::Float(v), &self))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Nanos, E> {
                v.trim()
                    .parse()
                    .map(Nanos)
                    .map_err(|_| E::invalid_value(Unexpected::Str(v), &self))
            }
        }
        d.deserialize_any(V)
    }
}

/// A hex id of `N` bytes (`2N` hex digits).
#[derive(Clone, Copy)]
struct Hex<const N: usize>([u8; N]);

impl<const N: usize> Hex<N> {
    fn parse(s: &str) -> Option<[u8; N]> {
        let b = s.as_bytes();
        if b.len() != 2 * N {
            return None;
        }
        let mut out = [0u8; N];
        for (i, pair) in b.chunks_exact(2).enumerate() {
            let hi = (pair[0] as char).to_digit(16)?;
            let lo = (pair[1] as char).to_digit(16)?;
            out[i] = (hi * 16 + lo) as u8;
        }
        Some(out)
    }
}

struct HexVisitor<const N: usize>;

impl<const N: usize> Visitor<'_> for HexVisitor<N> {
    type Value = [u8; N];
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "{} hex digits", 2 * N)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<[u8; N], E> {
        Hex::<N>::parse(v).ok_or_else(|| E::invalid_value(Unexpected::Str(v), &self))
    }
}

impl<'de, const N: usize> Deserialize<'de> for Hex<N> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(HexVisitor::<N>).map(Hex)
    }
}

/// `parentSpanId`: 16 hex digits, or empty for a root span.
struct ParentId(Option<[u8; 8]>);

impl<'de> Deserialize<'de> for ParentId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = ParentId;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("16 hex digits, or an empty string for a root span")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ParentId, E> {
                if v.is_empty() {
                    return Ok(ParentId(None));
                }
                Hex::<8>::parse(v)
                    .map(|b| ParentId(Some(b)))
                    .ok_or_else(|| E::invalid_value(Unexpected::Str(v), &self))
            }
        }
        d.deserialize_str(V)
    }
}

/// `status.code`: 0, 1, 2 or their enum names.
struct StatusCode(u8);

impl<'de> Deserialize<'de> for StatusCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = StatusCode;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a status code: 0, 1, 2 or STATUS_CODE_UNSET / _OK / _ERROR")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<StatusCode, E> {
                match v {
                    0..=2 => Ok(StatusCode(v as u8)),
                    _ => Err(E::invalid_value(Unexpected::Unsigned(v), &self)),
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<StatusCode, E> {
                match u64::try_from(v) {
                    Ok(u) => self.visit_u64(u),
                    Err(_) => Err(E::invalid_value(Unexpected::Signed(v), &self)),
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<StatusCode, E> {
                match v {
                    "STATUS_CODE_UNSET" | "UNSET" => Ok(StatusCode(0)),
                    "STATUS_CODE_OK" | "OK" => Ok(StatusCode(1)),
                    "STATUS_CODE_ERROR" | "ERROR" => Ok(StatusCode(2)),
                    _ => Err(E::invalid_value(Unexpected::Str(v), &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// Span kinds by number, as the spec names them.
fn kind_name(kind: &Value) -> Value {
    const NAMES: [&str; 6] = [
        "SPAN_KIND_UNSPECIFIED",
        "SPAN_KIND_INTERNAL",
        "SPAN_KIND_SERVER",
        "SPAN_KIND_CLIENT",
        "SPAN_KIND_PRODUCER",
        "SPAN_KIND_CONSUMER",
    ];
    match kind.as_u64() {
        Some(n) if (n as usize) < NAMES.len() => Value::from(NAMES[n as usize]),
        _ => kind.clone(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The uuid of a span: its id in the high half, the trace id's low half in the low half.
fn span_uuid(span: [u8; 8], trace: [u8; 16]) -> Uuid {
    let low = u64::from_be_bytes(trace[8..].try_into().unwrap_or_default());
    Uuid::from_u64_pair(u64::from_be_bytes(span), low)
}

/// The uuid of a span's end event (its start's with the low half inverted).
fn end_uuid(start: Uuid) -> Uuid {
    let (hi, lo) = start.as_u64_pair();
    Uuid::from_u64_pair(hi, !lo)
}

/// The uuid of a span's `k`th span event.
fn point_uuid(start: Uuid, k: usize) -> Uuid {
    let (hi, lo) = start.as_u64_pair();
    let salt = (k as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    Uuid::from_u64_pair(hi ^ salt, lo.rotate_left(32))
}

/// Spans read so far. A span's root is the topmost span its parent links reach, and a parent
/// may come after its child, so the events are held until the end (their bytes count against
/// the budget as they arrive), then linked, put in time order and handed over.
#[derive(Default)]
pub(crate) struct Reader {
    /// Records are `resourceSpans` elements (a single document) rather than whole
    /// `TracesData` (JSON Lines).
    by_resource: bool,
    starts: Vec<Event>,
    ends: Vec<Event>,
    held: usize,
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
        record: &Record<'_>,
        out: &mut Output<S>,
    ) -> Result<(), ImportError> {
        let resource_spans = if self.by_resource {
            let prefix = || format!("resourceSpans[{}]", record.index);
            vec![read::parse_record::<ResourceSpans>(
                Format::Otlp,
                record,
                prefix,
            )?]
        } else {
            read::parse_record::<TracesData>(Format::Otlp, record, String::new)?.resource_spans
        };
        let (starts_before, ends_before) = (self.starts.len(), self.ends.len());
        for rs in resource_spans {
            let resource = rs.resource.map(|r| Value::Object(attributes(r.attributes)));
            for ss in rs.scope_spans {
                let scope = ss.scope.map(|s| {
                    json!({
                        "name": s.name,
                        "version": s.version,
                        "attributes": attributes(s.attributes),
                    })
                });
                for span in ss.spans {
                    convert_span(
                        span,
                        resource.as_ref(),
                        scope.as_ref(),
                        rs.schema_url.as_deref(),
                        &mut self.starts,
                        &mut self.ends,
                        &mut out.notes,
                    );
                }
            }
        }
        let new = self.starts[starts_before..]
            .iter()
            .chain(&self.ends[ends_before..]);
        self.held += new.map(heap_bytes).sum::<usize>();
        let structs =
            (self.starts.capacity() + self.ends.capacity()) * std::mem::size_of::<Event>();
        out.hold(self.held + structs)
    }

    pub(crate) fn finish<S: EventSink>(&mut self, out: &mut Output<S>) -> Result<(), ImportError> {
        let mut events = std::mem::take(&mut self.starts);
        events.append(&mut self.ends);
        self.ends = Vec::new();
        link_roots(&mut events);
        events.sort_by_key(|e| e.timestamp_ns);
        let total = events.len();
        for (i, event) in events.into_iter().enumerate() {
            if i % 4096 == 0 {
                // What is still held shrinks as the events move to the sink.
                let left = (total - i) * (std::mem::size_of::<Event>() + 64);
                out.hold(left)?;
            }
            out.push(event)?;
        }
        out.hold(0)
    }
}

fn convert_span(
    span: Span,
    resource: Option<&Value>,
    scope: Option<&Value>,
    schema_url: Option<&str>,
    starts: &mut Vec<Event>,
    ends: &mut Vec<Event>,
    notes: &mut Vec<String>,
) {
    let trace = span.trace_id.0;
    let id = span_uuid(span.span_id.0, trace);
    let parent_id = span
        .parent_span_id
        .and_then(|p| p.0)
        .map(|p| span_uuid(p, trace));
    let mut otel = Map::new();
    otel.insert("trace_id".into(), json!(hex(&trace)));
    otel.insert("span_id".into(), json!(hex(&span.span_id.0)));
    if let Some(p) = parent_id {
        let (hi, _) = p.as_u64_pair();
        otel.insert("parent_span_id".into(), json!(hex(&hi.to_be_bytes())));
    }
    if let Some(k) = &span.kind {
        otel.insert("kind".into(), kind_name(k));
    }
    if let Some(r) = resource {
        otel.insert("resource".into(), r.clone());
    }
    if let Some(s) = scope {
        otel.insert("scope".into(), s.clone());
    }
    if let Some(u) = schema_url {
        otel.insert("schema_url".into(), json!(u));
    }
    if !span.links.is_empty() {
        otel.insert("links".into(), Value::Array(span.links));
    }
    if let Some(ts) = span.trace_state.filter(|s| !s.is_empty()) {
        otel.insert("trace_state".into(), json!(ts));
    }
    if let Some(f) = span.flags {
        otel.insert("flags".into(), json!(f));
    }
    let (code, message) = match span.status {
        Some(s) => (s.code.map_or(0, |c| c.0), s.message),
        None => (0, None),
    };
    if code != 0 || message.is_some() {
        otel.insert("status".into(), json!({"code": code, "message": message}));
    }
    let mut extra = Map::new();
    extra.insert("otel".into(), Value::Object(otel));
    if !span.attributes.is_empty() {
        extra.insert(
            "attributes".into(),
            Value::Object(attributes(span.attributes)),
        );
    }
    let start_ns = span.start_time_unix_nano.0;
    let start = Event {
        id,
        kind: "span".into(),
        phase: Phase::Started,
        parent_id,
        root_id: id,
        lineage_id: id,
        start_id: None,
        seq: 0,
        timestamp_ns: start_ns,
        duration_ns: None,
        error: None,
        payload: Payload {
            process_name: Some(span.name.clone().into()),
            extra: extra.into(),
            ..Payload::default()
        },
    };
    starts.push(start);
    for (k, ev) in span.events.into_iter().enumerate() {
        let mut extra = Map::new();
        if !ev.attributes.is_empty() {
            extra.insert(
                "attributes".into(),
                Value::Object(attributes(ev.attributes)),
            );
        }
        starts.push(Event {
            id: point_uuid(id, k),
            kind: "span_event".into(),
            phase: Phase::Progress,
            parent_id: Some(id),
            root_id: id,
            lineage_id: id,
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
        });
    }
    match span.end_time_unix_nano {
        Some(Nanos(end_ns)) if end_ns != 0 => {
            let end_ns = if end_ns < start_ns {
                notes.push(format!(
                    "span {} ({}) ends before it starts; read as lasting 0 ns",
                    hex(&span.span_id.0),
                    span.name
                ));
                start_ns
            } else {
                end_ns
            };
            let failed = code == 2;
            ends.push(Event {
                id: end_uuid(id),
                kind: "span".into(),
                phase: if failed {
                    Phase::Failed
                } else {
                    Phase::Completed
                },
                parent_id,
                root_id: id,
                lineage_id: id,
                start_id: Some(id),
                seq: 0,
                timestamp_ns: end_ns,
                duration_ns: Some(end_ns - start_ns),
                error: failed.then(|| message.unwrap_or_else(|| "error status".to_owned())),
                payload: Payload {
                    process_name: Some(span.name.into()),
                    ..Payload::default()
                },
            });
        }
        _ => {}
    }
}
