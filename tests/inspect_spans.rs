//! Pairing starts with ends, nesting spans, and the lints, on crafted traces.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_family = "wasm")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use common::{bus, one_call, run};
use lineage::analysis::lints::LintKind;
use lineage::analysis::Inspection;
use lineage::core::{EmitMode, Event, Payload, Phase};
use lineage::model::Status;

fn named(mut e: Event, name: &'static str) -> Event {
    e.payload = Payload::process(name);
    e
}

/// An end event the way the Python original writes it: a sibling, no link to its start.
fn original_end(start: &Event, phase: Phase) -> Event {
    let mut end = Event::root("processed", phase);
    end.parent_id = start.parent_id;
    end.lineage_id = start.lineage_id;
    if start.parent_id.is_none() {
        end.root_id = end.id; // the original's root end names itself as root
    } else {
        end.root_id = start.root_id;
    }
    end.payload = start.payload.clone();
    end
}

#[test]
fn a_bus_call_becomes_three_nested_completed_spans() {
    let (mut pool, bus) = bus();
    let b = bus.clone();
    run(&mut pool, async move {
        one_call(b.clone(), false).await.unwrap();
        let _ = one_call(b.clone(), true).await;
        b.flush().await;
    });
    let ins = Inspection::new(bus.events(), &[]);
    assert_eq!(ins.spans.len(), 6);
    assert_eq!(ins.spans.roots.len(), 2);
    let ok = &ins.spans.spans[ins.spans.roots[0]];
    assert_eq!(ok.status, Status::Completed);
    assert_eq!(ok.descendants, 2);
    assert_eq!(ok.problems, 0);
    let bad = &ins.spans.spans[ins.spans.roots[1]];
    assert_eq!(bad.status, Status::Failed);
    assert_eq!(bad.problems, 3);
    let child = &ins.spans.spans[bad.children[0]];
    assert_eq!(child.depth, 1);
    assert_eq!(ins.summary.operations, 2);
    assert_eq!(ins.summary.completed, 1);
    assert_eq!(ins.summary.failed, 1);
    assert!(ins.lints.is_empty(), "{:?}", ins.lints);
}

#[test]
fn original_sibling_end_events_pair_with_their_starts_and_the_root_end_stays_in_its_tree() {
    let root = named(
        Event::root("processing", Phase::Started),
        "function_execution",
    );
    let mid = named(
        Event::child_of(&root, "processing", Phase::Started),
        "input_preparation",
    );
    let leaf = named(
        Event::child_of(&mid, "processing", Phase::Started),
        "tree_building",
    );
    let leaf2 = named(
        Event::child_of(&mid, "processing", Phase::Started),
        "tree_building",
    );
    let events = vec![
        root.clone(),
        mid.clone(),
        leaf.clone(),
        original_end(&leaf, Phase::Completed),
        leaf2.clone(),
        original_end(&leaf2, Phase::Completed),
        original_end(&mid, Phase::Completed),
        original_end(&root, Phase::Completed),
    ];
    let ins = Inspection::new(events, &[]);
    assert_eq!(
        ins.spans.roots.len(),
        1,
        "the root end event does not make a second root"
    );
    let r = &ins.spans.spans[ins.spans.roots[0]];
    assert_eq!(r.status, Status::Completed);
    assert_eq!(r.end, Some(7));
    assert_eq!(r.descendants, 3);
    let m = &ins.spans.spans[r.children[0]];
    assert_eq!(m.end, Some(6));
    let leaves: Vec<_> = m.children.iter().map(|&c| ins.spans.spans[c].end).collect();
    assert_eq!(leaves, vec![Some(3), Some(5)]);
    assert_eq!(ins.summary.completed, 1);
}

#[test]
fn a_call_that_failed_in_the_original_shows_as_unfinished_with_a_lint_per_open_start() {
    let root = named(
        Event::root("processing", Phase::Started),
        "function_execution",
    );
    let mid = named(
        Event::child_of(&root, "processing", Phase::Started),
        "input_preparation",
    );
    let pending = named(
        Event::child_of(&mid, "state_transition", Phase::Pending),
        "promotion",
    );
    let ins = Inspection::new(vec![root, mid, pending], &[]);
    assert_eq!(ins.summary.operations, 1);
    assert_eq!(ins.summary.unfinished, 1);
    let unfinished = ins
        .lints
        .iter()
        .filter(|l| l.kind == LintKind::Unfinished)
        .count();
    assert_eq!(unfinished, 2);
    assert_eq!(ins.spans.spans[2].status, Status::Point);
}

#[test]
fn orphans_ends_without_starts_duplicates_and_cycles_are_reported() {
    let ghost_parent = Event::root("processing", Phase::Started);
    let orphan = Event::child_of(&ghost_parent, "processing", Phase::Started);
    let mut end_only = Event::root("processed", Phase::Completed);
    end_only.start_id = Some(uuid::Uuid::new_v4());
    let mut a = Event::root("processing", Phase::Pending);
    let mut b = Event::root("processing", Phase::Pending);
    a.parent_id = Some(b.id);
    b.parent_id = Some(a.id);
    let dup = orphan.clone();
    let ins = Inspection::new(vec![orphan, end_only, a, b, dup], &[]);
    let kinds: Vec<LintKind> = ins.lints.iter().map(|l| l.kind).collect();
    assert!(kinds.contains(&LintKind::Orphan));
    assert!(kinds.contains(&LintKind::EndWithoutStart));
    assert!(kinds.contains(&LintKind::DuplicateId));
    assert!(kinds.contains(&LintKind::Cycle));
    // Every span is reachable from a root despite the cycle.
    let reachable: usize = ins
        .spans
        .roots
        .iter()
        .map(|&r| 1 + ins.spans.spans[r].descendants)
        .sum();
    assert_eq!(reachable, ins.spans.len());
}

#[test]
fn fire_and_forget_reordering_shows_up_as_order_inversion_lints() {
    let (mut pool, bus) = bus();
    bus.set_mode(EmitMode::FireAndForget);
    let b = bus.clone();
    run(&mut pool, async move {
        // In fire-and-forget the point event's put is spawned: it reaches the queue after
        // the awaited put of the event made after it.
        b.emit_point("first", Phase::Pending, Payload::default)
            .await;
        let e = b.new_event("second".into(), Phase::Pending, Payload::default(), None);
        b.emit(e).await;
        b.flush().await;
    });
    let ins = Inspection::new(bus.events(), &[]);
    let inv: Vec<_> = ins
        .lints
        .iter()
        .filter(|l| l.kind == LintKind::OrderInversion)
        .collect();
    assert_eq!(inv.len(), 1);
    assert_eq!(bus.stats().order_inversions, 1);
}

#[test]
fn the_live_tree_nests_through_the_buss_children_index_exactly_as_the_parent_links_say() {
    let (mut pool, bus) = bus();
    let b = bus.clone();
    run(&mut pool, async move {
        for i in 0..10 {
            let _ = one_call(b.clone(), i % 3 == 0).await;
        }
        b.flush().await;
    });
    let live = bus.with_history(|h| Inspection::of_history(h, h.len(), &[]));
    let from_links = Inspection::new(bus.events(), &[]);
    assert_eq!(live.spans.roots, from_links.spans.roots);
    let parents = |i: &Inspection| i.spans.spans.iter().map(|s| s.parent).collect::<Vec<_>>();
    assert_eq!(parents(&live), parents(&from_links));
    assert_eq!(live.summary, from_links.summary);
    // A prefix (the replay's cursor) only sees what came before it.
    let prefix = bus.with_history(|h| Inspection::of_history(h, 4, &[]));
    assert_eq!(prefix.trace.len(), 4);
    assert_eq!(prefix.summary.unfinished, 1);
}

#[test]
fn events_whose_relatives_were_pruned_from_the_history_show_as_orphans_and_lone_ends() {
    let mut pool = futures::executor::LocalPool::new();
    let bus = lineage::core::EventBus::builder()
        .history_capacity(4)
        .build(pool.spawner());
    let b = bus.clone();
    run(&mut pool, async move {
        one_call(b.clone(), false).await.unwrap();
        b.flush().await;
    });
    // Kept: the innermost start and the three ends; the outer starts were evicted.
    let ins = bus.with_history(|h| Inspection::of_history(h, h.len(), &[]));
    assert_eq!(ins.trace.len(), 4);
    // The innermost start and the middle end both name a parent that was evicted.
    assert_eq!(ins.summary.orphans, 2);
    // Both are the history cap's doing, not the trace's: set apart from its defects.
    let lone_ends = ins
        .cut_by_cap
        .iter()
        .filter(|l| l.kind == LintKind::EndWithoutStart)
        .count();
    assert_eq!(lone_ends, 2, "the two outer ends lost their starts");
    assert!(ins
        .lints
        .iter()
        .all(|l| l.kind != LintKind::EndWithoutStart));
}
