//! # What one POST carries
//!
//! Events leave the bus one at a time; the listener is best fed in batches (one request per
//! ~50 ms or 1 000 events, see [`super::sender`]). A [`Batch`] collects them and encodes the
//! part that may leave now:
//!
//! - **lineage NDJSON** (`POST /v1/events`): every event may leave at once, one line each,
//!   lossless; the listener pairs starts and ends itself.
//! - **OTLP** (`POST /v1/traces`): a span is one *finished* operation, start and end
//!   together. A start sent alone would arrive as a span that never ended, and its end later
//!   as a second span. So an operation's start waits here until its end arrives; only
//!   operations in flight wait (at most `concurrency × depth` of them in a simulated run),
//!   and [`Batch::close`] lets the unfinished ones go as unfinished spans at the end. Span
//!   and parent ids are derived from the events' uuids ([`crate::trace::otlp_export`]), so a
//!   child sent before its parent still names it.

use std::collections::HashMap;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;
use uuid::Uuid;

use crate::core::{Event, Phase};
use crate::trace;

/// How the events go to the listener.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum SendFormat {
    /// lineage NDJSON lines to `/v1/events` (lossless).
    Ndjson,
    /// OTLP protobuf (`ExportTraceServiceRequest`) to `/v1/traces`, one span per finished
    /// operation: what OpenTelemetry SDKs send by default.
    Otlp,
    /// The same as OTLP JSON.
    OtlpJson,
}

impl SendFormat {
    /// The listener's route for this format.
    pub(crate) fn path(self) -> &'static str {
        match self {
            SendFormat::Ndjson => "/v1/events",
            SendFormat::Otlp | SendFormat::OtlpJson => "/v1/traces",
        }
    }

    /// The `Content-Type` of a body in this format.
    pub(crate) fn content_type(self) -> &'static str {
        match self {
            SendFormat::Ndjson => "application/x-ndjson",
            SendFormat::Otlp => "application/x-protobuf",
            SendFormat::OtlpJson => "application/json",
        }
    }
}

/// Events waiting to be sent; see the module docs.
pub(crate) struct Batch {
    format: SendFormat,
    /// Events that may leave with the next request.
    ready: Vec<Event>,
    /// OTLP only: operations in flight, by start event id: the start and the points under it.
    open: HashMap<Uuid, Vec<Event>>,
}

/// One encoded request body and what it holds.
pub(crate) struct Body {
    pub bytes: Vec<u8>,
    /// Events in the body.
    pub events: usize,
    /// Spans in the body (start events: each level of an operation is one).
    pub operations: usize,
}

impl Batch {
    pub(crate) fn new(format: SendFormat) -> Batch {
        Batch {
            format,
            ready: Vec::new(),
            open: HashMap::new(),
        }
    }

    /// Takes one event from the bus.
    pub(crate) fn push(&mut self, event: Event) {
        if self.format == SendFormat::Ndjson {
            self.ready.push(event);
            return;
        }
        if let Some(mut operation) = event.start_id.and_then(|s| self.open.remove(&s)) {
            operation.push(event);
            self.ready.append(&mut operation);
        } else if event.phase == Phase::Started {
            self.open.insert(event.id, vec![event]);
        } else if let Some(host) = event.parent_id.and_then(|p| self.open.get_mut(&p)) {
            host.push(event);
        } else {
            // An end whose start already left, or a point with no operation in flight: it
            // can only go on its own.
            self.ready.push(event);
        }
    }

    /// Events that may leave now.
    pub(crate) fn ready_len(&self) -> usize {
        self.ready.len()
    }

    /// Lets the operations still in flight go as they are (at the end of a run).
    pub(crate) fn close(&mut self) {
        let mut open: Vec<Vec<Event>> = self.open.drain().map(|(_, v)| v).collect();
        open.sort_by_key(|v| v.first().map_or(0, |e| e.seq));
        for mut operation in open {
            self.ready.append(&mut operation);
        }
    }

    /// Encodes and empties what may leave now; `None` when nothing may.
    pub(crate) fn take(&mut self) -> Result<Option<Body>, String> {
        if self.ready.is_empty() {
            return Ok(None);
        }
        let events = std::mem::take(&mut self.ready);
        let operations = events.iter().filter(|e| e.phase == Phase::Started).count();
        let bytes = match self.format {
            SendFormat::Ndjson => trace::export_ndjson(&events).into_bytes(),
            SendFormat::Otlp => protobuf(&events)?,
            SendFormat::OtlpJson => trace::otlp_export::export(&events).into_bytes(),
        };
        Ok(Some(Body {
            bytes,
            events: events.len(),
            operations,
        }))
    }
}

/// The events as an OTLP protobuf request: the OTLP JSON document our exporter writes, read
/// into the OpenTelemetry project's own generated types (their serde mapping is OTLP JSON's)
/// and encoded by prost. One mapping from events to spans, whichever the encoding.
fn protobuf(events: &[Event]) -> Result<Vec<u8>, String> {
    let document = trace::otlp_export::traces_data(events);
    let request: ExportTraceServiceRequest = serde_json::from_value(document)
        .map_err(|e| format!("cannot encode the spans as OTLP protobuf: {e}"))?;
    Ok(request.encode_to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Event;

    fn operation() -> (Event, Event) {
        let mut start = Event::root("processing", Phase::Started);
        start.timestamp_ns = 1_000;
        let mut end = Event::root("processed", Phase::Completed);
        end.start_id = Some(start.id);
        end.timestamp_ns = 3_000;
        end.duration_ns = Some(2_000);
        (start, end)
    }

    #[test]
    fn ndjson_sends_each_event_at_once() {
        let (start, _) = operation();
        let mut batch = Batch::new(SendFormat::Ndjson);
        batch.push(start);
        let body = batch.take().unwrap().expect("the start may leave");
        assert_eq!((body.events, body.operations), (1, 1));
        assert!(batch.take().unwrap().is_none());
    }

    #[test]
    fn otlp_holds_a_start_until_its_end_arrives() {
        let (start, end) = operation();
        let mut batch = Batch::new(SendFormat::OtlpJson);
        batch.push(start);
        assert!(
            batch.take().unwrap().is_none(),
            "a lone start would be an unended span"
        );
        batch.push(end);
        let body = batch
            .take()
            .unwrap()
            .expect("the finished operation leaves");
        assert_eq!((body.events, body.operations), (2, 1));
        let doc: serde_json::Value = serde_json::from_slice(&body.bytes).unwrap();
        let spans = &doc["resourceSpans"][0]["scopeSpans"][0]["spans"];
        assert_eq!(spans.as_array().map(Vec::len), Some(1));
        assert_eq!(spans[0]["endTimeUnixNano"], "3000");
    }

    #[test]
    fn otlp_protobuf_is_read_back_by_the_listeners_decoder() {
        let (start, mut end) = operation();
        end.phase = Phase::Failed;
        end.error = Some("gpa out of range".into());
        let mut batch = Batch::new(SendFormat::Otlp);
        batch.push(start.clone());
        batch.push(end);
        let body = batch
            .take()
            .unwrap()
            .expect("the finished operation leaves");
        let decoded = crate::trace::otlp::proto::decode(&body.bytes).expect("valid protobuf");
        assert_eq!((decoded.spans, decoded.rejected_spans), (1, 0));
        let phases: Vec<_> = decoded.events.iter().map(|e| e.phase).collect();
        assert_eq!(phases, [Phase::Started, Phase::Failed]);
        assert_eq!(decoded.events[1].error.as_deref(), Some("gpa out of range"));
    }

    #[test]
    fn close_lets_unfinished_operations_go() {
        let (start, _) = operation();
        let mut batch = Batch::new(SendFormat::OtlpJson);
        batch.push(start);
        batch.close();
        assert_eq!(batch.take().unwrap().map(|b| b.operations), Some(1));
    }
}
