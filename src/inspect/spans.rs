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

use std::collections::HashMap;

use uuid::Uuid;

use super::trace::Trace;
use crate::core::Phase;

/// What became of an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Completed,
    Failed,
    Cancelled,
    TimedOut,
    /// Started, never ended (in the trace as loaded, or at the replay's current point).
    Unfinished,
    /// A single event, not an operation.
    Point,
    /// An end event whose start is not in the trace.
    EndOnly,
}

impl Status {
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
    pub status: Status,
    /// Index of the parent span, if its parent is in the trace.
    pub parent: Option<usize>,
    pub children: Vec<usize>,
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
fn pairing_key(trace: &Trace, i: usize) -> (Option<Uuid>, Option<Uuid>, String) {
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
    fn children_of(&self, parent: &Uuid, out: &mut Vec<usize>);
}

/// The trace's own `children_by_parent` index (its event store keeps one, built from the
/// events' `parent_id` fields as they were read).
pub struct ParentLinks<'a>(&'a Trace);

impl<'a> ParentLinks<'a> {
    pub fn of(trace: &'a Trace) -> ParentLinks<'a> {
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
    pub history: &'a crate::core::History,
    pub len: usize,
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
    /// Pairs and nests the spans of a trace, nesting by the trace's own parent links.
    pub fn build(trace: &Trace) -> Spans {
        Spans::build_with(trace, &ParentLinks::of(trace))
    }

    /// Pairs and nests the spans of a trace, nesting by the given children index (the bus's
    /// own `children_by_parent` for a live trace).
    pub fn build_with(trace: &Trace, children: &dyn ChildIndex) -> Spans {
        let n = trace.len();
        let mut spans: Vec<Span> = Vec::new();
        let mut span_of_event = vec![usize::MAX; n];
        // Unpaired starts by the original's sibling key, most recent last.
        let mut open: HashMap<(Option<Uuid>, Option<Uuid>, String), Vec<usize>> = HashMap::new();
        // Ends that name a start event: (end index, start index), paired once every start
        // has its span.
        let mut named_ends: Vec<(usize, usize)> = Vec::new();
        let new_span = |start: usize, status: Status| Span {
            start,
            end: None,
            status,
            parent: None,
            children: Vec::new(),
            depth: 0,
            orphan: false,
            cut: false,
            duplicate: trace.index_of(&trace.id(start)) != Some(start),
            descendants: 0,
            problems: 0,
        };

        // Only traces with end events that do not name their start (the original's) need the
        // sibling-key map; lineage's own traces skip its per-event key allocation.
        let sibling_pairing = trace.has_unnamed_ends();
        // Indexes, not an iterator: the trace is read through its records, event by event.
        #[allow(clippy::needless_range_loop)]
        for i in 0..n {
            let phase = trace.phase(i);
            if phase == Phase::Started {
                let s = spans.len();
                spans.push(new_span(i, Status::Unfinished));
                span_of_event[i] = s;
                if sibling_pairing && trace.index_of(&trace.id(i)) == Some(i) {
                    open.entry(pairing_key(trace, i)).or_default().push(s);
                }
            } else if phase.is_end() {
                let paired = match trace.start_id(i) {
                    Some(start_id) => {
                        match trace
                            .index_of(&start_id)
                            .filter(|&si| trace.phase(si) == Phase::Started)
                        {
                            Some(si) => {
                                named_ends.push((i, si));
                                continue;
                            }
                            None => None,
                        }
                    }
                    None => open.get_mut(&pairing_key(trace, i)).and_then(|v| {
                        v.iter()
                            .rposition(|&s| spans[s].end.is_none())
                            .map(|p| v.remove(p))
                    }),
                };
                match paired {
                    Some(s) => {
                        spans[s].end = Some(i);
                        spans[s].status = Status::of_end(phase);
                        span_of_event[i] = s;
                    }
                    None => {
                        let s = spans.len();
                        spans.push(new_span(i, Status::EndOnly));
                        span_of_event[i] = s;
                    }
                }
            } else {
                let s = spans.len();
                spans.push(new_span(i, Status::Point));
                span_of_event[i] = s;
            }
        }

        // The first end naming a start closes it; a later one is a node of its own.
        for (i, si) in named_ends {
            let s = span_of_event[si];
            if spans[s].end.is_none() {
                spans[s].end = Some(i);
                spans[s].status = Status::of_end(trace.phase(i));
                span_of_event[i] = s;
            } else {
                span_of_event[i] = spans.len();
                spans.push(new_span(i, Status::EndOnly));
            }
        }

        // Parent links, from a children index: every span opened by event X adopts the spans
        // opened by X's children. A span whose opening event names a parent but is adopted by
        // nobody is an orphan (its parent is not in the trace).
        let mut roots = Vec::new();
        let mut cycles = Vec::new();
        let mut adopted = vec![false; spans.len()];
        let mut kids = Vec::new();
        for p in 0..spans.len() {
            let opener = trace.id(spans[p].start);
            if trace.index_of(&opener) != Some(spans[p].start) {
                continue; // a duplicate id: its children belong to the first holder
            }
            kids.clear();
            children.children_of(&opener, &mut kids);
            for &ci in &kids {
                let Some(&c) = span_of_event.get(ci) else {
                    continue;
                };
                // Only a span's opening event makes it a child (an end event is listed under
                // its start's parent too, as the sibling it is).
                if c != usize::MAX && spans[c].start == ci && c != p && !adopted[c] {
                    adopted[c] = true;
                    spans[c].parent = Some(p);
                }
            }
        }
        for s in 0..spans.len() {
            if !adopted[s] {
                let opener = trace.id(spans[s].start);
                match trace.parent_id(spans[s].start) {
                    // Naming itself as parent is the shortest cycle.
                    Some(p) if p == opener => {
                        spans[s].cut = true;
                        cycles.push(opener);
                    }
                    Some(_) => spans[s].orphan = true,
                    None => {}
                }
                roots.push(s);
            }
        }
        // Cut cycles: walk up from each node; meeting a node already on the current path
        // means the links loop, so the node that closes the loop becomes a (flagged) root.
        const UNKNOWN: u8 = 0;
        const ON_PATH: u8 = 1;
        const ROOTED: u8 = 2;
        let mut state = vec![UNKNOWN; spans.len()];
        for &r in &roots {
            state[r] = ROOTED;
        }
        let mut path = Vec::new();
        for s in 0..spans.len() {
            let mut cur = s;
            while state[cur] == UNKNOWN {
                state[cur] = ON_PATH;
                path.push(cur);
                match spans[cur].parent {
                    Some(p) if state[p] == ON_PATH => {
                        cycles.push(trace.id(spans[cur].start));
                        spans[cur].parent = None;
                        spans[cur].cut = true;
                        roots.push(cur);
                        break;
                    }
                    Some(p) => cur = p,
                    None => break,
                }
            }
            for p in path.drain(..) {
                state[p] = ROOTED;
            }
        }
        roots.sort_unstable_by_key(|&r| spans[r].start);
        roots.dedup();
        for s in 0..spans.len() {
            if let Some(p) = spans[s].parent {
                spans[p].children.push(s);
            }
        }
        // Spans of ends paired late were pushed last; children read in trace order.
        for s in 0..spans.len() {
            let mut kids = std::mem::take(&mut spans[s].children);
            kids.sort_unstable_by_key(|&c| spans[c].start);
            spans[s].children = kids;
        }
        let mut out = Spans {
            spans,
            roots,
            span_of_event,
            cycles,
        };
        out.fill_depths_and_counts();
        out
    }

    /// Depth, descendant and problem counts, iteratively (no recursion: traces can nest
    /// deeper than the stack allows).
    fn fill_depths_and_counts(&mut self) {
        let mut order = Vec::with_capacity(self.spans.len());
        let mut stack: Vec<(usize, usize)> = self.roots.iter().rev().map(|&r| (r, 0)).collect();
        while let Some((s, d)) = stack.pop() {
            self.spans[s].depth = d;
            order.push(s);
            for &c in self.spans[s].children.iter().rev() {
                stack.push((c, d + 1));
            }
        }
        for &s in order.iter().rev() {
            let own = usize::from(self.spans[s].status.is_problem());
            let (mut desc, mut probs) = (0, own);
            for &c in &self.spans[s].children {
                desc += 1 + self.spans[c].descendants;
                probs += self.spans[c].problems;
            }
            self.spans[s].descendants = desc;
            self.spans[s].problems = probs;
        }
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Start and end time of a span (ns); an unfinished span ends at `open_until`.
    pub fn extent(&self, trace: &Trace, s: usize, open_until: u64) -> (u64, u64) {
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
