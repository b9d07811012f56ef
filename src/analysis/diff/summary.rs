//! # The figures of each side
//!
//! The summary row the views show above the operations: counts, failures, duration
//! percentiles and inversions per side ([`SideSummary`]), and B minus A ([`SummaryDelta`]).

use serde::Serialize;

/// The summary row of one side.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct SideSummary {
    /// Events in the side's trace.
    pub events: usize,
    /// Root spans (what the diff aligns).
    pub operations: usize,
    /// Roots that failed or timed out.
    pub failures: usize,
    /// Median (nearest rank) of the finished root operations' durations, in ns; `None` when
    /// none finished.
    pub p50_ns: Option<u64>,
    /// 95th percentile (nearest rank) of the same durations, in ns.
    pub p95_ns: Option<u64>,
    /// Events processed after an event emitted later, over the whole trace.
    pub inversions: usize,
}

/// B minus A for each summary figure.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct SummaryDelta {
    /// Events, B minus A.
    pub events: i64,
    /// Root operations, B minus A.
    pub operations: i64,
    /// Failed or timed-out roots, B minus A.
    pub failures: i64,
    /// Median duration, B minus A (ns); `None` unless both sides have one.
    pub p50_ns: Option<i64>,
    /// 95th percentile duration, B minus A (ns); `None` unless both sides have one.
    pub p95_ns: Option<i64>,
    /// Inversions, B minus A.
    pub inversions: i64,
}

impl SummaryDelta {
    pub(super) fn of(a: &SideSummary, b: &SideSummary) -> SummaryDelta {
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

/// The nearest-rank `p` percentile of sorted values.
pub(super) fn percentile(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}
