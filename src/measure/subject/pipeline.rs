//! # The built-in subjects: the pipeline bare or on a bus
//!
//! [`Baseline`] runs the nesting with no instrumentation; [`BusSubject`] runs it on a bus of
//! its own, in a mode ([`BusRun::Mode`], timed until the bus is flushed, with the caller's
//! path and the background timed apart), as an ablation stage, or with names-only payloads.
//! Each owns its executor and bus, made once, so a round times only batches.

use std::ops::Range;
use std::rc::Rc;

use futures::executor::LocalPool;

use super::{shape_prefix, subscribers_key, subscribers_label, Group, Subject, Workbench};
use crate::core::{Clock, EmitMode, EventBus, Subscription};
use crate::measure::ablation::{NamesOnly, PartialWrap, Stage};
use crate::measure::drive::{chunks, drive, drive_timed};
use crate::measure::split::{lag_percentiles, BatchSplit};
use crate::workload::run::attach_subscribers;
use crate::workload::{run_range_with, CallShape, Subscribers};

/// The bare pipeline.
pub(super) struct Baseline {
    bench: Workbench,
    shape: CallShape,
    pool: LocalPool,
    next: usize,
}

impl Baseline {
    pub(super) fn new(bench: &Workbench, shape: CallShape) -> Baseline {
        Baseline {
            bench: bench.clone(),
            shape,
            pool: LocalPool::new(),
            next: 0,
        }
    }
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
pub(super) enum BusRun {
    /// The real wrapper in a mode, timed until flushed.
    Mode(EmitMode, Subscribers),
    /// An ablation stage below full processing.
    Stage(Stage),
    /// Awaited with names-only payloads.
    NamesOnly,
}

/// The pipeline on a bus of its own; see the module docs.
pub(super) struct BusSubject {
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
    pub(super) fn new(
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
        let ranges = chunks(self.next, ops, self.bench.drain_every);
        self.next += ops;
        match self.run {
            BusRun::Mode(..) => self.time_mode(ranges, clock),
            BusRun::NamesOnly => self.time_names_only(ranges, clock),
            BusRun::Stage(Stage::Put) => self.time_put_stage(ranges, clock),
            BusRun::Stage(stage) => self.time_partial_stage(stage, ranges, clock),
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

/// How each kind of bus run is timed.
impl BusSubject {
    /// The critical path and the background, timed apart (see `split`); the wall time around
    /// the loop is read on its own so the two can be checked against it.
    fn time_mode(&mut self, ranges: impl Iterator<Item = Range<usize>>, clock: &dyn Clock) -> u64 {
        let (bench, shape, bus) = (&self.bench, self.shape, &self.bus);
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

    fn time_names_only(
        &mut self,
        ranges: impl Iterator<Item = Range<usize>>,
        clock: &dyn Clock,
    ) -> u64 {
        let (bench, shape, bus) = (&self.bench, self.shape, &self.bus);
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

    /// Times the emitting side only; the processor drains the queue untimed.
    fn time_put_stage(
        &mut self,
        ranges: impl Iterator<Item = Range<usize>>,
        clock: &dyn Clock,
    ) -> u64 {
        let (bench, shape, bus) = (&self.bench, self.shape, &self.bus);
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

    /// The stages below the queue put: events built (and linked, for the context stage) and
    /// dropped, with no bus processing to wait for.
    fn time_partial_stage(
        &mut self,
        stage: Stage,
        ranges: impl Iterator<Item = Range<usize>>,
        clock: &dyn Clock,
    ) -> u64 {
        let (bench, shape) = (&self.bench, self.shape);
        let partial = PartialWrap {
            bus: &self.bus,
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

/// The queue lag percentiles of the last `recorded` events the bus processed, as far as its
/// history still holds them.
fn batch_lags(bus: &EventBus, recorded: u64) -> Option<(f64, f64)> {
    let mut lags: Vec<u64> = bus.with_history(|h| {
        let skip = h.len().saturating_sub(recorded as usize);
        h.records()
            .skip(skip)
            .map(|(p, r)| {
                let processed = h.processed_ns_at(p).unwrap_or(0);
                processed.saturating_sub(r.timestamp_ns)
            })
            .collect()
    });
    lag_percentiles(&mut lags)
}
