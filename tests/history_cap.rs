//! The bounded history prunes its indexes with it.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_family = "wasm")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use common::{one_call, run};
use futures::executor::LocalPool;
use lineage::core::{EventBus, ManualClock};

#[test]
fn the_history_cap_prunes_both_indexes_leaving_no_dangling_child_ids() {
    let mut pool = LocalPool::new();
    let bus = EventBus::builder()
        .history_capacity(50)
        .clock(ManualClock::ticking(1))
        .build(pool.spawner());
    let b = bus.clone();
    let first_root = run(&mut pool, async move {
        let mut first = None;
        for _ in 0..100 {
            one_call(b.clone(), false).await.unwrap();
            if first.is_none() {
                b.flush().await;
                first = Some(b.events()[0].id);
            }
        }
        b.flush().await;
        first.unwrap()
    });
    let stats = bus.stats();
    assert_eq!(stats.processed, 600);
    assert_eq!(stats.pruned, 550);
    bus.with_history(|h| {
        assert_eq!(h.len(), 50);
        h.check_indexes().unwrap();
        assert!(
            h.get(&first_root).is_none(),
            "evicted events leave events_by_id"
        );
        assert_eq!(h.children(&first_root).count(), 0, "and children_by_parent");
        // Every child listed is held, for every parent still indexed.
        for parent in h.parents() {
            for child in h.children(&parent) {
                assert!(h.get(&child.id).is_some());
            }
        }
    });
}

#[test]
fn lowering_the_cap_on_a_live_bus_evicts_at_once() {
    let mut pool = LocalPool::new();
    let bus = EventBus::new(pool.spawner());
    let b = bus.clone();
    run(&mut pool, async move {
        for _ in 0..10 {
            one_call(b.clone(), false).await.unwrap();
        }
        b.flush().await;
    });
    bus.set_history_capacity(7);
    bus.with_history(|h| {
        assert_eq!(h.len(), 7);
        h.check_indexes().unwrap();
    });
}

#[test]
fn findings_the_cap_causes_are_kept_apart_from_the_traces_defects() {
    use lineage::analysis::lints::LintKind;
    use lineage::analysis::Inspection;
    let mut pool = LocalPool::new();
    // 7 events: the cap cuts operations in the middle, so the oldest kept ones lost their
    // start or parent.
    let bus = EventBus::builder()
        .history_capacity(7)
        .clock(ManualClock::ticking(1))
        .build(pool.spawner());
    let b = bus.clone();
    run(&mut pool, async move {
        for _ in 0..10 {
            one_call(b.clone(), false).await.unwrap();
        }
        b.flush().await;
    });
    let ins = bus.with_history(|h| Inspection::of_history(h, h.len(), &[]));
    assert_eq!(ins.trace.len(), 7);
    assert_eq!(ins.pruned, bus.stats().pruned);
    assert!(ins.pruned > 0);
    assert!(
        !ins.cut_by_cap.is_empty(),
        "the cut operations are named as such"
    );
    assert!(ins
        .cut_by_cap
        .iter()
        .all(|l| matches!(l.kind, LintKind::Orphan | LintKind::EndWithoutStart)));
    assert!(
        ins.lints
            .iter()
            .all(|l| !matches!(l.kind, LintKind::Orphan | LintKind::EndWithoutStart)),
        "and not reported as defects: {:?}",
        ins.lints
    );
    // Without pruning, nothing is set apart.
    let whole = EventBus::builder().build(pool.spawner());
    let w = whole.clone();
    run(&mut pool, async move {
        one_call(w.clone(), false).await.unwrap();
        w.flush().await;
    });
    let ins = whole.with_history(|h| Inspection::of_history(h, h.len(), &[]));
    assert_eq!((ins.pruned, ins.cut_by_cap.len()), (0, 0));
}
