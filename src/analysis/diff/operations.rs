//! # One side's operations, measured
//!
//! The root spans of one run in emission order (timestamp, then sequence number), with each
//! one's name, its rank among operations of that name (what pairing by name and order
//! needs), and a walk of its subtree that counts events, inversions and lag and hashes the
//! shape ([`Operations::side`]).

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use super::op::OpSide;
use super::summary::{percentile, SideSummary};
use super::Side;
use crate::analysis::emission_order::{EmissionOrder, Order};
use crate::model::events::EventLog;
use crate::model::spans::Status;

/// For every event, whether it was processed after an event emitted later (its sequence
/// number is below the highest seen before it in trace order, in the same numbering): the
/// order inversions fire-and-forget can cause. Numbers that start again are a new
/// numbering, not inversions ([`crate::analysis::emission_order`]), as in the lints. All
/// `false` when no event carries a sequence number (formats without one).
pub fn inversion_flags(trace: &EventLog) -> Vec<bool> {
    if !trace.has_seq() {
        return vec![false; trace.len()];
    }
    let mut order = EmissionOrder::default();
    (0..trace.len())
        .map(|i| order.observe(trace.seq(i), i).0 == Order::Inverted)
        .collect()
}

/// The operations of one side, in emission order, with what the diff needs of each.
pub(super) struct Operations<'a> {
    side: Side<'a>,
    pub(super) roots: Vec<usize>,
    pub(super) names: Vec<String>,
    pub(super) occurrence: Vec<usize>,
    inverted: Vec<bool>,
}

impl<'a> Operations<'a> {
    pub(super) fn of(side: Side<'a>) -> Operations<'a> {
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

    /// The id of operation `k`'s start event (what pairing by id compares).
    pub(super) fn start_id(&self, k: usize) -> uuid::Uuid {
        let start = self.side.spans.spans[self.roots[k]].start;
        self.side.trace.id(start)
    }

    /// The first input entity of operation `k`'s start event, if it names one.
    pub(super) fn input_entity(&self, k: usize) -> Option<uuid::Uuid> {
        let start = self.side.spans.spans[self.roots[k]].start;
        self.side
            .trace
            .event(start)
            .payload
            .input_entity_ids
            .first()
            .copied()
    }

    /// Walks operation `k`'s subtree (children in emission order) and measures it.
    pub(super) fn side(&self, k: usize) -> OpSide {
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

    pub(super) fn summary(&self) -> SideSummary {
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
