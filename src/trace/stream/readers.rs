//! # One reader per format
//!
//! What a record becomes, and what is left to hand over at the end, differ by format; the
//! streaming machinery around them does not. Adding a format adds one arm here.

use super::Output;
use crate::model::sink::EventSink;
use crate::trace::error::ImportError;
use crate::trace::scan::{Ahead, Entry, Layout};
use crate::trace::{abstractions, chrome, native, otlp, Format};

/// The per-format part: what a record becomes, and what is left at the end.
pub(super) enum Reader {
    Native,
    Abstractions(abstractions::Reader),
    Chrome(Box<chrome::import::Reader>),
    Otlp(Box<otlp::Reader>),
}

impl Reader {
    pub(super) fn new(format: Format, layout: Layout) -> Reader {
        match format {
            Format::Native => Reader::Native,
            Format::Abstractions => Reader::Abstractions(abstractions::Reader::default()),
            Format::Chrome => Reader::Chrome(Box::default()),
            Format::Otlp => Reader::Otlp(Box::new(otlp::Reader::new(matches!(
                layout,
                Layout::Keyed(_)
            )))),
        }
    }

    pub(super) fn record<S: EventSink>(
        &mut self,
        record: &Entry<'_>,
        out: &mut Output<S>,
    ) -> Result<(), ImportError> {
        match self {
            Reader::Native => native::read_record(record, out),
            Reader::Abstractions(r) => r.record(record, out),
            Reader::Chrome(r) => r.record(record, out),
            Reader::Otlp(r) => r.record(record, out),
        }
    }

    /// A record read where it starts in the chunk (see `scan::Ahead`): where its element
    /// ends, or `None` (nothing done) to have it cut out and handed over as usual. Chrome's
    /// trace events and OTLP's spans: other records are cut out first.
    pub(super) fn ahead<S: EventSink>(
        &mut self,
        ahead: Ahead<'_>,
        out: &mut Output<S>,
    ) -> Result<Option<usize>, ImportError> {
        match self {
            Reader::Chrome(r) => r.ahead(ahead, out),
            Reader::Otlp(r) => r.ahead(ahead, out),
            _ => Ok(None),
        }
    }

    /// Advances the end-of-input pass by about `budget` items; `true` once it is done. A
    /// Chrome trace's pass (its held slices become events) and an OTLP trace's (its spans
    /// whose parent never came are linked) are stepped; the others finish in their first
    /// step.
    pub(super) fn finish_step<S: EventSink>(
        &mut self,
        out: &mut Output<S>,
        budget: usize,
    ) -> Result<bool, ImportError> {
        match self {
            Reader::Native | Reader::Abstractions(_) => Ok(true),
            Reader::Chrome(r) => r.finish_step(out, budget),
            Reader::Otlp(r) => r.finish_step(budget, out),
        }
    }

    /// How far the end-of-input pass has got, 0 to 1.
    pub(super) fn finish_fraction(&self) -> f64 {
        match self {
            Reader::Chrome(r) => r.finish_fraction(),
            Reader::Otlp(r) => r.finish_fraction(),
            _ => 0.0,
        }
    }
}
