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
//! Only the public methods of [`Trace`] and the [`Spans`] forest are used, so the trace's
//! storage can change underneath.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use serde::Serialize;

use super::spans::{Spans, Status};
use super::trace::Trace;

/// One run as the diff sees it: its events and their span forest.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub trace: &'a Trace,
    pub spans: &'a Spans,
}

impl<'a> Side<'a> {
    pub fn new(trace: &'a Trace, spans: &'a Spans) -> Side<'a> {
        Side { trace, spans }
    }

    pub fn of(inspection: &'a super::Inspection) -> Side<'a> {
        Side::new(&inspection.trace, &inspection.spans)
    }
}

/// Where an operation is present.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    OnlyA,
    OnlyB,
    Both,
}

/// How the two sides were paired.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PairedBy {
    Id,
    NameAndOrder,
}

/// One operation on one side.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OpSide {
    /// The root span's index in that side's [`Spans`].
    pub span: usize,
    pub status: Status,
    /// End minus start (ns); `None` while unfinished.
    pub duration_ns: Option<u64>,
    /// Events in the operation's subtree.
    pub events: usize,
    /// Events of the subtree processed after an event emitted later (see [`inversion_flags`]).
    pub inversions: usize,
    /// The longest queue lag (processed − emitted) in the subtree, when processing times are
    /// known (live runs; files do not carry them).
    pub max_lag_ns: Option<u64>,
    /// Hash of the subtree's shape; equal shapes, equal hashes.
    #[serde(skip)]
    pub shape: u64,
}

/// One line of the diff: an operation on one or both sides.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OpDiff {
    /// The root's name (process name, or kind).
    pub name: String,
    /// Its rank among operations of that name, in emission order (0-based), on the side that
    /// has it (A when both).
    pub occurrence: usize,
    pub presence: Presence,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paired_by: Option<PairedBy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub a: Option<OpSide>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub b: Option<OpSide>,
}

impl OpDiff {
    /// Both sides present and their outcome or subtree shape differs.
    pub fn changed(&self) -> bool {
        match (&self.a, &self.b) {
            (Some(a), Some(b)) => a.status != b.status || a.shape != b.shape,
            _ => false,
        }
    }

    /// Both sides present and their subtrees differ in shape (names, nesting or the outcome
    /// of any step): the subtree is what to highlight.
    pub fn subtree_differs(&self) -> bool {
        matches!((&self.a, &self.b), (Some(a), Some(b)) if a.shape != b.shape)
    }

    /// B's duration minus A's (ns), when both finished.
    pub fn duration_delta_ns(&self) -> Option<i64> {
        let (a, b) = (self.a.as_ref()?.duration_ns?, self.b.as_ref()?.duration_ns?);
        Some(b as i64 - a as i64)
    }

    /// B's event count minus A's (a missing side counts 0).
    pub fn events_delta(&self) -> i64 {
        let n = |s: &Option<OpSide>| s.as_ref().map_or(0, |s| s.events) as i64;
        n(&self.b) - n(&self.a)
    }

    /// B reorders events of this operation and A does not.
    pub fn inversions_only_in_b(&self) -> bool {
        let n = |s: &Option<OpSide>| s.as_ref().map_or(0, |s| s.inversions);
        n(&self.b) > 0 && n(&self.a) == 0
    }

    /// B's longest queue lag minus A's (ns), when both are known.
    pub fn lag_delta_ns(&self) -> Option<i64> {
        let (a, b) = (self.a.as_ref()?.max_lag_ns?, self.b.as_ref()?.max_lag_ns?);
        Some(b as i64 - a as i64)
    }
}

/// The summary row of one side.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct SideSummary {
    pub events: usize,
    /// Root spans (what the diff aligns).
    pub operations: usize,
    /// Roots that failed or timed out.
    pub failures: usize,
    /// Median and 95th percentile of the finished operations' durations (ns).
    pub p50_ns: Option<u64>,
    pub p95_ns: Option<u64>,
    /// Events processed after an event emitted later, over the whole trace.
    pub inversions: usize,
}

/// B minus A for each summary figure.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct SummaryDelta {
    pub events: i64,
    pub operations: i64,
    pub failures: i64,
    pub p50_ns: Option<i64>,
    pub p95_ns: Option<i64>,
    pub inversions: i64,
}

impl SummaryDelta {
    fn of(a: &SideSummary, b: &SideSummary) -> SummaryDelta {
        let d = |x: usize, y: usize| y as i64 - x as i64;
        let o = |x: Option<u64>, y: Option<u64>| Some(y? as i64 - x? as i64);
        SummaryDelta {
            events: d(a.events, b.events),
            operations: d(a.operations, b.operations),
            failures: d(a.failures, b.failures),
            p50_ns: o(a.p50_ns, b.p50_ns),
            p95_ns: o(a.p95_ns, b.p95_ns),
            inversions: d(a.inversions, b.inversions),
        }
    }
}

/// Two runs aligned; see the module docs.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RunDiff {
    /// Every operation of either side, merged: A's in emission order, each B-only operation
    /// after the aligned operation that precedes it in B.
    pub ops: Vec<OpDiff>,
    pub a: SideSummary,
    pub b: SideSummary,
    pub delta: SummaryDelta,
}

impl RunDiff {
    /// Aligns `a` with `b`.
    ///
    /// ```
    /// use lineage::core::{Event, Phase};
    /// use lineage::inspect::diff::{RunDiff, Side};
    /// use lineage::inspect::{Spans, Trace};
    ///
    /// let a = Trace::new(vec![Event::root("aexecute", Phase::Started)]);
    /// let b = Trace::new(vec![]);
    /// let (sa, sb) = (Spans::build(&a), Spans::build(&b));
    /// let diff = RunDiff::build(Side::new(&a, &sa), Side::new(&b, &sb));
    /// assert_eq!((diff.only_a().count(), diff.only_b().count()), (1, 0));
    /// ```
    pub fn build(a: Side<'_>, b: Side<'_>) -> RunDiff {
        let (ops_a, ops_b) = (Operations::of(a), Operations::of(b));
        let mut pair_of_a: Vec<Option<(usize, PairedBy)>> = vec![None; ops_a.roots.len()];
        let mut taken_b = vec![false; ops_b.roots.len()];
        // By id.
        let b_by_id: HashMap<uuid::Uuid, usize> = ops_b
            .roots
            .iter()
            .enumerate()
            .map(|(k, &r)| (b.trace.id(b.spans.spans[r].start), k))
            .collect();
        for (k, &r) in ops_a.roots.iter().enumerate() {
            let id = a.trace.id(a.spans.spans[r].start);
            if let Some(&kb) = b_by_id.get(&id) {
                if !taken_b[kb] {
                    pair_of_a[k] = Some((kb, PairedBy::Id));
                    taken_b[kb] = true;
                }
            }
        }
        // By name and order among the rest.
        let mut queues: HashMap<&str, std::collections::VecDeque<usize>> = HashMap::new();
        for (kb, name) in ops_b.names.iter().enumerate() {
            if !taken_b[kb] {
                queues.entry(name.as_str()).or_default().push_back(kb);
            }
        }
        for (k, name) in ops_a.names.iter().enumerate() {
            if pair_of_a[k].is_some() {
                continue;
            }
            if let Some(kb) = queues.get_mut(name.as_str()).and_then(|q| q.pop_front()) {
                pair_of_a[k] = Some((kb, PairedBy::NameAndOrder));
                taken_b[kb] = true;
            }
        }
        // Merge: A's order, B-only after the entry of the B operation before them.
        let mut after_b: Vec<Option<usize>> = vec![None; ops_b.roots.len()];
        for (k, p) in pair_of_a.iter().enumerate() {
            if let Some((kb, _)) = p {
                after_b[*kb] = Some(k);
            }
        }
        let mut b_only_after: Vec<Vec<usize>> = vec![Vec::new(); ops_a.roots.len() + 1];
        let mut anchor = 0; // slot 0: before every A operation
        for (kb, paired) in after_b.iter().enumerate() {
            match *paired {
                Some(k) => anchor = k + 1,
                None => b_only_after[anchor].push(kb),
            }
        }
        let mut ops = Vec::with_capacity(
            ops_a.roots.len() + b_only_after.iter().map(Vec::len).sum::<usize>(),
        );
        let only_b = |kb: usize| OpDiff {
            name: ops_b.names[kb].clone(),
            occurrence: ops_b.occurrence[kb],
            presence: Presence::OnlyB,
            paired_by: None,
            a: None,
            b: Some(ops_b.side(kb)),
        };
        ops.extend(b_only_after[0].iter().map(|&kb| only_b(kb)));
        for (k, p) in pair_of_a.iter().enumerate() {
            ops.push(OpDiff {
                name: ops_a.names[k].clone(),
                occurrence: ops_a.occurrence[k],
                presence: if p.is_some() {
                    Presence::Both
                } else {
                    Presence::OnlyA
                },
                paired_by: p.map(|(_, by)| by),
                a: Some(ops_a.side(k)),
                b: p.map(|(kb, _)| ops_b.side(kb)),
            });
            ops.extend(b_only_after[k + 1].iter().map(|&kb| only_b(kb)));
        }
        let (sa, sb) = (ops_a.summary(), ops_b.summary());
        RunDiff {
            ops,
            delta: SummaryDelta::of(&sa, &sb),
            a: sa,
            b: sb,
        }
    }

    pub fn only_a(&self) -> impl Iterator<Item = &OpDiff> {
        self.ops.iter().filter(|o| o.presence == Presence::OnlyA)
    }

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

/// For every event, whether it was processed after an event emitted later (its sequence
/// number is below the highest seen before it in trace order): the order inversions
/// fire-and-forget can cause. All `false` when no event carries a sequence number (formats
/// without one).
pub fn inversion_flags(trace: &Trace) -> Vec<bool> {
    if !trace.has_seq() {
        return vec![false; trace.len()];
    }
    let mut max: Option<u64> = None;
    (0..trace.len())
        .map(|i| {
            let seq = trace.seq(i);
            match max {
                Some(m) if seq < m => true,
                _ => {
                    max = Some(max.map_or(seq, |m| m.max(seq)));
                    false
                }
            }
        })
        .collect()
}

/// The nearest-rank `p` percentile of sorted values.
fn percentile(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

/// The operations of one side, in emission order, with what the diff needs of each.
struct Operations<'a> {
    side: Side<'a>,
    roots: Vec<usize>,
    names: Vec<String>,
    occurrence: Vec<usize>,
    inverted: Vec<bool>,
}

impl<'a> Operations<'a> {
    fn of(side: Side<'a>) -> Operations<'a> {
        let key = |s: usize| {
            let e = &side.trace.event(side.spans.spans[s].start);
            (e.timestamp_ns, e.seq, side.spans.spans[s].start)
        };
        let mut roots = side.spans.roots.clone();
        roots.sort_by_key(|&r| key(r));
        let names: Vec<String> = roots
            .iter()
            .map(|&r| side.trace.label(side.spans.spans[r].start).to_owned())
            .collect();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let occurrence = names
            .iter()
            .map(|n| {
                let c = seen.entry(n.as_str()).or_default();
                *c += 1;
                *c - 1
            })
            .collect();
        Operations {
            side,
            roots,
            names,
            occurrence,
            inverted: inversion_flags(side.trace),
        }
    }

    /// Walks operation `k`'s subtree (children in emission order) and measures it.
    fn side(&self, k: usize) -> OpSide {
        let (trace, spans) = (self.side.trace, self.side.spans);
        let root = self.roots[k];
        let mut hasher = DefaultHasher::new();
        let (mut count, mut inversions, mut lag) = (0usize, 0usize, None::<u64>);
        let mut stack = vec![(root, 0usize)];
        let mut children: Vec<usize> = Vec::new();
        while let Some((s, depth)) = stack.pop() {
            let span = &spans.spans[s];
            let e = &trace.event(span.start);
            (depth, e.label(), span.status).hash(&mut hasher);
            for i in std::iter::once(span.start).chain(span.end) {
                count += 1;
                inversions += usize::from(self.inverted[i]);
                if let Some(p) = trace.processed_ns(i) {
                    let l = p.saturating_sub(trace.timestamp_ns(i));
                    lag = Some(lag.map_or(l, |m| m.max(l)));
                }
            }
            children.clear();
            children.extend(&span.children);
            children.sort_by_key(|&c| {
                let e = &trace.event(spans.spans[c].start);
                (e.timestamp_ns, e.seq, spans.spans[c].start)
            });
            // Reversed onto the stack so they pop in emission order.
            stack.extend(children.iter().rev().map(|&c| (c, depth + 1)));
        }
        let span = &spans.spans[root];
        OpSide {
            span: root,
            status: span.status,
            duration_ns: span.end.map(|e| {
                trace
                    .timestamp_ns(e)
                    .saturating_sub(trace.timestamp_ns(span.start))
            }),
            events: count,
            inversions,
            max_lag_ns: lag,
            shape: hasher.finish(),
        }
    }

    fn summary(&self) -> SideSummary {
        let (trace, spans) = (self.side.trace, self.side.spans);
        let mut durations: Vec<u64> = self
            .roots
            .iter()
            .filter_map(|&r| {
                let s = &spans.spans[r];
                s.end.map(|e| {
                    trace
                        .timestamp_ns(e)
                        .saturating_sub(trace.timestamp_ns(s.start))
                })
            })
            .collect();
        durations.sort_unstable();
        SideSummary {
            events: trace.len(),
            operations: self.roots.len(),
            failures: self
                .roots
                .iter()
                .filter(|&&r| matches!(spans.spans[r].status, Status::Failed | Status::TimedOut))
                .count(),
            p50_ns: percentile(&durations, 0.50),
            p95_ns: percentile(&durations, 0.95),
            inversions: self.inverted.iter().filter(|&&x| x).count(),
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::core::{Event, Phase};

    /// A root operation `name` with one child step, ending as `outcome`, starting at `t`;
    /// `seqs` numbers its four events in emission order.
    fn operation(name: &str, t: u64, seq: u64, outcome: Phase) -> Vec<Event> {
        let mut root = Event::root("processing", Phase::Started);
        root.payload.process_name = Some(name.to_owned().into());
        root.timestamp_ns = t;
        root.seq = seq;
        let mut child = Event::child_of(&root, "processing", Phase::Started);
        child.payload.process_name = Some("step".into());
        child.timestamp_ns = t + 10;
        child.seq = seq + 1;
        let mut child_end = Event::child_of(&root, "processed", outcome);
        child_end.start_id = Some(child.id);
        child_end.payload.process_name = Some("step".into());
        child_end.timestamp_ns = t + 20;
        child_end.seq = seq + 2;
        let mut end = Event::root("processed", outcome);
        end.parent_id = None;
        end.root_id = root.id;
        end.lineage_id = root.lineage_id;
        end.start_id = Some(root.id);
        end.payload.process_name = Some(name.to_owned().into());
        end.timestamp_ns = t + 30;
        end.seq = seq + 3;
        vec![root, child, child_end, end]
    }

    fn diff(a: Vec<Event>, b: Vec<Event>) -> RunDiff {
        let (ta, tb) = (Trace::new(a), Trace::new(b));
        let (sa, sb) = (Spans::build(&ta), Spans::build(&tb));
        RunDiff::build(Side::new(&ta, &sa), Side::new(&tb, &sb))
    }

    fn run(names: &[(&str, Phase)]) -> Vec<Event> {
        names
            .iter()
            .enumerate()
            .flat_map(|(i, (n, p))| operation(n, i as u64 * 100, i as u64 * 4 + 1, *p))
            .collect()
    }

    #[test]
    fn same_operations_with_other_ids_align_by_name_and_order() {
        let a = run(&[
            ("aexecute", Phase::Completed),
            ("aexecute", Phase::Completed),
        ]);
        let b = run(&[
            ("aexecute", Phase::Completed),
            ("aexecute", Phase::Completed),
        ]);
        let d = diff(a, b);
        assert_eq!(d.ops.len(), 2);
        assert!(d.ops.iter().all(|o| o.presence == Presence::Both
            && o.paired_by == Some(PairedBy::NameAndOrder)
            && !o.changed()));
        assert_eq!(d.ops[0].duration_delta_ns(), Some(0));
        assert_eq!((d.a.events, d.b.events, d.a.operations), (8, 8, 2));
    }

    #[test]
    fn a_trace_against_itself_aligns_by_id() {
        let a = run(&[("x", Phase::Completed), ("x", Phase::Failed)]);
        let d = diff(a.clone(), a);
        assert!(d
            .ops
            .iter()
            .all(|o| o.paired_by == Some(PairedBy::Id) && !o.changed()));
    }

    #[test]
    fn extra_missing_and_failed_operations_are_counted_and_placed() {
        let a = run(&[
            ("load", Phase::Completed),
            ("save", Phase::Completed),
            ("gone", Phase::Completed),
        ]);
        let b = run(&[
            ("load", Phase::Completed),
            ("new", Phase::Completed),
            ("save", Phase::Failed),
        ]);
        let d = diff(a, b);
        let line: Vec<(&str, Presence, bool)> = d
            .ops
            .iter()
            .map(|o| (o.name.as_str(), o.presence, o.changed()))
            .collect();
        assert_eq!(
            line,
            vec![
                ("load", Presence::Both, false),
                ("new", Presence::OnlyB, false),
                ("save", Presence::Both, true),
                ("gone", Presence::OnlyA, false),
            ]
        );
        // The failed step is inside the subtree: its shape (names and outcomes) differs too.
        assert!(d.ops[2].subtree_differs());
        assert_eq!((d.a.failures, d.b.failures, d.delta.failures), (0, 1, 1));
        assert_eq!(d.ops[1].events_delta(), 4);
        assert_eq!(d.ops[3].events_delta(), -4);
    }

    #[test]
    fn reordered_processing_counts_inversions_in_b_only() {
        let a = run(&[("op", Phase::Completed), ("op", Phase::Completed)]);
        let mut b = run(&[("op", Phase::Completed), ("op", Phase::Completed)]);
        // Processed out of emission order: the second operation's child start (seq 6)
        // before its root start (seq 5).
        b.swap(4, 5);
        let d = diff(a, b);
        assert_eq!(
            (d.a.inversions, d.b.inversions, d.delta.inversions),
            (0, 1, 1)
        );
        let flagged: Vec<bool> = d.ops.iter().map(OpDiff::inversions_only_in_b).collect();
        assert_eq!(flagged, vec![false, true]);
        // Children are compared in emission order, so the shape is the same.
        assert!(d.ops.iter().all(|o| !o.changed()));
    }

    #[test]
    fn a_missing_child_is_a_different_subtree() {
        let a = run(&[("op", Phase::Completed)]);
        let mut b = run(&[("op", Phase::Completed)]);
        b.remove(2);
        b.remove(1);
        let d = diff(a, b);
        assert!(d.ops[0].changed() && d.ops[0].subtree_differs());
        assert_eq!(d.ops[0].events_delta(), -2);
    }

    #[test]
    fn durations_percentiles_and_lag() {
        let a = run(&[("op", Phase::Completed), ("op", Phase::Completed)]);
        let mut ta = Trace::new(a);
        let processed: Vec<u64> = ta.events().map(|e| e.timestamp_ns + 7).collect();
        ta.set_processed_ns(processed);
        let tb = Trace::new(run(&[("op", Phase::Completed)]));
        let (sa, sb) = (Spans::build(&ta), Spans::build(&tb));
        let d = RunDiff::build(Side::new(&ta, &sa), Side::new(&tb, &sb));
        assert_eq!(d.ops[0].a.as_ref().unwrap().max_lag_ns, Some(7));
        assert_eq!(d.ops[0].b.as_ref().unwrap().max_lag_ns, None);
        assert_eq!((d.a.p50_ns, d.a.p95_ns), (Some(30), Some(30)));
        assert_eq!(d.only_a().count(), 1);
        assert_eq!(percentile(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95), Some(10));
        assert_eq!(percentile(&[1, 2, 3, 4], 0.5), Some(2));
    }

    #[test]
    fn inversions_need_sequence_numbers() {
        let mut events = run(&[("op", Phase::Completed)]);
        for e in &mut events {
            e.seq = 0;
        }
        assert_eq!(inversion_flags(&Trace::new(events)), vec![false; 4]);
    }
}
