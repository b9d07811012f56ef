//! # A trace in numbers
//!
//! What `lineage summary` prints and the inspector's header shows: how many events, how many
//! operations (root calls) and how they ended, how many orphans, and the lint counts.

use serde::Serialize;

use super::lints::{Lint, LintKind};
use super::spans::{Spans, Status};
use super::trace::Trace;

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Events read.
    pub events: usize,
    /// Root operations: spans with no parent (orphans are counted apart).
    pub operations: usize,
    pub completed: usize,
    pub failed: usize,
    pub cancelled: usize,
    /// Root operations with no end event.
    pub unfinished: usize,
    /// Events whose parent is not in the trace.
    pub orphans: usize,
    /// All spans (operations at every level plus point events).
    pub spans: usize,
    /// Lint counts by kind name.
    pub lints: Vec<(LintKind, usize)>,
}

impl Summary {
    pub fn new(trace: &Trace, spans: &Spans, lints: &[Lint]) -> Summary {
        let mut s = Summary {
            events: trace.len(),
            spans: spans.len(),
            ..Summary::default()
        };
        for &r in &spans.roots {
            let span = &spans.spans[r];
            if span.orphan {
                continue;
            }
            s.operations += 1;
            match span.status {
                Status::Completed => s.completed += 1,
                Status::Failed | Status::TimedOut => s.failed += 1,
                Status::Cancelled => s.cancelled += 1,
                Status::Unfinished => s.unfinished += 1,
                Status::Point | Status::EndOnly => {}
            }
        }
        s.orphans = spans.spans.iter().filter(|sp| sp.orphan).count();
        for kind in LintKind::ALL {
            let n = lints.iter().filter(|l| l.kind == kind).count();
            if n > 0 {
                s.lints.push((kind, n));
            }
        }
        s
    }
}
