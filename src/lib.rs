//! # lineage
//!
//! An event bus in the manner of the Python original's (`abstractions`), and an inspector
//! around it. Operations wrapped by [`core::Operation`] (the original's `@emit_events`) emit a
//! *creating* event before, a *created* one after and a *failed* one on error, linked by
//! parent, root and lineage; a processor task drains the queue into a bounded history indexed
//! by id and by parent, and calls the subscribers whose filter matches.
//!
//! ```
//! use futures::executor::LocalPool;
//! use lineage::core::{EmitMode, EventBus, Filter, Operation, Payload, Phase};
//!
//! let mut pool = LocalPool::new(); // any single-threaded executor; the page uses the browser's
//! let bus = EventBus::new(pool.spawner());
//! let seen = std::rc::Rc::new(std::cell::Cell::new(0));
//! let count = seen.clone();
//! let _subscription = bus.subscribe(Filter::kind("processed"), move |_event| {
//!     count.set(count.get() + 1);
//!     Ok(())
//! });
//!
//! // aexecute → execute_transactional, each wrapped: the inner one links to the outer.
//! let inner = Operation::new("processing", "processed")
//!     .start(|| Payload::process("execute_transactional"))
//!     .run(&bus, async { Ok::<_, String>(2) });
//! let outer = Operation::new("processing", "processed")
//!     .start(|| Payload::process("aexecute"))
//!     .run(&bus, async { inner.await.map(|x| x + 1) });
//! assert_eq!(pool.run_until(outer), Ok(3));
//! pool.run_until(bus.flush());
//!
//! let events = bus.events(); // two starts, two ends, in the order processed
//! assert_eq!(events.len(), 4);
//! let (outer_start, inner_start) = (&events[0], &events[1]);
//! assert_eq!(inner_start.parent_id, Some(outer_start.id));
//! assert_eq!(bus.children_of(&outer_start.id).len(), 2); // the inner start and the outer end
//! assert!(events.iter().filter(|e| e.phase == Phase::Completed).count() == 2);
//! assert_eq!(seen.get(), 2);
//!
//! bus.set_mode(EmitMode::Disabled); // switchable at run time: nothing is built or queued now
//! ```
//!
//! ## The floors
//! Each module may use the ones below it, never one above (`ARCHITECTURE.md` draws them):
//!
//! - [`text`]: text from a file made safe to show (escapes, badges, durations, counts).
//! - [`core`]: the bus (events, queue and processor, history and its indexes, subscriptions,
//!   the emit wrapper and the emit modes). No web dependency.
//! - [`model`]: the trace model formats and analysis stand on: a trace's events in the
//!   compact store ([`model::EventLog`]), its operations ([`model::Spans`]), import sinks.
//! - [`workload`]: the simulated `aexecute` → `execute_with_partial` → `execute_transactional`
//!   workload that drives the bus in tests, benchmarks and the page.
//! - [`trace`]: traces in and out: lineage NDJSON, the Python original's dumps, Chrome trace
//!   events, OTLP; format detection, budgets and clear errors.
//! - [`analysis`]: what a trace means: lints, summary, critical path, latency, run diff.
//! - `listener` (native): `lineage listen`'s store and decoding.
//! - `view`: the page's view model; `replay`: a live run revealed event by event; `plot`
//!   and `measure`: charts and what emission costs; `cli` and `ui`: the binary and the page.
//!
//! The library's surface is `core`, `model`, `trace`, `analysis` and `workload`; the other
//! modules are public only because the binary, the page and the integration tests are
//! separate crates, and are hidden from the docs.
#![warn(unreachable_pub)]
#![warn(missing_docs)]

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
pub mod listener;
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod ui;
