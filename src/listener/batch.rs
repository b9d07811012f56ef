//! # A request's events, as the store takes them
//!
//! Its own file because both sides of the hand-over name it: the body readers
//! (`super::ingest`) make a [`Batch`], the store (`super::store`) commits one.

use crate::core::store::prepared::Prepared;
use crate::core::{Event, Phase};

/// What a request's events are handed to the store as: owned [`Event`]s, or (OTLP
/// protobuf) a batch prepared for the store without building them
/// ([`crate::core::store::prepared`]); the store gives the same events either way.
#[derive(Debug, Default)]
pub enum Batch {
    #[default]
    None,
    Events(Vec<Event>),
    Prepared(Prepared),
}

impl Batch {
    pub fn len(&self) -> usize {
        match self {
            Batch::None => 0,
            Batch::Events(e) => e.len(),
            Batch::Prepared(p) => p.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many span starts are among the events from index `from` on (the spans refused
    /// when the store refuses the rest of the batch).
    pub fn span_starts_from(&self, from: usize) -> u64 {
        match self {
            Batch::None => 0,
            Batch::Events(e) => e[from.min(e.len())..]
                .iter()
                .filter(|e| e.phase == Phase::Started && e.kind == "span")
                .count() as u64,
            Batch::Prepared(p) => p.span_starts_from(from),
        }
    }
}
