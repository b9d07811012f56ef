//! # The event bus
//!
//! [`EventBus`] is a cheap-to-clone handle (`Rc`) to one bus: a bounded FIFO queue, a
//! background processor task, a bounded [`History`] with its indexes, the subscription table
//! and the counters. It is single-threaded by design (`Cell`/`RefCell`, no locks): it runs on a
//! `futures` single-threaded executor, `LocalPool` natively, `wasm_bindgen_futures` in the
//! browser, through any [`LocalSpawn`] given at construction.
//!
//! ## The life of an event
//! 1. It is created with the next sequence number and a timestamp from the bus clock.
//! 2. It is put on the queue: awaited (waiting only if the queue is full), or, in
//!    [`EmitMode::FireAndForget`], spawned as its own put task. The put encodes it into a
//!    compact [`Record`](super::store::record::Record) of the history's [`EventStore`](super::store::EventStore): its
//!    strings interned, its payload bytes appended to the store's arena, the record written
//!    into the history's ring behind the events held: the queue is the ring's unprocessed
//!    tail (`core::store::pending`).
//! 3. The processor takes it off in FIFO order and makes it held where it lies (evicting and
//!    unindexing the oldest held event when full, then indexing it), counts it, and runs the matching handlers in priority
//!    order, awaiting async ones in turn. Handlers get an owned [`Event`] decoded from the
//!    record, built only when some subscription exists.
//! 4. Only then is it *done*: [`EventBus::flush`] waits for every event emitted before the
//!    call to be done, whatever order the puts arrived in.
//!
//! ## Errors in handlers
//! A handler's `Err` is counted and kept as a [`HandlerFailure`]; a panic is caught with
//! `catch_unwind` and recorded the same way, and processing goes on. On
//! `wasm32-unknown-unknown` Rust panics abort the module (there is no unwinding), so a
//! panicking handler there stops the whole wasm instance; the panic hook prints its message
//! to the console. Return errors instead of panicking in browser handlers.
//!
//! ## Shutting down
//! [`EventBus::shutdown`] first waits until everything emitted so far is processed (including
//! fire-and-forget puts still in flight), then stops accepting events and lets the processor
//! finish the queue. Events offered afterwards are refused and counted in `Stats::rejected`.
//! The original cancelled its processor and lost what was queued.
//!
//! ## Where things are
//! - this file: the [`EventBus`] handle and what it reads (modes, subscriptions, history,
//!   statistics), and the shared state behind it;
//! - `builder.rs`: [`BusBuilder`], the settings of a new bus;
//! - `put.rs`: the emitting side: [`EventBus::emit`], [`EventBus::try_emit`],
//!   [`EventBus::emit_point`], and the one queue put they and the wrapper share;
//! - `processor.rs`: the background task that records events and runs handlers;
//! - `completion.rs`: sequence numbers and which of them are done, what [`EventBus::flush`]
//!   waits on.

use std::cell::{Cell, Ref, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::rc::Rc;
use std::task::{Poll, Waker};

use futures::future::poll_fn;
use futures::task::LocalSpawn;
use futures::FutureExt;
use uuid::Uuid;

use super::clock::Clock;
use super::event::{Event, Payload};
use super::history::History;
use super::mode::EmitMode;
use super::stats::{HandlerFailure, Stats};
use super::store::symbols::Sym;
use super::subscription::{Filter, Handler, HandlerResult, Priority, Registry, Subscription};

mod builder;
mod completion;
mod processor;
mod put;
mod scratch;
mod tally;
#[cfg(test)]
mod tests;

pub use builder::BusBuilder;
pub use completion::Flush;
pub use put::{EmitError, Put};

use completion::Completion;

/// The default bound of the queue between emitters and the processor.
pub(crate) const DEFAULT_QUEUE_CAPACITY: usize = 1 << 16;

/// Bus lifecycle states.
const RUNNING: u8 = 0;
const STOPPED: u8 = 1;

#[derive(Default)]
struct Counters {
    by_phase: [u64; 8],
    /// Processed events per kind symbol, and the kinds in order of first appearance.
    by_kind_sym: Vec<u64>,
    kind_order: Vec<Sym>,
    queue_high_water: usize,
    pending_puts: u64,
    order_inversions: u64,
    max_seq_processed: Option<u64>,
    handler_calls: u64,
    handler_errors: u64,
    handler_panics: u64,
    rejected: u64,
    cancelled: u64,
    processed: u64,
}

/// The state every handle of one bus shares; the submodules work on its parts (the queue
/// in `put.rs` and `processor.rs`, the sequence numbers in `completion.rs`).
struct Inner {
    mode: Cell<EmitMode>,
    clock: Rc<dyn Clock>,
    spawner: Rc<dyn LocalSpawn>,
    /// The bound of the queue, which is the history's unprocessed tail
    /// (`core::store::pending`).
    queue_capacity: usize,
    processor_waker: RefCell<Option<Waker>>,
    put_waiters: RefCell<Vec<Waker>>,
    history: RefCell<History>,
    registry: Rc<Registry>,
    completion: Completion,
    state: Cell<u8>,
    processor_finished: Cell<bool>,
    finish_waiters: RefCell<Vec<Waker>>,
    counters: RefCell<Counters>,
    /// Outside `counters`: lazy mode counts a skip on its hot path, where a `RefCell` borrow
    /// is a measurable share of the ≤ 2 ns per event that mode may cost.
    lazy_skipped: Cell<u64>,
    /// Sampled mode's dropped roots, beside `lazy_skipped` for the same reason.
    sampled_out: Cell<u64>,
    /// The seed of sampled mode's decisions: the same seed and root id, the same decision.
    sampling_seed: Cell<u64>,
    failures: RefCell<VecDeque<HandlerFailure>>,
    /// The payload writing factories fill (`core::emit::Writes`), cleared and kept between
    /// events; taken out while a factory writes, so a factory that itself emits gets a
    /// fresh one instead of a borrow panic.
    scratch_payload: Cell<Option<Box<Payload>>>,
}

/// A handle to an event bus. Clones share the bus.
#[derive(Clone)]
pub struct EventBus {
    inner: Rc<Inner>,
}

impl EventBus {
    /// A bus with default settings whose processor runs on `spawner`.
    pub fn new(spawner: impl LocalSpawn + 'static) -> EventBus {
        EventBus::builder().build(spawner)
    }

    /// A builder for the rarer settings (history and queue bounds, starting mode, sampling seed,
    /// clock); [`EventBus::new`] is `EventBus::builder().build(spawner)`.
    pub fn builder() -> BusBuilder {
        BusBuilder::default()
    }

    // ----- modes -----

    /// The emit mode operations that begin now will use (an operation reads it once, when it
    /// begins).
    #[inline]
    pub fn mode(&self) -> EmitMode {
        self.inner.mode.get()
    }

    /// Switches the emit mode; operations that begin from now on use it.
    pub fn set_mode(&self, mode: EmitMode) {
        self.inner.mode.set(mode);
    }

    /// The seed of sampled mode's decisions ([`EmitMode::Sampled`]).
    #[inline]
    pub fn sampling_seed(&self) -> u64 {
        self.inner.sampling_seed.get()
    }

    /// Sets the seed of sampled mode's decisions; roots that begin from now on use it.
    pub fn set_sampling_seed(&self, seed: u64) {
        self.inner.sampling_seed.set(seed);
    }

    /// The bus clock's current reading.
    #[inline]
    pub fn now_ns(&self) -> u64 {
        self.inner.clock.now_ns()
    }

    // ----- subscribing -----

    /// Subscribes a sync handler at normal priority.
    pub fn subscribe(
        &self,
        filter: Filter,
        handler: impl Fn(&Event) -> HandlerResult + 'static,
    ) -> Subscription {
        self.subscribe_with(filter, Priority::NORMAL, handler)
    }

    /// Subscribes a sync handler at a given priority.
    pub fn subscribe_with(
        &self,
        filter: Filter,
        priority: Priority,
        handler: impl Fn(&Event) -> HandlerResult + 'static,
    ) -> Subscription {
        let id = self
            .inner
            .registry
            .add(filter, priority, Handler::Sync(Rc::new(handler)));
        Subscription::new(id, Rc::downgrade(&self.inner.registry))
    }

    /// Subscribes an async handler; the processor awaits it before the next event.
    pub fn subscribe_async<F, Fut>(
        &self,
        filter: Filter,
        priority: Priority,
        handler: F,
    ) -> Subscription
    where
        F: Fn(Event) -> Fut + 'static,
        Fut: Future<Output = HandlerResult> + 'static,
    {
        let handler = Handler::Async(Rc::new(move |e| handler(e).boxed_local()));
        let id = self.inner.registry.add(filter, priority, handler);
        Subscription::new(id, Rc::downgrade(&self.inner.registry))
    }

    /// Does anyone listen to `kind`? Answered from a cache rebuilt only when subscriptions
    /// change; with no subscriptions, one counter read.
    #[inline]
    pub fn has_subscribers_for(&self, kind: &str) -> bool {
        self.inner.registry.has_subscribers_for(kind)
    }

    /// Subscriptions currently held, whatever their filter.
    pub fn subscriber_count(&self) -> usize {
        self.inner.registry.len()
    }

    // ----- waiting -----

    /// Resolves once every event emitted before this call has been processed (handlers
    /// included), wherever it was in flight.
    pub fn flush(&self) -> Flush<'_> {
        self.inner.completion.flush()
    }

    /// Drains everything emitted so far, then stops the processor. Later emits are refused.
    pub async fn shutdown(&self) {
        self.flush().await;
        self.inner.state.set(STOPPED);
        self.inner.wake_processor();
        poll_fn(|cx| {
            if self.inner.processor_finished.get() {
                Poll::Ready(())
            } else {
                self.inner
                    .finish_waiters
                    .borrow_mut()
                    .push(cx.waker().clone());
                Poll::Pending
            }
        })
        .await
    }

    /// True once [`EventBus::shutdown`] has drained the queue and begun refusing events.
    pub fn is_shut_down(&self) -> bool {
        self.inner.state.get() == STOPPED
    }

    // ----- reading -----

    /// Runs `f` on the history. Do not hold on to it across an `.await`: the processor
    /// needs to write it.
    pub fn with_history<R>(&self, f: impl FnOnce(&History) -> R) -> R {
        f(&self.history())
    }

    /// A borrow of the history, for callers that do not await while holding it.
    ///
    /// Every read of the history goes through here: the processor leaves the ids of the
    /// events it records out of `events_by_id` until someone reads (`core::store::index`
    /// says why), and this puts them in first. If the history is borrowed already, the
    /// borrow that is open caught them up, and nothing was recorded since (recording needs
    /// the history mutably).
    pub fn history(&self) -> Ref<'_, History> {
        if let Ok(mut h) = self.inner.history.try_borrow_mut() {
            h.catch_up_ids();
        }
        self.inner.history.borrow()
    }

    /// Every event in the history, oldest first (a copy).
    pub fn events(&self) -> Vec<Event> {
        self.history().events().collect()
    }

    /// The event with this id, decoded from the history; `None` once it has been pruned (or if it
    /// was never processed). The original's `get_event`, through its `events_by_id` index.
    pub fn get(&self, id: &Uuid) -> Option<Event> {
        self.history().get(id)
    }

    /// The events still held whose `parent_id` is `id`, in processing order: the original's
    /// `children_by_parent` index. The parent itself may already be pruned.
    pub fn children_of(&self, id: &Uuid) -> Vec<Event> {
        let h = self.history();
        h.child_positions(id).filter_map(|p| h.event(p)).collect()
    }

    /// Changes how many events the history keeps (at least one), evicting the oldest at once if
    /// it now holds more.
    pub fn set_history_capacity(&self, n: usize) {
        self.inner.history.borrow_mut().set_capacity(n);
    }

    /// The handler failures kept (the most recent 1 000).
    pub fn handler_failures(&self) -> Vec<HandlerFailure> {
        self.inner.failures.borrow().iter().cloned().collect()
    }

    /// A snapshot of the bus's counters, taken now (emitted, processed, per phase and kind, queue,
    /// handler outcomes, skips).
    pub fn stats(&self) -> Stats {
        let c = self.inner.counters.borrow();
        let h = self.inner.history.borrow();
        Stats {
            emitted: self.inner.completion.issued(),
            processed: c.processed,
            by_phase: c.by_phase,
            by_kind: c
                .kind_order
                .iter()
                .map(|&k| (h.symbols().get(k).to_cow(), c.by_kind_sym[k.0 as usize]))
                .collect(),
            queued: h.pending(),
            queue_high_water: c.queue_high_water,
            pending_puts: c.pending_puts,
            order_inversions: c.order_inversions,
            handler_calls: c.handler_calls,
            handler_errors: c.handler_errors,
            handler_panics: c.handler_panics,
            rejected: c.rejected,
            cancelled: c.cancelled,
            lazy_skipped: self.inner.lazy_skipped.get(),
            sampled_out: self.inner.sampled_out.get(),
            pruned: h.pruned(),
            interest_rebuilds: self.inner.registry.interest_rebuilds(),
        }
    }
}

impl fmt::Debug for EventBus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventBus")
            .field("mode", &self.mode())
            .field("stats", &self.stats())
            .finish()
    }
}
