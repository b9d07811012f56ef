//! The replay runs in turns of bounded wall time, whatever the settings, records exactly what
//! an unpaced run records, and stops at once when told, keeping what it recorded.
//!
//! Time here is a [`ManualClock`] that moves 1 ms on every read, so "wall time" is counted in
//! clock reads and the tests are exact, never timed.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::rc::Rc;

use lineage::core::ManualClock;
use lineage::replay::Replay;
use lineage::workload::{PipelineConfig, Subscribers};

const MS: u64 = 1_000_000;

fn replay(config: PipelineConfig) -> Replay {
    Replay::new(config, Rc::new(ManualClock::ticking(MS)), 100_000)
}

/// The first freeze, made small: deep operations with much work at every level.
fn heavy_work() -> PipelineConfig {
    PipelineConfig {
        operations: 4,
        depth: 8,
        work_per_level: 400_000,
        ..PipelineConfig::default()
    }
}

/// The second freeze, made small: many costly sync handlers on every event.
fn heavy_sync_handlers() -> PipelineConfig {
    PipelineConfig {
        operations: 2,
        subscribers: Subscribers {
            count: 10,
            handler_cost: 50_000,
            ..Subscribers::default()
        },
        ..PipelineConfig::default()
    }
}

fn heavy_async_handlers() -> PipelineConfig {
    let mut c = heavy_sync_handlers();
    c.subscribers.asynchronous = true;
    c.subscribers.handler_cost = 500_000;
    c
}

/// Runs to the end in turns of `budget`; returns the number of turns.
fn turns(r: &mut Replay, budget: u64) -> usize {
    let mut n = 1;
    while r.work(usize::MAX, budget) {
        n += 1;
        assert!(n < 100_000, "the run does not end");
    }
    n
}

#[test]
fn heavy_level_work_is_cut_into_many_turns_and_records_every_event() {
    for config in [heavy_work(), heavy_sync_handlers(), heavy_async_handlers()] {
        let expected = config.operations * config.events_per_operation();
        let mut r = replay(config.clone());
        let n = turns(&mut r, 5 * MS);
        assert!(n > 5, "{n} turns for {config:?}");
        assert!(r.finished());
        assert_eq!(r.recorded(), expected, "{config:?}");
        assert_eq!(r.operations_run(), (config.operations, 0));
    }
}

/// One operation at a time, a paced run records the very events of an unpaced one, in the
/// same order. (Interleaved operations interleave differently when some of them are parked
/// at a turn's end, as they would under any real timing: the same events, another order.)
#[test]
fn a_paced_run_records_the_same_events_as_one_long_turn() {
    for concurrency in [1, 4] {
        same_events_paced_and_unpaced(concurrency);
    }
}

fn same_events_paced_and_unpaced(concurrency: usize) {
    let config = PipelineConfig {
        operations: 40,
        concurrency,
        failure_rate: 0.3,
        yields_per_level: 2,
        work_per_level: 250_000,
        ..PipelineConfig::default()
    };
    let shape = |r: &Replay| -> Vec<(String, String, Option<String>)> {
        r.bus()
            .events()
            .iter()
            .map(|e| {
                (
                    e.kind.to_string(),
                    e.phase.as_str().to_owned(),
                    e.payload.process_name.clone().map(|s| s.to_string()),
                )
            })
            .collect()
    };
    let mut paced = replay(config.clone());
    assert!(turns(&mut paced, 3 * MS) > 3);
    let mut whole = replay(config);
    assert_eq!(turns(&mut whole, u64::MAX), 1);
    let (mut a, mut b) = (shape(&paced), shape(&whole));
    if concurrency > 1 {
        a.sort();
        b.sort();
    }
    assert_eq!(a, b, "concurrency {concurrency}");
    assert_eq!(paced.operations_run(), whole.operations_run());
    assert_eq!(
        paced.stats().handler_calls,
        whole.stats().handler_calls,
        "the pacing handlers are not counted"
    );
}

#[test]
fn stop_ends_the_run_at_once_and_keeps_what_was_recorded() {
    let mut r = replay(heavy_work());
    let mut more = true;
    while more && r.recorded() < 10 {
        more = r.work(usize::MAX, 2 * MS);
    }
    assert!(more, "the run is still going");
    let kept = r.recorded();
    let events = r.bus().events();
    r.stop();
    assert!(r.finished() && r.stopped());
    assert_eq!(r.cursor(), kept, "the cursor shows everything recorded");
    assert!(!r.work(usize::MAX, u64::MAX), "nothing more runs");
    assert_eq!(r.recorded(), kept);
    assert_eq!(r.bus().events(), events, "what was recorded is untouched");
    // The operation cut short shows as unfinished.
    let ins = r.inspect();
    assert!(ins.summary.unfinished > 0, "{:?}", ins.summary);
}

#[test]
fn advance_reveals_events_one_turn_at_a_time() {
    let mut r = replay(heavy_work());
    // One step of one event: the first start event comes at once.
    assert!(r.advance(1, 2 * MS));
    assert_eq!(r.cursor(), 1);
    // Asking for far more than one turn can run stops at the turn's end.
    r.advance(1_000, 2 * MS);
    assert!(r.cursor() < 4 * 16, "{}", r.cursor());
    assert!(!r.finished());
}
