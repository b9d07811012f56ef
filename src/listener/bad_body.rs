//! # Why a body could not be read
//!
//! The one sentence a listener answers a body it cannot read with (a 400's `google.rpc.Status`
//! message, a line's error), shared by the body readers (`super::ingest`, `super::lines`) and
//! the HTTP answers, so that every such sentence is escaped and bounded the same way.

use crate::text::Excerpt;

/// The most characters of one error sentence.
const SENTENCE_CHARS: usize = 300;

/// The most per-line errors reported for one body.
pub const MAX_LINE_ERRORS: usize = 10;

/// Why a body could not be read at all: one escaped, bounded sentence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadBody(pub String);

impl BadBody {
    pub(crate) fn new(text: &str) -> BadBody {
        BadBody(Excerpt::clipped_at(text, SENTENCE_CHARS).to_string())
    }
}

impl std::fmt::Display for BadBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
