//! The fields written as text against the `Value`s the conversion built before
//! (`attributes` and `otel` as `serde_json` maps, the oracle below): on generated spans, and
//! on origins given at once or filled in later, the store receives the same bytes.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use proptest::prelude::*;
use serde_json::{json, Map, Value};

use super::super::origin::{Origin, Written};
use super::super::scalars::KIND_NAMES;
use super::super::span::{self, Converted};
use super::super::wire::{attributes, Span};
use crate::core::field_value::{put_value, put_varint, Reader, V_JSON, V_JSON_PIECE};
use crate::core::Event;

/// `payload.extra` of a span's start as the conversion built it with `Value`s.
fn oracle(text: &str, origin: &Origin<'_>) -> Map<String, Value> {
    let mut span: Span = serde_json::from_str(text).unwrap();
    let mut otel = Map::new();
    otel.insert("trace_id".into(), json!(hex::encode(span.trace_id.0)));
    otel.insert("span_id".into(), json!(hex::encode(span.span_id.0)));
    if let Some(p) = span.parent_span_id.as_ref().and_then(|p| p.0) {
        otel.insert("parent_span_id".into(), json!(hex::encode(p)));
    }
    if let Some(k) = &span.kind {
        let named = k.as_u64().and_then(|n| KIND_NAMES.get(n as usize));
        otel.insert("kind".into(), named.map_or(k.clone(), |&n| json!(n)));
    }
    // The origin's members as the `Value`s their text (written once, `origin::Written`) is.
    let origin_members = [
        ("resource", origin.resource),
        ("scope", origin.scope),
        ("schema_url", origin.schema_url),
    ];
    for (key, v) in origin_members {
        if let Some(v) = v {
            otel.insert(key.into(), serde_json::from_slice(v).unwrap());
        }
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
    let (code, message) = span
        .status
        .take()
        .map_or((0, None), |s| (s.code.map_or(0, |c| c.number()), s.message));
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
    extra
}

/// The bytes the store keeps for `extra` (keys, then each value's encoding), a text whose
/// origin is marked as the piece kept once (`core::JsonRef::Members`) as the same text unmarked,
/// after checking that the piece is exactly the origin's members.
fn stored(extra: &crate::core::Fields) -> (Vec<String>, Vec<u8>) {
    let (keys, values) = extra.encoded().expect("written as encoded fields");
    let mut plain = Vec::new();
    let mut rd = Reader {
        bytes: values,
        at: 0,
    };
    while rd.at < values.len() {
        if rd.bytes[rd.at] != V_JSON_PIECE {
            plain.extend_from_slice(rd.skip_value());
            continue;
        }
        rd.at += 1;
        let (text, piece) = rd.piece_text();
        let whole: Map<String, Value> = serde_json::from_slice(text).unwrap();
        let piece_text = format!("{{{}}}", std::str::from_utf8(&text[piece]).unwrap());
        let piece: Map<String, Value> = serde_json::from_str(&piece_text).unwrap();
        let origin: Map<String, Value> = (whole.into_iter())
            .filter(|(k, _)| ["resource", "schema_url", "scope"].contains(&k.as_str()))
            .collect();
        assert!(!origin.is_empty(), "a piece is marked only for an origin");
        assert_eq!(piece, origin, "the piece is the origin's members");
        plain.push(V_JSON);
        put_varint(&mut plain, text.len() as u64);
        plain.extend_from_slice(text);
    }
    assert_eq!(
        extra.has_shared_piece(),
        plain != values,
        "the fields say whether they hold a piece"
    );
    (keys.iter().map(|k| k.to_string()).collect(), plain)
}

fn stored_values(map: &Map<String, Value>) -> (Vec<String>, Vec<u8>) {
    let mut bytes = Vec::new();
    for v in map.values() {
        put_value(&mut bytes, v);
    }
    (map.keys().cloned().collect(), bytes)
}

fn start_of(text: &str, origin: &Origin<'_>, open: bool) -> Event {
    let span: Span = serde_json::from_str(text).unwrap();
    let (mut events, mut notes) = (Vec::new(), Vec::new());
    let out = Converted {
        events: &mut events,
        notes: &mut notes,
    };
    if open {
        let (parts, mut extra) =
            span::convert_open(span, &Origin::default(), out.notes, &mut Vec::new());
        // Filled later, as the window does for a key that comes after the span.
        extra.fill("scope", origin.scope);
        extra.fill("resource", origin.resource);
        extra.fill("schema_url", origin.schema_url);
        parts.into_events(extra.into_fields(), out.events);
        events.remove(0)
    } else {
        span::convert(span, origin, out);
        events.remove(0)
    }
}

fn assert_same(text: &str, origin: &Origin<'_>) -> Result<(), TestCaseError> {
    let want = stored_values(&oracle(text, origin));
    for open in [false, true] {
        let start = start_of(text, origin, open);
        // The origin's members, when there are any, are the piece the store keeps once.
        let has_origin = [origin.resource, origin.scope, origin.schema_url]
            .iter()
            .any(Option::is_some);
        prop_assert_eq!(start.payload.extra.has_shared_piece(), has_origin);
        prop_assert_eq!(
            stored(&start.payload.extra),
            want.clone(),
            "{} open {}",
            text,
            open
        );
        let as_values = Value::Object(oracle(text, origin));
        prop_assert_eq!(
            serde_json::to_value(&start.payload.extra).unwrap(),
            as_values
        );
    }
    Ok(())
}

/// An attribute value in every spelling, escapes and non-ASCII text included.
fn any_value() -> impl Strategy<Value = String> {
    let text = prop::sample::select(vec!["", "a", "é\u{1F600}", "q\"b\\n\u{1}", "/api/items"]);
    prop_oneof![
        text.clone()
            .prop_map(|s| json!({"stringValue": s}).to_string()),
        any::<bool>().prop_map(|b| json!({"boolValue": b}).to_string()),
        any::<i64>().prop_map(|i| json!({"intValue": i.to_string()}).to_string()),
        any::<i64>().prop_map(|i| json!({"intValue": i}).to_string()),
        prop::num::f64::NORMAL.prop_map(|d| json!({"doubleValue": d}).to_string()),
        prop::sample::select(vec!["NaN", "-Infinity", "2.5"])
            .prop_map(|d| json!({"doubleValue": d}).to_string()),
        text.clone()
            .prop_map(|s| json!({"bytesValue": s}).to_string()),
        Just(r#"{"arrayValue":{"values":[{"intValue":"1"},{"stringValue":"x"}]}}"#.to_owned()),
        Just(r#"{"arrayValue":{"values":[]}}"#.to_owned()),
        Just(r#"{"arrayValue":{}}"#.to_owned()),
        Just(r#"{"arrayValue":{"values":[{"stringValue":"é\"q"},{},{"doubleValue":"NaN"},{"bytesValue":"AA=="},{"boolValue":false}]}}"#.to_owned()),
        Just(r#"{"arrayValue":{"values":[{"arrayValue":{"values":[{"intValue":2}]}}]}}"#.to_owned()),
        Just(r#"{"arrayValue":{"values":[{"kvlistValue":{"values":[]}},{"intValue":2}]}}"#.to_owned()),
        Just(r#"{"stringValue":"s","arrayValue":{"values":[{"intValue":2}]}}"#.to_owned()),
        Just(r#"{"arrayValue":{"values":[{"intValue":2}]},"kvlistValue":{"values":[]}}"#.to_owned()),
        Just(
            r#"{"kvlistValue":{"values":[{"key":"z","value":{"boolValue":true}},{"key":"a"}]}}"#
                .to_owned()
        ),
        Just("{}".to_owned()),
        Just(r#"{"stringValue":"s","intValue":3}"#.to_owned()),
    ]
}

fn attributes_json() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "b",
        "a",
        "http.route",
        "é",
        "k\"q",
        "a",
        "a\u{0}",
        "abcdefghijklmnop",
        "abcdefghijklmnopq",
        "abcdefghijklmnopr",
        "abcdefghijklmno\u{0}",
    ]);
    prop::collection::vec((key, prop::option::of(any_value())), 0..6).prop_map(|kvs| {
        let items: Vec<String> = kvs
            .into_iter()
            .map(|(k, v)| match v {
                Some(v) => format!(r#"{{"key":{},"value":{v}}}"#, json!(k)),
                None => format!(r#"{{"key":{}}}"#, json!(k)),
            })
            .collect();
        format!("[{}]", items.join(","))
    })
}

fn span_json() -> impl Strategy<Value = String> {
    let kind = prop::sample::select(vec![None, Some("1"), Some("5"), Some("9"), Some("\"X\"")]);
    let status = prop::sample::select(vec![
        None,
        Some(r#"{}"#),
        Some(r#"{"code":2,"message":"bad \"x\""}"#),
        Some(r#"{"code":"STATUS_CODE_OK"}"#),
        Some(r#"{"message":"m"}"#),
    ]);
    let extras = prop::sample::select(vec![
        "",
        r#","flags":257"#,
        r#","traceState":"k=v""#,
        r#","traceState":"""#,
        r#","links":[{"traceId":"ab","attributes":[]}]"#,
        r#","parentSpanId":"""#,
        r#","parentSpanId":"00F067AA0BA902B7""#,
    ]);
    (kind, status, extras, attributes_json()).prop_map(|(kind, status, extra, attrs)| {
        let mut s = String::from(
            r#"{"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"eee19b7ec3c1b174","name":"n","startTimeUnixNano":"5","endTimeUnixNano":"9""#,
        );
        if let Some(k) = kind {
            s += &format!(r#","kind":{k}"#);
        }
        if let Some(st) = status {
            s += &format!(r#","status":{st}"#);
        }
        s += extra;
        s += &format!(r#","attributes":{attrs}}}"#);
        s
    })
}

proptest! {
    #[test]
    fn spans_fields_as_text_are_stored_as_their_values_were(text in span_json(), which in 0..8u8) {
        let resource = json!({"service.name": "bench", "é": [1, 2.5]});
        let scope = json!({"name": "lib", "version": null, "attributes": {}});
        let written = Written::new(
            (which & 1 != 0).then_some(&resource),
            (which & 2 != 0).then_some(&scope),
            (which & 4 != 0).then_some("https://x/\"1\""),
        );
        let origin = written.origin();
        assert_same(&text, &origin)?;
    }
}

#[test]
fn a_span_without_attributes_has_only_otel() {
    let text = r#"{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","startTimeUnixNano":"1"}"#;
    let start = start_of(text, &Origin::default(), false);
    assert_eq!(
        serde_json::to_string(&start.payload.extra).unwrap(),
        r#"{"otel":{"span_id":"eee19b7ec3c1b174","trace_id":"5b8efff798038103d269b633813fc60c"}}"#
    );
    assert_same(text, &Origin::default()).unwrap();
}
