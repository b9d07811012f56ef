//! The straight pass against the general reader: on every line, written by our exporter or
//! mutated byte by byte, either the straight pass gives up or it builds exactly the event
//! the general reader builds; and every line our exporter writes of an event the fast path
//! models is taken by the straight pass (so it cannot go quietly unused). The same for the
//! sorted template (`sorted`: an event as a `serde_json::Value` writes it, our Chrome
//! export's exact events), also read at the start of a longer text.

use proptest::prelude::*;
use serde_json::{json, Value};
use uuid::Uuid;

use super::{blank, read_general, sorted, straight};
use crate::core::{Event, EventRef, Kind, Phase};

fn read_straight(text: &str) -> Option<EventRef<'_>> {
    let mut event = blank();
    straight::read(text, &mut event).map(|()| event)
}

/// The straight pass, when it reads a line, reads what the general reader reads.
fn assert_agree(text: &str) -> Result<bool, TestCaseError> {
    let Some(fast) = read_straight(text) else {
        return Ok(false);
    };
    prop_assert_eq!(Some(fast), read_general(text), "{}", text);
    Ok(true)
}

fn read_sorted(text: &str) -> Option<EventRef<'_>> {
    let mut event = blank();
    sorted::read(text, &mut event).map(|()| event)
}

/// The sorted pass, when it reads a text, reads what the general reader reads; read at
/// the start of the text with more after it, it reads the same and says where it ended.
fn assert_sorted_agree(text: &str) -> Result<bool, TestCaseError> {
    let longer = format!("{text},{{\"id\":1}}]");
    let mut prefix = blank();
    let len = sorted::read_prefix(&longer, &mut prefix);
    let Some(fast) = read_sorted(text) else {
        prop_assert!(len.is_none() || len < Some(text.len()), "{}", text);
        return Ok(false);
    };
    prop_assert_eq!(len, Some(text.len()), "{}", text);
    prop_assert_eq!(&prefix, &fast);
    prop_assert_eq!(Some(fast), read_general(text), "{}", text);
    Ok(true)
}

fn uuid() -> impl Strategy<Value = Uuid> {
    any::<u128>().prop_map(Uuid::from_u128)
}

/// Text serde writes without escapes, with non-ASCII characters among it.
fn plain_text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_é😀 ./-]{0,14}"
}

/// Values of `extra` the fast path models.
fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        plain_text().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
        any::<u64>().prop_map(Value::from),
        (i64::MIN..0).prop_map(Value::from),
    ]
}

prop_compose! {
    fn plain_event()(
        ids in proptest::collection::vec(uuid(), 6),
        kind in plain_text(),
        phase in 0..8usize,
        links in (any::<bool>(), any::<bool>()),
        numbers in (any::<u64>(), any::<u64>(), proptest::option::of(any::<u64>())),
        error in proptest::option::of(plain_text()),
        names in (proptest::option::of(plain_text()), proptest::option::of(plain_text())),
        inputs in proptest::collection::vec(uuid(), 0..4),
        outputs in proptest::collection::vec(uuid(), 0..3),
        entity_count in proptest::option::of(any::<u32>()),
        extra in proptest::collection::vec(("[a-z_é]{1,6}", scalar()), 0..5),
    ) -> Event {
        let mut e = Event::root(Kind::Owned(kind), Phase::ALL[phase]);
        e.id = ids[0];
        e.parent_id = links.0.then_some(ids[1]);
        e.root_id = ids[2];
        e.lineage_id = ids[3];
        e.start_id = links.1.then_some(ids[4]);
        (e.seq, e.timestamp_ns, e.duration_ns) = numbers;
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
const PUNCTUATION: &[u8] = b"\"\\,:{}[] \t0-1.eEnul";

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
    fn every_line_our_exporter_writes_takes_the_straight_pass(e in plain_event()) {
        let line = serde_json::to_string(&e).unwrap();
        prop_assert!(assert_agree(&line)?, "the straight pass gave up on {}", line);
        prop_assert_eq!(&read_straight(&line).unwrap().into_event(), &e);
        // Spaced out or reordered, the same event is the general reader's to read.
        let sorted = serde_json::to_value(&e).unwrap();
        assert_agree(&serde_json::to_string_pretty(&sorted).unwrap())?;
        assert_agree(&serde_json::to_string(&sorted).unwrap())?;
    }

    #[test]
    fn every_event_a_value_writes_takes_the_sorted_pass(e in plain_event()) {
        let value = serde_json::to_value(&e).unwrap();
        let text = serde_json::to_string(&value).unwrap();
        prop_assert!(assert_sorted_agree(&text)?, "the sorted pass gave up on {}", text);
        let serde: Event = serde_json::from_value(value.clone()).unwrap();
        prop_assert_eq!(read_sorted(&text).unwrap().into_event(), serde);
        // Our exporter's order and a spaced-out layout are not its to read.
        prop_assert!(read_sorted(&serde_json::to_string_pretty(&value).unwrap()).is_none());
        assert_sorted_agree(&serde_json::to_string(&e).unwrap())?;
    }

    #[test]
    fn mutated_sorted_events_read_the_same_sorted_or_not(
        e in plain_event(),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..4),
    ) {
        let text = serde_json::to_string(&serde_json::to_value(&e).unwrap()).unwrap();
        assert_sorted_agree(&mutate(&text, &edits))?;
    }

    #[test]
    fn mutated_lines_read_the_same_straight_or_not(
        e in plain_event(),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..4),
    ) {
        let line = serde_json::to_string(&e).unwrap();
        assert_agree(&mutate(&line, &edits))?;
    }
}

#[test]
fn what_the_straight_pass_leaves_to_the_general_reader() {
    let head = r#"{"id":"00000000-0000-4000-8000-000000000001","kind":"k","phase":"started","root_id":"00000000-0000-4000-8000-000000000001","lineage_id":"00000000-0000-4000-8000-000000000001","seq":0,"timestamp_ns":0"#;
    for rest in [
        r#","payload":{"process_name":null}}"#,
        r#","payload":{"input_entity_ids":[]}}"#,
        r#","payload":{"extra":{"a":1},"process_name":"p"}}"#,
        r#","payload":{ "extra":{}}}"#,
        r#","payload":{"extra":{"a" :1}}}"#,
        r#","duration_ns":null,"payload":{}}"#,
        r#","payload":{}} "#,
        r#","payload":{"input_entity_ids":["0000000000004000800000000000000a"]}}"#,
    ] {
        let text = format!("{head}{rest}");
        assert!(read_straight(&text).is_none(), "{text}");
        assert!(read_general(&text).is_some(), "{text}");
    }
    for rest in [
        r#","payload":{}}"#,
        r#","payload":{"extra":{}}}"#,
        r#","payload":{"extra":{"a":-1,"b":"x","c":null,"d":false}}}"#,
    ] {
        let text = format!("{head}{rest}");
        assert!(assert_agree(&text).unwrap(), "{text}");
    }
    let nested = format!(
        r#"{head},"payload":{{"extra":{{"o":{}}}}}}}"#,
        json!({"a": 1})
    );
    assert!(read_straight(&nested).is_none());
}

#[test]
fn integers_read_in_words_read_as_serde_json_reads_them() {
    use super::Cursor;
    let mut texts = Vec::new();
    for width in 0..=21 {
        for digits in ["98765432109876543210987", "10000000000000000000000", "0"] {
            let number: String = digits.chars().cycle().take(width).collect();
            for end in [
                "",
                ",",
                "}",
                ".5",
                "e3",
                "x",
                "\u{e9}",
                ",\"timestamp_ns\":1234567",
            ] {
                texts.push(format!("{number}{end}"));
            }
        }
    }
    for text in &texts {
        let mut c = Cursor {
            s: text,
            b: text.as_bytes(),
            i: 0,
        };
        let read = c.u64().map(|v| (v, c.i));
        let number = &text[..text.bytes().take_while(u8::is_ascii_digit).count()];
        let rest = &text[number.len()..];
        let serde = serde_json::from_str::<u64>(number)
            .ok()
            .filter(|_| !rest.starts_with(['.', 'e', 'E']))
            .map(|v| (v, number.len()));
        assert_eq!(read, serde, "{text:?}");
    }
}
