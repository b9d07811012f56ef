//! # What inspecting a big trace costs
//!
//! The inspector rebuilds its view of a trace when the replay's cursor moves (scrubbing), and
//! the Trace tab now also aligns two runs, walks a critical path and bins a minimap. This
//! bench times each on simulated runs of a given size (awaited as A, fire-and-forget as B, the
//! same seed and settings), so the notes quote figures rather than impressions:
//!
//! - **scrub step**: what one move of the replay's cursor costs the page, through the path
//!   the page takes ([`Replay::seek`] then [`Replay::inspection`], incremental): a step of
//!   a thousandth of the trace (one pixel of the scrubber), back or forward, and a jump to
//!   the middle and back; next to it the **full rebuild** every step cost before
//!   ([`Replay::inspect`]);
//! - **tree rows**: the tree's visible rows of the whole trace ([`TreeRows::build`]), which the
//!   page derives again from each step's inspection;
//! - **diff build**: [`RunDiff::build`] of the two runs;
//! - **critical path** of the longest operation, and the **overview** (200 bins);
//! - **search (full scan)**: [`Query::select`] with a text found in no event, so every
//!   event's kind, phase, label, id, error and payload is searched: what the page's text
//!   search costs when a text is pasted or first typed; beside it the same with a text that
//!   could be part of an id (`fedcba98`), which may format every event's ids, and one with
//!   JSON punctuation (`"no":"such"`), which writes every event's payload JSON.
//!
//! Each figure is the median (and min–max) of a few repetitions; wall clock, native.

use std::time::Instant;

use futures::executor::LocalPool;
use serde::Serialize;

use super::spread::Spread;
use crate::analysis::critical_path::CriticalPath;
use crate::analysis::diff::{RunDiff, Side};
use crate::analysis::Inspection;
use crate::core::{EmitMode, EventBus};
use crate::replay::Replay;
use crate::view::filter::Query;
use crate::view::overview::Overview;
use crate::view::tree::TreeRows;
use crate::workload::{run_pipeline, PipelineConfig};

/// Milliseconds per step at one trace size.
#[derive(Clone, Debug, Serialize)]
pub struct InspectCost {
    pub events: usize,
    pub operations: usize,
    pub scrub_step_ms: Spread,
    pub scrub_jump_ms: Spread,
    pub full_rebuild_ms: Spread,
    pub tree_rows_ms: Spread,
    pub diff_build_ms: Spread,
    pub critical_path_ms: Spread,
    pub overview_ms: Spread,
    pub search_ms: Spread,
    pub search_hex_ms: Spread,
    pub search_json_ms: Spread,
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

/// A scrub step of one pixel (a thousandth of the trace) back and forth from the end, and a
/// jump to the middle and back, through the page's own path (`Replay::seek`, then
/// `Replay::inspection`).
fn time_scrubbing(replay: &mut Replay, reps: usize) -> (Spread, Spread) {
    let n = replay.recorded();
    let mut seek = |to: usize| {
        replay.seek(to);
        std::hint::black_box(replay.inspection());
    };
    seek(n);
    let pixel = (n / 1_000).max(1);
    let mut k = 0;
    let step = timed_ms(2 * reps, || {
        // Back `reps` pixels from the end, then forward again.
        k += 1;
        let back = if k <= reps { k } else { 2 * reps - k };
        seek(n - (pixel * back).min(n));
    });
    let mut there = false;
    let jump = timed_ms(2 * reps, || {
        there = !there;
        seek(if there { n / 2 } else { n });
    });
    (step, jump)
}

/// The root operation that lasted longest: the critical path's worst case.
fn longest_root(b: &Inspection) -> usize {
    b.spans
        .roots
        .iter()
        .copied()
        .max_by_key(|&r| {
            let (s, e) = b.spans.extent(&b.trace, r, b.trace.time_range().1);
            e - s
        })
        .unwrap_or(0)
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
    let bus_a = simulated(&config, EmitMode::Awaited);
    let a = bus_a.with_history(|h| Inspection::of_history(h, h.len(), &[]));
    // B is replayed as the page replays it.
    let mut replay = Replay::new(
        PipelineConfig {
            mode: EmitMode::FireAndForget,
            ..config.clone()
        },
        std::rc::Rc::new(crate::core::MonotonicClock::new()),
        config.operations * config.events_per_operation() + 16,
    );
    replay.run_all();
    let b = replay.inspect();
    let (scrub_step_ms, scrub_jump_ms) = time_scrubbing(&mut replay, reps);
    let full_rebuild_ms = timed_ms(reps, || {
        std::hint::black_box(replay.inspect());
    });
    let tree_rows_ms = timed_ms(reps, || {
        let all = vec![true; b.spans.len()];
        std::hint::black_box(TreeRows::build(&b.spans, &Default::default(), &all, false));
    });
    let diff_build_ms = timed_ms(reps, || {
        std::hint::black_box(RunDiff::build(Side::of(&a), Side::of(&b)));
    });
    let longest = longest_root(&b);
    let last = b.trace.time_range().1;
    let critical_path_ms = timed_ms(reps, || {
        std::hint::black_box(CriticalPath::of(&b.trace, &b.spans, longest, last));
    });
    let overview_ms = timed_ms(reps, || {
        std::hint::black_box(Overview::build(&b.trace, &b.spans, 200));
    });
    let search = |text: &str| {
        let nowhere = Query {
            text: text.into(),
            ..Query::default()
        };
        timed_ms(reps, || {
            std::hint::black_box(nowhere.select(&b.trace, &b.spans));
        })
    };
    let search_ms = search("no such text");
    let search_hex_ms = search("fedcba98");
    let search_json_ms = search("\"no\":\"such\"");
    InspectCost {
        events: b.trace.len(),
        operations: config.operations,
        scrub_step_ms,
        scrub_jump_ms,
        full_rebuild_ms,
        tree_rows_ms,
        diff_build_ms,
        critical_path_ms,
        overview_ms,
        search_ms,
        search_hex_ms,
        search_json_ms,
    }
}
