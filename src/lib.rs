//! # lineage
//!
//! An event-bus inspector. The pieces, each in its own module, dependencies pointing one way:
//!
//! - [`core`]: the event bus itself (events, queue and processor, history and indexes,
//!   subscriptions, the emit wrapper and its four modes). No web dependency.
//! - [`pipeline`]: the simulated `aexecute` → `execute_with_partial` → `execute_transactional`
//!   pipeline that drives the bus in tests, benchmarks and the UI.
//! - [`measure`]: what emission costs and where it goes: batch timing, interleaved rounds,
//!   ablation by phase, peers; shared by the `bench` command and the browser.
pub mod core;
pub mod measure;
pub mod pipeline;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
#[cfg(target_arch = "wasm32")]
pub mod ui;
