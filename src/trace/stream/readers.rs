//! # One reader per format
//!
//! What a record becomes, and what is left to hand over at the end, differ by format; the
//! streaming machinery around them does not. Adding a format adds one arm here.

use super::Output;
use crate::trace::error::ImportError;
use crate::trace::scan::{Layout, Record};
use crate::trace::sink::EventSink;
use crate::trace::{chrome, native, original, otlp, Format};

/// The per-format part: what a record becomes, and what is left at the end.
pub(super) enum Reader {
    Native,
    Original(original::Reader),
    Chrome(Box<chrome::import::Reader>),
    Otlp(otlp::Reader),
}

impl Reader {
    pub(super) fn new(format: Format, layout: Layout) -> Reader {
        match format {
            Format::Native => Reader::Native,
            Format::Original => Reader::Original(original::Reader::default()),
            Format::Chrome => Reader::Chrome(Box::default()),
            Format::Otlp => Reader::Otlp(otlp::Reader::new(matches!(layout, Layout::Keyed(_)))),
        }
    }

    pub(super) fn record<S: EventSink>(
        &mut self,
        record: &Record<'_>,
        out: &mut Output<S>,
    ) -> Result<(), ImportError> {
        match self {
            Reader::Native => native::read_record(record, out),
            Reader::Original(r) => r.record(record, out),
            Reader::Chrome(r) => r.record(record, out),
            Reader::Otlp(r) => r.record(record, out),
        }
    }

    pub(super) fn finish<S: EventSink>(&mut self, out: &mut Output<S>) -> Result<(), ImportError> {
        match self {
            Reader::Native | Reader::Original(_) => Ok(()),
            Reader::Chrome(r) => r.finish(out),
            Reader::Otlp(r) => r.finish(out),
        }
    }
}
