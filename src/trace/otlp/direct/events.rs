//! # One span's prepared events
//!
//! A span of the listener's direct path becomes its start (with its attributes and `otel`
//! as JSON text), its span events and its end, as `span::convert` makes them for the
//! `Event` conversion; [`super::Preparer`] links them.

use opentelemetry_proto::tonic::trace::v1 as pb;
use uuid::Uuid;

use super::super::proto::fixed;
use super::super::proto_json::{write_attributes, write_otel, Attribute, OriginText, SpanIds};
use super::super::scalars::StatusCode;
use super::super::span::{end_uuid, point_uuid, span_uuid};
use crate::core::store::prepared::{Prepared, PreparedEvent, TextRef, MAX_FIELDS};
use crate::core::Phase;

/// What the framed reader reads of a span itself, borrowed from the body: its ids and
/// its name (no `Vec` or `String` filled per span); the rest is prost's `Span`.
#[derive(Default)]
pub(super) struct SpanHead<'a> {
    pub trace_id: &'a [u8],
    pub span_id: &'a [u8],
    pub parent_span_id: &'a [u8],
    pub name: &'a str,
}

impl<'a> SpanHead<'a> {
    /// The head of a span prost decoded whole.
    pub(super) fn of(s: &'a pb::Span) -> Self {
        SpanHead {
            trace_id: &s.trace_id,
            span_id: &s.span_id,
            parent_span_id: &s.parent_span_id,
            name: &s.name,
        }
    }
}

/// A span's ids as the store keeps them, and its status.
pub(super) struct Ids<'a> {
    pub(super) id: Uuid,
    pub(super) parent_id: Option<Uuid>,
    pub(super) wire: SpanIds,
    pub(super) message: Option<&'a str>,
}

/// Everything one span's events are made of.
pub(super) struct SpanParts<'s, 'a, A> {
    pub(super) s: &'s pb::Span,
    pub(super) head: &'s SpanHead<'a>,
    pub(super) ids: &'s Ids<'s>,
    pub(super) attributes: &'s [A],
    pub(super) origin: &'s OriginText,
}

/// A span's ids, as `span::convert` reads them; `Err` for ids of the wrong length.
pub(super) fn span_ids<'s>(s: &'s pb::Span, head: &SpanHead<'_>) -> Result<Ids<'s>, String> {
    let trace = fixed::<16>(head.trace_id, "trace id")?;
    let span = fixed::<8>(head.span_id, "span id")?;
    let parent = if head.parent_span_id.is_empty() {
        None
    } else {
        Some(fixed::<8>(head.parent_span_id, "parent span id")?)
    };
    let (code, message) = s.status.as_ref().map_or((0, None), |st| {
        let code = StatusCode::try_from(st.code as u64).map_or(0, StatusCode::number);
        (
            code,
            (!st.message.is_empty()).then_some(st.message.as_str()),
        )
    });
    Ok(Ids {
        id: span_uuid(span, trace),
        parent_id: parent.map(|p| span_uuid(p, trace)),
        wire: SpanIds {
            trace,
            span,
            parent,
            code,
        },
        message,
    })
}

/// One span's events, as `span::convert` makes them, handed to `push` in order: its start,
/// its span events, its end (if it ended).
pub(super) fn span_events<A: Attribute>(
    span: &SpanParts<'_, '_, A>,
    batch: &mut Prepared,
    mut push: impl FnMut(PreparedEvent),
) {
    let (s, ids) = (span.s, span.ids);
    let (fields, field_count) = start_fields(span, batch);
    let start = PreparedEvent {
        id: ids.id,
        parent_id: ids.parent_id,
        start_id: None,
        root_id: ids.id,
        lineage_id: ids.id,
        kind: "span",
        phase: Phase::Started,
        timestamp_ns: s.start_time_unix_nano,
        duration_ns: None,
        process: batch.name(span.head.name),
        error: None,
        fields,
        field_count,
    };
    push(start);
    for (k, ev) in s.events.iter().enumerate() {
        push(point_event(ids.id, k, ev, batch));
    }
    let code = ids.wire.code;
    if let Some(end) = end_event(&start, s.end_time_unix_nano, code, ids.message, batch) {
        push(end);
    }
}

/// A span start's fields: its attributes (if any) and `otel`, in the order a `Map` keeps.
fn start_fields<A: Attribute>(
    span: &SpanParts<'_, '_, A>,
    batch: &mut Prepared,
) -> ([(&'static str, TextRef); MAX_FIELDS], u8) {
    let mut fields = [("", TextRef::default()); MAX_FIELDS];
    let mut n = 0;
    if !span.attributes.is_empty() {
        let at = batch.text_mut().len();
        write_attributes(batch.text_mut(), span.attributes);
        fields[n] = ("attributes", batch.text_since(at));
        n += 1;
    }
    let at = batch.text_mut().len();
    let ids = span.ids;
    write_otel(
        batch.text_mut(),
        span.s,
        &ids.wire,
        ids.message,
        span.origin,
    );
    fields[n] = ("otel", batch.text_since(at));
    (fields, n as u8 + 1)
}

/// The end of the span whose start is `start`, if it ended (an end time other than 0):
/// `failed` with the status message (or "error status") when the code is 2. A span that
/// ends before it starts is read as lasting 0 ns (the file path also notes it).
fn end_event(
    start: &PreparedEvent,
    end_time: u64,
    code: u8,
    message: Option<&str>,
    batch: &mut Prepared,
) -> Option<PreparedEvent> {
    if end_time == 0 {
        return None;
    }
    let end_ns = end_time.max(start.timestamp_ns);
    let error = (code == 2).then(|| {
        let at = batch.text_mut().len();
        let text = message.unwrap_or("error status");
        batch.text_mut().extend_from_slice(text.as_bytes());
        batch.text_since(at)
    });
    Some(PreparedEvent {
        id: end_uuid(start.id),
        start_id: Some(start.id),
        phase: if code == 2 {
            Phase::Failed
        } else {
            Phase::Completed
        },
        timestamp_ns: end_ns,
        duration_ns: Some(end_ns - start.timestamp_ns),
        error,
        field_count: 0,
        ..*start
    })
}

/// The `k`th span event of the span `span` (`span::point_event`).
fn point_event(span: Uuid, k: usize, ev: &pb::span::Event, batch: &mut Prepared) -> PreparedEvent {
    let mut fields = [("", TextRef::default()); MAX_FIELDS];
    let mut n = 0;
    if !ev.attributes.is_empty() {
        let at = batch.text_mut().len();
        write_attributes(batch.text_mut(), &ev.attributes);
        fields[0] = ("attributes", batch.text_since(at));
        n = 1;
    }
    PreparedEvent {
        id: point_uuid(span, k),
        parent_id: Some(span),
        start_id: None,
        root_id: span,
        lineage_id: span,
        kind: "span_event",
        phase: Phase::Progress,
        timestamp_ns: ev.time_unix_nano,
        duration_ns: None,
        process: batch.name(&ev.name),
        error: None,
        fields,
        field_count: n,
    }
}
