//! Every emit mode, each proved by what it does and does not do.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_family = "wasm")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use std::cell::Cell;
use std::rc::Rc;

use common::{bus, one_call, run};
use lineage::core::{context, EmitMode, Filter, Operation, Payload, Phase, SampleRatio};

/// An operation whose factories count their calls and whose work reports what it sees.
async fn counted_op(
    bus: &lineage::core::EventBus,
    factory_calls: Rc<Cell<u32>>,
    seen: impl FnOnce(&lineage::core::EventBus),
) {
    let (a, b) = (factory_calls.clone(), factory_calls);
    Operation::new("processing", "processed")
        .start(move || {
            a.set(a.get() + 1);
            Payload::process("function_execution")
        })
        .end(move |_: &()| {
            b.set(b.get() + 1);
            Payload::process("function_execution")
        })
        .run(bus, async {
            seen(bus);
            Ok::<_, String>(())
        })
        .await
        .unwrap();
}

#[test]
fn awaited_mode_has_the_start_event_on_the_queue_before_the_work_runs() {
    let (mut pool, bus) = bus();
    let b = bus.clone();
    let queued_in_work = Rc::new(Cell::new(0));
    let q = queued_in_work.clone();
    run(&mut pool, async move {
        counted_op(&b, Rc::default(), |bus| q.set(bus.stats().queued)).await;
        b.flush().await;
    });
    assert_eq!(queued_in_work.get(), 1);
    assert_eq!(bus.stats().processed, 2);
    assert_eq!(bus.stats().order_inversions, 0);
}

#[test]
fn fire_and_forget_mode_leaves_the_put_to_a_spawned_task() {
    let (mut pool, bus) = bus();
    bus.set_mode(EmitMode::FireAndForget);
    let b = bus.clone();
    let seen = Rc::new(Cell::new((usize::MAX, u64::MAX)));
    let s = seen.clone();
    run(&mut pool, async move {
        counted_op(&b, Rc::default(), |bus| {
            let st = bus.stats();
            s.set((st.queued, st.pending_puts));
        })
        .await;
        b.flush().await;
    });
    // Inside the work, the start event was not yet queued: its put task had not run.
    assert_eq!(seen.get(), (0, 1));
    assert_eq!(bus.stats().processed, 2);
    assert_eq!(bus.stats().pending_puts, 0);
}

#[test]
fn fire_and_forget_reordering_is_counted_not_hidden() {
    let (mut pool, bus) = bus();
    bus.set_mode(EmitMode::FireAndForget);
    let b = bus.clone();
    run(&mut pool, async move {
        // The work emits an event with an awaited put: it reaches the queue before the
        // operation's own start event, whose put task has not run yet.
        Operation::new("processing", "processed")
            .run(&b, async {
                let e = b.new_event(
                    "note".into(),
                    Phase::Progress,
                    Payload::default(),
                    context::current(),
                );
                b.emit(e).await;
                Ok::<_, String>(())
            })
            .await
            .unwrap();
        b.flush().await;
    });
    let events = bus.events();
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(
        seqs,
        vec![1, 0, 2],
        "processing order differs from emission order"
    );
    assert_eq!(bus.stats().order_inversions, 1);
    // The early event still links to the start event it ran inside.
    assert_eq!(events[0].parent_id, Some(events[1].id));
}

#[test]
fn disabled_mode_emits_nothing_calls_no_factory_and_sets_no_context() {
    let (mut pool, bus) = bus();
    bus.set_mode(EmitMode::Disabled);
    let b = bus.clone();
    let calls = Rc::new(Cell::new(0));
    let ctx_seen = Rc::new(Cell::new(true));
    let (c, s) = (calls.clone(), ctx_seen.clone());
    run(&mut pool, async move {
        counted_op(&b, c, |_| s.set(context::current().is_some())).await;
        one_call(b.clone(), false).await.unwrap();
        b.flush().await;
    });
    assert_eq!(calls.get(), 0);
    assert!(!ctx_seen.get());
    assert_eq!(bus.stats().emitted, 0);
    assert!(bus.events().is_empty());
}

#[test]
fn lazy_mode_never_calls_a_factory_when_nobody_subscribes() {
    let (mut pool, bus) = bus();
    bus.set_mode(EmitMode::Lazy);
    let b = bus.clone();
    let calls = Rc::new(Cell::new(0));
    let c = calls.clone();
    run(&mut pool, async move {
        for _ in 0..10 {
            counted_op(&b, c.clone(), |_| ()).await;
        }
        one_call(b.clone(), false).await.unwrap();
        b.flush().await;
    });
    assert_eq!(calls.get(), 0);
    assert_eq!(bus.stats().emitted, 0);
    assert_eq!(bus.stats().lazy_skipped, 13);
}

#[test]
fn lazy_mode_emits_both_events_when_someone_listens_to_either_kind() {
    let (mut pool, bus) = bus();
    bus.set_mode(EmitMode::Lazy);
    let _sub = bus.subscribe(Filter::kind("processed"), |_| Ok(()));
    let b = bus.clone();
    let calls = Rc::new(Cell::new(0));
    let c = calls.clone();
    run(&mut pool, async move {
        counted_op(&b, c, |_| ()).await;
        one_call(b.clone(), false).await.unwrap();
        b.flush().await;
    });
    assert_eq!(calls.get(), 2);
    assert_eq!(bus.stats().processed, 8);
}

#[test]
fn switching_modes_on_a_live_bus_applies_to_the_next_operation() {
    let (mut pool, bus) = bus();
    let b = bus.clone();
    let counts = run(&mut pool, async move {
        let mut counts = vec![];
        for mode in EmitMode::ALL {
            b.set_mode(deterministic(mode));
            let before = b.stats().processed;
            one_call(b.clone(), false).await.unwrap();
            b.flush().await;
            counts.push(b.stats().processed - before);
        }
        counts
    });
    let expected: Vec<u64> = EmitMode::ALL.into_iter().map(events_of_one_call).collect();
    assert_eq!(counts, expected);
}

/// The mode as this file's tests run it: a sampled mode keeps every tree, so what a call
/// emits does not depend on the ids drawn (sampling itself is tested in `sampled_mode.rs`).
fn deterministic(mode: EmitMode) -> EmitMode {
    match mode {
        EmitMode::Sampled(_) => EmitMode::Sampled(SampleRatio::ALL),
        other => other,
    }
}

/// The events one three-level call records in `mode` with no subscriber. Every mode has an
/// arm: a new mode does not compile here until its expectation is written.
fn events_of_one_call(mode: EmitMode) -> u64 {
    match mode {
        EmitMode::Awaited | EmitMode::FireAndForget => 6,
        EmitMode::Disabled | EmitMode::Lazy => 0,
        EmitMode::Sampled(_) => 6,
    }
}

#[test]
fn a_mode_switch_inside_an_operation_keeps_its_start_and_end_paired() {
    let (mut pool, bus) = bus();
    let b = bus.clone();
    run(&mut pool, async move {
        Operation::new("processing", "processed")
            .run(&b, async {
                b.set_mode(EmitMode::Disabled);
                Ok::<_, String>(())
            })
            .await
            .unwrap();
        b.flush().await;
    });
    let events = bus.events();
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].start_id, Some(events[0].id));
}
