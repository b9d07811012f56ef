//! # Request bodies become events
//!
//! The three bodies a listener reads, each into a list of [`Event`]s (or one sentence saying
//! why nothing could be read), before anything is stored: a request is decoded whole or
//! refused, so a malformed body never leaves half of itself in the store.
//!
//! - OTLP protobuf: decoded with the OpenTelemetry project's types and prepared for the
//!   store without building `Event`s (`crate::trace::otlp::direct`).
//! - OTLP JSON: the file importer ([`Importer`] forced to OTLP), so a span posted means what
//!   it means in a file.
//! - Event lines (`POST /v1/events`): any format `summary` reads line by line, sniffed like a
//!   file. A bad line is reported ("line 3: ...") and the lines after it are still read; the
//!   events before it are kept. The listener stores them as they are read, without owned
//!   events (`super::lines`); [`event_lines`] reads them as owned events, for the tests.
//!
//! Every decode runs under the import [`Limits`] (events, memory, depth), and every message
//! quoting the body goes through [`crate::text`] (escaped, clipped).

use super::bad_body::BadBody;
use super::batch::Batch;
use crate::core::{Event, Phase};
use crate::model::EventVec;
use crate::trace::otlp::direct;
use crate::trace::{Format, Importer, Limits};

/// The spans of an OTLP request, as events.
#[derive(Debug, Default)]
pub struct Spans {
    pub events: Batch,
    pub spans: u64,
    /// Spans that could not be converted (bad ids), and why the first one was not.
    pub rejected: u64,
    pub rejection: String,
}

/// Decodes an `ExportTraceServiceRequest` in protobuf, straight into a prepared batch
/// (`crate::trace::otlp::direct`), holding at most the request budget's bytes.
pub fn otlp_protobuf(body: &[u8], limits: Limits) -> Result<Spans, BadBody> {
    let decoded = direct::decode(body, limits.max_retained_bytes).map_err(|e| match e {
        direct::Refused::Decode(e) => BadBody::new(&format!(
            "could not decode the body as an OTLP ExportTraceServiceRequest (protobuf): {}",
            middle_clipped(&e.to_string(), 160)
        )),
        direct::Refused::OverBudget(why) => BadBody::new(&why),
    })?;
    Ok(Spans {
        events: Batch::Prepared(decoded.batch),
        spans: decoded.spans,
        rejected: decoded.rejected_spans,
        rejection: BadBody::new(&decoded.rejection).0,
    })
}

/// Reads an `ExportTraceServiceRequest` in OTLP JSON (the same document as a file's
/// `TracesData`) with the file importer.
pub fn otlp_json(body: &[u8], limits: Limits) -> Result<Spans, BadBody> {
    let mut importer = Importer::with_format(Format::Otlp, EventVec::new(), limits).strict(true);
    let read = importer.feed(body).and_then(|()| importer.finish());
    let done = read.map_err(|e| BadBody::new(&e.to_string()))?;
    let events = done.sink.into_events();
    let spans = events
        .iter()
        .filter(|e| e.phase == Phase::Started && e.kind == "span")
        .count() as u64;
    Ok(Spans {
        events: Batch::Events(events),
        spans,
        ..Spans::default()
    })
}

/// The events of a body of JSON lines, with the lines that could not be read.
#[derive(Debug, Default)]
pub struct Lines {
    pub events: Vec<Event>,
    /// Lines refused, and the first [`MAX_LINE_ERRORS`](super::bad_body::MAX_LINE_ERRORS) reasons ("line 3: ...").
    pub rejected: u64,
    pub errors: Vec<String>,
}

/// Reads a body of JSON lines as owned events (see the module docs). The listener stores
/// lines without building them (`listener::lines::store_lines`); this is the reference the
/// tests hold that path to. `Err` only when not one event could be read and something was
/// wrong.
pub fn event_lines(body: &[u8], limits: Limits) -> Result<Lines, BadBody> {
    let mut sink = EventVec::new();
    let report = super::lines::read_lines(body, limits, &mut sink)?;
    Ok(Lines {
        events: sink.into_events(),
        rejected: report.rejected,
        errors: report.errors,
    })
}

/// `text` with its middle cut out when longer than `max` bytes: prost names every field on
/// the path to an error, hundreds deep for a nested value, and the reason comes last.
fn middle_clipped(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let head = text.floor_char_boundary(max / 2);
    let tail = text.ceil_char_boundary(text.len() - max / 2);
    format!("{} … {}", &text[..head], &text[tail..])
}
