//! # Measurement: what emission costs, where it goes, which mode to use
//!
//! The Python original's analysis guessed 3–6 ms of event overhead per operation and never measured it. This module
//! measures, the same way natively and in the browser:
//!
//! - [`timer`]: batches long enough for the clock's tick (browsers coarsen
//!   `performance.now()` to 5–100 µs), never a single event.
//! - [`subject`]: what gets a row: the bare baseline, the bus in a mode with a subscriber
//!   set-up, an ablation stage, a peer.
//! - [`ablation`]: the per-phase breakdown (creation, context, queue put, processing,
//!   handlers) by switching instrumentation on one phase at a time.
//! - [`config`]: how long and how often to measure ([`MeasureConfig`]).
//! - [`session`]: interleaved rounds (A B C D A B C D ...) with the baseline in every round.
//! - [`spread`]: median, quartiles and extremes of every figure ([`Spread`]).
//! - [`split`]: the caller's cost (the critical path) versus background processing, and the
//!   queue lag between them.
//! - [`comparison`]: the result as plain data, for the table and the charts.
//! - [`chart`]: the slice of a comparison the Compare tab charts (baseline and modes).
//! - [`run_history`]: the Compare tab's past runs and which are shown side by side.
//! - [`plan`]: the standard line-up of subjects.
//! - [`verdict`]: the original's own rule (optimise only above 1 ms per operation) and the goals.
//! - [`reference`](mod@reference): the Python original's figures, measured elsewhere (`docs/reference.md`).
//! - `peers` (native): the same nesting under `tracing` spans.
//! - `inspect_cost` (native): scrub step, diff build, critical path and overview at 100 k and
//!   1 M events.
//! - `memory` (native): resident memory over millions of events with a capped history.
//! - `performance_clock` (wasm32): `performance.now()` as the bus clock, for the page and the
//!   measurements alike.
//! - `web` (wasm32): the browser entry point, yielding between steps.

pub mod ablation;
pub mod chart;
pub mod comparison;
pub mod config;
pub mod drive;
pub mod plan;
pub mod reference;
pub mod report;
pub mod run_history;
pub mod session;
pub mod split;
pub mod spread;
pub mod subject;
pub mod timer;
pub mod verdict;

#[cfg(not(target_arch = "wasm32"))]
pub mod inspect_cost;
#[cfg(not(target_arch = "wasm32"))]
pub mod memory;
#[cfg(not(target_arch = "wasm32"))]
pub mod peers;
#[cfg(target_arch = "wasm32")]
pub mod performance_clock;
#[cfg(target_arch = "wasm32")]
pub mod web;

pub use ablation::Stage;
pub use comparison::{Comparison, PhaseStep, SubjectFigures};
pub use config::MeasureConfig;
pub use plan::Plan;
pub use session::{MeasureProgress, Session};
pub use split::{BatchSplit, SplitFigures};
pub use spread::Spread;
pub use subject::{Group, Subject, SubjectSpec, Workbench};
