//! # Replay: a live pipeline, revealed at the user's pace
//!
//! [`Replay`] owns a bus on its own `LocalPool` (driven by the page, never parking the
//! thread, so it runs unchanged in the browser) and runs the configured pipeline on it in
//! slices of operations. A cursor walks over the recorded events: play moves it at a chosen
//! speed, step moves it by one, the scrubber sets it; when it reaches the end of what was
//! recorded, the next slice of operations runs live. The emit mode can be switched at any
//! time and applies to the operations that start afterwards, exactly as on a live bus.
//!
//! The tree and timeline show the events up to the cursor, so scrubbing back shows
//! operations as unfinished that later complete. [`Replay::inspection`] brings the last
//! inspection to the cursor from the events in between ([`Scrub`]) rather than rebuilding it,
//! so a scrub step costs what it reveals or hides, not the whole trace.
//!
//! The page drives the run in turns ([`Replay::work`]) of a bounded wall time: the
//! pipeline's busy work and the simulated handlers are paced (see
//! `crate::workload::pacer`), so the page paints and answers clicks between two turns
//! whatever the settings, and [`Replay::stop`] ends a run at once, keeping what the bus
//! recorded.

pub mod pacing;
// Native only: the scrub's property-test helpers are.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;

use futures::executor::LocalPool;
use futures::task::LocalSpawnExt;

use crate::analysis::latency::ModeTimeline;
use crate::analysis::Inspection;
use crate::core::{Clock, EmitMode, EventBus, HandlerFailure, Stats, Subscription};
use crate::view::scrub::Scrub;
use crate::workload::limits;
use crate::workload::{attach_paced_subscribers, run_range_paced, Pacer, PipelineConfig};

/// Operations run per live slice: a mode switch applies from the next slice on, so it must
/// stay small (time is bounded separately, by the turn's budget).
pub const DEFAULT_SLICE: usize = 64;

/// Wall time one turn ([`Replay::work`]) may run the pipeline before it hands the thread back
/// to the page. With the longest step that cannot be cut added (one sync handler call of the
/// highest cost allowed, ≈ 10 ms, see `pipeline::limits::SYNC_HANDLER_COST`), the page
/// still gets its thread back well within 50 ms, whatever the settings.
pub const TURN_BUDGET_NS: u64 = 12_000_000;

pub struct Replay {
    pool: LocalPool,
    bus: EventBus,
    config: PipelineConfig,
    pacer: Pacer,
    /// Operations started so far.
    next_op: usize,
    slice: usize,
    cursor: usize,
    failed_ops: usize,
    /// The slice on the executor, if one is: its failed operations once it has finished.
    running: Option<Rc<Cell<Option<usize>>>>,
    stopped: bool,
    /// Calls of the pacing handlers (see `attach_paced_subscribers`), not the user's.
    pacing_calls: Rc<Cell<u64>>,
    /// The inspection at the cursor as last brought there, and what brings it (see
    /// [`Replay::inspection`]).
    view: Arc<Inspection>,
    scrub: Scrub,
    /// The emit modes of the run, by emission number (which operation ran in which).
    modes: ModeTimeline,
    _subscriptions: Vec<Subscription>,
}

impl Replay {
    /// A replay of `config` whose bus keeps up to `history_capacity` events.
    pub fn new(
        mut config: PipelineConfig,
        clock: Rc<dyn Clock>,
        history_capacity: usize,
    ) -> Replay {
        // The one step pacing cannot cut; bounded however the config was made.
        let max_cost = limits::handler_cost(config.subscribers.asynchronous).max as u32;
        config.subscribers.handler_cost = config.subscribers.handler_cost.min(max_cost);
        let modes = ModeTimeline::starting(config.mode);
        let pool = LocalPool::new();
        let pacer = Pacer::new(clock.clone());
        let bus = EventBus::builder()
            .history_capacity(history_capacity)
            .mode(config.mode)
            .sampling_seed(config.seed)
            .shared_clock(clock)
            .build(pool.spawner());
        let (subs, pacing_calls) = attach_paced_subscribers(&bus, &config.subscribers, &pacer);
        Replay {
            pool,
            bus,
            config,
            pacer,
            next_op: 0,
            slice: DEFAULT_SLICE,
            cursor: 0,
            failed_ops: 0,
            running: None,
            stopped: false,
            pacing_calls,
            view: Arc::default(),
            scrub: Scrub::new(),
            modes,
            _subscriptions: subs,
        }
    }

    pub fn bus(&self) -> &EventBus {
        &self.bus
    }

    pub fn config(&self) -> &PipelineConfig {
        &self.config
    }

    /// Switches the live bus's emit mode: operations that start from now on run in it.
    pub fn set_mode(&mut self, mode: EmitMode) {
        self.config.mode = mode;
        self.bus.set_mode(mode);
        self.modes.switch(self.bus.stats().emitted, mode);
    }

    /// Which emit mode the run's operations ran in, by emission number.
    pub fn modes(&self) -> &ModeTimeline {
        &self.modes
    }

    /// Operations started so far, and how many of those that finished failed.
    pub fn operations_run(&self) -> (usize, usize) {
        (self.next_op, self.failed_ops)
    }

    /// True when every configured operation has run and been processed, or the run was
    /// stopped.
    pub fn finished(&self) -> bool {
        self.stopped || (self.next_op >= self.config.operations && self.running.is_none())
    }

    /// True when [`Replay::stop`] ended the run early.
    pub fn stopped(&self) -> bool {
        self.stopped
    }

    /// Ends the run now. What the bus has recorded stays (operations cut short show as
    /// unfinished, events still in the queue are not processed); nothing more runs. The
    /// cursor moves to the end of what was recorded.
    pub fn stop(&mut self) {
        self.stopped = true;
        self.cursor = self.recorded();
    }

    /// Events recorded so far (the scrubber's range).
    pub fn recorded(&self) -> usize {
        self.bus.with_history(|h| h.len())
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// One turn: runs the live pipeline until `want` events are recorded, every operation
    /// has run, or `budget_ns` of wall time has passed, whichever comes first, and returns
    /// whether it should be called again to get there (after yielding to the page).
    ///
    /// Operations start a slice at a time; a slice cut short by the budget is parked at a
    /// checkpoint (see [`Pacer`]) and the next turn resumes it where it stopped.
    pub fn work(&mut self, want: usize, budget_ns: u64) -> bool {
        if self.stopped {
            // The tasks cut short stay parked: waking them would run the stopped run on.
            return false;
        }
        self.pacer.begin(budget_ns);
        loop {
            self.collect();
            if self.running.is_none() {
                if self.finished() || self.recorded() >= want {
                    break;
                }
                self.start_slice();
            }
            self.pool.run_until_stalled();
            self.collect();
            // Still running after the executor stalled: parked at a checkpoint, out of time.
            if self.running.is_some() || self.pacer.out_of_time() {
                break;
            }
        }
        !self.finished() && self.recorded() < want
    }

    fn start_slice(&mut self) {
        let end = (self.next_op + self.slice).min(self.config.operations);
        let range = self.next_op..end;
        self.next_op = end;
        let bus = self.bus.clone();
        let config = self.config.clone();
        let pacer = self.pacer.clone();
        let done = Rc::new(Cell::new(None));
        let d = done.clone();
        self.pool
            .spawner()
            .spawn_local(async move {
                let outcome = run_range_paced(&bus, &config, range, &pacer).await;
                bus.flush().await;
                d.set(Some(outcome.failed));
            })
            .expect("the replay's pool is alive");
        self.running = Some(done);
    }

    /// Accounts for the running slice if it has finished.
    fn collect(&mut self) {
        if let Some(failed) = self.running.as_ref().and_then(|d| d.get()) {
            self.failed_ops += failed;
            self.running = None;
        }
    }

    /// Runs the next slice of operations to its end, unpaced by the page (native callers and
    /// tests). Returns how many events it recorded (0 in disabled mode, or when finished).
    pub fn run_slice(&mut self) -> usize {
        let before = self.recorded();
        if self.stopped {
            return 0;
        }
        if self.running.is_none() && !self.finished() {
            self.start_slice();
        }
        while self.running.is_some() {
            self.pacer.begin(u64::MAX);
            self.pool.run_until_stalled();
            self.collect();
        }
        self.recorded() - before
    }

    /// Runs everything left, in turns of `budget_ns`, and moves the cursor to the end.
    pub fn run_all(&mut self) {
        while self.work(usize::MAX, TURN_BUDGET_NS) {}
        self.cursor = self.recorded();
    }

    /// Moves the cursor to `to` (clamped to what is recorded).
    pub fn seek(&mut self, to: usize) {
        self.cursor = to.min(self.recorded());
    }

    /// Moves the cursor forward by `n` events, running the live pipeline for at most one
    /// turn of `budget_ns` when it reaches the end of what was recorded. Returns false when
    /// nothing more will come.
    pub fn advance(&mut self, n: usize, budget_ns: u64) -> bool {
        let target = self.cursor + n;
        if self.recorded() < target {
            self.work(target, budget_ns);
        }
        self.cursor = target.min(self.recorded());
        self.cursor < self.recorded() || !self.finished()
    }

    pub fn handler_failures(&self) -> Vec<HandlerFailure> {
        self.bus.handler_failures()
    }

    /// The inspection of what the cursor has revealed, its tree nested through the bus's
    /// own `children_by_parent` index.
    pub fn inspect(&self) -> Inspection {
        let failures = self.handler_failures();
        self.bus
            .with_history(|h| Inspection::of_history(h, self.cursor, &failures))
    }

    /// The inspection of what the cursor has revealed, equal to [`Replay::inspect`]'s but
    /// brought there from the last one by the events in between (see [`Scrub`]). It is
    /// updated in place when nobody else holds the last one, so callers drop theirs first;
    /// a copy still held elsewhere (a pinned run) costs one full copy, once.
    pub fn inspection(&mut self) -> Arc<Inspection> {
        let failures = self.handler_failures();
        let (view, scrub, cursor) = (Arc::make_mut(&mut self.view), &mut self.scrub, self.cursor);
        self.bus
            .with_history(|h| scrub.seek(view, h, cursor, &failures));
        self.view.clone()
    }

    /// Brings the view at most `max_events` events closer to the cursor and returns whether
    /// it is there, so the page can bring a far cursor (Stop at 250 k events: ~450 ms in one
    /// step) in slices between frames. The view after the last slice is
    /// [`Replay::inspection`]'s, which then costs nothing more. Backward moves, and a view that
    /// would be rebuilt whole anyway (see [`Scrub::rebuilds_at`]), go in one step.
    pub fn bring_view(&mut self, max_events: usize) -> bool {
        let shown = self.view.trace.len();
        let target = if self.cursor > shown && !self.scrub.rebuilds_at(self.cursor) {
            self.cursor.min(shown.saturating_add(max_events.max(1)))
        } else {
            self.cursor
        };
        let failures = self.handler_failures();
        let (view, scrub) = (Arc::make_mut(&mut self.view), &mut self.scrub);
        self.bus
            .with_history(|h| scrub.seek(view, h, target, &failures));
        target == self.cursor
    }

    /// Events the view shows (it trails the cursor while [`Replay::bring_view`] brings it).
    pub fn view_len(&self) -> usize {
        self.view.trace.len()
    }

    /// The bus's statistics, without the calls of the pacing handlers.
    pub fn stats(&self) -> Stats {
        let mut s = self.bus.stats();
        s.handler_calls = s.handler_calls.saturating_sub(self.pacing_calls.get());
        s
    }
}
