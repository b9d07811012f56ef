//! Importing the Python original's `EventSerializer.to_dict` dumps.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_family = "wasm")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use lineage::analysis::Inspection;
use lineage::core::Phase;
use lineage::model::Status;
use lineage::trace::{self, Format, Problem};
use serde_json::json;

const ROOT: &str = "a813507f-2bff-4975-9d20-0d58e52815f5";
const LINEAGE: &str = "1e21a388-4512-45d8-9678-33c5e1d55e0f";

fn line(v: serde_json::Value) -> String {
    format!("{v}\n")
}

#[test]
fn fields_map_to_the_event_and_the_rest_stays_in_extra() {
    let text = line(json!({
        "id": ROOT, "type": "processed", "phase": "completed",
        "timestamp": "2026-11-27T09:59:23.756381+00:00", "lineage_id": LINEAGE,
        "root_id": ROOT, "duration_ms": 40.76838493347168, "process_name": "transactional_execution",
        "function_name": "update_gpa", "entity_count": 3, "error": null,
        "metadata": {"k": [1, 2]}, "children_ids": [], "custom": true,
    }));
    let e = &trace::abstractions::import(text.as_bytes()).unwrap().events[0];
    assert_eq!(e.kind, "processed");
    assert_eq!(e.phase, Phase::Completed);
    assert_eq!(e.timestamp_ns, 1_795_773_563_756_381_000);
    assert_eq!(e.duration_ns, Some(40_768_385));
    assert_eq!(
        e.payload.process_name.as_deref(),
        Some("transactional_execution")
    );
    assert_eq!(e.payload.entity_count, Some(3));
    assert_eq!(e.error, None);
    assert_eq!(e.seq, 0);
    assert_eq!(e.payload.extra["metadata"], json!({"k": [1, 2]}));
    assert_eq!(e.payload.extra["children_ids"], json!([]));
    assert_eq!(e.payload.extra["custom"], json!(true));
    assert_eq!(e.payload.extra.len(), 3);
}

#[test]
fn known_fields_that_do_not_fit_their_slot_are_kept_in_extra() {
    let text = line(json!({
        "id": ROOT, "type": "processing", "phase": "STARTED",
        "timestamp": "2026-11-27T09:59:23.710228", "lineage_id": LINEAGE, "root_id": ROOT,
        "duration_ms": -1.0, "entity_count": 1e20, "input_entity_ids": ["not-a-uuid"],
        "process_name": 7, "error": {"code": 3},
    }));
    let e = &trace::abstractions::import(text.as_bytes()).unwrap().events[0];
    assert_eq!(e.phase, Phase::Started);
    assert_eq!(e.duration_ns, None);
    for key in [
        "duration_ms",
        "entity_count",
        "input_entity_ids",
        "process_name",
    ] {
        assert!(e.payload.extra.contains_key(key), "{key} was dropped");
    }
    assert_eq!(e.error.as_deref(), Some("{\"code\":3}"));
}

#[test]
fn sibling_end_events_pair_with_their_starts_including_the_root_end_without_parent() {
    let child = "5f9c8fae-0e22-4caf-8ed2-b002b88a072b";
    let mk = |id: &str,
              kind: &str,
              phase: &str,
              parent: Option<&str>,
              root: &str,
              name: Option<&str>| {
        let mut v = json!({"id": id, "type": kind, "phase": phase, "lineage_id": LINEAGE,
            "root_id": root, "timestamp": "2026-11-27T09:59:23.7+00:00"});
        if let Some(p) = parent {
            v["parent_id"] = json!(p);
        }
        if let Some(n) = name {
            v["process_name"] = json!(n);
        }
        line(v)
    };
    let end_child = "835cb96e-6930-44b0-9c0c-2121859a35de";
    let modifying = "70c8684c-c882-4883-8ed3-e4e049f95260";
    let modified = "98d656f4-e62f-42dc-8c8e-f5697c05b48e";
    let root_end = "07cdf536-0000-4000-8000-000000000000";
    let text = [
        mk(
            ROOT,
            "processing",
            "started",
            None,
            ROOT,
            Some("function_execution"),
        ),
        mk(
            child,
            "processing",
            "started",
            Some(ROOT),
            ROOT,
            Some("input_preparation"),
        ),
        mk(modifying, "modifying", "started", Some(child), ROOT, None),
        mk(modified, "modified", "completed", Some(child), ROOT, None),
        mk(
            end_child,
            "processed",
            "completed",
            Some(ROOT),
            ROOT,
            Some("input_preparation"),
        ),
        mk(
            root_end,
            "processed",
            "completed",
            None,
            root_end,
            Some("function_execution"),
        ),
    ]
    .concat();
    let imported = trace::import(text.as_bytes(), None).unwrap();
    assert_eq!(imported.format, Some(Format::Abstractions));
    let ins = Inspection::new(imported.events, &[]);
    assert_eq!(ins.spans.len(), 3);
    assert!(ins
        .spans
        .spans
        .iter()
        .all(|s| s.status == Status::Completed));
    assert_eq!(ins.spans.roots.len(), 1);
    assert_eq!(ins.summary.operations, 1);
}

#[test]
fn a_missing_root_id_is_taken_from_the_parent_read_before() {
    let child = "5f9c8fae-0e22-4caf-8ed2-b002b88a072b";
    let text = [
        line(json!({"id": ROOT, "type": "processing", "phase": "started", "timestamp": 1.5})),
        line(
            json!({"id": child, "type": "processing", "phase": "started", "timestamp": 2,
            "parent_id": ROOT}),
        ),
    ]
    .concat();
    let events = trace::abstractions::import(text.as_bytes()).unwrap().events;
    assert_eq!(events[0].root_id.to_string(), ROOT);
    assert_eq!(events[1].root_id.to_string(), ROOT);
    assert_eq!(events[1].lineage_id, events[0].lineage_id);
    assert_eq!(events[1].timestamp_ns, 2_000_000_000);
}

#[test]
fn an_unknown_phase_is_an_error_naming_the_line_and_the_phases_allowed() {
    let text = [
        line(json!({"id": ROOT, "type": "processing", "phase": "started", "timestamp": 1})),
        line(json!({"id": ROOT, "type": "processing", "phase": "exploded", "timestamp": 1})),
    ]
    .concat();
    let err = trace::import(text.as_bytes(), None).unwrap_err();
    assert_eq!(err.format, Some(Format::Abstractions));
    assert_eq!(err.at.unwrap().line, 2);
    let msg = err.to_string();
    assert!(
        msg.contains("phase: expected one of pending, started"),
        "{msg}"
    );
    assert!(msg.contains("found the string \"exploded\""), "{msg}");
}

#[test]
fn a_missing_timestamp_is_an_error_saying_it_is_missing() {
    let text = line(json!({"id": ROOT, "type": "processing", "phase": "started"}));
    let err = trace::abstractions::import(text.as_bytes()).unwrap_err();
    assert!(
        matches!(&err.problem, Problem::Invalid { field, found, .. }
        if field == "timestamp" && found.contains("missing")),
        "{err:?}"
    );
}

#[test]
fn duplicate_ids_are_kept_and_reported_by_the_lints() {
    let e = line(json!({"id": ROOT, "type": "processing", "phase": "pending", "timestamp": 1}));
    let imported = trace::import(format!("{e}{e}").as_bytes(), None).unwrap();
    assert_eq!(imported.events.len(), 2);
    let ins = Inspection::of_import(&imported);
    assert!(ins
        .lints
        .iter()
        .any(|l| l.kind == lineage::analysis::lints::LintKind::DuplicateId));
}
