//! # Operations as spans
//!
//! The inspector shows each operation as one node spanning its start event to its end event.
//! [`Spans::build`] pairs them and nests them:
//!
//! - An end event that names its start (`start_id`, as every lineage end event does) is paired
//!   with it directly, wherever the start stands in the file (a trace sorted by time, or
//!   reordered by fire-and-forget, can list an end before its start). Only a *start* event can
//!   be named so, and only once: an end naming an end (two ends naming each other), a single
//!   event or an already closed start stays a node of its own and is flagged.
//! - An end event of the Python original does not: it is a *sibling* of its start (same
//!   parent, same lineage, same `process_name`), and a root's end event has no parent at all.
//!   Such an end is paired with the most recent unpaired start that has the same parent (for a
//!   root end: no parent and the same lineage) and the same name. Most recent first, because
//!   same-named operations under one parent run one after another or nested.
//! - A start with no end is *unfinished* (the original leaves those behind when a call fails
//!   or is cancelled); an end with no start stays a node of its own and is flagged.
//! - Events that neither start nor end an operation (phase pending, progress, ...) are point
//!   nodes.
//!
//! Nodes nest by `parent_id`. A parent id that is not in the trace makes the node an *orphan*,
//! shown as a root and flagged; parent links that form a cycle (an event naming itself as
//! parent included) are cut and reported rather than followed forever. An event whose id an
//! earlier event already holds is kept as a node marked [`Span::duplicate`]: links by that id
//! resolve to the first holder.

use uuid::Uuid;

use crate::core::Phase;
use crate::model::events::EventLog;

/// What became of an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Ended by a completed event.
    Completed,
    /// Ended by a failed event.
    Failed,
    /// Ended by a cancelled event (dropped before it finished).
    Cancelled,
    /// Ended by a timeout event.
    TimedOut,
    /// Started, never ended (in the trace as loaded, or at the replay's current point).
    Unfinished,
    /// A single event, not an operation.
    Point,
    /// An end event whose start is not in the trace.
    EndOnly,
}

impl Status {
    /// The name the exports, the page and `lineage diff` show ("completed", "timeout",
    /// "end-only", ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Completed => "completed",
            Status::Failed => "failed",
            Status::Cancelled => "cancelled",
            Status::TimedOut => "timeout",
            Status::Unfinished => "unfinished",
            Status::Point => "point",
            Status::EndOnly => "end-only",
        }
    }

    pub(crate) fn of_end(phase: Phase) -> Status {
        match phase {
            Phase::Failed => Status::Failed,
            Phase::Cancelled => Status::Cancelled,
            Phase::Timeout => Status::TimedOut,
            _ => Status::Completed,
        }
    }

    /// True for outcomes that deserve attention in the tree.
    pub fn is_problem(self) -> bool {
        !matches!(self, Status::Completed | Status::Point)
    }
}

/// One node of the lineage tree: an operation (start + end) or a single event.
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    /// Index in the trace of the event that opens the node (the start, or the lone event).
    pub start: usize,
    /// Index of the end event, if paired.
    pub end: Option<usize>,
    /// What became of the operation (or [`Status::Point`] for a single event).
    pub status: Status,
    /// Index of the parent span, if its parent is in the trace.
    pub parent: Option<usize>,
    /// Indexes of the child spans, in trace order.
    pub children: Vec<usize>,
    /// Nesting level: 0 for a root span.
    pub depth: usize,
    /// The event names a parent that is not in the trace.
    pub orphan: bool,
    /// The event's parent link closed a cycle (or named the event itself) and was cut: the
    /// span is shown as a root.
    pub cut: bool,
    /// The opening event's id was already held by an earlier event of the trace.
    pub duplicate: bool,
    /// Spans in the subtree below this one (not counting itself).
    pub descendants: usize,
    /// Problem spans (failed, cancelled, unfinished, end-only) in the subtree, itself included.
    pub problems: usize,
}

/// The span forest of a trace.
#[derive(Clone, Debug, Default)]
pub struct Spans {
    /// Every span; the other fields and [`Span`]'s links index into it.
    pub spans: Vec<Span>,
    /// Root spans, in trace order.
    pub roots: Vec<usize>,
    /// For every event index, the span it belongs to (as start or end).
    pub span_of_event: Vec<usize>,
    /// Events whose parent links closed a cycle (each was cut loose to become a root).
    pub cycles: Vec<Uuid>,
}

/// The key an end event of the original is matched on: parent, lineage (for roots) and name.
/// The name is the process name; events without one (the original's `modifying` /
/// `modified`, `creating` / `created`, ...) are matched on the stem of their kind.
pub(super) fn pairing_key(trace: &EventLog, i: usize) -> (Option<Uuid>, Option<Uuid>, String) {
    let parent = trace.parent_id(i);
    let lineage = if parent.is_none() {
        Some(trace.lineage_id(i))
    } else {
        None
    };
    let name = match trace.process_name(i) {
        Some(p) => p.to_owned(),
        None => format!("\u{0}{}", kind_stem(trace.kind(i))),
    };
    (parent, lineage, name)
}

/// The verb of a start or end kind, shared by both: "processing" and "processed" give
/// "process", "creating" and "created" give "creat", "modifying" and "modified" give "modif".
pub fn kind_stem(kind: &str) -> &str {
    kind.strip_suffix("ying")
        .or_else(|| kind.strip_suffix("ied"))
        .or_else(|| kind.strip_suffix("ing"))
        .or_else(|| kind.strip_suffix("ed"))
        .filter(|s| !s.is_empty())
        .unwrap_or(kind)
}

/// A `children_by_parent` index: which trace events (by index) name `parent` as parent, in
/// processing order.
pub trait ChildIndex {
    /// Appends to `out` the indexes of the trace events whose `parent_id` is `parent`, in
    /// processing order.
    fn children_of(&self, parent: &Uuid, out: &mut Vec<usize>);
}

/// The trace's own `children_by_parent` index (its event store keeps one, built from the
/// events' `parent_id` fields as they were read).
pub struct ParentLinks<'a>(&'a EventLog);

impl<'a> ParentLinks<'a> {
    pub(crate) fn of(trace: &'a EventLog) -> ParentLinks<'a> {
        ParentLinks(trace)
    }
}

impl ChildIndex for ParentLinks<'_> {
    fn children_of(&self, parent: &Uuid, out: &mut Vec<usize>) {
        let shown = self.0.len();
        out.extend(
            self.0
                .store()
                .child_positions(parent)
                .map(|p| p as usize)
                .filter(|&p| p < shown),
        );
    }
}

/// The live bus's own `children_by_parent` index, for a trace that is the history's first
/// `trace.len()` events (the replay's view up to its cursor).
pub struct HistoryLinks<'a> {
    pub(crate) history: &'a crate::core::History,
    pub(crate) len: usize,
}

impl ChildIndex for HistoryLinks<'_> {
    fn children_of(&self, parent: &Uuid, out: &mut Vec<usize>) {
        let base = self.history.pruned();
        for child in self.history.children(parent) {
            if let Some(pos) = self.history.position_of(&child.id) {
                let i = (pos - base) as usize;
                if i < self.len {
                    out.push(i);
                }
            }
        }
    }
}

impl Spans {
    /// Spans in the forest (operations at every level, single events and lone ends).
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// No span: the trace has no event.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Start and end time of a span (ns); an unfinished span ends at `open_until`.
    pub fn extent(&self, trace: &EventLog, s: usize, open_until: u64) -> (u64, u64) {
        let span = &self.spans[s];
        let start = trace.timestamp_ns(span.start);
        let end = match span.end {
            Some(e) => trace.timestamp_ns(e),
            None if span.status == Status::Point => start,
            None => open_until.max(start),
        };
        (start, end)
    }
}
