//! # The emit wrapper
//!
//! [`Operation`] is the seed's `@emit_events` decorator as a value: it wraps an async
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
use super::event::{Event, Kind, Payload, Phase};
use super::mode::EmitMode;

/// Builds the start event's payload.
pub trait StartFactory {
    fn build(self) -> Payload;
}

/// Builds an end event's payload from the operation's output (or its error).
pub trait ResultFactory<T: ?Sized> {
    fn build(self, value: &T) -> Payload;
}

/// The factory used when none is given: the start payload's process and function names.
#[derive(Clone, Copy, Debug, Default)]
pub struct SameNames;

impl<F: FnOnce() -> Payload> StartFactory for F {
    #[inline]
    fn build(self) -> Payload {
        self()
    }
}

impl StartFactory for SameNames {
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

impl<T: ?Sized> ResultFactory<T> for SameNames {
    fn build(self, _: &T) -> Payload {
        Payload::default()
    }
}

/// One wrapped operation kind: its event kinds and payload factories.
#[derive(Clone, Debug)]
pub struct Operation<S = SameNames, D = SameNames, F = SameNames> {
    start_kind: Kind,
    end_kind: Kind,
    failed_kind: Option<Kind>,
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
            start_kind: Kind::Borrowed(start_kind),
            end_kind: Kind::Borrowed(end_kind),
            failed_kind: None,
            start: SameNames,
            end: SameNames,
            failed: SameNames,
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
        self.failed_kind = Some(Kind::Borrowed(kind));
        self
    }

    /// Runs `work` wrapped: emits the start event, runs `work` inside its context, emits the
    /// end (or failed) event, and returns `work`'s result unchanged. The mode is read when the
    /// returned future is first polled.
    pub fn run<'a, T, E, W>(self, bus: &'a EventBus, work: W) -> Run<'a, S, D, F, W>
    where
        S: StartFactory,
        D: ResultFactory<T>,
        F: ResultFactory<E>,
        E: Display,
        W: Future<Output = Result<T, E>>,
    {
        Run {
            work,
            wait: None,
            open: None,
            bus,
            step: Step::NotStarted,
            mode: EmitMode::Disabled,
            start_kind: Some(self.start_kind),
            end_kind: Some(self.end_kind),
            failed_kind: self.failed_kind,
            start: Some(self.start),
            end: Some(self.end),
            failed: Some(self.failed),
            output: None,
        }
    }
}

/// Where a [`Run`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    NotStarted,
    /// Disabled, or lazy with no subscriber: the work runs with no event and no context.
    Bare,
    /// The start event waits for room in a full queue.
    PuttingStart,
    Running,
    /// The end event waits for room in a full queue; the output is kept meanwhile.
    PuttingEnd,
    Done,
}

pin_project_lite::pin_project! {
    /// The future of [`Operation::run`].
    ///
    /// ## Why a hand-written future
    /// An `async fn` wrapper keeps its `work` argument *and* the awaited work in separate
    /// slots of its state, and the events it awaits to put as well; nested three deep, the
    /// future of one call grew to 23 KB, and moving it cost more than emitting its six events.
    /// This state machine holds the work once, puts events without keeping them (only a
    /// full queue boxes a wait), and costs a few hundred bytes over the work itself.
    #[must_use = "an operation does nothing unless awaited"]
    pub struct Run<'a, S, D, F, W>
    where
        W: Future,
    {
        // Drop order matters on cancellation: the work first (inner operations close before
        // outer ones), then a pending put (its event is queued), then the open operation
        // (which emits the cancelled end event).
        #[pin]
        work: W,
        wait: Option<Pin<Box<Put<'a>>>>,
        open: Option<OpenOperation<'a>>,
        bus: &'a EventBus,
        step: Step,
        mode: EmitMode,
        start_kind: Option<Kind>,
        end_kind: Option<Kind>,
        failed_kind: Option<Kind>,
        start: Option<S>,
        end: Option<D>,
        failed: Option<F>,
        output: Option<W::Output>,
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

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T, E>> {
        let mut this = self.project();
        let bus: &EventBus = this.bus;
        loop {
            match *this.step {
                Step::NotStarted => {
                    let mode = bus.mode();
                    *this.mode = mode;
                    let (start_kind, end_kind) = (
                        this.start_kind.as_ref().expect("start kind taken once"),
                        this.end_kind.as_ref().expect("end kind kept until the end"),
                    );
                    let record = match mode {
                        EmitMode::Disabled => false,
                        EmitMode::Lazy => {
                            let listened = bus.has_subscribers_for(start_kind)
                                || bus.has_subscribers_for(end_kind);
                            if !listened {
                                bus.count_lazy_skipped();
                            }
                            listened
                        }
                        EmitMode::Awaited | EmitMode::FireAndForget => true,
                    };
                    if !record {
                        *this.step = Step::Bare;
                        continue;
                    }
                    let start_kind = this.start_kind.take().expect("start kind taken once");
                    let failed_kind = this
                        .failed_kind
                        .take()
                        .unwrap_or_else(|| start_kind.clone());
                    let factory = this.start.take().expect("start factory called once");
                    let start = bus.new_event(
                        start_kind,
                        Phase::Started,
                        factory.build(),
                        context::current(),
                    );
                    *this.open = Some(OpenOperation {
                        bus,
                        start_id: start.id,
                        parent_id: start.parent_id,
                        frame: Frame {
                            event_id: start.id,
                            root_id: start.root_id,
                            lineage_id: start.lineage_id,
                        },
                        started_ns: start.timestamp_ns,
                        kind: failed_kind,
                        process_name: start.payload.process_name.clone(),
                        function_name: start.payload.function_name.clone(),
                        armed: true,
                    });
                    *this.wait = bus.emit_now(start, mode);
                    *this.step = if this.wait.is_some() {
                        Step::PuttingStart
                    } else {
                        Step::Running
                    };
                }
                Step::Bare => {
                    let output = ready!(this.work.as_mut().poll(cx));
                    *this.step = Step::Done;
                    return Poll::Ready(output);
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
                    let open = this.open.as_mut().expect("an open operation while running");
                    let work = this.work.as_mut();
                    let result = ready!(context::scope(open.frame, || work.poll(cx)));
                    open.armed = false;
                    let end = match &result {
                        Ok(value) => {
                            let factory = this.end.take().expect("end factory called once");
                            let payload = open.named(factory.build(value));
                            let kind = this.end_kind.take().expect("end kind taken once");
                            open.end_event(kind, Phase::Completed, payload, None)
                        }
                        Err(error) => {
                            let factory = this.failed.take().expect("failed factory called once");
                            let payload = open.named(factory.build(error));
                            let kind = open.kind.clone();
                            open.end_event(kind, Phase::Failed, payload, Some(error.to_string()))
                        }
                    };
                    *this.open = None;
                    *this.wait = bus.emit_now(end, *this.mode);
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
    start_id: Uuid,
    parent_id: Option<Uuid>,
    frame: Frame,
    started_ns: u64,
    kind: Kind,
    process_name: Option<Kind>,
    function_name: Option<Kind>,
    armed: bool,
}

impl OpenOperation<'_> {
    /// Fills the start's names into an end payload that lacks them.
    fn named(&self, mut payload: Payload) -> Payload {
        if payload.process_name.is_none() {
            payload.process_name = self.process_name.clone();
        }
        if payload.function_name.is_none() {
            payload.function_name = self.function_name.clone();
        }
        payload
    }

    fn end_event(
        &self,
        kind: Kind,
        phase: Phase,
        payload: Payload,
        error: Option<String>,
    ) -> Event {
        let now = self.bus.now_ns();
        Event {
            id: super::ids::new_id(),
            kind,
            phase,
            parent_id: self.parent_id,
            root_id: self.frame.root_id,
            lineage_id: self.frame.lineage_id,
            start_id: Some(self.start_id),
            seq: self.bus.next_seq(),
            timestamp_ns: now,
            duration_ns: Some(now.saturating_sub(self.started_ns)),
            error,
            payload,
        }
    }
}

impl Drop for OpenOperation<'_> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let payload = self.named(Payload::default());
        let kind = self.kind.clone();
        let event = self.end_event(
            kind,
            Phase::Cancelled,
            payload,
            Some("operation dropped before it finished".to_owned()),
        );
        self.bus.count_cancelled();
        // A destructor cannot await, so the put ignores the queue bound; see `emit_forced`.
        self.bus.emit_forced(event);
    }
}
