//! Crate-internal tests of the bus: the paths its public verbs do not reach (an executor
//! that refuses a spawned put, the forced put of a cancelled operation).

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::cell::Cell;

use futures::executor::{LocalPool, LocalSpawner};
use futures::future::LocalFutureObj;
use futures::task::{LocalSpawn, SpawnError};
use futures::FutureExt;

use super::EventBus;
use crate::core::event::{Payload, Phase};
use crate::core::mode::EmitMode;
use crate::core::store::{Header, ParentHint};

/// An executor that runs the bus's processor and then shuts down: every put spawned
/// afterwards is refused.
struct ShutsDownAfterTheProcessor {
    pool: LocalSpawner,
    spawned: Cell<usize>,
}

impl LocalSpawn for ShutsDownAfterTheProcessor {
    fn spawn_local_obj(&self, task: LocalFutureObj<'static, ()>) -> Result<(), SpawnError> {
        let n = self.spawned.get();
        self.spawned.set(n + 1);
        if n == 0 {
            self.pool.spawn_local_obj(task)
        } else {
            Err(SpawnError::shutdown())
        }
    }
}

#[test]
fn a_fire_and_forget_put_the_executor_refuses_is_counted_as_rejected_and_done() {
    let mut pool = LocalPool::new();
    let bus = EventBus::builder()
        .mode(EmitMode::FireAndForget)
        .build(ShutsDownAfterTheProcessor {
            pool: pool.spawner(),
            spawned: Cell::new(0),
        });
    let point = bus.emit_point("tick", Phase::Pending, Payload::default);
    assert!(point.now_or_never().is_some());
    let stats = bus.stats();
    assert_eq!((stats.rejected, stats.pending_puts), (1, 0));
    pool.run_until(bus.flush());
    assert_eq!(bus.stats().processed, 0);
}

#[test]
fn a_forced_put_goes_past_a_full_queue_and_is_processed() {
    let mut pool = LocalPool::new();
    let bus = EventBus::builder().queue_capacity(1).build(pool.spawner());
    let tick = || bus.new_event("tick".into(), Phase::Pending, Payload::default(), None);
    bus.try_emit(tick()).unwrap();
    let e = tick();
    let header = Header {
        id: e.id,
        kind: &e.kind,
        phase: e.phase,
        parent_id: None,
        root_id: e.root_id,
        lineage_id: e.lineage_id,
        start_id: None,
        seq: e.seq,
        timestamp_ns: e.timestamp_ns,
        duration_ns: None,
        error: None,
        parent_hint: ParentHint::NONE,
        start_hint: ParentHint::NONE,
    };
    bus.put_parts_forced(&header, Payload::default());
    assert_eq!(bus.stats().queued, 2);
    pool.run_until(bus.flush());
    assert_eq!(bus.stats().processed, 2);
    assert!(bus.get(&e.id).is_some());
}

/// The queue is the history ring's unprocessed tail (`core::store::pending`): a queue many
/// times longer than the history evicts nothing while it waits, keeps its count, and once
/// processed leaves the newest events held and indexed, readable by id, with and without a
/// subscriber (the batch path and the one-event path).
#[test]
fn a_queue_longer_than_the_history_waits_whole_and_leaves_the_newest_held() {
    for subscribed in [false, true] {
        let mut pool = LocalPool::new();
        let bus = EventBus::builder()
            .history_capacity(3)
            .build(pool.spawner());
        let seen = std::rc::Rc::new(Cell::new(0usize));
        let _sub = subscribed.then(|| {
            let (seen, reader) = (seen.clone(), bus.clone());
            bus.subscribe(crate::core::subscription::Filter::All, move |e| {
                // A handler reads the event it is given back by id: it is held already.
                assert!(reader.get(&e.id).is_some());
                seen.set(seen.get() + 1);
                Ok(())
            })
        });
        let mut ids = Vec::new();
        for _ in 0..50 {
            let e = bus.new_event("tick".into(), Phase::Pending, Payload::default(), None);
            ids.push(e.id);
            assert_eq!(bus.try_emit(e), Ok(()));
        }
        assert_eq!(bus.stats().queued, 50);
        assert_eq!(bus.history().len(), 0);
        pool.run_until(bus.flush());
        let stats = bus.stats();
        assert_eq!((stats.queued, stats.processed, stats.pruned), (0, 50, 47));
        assert_eq!(stats.queue_high_water, 50);
        assert_eq!(seen.get(), if subscribed { 50 } else { 0 });
        let held: Vec<_> = bus.events().iter().map(|e| e.id).collect();
        assert_eq!(held, ids[47..]);
        assert!(bus.get(&ids[46]).is_none());
        assert!(bus.get(&ids[49]).is_some());
        bus.with_history(|h| h.check_indexes()).unwrap();
    }
}
