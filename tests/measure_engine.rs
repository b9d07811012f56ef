//! The measurement engine's logic: interleaving, pairing against the baseline, event counts
//! of every set-up, the report's shape. No test here depends on how fast anything runs.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_family = "wasm")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use std::cell::RefCell;
use std::rc::Rc;

use futures::executor::LocalPool;
use lineage::core::{Clock, EmitMode, EventBus, ManualClock, Phase, SampleRatio};
use lineage::measure::ablation::{NamesOnly, PartialWrap};
use lineage::measure::drive::drive;
use lineage::measure::{Group, MeasureConfig, Plan, Session, Subject, SubjectSpec};
use lineage::workload::{run_range_with, CallShape, PipelineConfig, REAL_AEXECUTE_EVENTS};

/// A subject that takes a fixed time per operation (read off a manual clock) and logs when
/// it runs.
struct Fixed {
    key: &'static str,
    group: Group,
    ns_per_op: u64,
    clock: ManualClock,
    log: Rc<RefCell<Vec<&'static str>>>,
}

impl Subject for Fixed {
    fn key(&self) -> String {
        self.key.to_owned()
    }
    fn label(&self) -> String {
        self.key.to_owned()
    }
    fn group(&self) -> Group {
        self.group
    }
    fn shape(&self) -> CallShape {
        CallShape::Nested
    }
    fn run_batch(&mut self, ops: usize, clock: &dyn Clock) -> u64 {
        self.log.borrow_mut().push(self.key);
        let t0 = clock.now_ns();
        self.clock.advance(self.ns_per_op * ops as u64);
        clock.now_ns() - t0
    }
}

fn fixed_session(rounds: usize) -> (Session, Rc<RefCell<Vec<&'static str>>>) {
    let clock = ManualClock::ticking(1);
    let log = Rc::new(RefCell::new(Vec::new()));
    let make = |key, group, ns_per_op| -> Box<dyn Subject> {
        Box::new(Fixed {
            key,
            group,
            ns_per_op,
            clock: clock.clone(),
            log: log.clone(),
        })
    };
    let subjects = vec![
        make("baseline", Group::Baseline, 10),
        make("a", Group::Mode, 70),
        make("b", Group::Mode, 1_000),
    ];
    let config = MeasureConfig {
        rounds,
        min_batch_ms: 0.1,
        min_ops_per_batch: 16,
        ..MeasureConfig::default()
    };
    (Session::new(config, Rc::new(clock), subjects), log)
}

#[test]
fn rounds_interleave_every_subject_in_turn_after_calibration() {
    let (session, log) = fixed_session(3);
    let steps = RefCell::new(0);
    let comparison = session.run(|_| *steps.borrow_mut() += 1);
    assert_eq!(*steps.borrow(), 3 * (1 + 3));
    let log = log.borrow();
    // Calibration may run a subject several times; the measured rounds are the last nine.
    assert_eq!(
        log[log.len() - 9..],
        ["baseline", "a", "b", "baseline", "a", "b", "baseline", "a", "b"]
    );
    assert!(comparison.rows.iter().all(|r| r.ns_per_op.n == 3));
}

#[test]
fn overhead_and_ratio_are_paired_against_the_baseline() {
    let (session, _) = fixed_session(5);
    let c = session.run(|_| {});
    let a = c.row("a").unwrap();
    let ns = a.ns_per_op.median;
    // The ticking clock adds a fraction of a nanosecond per operation; the figure is ~70.
    assert!((ns - 70.0).abs() < 1.0, "{ns}");
    let overhead = a.overhead_ns_per_op.unwrap().median;
    assert!((overhead - 60.0).abs() < 1.0, "{overhead}");
    let ratio = a.ratio_to_baseline.unwrap().median;
    assert!((ratio - 7.0).abs() < 0.1, "{ratio}");
    // Per event divides by the six events of one nested operation.
    assert!((a.overhead_ns_per_event.unwrap().median - overhead / 6.0).abs() < 1e-9);
    assert!(c
        .baseline(CallShape::Nested)
        .unwrap()
        .overhead_ns_per_op
        .is_none());
}

#[test]
fn batches_grow_until_they_last_the_target() {
    let (session, _) = fixed_session(1);
    let c = session.run(|_| {});
    // 0.1 ms at 10 ns per operation needs at least 10 000 operations.
    let base = c.baseline(CallShape::Nested).unwrap();
    assert!(base.ops_per_batch >= 10_000, "{}", base.ops_per_batch);
    assert!(c.row("b").unwrap().ops_per_batch >= 100);
}

/// The share of a call's events a mode records, as a range. Every mode has an arm: a new mode
/// does not compile here until its expectation is written.
fn share_recorded(mode: EmitMode, subscribed: bool) -> (f64, f64) {
    match mode {
        EmitMode::Awaited | EmitMode::FireAndForget => (1.0, 1.0),
        EmitMode::Disabled => (0.0, 0.0),
        EmitMode::Lazy if subscribed => (1.0, 1.0),
        EmitMode::Lazy => (0.0, 0.0),
        // Whole trees, a seeded random share of them: anything from none to all in a short
        // batch, exactly none or all at the extremes.
        EmitMode::Sampled(r) if r == SampleRatio::NONE => (0.0, 0.0),
        EmitMode::Sampled(r) if r == SampleRatio::ALL => (1.0, 1.0),
        EmitMode::Sampled(_) => (0.0, 1.0),
    }
}

fn bus(pool: &LocalPool, mode: EmitMode) -> EventBus {
    EventBus::builder()
        .clock(ManualClock::ticking(1))
        .mode(mode)
        .build(pool.spawner())
}

#[test]
fn the_first_ablation_stages_build_six_events_per_operation_and_queue_none() {
    for context in [false, true] {
        let mut pool = LocalPool::new();
        let bus = bus(&pool, EmitMode::Awaited);
        let config = PipelineConfig::default();
        let partial = PartialWrap { bus: &bus, context };
        drive(
            &mut pool,
            run_range_with(&partial, &config, 0..10, CallShape::Nested),
        );
        pool.run_until_stalled();
        let stats = bus.stats();
        assert_eq!(stats.emitted, 60, "context: {context}");
        assert_eq!((stats.processed, stats.queued), (0, 0));
    }
}

#[test]
fn names_only_payloads_record_the_same_events_without_free_form_fields() {
    let mut pool = LocalPool::new();
    let bus = bus(&pool, EmitMode::Awaited);
    let config = PipelineConfig::default();
    drive(
        &mut pool,
        run_range_with(&NamesOnly(&bus), &config, 0..10, CallShape::Nested),
    );
    drive(&mut pool, bus.flush());
    let events = bus.events();
    assert_eq!(events.len(), 60);
    assert!(events.iter().all(|e| e.payload.extra.is_empty()
        && e.payload.process_name.is_some()
        && e.payload.function_name.is_some()));
}

#[test]
fn the_real_aexecute_profile_records_28_linked_events_per_call() {
    let mut pool = LocalPool::new();
    let bus = bus(&pool, EmitMode::Awaited);
    let config = PipelineConfig::default();
    let on_bus = Some(&bus);
    drive(
        &mut pool,
        run_range_with(&on_bus, &config, 0..3, CallShape::RealAexecute),
    );
    drive(&mut pool, bus.flush());
    let stats = bus.stats();
    assert_eq!(stats.processed, 3 * REAL_AEXECUTE_EVENTS as u64);
    assert_eq!(stats.phase(Phase::Started), 3 * 14);
    assert_eq!(stats.phase(Phase::Completed), 3 * 14);
    assert_eq!(stats.kind("state_transition"), 3 * 2);
    assert_eq!((stats.kind("modifying"), stats.kind("modified")), (3, 3));
    bus.with_history(|h| h.check_indexes()).unwrap();
    // One root per call, and every other event hangs below it.
    let events = bus.events();
    let roots: Vec<_> = events.iter().filter(|e| e.parent_id.is_none()).collect();
    assert_eq!(roots.len(), 3 * 2, "each call's root start and end");
    let tree_builds = events
        .iter()
        .filter(|e| e.payload.process_name.as_deref() == Some("tree_building"))
        .count();
    assert_eq!(tree_builds, 3 * 8);
}

#[test]
fn every_standard_subject_records_what_its_set_up_promises() {
    let config = MeasureConfig {
        rounds: 1,
        min_batch_ms: 0.01,
        min_ops_per_batch: 8,
        max_ops_per_batch: 64,
        ..MeasureConfig::default()
    };
    let plan = Plan::default();
    let subjects: Vec<Box<dyn Subject>> = plan
        .subjects()
        .iter()
        .map(|s| s.build(&config.bench))
        .collect();
    let c = Session::new(config, Rc::new(ManualClock::ticking(1)), subjects).run(|_| {});
    for row in &c.rows {
        let per_call = match row.shape {
            CallShape::RealAexecute => REAL_AEXECUTE_EVENTS as f64,
            CallShape::Nested => 6.0,
        };
        let recorded = row.recorded_events_per_op;
        match (row.group, row.mode) {
            (Group::Baseline, _) => assert_eq!(recorded, None, "{}", row.key),
            (Group::Stage, _) if row.key.ends_with("put") => {
                assert_eq!(recorded, Some(6.0), "{}", row.key)
            }
            (Group::Stage, _) => assert_eq!(recorded, None, "{}", row.key),
            (_, Some(mode)) => {
                let subscribed = row.subscribers.unwrap().count > 0;
                let (lo, hi) = share_recorded(mode, subscribed);
                let r = recorded.unwrap_or_else(|| panic!("{}: no events recorded", row.key));
                assert!(
                    (lo * per_call..=hi * per_call).contains(&r),
                    "{}: {r} events per operation, expected {lo}–{hi} of {per_call}",
                    row.key
                );
            }
            (_, None) => assert_eq!(recorded, Some(per_call), "{}", row.key),
        }
    }
    assert_eq!(c.phases.len(), 5);
}

#[test]
fn spec_and_config_survive_a_json_round_trip() {
    let spec = SubjectSpec::mode(CallShape::RealAexecute, EmitMode::Lazy, Default::default());
    let json = serde_json::to_string(&spec).unwrap();
    assert_eq!(serde_json::from_str::<SubjectSpec>(&json).unwrap(), spec);
    let config: MeasureConfig = serde_json::from_str(r#"{"rounds": 3}"#).unwrap();
    assert_eq!(config.rounds, 3);
    assert_eq!(config.bench.drain_every, 1_024);
}

#[test]
fn both_call_shapes_share_the_root_level_but_for_parameter_count_and_event_total() {
    let root_payloads = |shape: CallShape| {
        let mut pool = LocalPool::new();
        let bus = bus(&pool, EmitMode::Awaited);
        let on_bus = Some(&bus);
        drive(
            &mut pool,
            run_range_with(&on_bus, &PipelineConfig::default(), 0..1, shape),
        );
        drive(&mut pool, bus.flush());
        let events = bus.events();
        let root = |phase| {
            let e = events
                .iter()
                .find(|e| e.parent_id.is_none() && e.phase == phase)
                .unwrap();
            serde_json::to_value(&e.payload).unwrap()
        };
        (root(Phase::Started), root(Phase::Completed))
    };
    let (nested_start, nested_end) = root_payloads(CallShape::Nested);
    let (real_start, real_end) = root_payloads(CallShape::RealAexecute);
    assert_eq!(nested_start["process_name"], "function_execution");
    assert_eq!(nested_start["extra"]["input_parameter_count"], 1);
    assert_eq!(real_start["extra"]["input_parameter_count"], 2);
    let mut start = real_start.clone();
    start["extra"]["input_parameter_count"] = 1.into();
    assert_eq!(start, nested_start);
    assert_eq!(real_end["extra"]["total_events_generated"], 28);
    let mut end = real_end.clone();
    end["extra"]
        .as_object_mut()
        .unwrap()
        .remove("total_events_generated");
    assert_eq!(end, nested_end);
}
