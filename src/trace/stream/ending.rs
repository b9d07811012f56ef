//! # How the input ended
//!
//! A trace cut off by a crash ends inside a record or before its closing bracket. What that
//! means depends on the format and on [`Importer::strict`](super::Importer::strict): an
//! error, or a note that says what was dropped. Said here once for every format.

use super::{Output, Reading};
use crate::model::sink::EventSink;
use crate::text::count::grouped;
use crate::trace::error::{ImportError, Position, Problem};
use crate::trace::scan::{Ending, Layout};
use crate::trace::Format;

/// Turns how the input ended (at `end`) into an error or a note.
pub(super) fn report<S: EventSink>(
    reading: &Reading,
    ending: Ending,
    end: Position,
    strict: bool,
    out: &mut Output<S>,
) -> Result<(), ImportError> {
    let format = reading.format;
    match ending {
        Ending::Closed => {}
        Ending::Open if format == Format::Chrome && reading.layout == Layout::Array => {}
        Ending::Open if reading.dropped.is_some() => {} // the note on the cut says it
        Ending::Open if strict => {
            return Err(ImportError::new(
                Some(format),
                Some(end),
                Problem::Syntax {
                    detail: "the input ends before the closing ] (cut off?)".to_owned(),
                },
            ))
        }
        Ending::Open => out.notes.push(
            "the input ends before its closing bracket (cut off?); every complete record \
             was read"
                .to_owned(),
        ),
        Ending::KeyMissing if format == Format::Chrome => {
            return Err(ImportError::invalid(
                format,
                Some(end),
                "traceEvents",
                "an array of trace events",
                "nothing (the key is missing)",
            ))
        }
        Ending::KeyMissing => {}
    }
    cut_record(reading, end, out)
}

/// The last record, cut off and dropped: an error if it was the only one, else a note.
fn cut_record<S: EventSink>(
    reading: &Reading,
    end: Position,
    out: &mut Output<S>,
) -> Result<(), ImportError> {
    let format = reading.format;
    if let Some((at, bytes)) = reading.dropped {
        if reading.records == 0 {
            return Err(ImportError::new(
                Some(format),
                Some(end),
                Problem::Syntax {
                    detail: format!(
                        "the input ends inside its first record (line {}, {} bytes)",
                        at.line,
                        grouped(bytes as u64)
                    ),
                },
            ));
        }
        let what = if reading.layout == Layout::Lines {
            "line"
        } else {
            "record at line"
        };
        out.notes.push(format!(
            "the last {what} {} ({} bytes) was cut off and is dropped; every complete \
             record before it was read",
            grouped(at.line as u64),
            grouped(bytes as u64)
        ));
    }
    Ok(())
}
