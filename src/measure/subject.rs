//! # What is measured: subjects
//!
//! A [`Subject`] is one way of running the pipeline that gets its own row: the bare baseline,
//! the bus in one mode with one subscriber set-up, an ablation stage, or a peer (natively,
//! `tracing`). Each owns its bus and executor, made once, so a round times only batches.
//!
//! The built-in subjects are described by plain data ([`SubjectSpec`]) so the browser UI can
//! choose them; peers that exist only natively implement [`Subject`] directly.

use std::rc::Rc;

use futures::executor::LocalPool;
use serde::{Deserialize, Serialize};

use super::ablation::{NamesOnly, PartialWrap, Stage};
use super::drive::{chunks, drive, drive_timed};
use super::split::{lag_percentiles, BatchSplit};
use crate::core::{Clock, EmitMode, EventBus, Subscription};
use crate::pipeline::run::attach_subscribers;
use crate::pipeline::{run_range_with, CallShape, PipelineConfig, Subscribers};

/// Which family a row belongs to, for grouping in tables and charts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Baseline,
    Mode,
    Stage,
    Peer,
}

/// Settings every subject of one session shares.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Workbench {
    /// The pipeline each operation runs (its `operations`, `subscribers` and `mode` are
    /// ignored: batches size themselves and each subject sets its own mode and subscribers).
    pub pipeline: PipelineConfig,
    /// Operations between two flushes of the bus.
    pub drain_every: usize,
    /// Events each bus keeps (the original's default is 10 000).
    pub history_capacity: usize,
}

impl Default for Workbench {
    fn default() -> Self {
        Workbench {
            pipeline: PipelineConfig::default(),
            drain_every: 1_024,
            history_capacity: crate::core::history::DEFAULT_CAPACITY,
        }
    }
}

/// One way of running the pipeline, measured batch by batch.
pub trait Subject {
    /// A stable identifier ("awaited", "awaited+1sync", "stage.create", "peer.tracing_none").
    fn key(&self) -> String;
    /// A human label for tables.
    fn label(&self) -> String;
    fn group(&self) -> Group;
    fn shape(&self) -> CallShape;
    /// The emit mode and subscribers, for mode rows.
    fn mode(&self) -> Option<(EmitMode, Subscribers)> {
        None
    }
    fn stage(&self) -> Option<Stage> {
        None
    }
    /// Runs `ops` operations and returns the nanoseconds `clock` saw them take.
    fn run_batch(&mut self, ops: usize, clock: &dyn Clock) -> u64;
    /// Events the bus recorded and operations run so far, for subjects with a bus that
    /// processes events.
    fn recorded(&self) -> Option<(u64, u64)> {
        None
    }
    /// The last batch's caller / background split, for mode rows (see [`super::split`]).
    fn last_split(&self) -> Option<BatchSplit> {
        None
    }
}

/// A built-in subject, as data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SubjectSpec {
    /// The same nesting with no instrumentation at all.
    Baseline { shape: CallShape },
    /// The bus in `mode`, with `subscribers` attached.
    Mode {
        shape: CallShape,
        mode: EmitMode,
        subscribers: Subscribers,
    },
    /// An ablation stage; [`Stage::Process`] and [`Stage::Handlers`] are mode rows
    /// (see [`SubjectSpec::stage`]).
    Stage { shape: CallShape, stage: Stage },
    /// Awaited, no subscriber, payloads reduced to names (see [`NamesOnly`]).
    NamesOnly { shape: CallShape },
}

/// One subscriber on every event, sync or async, whose handler does nothing.
pub fn one_subscriber(asynchronous: bool) -> Subscribers {
    Subscribers {
        count: 1,
        asynchronous,
        ..Subscribers::default()
    }
}

impl SubjectSpec {
    pub fn baseline(shape: CallShape) -> SubjectSpec {
        SubjectSpec::Baseline { shape }
    }

    pub fn mode(shape: CallShape, mode: EmitMode, subscribers: Subscribers) -> SubjectSpec {
        SubjectSpec::Mode {
            shape,
            mode,
            subscribers,
        }
    }

    /// The subject whose row is the cumulative cost up to `stage`.
    pub fn stage(shape: CallShape, stage: Stage) -> SubjectSpec {
        match stage {
            Stage::Process => SubjectSpec::mode(shape, EmitMode::Awaited, Subscribers::default()),
            Stage::Handlers => SubjectSpec::mode(shape, EmitMode::Awaited, one_subscriber(false)),
            _ => SubjectSpec::Stage { shape, stage },
        }
    }

    /// Makes the subject: its own executor and bus (with the bus's default clock),
    /// subscribers attached.
    pub fn build(&self, bench: &Workbench) -> Box<dyn Subject> {
        self.build_with_clock(bench, None)
    }

    /// Like [`SubjectSpec::build`], with `clock` stamping the bus's events (the browser passes
    /// `performance.now()`, so events cost there what they cost in the inspector).
    pub fn build_with_clock(
        &self,
        bench: &Workbench,
        clock: Option<Rc<dyn Clock>>,
    ) -> Box<dyn Subject> {
        match *self {
            SubjectSpec::Baseline { shape } => Box::new(Baseline {
                bench: bench.clone(),
                shape,
                pool: LocalPool::new(),
                next: 0,
            }),
            SubjectSpec::Mode {
                shape,
                mode,
                subscribers,
            } => Box::new(BusSubject::new(
                bench,
                shape,
                BusRun::Mode(mode, subscribers),
                clock,
            )),
            SubjectSpec::Stage { shape, stage } => match stage {
                Stage::Create | Stage::Context | Stage::Put => {
                    Box::new(BusSubject::new(bench, shape, BusRun::Stage(stage), clock))
                }
                Stage::Process | Stage::Handlers => {
                    SubjectSpec::stage(shape, stage).build_with_clock(bench, clock)
                }
            },
            SubjectSpec::NamesOnly { shape } => {
                Box::new(BusSubject::new(bench, shape, BusRun::NamesOnly, clock))
            }
        }
    }
}

/// The key prefix of a shape: nothing for the default nesting.
pub fn shape_prefix(shape: CallShape) -> &'static str {
    match shape {
        CallShape::Nested => "",
        CallShape::RealAexecute => "real_aexecute.",
    }
}

/// "+1sync", "+2async(cost 100)", or "" for no subscribers.
pub fn subscribers_key(s: &Subscribers) -> String {
    if s.count == 0 {
        return String::new();
    }
    let kind = if s.asynchronous { "async" } else { "sync" };
    let kinds = match s.kinds {
        crate::pipeline::SubscriberKinds::All => String::new(),
        k => format!("[{}]", k.as_str()),
    };
    let cost = if s.handler_cost > 0 {
        format!("(cost {})", s.handler_cost)
    } else {
        String::new()
    };
    format!("+{}{kind}{kinds}{cost}", s.count)
}

fn subscribers_label(s: &Subscribers) -> String {
    match s.count {
        0 => "0 subscribers".to_owned(),
        n => format!(
            "{n} {} subscriber{}{}",
            if s.asynchronous { "async" } else { "sync" },
            if n == 1 { "" } else { "s" },
            if s.handler_cost > 0 {
                format!(", {} spins", s.handler_cost)
            } else {
                String::new()
            }
        ),
    }
}

/// The bare pipeline.
struct Baseline {
    bench: Workbench,
    shape: CallShape,
    pool: LocalPool,
    next: usize,
}

impl Subject for Baseline {
    fn key(&self) -> String {
        format!("{}baseline", shape_prefix(self.shape))
    }

    fn label(&self) -> String {
        "baseline (no instrumentation)".to_owned()
    }

    fn group(&self) -> Group {
        Group::Baseline
    }

    fn shape(&self) -> CallShape {
        self.shape
    }

    fn run_batch(&mut self, ops: usize, clock: &dyn Clock) -> u64 {
        let t0 = clock.now_ns();
        for range in chunks(self.next, ops, self.bench.drain_every) {
            let bare: Option<&EventBus> = None;
            drive(
                &mut self.pool,
                run_range_with(&bare, &self.bench.pipeline, range, self.shape),
            );
        }
        self.next += ops;
        clock.now_ns().saturating_sub(t0)
    }
}

/// What a bus-backed subject does with its bus.
#[derive(Clone, Copy, Debug)]
enum BusRun {
    /// The real wrapper in a mode, timed until flushed.
    Mode(EmitMode, Subscribers),
    /// An ablation stage below full processing.
    Stage(Stage),
    /// Awaited with names-only payloads.
    NamesOnly,
}

struct BusSubject {
    bench: Workbench,
    shape: CallShape,
    run: BusRun,
    pool: LocalPool,
    bus: EventBus,
    _subscriptions: Vec<Subscription>,
    next: usize,
    last_split: Option<BatchSplit>,
}

impl BusSubject {
    fn new(
        bench: &Workbench,
        shape: CallShape,
        run: BusRun,
        clock: Option<Rc<dyn Clock>>,
    ) -> BusSubject {
        let pool = LocalPool::new();
        let mode = match run {
            BusRun::Mode(mode, _) => mode,
            BusRun::Stage(_) | BusRun::NamesOnly => EmitMode::Awaited,
        };
        let mut builder = EventBus::builder()
            .history_capacity(bench.history_capacity)
            .mode(mode);
        if let Some(clock) = clock {
            builder = builder.shared_clock(clock);
        }
        let bus = builder.build(pool.spawner());
        let subscriptions = match run {
            BusRun::Mode(_, subs) => attach_subscribers(&bus, &subs),
            BusRun::Stage(_) | BusRun::NamesOnly => Vec::new(),
        };
        BusSubject {
            bench: bench.clone(),
            shape,
            run,
            pool,
            bus,
            _subscriptions: subscriptions,
            next: 0,
            last_split: None,
        }
    }
}

impl Subject for BusSubject {
    fn key(&self) -> String {
        let prefix = shape_prefix(self.shape);
        match self.run {
            BusRun::Mode(mode, subs) => format!("{prefix}{mode}{}", subscribers_key(&subs)),
            BusRun::Stage(stage) => format!("{prefix}stage.{}", stage.as_str()),
            BusRun::NamesOnly => format!("{prefix}awaited.names_only"),
        }
    }

    fn label(&self) -> String {
        match self.run {
            BusRun::Mode(mode, subs) => format!("{}, {}", mode.label(), subscribers_label(&subs)),
            BusRun::Stage(stage) => stage.label().to_owned(),
            BusRun::NamesOnly => "Awaited, 0 subscribers, names-only payloads".to_owned(),
        }
    }

    fn group(&self) -> Group {
        match self.run {
            BusRun::Mode(..) | BusRun::NamesOnly => Group::Mode,
            BusRun::Stage(_) => Group::Stage,
        }
    }

    fn shape(&self) -> CallShape {
        self.shape
    }

    fn mode(&self) -> Option<(EmitMode, Subscribers)> {
        match self.run {
            BusRun::Mode(mode, subs) => Some((mode, subs)),
            BusRun::Stage(_) | BusRun::NamesOnly => None,
        }
    }

    fn stage(&self) -> Option<Stage> {
        match self.run {
            BusRun::Mode(..) | BusRun::NamesOnly => None,
            BusRun::Stage(stage) => Some(stage),
        }
    }

    fn run_batch(&mut self, ops: usize, clock: &dyn Clock) -> u64 {
        let (bench, shape, bus) = (&self.bench, self.shape, &self.bus);
        let ranges = chunks(self.next, ops, bench.drain_every);
        self.next += ops;
        match self.run {
            BusRun::Mode(..) => {
                // The critical path and the background, timed apart (see `split`); the wall
                // time around the loop is read on its own so the two can be checked against it.
                let processed_before = bus.stats().processed;
                let (mut caller, mut background) = (0u64, 0u64);
                let t0 = clock.now_ns();
                for range in ranges {
                    let on_bus = Some(bus);
                    let ta = clock.now_ns();
                    let (_, waited) = drive_timed(
                        &mut self.pool,
                        run_range_with(&on_bus, &bench.pipeline, range, shape),
                        clock,
                    );
                    let tb = clock.now_ns();
                    drive(&mut self.pool, bus.flush());
                    let tc = clock.now_ns();
                    caller += tb.saturating_sub(ta).saturating_sub(waited);
                    background += tc.saturating_sub(tb) + waited;
                }
                let total = clock.now_ns().saturating_sub(t0);
                let recorded = bus.stats().processed - processed_before;
                self.last_split = Some(BatchSplit {
                    caller_ns: caller,
                    background_ns: background,
                    lag_ns: batch_lags(bus, recorded),
                });
                total
            }
            BusRun::NamesOnly => {
                let t0 = clock.now_ns();
                for range in ranges {
                    drive(
                        &mut self.pool,
                        run_range_with(&NamesOnly(bus), &bench.pipeline, range, shape),
                    );
                    drive(&mut self.pool, bus.flush());
                }
                clock.now_ns().saturating_sub(t0)
            }
            BusRun::Stage(Stage::Put) => {
                // Time the emitting side only; the processor drains the queue untimed.
                let mut timed = 0;
                for range in ranges {
                    let on_bus = Some(bus);
                    let t0 = clock.now_ns();
                    drive(
                        &mut self.pool,
                        run_range_with(&on_bus, &bench.pipeline, range, shape),
                    );
                    timed += clock.now_ns().saturating_sub(t0);
                    drive(&mut self.pool, bus.flush());
                }
                timed
            }
            BusRun::Stage(stage) => {
                let partial = PartialWrap {
                    bus,
                    context: stage == Stage::Context,
                };
                let t0 = clock.now_ns();
                for range in ranges {
                    drive(
                        &mut self.pool,
                        run_range_with(&partial, &bench.pipeline, range, shape),
                    );
                }
                clock.now_ns().saturating_sub(t0)
            }
        }
    }

    fn last_split(&self) -> Option<BatchSplit> {
        self.last_split
    }

    fn recorded(&self) -> Option<(u64, u64)> {
        match self.run {
            BusRun::Mode(..) | BusRun::NamesOnly | BusRun::Stage(Stage::Put) => {
                Some((self.bus.stats().processed, self.next as u64))
            }
            BusRun::Stage(_) => None,
        }
    }
}

/// The queue lag percentiles of the last `recorded` events the bus processed, as far as its
/// history still holds them.
fn batch_lags(bus: &EventBus, recorded: u64) -> Option<(f64, f64)> {
    let mut lags: Vec<u64> = bus.with_history(|h| {
        let skip = h.len().saturating_sub(recorded as usize);
        h.records()
            .skip(skip)
            .map(|(_, r)| r.processed_ns.saturating_sub(r.timestamp_ns))
            .collect()
    });
    lag_percentiles(&mut lags)
}
