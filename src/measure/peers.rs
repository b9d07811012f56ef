//! # Peers measured in the same process: `tracing`
//!
//! `tracing` is what a Rust developer would reach for instead of a bus, so our cost is best
//! read as a ratio to it, measured here, in the same rounds, on the same machine. Each level of
//! the very same nesting becomes a span entered around every poll (`Instrument`), carrying the
//! function name as a field:
//!
//! - under a `tracing_subscriber::Registry`, which keeps each span's parent, fields slot and
//!   reference count: the same bookkeeping as awaited mode minus the history;
//! - with no subscriber at all, the cost of instrumentation that records nothing.
//!
//! `tracing` decides per callsite whether anyone could be interested; once a `Registry`
//! exists in the process, the no-subscriber case asks the thread's current dispatcher on every
//! span instead of skipping at once. Both peers run in one session, so the no-subscriber row
//! is the cost with a Registry alive elsewhere in the process, as in a real program that
//! installs one on some threads.

use std::future::Future;

use tracing::instrument::Instrument;
use tracing::Dispatch;
use tracing_subscriber::Registry;

use super::drive::{chunks, drive};
use super::subject::{Group, Subject, Workbench};
use crate::core::{Clock, Payload};
use crate::workload::{run_range_with, CallShape, Level, SimulatedFailure, Wrap};

/// Each level as a `tracing` span named after the process, with the function as a field.
pub struct TracingSpans;

impl Wrap for TracingSpans {
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
        let span = tracing::info_span!("level", process = level.process, function = level.function);
        work.instrument(span)
    }
}

/// Which `tracing` set-up a peer row measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TracingPeer {
    /// Spans recorded by a `tracing_subscriber::Registry`.
    Registry,
    /// No subscriber: spans are created disabled.
    NoSubscriber,
}

/// A peer subject: the nesting under `tracing` spans.
pub struct TracingSubject {
    peer: TracingPeer,
    bench: Workbench,
    shape: CallShape,
    dispatch: Option<Dispatch>,
    pool: futures::executor::LocalPool,
    next: usize,
}

impl TracingSubject {
    pub fn new(peer: TracingPeer, bench: &Workbench, shape: CallShape) -> TracingSubject {
        TracingSubject {
            peer,
            bench: bench.clone(),
            shape,
            dispatch: match peer {
                TracingPeer::Registry => Some(Dispatch::new(Registry::default())),
                TracingPeer::NoSubscriber => None,
            },
            pool: futures::executor::LocalPool::new(),
            next: 0,
        }
    }

    fn batch(&mut self, ops: usize, clock: &dyn Clock) -> u64 {
        let t0 = clock.now_ns();
        for range in chunks(self.next, ops, self.bench.drain_every) {
            drive(
                &mut self.pool,
                run_range_with(&TracingSpans, &self.bench.pipeline, range, self.shape),
            );
        }
        self.next += ops;
        clock.now_ns().saturating_sub(t0)
    }
}

impl Subject for TracingSubject {
    fn key(&self) -> String {
        match self.peer {
            TracingPeer::Registry => "peer.tracing_registry".into(),
            TracingPeer::NoSubscriber => "peer.tracing_none".into(),
        }
    }

    fn label(&self) -> String {
        match self.peer {
            TracingPeer::Registry => "tracing spans, Registry subscriber".into(),
            TracingPeer::NoSubscriber => "tracing spans, no subscriber".into(),
        }
    }

    fn group(&self) -> Group {
        Group::Peer
    }

    fn shape(&self) -> CallShape {
        self.shape
    }

    fn run_batch(&mut self, ops: usize, clock: &dyn Clock) -> u64 {
        match self.dispatch.clone() {
            Some(dispatch) => {
                tracing::dispatcher::with_default(&dispatch, || self.batch(ops, clock))
            }
            None => self.batch(ops, clock),
        }
    }
}
