//! # Analysis of a trace
//!
//! What a trace means, shared by the page and the command line, whatever the events' source
//! (the live bus or an imported file). It stands on the trace model ([`crate::model`]) and
//! knows nothing of the page:
//!
//! - [`Inspection`]: a trace with its spans, lints and summary, built once per change.
//! - [`build`]: an import's inspection built a slice at a time ([`build::InspectionBuilder`]).
//! - [`emission_order`]: order inversions told from numbers that start again.
//! - [`lints`]: findings that deserve a look ([`Lint`](lints::Lint)); [`lint_list`]: a trace's lints,
//!   one list per kind ([`Lints`]).
//! - [`lint_pass`]: where in a trace each finding is; [`findings`]: each finding worded.
//! - [`summary`]: the counts ([`Summary`]).
//! - [`critical_path`]: the chain of nested steps that determines an operation's end, with
//!   self times ([`critical_path::CriticalPath`]).
//! - [`latency`]: per-name duration histograms.
//! - [`diff`]: two runs aligned operation by operation ([`diff::RunDiff`]).
//! - [`diff_text`]: how a diff reads, on the page and in `lineage diff` (counts, marks).
//! - [`capped`]: what is said when the history cap pruned a live trace.

pub mod build;
pub mod capped;
#[cfg(all(test, not(target_arch = "wasm32")))]
pub(crate) mod crafted;
pub mod critical_path;
pub mod diff;
pub mod diff_text;
pub mod emission_order;
pub mod findings;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod latency;
pub mod lint_list;
pub mod lint_pass;
pub mod lints;
pub mod summary;

use crate::model::spans;
use crate::model::{EventLog, Spans};
pub use lint_list::Lints;
use lint_pass::lint;
use lints::LintKind;
use summary::Summary;

/// A trace with everything derived from it, built once per change of the events.
#[derive(Clone, Debug, Default)]
pub struct Inspection {
    /// The events, in the order they were processed or read.
    pub trace: EventLog,
    /// The events paired into operations and nested: the lineage forest.
    pub spans: Spans,
    /// Findings that are defects of the trace.
    pub lints: Lints,
    /// The counts `lineage summary` prints and the page's header shows.
    pub summary: Summary,
    /// Events a live bus's bounded history dropped before the first one shown.
    pub pruned: u64,
    /// Findings the history cap caused, not the trace: once older events are pruned, an
    /// operation whose start or parent was among them reads as an end without a start or an
    /// orphan. Kept apart so the page can say so instead of reporting defects.
    pub cut_by_cap: Lints,
}

impl Inspection {
    /// Inspects a list of events (an imported file), nesting by their parent links.
    pub fn new(
        events: Vec<crate::core::Event>,
        failures: &[crate::core::HandlerFailure],
    ) -> Inspection {
        let trace = EventLog::new(events);
        let spans = Spans::build(&trace);
        Inspection::finish(trace, spans, failures)
    }

    /// Inspects the events an import collected ([`Imported::events`](crate::trace::Imported)).
    pub fn of_import(imported: &crate::trace::Imported) -> Inspection {
        Inspection::new(imported.events.clone(), &[])
    }

    /// Inspects a trace already in the store (an import streamed into it).
    pub fn of_trace(trace: EventLog, failures: &[crate::core::HandlerFailure]) -> Inspection {
        let spans = Spans::build(&trace);
        Inspection::finish(trace, spans, failures)
    }

    /// Inspects the first `len` events of a live bus's history, with their processing times,
    /// nesting by the bus's own `children_by_parent` index.
    pub fn of_history(
        history: &crate::core::History,
        len: usize,
        failures: &[crate::core::HandlerFailure],
    ) -> Inspection {
        let mut trace = EventLog::default();
        for p in history.positions().take(len) {
            let processed = history.processed_ns_at(p).unwrap_or(0);
            trace.push_processed(&history.event(p).expect("held"), processed);
        }
        let links = spans::HistoryLinks {
            history,
            len: trace.len(),
        };
        let spans = Spans::build_with(&trace, &links);
        let mut ins = Inspection::finish(trace, spans, failures);
        ins.pruned = history.pruned();
        if ins.pruned > 0 {
            ins.cut_by_cap = ins
                .lints
                .take_kinds(&[LintKind::Orphan, LintKind::EndWithoutStart]);
        }
        ins
    }

    fn finish(
        trace: EventLog,
        spans: Spans,
        failures: &[crate::core::HandlerFailure],
    ) -> Inspection {
        let lints = lint(&trace, &spans, failures);
        let summary = Summary::new(&trace, &spans, &lints);
        Inspection {
            trace,
            spans,
            lints,
            summary,
            pruned: 0,
            cut_by_cap: Lints::default(),
        }
    }
}
