//! The diff's behaviour on small hand-built runs.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::summary::percentile;
use super::*;
use crate::core::{Event, Phase};
use crate::model::Spans;

/// A root operation `name` with one child step, ending as `outcome`, starting at `t`;
/// `seqs` numbers its four events in emission order.
fn operation(name: &str, t: u64, seq: u64, outcome: Phase) -> Vec<Event> {
    let mut root = Event::root("processing", Phase::Started);
    root.payload.process_name = Some(name.to_owned().into());
    root.timestamp_ns = t;
    root.seq = seq;
    let mut child = Event::child_of(&root, "processing", Phase::Started);
    child.payload.process_name = Some("step".into());
    child.timestamp_ns = t + 10;
    child.seq = seq + 1;
    let mut child_end = Event::child_of(&root, "processed", outcome);
    child_end.start_id = Some(child.id);
    child_end.payload.process_name = Some("step".into());
    child_end.timestamp_ns = t + 20;
    child_end.seq = seq + 2;
    let mut end = Event::root("processed", outcome);
    end.parent_id = None;
    end.root_id = root.id;
    end.lineage_id = root.lineage_id;
    end.start_id = Some(root.id);
    end.payload.process_name = Some(name.to_owned().into());
    end.timestamp_ns = t + 30;
    end.seq = seq + 3;
    vec![root, child, child_end, end]
}

fn diff(a: Vec<Event>, b: Vec<Event>) -> RunDiff {
    let (ta, tb) = (EventLog::new(a), EventLog::new(b));
    let (sa, sb) = (Spans::build(&ta), Spans::build(&tb));
    RunDiff::build(Side::new(&ta, &sa), Side::new(&tb, &sb))
}

fn run(names: &[(&str, Phase)]) -> Vec<Event> {
    names
        .iter()
        .enumerate()
        .flat_map(|(i, (n, p))| operation(n, i as u64 * 100, i as u64 * 4 + 1, *p))
        .collect()
}

#[test]
fn same_operations_with_other_ids_align_by_name_and_order() {
    let a = run(&[
        ("aexecute", Phase::Completed),
        ("aexecute", Phase::Completed),
    ]);
    let b = run(&[
        ("aexecute", Phase::Completed),
        ("aexecute", Phase::Completed),
    ]);
    let d = diff(a, b);
    assert_eq!(d.ops.len(), 2);
    assert!(d.ops.iter().all(|o| o.presence == Presence::Both
        && o.paired_by == Some(PairedBy::NameAndOrder)
        && !o.changed()));
    assert_eq!(d.ops[0].duration_delta_ns(), Some(0));
    assert_eq!((d.a.events, d.b.events, d.a.operations), (8, 8, 2));
}

#[test]
fn a_trace_against_itself_aligns_by_id() {
    let a = run(&[("x", Phase::Completed), ("x", Phase::Failed)]);
    let d = diff(a.clone(), a);
    assert!(d
        .ops
        .iter()
        .all(|o| o.paired_by == Some(PairedBy::Id) && !o.changed()));
}

#[test]
fn extra_missing_and_failed_operations_are_counted_and_placed() {
    let a = run(&[
        ("load", Phase::Completed),
        ("save", Phase::Completed),
        ("gone", Phase::Completed),
    ]);
    let b = run(&[
        ("load", Phase::Completed),
        ("new", Phase::Completed),
        ("save", Phase::Failed),
    ]);
    let d = diff(a, b);
    let line: Vec<(&str, Presence, bool)> = d
        .ops
        .iter()
        .map(|o| (o.name.as_str(), o.presence, o.changed()))
        .collect();
    assert_eq!(
        line,
        vec![
            ("load", Presence::Both, false),
            ("new", Presence::OnlyB, false),
            ("save", Presence::Both, true),
            ("gone", Presence::OnlyA, false),
        ]
    );
    // The failed step is inside the subtree: its shape (names and outcomes) differs too.
    assert!(d.ops[2].subtree_differs());
    assert_eq!((d.a.failures, d.b.failures, d.delta.failures), (0, 1, 1));
    assert_eq!(d.ops[1].events_delta(), 4);
    assert_eq!(d.ops[3].events_delta(), -4);
}

#[test]
fn reordered_processing_counts_inversions_in_b_only() {
    let a = run(&[("op", Phase::Completed), ("op", Phase::Completed)]);
    let mut b = run(&[("op", Phase::Completed), ("op", Phase::Completed)]);
    // Processed out of emission order: the second operation's child start (seq 6)
    // before its root start (seq 5).
    b.swap(4, 5);
    let d = diff(a, b);
    assert_eq!(
        (d.a.inversions, d.b.inversions, d.delta.inversions),
        (0, 1, 1)
    );
    let flagged: Vec<bool> = d.ops.iter().map(OpDiff::inversions_only_in_b).collect();
    assert_eq!(flagged, vec![false, true]);
    // Children are compared in emission order, so the shape is the same.
    assert!(d.ops.iter().all(|o| !o.changed()));
}

#[test]
fn a_missing_child_is_a_different_subtree() {
    let a = run(&[("op", Phase::Completed)]);
    let mut b = run(&[("op", Phase::Completed)]);
    b.remove(2);
    b.remove(1);
    let d = diff(a, b);
    assert!(d.ops[0].changed() && d.ops[0].subtree_differs());
    assert_eq!(d.ops[0].events_delta(), -2);
}

#[test]
fn durations_percentiles_and_lag() {
    let a = run(&[("op", Phase::Completed), ("op", Phase::Completed)]);
    let mut ta = EventLog::new(a);
    let processed: Vec<u64> = ta.events().map(|e| e.timestamp_ns + 7).collect();
    ta.set_processed_ns(processed);
    let tb = EventLog::new(run(&[("op", Phase::Completed)]));
    let (sa, sb) = (Spans::build(&ta), Spans::build(&tb));
    let d = RunDiff::build(Side::new(&ta, &sa), Side::new(&tb, &sb));
    assert_eq!(d.ops[0].a.as_ref().unwrap().max_lag_ns, Some(7));
    assert_eq!(d.ops[0].b.as_ref().unwrap().max_lag_ns, None);
    assert_eq!((d.a.p50_ns, d.a.p95_ns), (Some(30), Some(30)));
    assert_eq!(d.only_a().count(), 1);
    assert_eq!(percentile(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95), Some(10));
    assert_eq!(percentile(&[1, 2, 3, 4], 0.5), Some(2));
}

#[test]
fn inversions_need_sequence_numbers() {
    let mut events = run(&[("op", Phase::Completed)]);
    for e in &mut events {
        e.seq = 0;
    }
    assert_eq!(inversion_flags(&EventLog::new(events)), vec![false; 4]);
}
