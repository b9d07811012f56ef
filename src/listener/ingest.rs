//! # Request bodies become events
//!
//! The three bodies a listener reads, each into a list of [`Event`]s (or one sentence saying
//! why nothing could be read), before anything is stored: a request is decoded whole or
//! refused, so a malformed body never leaves half of itself in the store.
//!
//! - OTLP protobuf: `crate::trace::otlp::proto`, the OpenTelemetry project's types.
//! - OTLP JSON: the file importer ([`Importer`] forced to OTLP), so a span posted means what
//!   it means in a file.
//! - Event lines (`POST /v1/events`): any format `summary` reads line by line, sniffed like a
//!   file. A bad line is reported ("line 3: ...") and the lines after it are still read; the
//!   events before it are kept.
//!
//! Every decode runs under the import [`Limits`] (events, memory, depth), and every message
//! quoting the body goes through [`crate::text`] (escaped, clipped).

use crate::core::{Event, Phase};
use crate::model::EventVec;
use crate::text::Excerpt;
use crate::trace::otlp::proto;
use crate::trace::{Format, ImportError, Importer, Limits};

/// The most characters of one error sentence.
const SENTENCE_CHARS: usize = 300;

/// The most per-line errors reported for one body.
pub const MAX_LINE_ERRORS: usize = 10;

/// Why a body could not be read at all: one escaped, bounded sentence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadBody(pub String);

impl BadBody {
    fn new(text: &str) -> BadBody {
        BadBody(Excerpt::clipped_at(text, SENTENCE_CHARS).to_string())
    }
}

impl std::fmt::Display for BadBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The spans of an OTLP request, as events.
#[derive(Debug, Default)]
pub struct Spans {
    pub events: Vec<Event>,
    pub spans: u64,
    /// Spans that could not be converted (bad ids), and why the first one was not.
    pub rejected: u64,
    pub rejection: String,
}

/// Decodes an `ExportTraceServiceRequest` in protobuf.
pub fn otlp_protobuf(body: &[u8]) -> Result<Spans, BadBody> {
    let decoded = proto::decode(body).map_err(|e| {
        BadBody::new(&format!(
            "could not decode the body as an OTLP ExportTraceServiceRequest (protobuf): {}",
            middle_clipped(&e.to_string(), 160)
        ))
    })?;
    Ok(Spans {
        events: decoded.events,
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
        events,
        spans,
        ..Spans::default()
    })
}

/// The events of a body of JSON lines, with the lines that could not be read.
#[derive(Debug, Default)]
pub struct Lines {
    pub events: Vec<Event>,
    /// Lines refused, and the first [`MAX_LINE_ERRORS`] reasons ("line 3: ...").
    pub rejected: u64,
    pub errors: Vec<String>,
}

/// Reads a body of JSON lines (see the module docs). `Err` only when not one event could
/// be read and something was wrong.
pub fn event_lines(body: &[u8], limits: Limits) -> Result<Lines, BadBody> {
    let mut out = Lines::default();
    let mut rest = body;
    let mut lines_before = 0usize;
    loop {
        let mut importer = Importer::new(EventVec::new(), Some("events.ndjson"), limits);
        let fed = importer.feed(rest);
        let err = match fed {
            Ok(()) => match importer.finish() {
                Ok(done) => {
                    out.events.extend(done.sink.into_events());
                    break;
                }
                Err(e) => e,
            },
            Err(e) => {
                out.events.append(&mut importer.sink_mut().events);
                e
            }
        };
        out.rejected += 1;
        let Some(at) = err.at else {
            // No line to skip (a budget, an empty body): nothing further can be read.
            out.push_error(None, &err);
            break;
        };
        out.push_error(Some(lines_before + at.line), &err);
        let after = rest[at.byte.min(rest.len())..]
            .iter()
            .position(|&b| b == b'\n');
        match after {
            Some(nl) => {
                rest = &rest[at.byte + nl + 1..];
                lines_before += at.line;
            }
            None => break,
        }
        if rest.iter().all(u8::is_ascii_whitespace) {
            break;
        }
    }
    if out.events.is_empty() && out.rejected > 0 {
        let first = out.errors.first().map_or("", String::as_str);
        return Err(BadBody::new(&format!("no event could be read: {first}")));
    }
    Ok(out)
}

impl Lines {
    fn push_error(&mut self, line: Option<usize>, err: &ImportError) {
        if self.errors.len() >= MAX_LINE_ERRORS {
            return;
        }
        let mut err = err.clone();
        err.at = None;
        let text = match line {
            Some(n) => format!("line {n}: {err}"),
            None => err.to_string(),
        };
        self.errors.push(BadBody::new(&text).0);
    }
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
