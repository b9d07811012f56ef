//! # Inspecting a trace
//!
//! Plain types the UI and the command line share, whatever the events' source (the live bus
//! or an imported file):
//!
//! - [`trace`]: the events and their id index ([`Trace`]).
//! - [`build`]: an import's inspection built a slice at a time ([`build::InspectionBuilder`]).
//! - [`spans`]: starts paired with ends into operation nodes, nested into a forest
//!   ([`Spans`]), including the Python original's sibling-linked end events; built a pass
//!   and a slice at a time by [`spans_build`].
//! - [`ids`]: ids shortened for people to read ([`ids::short`]).
//! - [`lints`]: findings that deserve a look ([`Lint`]).
//! - [`summary`]: the counts ([`Summary`]).
//! - [`filter`]: kind / phase / lineage / text selection ([`Query`]).
//! - [`timeline`]: the waterfall's zoomable time axis ([`timeline::Axis`]).
//! - [`capped`]: what the page says when the history cap pruned a live trace.
//! - [`critical_path`]: the chain of nested steps that determines an operation's end, with
//!   self times ([`critical_path::CriticalPath`]).
//! - [`diff_text`]: how a diff reads, on the page and in `lineage diff` (counts, marks).
//! - [`event_detail`]: the selected event's fields and relatives ([`event_detail::EventDetail`]).
//! - [`diff`]: two runs aligned operation by operation ([`diff::RunDiff`]).
//! - [`live`]: the page's side of a live source: stream messages, sequence numbers, the
//!   connection and Pause ([`live::LiveFeed`]).
//! - [`overview`]: the minimap's event and failure density over time.
//! - [`scrub`]: the inspection of a replay brought to a moved cursor from the events in
//!   between ([`scrub::Scrub`]).
//! - [`latency`]: per-name duration histograms.
//! - [`tree`]: the visible rows of the tree under collapse and filter ([`TreeRows`]).
//! - [`viewport`]: which rows of the virtualised tree are in the DOM, and scrolling to one.
//! - [`row_info`]: what one row shows: name, status, duration, tooltip, bar ([`row_info::RowInfo`]).
//! - [`navigate`]: where an arrow key goes in the tree ([`navigate::step`]).
//! - [`shortcuts`]: the keys that pick an emit mode, from [`EmitMode::ALL`](crate::core::EmitMode::ALL).
//! - [`page_url`]: everything the page keeps in its address ([`page_url::PageUrl`]).
//! - [`visible`]: control and invisible characters from a trace, shown as badges.

pub mod build;
pub mod capped;
pub mod critical_path;
pub mod diff;
pub mod diff_text;
pub mod event_detail;
pub mod filter;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod ids;
pub mod latency;
pub mod lints;
pub mod live;
pub mod navigate;
pub mod overview;
pub mod page_url;
pub mod row_info;
pub mod scrub;
pub mod shortcuts;
pub mod spans;
pub mod spans_build;
pub mod summary;
pub mod timeline;
pub mod trace;
pub mod tree;
pub mod viewport;
pub mod visible;

pub use filter::Query;
pub use lints::{lint, Lint, LintKind};
pub use spans::{Span, Spans, Status};
pub use summary::Summary;
pub use trace::Trace;
pub use tree::{Row, TreeRows};

/// A trace with everything derived from it, built once per change of the events.
#[derive(Clone, Debug, Default)]
pub struct Inspection {
    pub trace: Trace,
    pub spans: Spans,
    /// Findings that are defects of the trace.
    pub lints: Vec<Lint>,
    pub summary: Summary,
    /// Events a live bus's bounded history dropped before the first one shown.
    pub pruned: u64,
    /// Findings the history cap caused, not the trace: once older events are pruned, an
    /// operation whose start or parent was among them reads as an end without a start or an
    /// orphan. Kept apart so the page can say so instead of reporting defects.
    pub cut_by_cap: Vec<Lint>,
}

impl Inspection {
    /// Inspects a list of events (an imported file), nesting by their parent links.
    pub fn new(
        events: Vec<crate::core::Event>,
        failures: &[crate::core::HandlerFailure],
    ) -> Inspection {
        let trace = Trace::new(events);
        let spans = Spans::build(&trace);
        Inspection::finish(trace, spans, failures)
    }

    /// Inspects a trace already in the store (an import streamed into it).
    pub fn of_trace(trace: Trace, failures: &[crate::core::HandlerFailure]) -> Inspection {
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
        let mut trace = Trace::default();
        for (_, r) in history.records().take(len) {
            trace.push_processed(&history.decode(r), r.processed_ns);
        }
        let links = spans::HistoryLinks {
            history,
            len: trace.len(),
        };
        let spans = Spans::build_with(&trace, &links);
        let mut ins = Inspection::finish(trace, spans, failures);
        ins.pruned = history.pruned();
        if ins.pruned > 0 {
            let (cut, defects): (Vec<Lint>, Vec<Lint>) = std::mem::take(&mut ins.lints)
                .into_iter()
                .partition(|l| matches!(l.kind, LintKind::Orphan | LintKind::EndWithoutStart));
            ins.lints = defects;
            ins.cut_by_cap = cut;
        }
        ins
    }

    fn finish(trace: Trace, spans: Spans, failures: &[crate::core::HandlerFailure]) -> Inspection {
        let lints = lint(&trace, &spans, failures);
        let summary = Summary::new(&trace, &spans, &lints);
        Inspection {
            trace,
            spans,
            lints,
            summary,
            pruned: 0,
            cut_by_cap: Vec::new(),
        }
    }
}
