//! # lineage
//!
//! An event-bus inspector. The pieces, each in its own module, dependencies pointing one way:
//!
//! - [`core`]: the event bus itself (events, queue and processor, history and indexes,
//!   subscriptions, the emit wrapper and its four modes). No web dependency.
//! - [`pipeline`]: the simulated `aexecute` → `execute_with_partial` → `execute_transactional`
//!   pipeline that drives the bus in tests, benchmarks and the UI.
//! - [`inspect`]: a trace as the inspector sees it: operations paired into spans, the lineage
//!   forest, lints and a summary.
//! - [`replay`]: a live pipeline run on its own executor, revealed event by event.
//! - [`plot`]: scales for the cost charts.
//! - [`trace`]: traces in and out: lineage NDJSON, the Python original's dumps, Chrome trace
//!   events, OTLP JSON; format detection, limits and clear errors.
//! - [`measure`]: what emission costs and where it goes: batch timing, interleaved rounds,
//!   ablation by phase, peers; shared by the `bench` command and the browser.
//! - `live` (native): `lineage listen`'s store and decoding: OTLP and event-line bodies become
//!   events in a bounded event store, numbered for the page's stream.
//! - [`text`]: text from a file made safe to show: control and bidi characters escaped
//!   visibly, long excerpts clipped; used by the command line and the page.
#![warn(unreachable_pub)]

#[cfg(all(test, target_family = "wasm"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

pub mod analysis;
pub mod core;
pub mod model;
pub mod trace;
pub mod workload;

// Not the library's surface: public only because the binary (`src/main.rs`), the page's entry
// and the integration tests are separate crates. Hidden from the docs and from `missing_docs`.
#[doc(hidden)]
pub mod measure;
#[doc(hidden)]
pub mod plot;
#[doc(hidden)]
pub mod replay;
#[doc(hidden)]
pub mod text;
#[doc(hidden)]
pub mod view;

#[cfg(not(target_arch = "wasm32"))]
#[doc(hidden)]
pub mod cli;
#[cfg(not(target_arch = "wasm32"))]
#[doc(hidden)]
pub mod live;
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod ui;
