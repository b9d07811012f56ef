//! # Building the span forest in slices
//!
//! [`SpansBuilder`] is [`Spans::build_with`](crate::model::Spans::build_with) (the rules are in the
//! [`spans`](crate::model::spans) module docs) cut into passes that each go an item (an event or a
//! span) at a time, so a caller can stop after any number of items and carry on later: the
//! page builds the view of a million-event import between frames instead of in one long one.
//! `Spans::build_with` drives the same builder to the end in one call, so sliced and whole
//! builds are one implementation.
//!
//! One step still runs in one go, between the cycle pass and the next: sorting the roots by
//! their opening event (already nearly in order, so quick).

use std::collections::HashMap;

use uuid::Uuid;

use crate::core::Phase;
use crate::model::events::EventLog;
use crate::model::spans::{pairing_key, ChildIndex, ParentLinks, Span, Spans, Status};

/// The unpaired starts of the original's sibling pairing, by key, most recent last.
type OpenStarts = HashMap<(Option<Uuid>, Option<Uuid>, String), Vec<usize>>;

/// Which pass the builder is in; each goes through its items with [`SpansBuilder::at`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pass {
    /// Every event: starts, sibling-paired ends, points; ends naming a start are set aside.
    Pair,
    /// The ends set aside: the first naming a start closes it.
    NamedEnds,
    /// Every span adopts the spans its opening event's children open.
    Adopt,
    /// Every span nobody adopted is a root (maybe an orphan, or a self-parent cut).
    Roots,
    /// Every span: walk up, cutting a parent link that closes a loop.
    Cycles,
    /// Every span is listed under its parent.
    Children,
    /// Every span's children in trace order.
    SortChildren,
    /// Depth first from the roots: depths, and the order the counts are summed in.
    Depths,
    /// That order backwards: descendant and problem counts.
    Counts,
}

impl Spans {
    /// Pairs and nests the spans of a trace, nesting by the trace's own parent links.
    pub fn build(trace: &EventLog) -> Spans {
        Spans::build_with(trace, &ParentLinks::of(trace))
    }

    /// Pairs and nests the spans of a trace, nesting by the given children index (the bus's
    /// own `children_by_parent` for a live trace). Here rather than beside [`Spans`] so the
    /// span types do not depend on their builder (the builder depends on them).
    pub fn build_with(trace: &EventLog, children: &dyn ChildIndex) -> Spans {
        let mut builder = SpansBuilder::new(trace);
        loop {
            if let Some(spans) = builder.step(trace, children, usize::MAX) {
                return spans;
            }
        }
    }
}

/// A span forest under construction; see the module docs.
#[derive(Debug)]
pub(crate) struct SpansBuilder {
    pass: Pass,
    /// The next item of the pass.
    at: usize,
    spans: Vec<Span>,
    span_of_event: Vec<usize>,
    open: OpenStarts,
    /// Ends that name a start event: (end index, start index).
    named_ends: Vec<(usize, usize)>,
    sibling_pairing: bool,
    roots: Vec<usize>,
    cycles: Vec<Uuid>,
    adopted: Vec<bool>,
    kids: Vec<usize>,
    /// The cycle walk's marks, see [`UNKNOWN`].
    state: Vec<u8>,
    path: Vec<usize>,
    /// Depth-first order of the spans, for the counts.
    order: Vec<usize>,
    stack: Vec<(usize, usize)>,
}

const UNKNOWN: u8 = 0;
const ON_PATH: u8 = 1;
const ROOTED: u8 = 2;

fn new_span(trace: &EventLog, start: usize, status: Status) -> Span {
    Span {
        start,
        end: None,
        status,
        parent: None,
        children: Vec::new(),
        depth: 0,
        orphan: false,
        cut: false,
        duplicate: trace.is_duplicate(start),
        descendants: 0,
        problems: 0,
    }
}

impl SpansBuilder {
    /// A builder for the spans of `trace` (which must be the trace given to every step).
    pub(crate) fn new(trace: &EventLog) -> SpansBuilder {
        // A start and its end make one span, and in lineage's own traces each end names
        // its start: room for half the events in both, so neither vector doubles its way
        // there. Doubling leaves each old block free, and in the page's wasm memory, which
        // never shrinks, those holes were 13 MB of a 1 M-event open (docs/page-open.md).
        let pairs = trace.len() / 2;
        SpansBuilder {
            pass: Pass::Pair,
            at: 0,
            spans: Vec::with_capacity(pairs),
            span_of_event: vec![usize::MAX; trace.len()],
            open: HashMap::new(),
            named_ends: Vec::with_capacity(if trace.has_unnamed_ends() { 0 } else { pairs }),
            // Only traces with end events that do not name their start (the original's) need
            // the sibling-key map; lineage's own traces skip its per-event key allocation.
            sibling_pairing: trace.has_unnamed_ends(),
            roots: Vec::new(),
            cycles: Vec::new(),
            adopted: Vec::new(),
            kids: Vec::new(),
            state: Vec::new(),
            path: Vec::new(),
            order: Vec::new(),
            stack: Vec::new(),
        }
    }

    /// How far the build has got, 0 to 1, by passes done.
    pub(crate) fn fraction(&self) -> f64 {
        self.pass as usize as f64 / (Pass::Counts as usize + 1) as f64
    }

    /// Goes through at most about `budget` items (events or spans; at least one); the spans
    /// once the last pass is done.
    pub(crate) fn step(
        &mut self,
        trace: &EventLog,
        children: &dyn ChildIndex,
        budget: usize,
    ) -> Option<Spans> {
        let mut left = budget.max(1);
        loop {
            let end = match self.pass {
                Pass::Pair => trace.len(),
                Pass::NamedEnds => self.named_ends.len(),
                Pass::Depths => usize::MAX, // ends when the stack is empty
                Pass::Counts => self.order.len(),
                _ => self.spans.len(),
            };
            while self.at < end && left > 0 {
                if !self.item(trace, children) {
                    break;
                }
                self.at += 1;
                left -= 1;
            }
            let pass_done = match self.pass {
                Pass::Depths => self.stack.is_empty(),
                _ => self.at >= end,
            };
            if !pass_done {
                return None;
            }
            if self.pass == Pass::Counts {
                return Some(self.take());
            }
            self.next_pass();
        }
    }

    /// One item of the current pass; `false` when the pass has no more (the depth-first walk).
    fn item(&mut self, trace: &EventLog, children: &dyn ChildIndex) -> bool {
        let i = self.at;
        match self.pass {
            Pass::Pair => self.pair(trace, i),
            Pass::NamedEnds => {
                let (i, si) = self.named_ends[i];
                let s = self.span_of_event[si];
                if self.spans[s].end.is_none() {
                    self.spans[s].end = Some(i);
                    self.spans[s].status = Status::of_end(trace.phase(i));
                    self.span_of_event[i] = s;
                } else {
                    self.span_of_event[i] = self.spans.len();
                    self.spans.push(new_span(trace, i, Status::EndOnly));
                }
            }
            Pass::Adopt => self.adopt(trace, children, i),
            Pass::Roots => self.root(trace, i),
            Pass::Cycles => self.cut_cycles(trace, i),
            Pass::Children => {
                if let Some(p) = self.spans[i].parent {
                    self.spans[p].children.push(i);
                }
            }
            Pass::SortChildren => {
                // Spans of ends paired late were pushed last; children read in trace order.
                let mut kids = std::mem::take(&mut self.spans[i].children);
                kids.sort_unstable_by_key(|&c| self.spans[c].start);
                self.spans[i].children = kids;
            }
            Pass::Depths => {
                let Some((s, d)) = self.stack.pop() else {
                    return false;
                };
                self.spans[s].depth = d;
                self.order.push(s);
                for &c in self.spans[s].children.iter().rev() {
                    self.stack.push((c, d + 1));
                }
            }
            Pass::Counts => {
                let s = self.order[self.order.len() - 1 - i];
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
        true
    }

    /// Event `i` opens a span, closes one by the sibling key, or is set aside as a named end.
    fn pair(&mut self, trace: &EventLog, i: usize) {
        let phase = trace.phase(i);
        if phase == Phase::Started {
            let s = self.spans.len();
            self.spans.push(new_span(trace, i, Status::Unfinished));
            self.span_of_event[i] = s;
            if self.sibling_pairing && !trace.is_duplicate(i) {
                self.open.entry(pairing_key(trace, i)).or_default().push(s);
            }
            return;
        }
        if !phase.is_end() {
            let s = self.spans.len();
            self.spans.push(new_span(trace, i, Status::Point));
            self.span_of_event[i] = s;
            return;
        }
        let paired = match trace.start_index(i) {
            Some(si) if trace.phase(si) == Phase::Started => {
                self.named_ends.push((i, si));
                return;
            }
            Some(_) => None,
            None if trace.start_id(i).is_some() => None,
            None => {
                let spans = &self.spans;
                self.open.get_mut(&pairing_key(trace, i)).and_then(|v| {
                    v.iter()
                        .rposition(|&s| spans[s].end.is_none())
                        .map(|p| v.remove(p))
                })
            }
        };
        match paired {
            Some(s) => {
                self.spans[s].end = Some(i);
                self.spans[s].status = Status::of_end(phase);
                self.span_of_event[i] = s;
            }
            None => {
                let s = self.spans.len();
                self.spans.push(new_span(trace, i, Status::EndOnly));
                self.span_of_event[i] = s;
            }
        }
    }

    /// Span `p` adopts the spans opened by its opening event's children. A span whose opening
    /// event names a parent but is adopted by nobody is an orphan (see [`Pass::Roots`]).
    fn adopt(&mut self, trace: &EventLog, children: &dyn ChildIndex, p: usize) {
        if trace.is_duplicate(self.spans[p].start) {
            return; // a duplicate id: its children belong to the first holder
        }
        let opener = trace.id(self.spans[p].start);
        self.kids.clear();
        children.children_of(&opener, &mut self.kids);
        for &ci in &self.kids {
            let Some(&c) = self.span_of_event.get(ci) else {
                continue;
            };
            // Only a span's opening event makes it a child (an end event is listed under its
            // start's parent too, as the sibling it is).
            if c != usize::MAX && self.spans[c].start == ci && c != p && !self.adopted[c] {
                self.adopted[c] = true;
                self.spans[c].parent = Some(p);
            }
        }
    }

    fn root(&mut self, trace: &EventLog, s: usize) {
        if self.adopted[s] {
            return;
        }
        let opener = trace.id(self.spans[s].start);
        match trace.parent_id(self.spans[s].start) {
            // Naming itself as parent is the shortest cycle.
            Some(p) if p == opener => {
                self.spans[s].cut = true;
                self.cycles.push(opener);
            }
            Some(_) => self.spans[s].orphan = true,
            None => {}
        }
        self.roots.push(s);
    }

    /// Walks up from span `s`; meeting a span already on the current path means the links
    /// loop, so the span that closes the loop becomes a (flagged) root.
    fn cut_cycles(&mut self, trace: &EventLog, s: usize) {
        let mut cur = s;
        while self.state[cur] == UNKNOWN {
            self.state[cur] = ON_PATH;
            self.path.push(cur);
            match self.spans[cur].parent {
                Some(p) if self.state[p] == ON_PATH => {
                    self.cycles.push(trace.id(self.spans[cur].start));
                    self.spans[cur].parent = None;
                    self.spans[cur].cut = true;
                    self.roots.push(cur);
                    break;
                }
                Some(p) => cur = p,
                None => break,
            }
        }
        for p in self.path.drain(..) {
            self.state[p] = ROOTED;
        }
    }

    /// What a pass leaves for the next, and the next pass.
    fn next_pass(&mut self) {
        self.at = 0;
        self.pass = match self.pass {
            Pass::Pair => Pass::NamedEnds,
            Pass::NamedEnds => {
                self.named_ends = Vec::new();
                self.open = HashMap::new();
                self.adopted = vec![false; self.spans.len()];
                Pass::Adopt
            }
            Pass::Adopt => Pass::Roots,
            Pass::Roots => {
                self.adopted = Vec::new();
                self.state = vec![UNKNOWN; self.spans.len()];
                for &r in &self.roots {
                    self.state[r] = ROOTED;
                }
                Pass::Cycles
            }
            Pass::Cycles => {
                self.state = Vec::new();
                let spans = &self.spans;
                self.roots.sort_unstable_by_key(|&r| spans[r].start);
                self.roots.dedup();
                Pass::Children
            }
            Pass::Children => Pass::SortChildren,
            Pass::SortChildren => {
                self.order = Vec::with_capacity(self.spans.len());
                self.stack = self.roots.iter().rev().map(|&r| (r, 0)).collect();
                Pass::Depths
            }
            Pass::Depths | Pass::Counts => Pass::Counts,
        };
    }

    fn take(&mut self) -> Spans {
        Spans {
            spans: std::mem::take(&mut self.spans),
            roots: std::mem::take(&mut self.roots),
            span_of_event: std::mem::take(&mut self.span_of_event),
            cycles: std::mem::take(&mut self.cycles),
        }
    }
}
