//! Nothing emitted is lost: flush, shutdown, back-pressure and dropped puts.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_family = "wasm")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use common::{one_call, run};
use futures::executor::LocalPool;
use futures::FutureExt;
use lineage::core::{EmitError, EmitMode, Event, EventBus, Phase};

fn point(bus: &EventBus) -> Event {
    bus.new_event("tick".into(), Phase::Pending, Default::default(), None)
}

#[test]
fn flush_waits_for_fire_and_forget_puts_still_in_flight() {
    let mut pool = LocalPool::new();
    let bus = EventBus::new(pool.spawner());
    bus.set_mode(EmitMode::FireAndForget);
    let b = bus.clone();
    let processed_after_flush = run(&mut pool, async move {
        for _ in 0..50 {
            one_call(b.clone(), false).await.unwrap();
        }
        b.flush().await;
        b.stats().processed
    });
    assert_eq!(processed_after_flush, 300);
}

#[test]
fn shutdown_drains_the_queue_then_refuses_new_events() {
    let mut pool = LocalPool::new();
    let bus = EventBus::new(pool.spawner());
    bus.set_mode(EmitMode::FireAndForget);
    // Queue 1 000 events without letting the processor run: half put now, half as spawned
    // fire-and-forget puts still in flight when shutdown begins.
    for i in 0..1000 {
        if i % 2 == 0 {
            bus.try_emit(point(&bus)).unwrap();
        } else {
            let spawned = bus.emit_point("tick", Phase::Pending, Default::default);
            assert!(
                spawned.now_or_never().is_some(),
                "a spawned put never waits"
            );
        }
    }
    assert_eq!(bus.stats().processed, 0);
    assert_eq!(bus.stats().pending_puts, 500);
    let b = bus.clone();
    run(&mut pool, async move { b.shutdown().await });
    assert!(bus.is_shut_down());
    assert_eq!(bus.stats().processed, 1000);
    assert_eq!(bus.try_emit(point(&bus)), Err(EmitError::Closed));
    assert_eq!(bus.stats().rejected, 1);
    // A flush after shutdown still returns: refused events count as done.
    let b = bus.clone();
    run(&mut pool, async move { b.flush().await });
}

#[test]
fn a_full_queue_makes_awaited_puts_wait_for_the_processor() {
    let mut pool = LocalPool::new();
    let bus = EventBus::builder().queue_capacity(4).build(pool.spawner());
    let b = bus.clone();
    run(&mut pool, async move {
        for _ in 0..20 {
            one_call(b.clone(), false).await.unwrap();
        }
        b.flush().await;
    });
    let st = bus.stats();
    assert_eq!(st.processed, 120);
    assert!(
        st.queue_high_water <= 4,
        "high water {}",
        st.queue_high_water
    );
    assert_eq!(bus.try_emit(point(&bus)), Ok(()));
    for _ in 0..4 {
        let _ = bus.try_emit(point(&bus));
    }
    assert_eq!(bus.try_emit(point(&bus)), Err(EmitError::Full));
    // Four fitted and two were refused: dropped and counted, and a flush does not wait
    // for them.
    assert_eq!(bus.stats().rejected, 2);
    let b = bus.clone();
    run(&mut pool, async move { b.flush().await });
    assert_eq!(bus.stats().processed, 120 + 4);
}

#[test]
fn a_put_dropped_while_waiting_still_queues_its_event() {
    let mut pool = LocalPool::new();
    let bus = EventBus::builder().queue_capacity(1).build(pool.spawner());
    bus.try_emit(point(&bus)).unwrap();
    let e = point(&bus);
    let id = e.id;
    {
        let mut put = bus.emit(e);
        assert!(
            (&mut put).now_or_never().is_none(),
            "queue full: the put waits"
        );
    }
    let b = bus.clone();
    run(&mut pool, async move { b.flush().await });
    assert_eq!(bus.stats().processed, 2);
    assert!(bus.get(&id).is_some());
}

#[test]
fn statistics_count_by_kind_and_phase() {
    let mut pool = LocalPool::new();
    let bus = EventBus::new(pool.spawner());
    let b = bus.clone();
    run(&mut pool, async move {
        one_call(b.clone(), false).await.unwrap();
        let _ = one_call(b.clone(), true).await;
        b.flush().await;
    });
    let st = bus.stats();
    assert_eq!(st.processed, 12);
    assert_eq!(
        st.kind("processing"),
        9,
        "3 starts + 3 failed ends use the start kind"
    );
    assert_eq!(st.kind("processed"), 3);
    assert_eq!(st.phase(Phase::Started), 6);
    assert_eq!(st.phase(Phase::Completed), 3);
    assert_eq!(st.phase(Phase::Failed), 3);
    assert!(st.queue_high_water >= 1);
}
