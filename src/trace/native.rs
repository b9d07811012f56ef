//! # lineage NDJSON: the lossless format
//!
//! One [`Event`] per line, exactly as serde writes it: every id and link (`parent_id`,
//! `root_id`, `lineage_id`, `start_id`), `seq`, the nanosecond timestamp and duration, the
//! error and the whole payload including its free-form `extra` map. Export then import gives
//! back equal events in the same order (serde_json's `float_roundtrip` feature makes floats in
//! payloads come back bit for bit).
//!
//! No header line: any line is an event, so files can be concatenated and streamed. A JSON
//! array of events, or one pretty-printed event, is read too.
//!
//! ```
//! use lineage::core::{Event, Phase};
//! use lineage::trace::native;
//!
//! let start = Event::root("processing", Phase::Started);
//! let text = native::export(std::slice::from_ref(&start));
//! assert_eq!(text.lines().count(), 1);
//! assert_eq!(native::import(text.as_bytes()).unwrap().events, vec![start]);
//! ```

use super::error::ImportError;
use super::read;
use super::scan::Entry;
use super::stream::output::Output;
use super::{Format, Imported};
use crate::core::Event;
use crate::model::sink::EventSink;
use crate::model::EventLog;

mod line;
pub(crate) use line::hex_id;

/// Writes one event per line, each line ending in `\n`.
pub fn export(events: &[Event]) -> String {
    let mut out = Vec::with_capacity(events.len() * 320);
    for e in events {
        write_line(&mut out, e).expect("writing to a Vec cannot fail");
    }
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// Writes the events of `log` one line each to `out`, decoding one event at a time from the
/// store (the page's ⤓ NDJSON: no list of the trace's events is made).
pub fn write_log<W: std::io::Write + ?Sized>(log: &EventLog, out: &mut W) -> std::io::Result<()> {
    for i in 0..log.len() {
        write_line(out, &log.event(i))?;
    }
    Ok(())
}

/// Writes one event and its newline to `out` (for exports that stream).
pub fn write_line<W: std::io::Write + ?Sized>(out: &mut W, event: &Event) -> std::io::Result<()> {
    // Serialising an `Event` cannot fail: every key is a string and every number finite or
    // already a JSON number. Only the writer can.
    serde_json::to_writer(&mut *out, event).map_err(std::io::Error::other)?;
    out.write_all(b"\n")
}

/// Reads lineage NDJSON.
pub fn import(bytes: &[u8]) -> Result<Imported, ImportError> {
    super::import_as(Format::Native, bytes)
}

/// One line (or array element, or document): one event. A line as lineage writes it is
/// read by the purpose-built reader (`line`); anything else, and every error, by serde.
pub(crate) fn read_record<S: EventSink>(
    record: &Entry<'_>,
    out: &mut Output<S>,
) -> Result<(), ImportError> {
    let mut event = line::blank();
    match line::read_line_into(record.text, &mut event) {
        Some(()) => out.push_ref(&event),
        None => out.push(read_record_with_serde(record)?),
    }
}

/// One event as lineage writes it, read by the purpose-built reader; `None` for anything
/// it leaves to serde (which then decides: valid or not, the same event either way).
pub(crate) fn read_exact(text: &str) -> Option<Event> {
    line::read_line(text).map(crate::core::EventRef::into_event)
}

/// [`read_exact`] with the event still borrowed from `text` (the Chrome importer reads the
/// exact events of its `args` this way and hands them to the store as they are).
pub(crate) fn read_exact_ref(text: &str) -> Option<crate::core::EventRef<'_>> {
    line::read_line(text)
}

/// The length of the object at the start of `text` if it is an event written as a
/// `serde_json::Value` writes one (members sorted, no whitespace, nothing to unescape),
/// read into `event`; `None` for anything else (see `line::sorted`).
/// Read into `event` (as [`blank_ref`] made it), which then holds a part of the object
/// when the answer is `None`.
#[inline]
pub(crate) fn read_sorted_prefix_into<'a>(
    text: &'a str,
    event: &mut crate::core::EventRef<'a>,
) -> Option<usize> {
    line::sorted::read_prefix(text, event)
}

/// An event with nothing read yet, to read one into in place.
#[inline]
pub(crate) fn blank_ref<'a>() -> crate::core::EventRef<'a> {
    line::blank()
}

/// A payload object as lineage writes it, borrowed from `text`: an [`EventRef`] whose
/// payload members are read and whose header is blank; `None` for anything it leaves to
/// serde (the live page's compact lines, `view::live::wire`).
///
/// [`EventRef`]: crate::core::EventRef
pub(crate) fn read_payload_ref(text: &str) -> Option<crate::core::EventRef<'_>> {
    line::read_payload(text)
}

/// The general reader: any layout, any member, and the errors with their positions.
#[cold]
fn read_record_with_serde(record: &Entry<'_>) -> Result<Event, ImportError> {
    read::parse_record(Format::Native, record, String::new)
}
