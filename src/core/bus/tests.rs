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
use crate::core::store::Header;

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
    // A new root with no payload: its header is the event's own.
    let header = Header::of_event(&e);
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

/// What a bus records in batches (no subscriber: `Inner::record_unheard`) equals what it
/// records one event a turn (a subscriber: `Inner::record_front`) for the same script:
/// numbers skipped by refused events, puts waiting on a full queue and queuing out of the
/// order they were numbered in, flushes waiting at several points, a history that evicts.
/// The same counts, inversions, events held, and puts and flushes finishing in the same
/// order.
#[test]
fn a_batch_counts_and_wakes_what_one_event_a_turn_does() {
    use std::cell::RefCell;
    use std::rc::Rc;

    use futures::task::LocalSpawnExt;

    use crate::core::subscription::Filter;

    fn script(subscribed: bool) -> (Vec<String>, crate::core::stats::Stats, Vec<u64>) {
        let mut pool = LocalPool::new();
        let spawner = pool.spawner();
        let bus = EventBus::builder()
            .queue_capacity(4)
            .history_capacity(5)
            .build(pool.spawner());
        let _sub = subscribed.then(|| bus.subscribe(Filter::All, |_| Ok(())));
        let log = Rc::new(RefCell::new(Vec::new()));
        let kinds = ["a", "b", "c"];
        let tick = |i: usize| {
            bus.new_event(
                kinds[i % 3].into(),
                Phase::Pending,
                Payload::default(),
                None,
            )
        };
        for round in 0..3 {
            for i in 0..6 {
                let refused = bus.try_emit(tick(i)).is_err();
                log.borrow_mut()
                    .push(format!("{round}: try {i} refused {refused}"));
            }
            // Numbered in one order, queued in the other once the processor makes room.
            let (first, second) = (tick(round), tick(round + 1));
            for (name, e) in [("second", second), ("first", first)] {
                let (b, log) = (bus.clone(), log.clone());
                spawner
                    .spawn_local(async move {
                        b.emit(e).await;
                        log.borrow_mut().push(format!("{round}: put {name}"));
                    })
                    .unwrap();
            }
            for flush in 0..2 {
                let (b, log) = (bus.clone(), log.clone());
                spawner
                    .spawn_local(async move {
                        b.flush().await;
                        log.borrow_mut().push(format!("{round}: flush {flush}"));
                    })
                    .unwrap();
                let _ = bus.try_emit(tick(flush));
            }
            pool.run_until_stalled();
        }
        pool.run_until(bus.flush());
        let held = bus.events().iter().map(|e| e.seq).collect();
        bus.with_history(|h| h.check_indexes()).unwrap();
        let log = log.borrow().clone();
        (log, bus.stats(), held)
    }

    let (log, stats, held) = script(false);
    let (log_heard, mut stats_heard, held_heard) = script(true);
    assert_eq!(log, log_heard);
    assert_eq!(held, held_heard);
    assert_eq!(stats_heard.handler_calls, stats_heard.processed);
    stats_heard.handler_calls = 0;
    // Subscribing rebuilds the interest cache; nothing else of the subscriber shows.
    stats_heard.interest_rebuilds = stats.interest_rebuilds;
    assert_eq!(stats, stats_heard);
    assert!(stats.order_inversions > 0, "{stats:?}");
    assert!(stats.rejected > 0, "{stats:?}");
    assert_eq!(stats.processed + stats.rejected, stats.emitted);
    assert_eq!(log.iter().filter(|l| l.contains("flush")).count(), 6);
}
