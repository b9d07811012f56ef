//! # Running a simulated pipeline
//!
//! [`run_pipeline`] drives `operations` calls through the bus, `concurrency` of them
//! interleaved in one task (a `join_all` of workers, so no spawning cost is measured), with
//! failures drawn from a seeded generator so two runs of one config fail the same calls.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use futures::future::join_all;
use uuid::Uuid;

use serde::{Deserialize, Serialize};

use super::config::{PipelineConfig, SubscriberKinds, Subscribers};
use super::failure::SimulatedFailure;
use super::levels::{aexecute_with, Call, LevelWork, END_KIND, START_KIND};
use super::pacer::{spin, Pacer};
use super::real_aexecute::{real_aexecute_with, REAL_AEXECUTE_EVENTS};
use super::wrap::{Level, Wrap};
use crate::core::yield_now::yield_now;
use crate::core::{EventBus, Filter, Payload, Phase, Priority, Subscription};

/// What a run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PipelineOutcome {
    pub(crate) operations: usize,
    pub(crate) failed: usize,
}

/// SplitMix64: a tiny, seedable, portable generator. The pipeline only needs reproducible
/// coin flips, natively and in wasm, so a crate (and its entropy source) is not worth it.
#[derive(Clone, Debug)]
pub struct SplitMix(u64);

impl SplitMix {
    pub(crate) fn new(seed: u64) -> SplitMix {
        SplitMix(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A float in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Decides, per operation index, whether it fails: the same answer for the same seed.
pub fn fails(config: &PipelineConfig, index: usize) -> bool {
    if config.failure_rate <= 0.0 {
        return false;
    }
    let mut rng = SplitMix::new(config.seed ^ (index as u64).wrapping_mul(0xA24B_AED4_963E_E407));
    rng.next_f64() < config.failure_rate
}

/// The per-level work of one operation.
struct Work<'a> {
    config: &'a PipelineConfig,
    fail: bool,
    /// Set by the replay only: the work then hands the thread back on time (see [`Pacer`]).
    pacer: Option<&'a Pacer>,
}

impl LevelWork for Work<'_> {
    async fn at_level(&self, _level: usize) {
        match self.pacer {
            None => spin(self.config.work_per_level),
            Some(p) => {
                p.checkpoint().await;
                p.spin(self.config.work_per_level).await;
            }
        }
        for _ in 0..self.config.yields_per_level {
            yield_now().await;
            if let Some(p) = self.pacer {
                p.checkpoint().await;
            }
        }
    }

    async fn innermost(&self) -> Result<Uuid, SimulatedFailure> {
        if self.fail {
            Err(SimulatedFailure("simulated failure".to_owned()))
        } else {
            Ok(Uuid::from_u128(0x5eed))
        }
    }
}

/// The shape of one operation: the configured nesting, or the 28-event real call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallShape {
    /// `config.depth` nested levels (3: the original's `aexecute` → `execute_with_partial` →
    /// `execute_transactional`), two events per level.
    #[default]
    Nested,
    /// The 14 wrapped steps of a real `aexecute` call; see `super::real_aexecute`.
    RealAexecute,
}

impl CallShape {
    /// Events one successful operation of this shape records.
    pub fn events_per_operation(self, config: &PipelineConfig) -> usize {
        match self {
            CallShape::Nested => config.events_per_operation(),
            CallShape::RealAexecute => REAL_AEXECUTE_EVENTS,
        }
    }

    /// The shape's name, as serde writes it (`nested`, `real_aexecute`).
    pub fn as_str(self) -> &'static str {
        match self {
            CallShape::Nested => "nested",
            CallShape::RealAexecute => "real_aexecute",
        }
    }
}

/// The call an operation works on. The input entity is derived from the seed and the index,
/// not drawn at random: runs are reproducible, and the baseline does not pay for a random id
/// per operation that the instrumented runs would then hide in their ratio.
fn call_for(config: &PipelineConfig, index: usize) -> Call {
    Call {
        function_name: "update_gpa",
        input_entity: Uuid::from_u64_pair(config.seed, index as u64),
    }
}

/// Runs one operation of the configured depth. Depth 3 is the original's three functions;
/// other depths nest generic `execute_step` levels (boxed, since the depth is dynamic).
pub async fn run_operation(
    bus: Option<&EventBus>,
    config: &PipelineConfig,
    index: usize,
) -> Result<Uuid, SimulatedFailure> {
    run_operation_with(&bus, config, index, CallShape::Nested).await
}

/// [`run_operation`] under any [`Wrap`], in either shape.
pub async fn run_operation_with<I: Wrap>(
    wrap: &I,
    config: &PipelineConfig,
    index: usize,
    shape: CallShape,
) -> Result<Uuid, SimulatedFailure> {
    run_operation_paced(wrap, config, index, shape, None).await
}

async fn run_operation_paced<I: Wrap>(
    wrap: &I,
    config: &PipelineConfig,
    index: usize,
    shape: CallShape,
    pacer: Option<&Pacer>,
) -> Result<Uuid, SimulatedFailure> {
    let work = Work {
        config,
        fail: fails(config, index),
        pacer,
    };
    let call = call_for(config, index);
    match shape {
        CallShape::RealAexecute => real_aexecute_with(wrap, &call, &work).await,
        CallShape::Nested if config.depth == 3 => aexecute_with(wrap, &call, &work).await,
        CallShape::Nested => nested(wrap, &work, 0, config.depth.max(1)).await,
    }
}

fn nested<'a, I: Wrap>(
    wrap: &'a I,
    work: &'a Work<'a>,
    level: usize,
    depth: usize,
) -> Pin<Box<dyn Future<Output = Result<Uuid, SimulatedFailure>> + 'a>> {
    Box::pin(async move {
        let body = async {
            work.at_level(level).await;
            if level + 1 == depth {
                work.innermost().await
            } else {
                nested(wrap, work, level + 1, depth).await
            }
        };
        let name = level_name(level);
        let step = Level {
            start_kind: START_KIND,
            end_kind: END_KIND,
            process: name,
            function: "execute_step",
            start: move |p: &mut Payload| {
                p.set_process(name).put("level", level as u64);
            },
            end: |_: &Uuid, _: &mut Payload| {},
        };
        wrap.wrap(step, body).await
    })
}

/// Names for generic depths: the original's three, then numbered steps.
pub fn level_name(level: usize) -> &'static str {
    const NAMES: [&str; 8] = [
        "function_execution",
        "input_preparation",
        "transactional_execution",
        "execute_step_4",
        "execute_step_5",
        "execute_step_6",
        "execute_step_7",
        "execute_step_8",
    ];
    NAMES.get(level).copied().unwrap_or("execute_step_n")
}

/// The events of one whole run of `config` on a fresh bus stamped by `clock`, as its history
/// records them (the history holds them all), on an executor of its own: what `bench
/// --import` writes out and what tests replay.
pub fn recorded_run(
    config: &PipelineConfig,
    clock: impl crate::core::Clock + 'static,
) -> Vec<crate::core::Event> {
    let mut pool = futures::executor::LocalPool::new();
    let bus = EventBus::builder()
        .history_capacity(1_000_000)
        .clock(clock)
        .build(pool.spawner());
    let b = bus.clone();
    pool.run_until(async move {
        run_pipeline(Some(&b), config).await;
        b.flush().await;
    });
    bus.with_history(|h| h.events().collect())
}

/// Runs the whole configured pipeline on `bus` (or bare, with `None`), `concurrency`
/// operations interleaved. Does not flush: callers decide when to wait for processing.
pub async fn run_pipeline(bus: Option<&EventBus>, config: &PipelineConfig) -> PipelineOutcome {
    run_range(bus, config, 0..config.operations).await
}

/// Runs operations `range` of the configured pipeline (the replay runs it in slices).
pub async fn run_range(
    bus: Option<&EventBus>,
    config: &PipelineConfig,
    range: std::ops::Range<usize>,
) -> PipelineOutcome {
    run_range_with(&bus, config, range, CallShape::Nested).await
}

/// [`run_range`] under any [`Wrap`], in either shape: what the measurement drives.
pub async fn run_range_with<I: Wrap>(
    wrap: &I,
    config: &PipelineConfig,
    range: std::ops::Range<usize>,
    shape: CallShape,
) -> PipelineOutcome {
    run_range_inner(wrap, config, range, shape, None).await
}

/// [`run_range`] paced by `pacer`: the work parks at its checkpoints once the pacer's turn is
/// over, so the page that drives the executor gets its thread back (the replay runs this).
pub async fn run_range_paced(
    bus: &EventBus,
    config: &PipelineConfig,
    range: std::ops::Range<usize>,
    pacer: &Pacer,
) -> PipelineOutcome {
    run_range_inner(&Some(bus), config, range, CallShape::Nested, Some(pacer)).await
}

async fn run_range_inner<I: Wrap>(
    wrap: &I,
    config: &PipelineConfig,
    range: std::ops::Range<usize>,
    shape: CallShape,
    pacer: Option<&Pacer>,
) -> PipelineOutcome {
    let next = Cell::new(range.start);
    let failed = Cell::new(0usize);
    let end = range.end;
    let worker = || async {
        loop {
            let i = next.get();
            if i >= end {
                break;
            }
            next.set(i + 1);
            if run_operation_paced(wrap, config, i, shape, pacer)
                .await
                .is_err()
            {
                failed.set(failed.get() + 1);
            }
        }
    };
    let k = config.concurrency.clamp(1, range.len().max(1));
    if k == 1 {
        worker().await;
    } else {
        join_all((0..k).map(|_| worker())).await;
    }
    PipelineOutcome {
        operations: range.len(),
        failed: failed.get(),
    }
}

fn filter_for(kinds: SubscriberKinds) -> Filter {
    match kinds {
        SubscriberKinds::All => Filter::All,
        SubscriberKinds::Starts => Filter::kind(START_KIND),
        SubscriberKinds::Ends => Filter::kind(END_KIND),
        SubscriberKinds::Failures => Filter::predicate(|e| e.phase == Phase::Failed),
    }
}

/// The simulated subscribers of [`attach_subscribers`], paced by `pacer` (the replay's):
/// async handlers spend their cost in chunks with checkpoints between them. A sync handler
/// cannot pause (that is what sync means: the processor runs it to completion and goes on to
/// the next), so each costly sync handler is followed, at the same priority and so in the
/// same turn of the processor, by a *pacing* async handler on the same filter that only
/// waits at a checkpoint. The page then gets its thread back between two handler calls, and
/// the bus's interest by kind (what lazy mode asks) is unchanged.
///
/// Returns the subscriptions and a counter of the pacing calls, which the bus counts among
/// its `handler_calls` and a reader of the statistics should subtract.
pub fn attach_paced_subscribers(
    bus: &EventBus,
    subs: &Subscribers,
    pacer: &Pacer,
) -> (Vec<Subscription>, Rc<Cell<u64>>) {
    let pacing_calls = Rc::new(Cell::new(0u64));
    let cost = subs.handler_cost;
    let mut out = Vec::new();
    for _ in 0..subs.count {
        if subs.asynchronous {
            let p = pacer.clone();
            out.push(
                bus.subscribe_async(filter_for(subs.kinds), Priority::NORMAL, move |_| {
                    let p = p.clone();
                    async move {
                        p.spin(cost).await;
                        Ok(())
                    }
                }),
            );
        } else {
            out.push(
                bus.subscribe_with(filter_for(subs.kinds), Priority::NORMAL, move |_| {
                    spin(cost);
                    Ok(())
                }),
            );
            if cost > 0 {
                let (p, calls) = (pacer.clone(), pacing_calls.clone());
                out.push(bus.subscribe_async(
                    filter_for(subs.kinds),
                    Priority::NORMAL,
                    move |_| {
                        calls.set(calls.get() + 1);
                        let p = p.clone();
                        async move {
                            p.checkpoint().await;
                            Ok(())
                        }
                    },
                ));
            }
        }
    }
    (out, pacing_calls)
}

/// Subscribes the configured simulated subscribers; they stay until the handles drop.
pub fn attach_subscribers(bus: &EventBus, subs: &Subscribers) -> Vec<Subscription> {
    (0..subs.count)
        .map(|_| {
            let filter = filter_for(subs.kinds);
            let cost = subs.handler_cost;
            if subs.asynchronous {
                bus.subscribe_async(filter, Priority::NORMAL, move |_| async move {
                    spin(cost);
                    Ok(())
                })
            } else {
                bus.subscribe(filter, move |_| {
                    spin(cost);
                    Ok(())
                })
            }
        })
        .collect()
}
