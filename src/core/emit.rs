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
//! - `Lazy` decides before any factory runs; `Disabled` does not touch the context at all.

use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use uuid::Uuid;

use super::bus::{EventBus, Put};
use super::context::{self, Frame};
use super::event::{Kind, Payload, Phase};
use super::ids;
use super::mode::EmitMode;
use super::store::Header;

/// Builds the start event's payload.
pub trait StartFactory {
    fn build(self) -> Payload;
}

/// Builds an end event's payload from the operation's output (or its error).
pub trait ResultFactory<T: ?Sized> {
    fn build(self, value: &T) -> Payload;
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
        match self.decide(bus) {
            Some(mode) => Run::Recorded {
                inner: self.run_recorded(bus, mode, work),
            },
            None => Run::Bare { work },
        }
    }

    /// The mode decision, read once per operation: `Some(mode)` when this operation's events
    /// are recorded, `None` when the mode skips them (a lazy skip is counted here).
    ///
    /// A wrapper that owns its own future type decides first and, on `None`, awaits the work
    /// itself, as the original's decorator calls the function directly: the skipped path is
    /// then the bare work plus this read, without even [`Run`]'s discriminant around it.
    #[inline]
    pub fn decide(&self, bus: &EventBus) -> Option<EmitMode> {
        let mode = bus.mode();
        let record = mode.records(|| {
            bus.has_subscribers_for(self.start_kind) || bus.has_subscribers_for(self.end_kind)
        });
        if record {
            return Some(mode);
        }
        if mode.counts_skips() {
            bus.count_lazy_skipped();
        }
        None
    }

    /// Runs `work` recorded in `mode`, as [`Operation::decide`] answered.
    #[inline]
    pub fn run_recorded<'a, T, E, W>(
        self,
        bus: &'a EventBus,
        mode: EmitMode,
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
                frame: Frame::default(),
                parent_id: None,
                started_ns: 0,
                failed_kind: self.failed_kind.unwrap_or(self.start_kind),
                process_name: None,
                function_name: None,
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

/// Where a [`Recorded`] operation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    NotStarted,
    /// The start event waits for room in a full queue.
    PuttingStart,
    Running,
    /// The end event waits for room in a full queue; the output is kept meanwhile.
    PuttingEnd,
    Done,
}

pin_project_lite::pin_project! {
    /// The future of [`Operation::run`]: the bare work when the mode records nothing, the
    /// recording state machine otherwise.
    #[must_use = "an operation does nothing unless awaited"]
    #[project = RunProj]
    pub enum Run<'a, S, D, F, W>
    where
        W: Future,
    {
        Bare { #[pin] work: W },
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
            RunProj::Recorded { inner } => inner.poll(cx),
        }
    }
}

pin_project_lite::pin_project! {
    /// An operation whose events are recorded.
    ///
    /// ## Why a hand-written future
    /// An `async fn` wrapper keeps its `work` argument *and* the awaited work in separate
    /// slots of its state, and the events it awaits to put as well; nested three deep, the
    /// future of one call grew to 23 KB, and moving it cost more than emitting its six events.
    /// This state machine holds the work once, puts events without keeping them (only a
    /// full queue boxes a wait), and costs a few hundred bytes over the work itself.
    pub struct Recorded<'a, S, D, F, W>
    where
        W: Future,
    {
        // Drop order matters on cancellation: the work first (inner operations close before
        // outer ones), then a pending put (its event is queued), then the open operation
        // (which emits the cancelled end event).
        #[pin]
        work: W,
        wait: Option<Pin<Box<Put<'a>>>>,
        open: OpenOperation<'a>,
        step: Step,
        mode: EmitMode,
        start_kind: &'static str,
        end_kind: &'static str,
        start: Option<S>,
        end: Option<D>,
        failed: Option<F>,
        output: Option<W::Output>,
    }
}

impl<S, D, F, W, T, E> Future for Recorded<'_, S, D, F, W>
where
    S: StartFactory,
    D: ResultFactory<T>,
    F: ResultFactory<E>,
    E: Display,
    W: Future<Output = Result<T, E>>,
{
    type Output = Result<T, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T, E>> {
        let mut this = self.project();
        let bus: &EventBus = this.open.bus;
        loop {
            match *this.step {
                Step::NotStarted => {
                    let start_kind = Kind::Borrowed(*this.start_kind);
                    let payload = this
                        .start
                        .take()
                        .expect("start factory called once")
                        .build();
                    let id = ids::new_id();
                    let parent = context::current();
                    let (parent_id, root_id, lineage_id) = match parent {
                        Some(f) => (Some(f.event_id), f.root_id, f.lineage_id),
                        None => (None, id, ids::new_id()),
                    };
                    let header = Header {
                        id,
                        kind: &start_kind,
                        phase: Phase::Started,
                        parent_id,
                        root_id,
                        lineage_id,
                        start_id: None,
                        seq: bus.next_seq(),
                        timestamp_ns: bus.now_ns(),
                        duration_ns: None,
                        error: None,
                    };
                    let open = &mut *this.open;
                    open.frame = Frame {
                        event_id: id,
                        root_id,
                        lineage_id,
                    };
                    open.parent_id = parent_id;
                    open.started_ns = header.timestamp_ns;
                    open.process_name.clone_from(&payload.process_name);
                    open.function_name.clone_from(&payload.function_name);
                    open.armed = true;
                    *this.wait = bus.put_parts(&header, &payload, *this.mode);
                    *this.step = if this.wait.is_some() {
                        Step::PuttingStart
                    } else {
                        Step::Running
                    };
                }
                Step::PuttingStart | Step::PuttingEnd => {
                    if let Some(wait) = this.wait.as_mut() {
                        ready!(wait.as_mut().poll(cx));
                    }
                    *this.wait = None;
                    if *this.step == Step::PuttingStart {
                        *this.step = Step::Running;
                    } else {
                        *this.step = Step::Done;
                        return Poll::Ready(this.output.take().expect("output kept while putting"));
                    }
                }
                Step::Running => {
                    let open = &mut *this.open;
                    let work = this.work.as_mut();
                    let result = ready!(context::scope(open.frame, || work.poll(cx)));
                    open.armed = false;
                    let wait = match &result {
                        Ok(value) => {
                            let factory = this.end.take().expect("end factory called once");
                            let mut payload = factory.build(value);
                            open.name(&mut payload);
                            let kind = Kind::Borrowed(*this.end_kind);
                            open.put_end(&kind, Phase::Completed, &payload, None, *this.mode)
                        }
                        Err(error) => {
                            let factory = this.failed.take().expect("failed factory called once");
                            let mut payload = factory.build(error);
                            open.name(&mut payload);
                            let message = error.to_string();
                            let kind = Kind::Borrowed(open.failed_kind);
                            open.put_end(&kind, Phase::Failed, &payload, Some(&message), *this.mode)
                        }
                    };
                    *this.wait = wait;
                    if this.wait.is_none() {
                        *this.step = Step::Done;
                        return Poll::Ready(result);
                    }
                    *this.output = Some(result);
                    *this.step = Step::PuttingEnd;
                }
                Step::Done => panic!("an operation's future was polled after it completed"),
            }
        }
    }
}

/// An operation whose start was emitted and whose end was not: if dropped while armed (the
/// wrapped future was cancelled), it emits the cancelled end event.
struct OpenOperation<'a> {
    bus: &'a EventBus,
    /// The start event (`frame.event_id`) and what its children inherit.
    frame: Frame,
    parent_id: Option<Uuid>,
    started_ns: u64,
    /// The kind of the failed or cancelled end event.
    failed_kind: &'static str,
    process_name: Option<Kind>,
    function_name: Option<Kind>,
    armed: bool,
}

impl<'a> OpenOperation<'a> {
    /// Fills the start's names into an end payload that lacks them (in place: a payload is a
    /// few hundred bytes, and moving it through calls showed in profiles).
    #[inline]
    fn name(&self, payload: &mut Payload) {
        if payload.process_name.is_none() {
            payload.process_name = self.process_name.clone();
        }
        if payload.function_name.is_none() {
            payload.function_name = self.function_name.clone();
        }
    }

    #[inline]
    fn end_header<'h>(&self, kind: &'h Kind, phase: Phase, error: Option<&'h str>) -> Header<'h> {
        let now = self.bus.now_ns();
        Header {
            id: ids::new_id(),
            kind,
            phase,
            parent_id: self.parent_id,
            root_id: self.frame.root_id,
            lineage_id: self.frame.lineage_id,
            start_id: Some(self.frame.event_id),
            seq: self.bus.next_seq(),
            timestamp_ns: now,
            duration_ns: Some(now.saturating_sub(self.started_ns)),
            error,
        }
    }

    #[inline]
    fn put_end(
        &self,
        kind: &Kind,
        phase: Phase,
        payload: &Payload,
        error: Option<&str>,
        mode: EmitMode,
    ) -> Option<Pin<Box<Put<'a>>>> {
        let header = self.end_header(kind, phase, error);
        self.bus.put_parts(&header, payload, mode)
    }
}

impl Drop for OpenOperation<'_> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let mut payload = Payload::default();
        self.name(&mut payload);
        let kind = Kind::Borrowed(self.failed_kind);
        let header = self.end_header(
            &kind,
            Phase::Cancelled,
            Some("operation dropped before it finished"),
        );
        self.bus.count_cancelled();
        // A destructor cannot await, so the put ignores the queue bound.
        self.bus.put_parts_forced(&header, payload);
    }
}
