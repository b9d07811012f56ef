//! OTLP JSON: spans to operations, attributes of every type, ids and times.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_family = "wasm")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use lineage::analysis::Inspection;
use lineage::core::Phase;
use lineage::model::Status;
use lineage::trace::{self, Format, Problem};
use serde_json::{json, Value};

const SAMPLE: &str = include_str!("fixtures/otlp-sample.json");

#[test]
fn spans_become_operations_nested_by_parent_span_id() {
    let imported = trace::import(SAMPLE.as_bytes(), Some("traces.json")).unwrap();
    assert_eq!(imported.format, Some(Format::Otlp));
    let ins = Inspection::of_import(&imported);
    assert_eq!(ins.summary.operations, 1);
    let evs: Vec<_> = ins.trace.events().collect();
    let root = &ins.spans.spans[ins.spans.roots[0]];
    assert_eq!(evs[root.start].label(), "aexecute");
    assert_eq!(root.status, Status::Completed);
    let mid = &ins.spans.spans[root.children[0]];
    assert_eq!(evs[mid.start].label(), "execute_with_partial");
    assert_eq!(mid.status, Status::Failed);
    let labels: Vec<&str> = mid
        .children
        .iter()
        .map(|&c| evs[ins.spans.spans[c].start].label())
        .collect();
    assert_eq!(labels, vec!["execute_transactional", "retry"]);
    for e in &evs {
        assert_eq!(
            e.root_id, evs[root.start].id,
            "one root for the whole trace"
        );
        assert_eq!(e.lineage_id, evs[root.start].lineage_id);
    }
}

#[test]
fn status_code_two_fails_the_operation_with_its_message() {
    let events = trace::import(SAMPLE.as_bytes(), None).unwrap().events;
    let failed: Vec<_> = events.iter().filter(|e| e.phase == Phase::Failed).collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].error.as_deref(), Some("gpa out of range"));
    assert_eq!(failed[0].duration_ns, Some(800_000_000));
}

#[test]
fn a_span_without_an_end_time_never_finished() {
    let ins = Inspection::of_import(&trace::import(SAMPLE.as_bytes(), None).unwrap());
    let unfinished: Vec<_> = ins
        .spans
        .spans
        .iter()
        .filter(|s| s.status == Status::Unfinished)
        .map(|s| ins.trace.label(s.start).to_owned())
        .collect();
    assert_eq!(unfinished, vec!["execute_transactional"]);
}

#[test]
fn attribute_values_of_every_type_become_plain_json() {
    let events = trace::import(SAMPLE.as_bytes(), None).unwrap().events;
    let root = events.iter().find(|e| e.label() == "aexecute").unwrap();
    assert_eq!(
        root.payload.extra["attributes"],
        json!({
            "function": "update_gpa", "ok": true, "count": 42, "count_as_number": 7,
            "ratio": 0.25, "weird": "NaN", "blob": "aGVsbG8=", "list": ["a", 1],
            "map": {"inner": {"deep": false}}, "empty": null,
        })
    );
    let otel = &root.payload.extra["otel"];
    assert_eq!(
        otel["resource"],
        json!({"service.name": "registry", "host.cores": 2})
    );
    assert_eq!(otel["scope"]["name"], "abstractions.events");
    assert_eq!(otel["kind"], "SPAN_KIND_INTERNAL");
    assert_eq!(otel["trace_id"], "5b8efff798038103d269b633813fc60c");
}

#[test]
fn hex_ids_map_to_uuids_deterministically_whatever_their_case() {
    let events = trace::import(SAMPLE.as_bytes(), None).unwrap().events;
    let root = events.iter().find(|e| e.label() == "aexecute").unwrap();
    assert_eq!(root.id.to_string(), "eee19b7e-c3c1-b174-d269-b633813fc60c");
    let mid = events
        .iter()
        .find(|e| e.label() == "execute_with_partial")
        .unwrap();
    assert_eq!(
        mid.parent_id,
        Some(root.id),
        "upper-case parent ids match lower-case spans"
    );
}

#[test]
fn times_as_strings_and_as_numbers_read_the_same() {
    let events = trace::import(SAMPLE.as_bytes(), None).unwrap().events;
    let root = events.iter().find(|e| e.label() == "aexecute").unwrap();
    let mid = events
        .iter()
        .find(|e| e.label() == "execute_with_partial")
        .unwrap();
    assert_eq!(root.timestamp_ns, 1_544_712_660_000_000_000);
    assert_eq!(mid.timestamp_ns, 1_544_712_660_100_000_000);
}

fn one_line(doc: &Value) -> String {
    serde_json::to_string(doc).unwrap()
}

#[test]
fn json_lines_of_traces_data_read_as_one_trace() {
    let doc: Value = serde_json::from_str(SAMPLE).unwrap();
    let mut other = doc.clone();
    for span in other["resourceSpans"][0]["scopeSpans"][0]["spans"]
        .as_array_mut()
        .unwrap()
    {
        span["traceId"] = json!("00000000000000000000000000000001");
    }
    let text = format!("{}\n{}\n", one_line(&doc), one_line(&other));
    let imported = trace::import(text.as_bytes(), None).unwrap();
    assert_eq!(imported.format, Some(Format::Otlp));
    let ins = Inspection::of_import(&imported);
    assert_eq!(ins.summary.operations, 2);
    assert!(ins
        .lints
        .iter()
        .all(|l| l.kind != lineage::analysis::lints::LintKind::DuplicateId));
}

#[test]
fn the_older_instrumentation_library_spans_key_reads_too() {
    let text = SAMPLE.replace("scopeSpans", "instrumentationLibrarySpans");
    let a = trace::import(SAMPLE.as_bytes(), None).unwrap().events.len();
    let b = trace::import(text.as_bytes(), None).unwrap().events.len();
    assert_eq!(a, b);
}

#[test]
fn a_bad_span_id_is_an_error_naming_the_path_line_and_the_digits_expected() {
    let doc: Value = serde_json::from_str(SAMPLE).unwrap();
    let mut bad = doc.clone();
    bad["resourceSpans"][0]["scopeSpans"][0]["spans"][1]["spanId"] = json!("xyz");
    let text = format!("{}\n{}\n", one_line(&doc), one_line(&bad));
    let err = trace::import(text.as_bytes(), None).unwrap_err();
    assert_eq!(err.format, Some(Format::Otlp));
    assert_eq!(err.at.unwrap().line, 2);
    let Problem::Invalid {
        field, expected, ..
    } = &err.problem
    else {
        panic!("{err:?}")
    };
    assert_eq!(field, "resourceSpans[0].scopeSpans[0].spans[1].spanId");
    assert!(expected.contains("expected 16 hex digits"), "{expected}");
}

#[test]
fn cyclic_parent_span_ids_are_reported_not_followed_forever() {
    let span = |id: &str, parent: &str| {
        json!({
        "traceId": "5b8efff798038103d269b633813fc60c", "spanId": id, "parentSpanId": parent,
        "name": id, "startTimeUnixNano": "1", "endTimeUnixNano": "2"})
    };
    let doc = json!({"resourceSpans": [{"scopeSpans": [{"spans": [
        span("0000000000000001", "0000000000000002"),
        span("0000000000000002", "0000000000000001"),
    ]}]}]});
    let imported = trace::import(one_line(&doc).as_bytes(), None).unwrap();
    let ins = Inspection::of_import(&imported);
    assert!(ins
        .lints
        .iter()
        .any(|l| l.kind == lineage::analysis::lints::LintKind::Cycle));
    assert_eq!(imported.events.len(), 4);
}
