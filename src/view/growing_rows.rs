//! # The tree's rows, built in slices and kept up to date as a trace grows
//!
//! [`TreeRows::build`] walks the whole span forest at once: 40 ms natively for the bomb's
//! chain of a million spans, on the frame that first shows it, and again for every live
//! batch. [`GrowingRows`] makes the same rows a bounded number of spans at a time
//! ([`GrowingRows::follow`]), keeping its place (the root it is in and the walk's stack)
//! between calls, and remembers where each root's rows begin.
//!
//! When a live trace grows in place, its new events open spans (under an earlier span, or as
//! new roots at the end) or end spans (whose match under a filter may change). Rows are in
//! depth-first order, root after root, so only the rows of the roots those spans belong to,
//! and of every later root, can move: the rows are cut where the earliest such root begins
//! and walked again from there. A live trace's new events mostly belong to its newest
//! operations, so that is a few rows; an event under the very first root walks the whole
//! tree again, in slices. The collapse state, the filter and the selection are the caller's:
//! when one changes (a click, a keystroke), the caller starts a new `GrowingRows`.
//!
//! The tests hold the rows followed in any batches and slices equal to [`TreeRows::build`].

use std::collections::HashSet;

use crate::analysis::Inspection;
use crate::model::spans::Spans;
use crate::view::tree::{Row, TreeRows};

/// Not a root index yet.
const UNKNOWN: u32 = u32::MAX;

/// The tree's rows under one collapse state and filter, followed as the trace grows; see
/// the module docs.
#[derive(Clone, Debug, Default)]
pub struct GrowingRows {
    rows: TreeRows,
    /// The row each root's subtree begins at, for the roots walked so far.
    root_row: Vec<usize>,
    /// Each span's root, as an index into `Spans::roots`.
    root_of: Vec<u32>,
    /// Roots whose spans `root_of` knows: a trace grown in place only adds roots at the end.
    roots_known: usize,
    /// Events looked at: the trace's first `events`.
    events: usize,
    /// The next root to walk once `stack` is empty.
    next_root: usize,
    /// Spans still to visit in the root being walked, the next on top.
    stack: Vec<usize>,
    /// Under a filter: the spans of the root being walked whose subtree holds a match.
    keep: HashSet<usize>,
}

impl GrowingRows {
    /// The rows so far (all of them once [`GrowingRows::follow`] returned `true`).
    pub fn rows(&self) -> &TreeRows {
        &self.rows
    }

    /// Walks up to about `budget` more events and spans of `ins`, which holds what was
    /// followed so far and maybe more events appended in place. `selected` and `filtered`
    /// are as for [`TreeRows::build`] and must cover every span of `ins`. `true` once the
    /// rows are those of the whole of `ins`.
    pub fn follow(
        &mut self,
        ins: &Inspection,
        collapsed: &HashSet<usize>,
        selected: &[bool],
        filtered: bool,
        budget: usize,
    ) -> bool {
        let spans = &ins.spans;
        let mut left = budget;
        let mut earliest = usize::MAX;
        let known = self.events.min(spans.span_of_event.len());
        let upto = spans.span_of_event.len().min(known.saturating_add(left));
        for &s in &spans.span_of_event[known..upto] {
            earliest = earliest.min(self.root_of(spans, s) as usize);
        }
        left -= upto - known;
        self.events = upto;
        if earliest < self.next_root {
            // New spans or ends under a root already walked: walk again from it.
            self.rows.rows.truncate(self.root_row[earliest]);
            self.root_row.truncate(earliest);
            self.next_root = earliest;
            self.stack.clear();
        }
        if self.events < spans.span_of_event.len() {
            return false;
        }
        if !filtered {
            // A row per span at most: room for all at once, not doubled to (each old block
            // is left as a hole in the page's wasm memory, docs/page-open.md).
            let more = spans.len().saturating_sub(self.rows.len());
            self.rows.rows.reserve(more);
        }
        while left > 0 {
            let Some(s) = self.stack.pop() else {
                if self.next_root >= spans.roots.len() {
                    return true;
                }
                self.start_root(spans, selected, filtered);
                continue;
            };
            left -= 1;
            if filtered && !self.keep.contains(&s) {
                continue;
            }
            let span = &spans.spans[s];
            let is_collapsed = collapsed.contains(&s);
            self.rows.rows.push(Row {
                span: s,
                depth: span.depth,
                has_children: !span.children.is_empty(),
                collapsed: is_collapsed,
                matched: selected.get(s).copied().unwrap_or(true) && filtered,
            });
            if !is_collapsed {
                self.stack.extend(span.children.iter().rev().copied());
            }
        }
        self.stack.is_empty() && self.next_root >= spans.roots.len()
    }

    /// Begins the walk of the next root (under a filter, finding which of its spans lead to
    /// a match first, as [`TreeRows::build`] does for the whole forest).
    fn start_root(&mut self, spans: &Spans, selected: &[bool], filtered: bool) {
        let root = spans.roots[self.next_root];
        self.root_row.push(self.rows.len());
        self.next_root += 1;
        if filtered {
            self.keep.clear();
            let mut order = vec![root];
            let mut at = 0;
            while at < order.len() {
                order.extend_from_slice(&spans.spans[order[at]].children);
                at += 1;
            }
            for &s in order.iter().rev() {
                let child_kept = spans.spans[s]
                    .children
                    .iter()
                    .any(|c| self.keep.contains(c));
                if selected[s] || child_kept {
                    self.keep.insert(s);
                }
            }
        }
        self.stack.push(root);
    }

    /// The index (into `Spans::roots`) of span `s`'s root, learning the roots of the spans
    /// added since the last call.
    fn root_of(&mut self, spans: &Spans, s: usize) -> u32 {
        if self.root_of.len() < spans.len() {
            self.root_of.resize(spans.len(), UNKNOWN);
        }
        if self.roots_known < spans.roots.len() {
            for (r, &root) in spans.roots.iter().enumerate().skip(self.roots_known) {
                self.root_of[root] = r as u32;
            }
            self.roots_known = spans.roots.len();
        }
        let mut path = Vec::new();
        let mut at = s;
        while self.root_of[at] == UNKNOWN {
            path.push(at);
            match spans.spans[at].parent {
                Some(p) if path.len() <= spans.len() => at = p,
                // No parent and not a root (or a cycle): as the walk would not find it.
                _ => return u32::MAX - 1,
            }
        }
        let r = self.root_of[at];
        for p in path {
            self.root_of[p] = r;
        }
        r
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::analysis::crafted::{craft, draw, pipeline_events};
    use crate::core::Event;
    use crate::view::filter::Query;
    use crate::view::scrub::{Appended, Scrub};

    /// `events` appended in batches cut at `cuts`; the rows followed after each batch in
    /// slices of `budget` (from scratch whenever the inspection was rebuilt), then the rows
    /// of the whole trace built at once.
    fn followed(
        events: &[Event],
        cuts: &[usize],
        budget: usize,
        query: &Query,
        collapse_every: usize,
    ) -> (TreeRows, TreeRows) {
        let (mut scrub, mut ins) = (Scrub::new(), Inspection::default());
        let mut rows = GrowingRows::default();
        let filtered = !query.is_empty() || query.invert;
        let collapsed: HashSet<usize> = (0..events.len()).step_by(collapse_every).collect();
        let mut at = 0;
        let mut grown: Vec<bool> = Vec::new();
        for &c in cuts.iter().chain([&events.len()]) {
            let c = c.clamp(at, events.len());
            let held = ins.trace.len();
            if scrub.append(&mut ins, events[at..c].iter().cloned()) == Appended::Stale {
                ins = Inspection::of_trace(ins.trace.clone(), &[]);
                rows = GrowingRows::default();
                grown = query.select(&ins.trace, &ins.spans);
            } else {
                // The search followed the new events only, as the page's is.
                grown = query.select_grown(&grown, held, &ins.trace, &ins.spans);
            }
            let selected = query.select(&ins.trace, &ins.spans);
            assert_eq!(grown, selected, "the search over the new events only");
            rows.follow(&ins, &collapsed, &selected, filtered, budget);
            at = c;
        }
        let selected = query.select(&ins.trace, &ins.spans);
        while !rows.follow(&ins, &collapsed, &selected, filtered, budget) {}
        let whole = TreeRows::build(&ins.spans, &collapsed, &selected, filtered);
        (rows.rows, whole)
    }

    fn queries() -> Vec<Query> {
        let text = |t: &str| Query {
            text: t.into(),
            ..Query::default()
        };
        vec![
            Query::default(),
            text("fail"),
            Query {
                invert: true,
                ..text("processed")
            },
        ]
    }

    #[test]
    fn a_run_followed_batch_by_batch_has_the_rows_of_the_whole_run() {
        let events = pipeline_events(48);
        for q in queries() {
            for cuts in [
                vec![],
                vec![5, 6, 90],
                (0..events.len()).step_by(7).collect(),
            ] {
                for budget in [1, 13, usize::MAX] {
                    let (rows, whole) = followed(&events, &cuts, budget, &q, 9);
                    assert!(!whole.is_empty());
                    assert_eq!(rows, whole, "{q:?} {cuts:?} {budget}");
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        #[test]
        fn crafted_traces_followed_in_any_batches_have_the_rows_built_at_once(
            draws in prop::collection::vec(draw(), 0..48),
            cuts in prop::collection::vec(0usize..48, 0..6),
            budget in 1usize..40,
            query in 0usize..3,
            collapse_every in 2usize..12,
        ) {
            let events = craft(&draws);
            let mut cuts = cuts;
            cuts.sort();
            let (rows, whole) = followed(&events, &cuts, budget, &queries()[query], collapse_every);
            prop_assert_eq!(rows, whole);
        }
    }
}
