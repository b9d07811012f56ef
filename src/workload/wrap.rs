//! # How a level is wrapped
//!
//! The original wraps each level of a call in `@emit_events`. To measure what that costs, the
//! *same* nesting must also run bare (the baseline), under partial instrumentation (the
//! per-phase ablation of [`crate::measure`]) and under a peer such as `tracing` spans. A
//! [`Wrap`] is that choice: it receives one [`Level`] (its kinds, names and payload
//! factories) and the level's work, and runs the work its way.
//!
//! `Option<&EventBus>` is the wrap every existing caller uses: `Some(bus)` runs the level as
//! an [`Operation`] on the bus, `None` runs it bare.

use std::future::Future;

use futures::future::Either;

use super::failure::SimulatedFailure;
use crate::core::mode::sampling::DroppedTree;
use crate::core::mode::Decision;
use crate::core::{EventBus, Operation, Payload, Writes};

/// One wrapped level of a call: what the original's decorator is given.
pub struct Level<S, D> {
    /// The kind of the start event ("processing", "modifying", ...).
    pub start_kind: &'static str,
    /// The kind of the end event ("processed", "modified", ...).
    pub end_kind: &'static str,
    /// The original's `process_name` (also the span name a peer uses).
    pub process: &'static str,
    /// The original's `function_name`: the user function the call runs, in the level's payloads.
    pub function: &'static str,
    /// Writes the start payload into the payload it is handed; called only if the wrap
    /// records a start event. (A writer, not a builder: see `core::emit::Writes`.)
    pub start: S,
    /// Writes the end payload from the level's output.
    pub end: D,
}

/// Runs a level's work wrapped one way or another; see the module docs.
pub trait Wrap {
    /// Runs `work` as `level`, with or without its events as this wrap decides, and returns the
    /// work's result unchanged.
    fn wrap<T, W, S, D>(
        &self,
        level: Level<S, D>,
        work: W,
    ) -> impl Future<Output = Result<T, SimulatedFailure>>
    where
        W: Future<Output = Result<T, SimulatedFailure>>,
        S: FnOnce(&mut Payload),
        D: FnOnce(&T, &mut Payload);
}

impl Wrap for Option<&EventBus> {
    /// Not an `async fn`: a wrapper future that stored `work` as an argument and again as the
    /// awaited operation would double its size at every level.
    #[inline]
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
        let Some(bus) = self else {
            return Either::Right(Either::Left(work));
        };
        let operation = Operation::new(level.start_kind, level.end_kind)
            .start(Writes(level.start))
            .end(Writes(level.end));
        // Decided first: a skipped level is the bare work itself, the same future the
        // baseline runs, so Disabled and Lazy cost the mode read and nothing else.
        let mode = bus.mode();
        match operation.decide(bus, mode) {
            Decision::Record(root_id) => {
                Either::Left(operation.run_recorded(bus, mode, root_id, work))
            }
            Decision::Skip => Either::Right(Either::Left(work)),
            Decision::DropTree => Either::Right(Either::Right(DroppedTree::new(work))),
        }
    }
}
