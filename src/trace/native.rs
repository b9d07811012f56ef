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
use super::read::{self, Record};
use super::{Format, Imported};
use crate::core::Event;

/// Writes one event per line, each line ending in `\n`.
pub fn export(events: &[Event]) -> String {
    let mut out = String::with_capacity(events.len() * 320);
    for e in events {
        // Serialising an `Event` cannot fail: every key is a string and every number finite
        // or already a JSON number.
        out.push_str(&serde_json::to_string(e).expect("an Event always serialises"));
        out.push('\n');
    }
    out
}

/// Reads lineage NDJSON.
pub fn import(bytes: &[u8]) -> Result<Imported, ImportError> {
    super::import_as(Format::Native, bytes)
}

pub(crate) fn import_text(whole: &str) -> Result<Imported, ImportError> {
    let (text, _) = read::strip_bom(whole);
    let records = read::records(Format::Native, whole, text)?;
    let mut events = Vec::with_capacity(records.len());
    for Record { base, text } in records {
        events.push(read::parse::<Event>(Format::Native, whole, base, text)?);
    }
    Ok(Imported::new(Format::Native, events))
}
