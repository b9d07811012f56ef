//! The one-pass span reader against serde: on generated spans (the spellings writers use,
//! whitespace, unknown members, nulls) and on the same spans mutated byte by byte, either
//! the fast reader gives up or serde reads the span too and both convert to the same events
//! (header, payload fields as stored, notes).

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use proptest::prelude::*;
use serde_json::json;

use super::super::origin::Origin;
use super::super::span::{self, Converted};
use super::super::wire::Span;
use super::span as fast_span;
use crate::core::Event;
use crate::model::EventLog;

fn converted(span: Span) -> (Vec<Event>, Vec<String>) {
    let (mut events, mut notes) = (Vec::new(), Vec::new());
    let origin = Origin::default();
    let out = Converted {
        events: &mut events,
        notes: &mut notes,
    };
    span::convert(span, &origin, out);
    (events, notes)
}

fn assert_same(text: &str) -> Result<(), TestCaseError> {
    let Some(fast) = fast_span(text) else {
        return Ok(());
    };
    let serde = crate::trace::read::from_str_deep::<Span>(text);
    let Ok(serde) = serde else {
        return Err(TestCaseError::fail(format!(
            "fast read {text:?}, serde refused it"
        )));
    };
    let (fast, slow) = (converted(fast), converted(serde));
    prop_assert_eq!(&fast, &slow, "{}", text);
    let json = |e: &[Event]| serde_json::to_string(e).unwrap();
    prop_assert_eq!(json(&fast.0), json(&slow.0));
    let (mut a, mut b) = (EventLog::default(), EventLog::default());
    for (x, y) in fast.0.iter().zip(&slow.0) {
        a.push(x);
        b.push(y);
    }
    prop_assert_eq!(
        a.events().collect::<Vec<_>>(),
        b.events().collect::<Vec<_>>()
    );
    Ok(())
}

fn value_json() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec!["", "a", "é\u{1F600}", "/api/items", " 7 "])
            .prop_map(|s| json!({"stringValue": s}).to_string()),
        any::<bool>().prop_map(|b| json!({"boolValue": b}).to_string()),
        any::<i64>().prop_map(|i| json!({"intValue": i.to_string()}).to_string()),
        any::<i64>().prop_map(|i| json!({"intValue": i}).to_string()),
        prop::num::f64::NORMAL.prop_map(|d| json!({"doubleValue": d}).to_string()),
        prop::sample::select(vec![
            r#"{"doubleValue":-0}"#,
            r#"{"doubleValue":12345678901234567890}"#,
            r#"{"intValue":"-0"}"#,
            r#"{"intValue":-0}"#,
            r#"{"intValue":" 12 "}"#,
            r#"{"intValue":"+3"}"#,
            r#"{"doubleValue":"NaN"}"#,
            r#"{"bytesValue":"AAE="}"#,
            r#"{"stringValue":null,"boolValue":true}"#,
            r#"{"other":[1,{"x":null}],"stringValue":"s"}"#,
            r#"{"arrayValue":{"values":[]}}"#,
            r#"{"arrayValue":{"values":[{"stringValue":"00000000-0000-002a-0000-000000000000"}]}}"#,
            r#"{"arrayValue":{"values":[{"intValue":"1"},{"boolValue":false},{"doubleValue":1.5}]}}"#,
            r#"{"arrayValue":{ "x" : [1] , "values" : [ {"stringValue":"a"} ] }}"#,
            r#"{"arrayValue":{"values":[{"arrayValue":{"values":[{"intValue":2}]}}]}}"#,
            r#"{"arrayValue":{"values":[{"kvlistValue":{"values":[]}}]}}"#,
            r#"{"arrayValue":{"values":[null]}}"#,
            r#"{"arrayValue":{"values":null}}"#,
            r#"{"arrayValue":{"values":[],"values":[]}}"#,
            r#"{"arrayValue":{}}"#,
            r#"{"arrayValue":null}"#,
            r#"{"arrayValue":{"values":[]},"arrayValue":{"values":[]}}"#,
            r#"{"stringValue":"s","arrayValue":{"values":[{"intValue":"3"}]}}"#,
            r#"{}"#,
            r#"null"#,
        ])
        .prop_map(str::to_owned),
    ]
}

fn attributes_json() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec!["b", "a", "http.route", "é", "a"]);
    prop::collection::vec((key, prop::option::of(value_json())), 0..5).prop_map(|kvs| {
        let items: Vec<String> = (kvs.into_iter())
            .map(|(k, v)| match v {
                Some(v) => format!(r#"{{ "key" : {} , "value": {v}}}"#, json!(k)),
                None => format!(r#"{{"key":{}}}"#, json!(k)),
            })
            .collect();
        format!("[{}]", items.join(","))
    })
}

fn member() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            r#""parentSpanId":"00F067AA0BA902B7""#,
            r#""parentSpanId":"""#,
            r#""parentSpanId":null"#,
            r#""kind":1"#,
            r#""kind":9"#,
            r#""kind":-0"#,
            r#""kind":-2"#,
            r#""kind":"SPAN_KIND_SERVER""#,
            r#""kind":null"#,
            r#""endTimeUnixNano":"9""#,
            r#""endTimeUnixNano":3"#,
            r#""endTimeUnixNano":null"#,
            r#""endTimeUnixNano":" 12""#,
            r#""endTimeUnixNano":7.0"#,
            r#""status":{"code":2,"message":"bad"}"#,
            r#""status":{"code":"STATUS_CODE_OK"}"#,
            r#""status":{"code":"ERROR","x":[]}"#,
            r#""status":{}"#,
            r#""status":null"#,
            r#""status":{"code":3}"#,
            r#""traceState":"k=v""#,
            r#""traceState":null"#,
            r#""flags":257"#,
            r#""flags":4294967296"#,
            r#""events":[]"#,
            r#""links":[]"#,
            r#""droppedAttributesCount":0"#,
            r#""name":"n 1""#,
            r#""name":null"#,
            r#""name":"a\"b""#,
        ])
        .prop_map(str::to_owned),
        attributes_json().prop_map(|a| format!(r#""attributes":{a}"#)),
    ]
}

fn span_json() -> impl Strategy<Value = String> {
    let start = prop::sample::select(vec![r#""5""#, "5", r#""1700000000000000000""#, "-1"]);
    (start, prop::collection::vec(member(), 0..6), any::<bool>()).prop_map(
        |(start, members, spaced)| {
            let mut all = vec![
                r#""traceId":"5B8EFFF798038103D269B633813FC60C""#.to_owned(),
                r#""spanId":"eee19b7ec3c1b174""#.to_owned(),
                format!(r#""startTimeUnixNano":{start}"#),
            ];
            all.extend(members);
            let sep = if spaced { " ,\n " } else { "," };
            format!("{{{}}}", all.join(sep))
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn a_generated_span_is_read_as_serde_reads_it(text in span_json()) {
        assert_same(&text)?;
    }

    #[test]
    fn a_mutated_span_is_refused_or_read_as_serde_reads_it(
        text in span_json(),
        at in any::<prop::sample::Index>(),
        byte in prop::sample::select(b"{}[]\",:0-9aAe \\nx".to_vec()),
    ) {
        let mut bytes = text.into_bytes();
        let i = at.index(bytes.len());
        bytes[i] = byte;
        if let Ok(text) = String::from_utf8(bytes) {
            assert_same(&text)?;
        }
    }
}

#[test]
fn the_bench_span_is_read_fast() {
    let text = r#"{"traceId":"00000000000000000000000000000001","spanId":"0000000000000002","parentSpanId":"0000000000000001","name":"op 1","kind":1,"startTimeUnixNano":"1700000000000001000","endTimeUnixNano":"1700000000000001500","attributes":[{"key":"http.route","value":{"stringValue":"/api/items"}}]}"#;
    assert!(fast_span(text).is_some());
    assert_same(text).unwrap();
    for refused in [
        r#"{"traceId":"00","spanId":"0000000000000002","startTimeUnixNano":"1"}"#,
        r#"{"spanId":"0000000000000002","startTimeUnixNano":"1"}"#,
    ] {
        assert!(fast_span(refused).is_none(), "{refused}");
    }
}

#[test]
fn a_span_of_our_own_export_with_an_array_of_ids_is_read_fast() {
    // `lineage convert --to otlp` writes entity ids as an `arrayValue` of strings in every
    // span; those spans went to serde before, at several times the cost.
    let text = r#"{"attributes":[{"key":"lineage.kind","value":{"stringValue":"processing"}},{"key":"input_entity_ids","value":{"arrayValue":{"values":[{"stringValue":"00000000-0000-002a-0000-000000000000"},{"stringValue":"b"}]}}},{"key":"is_async","value":{"boolValue":true}}],"endTimeUnixNano":"117837","events":[],"kind":1,"name":"function_execution","spanId":"71efeb11a2de5e93","startTimeUnixNano":"90864","traceId":"4c01cf2723ce42988110000000000000"}"#;
    let span = fast_span(text).expect("read by the fast path");
    let array = (span.attributes.iter())
        .find(|kv| kv.key == "input_entity_ids")
        .and_then(|kv| kv.value.as_ref())
        .and_then(|v| v.array_value.as_ref())
        .expect("the array is kept");
    assert_eq!(array.values.len(), 2);
    assert_same(text).unwrap();
    for nested in [
        r#"{"traceId":"00000000000000000000000000000001","spanId":"0000000000000002","startTimeUnixNano":"1","attributes":[{"key":"a","value":{"arrayValue":{"values":[{"arrayValue":{"values":[]}}]}}}]}"#,
        r#"{"traceId":"00000000000000000000000000000001","spanId":"0000000000000002","startTimeUnixNano":"1","attributes":[{"key":"a","value":{"arrayValue":{"values":[null]}}}]}"#,
    ] {
        assert!(fast_span(nested).is_none(), "{nested}");
    }
}

proptest! {
    /// Times of plain digits are read by `decimal` as `str::parse` reads them; anything it
    /// refuses (a sign, a space, a 20th digit) is left to `parse`.
    #[test]
    fn decimal_times_are_read_as_parse_reads_them(
        text in prop_oneof!["[0-9]{1,21}", "[0-9 +-]{0,22}", "1[0-9]{18}"],
    ) {
        let got = super::decimal(text.as_bytes());
        if text.len() <= 19 && text.bytes().all(|b| b.is_ascii_digit()) && !text.is_empty() {
            prop_assert_eq!(got, text.parse::<u64>().ok());
            prop_assert!(got.is_some());
        } else {
            prop_assert!(got.is_none(), "{}", text);
        }
    }
}
