//! The purpose-built reader against the serde path: on every line, generated as lineage
//! writes it or mutated byte by byte, either the fast path gives up or it builds the event
//! serde builds (equal, written back the same, with the same heap estimate), so reading the
//! line through both gives identical events and identical errors.

use proptest::prelude::*;
use serde_json::{json, Value};
use uuid::Uuid;

use super::read_line;
use crate::core::{Event, EventRef, Kind, Phase};
use crate::model::sink::heap_bytes;
use crate::model::EventLog;
use crate::trace::read::from_str_deep;

/// What the import does with a line: the fast path, or serde when it gives up.
fn import_line(text: &str) -> Result<Event, String> {
    match read_line(text) {
        Some(e) => Ok(e.into_event()),
        None => serde_only(text),
    }
}

fn serde_only(text: &str) -> Result<Event, String> {
    from_str_deep::<Event>(text).map_err(|e| e.to_string())
}

/// The fast path's event, when it has one, is serde's to the last detail.
fn assert_same(text: &str) -> Result<(), TestCaseError> {
    let serde = serde_only(text);
    if let Some(borrowed) = read_line(text) {
        stored_the_same(&borrowed, &serde.clone().map_err(TestCaseError::fail)?)?;
    }
    if let Some(fast) = read_line(text).map(|e| e.into_event()) {
        let Ok(slow) = &serde else {
            return Err(TestCaseError::fail(format!(
                "fast read {text:?}, serde refused it: {serde:?}"
            )));
        };
        prop_assert_eq!(&fast, slow);
        prop_assert_eq!(
            serde_json::to_string(&fast).unwrap(),
            serde_json::to_string(slow).unwrap()
        );
        prop_assert_eq!(heap_bytes(&fast), heap_bytes(slow));
    }
    prop_assert_eq!(import_line(text), serde);
    Ok(())
}

/// The store encodes the borrowed event as it encodes serde's: pushed twice into a log
/// each way (so symbols interned earlier are met again), the logs hold the same events,
/// written back the same, at the same cost.
fn stored_the_same(borrowed: &EventRef<'_>, owned: &Event) -> Result<(), TestCaseError> {
    let (mut fast, mut slow) = (EventLog::default(), EventLog::default());
    for _ in 0..2 {
        fast.push_ref(borrowed);
        slow.push(owned);
    }
    for i in 0..2 {
        prop_assert_eq!(fast.event(i), slow.event(i));
        prop_assert_eq!(
            serde_json::to_string(&fast.event(i)).unwrap(),
            serde_json::to_string(&slow.event(i)).unwrap()
        );
    }
    prop_assert_eq!(fast.heap_bytes(), slow.heap_bytes());
    Ok(())
}

fn uuid() -> impl Strategy<Value = Uuid> {
    any::<u128>().prop_map(Uuid::from_u128)
}

/// Text with the characters that need escapes, and without.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z_]{0,12}",
        1 => "[a-zé\"\\\\/\\x00-\\x1f\u{2028}😀 ]{0,8}",
    ]
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        text().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        Just(json!([1, {"a": "b"}])),
        Just(json!({"n": -0.5})),
    ]
}

prop_compose! {
    fn event()(
        ids in proptest::collection::vec(uuid(), 6),
        kind in text(),
        phase in 0..8usize,
        links in (any::<bool>(), any::<bool>()),
        seq in any::<u64>(),
        timestamp_ns in any::<u64>(),
        duration_ns in proptest::option::of(any::<u64>()),
        error in proptest::option::of(text()),
        names in (proptest::option::of(text()), proptest::option::of(text())),
        inputs in proptest::collection::vec(uuid(), 0..4),
        outputs in proptest::collection::vec(uuid(), 0..3),
        entity_count in proptest::option::of(any::<u32>()),
        extra in proptest::collection::vec(("[a-z_]{1,6}", scalar()), 0..5),
    ) -> Event {
        let mut e = Event::root(Kind::Owned(kind), Phase::ALL[phase]);
        e.id = ids[0];
        e.parent_id = links.0.then_some(ids[1]);
        e.root_id = ids[2];
        e.lineage_id = ids[3];
        e.start_id = links.1.then_some(ids[4]);
        e.seq = seq;
        e.timestamp_ns = timestamp_ns;
        e.duration_ns = duration_ns;
        e.error = error;
        e.payload.process_name = names.0.map(Kind::Owned);
        e.payload.function_name = names.1.map(Kind::Owned);
        e.payload.input_entity_ids = inputs.into_iter().collect();
        e.payload.output_entity_ids = outputs.into_iter().collect();
        e.payload.entity_count = entity_count;
        for (k, v) in extra {
            e.payload.extra.insert(Kind::Owned(k), v);
        }
        e
    }
}

/// Bytes that change a line's meaning or layout.
const PUNCTUATION: &[u8] = b"\"\\,:{}[] \t\n0-1.eEnul";

fn mutate(line: &str, edits: &[(usize, u8, u8)]) -> String {
    let mut b = line.as_bytes().to_vec();
    for &(at, what, with) in edits {
        let at = at % (b.len() + 1);
        let byte = PUNCTUATION[usize::from(with) % PUNCTUATION.len()];
        match what % 4 {
            0 if at < b.len() => b[at] = byte,
            1 => b.insert(at, byte),
            2 if at < b.len() => {
                b.remove(at);
            }
            _ => {
                // A member repeated, or a stretch doubled.
                let end = (at + 1 + usize::from(with)).min(b.len());
                let copy = b[at.min(end)..end].to_vec();
                b.splice(at..at, copy);
            }
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn lines_lineage_writes_read_the_same_both_ways(e in event()) {
        let line = serde_json::to_string(&e).unwrap();
        assert_same(&line)?;
        // With the members in another order (a `Value`'s map sorts them) and spaced out.
        let sorted = serde_json::to_value(&e).unwrap();
        assert_same(&serde_json::to_string(&sorted).unwrap())?;
        assert_same(&serde_json::to_string_pretty(&sorted).unwrap())?;
    }

    #[test]
    fn mutated_lines_read_the_same_both_ways(
        e in event(),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..4),
    ) {
        let line = serde_json::to_string(&e).unwrap();
        assert_same(&mutate(&line, &edits))?;
    }
}

#[test]
fn the_lines_lineage_writes_take_the_fast_path() {
    let line = r#"{"id":"cfdf65d6-f6f5-4084-a128-92a8cca804f0","kind":"processing","phase":"started","root_id":"cfdf65d6-f6f5-4084-a128-92a8cca804f0","lineage_id":"9b3eb3ad-93ac-44f2-baa5-b2981ab39634","seq":0,"timestamp_ns":45166,"payload":{"process_name":"function_execution","function_name":"update_gpa","input_entity_ids":["00000000-0000-002a-0000-000000000000"],"entity_count":1,"extra":{"input_parameter_count":1,"is_async":true,"execution_pattern":"determining","n":-3}}}"#;
    let fast = read_line(line)
        .expect("a line as lineage writes it")
        .into_event();
    assert_eq!(Ok(&fast), serde_only(line).as_ref());
    assert_eq!(fast.payload.extra["n"], -3);
}

#[test]
fn what_the_fast_path_leaves_to_serde() {
    let base = r#"{"id":"00000000-0000-4000-8000-000000000001","kind":"k","phase":"started","root_id":"00000000-0000-4000-8000-000000000001","lineage_id":"00000000-0000-4000-8000-000000000001","seq":0,"timestamp_ns":0"#;
    for rest in [
        r#","foo":1}"#,
        r#","payload":{"bar":1}}"#,
        r#","payload":{"extra":{"big":18446744073709551616}}}"#,
        r#","payload":{"extra":{"f":0.5}}}"#,
        r#","payload":{"extra":{"z":-0}}}"#,
        r#","payload":{"extra":{"o":{"a":1}}}}"#,
        r#","payload":{"extra":{"a":1,"a":1}}}"#,
        r#","seq":1}"#,
        r#","error":"a\"b"}"#,
        r#"} x"#,
    ] {
        let text = format!("{base}{rest}");
        assert!(read_line(&text).is_none(), "{text}");
        assert_same(&text).unwrap();
    }
    assert!(read_line(&format!("{base}}}")).is_some());
}

#[test]
fn ids_in_every_form_the_uuid_crate_reads_read_the_same_both_ways() {
    for id in [
        "00000000-0000-4000-8000-00000000000a",
        "00000000-0000-4000-8000-00000000000A",
        "ABCDEF01-2345-6789-abcd-ef0123456789",
        "0000000000004000800000000000000a",
        "{00000000-0000-4000-8000-00000000000a}",
        "urn:uuid:00000000-0000-4000-8000-00000000000a",
        "00000000-0000-4000-8000-00000000000g",
        "00000000-0000-4000-8000_00000000000a",
        "00000000-0000-4000-8000-00000000000",
        "00000000-0000-4000-8000-00000000000a0",
        "0000000-00000-4000-8000-00000000000a",
        "00000000-0000-4000-8000-0000000000\u{e9}",
    ] {
        let text = format!(
            r#"{{"id":"{id}","kind":"k","phase":"started","parent_id":"{id}","root_id":"{id}","lineage_id":"{id}","seq":0,"timestamp_ns":0,"payload":{{"input_entity_ids":["{id}","{id}"]}}}}"#
        );
        assert_same(&text).unwrap();
    }
}

#[test]
fn integers_at_every_width_read_the_same_both_ways() {
    let base = r#"{"id":"00000000-0000-4000-8000-000000000001","kind":"k","phase":"started","root_id":"00000000-0000-4000-8000-000000000001","lineage_id":"00000000-0000-4000-8000-000000000001""#;
    let mut numbers: Vec<String> = (0..=20).map(|n| "9".repeat(n)).collect();
    numbers.extend(
        [
            "0",
            "01",
            "00",
            "1000000000000000000",
            "10000000000000000000",
            "18446744073709551615",
            "18446744073709551616",
            "18446744073709551620",
            "99999999999999999999",
            "1e3",
            "1.5",
            "-",
        ]
        .map(String::from),
    );
    for n in &numbers {
        let text = format!(
            r#"{base},"seq":{n},"timestamp_ns":{n},"payload":{{"extra":{{"u":{n},"i":-{n}}}}}}}"#
        );
        assert_same(&text).unwrap();
    }
    let max = format!(r#"{base},"seq":18446744073709551615,"timestamp_ns":0}}"#);
    assert_eq!(read_line(&max).map(|e| e.seq), Some(u64::MAX));
    let over = format!(r#"{base},"seq":18446744073709551616,"timestamp_ns":0}}"#);
    assert!(read_line(&over).is_none());
}
