//! Chrome Trace Event Format: the export obeys the format's rules; the import reads our own
//! exports exactly and other tools' traces by their nesting.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_family = "wasm")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use common::concurrent_run;
use lineage::analysis::Inspection;
use lineage::core::{EmitMode, Event, Phase};
use lineage::model::Status;
use lineage::trace::{self, chrome, Format, Problem};
use serde_json::{json, Value};

fn trace_events(json: &str) -> Vec<Value> {
    let doc: Value = serde_json::from_str(json).unwrap();
    doc["traceEvents"].as_array().unwrap().clone()
}

#[test]
fn the_export_follows_the_format_rules_in_every_emit_mode() {
    for mode in [EmitMode::Awaited, EmitMode::FireAndForget] {
        let json = trace::export_chrome(&concurrent_run(mode));
        chrome::check_rules(&json).unwrap_or_else(|e| panic!("{mode}: {e}"));
    }
}

#[test]
fn every_operation_level_is_one_complete_event_with_ids_links_and_phase_in_args() {
    let events = concurrent_run(EmitMode::Awaited);
    let json = trace::export_chrome(&events);
    let xs: Vec<Value> = trace_events(&json)
        .into_iter()
        .filter(|e| e["ph"] == "X")
        .collect();
    assert_eq!(xs.len(), events.len() / 2);
    for x in &xs {
        let args = &x["args"];
        assert!(args["id"].is_string() && args["root_id"].is_string());
        assert_eq!(args["start"]["phase"], "started");
        assert!(["completed", "failed"].contains(&args["end"]["phase"].as_str().unwrap()));
        assert!(
            x["ts"].is_f64() && x["dur"].is_f64(),
            "times are µs numbers: {x}"
        );
        assert!(x["dur"].as_f64().unwrap() >= 0.0);
    }
    let nested = xs
        .iter()
        .filter(|x| x["args"]["parent_id"].is_string())
        .count();
    assert_eq!(
        nested,
        xs.len() * 2 / 3,
        "two of three levels name a parent"
    );
}

#[test]
fn concurrent_operations_take_separate_lanes_linked_by_paired_flows() {
    let json = trace::export_chrome(&concurrent_run(EmitMode::Awaited));
    let evs = trace_events(&json);
    let lanes: std::collections::BTreeSet<u64> = evs
        .iter()
        .filter(|e| e["ph"] == "X")
        .map(|e| e["tid"].as_u64().unwrap())
        .collect();
    assert!(
        lanes.len() >= 6,
        "six interleaved calls need six lanes: {lanes:?}"
    );
    let names = evs
        .iter()
        .filter(|e| e["ph"] == "M" && e["name"] == "thread_name")
        .count();
    assert_eq!(names, lanes.len(), "every lane is named");
    let starts = evs.iter().filter(|e| e["ph"] == "s").count();
    let ends = evs.iter().filter(|e| e["ph"] == "f").count();
    assert_eq!(starts, ends);
}

#[test]
fn timestamps_are_microseconds_from_the_earliest_event() {
    let events = concurrent_run(EmitMode::Awaited);
    let origin = events.iter().map(|e| e.timestamp_ns).min().unwrap();
    let json = trace::export_chrome(&events);
    let first = &events[0];
    let x = trace_events(&json)
        .into_iter()
        .find(|e| e["args"]["id"] == json!(first.id))
        .unwrap();
    assert_eq!(
        x["ts"].as_f64().unwrap(),
        (first.timestamp_ns - origin) as f64 / 1000.0
    );
}

#[test]
fn our_own_export_reads_back_to_the_same_events() {
    let mut events = concurrent_run(EmitMode::FireAndForget);
    let json = trace::export_chrome(&events);
    let back = trace::import(json.as_bytes(), None).unwrap();
    assert_eq!(back.format, Some(Format::Chrome));
    // Only the flow arrows are passed over: the links they draw are in the args.
    assert!(
        back.skipped.iter().all(|(ph, _)| ph == "s" || ph == "f"),
        "{:?}",
        back.skipped
    );
    let mut got = back.events;
    events.sort_by_key(|e| e.id);
    got.sort_by_key(|e| e.id);
    assert_eq!(got, events);
}

#[test]
fn an_unfinished_operation_is_exported_as_a_begin_without_end_and_read_back_unfinished() {
    let root = Event::root("processing", Phase::Started);
    let mut child = Event::child_of(&root, "processing", Phase::Started);
    child.timestamp_ns = 10;
    let json = trace::export_chrome(&[root.clone(), child.clone()]);
    chrome::check_rules(&json).unwrap();
    let bs = trace_events(&json)
        .into_iter()
        .filter(|e| e["ph"] == "B")
        .count();
    assert_eq!(bs, 2);
    let back = trace::import(json.as_bytes(), None).unwrap();
    let ins = Inspection::of_import(&back);
    assert_eq!(ins.summary.unfinished, 1);
    assert_eq!(
        ins.spans
            .spans
            .iter()
            .filter(|s| s.status == Status::Unfinished)
            .count(),
        2
    );
}

/// A trace as other tools write it.
fn foreign() -> Value {
    json!([
        {"name": "process_name", "ph": "M", "pid": 7, "args": {"name": "renderer"}},
        {"name": "thread_name", "ph": "M", "pid": 7, "tid": 1, "args": {"name": "main"}},
        {"name": "outer", "cat": "app", "ph": "B", "ts": 100, "pid": 7, "tid": 1, "args": {"a": 1}},
        {"name": "inner", "cat": "app", "ph": "X", "ts": 110.5, "dur": 20, "pid": 7, "tid": 1},
        {"name": "mark", "ph": "i", "s": "t", "ts": 115, "pid": 7, "tid": 1},
        {"name": "old mark", "ph": "I", "ts": 140, "pid": 7, "tid": 1},
        {"name": "global", "ph": "i", "s": "g", "ts": 116, "pid": 7, "tid": 1},
        {"name": "counter", "ph": "C", "ts": 120, "pid": 7, "args": {"n": 3}},
        {"name": "flow", "ph": "s", "id": 1, "ts": 120, "pid": 7, "tid": 1},
        {"ph": "E", "ts": 200, "pid": 7, "tid": 1},
        {"name": "other thread", "ph": "X", "ts": 120, "dur": 5, "pid": 7, "tid": 2},
        {"name": "open", "ph": "B", "ts": 300, "pid": 7, "tid": 1},
        {"ph": "E", "ts": 50, "pid": 7, "tid": 9}
    ])
}

#[test]
fn other_tools_slices_nest_by_time_on_their_thread() {
    let back = trace::import(foreign().to_string().as_bytes(), None).unwrap();
    let ins = Inspection::new(back.events.clone(), &[]);
    let evs: Vec<_> = ins.trace.events().collect();
    let label = |s: usize| evs[ins.spans.spans[s].start].label().to_owned();
    let by_label = |l: &str| (0..ins.spans.len()).find(|&s| label(s) == l).unwrap();
    let outer = by_label("outer");
    let child_labels: Vec<String> = ins.spans.spans[outer]
        .children
        .iter()
        .map(|&c| label(c))
        .collect();
    assert_eq!(child_labels, vec!["inner", "old mark"]);
    let inner = by_label("inner");
    assert_eq!(
        ins.spans.spans[inner]
            .children
            .iter()
            .map(|&c| label(c))
            .collect::<Vec<_>>(),
        vec!["mark"]
    );
    assert_eq!(ins.spans.spans[by_label("global")].parent, None);
    assert_eq!(ins.spans.spans[by_label("other thread")].parent, None);
    assert_eq!(ins.spans.spans[by_label("open")].status, Status::Unfinished);
    assert_eq!(ins.spans.spans[outer].status, Status::Completed);
    let outer_start = &evs[ins.spans.spans[outer].start];
    assert_eq!(outer_start.timestamp_ns, 100_000);
    assert_eq!(outer_start.payload.extra["thread"], "main");
    assert_eq!(outer_start.payload.extra["process"], "renderer");
    assert_eq!(outer_start.payload.extra["args"], json!({"a": 1}));
    assert_eq!(
        evs[ins.spans.spans[inner].end.unwrap()].duration_ns,
        Some(20_000)
    );
}

#[test]
fn unknown_phases_are_skipped_and_counted() {
    let back = trace::import(foreign().to_string().as_bytes(), None).unwrap();
    let mut skipped = back.skipped.clone();
    skipped.sort();
    assert_eq!(
        skipped,
        vec![
            ("C".to_owned(), 1),
            ("E without B".to_owned(), 1),
            ("s".to_owned(), 1)
        ]
    );
}

#[test]
fn the_same_foreign_file_always_gives_the_same_ids() {
    let text = foreign().to_string();
    let a = trace::import(text.as_bytes(), None).unwrap();
    let b = trace::import(text.as_bytes(), None).unwrap();
    assert_eq!(a.events, b.events);
}

#[test]
fn the_object_form_and_a_truncated_array_read_like_the_array() {
    let array = foreign().to_string();
    let object = json!({"traceEvents": foreign(), "displayTimeUnit": "ms"}).to_string();
    let truncated = format!("{},\n", &array[..array.len() - 1]);
    let a = trace::import(array.as_bytes(), None).unwrap();
    for text in [object, truncated] {
        let b = trace::import(text.as_bytes(), None).unwrap();
        assert_eq!(b.events, a.events);
    }
}

#[test]
fn a_timestamp_that_is_not_a_number_is_an_error_with_path_and_position() {
    let text = "[\n{\"name\": \"a\", \"ph\": \"X\", \"ts\": 1, \"dur\": 1, \"pid\": 1, \"tid\": 1},\n{\"name\": \"b\", \"ph\": \"X\", \"ts\": \"soon\", \"pid\": 1, \"tid\": 1}\n]";
    let err = trace::import(text.as_bytes(), None).unwrap_err();
    assert_eq!(err.format, Some(Format::Chrome));
    let at = err.at.unwrap();
    assert_eq!(at.line, 3);
    let Problem::Invalid {
        field, expected, ..
    } = &err.problem
    else {
        panic!("{err:?}")
    };
    assert_eq!(field, "traceEvents[1].ts");
    assert!(expected.contains("a number of microseconds"), "{expected}");
    let msg = err.to_string();
    assert!(
        msg.starts_with("could not read the Chrome trace: at line 3, column"),
        "{msg}"
    );
}

#[test]
fn a_negative_duration_is_an_error() {
    let text =
        json!([{"name": "a", "ph": "X", "ts": 1, "dur": -3, "pid": 1, "tid": 1}]).to_string();
    let err = trace::import(text.as_bytes(), None).unwrap_err();
    assert!(
        err.to_string()
            .contains("traceEvents[0].dur: expected a non-negative number"),
        "{err}"
    );
}

#[test]
fn the_rule_checker_rejects_broken_traces() {
    let bad = [
        json!([{"name": "a", "ph": "X", "ts": 1, "pid": 1, "tid": 1}]),
        json!([{"name": "a", "ph": "X", "ts": 1, "dur": -1, "pid": 1, "tid": 1}]),
        json!([{"name": "a", "ph": "E", "ts": 1, "pid": 1, "tid": 1}]),
        json!([{"name": "a", "ph": "i", "ts": "1", "pid": 1, "tid": 1}]),
        json!([{"name": "a", "ph": "i", "ts": 1, "pid": 1}]),
        json!([{"name": "a", "ph": "s", "id": 1, "ts": 1, "pid": 1, "tid": 1}]),
        json!([{"name": "a", "ph": "Q", "ts": 1, "pid": 1, "tid": 1}]),
        json!([
            {"name": "a", "ph": "X", "ts": 0, "dur": 10, "pid": 1, "tid": 1},
            {"name": "b", "ph": "X", "ts": 5, "dur": 10, "pid": 1, "tid": 1}
        ]),
    ];
    for t in bad {
        assert!(chrome::check_rules(&t.to_string()).is_err(), "accepted {t}");
    }
}

#[test]
fn events_centuries_apart_export_within_the_rules_and_read_back() {
    // Found by fuzzing: µs offsets above 9e15 were refused on the way back in.
    let mut a = Event::root("processing", Phase::Started);
    let mut end = Event::child_of(&a, "processed", Phase::Completed);
    end.parent_id = None;
    end.start_id = Some(a.id);
    a.timestamp_ns = 0;
    end.timestamp_ns = 14_484_700_799_999_730_000;
    let mut late = Event::root("processing", Phase::Pending);
    late.timestamp_ns = u64::MAX;
    let events = vec![a, end, late];
    let json = trace::export_chrome(&events);
    chrome::check_rules(&json).unwrap();
    let back = trace::import(json.as_bytes(), None).unwrap();
    let mut got = back.events;
    let mut want = events;
    got.sort_by_key(|e| e.id);
    want.sort_by_key(|e| e.id);
    assert_eq!(got, want);
}
