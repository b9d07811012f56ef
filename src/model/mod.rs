//! # The trace model
//!
//! The floor that formats (`trace`) and analysis (`analysis`) both stand
//! on: the events of one trace kept in the compact store ([`EventLog`]), the operations
//! built from them ([`Spans`]), ids shortened for people ([`short_id`]) and where an import
//! puts its events ([`EventSink`]). Nothing here imports a format, an analysis or a view.

pub(crate) mod events;
mod log_sink;
mod log_sorted;
pub mod short_id;
pub(crate) mod sink;
pub mod spans;
pub(crate) mod spans_build;

pub use events::EventLog;
pub use sink::{BudgetExceeded, EventSink, EventVec};
pub use spans::{Span, Spans, Status};
