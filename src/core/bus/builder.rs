//! # Building a bus
//!
//! [`BusBuilder`] gathers the rare settings (history and queue bounds, starting mode, clock)
//! so that [`EventBus::new`] can stay a one-argument call for the common case.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::task::{LocalSpawn, LocalSpawnExt};

use super::completion::Completion;
use super::processor::run_processor;
use super::{EventBus, Inner, DEFAULT_QUEUE_CAPACITY, RUNNING};
use crate::core::clock::{default_clock, Clock};
use crate::core::history::{History, DEFAULT_CAPACITY};
use crate::core::mode::EmitMode;
use crate::core::subscription::Registry;

/// Settings for a new bus; see [`EventBus::builder`].
pub struct BusBuilder {
    history_capacity: usize,
    queue_capacity: usize,
    mode: EmitMode,
    sampling_seed: u64,
    clock: Option<Rc<dyn Clock>>,
}

impl Default for BusBuilder {
    fn default() -> Self {
        BusBuilder {
            history_capacity: DEFAULT_CAPACITY,
            queue_capacity: DEFAULT_QUEUE_CAPACITY,
            mode: EmitMode::default(),
            sampling_seed: 0,
            clock: None,
        }
    }
}

impl BusBuilder {
    /// Events kept in the history (default 10 000, as in the original).
    pub fn history_capacity(mut self, n: usize) -> Self {
        self.history_capacity = n;
        self
    }

    /// Bound of the emit queue; awaited puts wait when it is full (default 65 536).
    pub fn queue_capacity(mut self, n: usize) -> Self {
        self.queue_capacity = n.max(1);
        self
    }

    /// The emit mode the bus starts in (default [`EmitMode::Awaited`]); it can be switched later
    /// with [`EventBus::set_mode`].
    pub fn mode(mut self, mode: EmitMode) -> Self {
        self.mode = mode;
        self
    }

    /// The seed of sampled mode's decisions (default 0).
    pub fn sampling_seed(mut self, seed: u64) -> Self {
        self.sampling_seed = seed;
        self
    }

    /// The clock that stamps events. The default is `MonotonicClock` natively and, on wasm32,
    /// where the core cannot reach `performance.now()`, a [`ManualClock`](crate::core::ManualClock)
    /// ticking 1 µs per read; the page passes its own clock instead.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Rc::new(clock));
        self
    }

    pub(crate) fn shared_clock(mut self, clock: Rc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Makes the bus and spawns its processor on `spawner`.
    pub fn build(self, spawner: impl LocalSpawn + 'static) -> EventBus {
        let inner = Rc::new(Inner {
            mode: Cell::new(self.mode),
            clock: self.clock.unwrap_or_else(default_clock),
            spawner: Rc::new(spawner),
            queue_capacity: self.queue_capacity,
            processor_waker: RefCell::new(None),
            put_waiters: RefCell::default(),
            history: RefCell::new(History::with_capacity(self.history_capacity)),
            registry: Rc::new(Registry::default()),
            completion: Completion::default(),
            state: Cell::new(RUNNING),
            processor_finished: Cell::new(false),
            finish_waiters: RefCell::default(),
            counters: RefCell::default(),
            lazy_skipped: Cell::new(0),
            sampled_out: Cell::new(0),
            sampling_seed: Cell::new(self.sampling_seed),
            failures: RefCell::default(),
            scratch_payload: Cell::new(None),
        });
        let processor = run_processor(inner.clone());
        inner
            .spawner
            .spawn_local(processor)
            .expect("the executor refused the bus processor task");
        EventBus { inner }
    }
}
