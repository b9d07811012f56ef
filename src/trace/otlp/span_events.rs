//! # A span's events waiting for their root
//!
//! What the linker (`link.rs`) keeps per span until its tree's root is known, and what is
//! left of it at the end of a file (`leftovers.rs`). Its own file because both name it.

use uuid::Uuid;

use crate::core::Event;

/// One span's events (start, span events, end), waiting for their root: [`Event`]s, or
/// the listener's prepared events (`super::direct`), linked the same way.
pub(super) struct SpanEvents<E = Event> {
    pub id: Uuid,
    pub parent: Option<Uuid>,
    pub events: Vec<E>,
}
