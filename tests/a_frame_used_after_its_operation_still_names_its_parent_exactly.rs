//! The wrapper's frame carries where its start was queued, so a child finds its parent's
//! entry without hashing its id (`core::store::parent_hints`). A frame is a plain value: it
//! can be copied out of its operation and used after the start was evicted, after the
//! history was laid out again or emptied. The child must still name its parent exactly,
//! and the history's indexes must stay whole.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_family = "wasm")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use std::cell::Cell;
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;

use futures::executor::LocalPool;
use lineage::core::{context, EventBus, Frame, Operation};

/// Runs one operation with a child and returns the frame its child saw.
fn parent_op(pool: &mut LocalPool, bus: &EventBus) -> Frame {
    let seen = Rc::new(Cell::new(None));
    let s = seen.clone();
    let child = Operation::new("child", "child_done").run(bus, async { Ok::<_, String>(()) });
    let op = Operation::new("parent", "parent_done").run(bus, async move {
        s.set(context::current());
        child.await
    });
    pool.run_until(op).unwrap();
    seen.get().expect("the child ran inside its parent's frame")
}

/// Runs an operation with `frame` as the enclosing one, as if it had been kept.
fn run_inside(pool: &mut LocalPool, bus: &EventBus, frame: Frame) {
    let mut op = pin!(Operation::new("late", "late_done").run(bus, async { Ok::<_, String>(()) }));
    pool.run_until(std::future::poll_fn(|cx| {
        context::scope(frame, || op.as_mut().poll(cx))
    }))
    .unwrap();
    pool.run_until(bus.flush());
}

fn check(bus: &EventBus, frame: Frame, after: &str) {
    let late: Vec<_> = bus
        .events()
        .into_iter()
        .filter(|e| e.kind == "late")
        .collect();
    assert_eq!(late.len(), 1, "{after}");
    assert_eq!(late[0].parent_id, Some(frame.event_id), "{after}");
    assert_eq!(late[0].root_id, frame.root_id, "{after}");
    bus.history().check_indexes().unwrap();
    let children = bus.children_of(&frame.event_id);
    assert!(
        children.iter().any(|e| e.id == late[0].id),
        "{after}: the late child is listed under its parent"
    );
}

#[test]
fn after_its_start_was_evicted_and_its_slot_written_again() {
    let mut pool = LocalPool::new();
    let bus = EventBus::builder()
        .history_capacity(16)
        .build(pool.spawner());
    let frame = parent_op(&mut pool, &bus);
    // Flushed after each, so the ring stays the history's size and turns over.
    for _ in 0..40 {
        pool.run_until(bus.flush());
        parent_op(&mut pool, &bus);
    }
    pool.run_until(bus.flush());
    run_inside(&mut pool, &bus, frame);
    check(&bus, frame, "evicted");
}

#[test]
fn after_the_history_was_laid_out_again_or_emptied() {
    for emptied in [false, true] {
        let mut pool = LocalPool::new();
        let bus = EventBus::builder()
            .history_capacity(16)
            .build(pool.spawner());
        for _ in 0..5 {
            parent_op(&mut pool, &bus);
            pool.run_until(bus.flush());
        }
        let frame = parent_op(&mut pool, &bus);
        pool.run_until(bus.flush());
        if emptied {
            bus.set_history_capacity(1);
            parent_op(&mut pool, &bus);
            pool.run_until(bus.flush());
        }
        bus.set_history_capacity(24);
        run_inside(&mut pool, &bus, frame);
        if !emptied {
            check(&bus, frame, "laid out again");
        } else {
            // The parent left with the history; the child still names it.
            let late = bus.events().into_iter().find(|e| e.kind == "late");
            assert_eq!(late.unwrap().parent_id, Some(frame.event_id));
            bus.history().check_indexes().unwrap();
        }
    }
}

#[test]
fn while_its_operation_is_still_open_a_copy_names_the_same_parent() {
    let mut pool = LocalPool::new();
    let bus = EventBus::new(pool.spawner());
    let b = bus.clone();
    let seen = Rc::new(Cell::new(None));
    let s = seen.clone();
    let op = Operation::new("parent", "parent_done").run(&bus, async move {
        let frame = context::current().unwrap();
        s.set(Some(frame));
        for _ in 0..3 {
            Operation::new("child", "child_done")
                .run(&b, async { Ok::<_, String>(()) })
                .await?;
        }
        Ok::<_, String>(())
    });
    pool.run_until(op).unwrap();
    pool.run_until(bus.flush());
    let frame = seen.get().unwrap();
    assert_eq!(bus.children_of(&frame.event_id).len(), 6);
    bus.history().check_indexes().unwrap();
}
