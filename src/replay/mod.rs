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
//! operations as unfinished that later complete.

use std::rc::Rc;

use futures::executor::LocalPool;
use futures::task::LocalSpawnExt;

use crate::core::{Clock, EmitMode, Event, EventBus, HandlerFailure, Stats, Subscription};
use crate::inspect::Inspection;
use crate::pipeline::{attach_subscribers, run_range, PipelineConfig};

/// Operations run per live slice; small enough that a slice never blocks the page for long.
pub const DEFAULT_SLICE: usize = 64;

pub struct Replay {
    pool: LocalPool,
    bus: EventBus,
    config: PipelineConfig,
    /// Operations started so far.
    next_op: usize,
    slice: usize,
    cursor: usize,
    failed_ops: usize,
    _subscriptions: Vec<Subscription>,
}

impl Replay {
    /// A replay of `config` whose bus keeps up to `history_capacity` events.
    pub fn new(config: PipelineConfig, clock: Rc<dyn Clock>, history_capacity: usize) -> Replay {
        let pool = LocalPool::new();
        let bus = EventBus::builder()
            .history_capacity(history_capacity)
            .mode(config.mode)
            .shared_clock(clock)
            .build(pool.spawner());
        let subs = attach_subscribers(&bus, &config.subscribers);
        Replay {
            pool,
            bus,
            config,
            next_op: 0,
            slice: DEFAULT_SLICE,
            cursor: 0,
            failed_ops: 0,
            _subscriptions: subs,
        }
    }

    pub fn bus(&self) -> &EventBus {
        &self.bus
    }

    pub fn config(&self) -> &PipelineConfig {
        &self.config
    }

    /// Switches the live bus's emit mode.
    pub fn set_mode(&mut self, mode: EmitMode) {
        self.config.mode = mode;
        self.bus.set_mode(mode);
    }

    pub fn set_slice(&mut self, ops: usize) {
        self.slice = ops.max(1);
    }

    /// Operations run so far, and how many of them failed.
    pub fn operations_run(&self) -> (usize, usize) {
        (self.next_op, self.failed_ops)
    }

    /// True when every configured operation has run and been processed.
    pub fn finished(&self) -> bool {
        self.next_op >= self.config.operations
    }

    /// Events recorded so far (the scrubber's range).
    pub fn recorded(&self) -> usize {
        self.bus.with_history(|h| h.len())
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Runs the next slice of operations live and processes their events. Returns how many
    /// events it recorded (0 in disabled mode, or when finished).
    pub fn run_slice(&mut self) -> usize {
        if self.finished() {
            return 0;
        }
        let before = self.recorded();
        let end = (self.next_op + self.slice).min(self.config.operations);
        let range = self.next_op..end;
        self.next_op = end;
        let bus = self.bus.clone();
        let config = self.config.clone();
        let failed = Rc::new(std::cell::Cell::new(0));
        let f = failed.clone();
        self.pool
            .spawner()
            .spawn_local(async move {
                let outcome = run_range(Some(&bus), &config, range).await;
                f.set(outcome.failed);
                bus.flush().await;
            })
            .expect("the replay's pool is alive");
        self.pool.run_until_stalled();
        self.failed_ops += failed.get();
        self.recorded() - before
    }

    /// Runs everything left, slice by slice, and moves the cursor to the end.
    pub fn run_all(&mut self) {
        while !self.finished() {
            self.run_slice();
        }
        self.cursor = self.recorded();
    }

    /// Moves the cursor to `to` (clamped to what is recorded).
    pub fn seek(&mut self, to: usize) {
        self.cursor = to.min(self.recorded());
    }

    /// Moves the cursor forward by `n` events, running live slices when it reaches the end
    /// of what was recorded. Returns false when nothing more will come.
    pub fn advance(&mut self, n: usize) -> bool {
        let target = self.cursor + n;
        while self.recorded() < target && !self.finished() {
            self.run_slice();
        }
        self.cursor = target.min(self.recorded());
        self.cursor < self.recorded() || !self.finished()
    }

    /// The events up to the cursor, in processing order.
    pub fn events_until_cursor(&self) -> Vec<Event> {
        self.bus
            .with_history(|h| h.events().take(self.cursor).collect())
    }

    /// When each of the first `cursor` events was processed (bus clock, ns).
    pub fn processed_until_cursor(&self) -> Vec<u64> {
        self.bus.with_history(|h| {
            h.records()
                .take(self.cursor)
                .map(|(_, r)| r.processed_ns)
                .collect()
        })
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

    pub fn stats(&self) -> Stats {
        self.bus.stats()
    }
}
