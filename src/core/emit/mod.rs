//! # The emit wrapper
//!
//! [`Operation`] is the Python original's `@emit_events` decorator as a value: it wraps an async
//! operation returning `Result<T, E>` with factories for the start event, the end event (given
//! the result) and the failure event (given the error), and emits them around the operation.
//!
//! ```
//! use futures::executor::LocalPool;
//! use lineage::core::{EventBus, Operation, Payload};
//!
//! let mut pool = LocalPool::new();
//! let bus = EventBus::new(pool.spawner());
//! let op = Operation::new("processing", "processed")
//!     .start(|| Payload::process("function_execution").function("update_gpa"))
//!     .end(|gpa: &f64| Payload::process("function_execution").with("gpa", *gpa))
//!     .run(&bus, async { Ok::<_, String>(3.9) });
//! assert_eq!(pool.run_until(op), Ok(3.9));
//! pool.run_until(bus.flush());
//! assert_eq!(bus.stats().processed, 2);
//! ```
//!
//! ## What it guarantees
//! - Parentage comes from the per-poll context ([`super::context`]): nested operations link to
//!   the operation whose poll they run in, however tasks interleave.
//! - Every start gets an end: completed on `Ok`, failed on `Err` (with a default payload when
//!   no failure factory is given, so a failure is always visible), cancelled when the future is
//!   dropped before finishing. The original emitted nothing on cancellation and nothing on
//!   failure without a `failed_factory`.
//! - End events carry `start_id` and `duration_ns`, and keep the start's root and lineage.
//! - `Lazy` decides before any factory runs; `Disabled` does not touch the context at all;
//!   `Sampled` records or drops whole trees, decided at the root (`core::mode::sampling`).

//!
//! ## Where the parts live
//! - here: the factories, [`Operation`] (the decorator's arguments) and [`Run`] (its future);
//! - [`recorded`]: the state machine of an operation whose events are recorded;
//! - `open`: the operation between its start and its end, which emits the cancelled end if
//!   dropped there.

mod open;
mod recorded;

use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::bus::EventBus;
use super::context::Frame;
use super::event::Payload;
use super::mode::sampling::DroppedTree;
use super::mode::{Decision, EmitMode, Skip};
use super::store::ParentHint;
use open::OpenOperation;
pub(crate) use recorded::Recorded;
use recorded::Step;
use uuid::Uuid;

/// Builds the start event's payload.
pub trait StartFactory {
    fn build(self) -> Payload;

    /// Hands the payload to `put`: built by value with [`StartFactory::build`], or, for a
    /// factory that writes ([`Writes`]), written into the bus's reused scratch payload, so
    /// no payload is built, moved or dropped per event.
    #[inline]
    fn put_into<R>(self, bus: &EventBus, put: impl FnOnce(&mut Payload) -> R) -> R
    where
        Self: Sized,
    {
        let _ = bus;
        put(&mut self.build())
    }
}

/// Builds an end event's payload from the operation's output (or its error).
pub trait ResultFactory<T: ?Sized> {
    fn build(self, value: &T) -> Payload;

    /// [`StartFactory::put_into`] for an end event's payload.
    #[inline]
    fn put_into<R>(self, value: &T, bus: &EventBus, put: impl FnOnce(&mut Payload) -> R) -> R
    where
        Self: Sized,
    {
        let _ = bus;
        put(&mut self.build(value))
    }
}

/// A payload factory that fills a payload it is handed instead of returning one (as
/// `tracing`'s `field::Visit` records values into the subscriber's storage): the closure
/// gets an empty payload to write with [`Payload::set_process`], [`Payload::set_function`]
/// and [`Payload::put`].
///
/// Why: a payload is a few hundred bytes (inline field buffers), and a factory returning
/// one by value through builder calls copied it at every call and again into the wrapper;
/// in the pipeline's profile that was the largest single item of the emitting path. A
/// writing factory writes into one payload the bus keeps and clears between events.
///
/// ```
/// use futures::executor::LocalPool;
/// use lineage::core::{EventBus, Operation, Payload, Writes};
///
/// let mut pool = LocalPool::new();
/// let bus = EventBus::new(pool.spawner());
/// let op = Operation::new("processing", "processed")
///     .start(Writes(|p: &mut Payload| {
///         p.set_process("function_execution").put("rows", 3u64);
///     }))
///     .end(Writes(|gpa: &f64, p: &mut Payload| {
///         p.put("gpa", *gpa);
///     }))
///     .run(&bus, async { Ok::<_, String>(3.9) });
/// assert_eq!(pool.run_until(op), Ok(3.9));
/// pool.run_until(bus.flush());
/// let events = bus.events();
/// assert_eq!(events[1].payload.process_name.as_deref(), Some("function_execution"));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Writes<F>(pub F);

impl<F: FnOnce(&mut Payload)> StartFactory for Writes<F> {
    fn build(self) -> Payload {
        let mut payload = Payload::default();
        (self.0)(&mut payload);
        payload
    }

    #[inline]
    fn put_into<R>(self, bus: &EventBus, put: impl FnOnce(&mut Payload) -> R) -> R {
        let mut scratch = bus.take_scratch_payload();
        (self.0)(&mut scratch);
        let r = put(&mut scratch);
        bus.give_back_scratch_payload(scratch);
        r
    }
}

impl<T: ?Sized, F: FnOnce(&T, &mut Payload)> ResultFactory<T> for Writes<F> {
    fn build(self, value: &T) -> Payload {
        let mut payload = Payload::default();
        (self.0)(value, &mut payload);
        payload
    }

    #[inline]
    fn put_into<R>(self, value: &T, bus: &EventBus, put: impl FnOnce(&mut Payload) -> R) -> R {
        let mut scratch = bus.take_scratch_payload();
        (self.0)(value, &mut scratch);
        let r = put(&mut scratch);
        bus.give_back_scratch_payload(scratch);
        r
    }
}

/// The factory used when none is given: it builds an empty payload. (An end event's payload
/// still gets the start's process and function names: the wrapper fills in names that any
/// end payload lacks.)
#[derive(Clone, Copy, Debug, Default)]
pub struct EmptyPayload;

impl<F: FnOnce() -> Payload> StartFactory for F {
    #[inline]
    fn build(self) -> Payload {
        self()
    }
}

impl StartFactory for EmptyPayload {
    fn build(self) -> Payload {
        Payload::default()
    }
}

impl<T: ?Sized, F: FnOnce(&T) -> Payload> ResultFactory<T> for F {
    #[inline]
    fn build(self, value: &T) -> Payload {
        self(value)
    }
}

impl<T: ?Sized> ResultFactory<T> for EmptyPayload {
    fn build(self, _: &T) -> Payload {
        Payload::default()
    }
}

/// One wrapped operation kind: its event kinds and payload factories.
#[derive(Clone, Debug)]
pub struct Operation<S = EmptyPayload, D = EmptyPayload, F = EmptyPayload> {
    start_kind: &'static str,
    end_kind: &'static str,
    failed_kind: Option<&'static str>,
    start: S,
    end: D,
    failed: F,
}

impl Operation {
    /// An operation emitting `start_kind` (phase started) before and `end_kind` (phase
    /// completed) after; failures and cancellations use `start_kind` unless
    /// [`Operation::failed_kind`] says otherwise.
    pub fn new(start_kind: &'static str, end_kind: &'static str) -> Operation {
        Operation {
            start_kind,
            end_kind,
            failed_kind: None,
            start: EmptyPayload,
            end: EmptyPayload,
            failed: EmptyPayload,
        }
    }
}

impl<S, D, F> Operation<S, D, F> {
    /// Sets the factory of the start event's payload (the original's `start_event_factory`),
    /// called only if the mode records the operation.
    pub fn start<S2: StartFactory>(self, start: S2) -> Operation<S2, D, F> {
        Operation {
            start_kind: self.start_kind,
            end_kind: self.end_kind,
            failed_kind: self.failed_kind,
            start,
            end: self.end,
            failed: self.failed,
        }
    }

    /// Sets the factory of the completed event's payload, given the work's `Ok` value (the
    /// original's `end_event_factory`).
    pub fn end<D2>(self, end: D2) -> Operation<S, D2, F> {
        Operation {
            start_kind: self.start_kind,
            end_kind: self.end_kind,
            failed_kind: self.failed_kind,
            start: self.start,
            end,
            failed: self.failed,
        }
    }

    /// Sets the factory of the failed event's payload, given the work's `Err` (the original's
    /// `failed_event_factory`); without one, a failure still emits an event with an empty payload.
    pub fn failed<F2>(self, failed: F2) -> Operation<S, D, F2> {
        Operation {
            start_kind: self.start_kind,
            end_kind: self.end_kind,
            failed_kind: self.failed_kind,
            start: self.start,
            end: self.end,
            failed,
        }
    }

    /// The kind of failed and cancelled events (default: the start kind).
    pub fn failed_kind(mut self, kind: &'static str) -> Self {
        self.failed_kind = Some(kind);
        self
    }

    /// Runs `work` wrapped: emits the start event, runs `work` inside its context, emits the
    /// end (or failed) event, and returns `work`'s result unchanged.
    ///
    /// The mode is read here, once ([`Operation::decide`]): `Disabled`, and `Lazy` when nobody
    /// listens to either kind, return the work itself inside a thin variant, so skipping the
    /// events costs one mode read (plus, for lazy, two cached-interest checks) and no wrapper
    /// state at all.
    #[inline]
    pub fn run<'a, T, E, W>(self, bus: &'a EventBus, work: W) -> Run<'a, S, D, F, W>
    where
        S: StartFactory,
        D: ResultFactory<T>,
        F: ResultFactory<E>,
        E: Display,
        W: Future<Output = Result<T, E>>,
    {
        let mode = bus.mode();
        match self.decide(bus, mode) {
            Decision::Record(root_id) => Run::Recorded {
                inner: self.run_recorded(bus, mode, root_id, work),
            },
            Decision::Skip => Run::Bare { work },
            Decision::DropTree => Run::Dropped {
                work: DroppedTree::new(work),
            },
        }
    }

    /// The mode's decision for this operation (`mode` is the bus's, read once by the
    /// caller): recorded, bare, or bare with everything nested in it (a sampled-out tree).
    /// Skips are counted here, as the mode says.
    ///
    /// A wrapper that owns its own future type decides first and, on a skip, awaits the work
    /// itself, as the original's decorator calls the function directly: the skipped path is
    /// then the bare work plus this read, without even `Run`'s discriminant around it.
    #[inline]
    pub fn decide(&self, bus: &EventBus, mode: EmitMode) -> Decision {
        let decision = mode.decide(
            || bus.has_subscribers_for(self.start_kind) || bus.has_subscribers_for(self.end_kind),
            || bus.sampling_seed(),
        );
        match decision {
            Decision::Record(_) => {}
            Decision::Skip => bus.count_skip(mode.skip()),
            Decision::DropTree => bus.count_skip(Skip::SampledOut),
        }
        decision
    }

    /// Runs `work` recorded in `mode`, as [`Operation::decide`] answered; `root_id` is the id
    /// a sampled root was decided on (its start event takes it).
    #[inline]
    pub fn run_recorded<'a, T, E, W>(
        self,
        bus: &'a EventBus,
        mode: EmitMode,
        root_id: Option<Uuid>,
        work: W,
    ) -> Recorded<'a, S, D, F, W>
    where
        S: StartFactory,
        D: ResultFactory<T>,
        F: ResultFactory<E>,
        E: Display,
        W: Future<Output = Result<T, E>>,
    {
        Recorded {
            work,
            wait: None,
            open: OpenOperation {
                bus,
                frame: Frame {
                    event_id: root_id.unwrap_or_default(),
                    ..Frame::default()
                },
                parent_id: None,
                parent_hint: ParentHint::NONE,
                started_ns: 0,
                failed_kind: self.failed_kind.unwrap_or(self.start_kind),
                process_name: None,
                function_name: None,
                names: None,
                armed: false,
            },
            step: Step::NotStarted,
            mode,
            start_kind: self.start_kind,
            end_kind: self.end_kind,
            start: Some(self.start),
            end: Some(self.end),
            failed: Some(self.failed),
            output: None,
        }
    }
}

pin_project_lite::pin_project! {
    /// The future of [`Operation::run`]: the bare work when the mode records nothing (inside
    /// [`DroppedTree`] for a sampled-out root), the recording state machine otherwise.
    #[must_use = "an operation does nothing unless awaited"]
    #[project = RunProj]
    pub enum Run<'a, S, D, F, W>
    where
        W: Future,
    {
        Bare { #[pin] work: W },
        Dropped { #[pin] work: DroppedTree<W> },
        Recorded { #[pin] inner: Recorded<'a, S, D, F, W> },
    }
}

impl<S, D, F, W, T, E> Future for Run<'_, S, D, F, W>
where
    S: StartFactory,
    D: ResultFactory<T>,
    F: ResultFactory<E>,
    E: Display,
    W: Future<Output = Result<T, E>>,
{
    type Output = Result<T, E>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T, E>> {
        match self.project() {
            RunProj::Bare { work } => work.poll(cx),
            RunProj::Dropped { work } => work.poll(cx),
            RunProj::Recorded { inner } => inner.poll(cx),
        }
    }
}
