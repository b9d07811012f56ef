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

use uuid::Uuid;

use crate::core::{Event, Phase};
use crate::trace;

/// How the events go to the listener.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SendFormat {
    /// lineage NDJSON lines to `/v1/events` (lossless).
    Ndjson,
    /// OTLP JSON `TracesData` to `/v1/traces`, one span per finished operation.
    OtlpJson,
}

impl SendFormat {
    /// The listener's route for this format.
    pub fn path(self) -> &'static str {
        match self {
            SendFormat::Ndjson => "/v1/events",
            SendFormat::OtlpJson => "/v1/traces",
        }
    }

    /// The `Content-Type` of a body in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            SendFormat::Ndjson => "application/x-ndjson",
            SendFormat::OtlpJson => "application/json",
        }
    }
}

/// Events waiting to be sent; see the module docs.
pub struct Batch {
    format: SendFormat,
    /// Events that may leave with the next request.
    ready: Vec<Event>,
    /// OTLP only: operations in flight, by start event id: the start and the points under it.
    open: HashMap<Uuid, Vec<Event>>,
}

/// One encoded request body and what it holds.
pub struct Body {
    pub bytes: Vec<u8>,
    /// Events in the body.
    pub events: usize,
    /// Spans in the body (start events: each level of an operation is one).
    pub operations: usize,
}

impl Batch {
    pub fn new(format: SendFormat) -> Batch {
        Batch {
            format,
            ready: Vec::new(),
            open: HashMap::new(),
        }
    }

    /// Takes one event from the bus.
    pub fn push(&mut self, event: Event) {
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
    pub fn ready_len(&self) -> usize {
        self.ready.len()
    }

    /// Lets the operations still in flight go as they are (at the end of a run).
    pub fn close(&mut self) {
        let mut open: Vec<Vec<Event>> = self.open.drain().map(|(_, v)| v).collect();
        open.sort_by_key(|v| v.first().map_or(0, |e| e.seq));
        for mut operation in open {
            self.ready.append(&mut operation);
        }
    }

    /// Encodes and empties what may leave now; `None` when nothing may.
    pub fn take(&mut self) -> Option<Body> {
        if self.ready.is_empty() {
            return None;
        }
        let events = std::mem::take(&mut self.ready);
        let operations = events.iter().filter(|e| e.phase == Phase::Started).count();
        let bytes = match self.format {
            SendFormat::Ndjson => trace::export_ndjson(&events).into_bytes(),
            SendFormat::OtlpJson => trace::otlp_export::export(&events).into_bytes(),
        };
        Some(Body {
            bytes,
            events: events.len(),
            operations,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Event;

    fn operation() -> (Event, Event) {
        let start = Event::root("processing", Phase::Started);
        let mut end = Event::root("processed", Phase::Completed);
        end.start_id = Some(start.id);
        (start, end)
    }

    #[test]
    fn ndjson_sends_each_event_at_once() {
        let (start, _) = operation();
        let mut batch = Batch::new(SendFormat::Ndjson);
        batch.push(start);
        let body = batch.take().expect("the start may leave");
        assert_eq!((body.events, body.operations), (1, 1));
        assert!(batch.take().is_none());
    }

    #[test]
    fn otlp_holds_a_start_until_its_end_arrives() {
        let (start, end) = operation();
        let mut batch = Batch::new(SendFormat::OtlpJson);
        batch.push(start);
        assert!(
            batch.take().is_none(),
            "a lone start would be an unended span"
        );
        batch.push(end);
        let body = batch.take().expect("the finished operation leaves");
        assert_eq!((body.events, body.operations), (2, 1));
        let doc: serde_json::Value = serde_json::from_slice(&body.bytes).unwrap();
        let spans = &doc["resourceSpans"][0]["scopeSpans"][0]["spans"];
        assert_eq!(spans.as_array().map(Vec::len), Some(1));
        assert!(spans[0]["endTimeUnixNano"].is_string());
    }

    #[test]
    fn close_lets_unfinished_operations_go() {
        let (start, _) = operation();
        let mut batch = Batch::new(SendFormat::OtlpJson);
        batch.push(start);
        batch.close();
        assert_eq!(batch.take().map(|b| b.operations), Some(1));
    }
}
