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

use uuid::Uuid;

use super::bus::EventBus;
use super::context::{self, Frame, InContext};
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
    /// end (or failed) event, and returns `work`'s result unchanged.
    pub async fn run<T, E, W>(self, bus: &EventBus, work: W) -> Result<T, E>
    where
        S: StartFactory,
        D: ResultFactory<T>,
        F: ResultFactory<E>,
        E: Display,
        W: Future<Output = Result<T, E>>,
    {
        let mode = bus.mode();
        match mode {
            EmitMode::Disabled => return work.await,
            EmitMode::Lazy => {
                if !bus.has_subscribers_for(&self.start_kind)
                    && !bus.has_subscribers_for(&self.end_kind)
                {
                    bus.count_lazy_skipped();
                    return work.await;
                }
            }
            EmitMode::Awaited | EmitMode::FireAndForget => {}
        }
        let failed_kind = self.failed_kind.unwrap_or_else(|| self.start_kind.clone());
        let start = bus.new_event(
            self.start_kind,
            Phase::Started,
            self.start.build(),
            context::current(),
        );
        let frame = Frame {
            event_id: start.id,
            root_id: start.root_id,
            lineage_id: start.lineage_id,
        };
        let mut open = OpenOperation {
            bus,
            start_id: start.id,
            parent_id: start.parent_id,
            frame,
            started_ns: start.timestamp_ns,
            kind: failed_kind,
            process_name: start.payload.process_name.clone(),
            function_name: start.payload.function_name.clone(),
            armed: true,
        };
        bus.emit_as(start, mode).await;

        let result = InContext::new(frame, work).await;

        open.armed = false;
        let end = match &result {
            Ok(value) => {
                let payload = open.named(self.end.build(value));
                open.end_event(self.end_kind, Phase::Completed, payload, None)
            }
            Err(error) => {
                let payload = open.named(self.failed.build(error));
                let kind = open.kind.clone();
                open.end_event(kind, Phase::Failed, payload, Some(error.to_string()))
            }
        };
        bus.emit_as(end, mode).await;
        result
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
            id: Uuid::new_v4(),
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
