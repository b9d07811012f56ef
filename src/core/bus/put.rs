//! # Putting events on the queue
//!
//! A user of the bus needs two verbs to emit an event it built with
//! [`EventBus::new_event`]: [`EventBus::emit`], the awaited put that waits while the queue is
//! full, and [`EventBus::try_emit`], which never waits and says why it refused. A third,
//! [`EventBus::emit_point`], emits a point event inside an operation the way the bus's mode
//! says, which a user cannot do with the other two. The [`Operation`] wrapper puts through
//! crate-internal verbs that skip building an [`Event`] when the queue has room.
//!
//! However an event arrives, one path puts it: `Inner::put` refuses it on a stopped bus,
//! reports a full queue unless the bound is ignored, and otherwise encodes it into a record
//! of the history's store and queues it. Only a cancelled operation's drop ignores the bound:
//! a destructor cannot wait.
//!
//! [`Operation`]: crate::core::Operation

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures::task::LocalSpawnExt;

use super::{EventBus, Inner, STOPPED};
use crate::core::context::{self, Frame};
use crate::core::event::{Event, Kind, Payload, Phase};
use crate::core::history::History;
use crate::core::ids;
use crate::core::mode::{EmitMode, Skip};
use crate::core::store::record::Record;
use crate::core::store::{Header, NameSyms, ParentHint};

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

/// Does a put respect the queue's bound?
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bound {
    /// A full queue refuses the put with [`EmitError::Full`].
    Respected,
    /// The put goes in past the bound (a destructor that cannot wait).
    Ignored,
}

impl EventBus {
    /// Builds an event linked to `parent` (or a new root), with the next sequence number
    /// and the current time. Does not queue it: hand it to [`EventBus::emit`] or
    /// [`EventBus::try_emit`]. The bus makes events because it owns what they need, the
    /// sequence that orders them and the clock that stamps them.
    ///
    /// ```
    /// use futures::executor::LocalPool;
    /// use lineage::core::{EventBus, Payload, Phase};
    ///
    /// let mut pool = LocalPool::new();
    /// let bus = EventBus::new(pool.spawner());
    /// let event = bus.new_event("tick".into(), Phase::Pending, Payload::default(), None);
    /// pool.run_until(async {
    ///     bus.emit(event).await;
    ///     bus.flush().await;
    /// });
    /// assert_eq!(bus.stats().processed, 1);
    /// ```
    #[inline]
    pub fn new_event(
        &self,
        kind: Kind,
        phase: Phase,
        payload: Payload,
        parent: Option<Frame>,
    ) -> Event {
        let id = ids::new_id();
        let (parent_id, root_id, lineage_id) = match parent {
            Some(f) => (Some(f.event_id), f.root_id, f.lineage_id),
            None => (None, id, ids::new_id()),
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
            unknown: Default::default(),
        }
    }

    /// Hands out the next emission sequence number.
    #[inline]
    pub(crate) fn next_seq(&self) -> u64 {
        self.inner.completion.issue()
    }

    /// Puts an event on the queue, waiting while the queue is full (the awaited put). If the
    /// returned future is dropped before the put completes, the event is queued anyway: an
    /// emitted event is never silently lost. On a shut-down bus the event is refused and
    /// counted in `Stats::rejected`.
    pub fn emit(&self, event: Event) -> Put<'_> {
        Put {
            inner: &self.inner,
            event: Some(event),
        }
    }

    /// Queues an event now or says why not. A refused event is dropped, counted in
    /// `Stats::rejected` and done, so a later flush does not wait for it.
    ///
    /// ```
    /// use futures::executor::LocalPool;
    /// use lineage::core::{EmitError, EventBus, Payload, Phase};
    ///
    /// let pool = LocalPool::new();
    /// let bus = EventBus::builder().queue_capacity(1).build(pool.spawner());
    /// let tick = || bus.new_event("tick".into(), Phase::Pending, Payload::default(), None);
    /// assert_eq!(bus.try_emit(tick()), Ok(()));
    /// assert_eq!(bus.try_emit(tick()), Err(EmitError::Full));
    /// ```
    pub fn try_emit(&self, event: Event) -> Result<(), EmitError> {
        self.inner
            .try_put(event, Bound::Respected)
            .map_err(|(e, event)| {
                if e == EmitError::Full {
                    // (A closed bus has refused it already.)
                    self.inner.refuse(event.seq);
                }
                e
            })
    }

    /// Emits one point event (no start/end pair) inside the current operation, honouring the
    /// mode: nothing in `Disabled`, nothing in `Lazy` unless `kind` has subscribers (and then
    /// `payload` is not even called otherwise), a spawned put in `FireAndForget`.
    ///
    /// Why a third verb: a note inside an operation (a state change, a progress mark) belongs
    /// to the operation's lineage and must cost what the operation's own events cost, so it
    /// asks the mode as [`Operation`](crate::core::Operation) does. `emit` and `try_emit`
    /// put whatever they are given, and the spawned put of fire-and-forget is not public.
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
        let event = self.new_event(Kind::Borrowed(kind), phase, payload(), context::current());
        if mode.spawns_put() {
            spawn_put(&self.inner, event);
        } else {
            self.emit(event).await;
        }
    }

    /// The wrapper's put: emits the way `mode` says without building an [`Event`] when the
    /// queue has room (the header and payload are encoded straight into a record). Only a
    /// full queue returns a wait, boxed with an owned event, so the common path adds nothing
    /// to every wrapped future; fire-and-forget hands an owned event to its put task.
    ///
    /// `names`: in, the symbols of the payload's process and function names if the caller
    /// knows them from an earlier event of this bus (an end naming what its start named),
    /// so they are not interned again; out, the symbols the record got, or `None` when the
    /// event was not encoded now (fire-and-forget, a full queue, a stopped bus).
    ///
    /// `hint`: if given, set to where the record was queued (a start's, which its
    /// children's frame carries: `core::store::parent_hints`), or to no hint when the event
    /// was not queued now.
    #[inline]
    pub(crate) fn put_parts(
        &self,
        header: &Header<'_>,
        payload: &Payload,
        mode: EmitMode,
        names: &mut Option<NameSyms>,
        hint: Option<&mut ParentHint>,
    ) -> Option<Pin<Box<Put<'_>>>> {
        let inner = &self.inner;
        let known = names.take();
        if mode.spawns_put() {
            spawn_put(inner, owned(header, payload.clone()));
            return None;
        }
        match inner.put(header.seq, Bound::Respected, |h| {
            let record = h.encode_named(header, payload, known);
            *names = Some(NameSyms::of(&record));
            record
        }) {
            Err(EmitError::Full) => Some(Box::pin(Put {
                inner,
                event: Some(owned(header, payload.clone())),
            })),
            Ok(queued) => {
                if let Some(hint) = hint {
                    *hint = queued;
                }
                None
            }
            Err(EmitError::Closed) => None,
        }
    }

    /// Queues an event past the bound, for the one place that cannot wait: a cancelled
    /// operation's drop.
    pub(crate) fn put_parts_forced(&self, header: &Header<'_>, payload: Payload) {
        let _ = self
            .inner
            .put(header.seq, Bound::Ignored, |h| h.encode(header, &payload));
    }

    pub(crate) fn count_cancelled(&self) {
        self.inner.counters.borrow_mut().cancelled += 1;
    }

    /// Counts an operation its mode skipped, as the mode says ([`Skip`]).
    #[inline]
    pub(crate) fn count_skip(&self, skip: Skip) {
        let counter = match skip {
            Skip::Uncounted => return,
            Skip::Lazy => &self.inner.lazy_skipped,
            Skip::SampledOut => &self.inner.sampled_out,
        };
        counter.set(counter.get() + 1);
    }
}

impl Inner {
    /// The one put: refuses on a stopped bus (the event counts as done), reports a full queue
    /// unless `bound` is ignored, and otherwise encodes the event with `encode` and queues it.
    #[inline]
    fn put(
        &self,
        seq: u64,
        bound: Bound,
        encode: impl FnOnce(&mut History) -> Record,
    ) -> Result<ParentHint, EmitError> {
        if self.state.get() == STOPPED {
            self.refuse(seq);
            return Err(EmitError::Closed);
        }
        let mut history = self.history.borrow_mut();
        let queued = history.pending();
        if bound == Bound::Respected && queued >= self.queue_capacity {
            return Err(EmitError::Full);
        }
        // Written once, into the ring slot it keeps (`core::store::pending`).
        let record = encode(&mut history);
        history.append_pending(record);
        let hint = history.queued_hint();
        drop(history);
        self.queued_one(queued + 1);
        Ok(hint)
    }

    /// `Inner::put` of an owned event; a refused event comes back by value so an awaited
    /// put can retry it.
    #[allow(clippy::result_large_err)]
    fn try_put(&self, event: Event, bound: Bound) -> Result<(), (EmitError, Event)> {
        match self.put(event.seq, bound, |h| h.encode_event(&event)) {
            Ok(_) => Ok(()),
            Err(e) => Err((e, event)),
        }
    }

    /// Keeps the queue's high-water mark and wakes the processor for a first queued event.
    #[inline]
    fn queued_one(&self, len: usize) {
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

    /// Counts an event the bus will never process and marks it done, so flushes do not wait
    /// for it.
    fn refuse(&self, seq: u64) {
        self.counters.borrow_mut().rejected += 1;
        self.completion.mark_done(seq);
    }
}

/// Spawns the put as its own task (fire-and-forget): the caller never waits, and the event
/// may reach the queue after events emitted later.
fn spawn_put(inner: &Rc<Inner>, event: Event) {
    inner.counters.borrow_mut().pending_puts += 1;
    let seq = event.seq;
    let task = {
        let inner = inner.clone();
        async move {
            inner.counters.borrow_mut().pending_puts -= 1;
            Put {
                inner: &inner,
                event: Some(event),
            }
            .await
        }
    };
    if inner.spawner.spawn_local(task).is_err() {
        // The executor is gone: nothing will ever run the put, so it is refused.
        inner.counters.borrow_mut().pending_puts -= 1;
        inner.refuse(seq);
    }
}

/// The awaited put; see [`EventBus::emit`].
#[must_use = "an event is queued only when the Put is awaited (or dropped)"]
pub struct Put<'a> {
    inner: &'a Inner,
    event: Option<Event>,
}

impl Future for Put<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let Some(event) = self.event.take() else {
            return Poll::Ready(());
        };
        match self.inner.try_put(event, Bound::Respected) {
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
            let _ = self.inner.try_put(event, Bound::Ignored);
        }
    }
}

/// An owned event from a header and payload: the rare paths (fire-and-forget, a full queue)
/// that must keep the event past the call.
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
        unknown: Default::default(),
    }
}
