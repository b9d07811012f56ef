//! The compact lines give back the events they were written from, in a third of the bytes,
//! and a hostile line is refused with a sentence, the rest of its message still read.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::compact::{Decoder, Encoder};
use super::message::Message;
use crate::core::{Event, Payload, Phase};

/// `ops` operations as the pipeline sends them: a root, a child that completes, the root
/// ending (every third one failing), with the few payloads a pipeline repeats.
fn pipeline_events(ops: usize) -> Vec<Event> {
    let mut out = Vec::new();
    for k in 0..ops {
        let mut root = Event::root("processing", Phase::Started);
        root.payload = Payload::process("function_execution")
            .function("update_gpa")
            .with("input_parameter_count", 2)
            .with("is_async", true);
        let mut child = Event::child_of(&root, "processing", Phase::Started);
        child.payload = Payload::process("input_preparation").function("update_gpa");
        let mut child_end = Event::child_of(&root, "processed", Phase::Completed);
        child_end.start_id = Some(child.id);
        child_end.duration_ns = Some(1_500 + k as u64);
        let failed = k % 3 == 0;
        let phase = if failed {
            Phase::Failed
        } else {
            Phase::Completed
        };
        let mut end = Event::root("processed", phase);
        (end.root_id, end.lineage_id, end.start_id) = (root.id, root.lineage_id, Some(root.id));
        end.error = failed.then(|| "ValueError: gpa out of range".to_string());
        for e in [root, child, child_end, end] {
            let seq = out.len() as u64;
            out.push(Event {
                seq,
                timestamp_ns: 1_000 * seq + k as u64 % 7,
                ..e
            });
        }
    }
    out
}

/// The message's lines as the listener writes them.
fn written(events: &[Event]) -> Vec<String> {
    let mut enc = Encoder::default();
    events
        .iter()
        .map(|e| {
            let mut line = String::new();
            enc.write(&mut line, e);
            line
        })
        .collect()
}

fn read_back(lines: &[String]) -> Vec<Event> {
    let mut dec = Decoder::default();
    lines
        .iter()
        .map(|l| {
            if Decoder::is_compact(l) {
                dec.read(l).unwrap()
            } else {
                serde_json::from_str(l).unwrap()
            }
        })
        .collect()
}

#[test]
fn a_pipeline_comes_back_equal_in_under_half_the_bytes() {
    let events = pipeline_events(200);
    let lines = written(&events);
    assert_eq!(read_back(&lines), events);
    let compact: usize = lines.iter().map(String::len).sum();
    let ndjson: usize = events
        .iter()
        .map(|e| serde_json::to_string(e).unwrap().len())
        .sum();
    assert!(compact * 2 < ndjson, "{compact} bytes against {ndjson}");
    assert!(lines.iter().all(|l| !l.contains('\n')));
}

#[test]
fn odd_events_come_back_equal() {
    let mut odd = Event::root("a\tkind \"quoted\"\n", Phase::Failed);
    odd.error = Some("line one\nline\ttwo \\ \u{1F600}".into());
    odd.duration_ns = Some(u64::MAX);
    odd.seq = u64::MAX;
    odd.timestamp_ns = u64::MAX;
    let mut back = Event::root("=0", Phase::Timeout);
    back.seq = 0;
    back.timestamp_ns = 0;
    back.parent_id = Some(odd.id);
    back.start_id = Some(odd.root_id);
    back.error = Some(String::new());
    // Members this crate does not model travel as the event's NDJSON line.
    let mut v = serde_json::to_value(Event::root("x", Phase::Progress)).unwrap();
    v["not_modelled"] = serde_json::json!({"a": [1, 2.5, null]});
    let unknown: Event = serde_json::from_value(v).unwrap();
    let mut with_payload = Event::root("processing", Phase::Started);
    with_payload.payload.extra =
        serde_json::from_str(r#"{"f":1e-7,"s":"\u0000","n":{"m":[true]}}"#).unwrap();
    let events = vec![
        odd.clone(),
        back,
        unknown.clone(),
        odd,
        with_payload.clone(),
        with_payload,
    ];
    let lines = written(&events);
    assert!(lines[2].starts_with('{'), "{}", lines[2]);
    assert!(lines[3].starts_with("=0\t=0\t"), "{}", lines[3]);
    assert!(lines[5].ends_with("\t=1"), "{}", lines[5]);
    assert_eq!(read_back(&lines), events);
}

#[test]
fn hostile_lines_are_refused_with_a_sentence() {
    let good = written(&pipeline_events(1))[0].clone();
    let head = good.rsplit_once('\t').unwrap().0;
    let cases = [
        ("", "no id"),
        ("=0", "refers to uuid 0 of 0"),
        ("zz\t\"k\"", "id is not a uuid"),
        (&good.replacen("\t1\t", "\t9\t", 1), "phase"),
        (&format!("{good}\textra"), "more than 12 fields"),
        (&format!("{head}\t=7"), "payload refers to payload 7 of 0"),
        (&format!("{head}\t[{{}}]"), "payload:"),
        (
            &good.replacen("\"processing\"", "\"unended", 1),
            "kind is not a JSON string",
        ),
    ];
    for (line, why) in cases {
        let err = Decoder::default().read(line).unwrap_err();
        assert!(err.contains(why), "{line:?}: {err}");
    }
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let err = Decoder::default()
        .read(&good.replace("\t{", &format!("\t{{\"extra\":{{\"d\":{deep}}},\"x\":{{")))
        .unwrap_err();
    assert!(err.contains("deeper than 1000"), "{err}");
    // The same nesting as an NDJSON line in a message: refused, not read recursively.
    let mut v = serde_json::to_value(&pipeline_events(1)[0]).unwrap();
    v["payload"]["extra"] = serde_json::json!({ "d": 0 });
    let line = v.to_string().replace("\"d\":0", &format!("\"d\":{deep}"));
    let Ok(Message::Events(b)) = Message::parse("events", &line, "1") else {
        panic!("an events message");
    };
    assert_eq!((b.rejected, b.events.len()), (1, 0), "{:?}", b.problems);
}

#[test]
fn a_message_keeps_its_readable_lines_and_counts_the_rest() {
    let events = pipeline_events(2);
    let mut lines = written(&events);
    lines[1] = "=99\t=0".into();
    let data = lines.join("\n");
    let Ok(Message::Events(b)) = Message::parse("events", &data, &lines.len().to_string()) else {
        panic!("an events message");
    };
    // What the bad line defined is unknown: the compact lines after it are refused too,
    // never read with references that may name the wrong ids.
    assert_eq!(b.rejected, events.len() as u64 - 1);
    assert_eq!(b.events.len(), 1);
    assert_eq!(b.events[0].0, 1);
    assert_eq!(b.events[0].1, events[0]);
    assert!(b.problems[0].starts_with("event 2: "), "{:?}", b.problems);
    assert!(
        b.problems[1].contains("follows an unreadable line"),
        "{:?}",
        b.problems
    );
}

/// The events of `lines` read as one `events` message, as the page reads them.
fn message_events(lines: &[String]) -> Vec<super::LiveEvent> {
    let data = lines.join("\n");
    let Ok(Message::Events(b)) = Message::parse("events", &data, &lines.len().to_string()) else {
        panic!("an events message");
    };
    assert_eq!(b.rejected, 0, "{:?}", b.problems);
    b.events.into_iter().map(|(_, e)| e).collect()
}

#[test]
fn events_stored_from_a_message_s_tables_are_the_events_written() {
    use super::wire::Incoming;
    use crate::model::EventLog;
    // The pipeline's (payloads as lineage writes them, read in place and repeated), and
    // the odd ones: escapes, an unknown member, payloads only serde reads (a float, a
    // nested object, as an OTLP span's `attributes`), repeated too.
    let mut events = pipeline_events(30);
    let mut otlp = Event::root("span", Phase::Started);
    otlp.payload.process_name = Some("GET /users".into());
    otlp.payload.extra = serde_json::from_str(
        r#"{"attributes":{"http.status":200,"ok":[true,1.5]},"otel":{"kind":2}}"#,
    )
    .unwrap();
    let mut otlp_end = Event::child_of(&otlp, "span", Phase::Failed);
    (otlp_end.start_id, otlp_end.error) = (Some(otlp.id), Some("tab\there \"q\"".into()));
    otlp_end.payload = otlp.payload.clone();
    let mut escaped = Event::root("k\\ind", Phase::Progress);
    escaped.payload = Payload::process("a \"quoted\" name").with("s", "line\nbreak");
    let mut v = serde_json::to_value(Event::root("x", Phase::Progress)).unwrap();
    v["not_modelled"] = serde_json::json!(1);
    events.extend([otlp, otlp_end, escaped, serde_json::from_value(v).unwrap()]);
    let lines = written(&events);
    let read = message_events(&lines);
    assert_eq!(read.len(), events.len());
    let mut stored = EventLog::default();
    for (e, want) in read.iter().zip(&events) {
        assert_eq!(e.id(), want.id);
        assert_eq!(e.to_event(), *want);
        e.push_to(&mut stored);
    }
    let owned = EventLog::new(events.clone());
    for (i, want) in events.iter().enumerate() {
        assert_eq!(stored.event(i), owned.event(i), "event {i}");
        assert_eq!(stored.event(i), *want, "event {i}");
    }
    // Held events are owned: they keep no message alive.
    let held = read[0].clone().to_hold();
    assert!(matches!(held, super::LiveEvent::Owned(_)));
    assert_eq!(held, events[0]);
}

#[test]
fn a_payload_repeated_in_a_message_is_read_once() {
    let events = pipeline_events(40);
    let lines = written(&events);
    let read = message_events(&lines);
    let super::LiveEvent::Compact(wire, _) = &read[0] else {
        panic!("a compact line is read into its message's tables");
    };
    // The pipeline's three payloads (root, child, none for the ends): once each.
    assert_eq!(wire.payloads.len(), 3, "{:?}", wire.payloads);
    assert!(read.iter().all(|e| match e {
        super::LiveEvent::Compact(w, _) => std::rc::Rc::ptr_eq(w, wire),
        _ => false,
    }));
}
