//! A trace event to the reader: cut out by the splitter and handed over ([`Reader::record`]),
//! or read where it starts in the chunk ([`Reader::ahead`], see `scan::Ahead`); both read
//! it with the purpose-built reader when it can and go on the same way ([`Reader::take`]).

use super::raw::{serde_only, Record};
use super::{fast, Ctx, Reader};
use crate::model::sink::EventSink;
use crate::trace::error::ImportError;
use crate::trace::scan::{Ahead, Entry};
use crate::trace::stream::output::Output;

impl Reader {
    pub(crate) fn record<S: EventSink>(
        &mut self,
        record: &Entry<'_>,
        out: &mut Output<S>,
    ) -> Result<(), ImportError> {
        let mut ev = match fast::read(record.text).filter(|_| !serde_only()) {
            Some(ev) => ev,
            None => Record::from_serde(Self::parse(record)?),
        };
        self.take(&mut ev, record, out)
    }

    /// A trace event read where it starts in the chunk, its end found in the same pass (see
    /// `scan::Ahead`): where its element ends, or `None`, nothing done, for the splitter to
    /// cut it out and hand it to [`Reader::record`].
    pub(crate) fn ahead<S: EventSink>(
        &mut self,
        ahead: Ahead<'_>,
        out: &mut Output<S>,
    ) -> Result<Option<usize>, ImportError> {
        if serde_only() {
            return Ok(None);
        }
        let mut ev = Record::empty();
        let Some(len) = fast::read_into(ahead.rest, &mut ev) else {
            return Ok(None);
        };
        let Some((record, end)) = ahead.entry(len) else {
            return Ok(None);
        };
        out.at = Some(record.at);
        self.take(&mut ev, &record, out)?;
        Ok(Some(end))
    }

    fn take<S: EventSink>(
        &mut self,
        ev: &mut Record<'_>,
        record: &Entry<'_>,
        out: &mut Output<S>,
    ) -> Result<(), ImportError> {
        let ctx = Ctx {
            index: record.index,
            at: record.at,
        };
        match &*ev.ph {
            "M" => {
                self.metadata(ev);
                Ok(())
            }
            "B" => self.begin(ev, ctx, out),
            "E" => self.end(ev, ctx, out),
            "X" => self.complete(ev, ctx, out),
            "i" | "I" => self.instant(ev, ctx, out),
            other => {
                out.skip(other);
                Ok(())
            }
        }
    }
}
