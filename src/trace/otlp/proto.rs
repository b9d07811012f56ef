//! # OTLP protobuf traces
//!
//! What an OpenTelemetry SDK sends by default (`application/x-protobuf` to `/v1/traces`):
//! an `ExportTraceServiceRequest`, decoded with the OpenTelemetry project's own generated
//! types (`opentelemetry-proto`, prost). Each message is translated field for field into the
//! shapes the JSON reader deserializes ([`super::wire`]) and converted by the same code
//! ([`super::span`]), so a span means the same events whichever encoding carried it.
//!
//! Protobuf leaves absent fields at their defaults; the translation reads a default (an
//! empty string, kind 0, end time 0, flags 0) as absent, as OTLP JSON writers omit them. A
//! span whose ids have the wrong length cannot be named; it is rejected (counted, with one
//! sentence saying why) and the request's other spans are kept.
//!
//! The listener does not build these `Event`s: it prepares its store's records straight from
//! the decoded messages ([`super::direct`]), and is held to this conversion by its tests; the
//! helpers here (ids, attributes, scope) serve both.
//!
//! prost refuses messages nested deeper than 100 levels (its recursion limit), so a hostile
//! `kvlistValue` tower stops the decode with an error instead of exhausting the stack.

use base64::Engine;
use opentelemetry_proto::tonic::common::v1 as pb_common;
#[cfg(test)]
use opentelemetry_proto::tonic::{
    collector::trace::v1::ExportTraceServiceRequest, trace::v1 as pb,
};
#[cfg(test)]
use prost::Message;
#[cfg(test)]
use serde_json::Value;

use super::ids::hex;
#[cfg(test)]
use super::ids::{HexId, ParentId};
use super::scalars::{DoubleValue, IntValue};
#[cfg(test)]
use super::scalars::{Nanos, StatusCode};
use super::wire::{self, AnyValue, ArrayValue, KeyValue, KvList};
#[cfg(test)]
use crate::core::Event;

/// The events of one request, with what was refused in it.
#[cfg(test)]
#[derive(Debug, Default)]
pub(crate) struct Decoded {
    /// The spans' events: roots and lineages linked within the request, in time order.
    pub events: Vec<Event>,
    /// Spans in the request, and how many of them were rejected.
    pub spans: u64,
    pub rejected_spans: u64,
    /// Why the first rejected span was rejected (empty when none was).
    pub rejection: String,
    /// Things worth knowing that did not stop the conversion.
    pub notes: Vec<String>,
}

/// Decodes a serialized `ExportTraceServiceRequest` and converts its spans.
#[cfg(test)]
pub(crate) fn decode(bytes: &[u8]) -> Result<Decoded, prost::DecodeError> {
    ExportTraceServiceRequest::decode(bytes).map(convert)
}

/// Converts the spans of a decoded request (see the module docs).
#[cfg(test)]
pub(crate) fn convert(request: ExportTraceServiceRequest) -> Decoded {
    let mut out = Decoded::default();
    let mut resources = Vec::with_capacity(request.resource_spans.len());
    for rs in request.resource_spans {
        let scopes = rs
            .scope_spans
            .into_iter()
            .map(|ss| (ss.scope.map(scope), spans(ss.spans, &mut out)))
            .collect();
        resources.push(super::DecodedResource {
            resource: rs.resource.map(|r| wire::Resource {
                attributes: key_values(r.attributes),
            }),
            scopes,
            schema_url: non_empty(rs.schema_url),
        });
    }
    out.events = super::convert_decoded(resources, &mut out.notes);
    out
}

/// The spans that can be named, counting the ones that cannot.
#[cfg(test)]
fn spans(spans: Vec<pb::Span>, out: &mut Decoded) -> Vec<wire::Span> {
    let mut kept = Vec::with_capacity(spans.len());
    for s in spans {
        out.spans += 1;
        match span(s) {
            Ok(s) => kept.push(s),
            Err(why) => {
                if out.rejected_spans == 0 {
                    out.rejection = why;
                }
                out.rejected_spans += 1;
            }
        }
    }
    kept
}

#[cfg(test)]
fn span(s: pb::Span) -> Result<wire::Span, String> {
    let trace_id = HexId(fixed::<16>(&s.trace_id, "trace id")?);
    let span_id = HexId(fixed::<8>(&s.span_id, "span id")?);
    let parent_span_id = if s.parent_span_id.is_empty() {
        ParentId(None)
    } else {
        ParentId(Some(fixed::<8>(&s.parent_span_id, "parent span id")?))
    };
    let links = s
        .links
        .iter()
        .map(|l| serde_json::to_value(l).unwrap_or(Value::Null))
        .collect();
    Ok(wire::Span {
        trace_id,
        span_id,
        parent_span_id: Some(parent_span_id),
        name: s.name,
        kind: (s.kind != 0).then(|| Value::from(s.kind)),
        start_time_unix_nano: Nanos(s.start_time_unix_nano),
        end_time_unix_nano: (s.end_time_unix_nano != 0).then_some(Nanos(s.end_time_unix_nano)),
        attributes: key_values(s.attributes),
        events: s
            .events
            .into_iter()
            .map(|e| wire::SpanEvent {
                time_unix_nano: Nanos(e.time_unix_nano),
                name: e.name,
                attributes: key_values(e.attributes),
            })
            .collect(),
        links,
        status: s.status.map(|st| wire::Status {
            code: StatusCode::try_from(st.code as u64).ok(),
            message: non_empty(st.message),
        }),
        trace_state: non_empty(s.trace_state),
        flags: (s.flags != 0).then_some(s.flags),
    })
}

/// An id of exactly `N` bytes.
pub(super) fn fixed<const N: usize>(bytes: &[u8], what: &str) -> Result<[u8; N], String> {
    bytes.try_into().map_err(|_| {
        let shown = &bytes[..bytes.len().min(32)];
        format!(
            "a span's {what} has {} bytes ({}), not {N}",
            bytes.len(),
            hex(shown)
        )
    })
}

pub(super) fn scope(s: pb_common::InstrumentationScope) -> wire::Scope {
    wire::Scope {
        name: non_empty(s.name),
        version: non_empty(s.version),
        attributes: key_values(s.attributes),
    }
}

pub(super) fn key_values(kvs: Vec<pb_common::KeyValue>) -> Vec<KeyValue> {
    kvs.into_iter()
        .map(|kv| KeyValue {
            key: kv.key,
            value: kv.value.map(any_value),
        })
        .collect()
}

fn any_value(v: pb_common::AnyValue) -> AnyValue {
    use pb_common::any_value::Value as V;
    let mut out = AnyValue::default();
    match v.value {
        Some(V::StringValue(s)) => out.string_value = Some(s),
        Some(V::BoolValue(b)) => out.bool_value = Some(b),
        Some(V::IntValue(i)) => out.int_value = Some(IntValue(i)),
        Some(V::DoubleValue(d)) => out.double_value = Some(DoubleValue::from_f64(d)),
        // OTLP JSON writes bytes as base64; the JSON reader keeps that text, so do we.
        Some(V::BytesValue(b)) => {
            out.bytes_value = Some(base64::engine::general_purpose::STANDARD.encode(b))
        }
        Some(V::ArrayValue(a)) => {
            out.array_value = Some(ArrayValue {
                values: a.values.into_iter().map(any_value).collect(),
            })
        }
        Some(V::KvlistValue(kv)) => {
            out.kvlist_value = Some(KvList {
                values: key_values(kv.values),
            })
        }
        // A profiling-only string-table reference: meaningless for traces, read as empty.
        Some(V::StringValueStrindex(_)) | None => {}
    }
    out
}

pub(super) fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

#[cfg(test)]
mod tests {
    use opentelemetry_proto::tonic::resource::v1::Resource;

    use super::*;

    fn kv(key: &str, v: pb_common::any_value::Value) -> pb_common::KeyValue {
        pb_common::KeyValue {
            key: key.into(),
            value: Some(pb_common::AnyValue { value: Some(v) }),
            ..Default::default()
        }
    }

    #[test]
    fn a_span_in_protobuf_gives_the_events_it_gives_in_json() {
        use pb_common::any_value::Value as V;
        let root = pb::Span {
            trace_id: vec![0x5b; 16],
            span_id: vec![0xee; 8],
            name: "GET /items".into(),
            kind: 2,
            start_time_unix_nano: 1_000,
            end_time_unix_nano: 5_000,
            attributes: vec![
                kv("s", V::StringValue("x".into())),
                kv("b", V::BoolValue(true)),
                kv("i", V::IntValue(-7)),
                kv("d", V::DoubleValue(f64::INFINITY)),
                kv("y", V::BytesValue(vec![1, 2, 3])),
                kv(
                    "a",
                    V::ArrayValue(pb_common::ArrayValue {
                        values: vec![pb_common::AnyValue {
                            value: Some(V::IntValue(1)),
                        }],
                    }),
                ),
            ],
            events: vec![pb::span::Event {
                time_unix_nano: 2_000,
                name: "cache miss".into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let child = pb::Span {
            trace_id: vec![0x5b; 16],
            span_id: vec![0x11; 8],
            parent_span_id: vec![0xee; 8],
            name: "query".into(),
            start_time_unix_nano: 2_500,
            end_time_unix_nano: 4_000,
            status: Some(pb::Status {
                code: 2,
                message: "timeout".into(),
            }),
            ..Default::default()
        };
        let request = ExportTraceServiceRequest {
            resource_spans: vec![pb::ResourceSpans {
                resource: Some(Resource {
                    attributes: vec![kv("service.name", V::StringValue("shop".into()))],
                    ..Default::default()
                }),
                scope_spans: vec![pb::ScopeSpans {
                    scope: Some(pb_common::InstrumentationScope {
                        name: "lib".into(),
                        version: "1.0".into(),
                        ..Default::default()
                    }),
                    spans: vec![child, root],
                    ..Default::default()
                }],
                ..Default::default()
            }],
        };
        let from_proto = decode(&request.encode_to_vec()).unwrap();
        assert_eq!((from_proto.spans, from_proto.rejected_spans), (2, 0));

        let json = r#"{"resourceSpans":[{
          "resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}]},
          "scopeSpans":[{"scope":{"name":"lib","version":"1.0"},"spans":[
            {"traceId":"5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b","spanId":"1111111111111111",
             "parentSpanId":"eeeeeeeeeeeeeeee","name":"query","startTimeUnixNano":"2500",
             "endTimeUnixNano":"4000","status":{"code":2,"message":"timeout"}},
            {"traceId":"5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b","spanId":"eeeeeeeeeeeeeeee",
             "name":"GET /items","kind":2,"startTimeUnixNano":"1000","endTimeUnixNano":"5000",
             "attributes":[{"key":"s","value":{"stringValue":"x"}},
               {"key":"b","value":{"boolValue":true}},{"key":"i","value":{"intValue":"-7"}},
               {"key":"d","value":{"doubleValue":"Infinity"}},{"key":"y","value":{"bytesValue":"AQID"}},
               {"key":"a","value":{"arrayValue":{"values":[{"intValue":"1"}]}}}],
             "events":[{"timeUnixNano":"2000","name":"cache miss"}]}]}]}]}"#;
        let from_json = super::super::import(json.as_bytes()).unwrap().events;
        assert_eq!(from_proto.events, from_json);
    }

    #[test]
    fn a_span_with_a_short_id_is_rejected_and_the_others_kept() {
        let good = pb::Span {
            trace_id: vec![1; 16],
            span_id: vec![2; 8],
            ..Default::default()
        };
        let bad = pb::Span {
            trace_id: vec![1; 15],
            ..good.clone()
        };
        let request = ExportTraceServiceRequest {
            resource_spans: vec![pb::ResourceSpans {
                scope_spans: vec![pb::ScopeSpans {
                    spans: vec![bad, good],
                    ..Default::default()
                }],
                ..Default::default()
            }],
        };
        let d = convert(request);
        assert_eq!((d.spans, d.rejected_spans, d.events.len()), (2, 1, 1));
        assert!(
            d.rejection.contains("trace id has 15 bytes"),
            "{}",
            d.rejection
        );
    }
}
