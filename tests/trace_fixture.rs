//! The Python original's real dump (49 events, two `aexecute` calls, the second failed),
//! through the importer, the inspector and both exporters (the command line: cli_commands.rs).

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_family = "wasm")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use std::collections::BTreeSet;

use common::operations;

use lineage::analysis::lints::LintKind;
use lineage::analysis::Inspection;
use lineage::core::{Event, Phase};
use lineage::model::Status;
use lineage::trace::{self, Format};
use serde_json::Value;

const FIXTURE: &str = include_str!("fixtures/abstractions-sample.ndjson");

fn fixture() -> Vec<Event> {
    let imported = trace::import(FIXTURE.as_bytes(), Some("abstractions-sample.ndjson")).unwrap();
    assert_eq!(imported.format, Some(Format::Abstractions));
    imported.events
}

#[test]
fn the_fixture_has_two_operations_one_completed_one_never_finished_and_no_orphans() {
    let ins = Inspection::new(fixture(), &[]);
    let s = &ins.summary;
    assert_eq!(
        (
            s.events,
            s.operations,
            s.completed,
            s.failed,
            s.unfinished,
            s.orphans
        ),
        (49, 2, 1, 0, 1, 0)
    );
}

#[test]
fn the_failed_call_leaves_exactly_its_three_started_events_unfinished() {
    let ins = Inspection::new(fixture(), &[]);
    let unfinished: BTreeSet<String> = ins
        .lints
        .iter()
        .filter(|l| l.kind == LintKind::Unfinished)
        .map(|l| l.events[0].to_string()[..8].to_owned())
        .collect();
    let expected: BTreeSet<String> = ["e37570e2", "301ca698", "74f52434"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(unfinished, expected);
    assert_eq!(ins.lints.len(), 3, "no other lint: {:?}", ins.lints);
}

#[test]
fn every_end_event_of_the_fixture_pairs_with_a_start_and_each_call_keeps_one_root() {
    let ins = Inspection::new(fixture(), &[]);
    let end_only = ins
        .spans
        .spans
        .iter()
        .filter(|s| s.status == Status::EndOnly);
    assert_eq!(
        end_only.count(),
        0,
        "modifying/modified and root ends pair too"
    );
    assert_eq!(ins.spans.roots.len(), 2);
    let reachable: usize = ins
        .spans
        .roots
        .iter()
        .map(|&r| 1 + ins.spans.spans[r].descendants)
        .sum();
    assert_eq!(
        reachable,
        ins.spans.len(),
        "every span sits under one of the two roots"
    );
}

#[test]
fn every_field_of_every_fixture_line_is_kept_typed_or_in_extra() {
    let text = FIXTURE;
    let events = fixture();
    for (line, e) in text.lines().zip(&events) {
        let original: serde_json::Map<String, Value> = serde_json::from_str(line).unwrap();
        for (key, value) in &original {
            let kept = match key.as_str() {
                "id" => value.as_str() == Some(e.id.to_string().as_str()),
                "type" => e.kind == value.as_str().unwrap(),
                "phase" => e.phase.as_str() == value.as_str().unwrap(),
                "parent_id" => e.parent_id.map(|p| p.to_string()).as_deref() == value.as_str(),
                "root_id" => e.root_id.to_string() == value.as_str().unwrap(),
                "lineage_id" => e.lineage_id.to_string() == value.as_str().unwrap(),
                "timestamp" => e.timestamp_ns > 1_700_000_000_000_000_000,
                "duration_ms" => {
                    let ms = value.as_f64().unwrap();
                    e.duration_ns == Some((ms * 1e6).round() as u64)
                }
                "process_name" => e.payload.process_name.as_deref() == value.as_str(),
                "function_name" => e.payload.function_name.as_deref() == value.as_str(),
                "input_entity_ids" => {
                    serde_json::to_value(&e.payload.input_entity_ids).unwrap() == *value
                }
                "output_entity_ids" => {
                    serde_json::to_value(&e.payload.output_entity_ids).unwrap() == *value
                }
                "entity_count" => e.payload.entity_count.map(Value::from).as_ref() == Some(value),
                other => e.payload.extra.get(other) == Some(value),
            };
            assert!(kept, "{key} = {value} of {} was not kept", e.id);
        }
    }
}

#[test]
fn the_fixture_reads_the_same_as_a_json_array() {
    let text = FIXTURE;
    let array = format!("[\n{}\n]", text.trim_end().replace('\n', ",\n"));
    let imported = trace::import(array.as_bytes(), None).unwrap();
    assert_eq!(imported.format, Some(Format::Abstractions));
    assert_eq!(imported.events, fixture());
}

#[test]
fn the_fixture_round_trips_through_lineage_ndjson_unchanged() {
    let events = fixture();
    let text = trace::export_ndjson(&events);
    let back = trace::import(text.as_bytes(), None).unwrap();
    assert_eq!(back.format, Some(Format::Native));
    assert_eq!(back.events, events);
}

#[test]
fn converting_the_fixture_to_chrome_and_back_keeps_every_operation() {
    let events = fixture();
    let json = trace::export_chrome(&events);
    let back = trace::import(json.as_bytes(), None).unwrap();
    assert_eq!(back.format, Some(Format::Chrome));
    assert_eq!(back.events.len(), events.len());
    assert_eq!(operations(back.events), operations(events));
}

#[test]
fn the_fixture_as_chrome_trace_follows_the_format_rules() {
    let json = trace::export_chrome(&fixture());
    trace::chrome::check_rules(&json).unwrap();
    let doc: Value = serde_json::from_str(&json).unwrap();
    let phases: BTreeSet<&str> = doc["traceEvents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["ph"].as_str().unwrap())
        .collect();
    // Completed operations, the failed call's open starts, the pending transitions, lanes.
    for ph in ["X", "B", "i", "M"] {
        assert!(phases.contains(ph), "no {ph} in {phases:?}");
    }
}

#[test]
fn the_fixture_end_events_keep_their_original_phase_and_kind() {
    let events = fixture();
    let modified = events.iter().find(|e| e.kind == "modified").unwrap();
    assert_eq!(modified.phase, Phase::Completed);
    assert_eq!(
        modified.start_id, None,
        "the original's ends do not name their start"
    );
}
