//! # What inspecting a big trace costs
//!
//! The inspector rebuilds its view of a trace when the replay's cursor moves (scrubbing), and
//! the Trace tab now also aligns two runs, walks a critical path and bins a minimap. This
//! bench times each on simulated runs of a given size (awaited as A, fire-and-forget as B, the
//! same seed and settings), so the notes quote figures rather than impressions:
//!
//! - **scrub step**: what one cursor move costs today, a full rebuild of the inspection from
//!   the bus's history (`Inspection::of_history`), which is what an incremental scrub would
//!   have to beat;
//! - **diff build**: [`RunDiff::build`] of the two runs;
//! - **critical path** of the longest operation, and the **overview** (200 bins).
//!
//! Each figure is the median (and min–max) of a few repetitions; wall clock, native.

use std::time::Instant;

use futures::executor::LocalPool;
use serde::Serialize;

use super::spread::Spread;
use crate::core::{EmitMode, EventBus};
use crate::inspect::critical_path::CriticalPath;
use crate::inspect::diff::{RunDiff, Side};
use crate::inspect::overview::Overview;
use crate::inspect::Inspection;
use crate::pipeline::{run_pipeline, PipelineConfig};

/// Milliseconds per step at one trace size.
#[derive(Clone, Debug, Serialize)]
pub struct InspectCost {
    pub events: usize,
    pub operations: usize,
    pub scrub_step_ms: Spread,
    pub diff_build_ms: Spread,
    pub critical_path_ms: Spread,
    pub overview_ms: Spread,
}

/// Runs the pipeline in `mode` on a bus that keeps every event; returns the bus.
fn simulated(config: &PipelineConfig, mode: EmitMode) -> EventBus {
    let mut pool = LocalPool::new();
    let bus = EventBus::builder()
        .history_capacity(config.operations * config.events_per_operation() + 16)
        .mode(mode)
        .build(pool.spawner());
    let b = bus.clone();
    let cfg = config.clone();
    pool.run_until(async move {
        run_pipeline(Some(&b), &cfg).await;
        b.flush().await;
    });
    bus
}

fn timed_ms(reps: usize, mut f: impl FnMut()) -> Spread {
    let samples: Vec<f64> = (0..reps.max(1))
        .map(|_| {
            let t0 = Instant::now();
            f();
            t0.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    Spread::of(&samples)
}

/// Times the steps on traces of about `events` events (`reps` repetitions each).
pub fn measure(events: usize, reps: usize) -> InspectCost {
    let base = PipelineConfig {
        concurrency: 4,
        yields_per_level: 1,
        failure_rate: 0.1,
        ..PipelineConfig::default()
    };
    let config = PipelineConfig {
        operations: (events / base.events_per_operation()).max(1),
        ..base
    };
    let (bus_a, bus_b) = (
        simulated(&config, EmitMode::Awaited),
        simulated(&config, EmitMode::FireAndForget),
    );
    let inspect = |bus: &EventBus| bus.with_history(|h| Inspection::of_history(h, h.len(), &[]));
    let (a, b) = (inspect(&bus_a), inspect(&bus_b));
    let scrub_step_ms = timed_ms(reps, || {
        std::hint::black_box(inspect(&bus_b));
    });
    let diff_build_ms = timed_ms(reps, || {
        std::hint::black_box(RunDiff::build(Side::of(&a), Side::of(&b)));
    });
    let longest = b
        .spans
        .roots
        .iter()
        .copied()
        .max_by_key(|&r| {
            let (s, e) = b.spans.extent(&b.trace, r, b.trace.time_range().1);
            e - s
        })
        .unwrap_or(0);
    let last = b.trace.time_range().1;
    let critical_path_ms = timed_ms(reps, || {
        std::hint::black_box(CriticalPath::of(&b.trace, &b.spans, longest, last));
    });
    let overview_ms = timed_ms(reps, || {
        std::hint::black_box(Overview::build(&b.trace, &b.spans, 200));
    });
    InspectCost {
        events: b.trace.len(),
        operations: config.operations,
        scrub_step_ms,
        diff_build_ms,
        critical_path_ms,
        overview_ms,
    }
}
