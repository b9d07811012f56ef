//! # Two runs, operation by operation
//!
//! What an emit mode does to the events themselves (fire-and-forget reordering them and adding
//! queue lag, disabled leaving a hole, lazy skipping what nobody hears) shows only when two
//! runs sit next to each other. A [`RunDiff`] aligns the operations (root spans) of run *A*
//! with those of run *B* and says, per operation, whether it is on one side only or on both,
//! how its duration and event count moved, whether B reorders or delays events that A did
//! not, and whether its subtree differs.
//!
//! ## Alignment
//!
//! - **By id** first: a root whose start event has the same id on both sides is the same
//!   operation (a file compared with a converted copy of itself, two views of one run).
//! - **By name and order** for the rest: the k-th operation named `aexecute` in A (in
//!   emission order: timestamp, then sequence number) pairs with the k-th `aexecute` in B.
//!   Two runs of one seed perform the same operations in the same order, so this pairs them
//!   even though every id differs; emission order (not processing order) keeps fire-and-
//!   forget's reordering from shifting the pairs.
//!
//! ## What "differs" means
//!
//! An aligned operation is *changed* when its outcome differs or its subtree's shape does:
//! the pre-order sequence of (depth, name, outcome), children in emission order. Durations
//! always differ between two runs, so they are reported as deltas and never make an
//! operation "changed" on their own.
//!
//! Only the public methods of [`EventLog`] and the [`Spans`] forest are used, so the trace's
//! storage can change underneath.

//!
//! ## Where things are
//! - `op`: one line of the diff ([`OpDiff`]) and what it says of each side.
//! - `summary`: the per-side figures and their deltas.
//! - `operations`: one side's operations in emission order, measured.
//! - `align`: pairing A's operations with B's, and merging them into one list.

mod align;
mod op;
mod operations;
mod summary;
#[cfg(test)]
mod tests;

use serde::Serialize;

pub use op::{OpDiff, OpSide, PairedBy, Presence};
pub use operations::inversion_flags;
pub use summary::{SideSummary, SummaryDelta};

use crate::model::events::EventLog;
use crate::model::spans::Spans;
use operations::Operations;

/// One run as the diff sees it: its events and their span forest.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub(crate) trace: &'a EventLog,
    pub(crate) spans: &'a Spans,
}

impl<'a> Side<'a> {
    /// A side made of a trace and its span forest (built by the caller, as the page already
    /// holds them).
    pub fn new(trace: &'a EventLog, spans: &'a Spans) -> Side<'a> {
        Side { trace, spans }
    }

    pub(crate) fn of(inspection: &'a crate::analysis::Inspection) -> Side<'a> {
        Side::new(&inspection.trace, &inspection.spans)
    }
}

/// Two runs aligned; see the module docs.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RunDiff {
    /// Every operation of either side, merged: A's in emission order, each B-only operation
    /// after the aligned operation that precedes it in B.
    pub ops: Vec<OpDiff>,
    /// Run A's summary row.
    pub a: SideSummary,
    /// Run B's summary row.
    pub b: SideSummary,
    /// B minus A for each summary figure.
    pub delta: SummaryDelta,
}

impl RunDiff {
    /// Aligns `a` with `b`.
    ///
    /// ```
    /// use lineage::core::{Event, Phase};
    /// use lineage::analysis::diff::{RunDiff, Side};
    /// use lineage::model::{EventLog, Spans};
    ///
    /// let a = EventLog::new(vec![Event::root("aexecute", Phase::Started)]);
    /// let b = EventLog::new(vec![]);
    /// let (sa, sb) = (Spans::build(&a), Spans::build(&b));
    /// let diff = RunDiff::build(Side::new(&a, &sa), Side::new(&b, &sb));
    /// assert_eq!((diff.only_a().count(), diff.only_b().count()), (1, 0));
    /// ```
    pub fn build(a: Side<'_>, b: Side<'_>) -> RunDiff {
        let (ops_a, ops_b) = (Operations::of(a), Operations::of(b));
        let pairs = align::pair(&ops_a, &ops_b);
        let ops = align::merge(&ops_a, &ops_b, &pairs);
        let (sa, sb) = (ops_a.summary(), ops_b.summary());
        RunDiff {
            ops,
            delta: SummaryDelta::of(&sa, &sb),
            a: sa,
            b: sb,
        }
    }

    /// Operations present in A only (B did not record them: disabled, lazy or sampled out).
    pub fn only_a(&self) -> impl Iterator<Item = &OpDiff> {
        self.ops.iter().filter(|o| o.presence == Presence::OnlyA)
    }

    /// Operations present in B only.
    pub fn only_b(&self) -> impl Iterator<Item = &OpDiff> {
        self.ops.iter().filter(|o| o.presence == Presence::OnlyB)
    }

    /// Aligned operations whose outcome or subtree differs.
    pub fn changed(&self) -> impl Iterator<Item = &OpDiff> {
        self.ops.iter().filter(|o| o.changed())
    }

    /// Aligned operations whose B side reorders events and whose A side does not.
    pub fn inversions_only_in_b(&self) -> impl Iterator<Item = &OpDiff> {
        self.ops.iter().filter(|o| o.inversions_only_in_b())
    }
}
