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
//! 2. It is put on the queue: awaited (waiting only if the queue is full), or spawned as its
//!    own put task (fire-and-forget). The put encodes it into a compact [`Record`] of the
//!    history's [`EventStore`](super::store::EventStore): its strings interned, its payload
//!    bytes appended to the store's arena. The queue holds those records, nothing else.
//! 3. The processor takes it off in FIFO order, appends it to the history (overwriting and
//!    unindexing the oldest when full), counts it, and runs the matching handlers in priority
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

use std::cell::{Cell, Ref, RefCell};
use std::collections::{BTreeSet, VecDeque};
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use futures::future::poll_fn;
use futures::task::{LocalSpawn, LocalSpawnExt};
use futures::FutureExt;
use uuid::Uuid;

use super::clock::{default_clock, Clock};
use super::context::Frame;
use super::event::{Event, Kind, Payload, Phase};
use super::history::{History, DEFAULT_CAPACITY};
use super::mode::EmitMode;
use super::stats::{HandlerFailure, Stats};
use super::store::record::Record;
use super::store::symbols::Sym;
use super::store::Header;
use super::subscription::{
    Filter, Handler, HandlerResult, Priority, Registry, Subscription, SubscriptionId,
};
use super::yield_now::yield_now;

/// The default bound of the queue between emitters and the processor.
pub const DEFAULT_QUEUE_CAPACITY: usize = 1 << 16;
/// How many handler failures are kept for inspection.
const FAILURES_KEPT: usize = 1_000;
/// Events the processor handles per poll before yielding to other tasks.
const PROCESS_BUDGET: usize = 1_024;
/// Events recorded with one reading of the clock for their processing time. A clock read
/// costs about as much as recording a small event (≈30 ns natively, more through
/// `performance.now()`), so within a burst the processor reads it once per this many events;
/// a processing time is then at most that many events' processing (a few µs) early.
const PROCESSED_CLOCK_EVERY: u32 = 32;

/// Bus lifecycle states.
const RUNNING: u8 = 0;
const STOPPED: u8 = 1;

/// Why an event was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmitError {
    /// The queue is at capacity (only [`EventBus::try_emit`] reports this; `emit` waits).
    Full,
    /// The bus has shut down.
    Closed,
}

impl fmt::Display for EmitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EmitError::Full => f.write_str("the event queue is full"),
            EmitError::Closed => f.write_str("the event bus has shut down"),
        }
    }
}

impl std::error::Error for EmitError {}

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

pub(crate) struct Inner {
    mode: Cell<EmitMode>,
    clock: Rc<dyn Clock>,
    spawner: Rc<dyn LocalSpawn>,
    queue: RefCell<VecDeque<Record>>,
    queue_capacity: usize,
    processor_waker: RefCell<Option<Waker>>,
    put_waiters: RefCell<Vec<Waker>>,
    history: RefCell<History>,
    registry: Rc<Registry>,
    next_seq: Cell<u64>,
    /// Every sequence number below this is done (processed or refused).
    watermark: Cell<u64>,
    /// Done sequence numbers above the watermark (out-of-order completions).
    done_ahead: RefCell<BTreeSet<u64>>,
    flush_waiters: RefCell<Vec<(u64, Waker)>>,
    state: Cell<u8>,
    processor_finished: Cell<bool>,
    finish_waiters: RefCell<Vec<Waker>>,
    counters: RefCell<Counters>,
    /// Outside `counters`: lazy mode counts a skip on its hot path, where a `RefCell` borrow
    /// is a measurable share of the ≤ 2 ns per event that mode may cost.
    lazy_skipped: Cell<u64>,
    failures: RefCell<VecDeque<HandlerFailure>>,
}

/// A handle to an event bus. Clones share the bus.
#[derive(Clone)]
pub struct EventBus {
    pub(crate) inner: Rc<Inner>,
}

/// Settings for a new bus; see [`EventBus::builder`].
pub struct BusBuilder {
    history_capacity: usize,
    queue_capacity: usize,
    mode: EmitMode,
    clock: Option<Rc<dyn Clock>>,
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

    pub fn mode(mut self, mode: EmitMode) -> Self {
        self.mode = mode;
        self
    }

    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Rc::new(clock));
        self
    }

    pub fn shared_clock(mut self, clock: Rc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Makes the bus and spawns its processor on `spawner`.
    pub fn build(self, spawner: impl LocalSpawn + 'static) -> EventBus {
        let inner = Rc::new(Inner {
            mode: Cell::new(self.mode),
            clock: self.clock.unwrap_or_else(default_clock),
            spawner: Rc::new(spawner),
            queue: RefCell::new(VecDeque::with_capacity(self.queue_capacity.min(4096))),
            queue_capacity: self.queue_capacity,
            processor_waker: RefCell::new(None),
            put_waiters: RefCell::default(),
            history: RefCell::new(History::with_capacity(self.history_capacity)),
            registry: Rc::new(Registry::default()),
            next_seq: Cell::new(0),
            watermark: Cell::new(0),
            done_ahead: RefCell::default(),
            flush_waiters: RefCell::default(),
            state: Cell::new(RUNNING),
            processor_finished: Cell::new(false),
            finish_waiters: RefCell::default(),
            counters: RefCell::default(),
            lazy_skipped: Cell::new(0),
            failures: RefCell::default(),
        });
        let processor = run_processor(inner.clone());
        inner
            .spawner
            .spawn_local(processor)
            .expect("the executor refused the bus processor task");
        EventBus { inner }
    }
}

impl EventBus {
    /// A bus with default settings whose processor runs on `spawner`.
    pub fn new(spawner: impl LocalSpawn + 'static) -> EventBus {
        EventBus::builder().build(spawner)
    }

    pub fn builder() -> BusBuilder {
        BusBuilder {
            history_capacity: DEFAULT_CAPACITY,
            queue_capacity: DEFAULT_QUEUE_CAPACITY,
            mode: EmitMode::default(),
            clock: None,
        }
    }

    // ----- modes -----

    #[inline]
    pub fn mode(&self) -> EmitMode {
        self.inner.mode.get()
    }

    /// Switches the emit mode; operations that begin from now on use it.
    pub fn set_mode(&self, mode: EmitMode) {
        self.inner.mode.set(mode);
    }

    /// The bus clock's current reading.
    #[inline]
    pub fn now_ns(&self) -> u64 {
        self.inner.clock.now_ns()
    }

    // ----- emitting -----

    /// Builds an event linked to `parent` (or a new root), with the next sequence number
    /// and the current time. Does not queue it.
    #[inline]
    pub fn new_event(
        &self,
        kind: Kind,
        phase: Phase,
        payload: Payload,
        parent: Option<Frame>,
    ) -> Event {
        let id = super::ids::new_id();
        let (parent_id, root_id, lineage_id) = match parent {
            Some(f) => (Some(f.event_id), f.root_id, f.lineage_id),
            None => (None, id, super::ids::new_id()),
        };
        Event {
            id,
            kind,
            phase,
            parent_id,
            root_id,
            lineage_id,
            start_id: None,
            seq: self.next_seq(),
            timestamp_ns: self.now_ns(),
            duration_ns: None,
            error: None,
            payload,
        }
    }

    /// Hands out the next emission sequence number.
    #[inline]
    pub fn next_seq(&self) -> u64 {
        let seq = self.inner.next_seq.get();
        self.inner.next_seq.set(seq + 1);
        seq
    }

    /// Puts an event on the queue, waiting while the queue is full (the awaited put). If the
    /// returned future is dropped before the put completes, the event is queued anyway: an
    /// emitted event is never silently lost.
    pub fn emit(&self, event: Event) -> Put<'_> {
        Put {
            inner: &self.inner,
            event: Some(event),
        }
    }

    /// Queues an event now or says why not.
    pub fn try_emit(&self, event: Event) -> Result<(), EmitError> {
        self.inner.try_put(event).map_err(|(e, _)| e)
    }

    /// Spawns the put as its own task (fire-and-forget).
    pub fn emit_detached(&self, event: Event) {
        self.inner.counters.borrow_mut().pending_puts += 1;
        let inner = self.inner.clone();
        let task = async move {
            inner.counters.borrow_mut().pending_puts -= 1;
            Put {
                inner: &inner,
                event: Some(event),
            }
            .await
        };
        if let Err(e) = self.inner.spawner.spawn_local(task) {
            // The executor is gone: nothing will ever run the put, so count it as refused.
            let _ = e;
            self.inner.counters.borrow_mut().pending_puts -= 1;
            self.inner.counters.borrow_mut().rejected += 1;
        }
    }

    /// Emits an event the way `mode` says: awaited put or spawned put.
    pub(crate) async fn emit_as(&self, event: Event, mode: EmitMode) {
        if mode.spawns_put() {
            self.emit_detached(event);
        } else {
            self.emit(event).await;
        }
    }

    /// The wrapper's put: emits the way `mode` says without building an [`Event`] when the
    /// queue has room (the header and payload are encoded straight into a record). Only a
    /// full queue returns a wait, boxed with an owned event, so the common path adds nothing
    /// to every wrapped future; fire-and-forget hands an owned event to its put task.
    #[inline]
    pub(crate) fn put_parts(
        &self,
        header: &Header<'_>,
        payload: &Payload,
        mode: EmitMode,
    ) -> Option<Pin<Box<Put<'_>>>> {
        let inner = &self.inner;
        if mode.spawns_put() {
            self.emit_detached(owned(header, payload.clone()));
            return None;
        }
        if inner.state.get() == STOPPED {
            inner.refuse(header.seq);
            return None;
        }
        if inner.queue.borrow().len() >= inner.queue_capacity {
            return Some(Box::pin(Put {
                inner,
                event: Some(owned(header, payload.clone())),
            }));
        }
        let record = inner.history.borrow_mut().encode(header, payload);
        inner.push_record(record);
        None
    }

    /// Queues an event past the bound, for the one place that cannot wait: a cancelled
    /// operation's drop.
    pub(crate) fn put_parts_forced(&self, header: &Header<'_>, payload: Payload) {
        self.inner.force_put(owned(header, payload));
    }

    /// Emits one point event (no start/end pair) inside the current operation, honouring the
    /// mode: nothing in `Disabled`, nothing in `Lazy` unless `kind` has subscribers (and then
    /// `payload` is not even called otherwise).
    pub async fn emit_point(
        &self,
        kind: &'static str,
        phase: Phase,
        payload: impl FnOnce() -> Payload,
    ) {
        let mode = self.mode();
        if !mode.records(|| self.has_subscribers_for(kind)) {
            return;
        }
        let event = self.new_event(
            Kind::Borrowed(kind),
            phase,
            payload(),
            super::context::current(),
        );
        self.emit_as(event, mode).await;
    }

    pub(crate) fn count_cancelled(&self) {
        self.inner.counters.borrow_mut().cancelled += 1;
    }

    #[inline]
    pub(crate) fn count_lazy_skipped(&self) {
        let skipped = &self.inner.lazy_skipped;
        skipped.set(skipped.get() + 1);
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

    pub fn subscriber_count(&self) -> usize {
        self.inner.registry.len()
    }

    // ----- waiting -----

    /// Resolves once every event emitted before this call has been processed (handlers
    /// included), wherever it was in flight.
    pub fn flush(&self) -> Flush<'_> {
        Flush {
            inner: &self.inner,
            target: self.inner.next_seq.get(),
        }
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

    pub fn is_shut_down(&self) -> bool {
        self.inner.state.get() == STOPPED
    }

    // ----- reading -----

    /// Runs `f` on the history. Do not hold on to it across an `.await`: the processor
    /// needs to write it.
    pub fn with_history<R>(&self, f: impl FnOnce(&History) -> R) -> R {
        f(&self.inner.history.borrow())
    }

    /// A borrow of the history, for callers that do not await while holding it.
    pub fn history(&self) -> Ref<'_, History> {
        self.inner.history.borrow()
    }

    /// Every event in the history, oldest first (a copy).
    pub fn events(&self) -> Vec<Event> {
        self.inner.history.borrow().events().collect()
    }

    pub fn get(&self, id: &Uuid) -> Option<Event> {
        self.inner.history.borrow().get(id)
    }

    pub fn children_of(&self, id: &Uuid) -> Vec<Event> {
        let h = self.inner.history.borrow();
        h.child_positions(id).filter_map(|p| h.event(p)).collect()
    }

    pub fn set_history_capacity(&self, n: usize) {
        self.inner.history.borrow_mut().set_capacity(n);
    }

    pub fn clear_history(&self) {
        self.inner.history.borrow_mut().clear();
    }

    /// The handler failures kept (the most recent 1 000).
    pub fn handler_failures(&self) -> Vec<HandlerFailure> {
        self.inner.failures.borrow().iter().cloned().collect()
    }

    pub fn stats(&self) -> Stats {
        let c = self.inner.counters.borrow();
        let h = self.inner.history.borrow();
        Stats {
            emitted: self.inner.next_seq.get(),
            processed: c.processed,
            by_phase: c.by_phase,
            by_kind: c
                .kind_order
                .iter()
                .map(|&k| (h.symbols().get(k).to_cow(), c.by_kind_sym[k.0 as usize]))
                .collect(),
            queued: self.inner.queue.borrow().len(),
            queue_high_water: c.queue_high_water,
            pending_puts: c.pending_puts,
            order_inversions: c.order_inversions,
            handler_calls: c.handler_calls,
            handler_errors: c.handler_errors,
            handler_panics: c.handler_panics,
            rejected: c.rejected,
            cancelled: c.cancelled,
            lazy_skipped: self.inner.lazy_skipped.get(),
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

impl Inner {
    // The refused event comes back by value so an awaited put can retry it.
    #[allow(clippy::result_large_err)]
    fn try_put(&self, event: Event) -> Result<(), (EmitError, Event)> {
        if self.state.get() == STOPPED {
            self.refuse(event.seq);
            return Err((EmitError::Closed, event));
        }
        if self.queue.borrow().len() >= self.queue_capacity {
            return Err((EmitError::Full, event));
        }
        self.force_put(event);
        Ok(())
    }

    fn force_put(&self, event: Event) {
        if self.state.get() == STOPPED {
            self.refuse(event.seq);
            return;
        }
        let record = self.history.borrow_mut().encode_event(&event);
        self.push_record(record);
    }

    #[inline]
    fn push_record(&self, record: Record) {
        let mut q = self.queue.borrow_mut();
        q.push_back(record);
        let len = q.len();
        drop(q);
        self.after_push(len);
    }

    #[inline]
    fn after_push(&self, len: usize) {
        {
            let mut c = self.counters.borrow_mut();
            if len > c.queue_high_water {
                c.queue_high_water = len;
            }
        }
        if len == 1 {
            self.wake_processor();
        }
    }

    fn wake_processor(&self) {
        if let Some(w) = self.processor_waker.borrow_mut().take() {
            w.wake();
        }
    }

    fn refuse(&self, seq: u64) {
        self.counters.borrow_mut().rejected += 1;
        self.mark_done(seq);
    }

    /// Records that event `seq` is finished and advances the watermark.
    fn mark_done(&self, seq: u64) {
        let w = self.watermark.get();
        if seq == w {
            let mut w = w + 1;
            let mut ahead = self.done_ahead.borrow_mut();
            while ahead.first() == Some(&w) {
                ahead.pop_first();
                w += 1;
            }
            self.watermark.set(w);
            drop(ahead);
            self.wake_flushers(w);
        } else if seq > w {
            self.done_ahead.borrow_mut().insert(seq);
        }
    }

    fn wake_flushers(&self, watermark: u64) {
        let mut waiters = self.flush_waiters.borrow_mut();
        if waiters.is_empty() {
            return;
        }
        let mut i = 0;
        while i < waiters.len() {
            if waiters[i].0 <= watermark {
                waiters.swap_remove(i).1.wake();
            } else {
                i += 1;
            }
        }
    }

    /// Ready when an event is queued (`true`) or the bus has stopped with nothing left
    /// (`false`); otherwise parks the processor.
    fn poll_nonempty(&self, cx: &mut Context<'_>) -> Poll<bool> {
        if !self.queue.borrow().is_empty() {
            return Poll::Ready(true);
        }
        if self.state.get() == STOPPED {
            return Poll::Ready(false);
        }
        *self.processor_waker.borrow_mut() = Some(cx.waker().clone());
        Poll::Pending
    }

    /// Takes the next event off the queue, counts it and stores it in the history; returns
    /// its sequence number, and leaves a copy in `for_handlers` if any handler accepts it
    /// (an out-parameter: returning an `Option<Event>` copied ~300 bytes even when `None`).
    ///
    /// Synchronous on purpose: the event moves from the queue straight into its history slot
    /// instead of travelling through the processor future's state (an `Event` is ~300 bytes,
    /// and routing it through awaits cost nine copies per event).
    #[inline]
    fn record_front(
        &self,
        handlers: &mut Vec<(SubscriptionId, Handler)>,
        for_handlers: &mut Option<Event>,
        now: u64,
    ) -> Option<u64> {
        let mut q = self.queue.borrow_mut();
        let record = q.pop_front()?;
        let was_full = q.len() + 1 >= self.queue_capacity;
        drop(q);
        if was_full {
            for w in self.put_waiters.borrow_mut().drain(..) {
                w.wake();
            }
        }
        {
            let mut c = self.counters.borrow_mut();
            c.processed += 1;
            c.by_phase[record.phase.index()] += 1;
            let k = record.kind.0 as usize;
            if k >= c.by_kind_sym.len() {
                c.by_kind_sym.resize(k + 1, 0);
            }
            if c.by_kind_sym[k] == 0 {
                c.kind_order.push(record.kind);
            }
            c.by_kind_sym[k] += 1;
            match c.max_seq_processed {
                Some(max) if record.seq < max => c.order_inversions += 1,
                Some(max) if record.seq == max => {}
                _ => c.max_seq_processed = Some(record.seq),
            }
        }
        let mut history = self.history.borrow_mut();
        if self.registry.len() > 0 {
            // Filters and handlers see the public event: decoded only when someone listens.
            let event = history.decode(&record);
            self.registry.matching(&event, handlers);
            if !handlers.is_empty() {
                *for_handlers = Some(event);
            }
        }
        history.push(record, now);
        Some(record.seq)
    }

    fn handler_failed(&self, sub: SubscriptionId, event: &Event, message: String, panicked: bool) {
        {
            let mut c = self.counters.borrow_mut();
            if panicked {
                c.handler_panics += 1;
            } else {
                c.handler_errors += 1;
            }
        }
        let mut f = self.failures.borrow_mut();
        if f.len() == FAILURES_KEPT {
            f.pop_front();
        }
        f.push_back(HandlerFailure {
            subscription: sub,
            event_id: event.id,
            event_kind: event.kind.clone(),
            message,
            panicked,
        });
    }
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        format!("panicked: {s}")
    } else if let Some(s) = p.downcast_ref::<String>() {
        format!("panicked: {s}")
    } else {
        "panicked".to_owned()
    }
}

/// The background task: drain the queue in FIFO order, record, run handlers.
async fn run_processor(inner: Rc<Inner>) {
    let mut handlers: Vec<(SubscriptionId, Handler)> = Vec::new();
    let mut budget = PROCESS_BUDGET;
    let mut now = 0;
    let mut reads_left = 0u32;
    while poll_fn(|cx| {
        let ready = inner.poll_nonempty(cx);
        if ready.is_pending() {
            // The burst is over: the next event gets a fresh reading.
            reads_left = 0;
        }
        ready
    })
    .await
    {
        if reads_left == 0 {
            now = inner.clock.now_ns();
            reads_left = PROCESSED_CLOCK_EVERY;
        }
        reads_left -= 1;
        let mut for_handlers = None;
        let Some(seq) = inner.record_front(&mut handlers, &mut for_handlers, now) else {
            continue;
        };
        if let Some(event) = for_handlers {
            for (sub, handler) in handlers.drain(..) {
                inner.counters.borrow_mut().handler_calls += 1;
                let outcome = match handler {
                    Handler::Sync(h) => std::panic::catch_unwind(AssertUnwindSafe(|| h(&event))),
                    Handler::Async(h) => AssertUnwindSafe(h(event.clone())).catch_unwind().await,
                };
                match outcome {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => inner.handler_failed(sub, &event, e.0, false),
                    Err(p) => inner.handler_failed(sub, &event, panic_message(&*p), true),
                }
            }
            // Handlers may have awaited for a while: read the clock afresh.
            reads_left = 0;
        }
        inner.mark_done(seq);
        budget -= 1;
        if budget == 0 {
            budget = PROCESS_BUDGET;
            reads_left = 0;
            yield_now().await;
        }
    }
    inner.processor_finished.set(true);
    for w in inner.finish_waiters.borrow_mut().drain(..) {
        w.wake();
    }
}

/// The awaited put; see [`EventBus::emit`].
#[must_use = "an event is queued only when the Put is awaited (or dropped)"]
pub struct Put<'a> {
    inner: &'a Rc<Inner>,
    event: Option<Event>,
}

impl Future for Put<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let Some(event) = self.event.take() else {
            return Poll::Ready(());
        };
        match self.inner.try_put(event) {
            Ok(()) | Err((EmitError::Closed, _)) => Poll::Ready(()),
            Err((EmitError::Full, event)) => {
                self.event = Some(event);
                self.inner.put_waiters.borrow_mut().push(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl Drop for Put<'_> {
    fn drop(&mut self) {
        if let Some(event) = self.event.take() {
            self.inner.force_put(event);
        }
    }
}

/// See [`EventBus::flush`].
#[must_use = "flush does nothing unless awaited"]
pub struct Flush<'a> {
    inner: &'a Rc<Inner>,
    target: u64,
}

impl Future for Flush<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.inner.watermark.get() >= self.target {
            Poll::Ready(())
        } else {
            self.inner
                .flush_waiters
                .borrow_mut()
                .push((self.target, cx.waker().clone()));
            Poll::Pending
        }
    }
}

/// An owned event from a header and payload: the rare paths (fire-and-forget, a full queue,
/// a cancellation) that must keep the event past the call.
fn owned(h: &Header<'_>, payload: Payload) -> Event {
    Event {
        id: h.id,
        kind: h.kind.clone(),
        phase: h.phase,
        parent_id: h.parent_id,
        root_id: h.root_id,
        lineage_id: h.lineage_id,
        start_id: h.start_id,
        seq: h.seq,
        timestamp_ns: h.timestamp_ns,
        duration_ns: h.duration_ns,
        error: h.error.map(str::to_owned),
        payload,
    }
}
