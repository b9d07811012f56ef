//! # OTLP JSON traces
//!
//! OpenTelemetry's JSON encoding of `TracesData`: `resourceSpans[].scopeSpans[].spans[]`
//! (the older `instrumentationLibrarySpans` too). The collector's file exporter writes JSON
//! Lines, one `TracesData` per line; a single, possibly pretty-printed document is read too.
//!
//! Each span becomes an operation, two events: a start at `startTimeUnixNano` and an end at
//! `endTimeUnixNano` (`completed`, or `failed` when `status.code` is 2 /
//! `STATUS_CODE_ERROR`, with the status message as the error). A span with no end time (or
//! 0) never finished and has only its start. Span events become point events under their
//! span. `parentSpanId` becomes `parent_id`; root and lineage follow the parent links.
//!
//! - Ids are hex (32 digits for a trace, 16 for a span) and map to uuids deterministically:
//!   the span id in the high half, the low half of the trace id in the low half. So the same
//!   file always gives the same ids, and a span's parent (same trace) maps the same way.
//! - Times are strings or numbers of nanoseconds since the Unix epoch.
//! - Attribute values of every type (`stringValue`, `boolValue`, `intValue` as a string or a
//!   number, `doubleValue`, `bytesValue` (kept as its base64 text), `arrayValue`,
//!   `kvlistValue`, nested) become plain JSON in `payload.extra["attributes"]`; the resource,
//!   the scope, the raw ids, the span kind, status, links and trace state go to
//!   `payload.extra["otel"]`, so nothing is dropped.
//!
//! ## Where things are
//! - `wire`: the document's shape, as serde reads it (unknown fields ignored).
//! - `scalars`: the forgiving scalars (ints as strings or numbers, enum names or numbers),
//!   built on `serde_with` rather than hand-written visitors; it says why the OpenTelemetry
//!   project's own types do not fit.
//! - `ids`: hex trace and span ids.
//! - `span`: what a span becomes (events, uuids, `otel` extras).
//! - Here: the `Reader` that the streaming importer feeds record by record.

mod ids;
#[cfg(not(target_arch = "wasm32"))]
pub mod proto;
mod scalars;
mod span;
mod wire;

use serde_json::{json, Value};

use super::error::ImportError;
use super::read;
use super::scan::Record;
use super::sink::{heap_bytes, EventSink};
use super::stream::Output;
use super::{link_roots, Format, Imported};
use crate::core::Event;
use span::{Converted, Origin};
use wire::{attributes, ResourceSpans, TracesData};

/// Reads OTLP JSON.
pub fn import(bytes: &[u8]) -> Result<Imported, ImportError> {
    super::import_as(Format::Otlp, bytes)
}

/// Spans read so far. A span's root is the topmost span its parent links reach, and a parent
/// may come after its child, so the events are held until the end (their bytes count against
/// the budget as they arrive), then linked, put in time order and handed over.
#[derive(Default)]
pub(crate) struct Reader {
    /// Records are `resourceSpans` elements (a single document) rather than whole
    /// `TracesData` (JSON Lines).
    by_resource: bool,
    starts: Vec<Event>,
    ends: Vec<Event>,
    held: usize,
}

impl Reader {
    pub(crate) fn new(by_resource: bool) -> Reader {
        Reader {
            by_resource,
            ..Reader::default()
        }
    }

    pub(crate) fn record<S: EventSink>(
        &mut self,
        record: &Record<'_>,
        out: &mut Output<S>,
    ) -> Result<(), ImportError> {
        let resource_spans = if self.by_resource {
            let prefix = || format!("resourceSpans[{}]", record.index);
            vec![read::parse_record::<ResourceSpans>(
                Format::Otlp,
                record,
                prefix,
            )?]
        } else {
            read::parse_record::<TracesData>(Format::Otlp, record, String::new)?.resource_spans
        };
        let (starts_before, ends_before) = (self.starts.len(), self.ends.len());
        let into = Converted {
            starts: &mut self.starts,
            ends: &mut self.ends,
            notes: &mut out.notes,
        };
        convert_resource_spans(resource_spans, into);
        let new = self.starts[starts_before..]
            .iter()
            .chain(&self.ends[ends_before..]);
        self.held += new.map(heap_bytes).sum::<usize>();
        let structs =
            (self.starts.capacity() + self.ends.capacity()) * std::mem::size_of::<Event>();
        out.hold(self.held + structs)
    }

    pub(crate) fn finish<S: EventSink>(&mut self, out: &mut Output<S>) -> Result<(), ImportError> {
        let events = linked_in_time_order(
            std::mem::take(&mut self.starts),
            std::mem::take(&mut self.ends),
        );
        let total = events.len();
        for (i, event) in events.into_iter().enumerate() {
            if i % 4096 == 0 {
                // What is still held shrinks as the events move to the sink.
                let left = (total - i) * (std::mem::size_of::<Event>() + 64);
                out.hold(left)?;
            }
            out.push(event)?;
        }
        out.hold(0)
    }
}

/// Every span of `resource_spans`, converted (see [`span`]): what the JSON reader and the
/// protobuf decoder ([`proto`]) share, so a span means the same whichever encoding carried it.
fn convert_resource_spans(resource_spans: Vec<ResourceSpans>, into: Converted<'_>) {
    for rs in resource_spans {
        let resource = rs.resource.map(|r| Value::Object(attributes(r.attributes)));
        for ss in rs.scope_spans {
            let scope = ss.scope.map(|s| {
                json!({
                    "name": s.name,
                    "version": s.version,
                    "attributes": attributes(s.attributes),
                })
            });
            let origin = Origin {
                resource: resource.as_ref(),
                scope: scope.as_ref(),
                schema_url: rs.schema_url.as_deref(),
            };
            for one in ss.spans {
                let into = Converted {
                    starts: &mut *into.starts,
                    ends: &mut *into.ends,
                    notes: &mut *into.notes,
                };
                span::convert(one, &origin, into);
            }
        }
    }
}

/// The converted spans as one list: roots and lineages from the parent links, in time order.
fn linked_in_time_order(mut events: Vec<Event>, mut ends: Vec<Event>) -> Vec<Event> {
    events.append(&mut ends);
    link_roots(&mut events);
    events.sort_by_key(|e| e.timestamp_ns);
    events
}
