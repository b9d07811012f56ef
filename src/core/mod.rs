//! # The bus core
//!
//! Everything here compiles natively and for `wasm32-unknown-unknown` with no web dependency.
//!
//! - `event`: the [`Event`] record, its [`Phase`] and [`Payload`].
//! - `fields`: the payload's free-form fields ([`Fields`]), compact for the hot path.
//! - `bus`: the [`EventBus`] handle: queue, processor, completion (what a flush waits
//!   for), history, statistics.
//! - [`store`]: the compact [`EventStore`] every part of lineage keeps events in: records in a
//!   ring, interned strings, payloads in an arena, the id and children indexes.
//! - `history`: the bus's bounded [`History`] (an event store that evicts), with its
//!   `events_by_id` and `children_by_parent` indexes pruned together.
//! - `subscription`: filters, priorities, handlers and the cached interest behind
//!   `has_subscribers_for`.
//! - [`context`]: the per-poll current-event context that gives nested operations their parent.
//! - `emit`: the [`Operation`] wrapper (the Python original's `@emit_events`).
//! - [`mode`]: the [`EmitMode`]s, and head sampling with its ratio ([`SampleRatio`]).
//! - `clock`: injectable time.
//! - `stats`: counters and handler failure records.
//! - [`ids`]: new event ids, and the seeded id hash every id-keyed table uses.
//! - [`yield_now`]: one executor-agnostic yield.

pub(crate) mod bus;
pub(crate) mod clock;
pub mod context;
pub(crate) mod emit;
pub(crate) mod event;
mod event_json;
mod event_ref;
pub(crate) mod field_value;
pub(crate) mod fields;
pub(crate) mod history;
pub mod ids;
mod json_ref;
pub mod mode;
pub(crate) mod raw;
pub(crate) mod stats;
pub mod store;
pub(crate) mod subscription;
pub mod yield_now;

pub use bus::{BusBuilder, EmitError, EventBus, Flush, Put};
#[cfg(not(target_arch = "wasm32"))]
pub use clock::MonotonicClock;
pub use clock::{Clock, ManualClock};
pub use context::Frame;
pub use emit::{Operation, Writes};
pub use event::{Event, Kind, Payload, Phase};
pub use event_ref::{EventRef, ScalarRef};
pub use field_value::{ByteSink, FieldValue};
pub use fields::Fields;
pub use history::History;
pub use json_ref::JsonRef;
pub use mode::{EmitMode, SampleRatio};
pub use raw::RawMembers;
pub use stats::{HandlerFailure, Stats};
pub use store::EventStore;
pub use subscription::{Filter, HandlerError, HandlerResult, Priority, Subscription};
