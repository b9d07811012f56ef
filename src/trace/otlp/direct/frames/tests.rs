//! The framed reader held to prost: on generated requests it prepares what prost's decoding
//! of the whole request prepares (prost stays the reference), and on mutated bodies
//! `direct::decode` answers exactly what the whole decoding answers, error messages included.

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{self as pb_common, any_value::Value as V};
use opentelemetry_proto::tonic::trace::v1 as pb;
use proptest::prelude::*;
use prost::Message;

use super::super::tests::request;
use super::super::{decode, decode_whole, DirectSpans, Refused};
use crate::core::store::prepared::PreparedEvent;

/// Everything a prepared request holds, in a form that compares: each event with its name,
/// error and fields as text.
fn shown(d: &DirectSpans) -> Vec<String> {
    let b = &d.batch;
    let mut out = vec![format!(
        "{} {} {:?}",
        d.spans, d.rejected_spans, d.rejection
    )];
    for e in &b.events {
        let text = |r| String::from_utf8_lossy(b.text(r)).into_owned();
        let fields: Vec<String> = (e.fields[..e.field_count as usize].iter())
            .map(|&(k, r)| format!("{k}={}", text(r)))
            .collect();
        let plain = PreparedEvent {
            process: 0,
            error: None,
            fields: Default::default(),
            ..*e
        };
        out.push(format!(
            "{plain:?} name={:?} error={:?} {fields:?}",
            b.name_of(e),
            e.error.map(text)
        ));
    }
    out
}

fn answer(r: Result<DirectSpans, Refused>) -> Result<Vec<String>, String> {
    match r {
        Ok(d) => Ok(shown(&d)),
        Err(Refused::Decode(e)) => Err(format!("decode: {e}")),
        Err(Refused::OverBudget(why)) => Err(format!("budget: {why}")),
    }
}

/// The body answered the same by the framed path (with its fall back) and by prost whole.
fn same_answer(body: &[u8], max_bytes: u64) {
    assert_eq!(
        answer(decode(body, max_bytes)),
        answer(decode_whole(body, max_bytes)),
        "{body:?}"
    );
}

fn string(s: &str) -> Option<pb_common::AnyValue> {
    Some(pb_common::AnyValue {
        value: Some(V::StringValue(s.into())),
    })
}

/// A value nested `levels` deep in key-value lists.
fn nested(levels: usize) -> Option<pb_common::AnyValue> {
    (0..levels).fold(string("leaf"), |inner, _| {
        Some(pb_common::AnyValue {
            value: Some(V::KvlistValue(pb_common::KeyValueList {
                values: vec![pb_common::KeyValue {
                    key: "k".into(),
                    value: inner,
                    ..Default::default()
                }],
            })),
        })
    })
}

fn one_span(attributes: Vec<pb_common::KeyValue>) -> ExportTraceServiceRequest {
    ExportTraceServiceRequest {
        resource_spans: vec![pb::ResourceSpans {
            scope_spans: vec![pb::ScopeSpans {
                spans: vec![pb::Span {
                    trace_id: vec![1; 16],
                    span_id: vec![2; 8],
                    name: "op".into(),
                    start_time_unix_nano: 5,
                    end_time_unix_nano: 9,
                    attributes,
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn generated_requests_are_prepared_as_prost_decoding_them_whole_prepares(
        request in request(),
    ) {
        let body = request.encode_to_vec();
        let framed = super::prepare(&body, u64::MAX).expect("a plain request is read framed");
        let whole = decode_whole(&body, u64::MAX).expect("prost reads it");
        prop_assert_eq!(shown(&framed), shown(&whole));
    }

    #[test]
    fn mutated_bodies_are_answered_as_prost_answers_them(
        request in request(),
        cut in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        budget in prop_oneof![Just(u64::MAX), 1_000..20_000u64],
    ) {
        let body = request.encode_to_vec();
        same_answer(&body, budget);
        same_answer(&body[..cut.index(body.len() + 1)], budget);
        let mut changed = body.clone();
        if !changed.is_empty() {
            changed[at.index(body.len())] = byte;
        }
        same_answer(&changed, budget);
        // Two requests one after the other: prost merges them into one.
        let mut twice = body.clone();
        twice.extend_from_slice(&body);
        same_answer(&twice, budget);
    }
}

#[test]
fn bodies_the_framed_reader_leaves_to_prost_are_answered_as_prost_answers_them() {
    let plain = one_span(vec![]).encode_to_vec();
    // An unknown varint field in the request, in a resource's spans, in a scope's spans.
    let mut unknown = plain.clone();
    unknown.extend_from_slice(&[0x10, 0x01]);
    // A resource given twice in one `ResourceSpans` (prost merges them).
    let twice_resource = {
        let mut r = one_span(vec![]);
        r.resource_spans[0].resource = Some(Default::default());
        let mut inner = r.resource_spans[0].encode_to_vec();
        inner.extend_from_slice(&[0x0a, 0x00]);
        let mut body = vec![0x0a];
        prost::encoding::encode_varint(inner.len() as u64, &mut body);
        body.extend_from_slice(&inner);
        body
    };
    // A schema url that is not UTF-8.
    let bad_url = {
        let mut body = vec![0x0a, 0x04, 0x1a, 0x02, 0xff, 0xfe];
        body.extend_from_slice(&plain);
        body
    };
    for (body, framed) in [
        (plain.clone(), true),
        (unknown, false),
        (twice_resource, false),
        (bad_url, false),
        (one_span(vec![kv("deep", nested(20))]).encode_to_vec(), true),
        (
            one_span(vec![kv("deep", nested(30))]).encode_to_vec(),
            false,
        ),
        (
            one_span(vec![kv("deep", nested(40))]).encode_to_vec(),
            false,
        ),
        (Vec::new(), true),
    ] {
        assert_eq!(
            super::prepare(&body, u64::MAX).is_some(),
            framed,
            "{body:?}"
        );
        same_answer(&body, u64::MAX);
    }
}

fn kv(key: &str, value: Option<pb_common::AnyValue>) -> pb_common::KeyValue {
    pb_common::KeyValue {
        key: key.into(),
        value,
        ..Default::default()
    }
}
