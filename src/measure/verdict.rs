//! # Verdicts: the original's rule and the goals
//!
//! The rule of the original's analysis (`docs/reference.md`), in its own words: "Only optimize if >1ms overhead confirmed". A
//! [`Verdict`] applies it to each mode's measured overhead per operation. A [`Goal`] checks
//! one of the targets set for this port; goals are benchmark figures, reported, never
//! asserted in tests.

use crate::text::duration::duration;
use serde::{Deserialize, Serialize};

use super::comparison::Comparison;
use super::reference::{ORIGINAL_THRESHOLD_NS_PER_OP, PYTHON_AWAITED_US_PER_OP};
use crate::core::EmitMode;
use crate::workload::CallShape;

/// The original's rule applied to one row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub key: String,
    pub overhead_ns_per_op: f64,
    pub threshold_ns_per_op: f64,
    /// True when the overhead passes the original's 1 ms threshold.
    pub optimise: bool,
    pub sentence: String,
}

/// One target and where the measurement landed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Goal {
    pub name: String,
    pub target: String,
    pub measured: String,
    /// `None` when this run cannot tell (e.g. the browser goal, natively).
    pub holds: Option<bool>,
}

/// The original's rule for every mode with no subscriber, and for the 28-event real call.
pub fn verdicts(c: &Comparison) -> Vec<Verdict> {
    let mut rows: Vec<_> = EmitMode::ALL
        .iter()
        .filter_map(|&m| c.mode_row(CallShape::Nested, m))
        .collect();
    rows.extend(c.mode_row(CallShape::RealAexecute, EmitMode::Awaited));
    rows.into_iter()
        .filter_map(|row| {
            let overhead = row.overhead_ns_per_op?.median;
            let optimise = overhead > ORIGINAL_THRESHOLD_NS_PER_OP;
            let advice = if optimise {
                "optimise"
            } else {
                "do not optimise; keep the observability"
            };
            // A median at or below zero is no cost the run could tell from the baseline's
            // noise: a ratio to the threshold would be a division by noise.
            let sentence = if overhead <= 0.0 {
                format!(
                    "{}: no overhead measurable over the baseline ({} per operation, {} events), far below the original's 1 ms threshold: {advice}.",
                    row.key,
                    duration(overhead),
                    row.events_per_op,
                )
            } else {
                format!(
                    "{}: {} per operation ({} events) is {} the original's 1 ms threshold ({:.0}× under it): {advice}.",
                    row.key,
                    duration(overhead),
                    row.events_per_op,
                    if optimise { "above" } else { "below" },
                    ORIGINAL_THRESHOLD_NS_PER_OP / overhead,
                )
            };
            Some(Verdict {
                key: row.key.clone(),
                overhead_ns_per_op: overhead,
                threshold_ns_per_op: ORIGINAL_THRESHOLD_NS_PER_OP,
                optimise,
                sentence,
            })
        })
        .collect()
}

/// The Python team's question ("can emission be async / fire-and-forget?") in its own terms:
/// what fire-and-forget saves (or costs) on the critical path against awaited, and what it
/// costs in total. `None` unless both modes were measured with their split.
pub fn fire_and_forget_verdict(c: &Comparison) -> Option<String> {
    let row = |m| c.mode_row(CallShape::Nested, m).and_then(|r| r.split);
    let (a, f) = (row(EmitMode::Awaited)?, row(EmitMode::FireAndForget)?);
    let saved = a.caller_ns_per_op.median - f.caller_ns_per_op.median;
    let extra = f.sum_ns_per_op.median - a.sum_ns_per_op.median;
    let on_path = if saved >= 0.0 {
        format!(
            "saves {} per operation on the critical path",
            duration(saved)
        )
    } else {
        format!(
            "costs {} more per operation on the critical path",
            duration(-saved)
        )
    };
    let in_total = if extra >= 0.0 {
        format!("costs {} more in total", duration(extra))
    } else {
        format!("saves {} in total", duration(-extra))
    };
    let lag = |s: &super::split::SplitFigures| {
        s.lag_p50_ns.map_or("—".to_owned(), |l| duration(l.median))
    };
    Some(format!(
        "fire-and-forget {on_path} and {in_total} than awaited (caller {} vs {}, caller + background {} vs {}; queue lag p50 {} vs {}).",
        duration(f.caller_ns_per_op.median),
        duration(a.caller_ns_per_op.median),
        duration(f.sum_ns_per_op.median),
        duration(a.sum_ns_per_op.median),
        lag(&f),
        lag(&a),
    ))
}

/// The goals that this comparison can judge.
pub fn goals(c: &Comparison) -> Vec<Goal> {
    let mut goals = Vec::new();
    let awaited = c.mode_row(CallShape::Nested, EmitMode::Awaited);
    if let Some(a) = awaited {
        let limit = PYTHON_AWAITED_US_PER_OP * 1_000.0 / 150.0;
        let speedup = PYTHON_AWAITED_US_PER_OP * 1_000.0 / a.ns_per_op.median;
        goals.push(Goal {
            name: "awaited, 0 subscribers: ≥150× the Python original".into(),
            target: format!("< {limit:.0} ns/op"),
            measured: format!("{:.0} ns/op ({speedup:.0}×)", a.ns_per_op.median),
            holds: Some(a.ns_per_op.median < limit),
        });
    }
    if let Some(n) = c.row("awaited.names_only") {
        let limit = PYTHON_AWAITED_US_PER_OP * 1_000.0 / 150.0;
        goals.push(Goal {
            name: "(context) the same with names-only payloads: the bus's own cost".into(),
            target: format!("< {limit:.0} ns/op"),
            measured: format!("{:.0} ns/op", n.ns_per_op.median),
            holds: Some(n.ns_per_op.median < limit),
        });
    }
    if let (Some(a), Some(t)) = (awaited, c.row("peer.tracing_registry")) {
        let ratio = a.ns_per_op.median / t.ns_per_op.median;
        goals.push(Goal {
            name: "per event within 1.5× of tracing + Registry (same nesting)".into(),
            target: "≤ 1.5×".into(),
            measured: format!(
                "{:.1} vs {:.1} ns/event ({ratio:.2}×)",
                a.ns_per_event.median, t.ns_per_event.median
            ),
            holds: Some(ratio <= 1.5),
        });
        if let Some(n) = c.row("awaited.names_only") {
            // A span carries its names as fields and nothing else: names-only events are the
            // like-for-like comparison.
            let ratio = n.ns_per_op.median / t.ns_per_op.median;
            goals.push(Goal {
                name: "(context) names-only payloads vs tracing + Registry".into(),
                target: "≤ 1.5×".into(),
                measured: format!(
                    "{:.1} vs {:.1} ns/event ({ratio:.2}×)",
                    n.ns_per_event.median, t.ns_per_event.median
                ),
                holds: Some(ratio <= 1.5),
            });
        }
    }
    for mode in [
        EmitMode::Lazy,
        EmitMode::Disabled,
        super::plan::DROPPED_TREES,
    ] {
        if let Some(o) = c
            .mode_row(CallShape::Nested, mode)
            .and_then(|r| r.overhead_ns_per_event)
        {
            goals.push(Goal {
                name: format!("{}, 0 subscribers: overhead per event", mode.label()),
                target: "≤ 2 ns/event".into(),
                measured: format!("{:.2} ns/event (IQR {:.2}–{:.2})", o.median, o.q1, o.q3),
                holds: Some(o.median <= 2.0),
            });
        }
    }
    goals
}
