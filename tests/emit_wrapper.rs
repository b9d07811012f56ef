//! The emit wrapper: events, links, failure, cancellation, interleaving.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_family = "wasm")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use common::{bus, one_call, pair, run};
use futures::future::{join_all, FutureExt};
use lineage::core::context;
use lineage::core::{Operation, Payload, Phase};

#[test]
fn a_nested_operation_emits_exactly_six_events_with_exact_links() {
    let (mut pool, bus) = bus();
    let b = bus.clone();
    run(&mut pool, async move {
        one_call(b.clone(), false).await.unwrap();
        b.flush().await;
    });
    let events = bus.events();
    assert_eq!(events.len(), 6);
    let (fe, fe_end) = pair(&events, "function_execution");
    let (ip, ip_end) = pair(&events, "input_preparation");
    let (tx, tx_end) = pair(&events, "transactional_execution");

    // Start events nest.
    assert_eq!(fe.parent_id, None);
    assert_eq!(fe.root_id, fe.id);
    assert_eq!(ip.parent_id, Some(fe.id));
    assert_eq!(tx.parent_id, Some(ip.id));
    for e in &events {
        assert_eq!(e.root_id, fe.id, "every event stays in the root's tree");
        assert_eq!(e.lineage_id, fe.lineage_id);
    }
    // End events close their start, as siblings of it, with a duration.
    for (start, end) in [(fe, fe_end), (ip, ip_end), (tx, tx_end)] {
        assert_eq!(end.start_id, Some(start.id));
        assert_eq!(end.parent_id, start.parent_id);
        assert_eq!(end.phase, Phase::Completed);
        assert_eq!(end.kind, "processed");
        assert_eq!(start.kind, "processing");
        assert_eq!(end.duration_ns, Some(end.timestamp_ns - start.timestamp_ns));
    }
    // Awaited mode is FIFO: processing order is emission order, inner ends first.
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, vec![0, 1, 2, 3, 4, 5]);
    assert_eq!(events[3].id, tx_end.id);
    assert_eq!(events[5].id, fe_end.id);
    // The children index holds the same links.
    let children: Vec<_> = bus.children_of(&fe.id).iter().map(|e| e.id).collect();
    assert_eq!(children, vec![ip.id, ip_end.id]);
}

#[test]
fn a_failure_emits_failed_end_events_carrying_the_error_at_every_level() {
    let (mut pool, bus) = bus();
    let b = bus.clone();
    let result = run(&mut pool, async move {
        let r = one_call(b.clone(), true).await;
        b.flush().await;
        r
    });
    assert!(result.is_err());
    let events = bus.events();
    assert_eq!(events.len(), 6);
    for name in [
        "function_execution",
        "input_preparation",
        "transactional_execution",
    ] {
        let (start, end) = pair(&events, name);
        assert_eq!(end.phase, Phase::Failed);
        assert_eq!(end.start_id, Some(start.id));
        assert_eq!(end.error.as_deref(), Some("gpa out of range"));
        // No failed factory was given: the default keeps the names.
        assert_eq!(end.payload.process_name.as_deref(), Some(name));
        assert_eq!(end.payload.function_name.as_deref(), Some("update_gpa"));
    }
    assert_eq!(bus.stats().phase(Phase::Failed), 3);
}

#[test]
fn a_failed_factory_builds_the_failure_payload_from_the_error() {
    let (mut pool, bus) = bus();
    let b = bus.clone();
    run(&mut pool, async move {
        let _ = Operation::new("creating", "created")
            .start(|| Payload::process("entity_creation"))
            .failed(|e: &String| Payload::default().with("reason", e.clone()))
            .run(&b, async { Err::<(), _>("disk full".to_string()) })
            .await;
        b.flush().await;
    });
    let events = bus.events();
    assert_eq!(events[1].phase, Phase::Failed);
    assert_eq!(events[1].kind, "creating");
    assert_eq!(events[1].payload.extra["reason"], "disk full");
    assert_eq!(
        events[1].payload.process_name.as_deref(),
        Some("entity_creation")
    );
}

#[test]
fn a_dropped_operation_emits_cancelled_events_and_leaves_the_context_balanced() {
    let (mut pool, bus) = bus();
    let b = bus.clone();
    run(&mut pool, async move {
        // The innermost work never finishes; poll the call once, then drop it.
        let call = lineage::workload::Call::new("stuck");
        let stuck = common::Body {
            fail: false,
            yields: u32::MAX,
        };
        let mut fut = Box::pin(lineage::workload::aexecute(Some(&b), &call, &stuck));
        assert!((&mut fut).now_or_never().is_none());
        assert_eq!(context::current(), None, "context restored after the poll");
        drop(fut);
        assert_eq!(context::current(), None);
        b.flush().await;
    });
    let events = bus.events();
    assert_eq!(events.len(), 6);
    for name in [
        "function_execution",
        "input_preparation",
        "transactional_execution",
    ] {
        let (start, end) = pair(&events, name);
        assert_eq!(end.phase, Phase::Cancelled);
        assert_eq!(end.start_id, Some(start.id));
    }
    assert_eq!(bus.stats().cancelled, 3);
}

#[test]
fn interleaved_concurrent_operations_keep_exact_parentage() {
    let (mut pool, bus) = bus();
    let b = bus.clone();
    run(&mut pool, async move {
        // Each call yields inside its innermost level, so the executor interleaves all 20.
        let calls = (0..20).map(|_| {
            let b = b.clone();
            async move {
                let call = lineage::workload::Call::new("interleaved");
                lineage::workload::aexecute(
                    Some(&b),
                    &call,
                    &common::Body {
                        fail: false,
                        yields: 2,
                    },
                )
                .await
            }
        });
        join_all(calls).await;
        b.flush().await;
    });
    let events = bus.events();
    assert_eq!(events.len(), 120);
    let roots: Vec<_> = events
        .iter()
        .filter(|e| e.parent_id.is_none() && e.phase == Phase::Started)
        .collect();
    assert_eq!(roots.len(), 20);
    for root in roots {
        let mid = bus.children_of(&root.id);
        assert_eq!(mid.len(), 2);
        assert_eq!(
            mid[0].payload.process_name.as_deref(),
            Some("input_preparation")
        );
        let inner = bus.children_of(&mid[0].id);
        assert_eq!(inner.len(), 2);
        assert_eq!(
            inner[0].payload.process_name.as_deref(),
            Some("transactional_execution")
        );
        assert_eq!(inner[1].start_id, Some(inner[0].id));
        for e in mid.iter().chain(&inner) {
            assert_eq!(e.root_id, root.id);
            assert_eq!(e.lineage_id, root.lineage_id);
        }
    }
}
