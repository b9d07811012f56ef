//! # The listener: events from running programs
//!
//! The plain-Rust half of `lineage listen` (the HTTP half is `cli::listen`): what a request
//! body becomes ([`ingest`], [`inflate`]: a [`batch`], or a [`bad_body`] sentence), where
//! accepted events are kept and numbered ([`store`]), and what the page's stream says
//! ([`sse`]). Nothing here touches a socket, so
//! every path (a full store, a gap, a bad line, a gzip bomb) is tested directly.
//!
//! The protocol (routes, status codes, stream messages) is described in `docs/live.md`.

pub mod bad_body;
pub mod batch;
pub mod inflate;
pub mod ingest;
pub mod lines;
mod recording;
pub mod resume;
pub mod sse;
pub mod store;

pub use store::{Committed, Counts, LiveStore, WhenFull};

/// How the listener names itself in `hello`.
pub const LISTENER: &str = concat!("lineage ", env!("CARGO_PKG_VERSION"));

#[cfg(test)]
mod lines_tests;
#[cfg(test)]
mod tests;
