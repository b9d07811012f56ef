//! # Where the cost goes: ablation by phase
//!
//! The original's analysis splits an event's cost into phases and guesses each ("create 0.1–0.2 ms, context
//! 0.02 ms, queue 0.01 ms, processing 0.013 ms"). Timing a phase inside one event is
//! impossible (a phase lasts nanoseconds, a browser tick is 5–100 µs), so each phase is
//! measured by *ablation*: the same pipeline runs with instrumentation switched on one phase
//! at a time, cumulatively, and a phase's cost is the difference between its stage and the one
//! before:
//!
//! 1. [`Stage::Create`]: build both events of every level (ids, sequence, timestamps, payload
//!    factories) and drop them. No context, no queue.
//! 2. [`Stage::Context`]: + find the parent in the current context and run the level's work
//!    inside its own frame (per-poll context switching).
//! 3. [`Stage::Put`]: + the awaited queue put. This is the real [`Operation`] wrapper in
//!    awaited mode, timed only while the operations run; the processor drains the queue
//!    afterwards, untimed.
//! 4. [`Stage::Process`]: + background processing (history, indexes, counters): the real
//!    awaited mode, timed until the bus is flushed.
//! 5. [`Stage::Handlers`]: + one sync subscriber on every event, whose handler does nothing.
//!
//! Stages 1 and 2 mirror what [`Operation::run`] does, step by step, with the bus's own event
//! builder, so their difference to stage 3 is the put and nothing else.
//!
//! [`Operation`]: crate::core::Operation
//! [`Operation::run`]: crate::core::Operation::run

use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::core::context;
use crate::core::{Event, EventBus, Frame, Kind, Payload, Phase, Writes};
use crate::workload::{Level, SimulatedFailure, Wrap};

/// One cumulative step of the ablation; see the module docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Create,
    Context,
    Put,
    Process,
    Handlers,
}

impl Stage {
    pub const ALL: [Stage; 5] = [
        Stage::Create,
        Stage::Context,
        Stage::Put,
        Stage::Process,
        Stage::Handlers,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Stage::Create => "create",
            Stage::Context => "context",
            Stage::Put => "put",
            Stage::Process => "process",
            Stage::Handlers => "handlers",
        }
    }

    /// What this stage adds to the one before, for tables.
    pub const fn label(self) -> &'static str {
        match self {
            Stage::Create => "event creation",
            Stage::Context => "+ context (parent lookup, per-poll frame)",
            Stage::Put => "+ queue put (awaited)",
            Stage::Process => "+ background processing (history, indexes)",
            Stage::Handlers => "+ handlers (1 sync no-op subscriber)",
        }
    }

    /// The original's analysis's guess for this phase, per event, in its own words.
    pub const fn original_guess(self) -> &'static str {
        match self {
            Stage::Create => "0.1–0.2 ms",
            Stage::Context => "0.02 ms",
            Stage::Put => "0.01 ms",
            Stage::Process => "0.013 ms",
            Stage::Handlers => "0 (no handlers)",
        }
    }

    /// The Python original's measured cost of this phase per event, in µs (`docs/reference.md`), where
    /// it was measured.
    pub const fn python_us_per_event(self) -> Option<&'static str> {
        match self {
            Stage::Create => Some("6.6–10.2"),
            Stage::Context => Some("2.25 (push + pop 4.5 per pair)"),
            Stage::Put => Some("0.65"),
            Stage::Process => Some("3.7"),
            Stage::Handlers => None,
        }
    }
}

/// The first two stages as a [`Wrap`]: events are built on `bus` (so ids, sequence numbers
/// and timestamps cost what they cost there) and dropped; with `context`, the parent comes
/// from the current frame and the work runs inside its own.
///
/// The bus's sequence counter advances for events it never sees, so a bus used here must not
/// be flushed: flushing waits for every sequence number handed out.
pub struct PartialWrap<'a> {
    pub bus: &'a EventBus,
    pub context: bool,
}

impl Wrap for PartialWrap<'_> {
    fn wrap<T, W, S, D>(
        &self,
        level: Level<S, D>,
        work: W,
    ) -> impl Future<Output = Result<T, SimulatedFailure>>
    where
        W: Future<Output = Result<T, SimulatedFailure>>,
        S: FnOnce(&mut Payload),
        D: FnOnce(&T, &mut Payload),
    {
        Partial {
            work,
            bus: self.bus,
            context: self.context,
            start: Some((level.start, level.start_kind)),
            end: Some((level.end, level.start_kind, level.end_kind)),
            open: None,
        }
    }
}

/// What stage 1 and 2 keep between the start event and the end event.
struct Opened {
    frame: Frame,
    start_id: Uuid,
    parent_id: Option<Uuid>,
    started_ns: u64,
    names: (Option<Kind>, Option<Kind>),
}

pin_project_lite::pin_project! {
    /// Hand-written like the real wrapper's future (see `core::emit::Run`), so the stages
    /// differ from it in the phases they leave out and not in the size of their futures.
    struct Partial<'a, S, D, W> {
        #[pin]
        work: W,
        bus: &'a EventBus,
        context: bool,
        start: Option<(S, &'static str)>,
        end: Option<(D, &'static str, &'static str)>,
        open: Option<Opened>,
    }
}

impl<S, D, W, T> Future for Partial<'_, S, D, W>
where
    W: Future<Output = Result<T, SimulatedFailure>>,
    S: FnOnce(&mut Payload),
    D: FnOnce(&T, &mut Payload),
{
    type Output = Result<T, SimulatedFailure>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let bus: &EventBus = this.bus;
        if let Some((start, start_kind)) = this.start.take() {
            let parent = if *this.context {
                context::current()
            } else {
                None
            };
            let start = bus.new_event(
                Kind::Borrowed(start_kind),
                Phase::Started,
                written(start),
                parent,
            );
            *this.open = Some(Opened {
                frame: Frame::new(start.id, start.root_id, start.lineage_id),
                start_id: start.id,
                parent_id: start.parent_id,
                started_ns: start.timestamp_ns,
                names: (
                    start.payload.process_name.clone(),
                    start.payload.function_name.clone(),
                ),
            });
            black_box(start);
        }
        let open = this.open.as_mut().expect("started before running");
        let work = this.work;
        let result = ready!(if *this.context {
            context::scope(open.frame, || work.poll(cx))
        } else {
            work.poll(cx)
        });
        let (end, start_kind, end_kind) = this.end.take().expect("ended once");
        let (kind, phase, mut payload, error) = match &result {
            Ok(value) => (end_kind, Phase::Completed, written(|p| end(value, p)), None),
            Err(e) => (
                start_kind,
                Phase::Failed,
                Payload::default(),
                Some(e.to_string()),
            ),
        };
        if payload.process_name.is_none() {
            payload.process_name = open.names.0.take();
        }
        if payload.function_name.is_none() {
            payload.function_name = open.names.1.take();
        }
        let now = bus.now_ns();
        black_box(Event {
            id: crate::core::ids::new_id(),
            kind: Kind::Borrowed(kind),
            phase,
            parent_id: open.parent_id,
            root_id: open.frame.root_id,
            lineage_id: open.frame.lineage_id,
            start_id: Some(open.start_id),
            seq: bus.next_seq(),
            timestamp_ns: now,
            duration_ns: Some(now.saturating_sub(open.started_ns)),
            error,
            payload,
            unknown: Default::default(),
        });
        Poll::Ready(result)
    }
}

/// The real wrapper in the bus's mode, but every payload reduced to the names (process and
/// function): the same events, ids, links and processing, without the free-form fields the
/// original's classes carry. The difference to the full row is what building and dropping
/// those payloads costs: a cost of the factories a user writes, not of the bus.
pub struct NamesOnly<'a>(pub &'a EventBus);

impl Wrap for NamesOnly<'_> {
    fn wrap<T, W, S, D>(
        &self,
        level: Level<S, D>,
        work: W,
    ) -> impl Future<Output = Result<T, SimulatedFailure>>
    where
        W: Future<Output = Result<T, SimulatedFailure>>,
        S: FnOnce(&mut Payload),
        D: FnOnce(&T, &mut Payload),
    {
        let (process, function) = (level.process, level.function);
        crate::core::Operation::new(level.start_kind, level.end_kind)
            .start(Writes(move |p: &mut Payload| {
                p.set_process(process).set_function(function);
            }))
            .run(self.0, work)
    }
}

/// A writing factory's payload, built as the real wrapper's scratch payload is filled.
fn written(write: impl FnOnce(&mut Payload)) -> Payload {
    let mut payload = Payload::default();
    write(&mut payload);
    payload
}
