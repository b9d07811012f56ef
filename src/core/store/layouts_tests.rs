//! Fields stored through emit sites' layouts come back as they went in, whatever the site
//! writes this time: the usual keys, a subset, another order, more keys than the inline
//! arrays hold, a key written twice, a member kept as text, a key built at run time. Each
//! event is read back by every reader of the blob: the decoder, the payload's JSON, the
//! text search.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use serde_json::value::RawValue;
use serde_json::{json, Value};

use super::search::TextFinder;
use super::*;
use crate::core::event::{Event, Payload, Phase};

/// The keys of one emit site, as literals.
const SITE: [&str; 6] = ["rows", "mode", "ok", "ratio", "note", "delta"];

/// A value of the kind key `k` holds, varied by `n`.
fn value(k: usize, n: u64) -> Value {
    match k {
        0 => json!(n),
        1 => json!(format!("Mode {n} \"quoted\" é")),
        2 => json!(n.is_multiple_of(2)),
        3 => json!(n as f64 / 7.0),
        4 => json!("x".repeat(n as usize % 90)),
        _ => json!(-(n as i64) - 1),
    }
}

/// How one event's fields are written.
#[derive(Clone, Debug)]
enum Shape {
    /// These keys of the site, in this order, with literal keys.
    Literal(Vec<usize>),
    /// The same, then the first key written again (the fields become `Value`s).
    Rewritten(Vec<usize>),
    /// The same, plus a member kept as JSON text.
    WithText(Vec<usize>),
    /// The same, plus a key built at run time.
    WithOwnedKey(Vec<usize>),
}

fn payload(shape: &Shape, n: u64) -> Payload {
    let mut p = Payload::process("site");
    let (Shape::Literal(keys)
    | Shape::Rewritten(keys)
    | Shape::WithText(keys)
    | Shape::WithOwnedKey(keys)) = shape;
    for &k in keys {
        p.put(SITE[k], value(k, n));
    }
    match shape {
        Shape::Literal(_) => {}
        Shape::Rewritten(keys) => {
            if let Some(&k) = keys.first() {
                p.put(SITE[k], value(k, n + 1));
            }
        }
        Shape::WithText(_) => {
            let text = RawValue::from_string("123456789012345678901234567890".into()).unwrap();
            p.extra.insert_raw("big", text);
        }
        Shape::WithOwnedKey(_) => {
            p.put(format!("run time {n}"), n);
        }
    }
    p
}

fn event(shape: &Shape, n: u64) -> Event {
    let mut e = Event::root("processing", Phase::Started);
    e.payload = payload(shape, n);
    e.seq = n;
    e
}

/// Every reader of the blob sees the event's fields.
fn assert_read_back(s: &EventStore, pos: u64, e: &Event) {
    let back = s.event(pos).unwrap();
    assert_eq!(back, *e);
    assert_eq!(
        serde_json::to_string(&back.payload).unwrap(),
        serde_json::to_string(&e.payload).unwrap(),
        "the order of the keys is kept"
    );
    let r = *s.record(pos).unwrap();
    let mut json = Vec::new();
    super::payload_json::write_payload_json(s, &r, &mut json);
    assert_eq!(
        String::from_utf8(json).unwrap(),
        serde_json::to_string(&e.payload).unwrap()
    );
    for (key, value) in e.payload.extra.iter() {
        let mut by_key = TextFinder::new(&key.to_lowercase());
        assert!(by_key.record_contains(s, &r), "key {key:?}");
        let text = serde_json::to_string(value).unwrap().to_lowercase();
        let mut by_value = TextFinder::new(&text);
        assert!(by_value.record_contains(s, &r), "value {text}");
    }
}

#[test]
fn an_event_whose_fields_differ_from_its_sites_usual_layout_comes_back_whole() {
    let usual = Shape::Literal(vec![0, 1, 2]);
    let others = [
        Shape::Literal(vec![1, 0, 2]),
        Shape::Literal(vec![0]),
        Shape::Literal(vec![0, 1, 2, 3]),
        Shape::Literal(vec![0, 1, 2, 3, 4, 5]),
        Shape::Rewritten(vec![0, 1, 2]),
        Shape::WithText(vec![0, 1, 2]),
        Shape::WithOwnedKey(vec![0, 1, 2]),
    ];
    let mut s = EventStore::bounded(50, Duplicates::KeepLatest);
    let mut held = std::collections::VecDeque::new();
    for n in 0..400u64 {
        let shape = if n % 3 == 0 {
            &others[(n / 3) as usize % others.len()]
        } else {
            &usual
        };
        let e = event(shape, n);
        let pos = s.push_event(&e, n);
        held.push_back((pos, e));
        if held.len() > 50 {
            held.pop_front();
        }
        for (pos, e) in held.iter().rev().take(3) {
            assert_read_back(&s, *pos, e);
        }
    }
    for (pos, e) in &held {
        assert_read_back(&s, *pos, e);
    }
    // The literal lists became layouts once each (the site's usual keys and the four other
    // literal lists): a key written twice, a run-time key or a text member makes none.
    assert_eq!(s.symbols().layouts().len(), 5);
}

/// Native only: `proptest` is not built for the browser (the test above runs in both).
#[cfg(not(target_arch = "wasm32"))]
mod properties {
    use proptest::prelude::*;

    use super::*;

    fn shape() -> impl Strategy<Value = Shape> {
        let keys =
            proptest::sample::subsequence((0..SITE.len()).collect::<Vec<_>>(), 1..=SITE.len())
                .prop_shuffle();
        (keys, 0..8u8).prop_map(|(keys, how)| match how {
            0 => Shape::Rewritten(keys),
            1 => Shape::WithText(keys),
            2 => Shape::WithOwnedKey(keys),
            _ => Shape::Literal(keys),
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn fields_of_any_shape_from_one_site_round_trip_through_every_reader(
            shapes in proptest::collection::vec(shape(), 1..40),
            cap in 1usize..30,
        ) {
            let mut s = EventStore::bounded(cap, Duplicates::KeepLatest);
            let events: Vec<(u64, Event)> = shapes
                .iter()
                .enumerate()
                .map(|(n, shape)| {
                    let e = event(shape, n as u64);
                    (s.push_event(&e, 0), e)
                })
                .collect();
            for (pos, e) in events.iter().rev().take(cap) {
                assert_read_back(&s, *pos, e);
            }
        }
    }
}
