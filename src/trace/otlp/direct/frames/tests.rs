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

/// A length-delimited field: its key (tag, wire type 2), length and bytes.
fn field(tag: u8, bytes: &[u8]) -> Vec<u8> {
    let mut out = vec![tag << 3 | 2];
    prost::encoding::encode_varint(bytes.len() as u64, &mut out);
    out.extend_from_slice(bytes);
    out
}

/// A request of one scope whose spans carry, each, the raw attribute fields given.
fn spans_with_raw_attributes(attributes: &[Vec<Vec<u8>>]) -> Vec<u8> {
    let mut scope = Vec::new();
    for (i, raw) in attributes.iter().enumerate() {
        let mut span = pb::Span {
            trace_id: vec![1; 16],
            span_id: vec![i as u8 + 1; 8],
            name: "op".into(),
            start_time_unix_nano: 5 + i as u64,
            end_time_unix_nano: 90,
            ..Default::default()
        }
        .encode_to_vec();
        for kv in raw {
            span.extend(field(9, kv));
        }
        scope.extend(field(2, &span));
    }
    field(1, &field(2, &scope))
}

#[test]
fn attributes_read_plain_or_by_prost_are_what_prost_decodes_whole() {
    let string = |s: &str| field(1, s.as_bytes());
    let int = |i: u8| vec![3 << 3, i];
    let key = |k: &str| field(1, k.as_bytes());
    let kv = |parts: &[Vec<u8>]| parts.concat();
    let double = |d: f64| [vec![4 << 3 | 1], d.to_le_bytes().to_vec()].concat();
    // Each row: one span's attributes, raw: the plain encodings (read from the body) and
    // every other (decoded by prost), one after the other.
    let spans = [
        // Plain scalars: a bool (1, and any non-zero varint), ints (the largest, a negative
        // one in ten bytes), doubles (NaN, -0.0), strings (empty, escaped, not ASCII).
        vec![
            kv(&[key("t"), field(2, &[2 << 3, 1])]),
            kv(&[key("u"), field(2, &[2 << 3, 0x82, 0x01])]),
            kv(&[key("f"), field(2, &[2 << 3, 0])]),
            kv(&[
                key("i"),
                field(2, &[vec![3 << 3], vec![0xff; 9], vec![1]].concat()),
            ]),
            kv(&[key("n"), field(2, &double(f64::NAN))]),
            kv(&[key("z"), field(2, &double(-0.0))]),
            kv(&[key(""), field(2, &string(""))]),
            kv(&[key("q\"\\\u{1}é"), field(2, &string("a\"b\\c\u{7f}\né"))]),
        ],
        // Not plain: a value of two fields, the value before the key, an extra field after.
        vec![
            kv(&[key("a"), field(2, &[vec![2 << 3, 1], string("s")].concat())]),
            kv(&[key("b"), field(2, &[int(1), int(2)].concat())]),
            kv(&[field(2, &string("v")), key("d")]),
            kv(&[key("e"), field(2, &string("w")), vec![3 << 3, 1]]),
        ],
        vec![
            kv(&[key("a"), field(2, &string("first"))]),
            kv(&[key("b"), field(2, &string("x"))]),
        ],
        // No value; an empty value; a value with no string; the key missing.
        vec![kv(&[key("a")]), kv(&[key("b"), field(2, &[])])],
        vec![
            kv(&[key("a"), field(2, &int(7))]),
            kv(&[field(2, &string("no key"))]),
        ],
        // Two oneof fields in one value (the last wins), both ways round.
        vec![kv(&[key("a"), field(2, &[string("s"), int(1)].concat())])],
        vec![kv(&[key("a"), field(2, &[int(1), string("t")].concat())])],
        // The value given twice (prost merges the two), the key twice (the last wins).
        vec![kv(&[key("a"), field(2, &string("one")), field(2, &int(2))])],
        vec![kv(&[key("a"), field(2, &string("one")), field(2, &[])])],
        vec![kv(&[
            key("a"),
            key("b"),
            field(2, &string("two")),
            field(2, &string("three")),
        ])],
        // A key index (the profiling signal's), an empty key-value, a string again.
        vec![
            kv(&[vec![3 << 3, 4], field(2, &string("indexed"))]),
            Vec::new(),
        ],
        vec![kv(&[key("a"), field(2, &string("last"))]), kv(&[key("b")])],
    ];
    let body = spans_with_raw_attributes(&spans);
    let framed = super::prepare(&body, u64::MAX).expect("read framed");
    let whole = decode_whole(&body, u64::MAX).expect("prost reads it");
    assert_eq!(shown(&framed), shown(&whole));
    // The same spans in the other order meet other values left behind.
    let mut reversed = spans.to_vec();
    reversed.reverse();
    let body = spans_with_raw_attributes(&reversed);
    let framed = super::prepare(&body, u64::MAX).expect("read framed");
    assert_eq!(
        shown(&framed),
        shown(&decode_whole(&body, u64::MAX).unwrap())
    );
}
