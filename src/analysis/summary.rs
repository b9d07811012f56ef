//! # A trace in numbers
//!
//! What `lineage summary` prints and the inspector's header shows: how many events, how many
//! operations (root calls) and how they ended, and what else stands at the top of the tree.
//!
//! ## The counts add up
//! Every root of the span forest is counted exactly once, in the first of these that fits:
//! a duplicate id, a link cut from a parent cycle, an orphan (parent not in the trace), an end
//! event without a start, a single event, or else an operation; and every operation ended in
//! exactly one way (completed, failed, cancelled) or never:
//!
//! ```text
//! roots      = operations + orphans + cycles + duplicates + lone_ends + single_events
//! operations = completed + failed + cancelled + unfinished
//! events     = spans + ends paired with a start
//! ```
//!
//! [`Summary::check`] states these, and the property tests hold them on crafted traces.
//! `orphans` and `cycles` equal the number of orphan and cycle lints: a root named one way in
//! the counts is named the same way in the lints.

use serde::Serialize;

use crate::analysis::lint_list::Lints;
use crate::analysis::lints::LintKind;
use crate::model::events::EventLog;
use crate::model::spans::{Span, Spans, Status};

/// A trace in numbers; see the module docs for how the counts add up.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Events read.
    pub events: usize,
    /// Root operations: started at the top level (no parent named), not duplicates.
    pub operations: usize,
    /// Root operations that completed.
    pub completed: usize,
    /// Failed or timed out.
    pub failed: usize,
    /// Root operations cancelled (dropped before they finished).
    pub cancelled: usize,
    /// Root operations with no end event.
    pub unfinished: usize,
    /// Roots whose event names a parent that is not in the trace.
    pub orphans: usize,
    /// Roots whose parent link closed a cycle (or named the event itself) and was cut.
    pub cycles: usize,
    /// Roots whose event reuses an id an earlier event holds.
    pub duplicates: usize,
    /// Top-level end events with no start of their own.
    pub lone_ends: usize,
    /// Top-level events that neither start nor end an operation.
    pub single_events: usize,
    /// Nodes at the top of the tree: the sum of the six counts above.
    pub roots: usize,
    /// All spans (operations at every level plus single and lone end events).
    pub spans: usize,
    /// End events paired with their start (each is part of its start's span).
    pub paired_ends: usize,
    /// Lint counts by kind, in [`LintKind::ALL`] order, kinds with none left out.
    pub lints: Vec<(LintKind, usize)>,
}

/// Spans at every level that failed or timed out (the summary's `failed` counts roots only).
pub fn failed_spans(spans: &Spans) -> usize {
    spans
        .spans
        .iter()
        .filter(|sp| matches!(sp.status, Status::Failed | Status::TimedOut))
        .count()
}

/// Where a root is counted: the first of these that fits, in this order.
pub(crate) fn root_slot<'a>(s: &'a mut Summary, span: &Span) -> &'a mut usize {
    if span.duplicate {
        &mut s.duplicates
    } else if span.cut {
        &mut s.cycles
    } else if span.orphan {
        &mut s.orphans
    } else {
        match span.status {
            Status::EndOnly => &mut s.lone_ends,
            Status::Point => &mut s.single_events,
            Status::Completed => &mut s.completed,
            Status::Failed | Status::TimedOut => &mut s.failed,
            Status::Cancelled => &mut s.cancelled,
            Status::Unfinished => &mut s.unfinished,
        }
    }
}

impl Summary {
    pub(crate) fn new(trace: &EventLog, spans: &Spans, lints: &Lints) -> Summary {
        let paired_ends = spans.spans.iter().filter(|sp| sp.end.is_some()).count();
        let mut roots = Summary::default();
        for &r in &spans.roots {
            *root_slot(&mut roots, &spans.spans[r]) += 1;
        }
        Summary::with_counts(trace, spans, paired_ends, &roots, |kind| lints.count(kind))
    }

    /// The counts, given the paired ends, the roots counted where they fit (in a summary's
    /// root fields, see [`root_slot`]) and the lints per kind: the replay's incremental
    /// inspection keeps those as they change rather than reading every span at each step.
    pub(crate) fn with_counts(
        trace: &EventLog,
        spans: &Spans,
        paired_ends: usize,
        roots: &Summary,
        lints_of_kind: impl Fn(LintKind) -> usize,
    ) -> Summary {
        let mut s = Summary {
            events: trace.len(),
            spans: spans.len(),
            roots: spans.roots.len(),
            paired_ends,
            completed: roots.completed,
            failed: roots.failed,
            cancelled: roots.cancelled,
            unfinished: roots.unfinished,
            orphans: roots.orphans,
            cycles: roots.cycles,
            duplicates: roots.duplicates,
            lone_ends: roots.lone_ends,
            single_events: roots.single_events,
            ..Summary::default()
        };
        s.operations = s.completed + s.failed + s.cancelled + s.unfinished;
        for kind in LintKind::ALL {
            let n = lints_of_kind(kind);
            if n > 0 {
                s.lints.push((kind, n));
            }
        }
        debug_assert_eq!(s.check(), Ok(()));
        s
    }

    /// The number of lints of one kind.
    pub fn lint_count(&self, kind: LintKind) -> usize {
        self.lints
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(0, |&(_, n)| n)
    }

    /// Checks that the counts add up (see the module docs), naming the first sum that does
    /// not.
    pub fn check(&self) -> Result<(), String> {
        let root_parts = self.operations
            + self.orphans
            + self.cycles
            + self.duplicates
            + self.lone_ends
            + self.single_events;
        if root_parts != self.roots {
            return Err(format!(
                "{} roots, but operations + orphans + cycles + duplicates + lone ends + single \
                 events = {root_parts}",
                self.roots
            ));
        }
        let ended = self.completed + self.failed + self.cancelled + self.unfinished;
        if ended != self.operations {
            return Err(format!(
                "{} operations, but completed + failed + cancelled + unfinished = {ended}",
                self.operations
            ));
        }
        if self.spans + self.paired_ends != self.events {
            return Err(format!(
                "{} events, but {} spans + {} paired ends",
                self.events, self.spans, self.paired_ends
            ));
        }
        for (kind, count) in [
            (LintKind::Orphan, self.orphans),
            (LintKind::Cycle, self.cycles),
        ] {
            if self.lint_count(kind) != count {
                return Err(format!(
                    "{count} {} counted, {} lints",
                    kind.as_str(),
                    self.lint_count(kind)
                ));
            }
        }
        Ok(())
    }
}
