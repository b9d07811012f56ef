//! The purpose-built reader against serde: on every trace event, generated or mutated byte by
//! byte, either `fast` gives up or it makes the record serde's path makes; and whole files
//! (our exports, another tool's slices, the fuzz seeds, the hostile corpus) read through
//! both give the same store, notes and skipped counts, or the same error.

use proptest::prelude::*;
use serde_json::{json, Map, Value};

use super::fast;
use super::raw::{Ours, RawEvent, Record, SERDE_ONLY};
use crate::model::EventLog;
use crate::trace::native;
use crate::trace::read::{from_str_deep, Limits};
use crate::trace::{Format, Importer};

/// The record serde's path makes, or its error.
fn serde_record(text: &str) -> Result<Record<'_>, String> {
    let ev: RawEvent = from_str_deep(text).map_err(|e| e.to_string())?;
    let mut r = Record::from_serde(ev);
    r.ours = Some(Ours::of(r.args));
    Ok(r)
}

/// `fast`'s record, when it has one, is serde's; and its `args` make a `Value`, as the
/// end-of-file pass needs.
fn assert_same(text: &str) -> Result<(), TestCaseError> {
    let Some(mut fast) = fast::read(text) else {
        return Ok(());
    };
    // The events it read on the way are the line reader's own.
    let ours = fast.ours.unwrap();
    for (read, text) in fast.read.iter().zip([ours.start, ours.end, ours.event]) {
        if let Some(read) = read {
            let again = text.and_then(native::read_exact_ref);
            prop_assert_eq!(Some(read), again.as_ref());
        }
    }
    (fast.read, fast.fast) = ([None, None, None], false);
    let serde = serde_record(text);
    prop_assert_eq!(Ok(&fast), serde.as_ref(), "{}", text);
    if let Some(a) = fast.args {
        prop_assert!(from_str_deep::<Value>(a).is_ok(), "{}", a);
    }
    Ok(())
}

/// What an import into the store gives: every event as the store gives it back, the notes
/// and skipped counts, or the error as a sentence.
fn import(bytes: &[u8], serde_only: bool) -> Result<(Vec<String>, usize, Vec<String>), String> {
    SERDE_ONLY.set(serde_only);
    let mut importer = Importer::with_format(Format::Chrome, EventLog::default(), Limits::DEFAULT);
    let done = importer
        .feed(bytes)
        .and_then(|()| importer.finish())
        .map_err(|e| e.to_string());
    SERDE_ONLY.set(false);
    let done = done?;
    let log = &done.sink;
    let events = (0..log.len())
        .map(|i| serde_json::to_string(&log.event(i)).unwrap())
        .collect();
    let mut notes = done.notes.clone();
    notes.extend(done.skipped.iter().map(|(k, n)| format!("{k} × {n}")));
    Ok((events, log.heap_bytes(), notes))
}

fn assert_same_import(bytes: &[u8]) {
    let (fast, slow) = (import(bytes, false), import(bytes, true));
    assert_eq!(
        fast,
        slow,
        "{}",
        String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
    );
}

/// A lineage run exported as Chrome JSON: the shape `fast` exists for.
fn our_export() -> String {
    let original = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/abstractions-sample.ndjson"
    ))
    .unwrap();
    let events = crate::trace::import(&original, None).unwrap().events;
    crate::trace::chrome::export(&events)
}

#[test]
fn our_export_reads_the_same_both_ways_and_takes_the_fast_path() {
    let text = our_export();
    assert_same_import(text.as_bytes());
    let doc: Value = serde_json::from_str(&text).unwrap();
    let records = doc["traceEvents"].as_array().unwrap();
    for r in records {
        let line = r.to_string();
        let read = fast::read(&line).unwrap_or_else(|| panic!("left to serde: {line}"));
        // Exact events the line reader reads are read on the way, never skimmed first.
        let ours = read.ours.unwrap();
        for (k, text) in [ours.start, ours.end, ours.event].into_iter().enumerate() {
            let line_reader = text.and_then(native::read_exact_ref).is_some();
            assert_eq!(read.read[k].is_some(), line_reader, "{line}");
        }
        assert_same(&line).unwrap();
    }
}

#[test]
fn other_tools_slices_take_the_fast_path() {
    for text in [
        r#"{"args":{"frame":0,"url":"https://example.org/index.html"},"cat":"blink","dur":900,"name":"Parse","ph":"X","pid":1,"tid":0,"ts":0}"#,
        r#"{"name": "thread_name", "ph": "M", "pid": 7, "tid": -3, "args": {"name": "main"}}"#,
        r#"{"ph":"i","s":"g","ts":1.5e3,"name":true,"args":null,"tts":[1,{"a":[]}]}"#,
        r#"{"ph":"X","ts":0}"#,
    ] {
        assert!(fast::read(text).is_some(), "{text}");
        assert_same(text).unwrap();
    }
}

#[test]
fn the_fuzz_seeds_and_the_hostile_corpus_read_the_same_both_ways() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut files = 0;
    for dir in ["fuzz/seeds/chrome", "tests/hostile", "tests/fixtures"] {
        for entry in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                assert_same_import(&std::fs::read(&path).unwrap());
                files += 1;
            }
        }
    }
    assert!(files >= 5, "only {files} files");
}

#[test]
fn what_the_fast_path_leaves_to_serde() {
    for text in [
        r#"{"ph":"X","ts":0,"name":"a\"b"}"#,
        r#"{"ph":"X","ph":"B","ts":0}"#,
        r#"{"ph":"X","ts":0,"name":1.5}"#,
        r#"{"ph":"X","ts":0,"pid":-0}"#,
        r#"{"ph":"X","ts":0,"tid":18446744073709551616}"#,
        r#"{"ph":"X","ts":1e400}"#,
        r#"{"ph":"X","ts":0,"args":[{"id":1}]}"#,
        r#"{"ph":"X","ts":0,"args":{"a":1e400}}"#,
        r#"{"ph":"X","ts":0,"args":{"a":"\ud800"}}"#,
        r#"{"ts":0}"#,
        r#"{"ph":"X","ts":0,}"#,
        r#"{"ph":"X","ts":01}"#,
        r#"{"ph":"X","ts":"0"}"#,
        "{\"ph\":\"X\",\"ts\":0,\"name\":\"a\tb\"}",
    ] {
        assert!(fast::read(text).is_none(), "{text}");
    }
}

#[test]
fn args_serde_cannot_hold_as_a_value_are_refused_with_their_place() {
    for bad in [r#"{"a":1e400}"#, r#"{"a":"\ud800"}"#] {
        let trace = format!(r#"[{{"ph":"X","ts":0}},{{"ph":"X","ts":0,"args":{bad}}}]"#);
        let err = import(trace.as_bytes(), false).unwrap_err();
        assert!(err.contains("traceEvents[1].args"), "{err}");
        assert_eq!(import(trace.as_bytes(), true).unwrap_err(), err);
    }
}

/// Text with characters that need escapes, and without.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z_ ]{0,12}",
        1 => "[a-zé\"\\\\/\\x00-\\x1f\u{2028}😀 ]{0,6}",
    ]
}

/// What other tools write in `name`, `cat`, `pid`, `tid`, `s`.
fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => text().prop_map(Value::from),
        2 => any::<u64>().prop_map(Value::from),
        2 => any::<i64>().prop_map(Value::from),
        1 => (-1e9f64..1e9).prop_map(Value::from),
        1 => any::<bool>().prop_map(Value::from),
        1 => Just(Value::Null),
        1 => Just(json!({"n": [1, -0.5, "x"]})),
    ]
}

/// A time in µs as tools write them.
fn micros() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<u32>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        Just(Value::Null),
        Just(json!("12")),
    ]
}

/// `args`: other tools' fields, sometimes with our export's keys.
fn args() -> impl Strategy<Value = Value> {
    let event = json!({"id":"00000000-0000-4000-8000-000000000001","kind":"k","phase":"started",
        "root_id":"00000000-0000-4000-8000-000000000001",
        "lineage_id":"00000000-0000-4000-8000-000000000002","seq":0,"timestamp_ns":5});
    prop_oneof![
        proptest::collection::vec(("[a-z]{1,5}", scalar()), 0..5)
            .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        (any::<u8>(), scalar()).prop_map(move |(which, v)| {
            let key = ["start", "end", "event"][usize::from(which) % 3];
            json!({ key: event.clone(), "other": v, "status": "completed" })
        }),
        scalar(),
    ]
}

prop_compose! {
    fn trace_event()(
        ph in prop_oneof![Just("X"), Just("B"), Just("E"), Just("i"), Just("I"), Just("M"), Just("C")],
        members in proptest::collection::vec(
            (0..9usize, scalar(), micros()), 0..9),
        args in proptest::option::of(args()),
        unknown in proptest::option::of(scalar()),
    ) -> Value {
        let mut o = Map::new();
        o.insert("ph".into(), json!(ph));
        for (which, s, t) in members {
            let (key, v) = match which {
                0 => ("name", s), 1 => ("cat", s), 2 => ("pid", s), 3 => ("tid", s),
                4 => ("s", s), 5 => ("ts", t), 6 => ("dur", t), 7 => ("id", s), _ => ("bp", s),
            };
            o.insert(key.into(), v);
        }
        if let Some(a) = args {
            o.insert("args".into(), a);
        }
        if let Some(u) = unknown {
            o.insert("zz".into(), u);
        }
        Value::Object(o)
    }
}

/// Bytes that change a record's meaning or layout.
const PUNCTUATION: &[u8] = b"\"\\,:{}[] \t\n0-1.eEnul";

fn mutate(text: &str, edits: &[(usize, u8, u8)]) -> String {
    let mut b = text.as_bytes().to_vec();
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
    fn trace_events_read_the_same_both_ways(e in trace_event()) {
        assert_same(&e.to_string())?;
        assert_same(&serde_json::to_string_pretty(&e).unwrap())?;
    }

    #[test]
    fn mutated_trace_events_read_the_same_both_ways(
        e in trace_event(),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..4),
    ) {
        assert_same(&mutate(&e.to_string(), &edits))?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn generated_traces_import_the_same_both_ways(
        events in proptest::collection::vec(trace_event(), 1..12),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 0..2),
    ) {
        let doc = json!({ "traceEvents": events }).to_string();
        let doc = mutate(&doc, &edits);
        prop_assert_eq!(import(doc.as_bytes(), false), import(doc.as_bytes(), true));
    }
}

proptest! {
    /// Short decimals (the `ts` and `dur` of most traces) read by `fast`'s own division are
    /// `str::parse`'s `f64`, bit for bit, and anything longer or with an exponent is left
    /// to it.
    #[test]
    fn short_decimals_are_read_as_parse_reads_them(
        negative in any::<bool>(),
        int in prop_oneof![0u64..1000, 0u64..10_000_000_000_000, any::<u64>()],
        frac in prop::option::of("[0-9]{1,17}"),
        exponent in prop::option::of(-30i32..30),
    ) {
        let mut text = format!("{}{int}", if negative { "-" } else { "" });
        if let Some(f) = &frac {
            text += &format!(".{f}");
        }
        if let Some(e) = exponent {
            text += &format!("e{e}");
        }
        let digits = text.bytes().filter(u8::is_ascii_digit).count();
        let got = fast::short_decimal(text.as_bytes());
        if exponent.is_some() || digits > 15 {
            prop_assert!(got.is_none(), "{}", text);
        } else {
            let want: f64 = text.parse().unwrap();
            prop_assert_eq!(got.map(f64::to_bits), Some(want.to_bits()), "{}", text);
        }
    }
}
