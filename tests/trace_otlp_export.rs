//! OTLP JSON export: the OpenTelemetry project's own types parse it, and it reads back
//! through our importer with every operation and point event kept, with its ids and links.
//! Native only: the official types (`opentelemetry-proto`) are a native dev-dependency.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::collections::BTreeMap;

use common::{concurrent_run, lineage};
use lineage::analysis::Inspection;
use lineage::core::{EmitMode, Event, Phase};
use lineage::model::Status;
use lineage::trace::{self, ExportFormat, Format};
use opentelemetry_proto::tonic::trace::v1::{status::StatusCode, TracesData};
use serde_json::Value;
use uuid::Uuid;

const ORIGINAL_DUMP: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/abstractions-sample.ndjson"
);
const OTLP_SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/otlp-sample.json"
);

/// Concurrent nested calls, a third of them failing, one left unfinished, and a point event.
fn live_run(mode: EmitMode) -> Vec<Event> {
    let mut events = concurrent_run(mode);
    // A progress point under the first operation, and a start that never ends.
    let first = events[0].clone();
    let mut point = Event::child_of(&first, "progress", Phase::Progress);
    point.timestamp_ns = first.timestamp_ns + 1;
    point.payload = point.payload.with("done", 3);
    let mut open = Event::root("processing", Phase::Started);
    open.timestamp_ns = first.timestamp_ns + 2;
    events.extend([point, open]);
    events
}

fn file(path: &str) -> Vec<Event> {
    trace::import(&std::fs::read(path).unwrap(), None)
        .unwrap()
        .events
}

/// What a node of the lineage tree is: (status, end event id, parent's start id, name).
type Node = (String, Option<Uuid>, Option<Uuid>, String);

/// Every node of the original events, keyed by its first event's id.
fn nodes_before(events: &[Event]) -> BTreeMap<Uuid, Node> {
    let ins = Inspection::new(events.to_vec(), &[]);
    let evs: Vec<_> = ins.trace.events().collect();
    ins.spans
        .spans
        .iter()
        .map(|s| {
            let first = &evs[s.start];
            let parent = s.parent.map(|p| evs[ins.spans.spans[p].start].id);
            let node = (
                s.status.as_str().to_owned(),
                s.end.map(|e| evs[e].id),
                parent,
                first.label().to_owned(),
            );
            (first.id, node)
        })
        .collect()
}

fn attr<'a>(e: &'a Event, key: &str) -> Option<&'a Value> {
    e.payload.extra.get("attributes")?.get(key)
}

fn uuid_attr(e: &Event, key: &str) -> Option<Uuid> {
    attr(e, key)
        .and_then(|v| v.as_str())
        .map(|s| s.parse().unwrap())
}

/// Every node read back from the export, keyed by the lineage event id its attributes carry.
fn nodes_after(events: &[Event]) -> BTreeMap<Uuid, Node> {
    let ins = Inspection::new(events.to_vec(), &[]);
    let evs: Vec<_> = ins.trace.events().collect();
    let mut out = BTreeMap::new();
    for s in &ins.spans.spans {
        let first = &evs[s.start];
        let id = uuid_attr(first, "lineage.event_id").expect("every node names its event");
        let parent = s
            .parent
            .map(|p| uuid_attr(&evs[ins.spans.spans[p].start], "lineage.event_id").unwrap());
        let status = match first.kind.as_ref() {
            "span_event" => Status::Point.as_str().to_owned(),
            _ => attr(first, "lineage.status")
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned(),
        };
        let node = (
            status,
            uuid_attr(first, "lineage.end_event_id"),
            parent,
            first.label().to_owned(),
        );
        assert!(out.insert(id, node).is_none(), "{id} read back twice");
    }
    out
}

fn round_trip(events: &[Event]) -> Vec<Event> {
    let doc = trace::export(ExportFormat::Otlp, events);
    let back = trace::import(doc.as_bytes(), None).unwrap();
    assert_eq!(back.format, Some(Format::Otlp));
    assert!(back.notes.is_empty(), "{:?}", back.notes);
    back.events
}

#[test]
fn every_operation_and_point_reads_back_with_its_outcome_ids_and_parent() {
    for (what, events) in [
        ("awaited run", live_run(EmitMode::Awaited)),
        ("fire-and-forget run", live_run(EmitMode::FireAndForget)),
        ("the Python original's dump", file(ORIGINAL_DUMP)),
    ] {
        let before = nodes_before(&events);
        let after = nodes_after(&round_trip(&events));
        assert_eq!(after, before, "{what}");
        let statuses: Vec<&str> = before.values().map(|n| n.0.as_str()).collect();
        for needed in ["completed", "unfinished", "point"] {
            assert!(statuses.contains(&needed), "{what}: no {needed} node");
        }
    }
}

#[test]
fn failures_carry_error_status_with_their_message_and_durations_survive() {
    let events = live_run(EmitMode::Awaited);
    let back = round_trip(&events);
    let failed: Vec<&Event> = events.iter().filter(|e| e.phase == Phase::Failed).collect();
    assert!(!failed.is_empty());
    let failed_back: Vec<&Event> = back.iter().filter(|e| e.phase == Phase::Failed).collect();
    assert_eq!(failed_back.len(), failed.len());
    for e in &failed_back {
        assert_eq!(e.error.as_deref(), Some("gpa out of range"));
    }
    let durations = |evs: &[Event]| {
        let mut d: Vec<(String, u64)> = evs
            .iter()
            .filter_map(|e| Some((e.label().to_owned(), e.duration_ns?)))
            .collect();
        d.sort();
        d
    };
    assert_eq!(durations(&back), durations(&events));
}

#[test]
fn the_opentelemetry_projects_own_types_parse_the_export() {
    for events in [
        live_run(EmitMode::Awaited),
        file(ORIGINAL_DUMP),
        file(OTLP_SAMPLE),
    ] {
        let doc = trace::export(ExportFormat::Otlp, &events);
        let data: TracesData = serde_json::from_str(&doc)
            .unwrap_or_else(|e| panic!("opentelemetry-proto refused the export: {e}\n{doc}"));
        let ins = Inspection::new(events.clone(), &[]);
        let failures = ins
            .spans
            .spans
            .iter()
            .filter(|s| matches!(s.status, Status::Failed | Status::TimedOut))
            .count();
        let spans: Vec<_> = data
            .resource_spans
            .iter()
            .flat_map(|r| &r.scope_spans)
            .flat_map(|s| &s.spans)
            .collect();
        let points: usize = spans.iter().map(|s| s.events.len()).sum();
        // Every node is a span or a span event, none twice.
        assert_eq!(spans.len() + points, ins.spans.len());
        let mut ids = std::collections::HashSet::new();
        for s in &spans {
            assert_eq!(s.trace_id.len(), 16);
            assert_eq!(s.span_id.len(), 8);
            assert_ne!(s.span_id, [0; 8]);
            assert!(s.parent_span_id.is_empty() || s.parent_span_id.len() == 8);
            assert!(
                ids.insert((s.trace_id.clone(), s.span_id.clone())),
                "duplicate span id"
            );
            assert!(s.end_time_unix_nano == 0 || s.end_time_unix_nano >= s.start_time_unix_nano);
            assert!(s.attributes.iter().any(|a| a.key == "lineage.status"));
        }
        let errors = spans
            .iter()
            .filter(|s| {
                s.status
                    .as_ref()
                    .is_some_and(|st| st.code == StatusCode::Error as i32)
            })
            .count();
        assert_eq!(errors, failures);
    }
}

#[test]
fn an_otlp_trace_keeps_its_trace_and_span_ids_and_attributes_through_lineage() {
    let original: Value =
        serde_json::from_str(&std::fs::read_to_string(OTLP_SAMPLE).unwrap()).unwrap();
    let spans_of = |doc: &Value| -> BTreeMap<(String, String), (String, Value)> {
        doc["resourceSpans"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["scopeSpans"].as_array().unwrap())
            .flat_map(|s| s["spans"].as_array().unwrap())
            .map(|s| {
                let id = |k: &str| s[k].as_str().unwrap_or("").to_ascii_lowercase();
                (
                    (id("traceId"), id("spanId")),
                    (id("parentSpanId"), s["name"].clone()),
                )
            })
            .collect()
    };
    let again: Value =
        serde_json::from_str(&trace::export(ExportFormat::Otlp, &file(OTLP_SAMPLE))).unwrap();
    assert_eq!(spans_of(&again), spans_of(&original));
    let first = &again["resourceSpans"][0]["scopeSpans"][0]["spans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "aexecute")
        .unwrap()["attributes"];
    assert!(first
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["key"] == "function" && a["value"]["stringValue"] == "update_gpa"));
}

#[test]
fn convert_to_otlp_writes_what_the_importer_reads() {
    let out = lineage(&["convert", ORIGINAL_DUMP, "--to", "otlp"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let back = trace::import(&out.stdout, None).unwrap();
    assert_eq!(back.format, Some(Format::Otlp));
    assert_eq!(
        nodes_after(&back.events),
        nodes_before(&file(ORIGINAL_DUMP))
    );
}
