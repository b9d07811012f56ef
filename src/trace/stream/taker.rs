//! What the splitter hands over goes to the format's reader through [`Taker`]: records it
//! cut out (skipped when cut off and not strict), and records the reader reads where they
//! start in the chunk (`scan::Ahead`).

use super::readers::Reader;
use super::Output;
use crate::model::sink::EventSink;
use crate::trace::error::{ImportError, Position};
use crate::trace::read;
use crate::trace::scan::{Ahead, Entry, Records};

/// The reader and its output, as the splitter's [`Records`]: records cut out by the splitter,
/// and records the reader reads where they start (`scan::Ahead`).
pub(super) struct Taker<'r, S> {
    pub(super) reader: &'r mut Reader,
    pub(super) out: &'r mut Output<S>,
    pub(super) strict: bool,
    pub(super) records: &'r mut u64,
    pub(super) dropped: &'r mut Option<(Position, usize)>,
}

impl<S: EventSink> Records for Taker<'_, S> {
    fn record(&mut self, entry: Entry<'_>) -> Result<(), ImportError> {
        let Taker {
            reader,
            out,
            strict,
            records,
            dropped,
        } = self;
        take_record(reader, out, *strict, records, dropped, &entry)
    }

    fn ahead(&mut self, ahead: Ahead<'_>) -> Result<Option<usize>, ImportError> {
        let end = self.reader.ahead(ahead, self.out)?;
        if end.is_some() {
            *self.records += 1;
        }
        Ok(end)
    }
}

fn take_record<S: EventSink>(
    reader: &mut Reader,
    out: &mut Output<S>,
    strict: bool,
    records: &mut u64,
    dropped: &mut Option<(Position, usize)>,
    record: &Entry<'_>,
) -> Result<(), ImportError> {
    if record.cut && !strict && read::ends_early(record.text) {
        *dropped = Some((record.at, record.len));
        return Ok(());
    }
    out.at = Some(record.at);
    reader.record(record, out)?;
    *records += 1;
    Ok(())
}
