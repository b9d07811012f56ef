//! # OTLP protobuf spans, prepared for the store without building `Event`s
//!
//! The listener's path for `application/x-protobuf` requests. [`super::proto`] translates
//! every span into the JSON reader's shapes and converts it into owned [`Event`]s: per span
//! a JSON object tree for `otel` holding deep copies of its resource's and scope's
//! attributes, another for its attributes, strings for every key, all freed once encoded.
//! Here a decoded request becomes a [`Prepared`] batch instead:
//! - the resource's and the scope's attributes are written as JSON text once per request
//!   (not once per span) and copied as bytes into each span's `otel`;
//! - span names are kept once per request ([`Prepared::name`]) and interned once per batch;
//! - ids are read from the bytes, the fields written as the JSON text the store keeps
//!   ([`super::proto_json`]), the events linked by the same [`Linker`] and put in the same
//!   order.
//!
//! The result is the same stored events as the `Event` conversion (the tests below hold the
//! two to each other, on the OTLP fixtures and on generated requests). One thing neither
//! path fixes: spans whose parent is not in the request are linked among themselves in the
//! order the linker's table hands them back, which is seeded per table, so two such spans
//! starting at the same nanosecond may come in either order on either path.

use std::convert::Infallible;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1 as pb_common;
use opentelemetry_proto::tonic::resource::v1 as pb_resource;
use opentelemetry_proto::tonic::trace::v1 as pb;
use prost::Message;
use serde_json::Value;
use uuid::Uuid;

use super::link::Linker;
use super::proto::{key_values, non_empty, scope};
use super::proto_json::{write_json, Attribute, OriginText};
use super::span_events::SpanEvents;
use super::wire::attributes;
use crate::core::store::prepared::{Prepared, PreparedEvent};
use crate::trace::{lineage_of, Linkable};
use events::{span_events, span_ids, SpanHead, SpanParts};

/// A request's spans as a prepared batch, with what was refused in it.
#[derive(Default)]
pub(crate) struct DirectSpans {
    /// The spans' events: roots and lineages linked within the request, in time order.
    pub batch: Prepared,
    /// Spans in the request, and how many of them were rejected.
    pub spans: u64,
    pub rejected_spans: u64,
    /// Why the first rejected span was rejected (empty when none was).
    pub rejection: String,
}

/// Why a request was not prepared.
#[derive(Debug)]
pub(crate) enum Refused {
    /// The body is not an `ExportTraceServiceRequest`.
    Decode(prost::DecodeError),
    /// Its events would hold more than the budget (one sentence saying so).
    OverBudget(String),
}

/// Decodes a serialized `ExportTraceServiceRequest` and prepares its spans, holding at most
/// `max_bytes` for them.
pub(crate) fn decode(bytes: &[u8], max_bytes: u64) -> Result<DirectSpans, Refused> {
    if let Some(done) = frames::prepare(bytes, max_bytes) {
        return Ok(done);
    }
    decode_whole(bytes, max_bytes)
}

/// [`decode`] by prost's decoding of the whole request: for every body the framed reader
/// gives up on (`frames`), and the reference its tests hold it to.
pub(crate) fn decode_whole(bytes: &[u8], max_bytes: u64) -> Result<DirectSpans, Refused> {
    let request = ExportTraceServiceRequest::decode(bytes).map_err(Refused::Decode)?;
    prepare(request, max_bytes).map_err(Refused::OverBudget)
}

impl Linkable for PreparedEvent {
    fn id(&self) -> Uuid {
        self.id
    }
    fn parent_id(&self) -> Option<Uuid> {
        self.parent_id
    }
    fn start_id(&self) -> Option<Uuid> {
        self.start_id
    }
    fn set_tree(&mut self, root_id: Uuid, lineage_id: Uuid) {
        self.root_id = root_id;
        self.lineage_id = lineage_id;
    }
    fn heap_bytes(&self) -> usize {
        0 // its text lives in the batch
    }
}

/// Prepares the spans of a decoded request (see the module docs). Every span's `otel`
/// carries its resource and scope, so a small body (one large resource, many tiny spans)
/// can ask for far more than it weighs: past `max_bytes` the request is refused.
pub(crate) fn prepare(
    request: ExportTraceServiceRequest,
    max_bytes: u64,
) -> Result<DirectSpans, String> {
    let spans: usize = (request.resource_spans.iter())
        .flat_map(|rs| rs.scope_spans.iter().map(|ss| ss.spans.len()))
        .sum();
    let body_len = request.encoded_len();
    let mut preparer = Preparer::new(spans, max_bytes, body_len);
    for rs in request.resource_spans {
        let resource = rs.resource.map(resource_text);
        let schema_url = non_empty(rs.schema_url).map(|u| json_text(&u));
        for ss in rs.scope_spans {
            let scope = ss.scope.map(scope_text);
            let origin =
                OriginText::new(resource.as_deref(), scope.as_deref(), schema_url.as_deref());
            for s in ss.spans {
                preparer.span(&s, &SpanHead::of(&s), &s.attributes, &origin)?;
            }
        }
    }
    Ok(preparer.finish())
}

/// A resource's attributes as the JSON text every span of it carries in `otel`.
fn resource_text(r: pb_resource::Resource) -> Vec<u8> {
    json_text(&Value::Object(attributes(key_values(r.attributes))))
}

/// A scope as the JSON text every span of it carries in `otel`.
fn scope_text(s: pb_common::InstrumentationScope) -> Vec<u8> {
    json_text(&super::scope_value(scope(s)))
}

/// A request's spans prepared one at a time, in the order they come, then linked and put
/// in time order ([`Preparer::finish`]); the budget is checked at every span.
pub(super) struct Preparer {
    out: DirectSpans,
    linker: Linker<PreparedEvent>,
    linked: Vec<PreparedEvent>,
    max_bytes: u64,
    /// Spans in the request, and the most text to reserve for them at once.
    expected: usize,
    reserve_cap: usize,
}

impl Preparer {
    /// For a request of `spans` spans. The count must be exact: the linker's table is
    /// sized by it, and spans without a parent in the request come back in its order.
    /// `body_len` is the request's size: the text reserved after the first span is at
    /// most eight times it (and never past `max_bytes`).
    pub(super) fn new(spans: usize, max_bytes: u64, body_len: usize) -> Preparer {
        Preparer {
            out: DirectSpans::default(),
            linker: Linker::with_capacity(spans),
            linked: Vec::with_capacity(2 * spans),
            max_bytes,
            expected: spans,
            reserve_cap: body_len.saturating_mul(8).min(max_bytes as usize),
        }
    }

    /// After the first span: room for the text of all of them, as long as the first, so
    /// the text is not copied at every doubling (`realloc` was ~240 instructions a span,
    /// `docs/live.md`).
    fn reserve_text(&mut self) {
        let text = self.out.batch.text_mut();
        // A quarter more: the first span is often a root, shorter by its parent's id.
        let want = (text.len().saturating_mul(self.expected) / 4 * 5).min(self.reserve_cap);
        text.reserve(want.saturating_sub(text.len()));
    }

    /// Prepares the next span, with its ids and name (`head`) and its attributes (from
    /// `s`, or read beside it by the framed reader), or refuses the request when it would
    /// hold more than the budget.
    ///
    /// A span whose root is known at once (its parent came first, or it has none) is
    /// written straight into the linked events, its root set; only a span that must wait
    /// for its parent is held in a `Vec` of its own by the [`Linker`].
    fn span<A: Attribute>(
        &mut self,
        s: &pb::Span,
        head: &SpanHead<'_>,
        attributes: &[A],
        origin: &OriginText,
    ) -> Result<(), String> {
        let out = &mut self.out;
        out.spans += 1;
        let held = out.batch.text_len() + 3 * out.spans as usize * EVENT_BYTES;
        if held as u64 > self.max_bytes {
            return Err(format!(
                "the request's spans would hold more than the listener's budget for \
                 one request ({} bytes; each span repeats its resource and scope)",
                self.max_bytes
            ));
        }
        let ids = match span_ids(s, head) {
            Ok(ids) => ids,
            Err(why) => {
                if out.rejected_spans == 0 {
                    out.rejection = why;
                }
                out.rejected_spans += 1;
                return Ok(());
            }
        };
        let span = SpanParts {
            s,
            head,
            ids: &ids,
            attributes,
            origin,
        };
        let linked = &mut self.linked;
        match self.linker.place(ids.id, ids.parent_id) {
            Some(root) => {
                let lineage = lineage_of(root.id);
                span_events(&span, &mut out.batch, |mut e| {
                    e.root_id = root.id;
                    e.lineage_id = lineage;
                    linked.push(e);
                });
                let mut ready = |e: PreparedEvent| -> Result<(), Infallible> {
                    linked.push(e);
                    Ok(())
                };
                let Ok(()) = self.linker.release_waiting(ids.id, root, &mut ready);
            }
            None => {
                let mut events = Vec::with_capacity(2 + s.events.len());
                span_events(&span, &mut out.batch, |e| events.push(e));
                self.linker.wait(SpanEvents {
                    id: ids.id,
                    parent: ids.parent_id,
                    events,
                });
            }
        }
        if self.out.spans == 1 {
            self.reserve_text();
        }
        Ok(())
    }

    /// Links what is left and puts the events in time order.
    pub(super) fn finish(mut self) -> DirectSpans {
        let linked = &mut self.linked;
        let mut ready = |e: PreparedEvent| -> Result<(), Infallible> {
            linked.push(e);
            Ok(())
        };
        let Ok(_) = self.linker.step(usize::MAX, &mut ready);
        self.out.batch.events = in_time_order(self.linked);
        self.out
    }
}

/// What a prepared event costs besides its text (its start, end and a span event, about).
const EVENT_BYTES: usize = std::mem::size_of::<PreparedEvent>();

/// The events in time order, a span's start and span events before any end of the same
/// nanosecond, ties kept in the order they came (what `sort_by_key` on the events does),
/// sorting 16-byte keys rather than moving the events themselves at every step.
fn in_time_order(events: Vec<PreparedEvent>) -> Vec<PreparedEvent> {
    let key = |e: &PreparedEvent| (e.timestamp_ns, u8::from(e.start_id.is_some()));
    if events.is_sorted_by_key(key) {
        return events;
    }
    let mut keys: Vec<(u64, u8, u32)> = (events.iter().enumerate())
        .map(|(i, e)| {
            let (at, rank) = key(e);
            (at, rank, i as u32)
        })
        .collect();
    // Unique keys (the index breaks every tie), so an unstable sort keeps arrival order.
    keys.sort_unstable();
    keys.iter().map(|&(_, _, i)| events[i as usize]).collect()
}

fn json_text(v: &(impl serde::Serialize + ?Sized)) -> Vec<u8> {
    let mut text = Vec::new();
    write_json(&mut text, v);
    text
}

mod events;
mod frames;
#[cfg(test)]
mod tests;
