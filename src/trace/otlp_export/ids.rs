//! # Trace and span ids
//!
//! A trace that came from OTLP keeps its ids (the importer's `otel.trace_id` /
//! `otel.span_id`); others get the lineage id as the trace id and the start event's uuid
//! folded to 64 bits as the span id. Span ids are unique within each trace and never zero: a
//! collision is re-mixed deterministically, so the same events always give the same
//! document.

use std::collections::HashSet;

use uuid::Uuid;

use crate::core::ids::IdMap;
use crate::core::Event;
use crate::model::Spans;
use crate::model::Status;
use crate::trace::source::EventSource;

/// The ids of every span of a trace, by span index.
pub(super) struct Ids {
    /// `None` for a point event that becomes a span event of its operation.
    pub span: Vec<Option<[u8; 8]>>,
    pub trace: Vec<[u8; 16]>,
}

impl Ids {
    /// Ids first, so a parent's span id is known whatever the order of spans.
    /// From a store, each span's first event is decoded here once, for the ids an OTLP import
    /// kept in its payload, and again when its span is written: no list of decoded events is
    /// held between the two.
    pub(super) fn assign<S: EventSource + ?Sized>(src: &S, spans: &Spans) -> Ids {
        let mut used = SpanIds::default();
        let mut ids = Ids {
            span: vec![None; spans.len()],
            trace: Vec::with_capacity(spans.len()),
        };
        for (s, span) in spans.spans.iter().enumerate() {
            let first = &*src.event(span.start);
            let trace_id = trace_id_of(first);
            ids.trace.push(trace_id);
            if !is_span_event(spans, s) {
                ids.span[s] = Some(used.assign(trace_id, first));
            }
        }
        ids
    }
}

/// A point event with no events below it, under an operation: a span event of that
/// operation's span, not a span of its own.
fn is_span_event(spans: &Spans, s: usize) -> bool {
    let span = &spans.spans[s];
    span.status == Status::Point
        && span.children.is_empty()
        && span
            .parent
            .is_some_and(|p| spans.spans[p].status != Status::Point)
}

/// The trace id: the one an OTLP import kept, else the lineage id (never all zeros, which
/// OTLP reserves for "no trace").
fn trace_id_of(e: &Event) -> [u8; 16] {
    let kept = otel_hex(e, "trace_id", 32).and_then(|s| u128::from_str_radix(s, 16).ok());
    let id = match kept.unwrap_or(e.lineage_id.as_u128()) {
        0 => !0,
        id => id,
    };
    id.to_be_bytes()
}

/// The span id an OTLP import kept, if it is one (not zero).
fn kept_span_id(e: &Event) -> Option<[u8; 8]> {
    let s = otel_hex(e, "span_id", 16)?;
    let id = u64::from_str_radix(s, 16).ok()?;
    (id != 0).then(|| id.to_be_bytes())
}

/// A hex id of `digits` digits the OTLP importer kept in `payload.extra["otel"][key]`.
fn otel_hex<'a>(e: &'a Event, key: &str, digits: usize) -> Option<&'a str> {
    let s = e.payload.extra.get("otel")?.get(key)?.as_str()?;
    (s.len() == digits && s.bytes().all(|b| b.is_ascii_hexdigit())).then_some(s)
}

/// A uuid folded to 64 bits: both halves count, so ids that share one half (derived ids of
/// other importers share their high half) still differ.
pub(super) fn fold(id: Uuid) -> [u8; 8] {
    let (hi, lo) = id.as_u64_pair();
    (hi ^ lo.rotate_left(32)).to_be_bytes()
}

/// Span ids handed out so far, per trace.
#[derive(Default)]
struct SpanIds {
    used: IdMap<HashSet<[u8; 8]>>,
}

impl SpanIds {
    /// A span id for `e` in `trace`: the one an OTLP import kept, else the folded uuid,
    /// re-mixed (splitmix64) until it is unique in the trace and not zero.
    fn assign(&mut self, trace: [u8; 16], e: &Event) -> [u8; 8] {
        let used = self.used.entry(Uuid::from_bytes(trace)).or_default();
        let mut id = kept_span_id(e).unwrap_or_else(|| fold(e.id));
        while id == [0; 8] || used.contains(&id) {
            id = splitmix64(u64::from_be_bytes(id)).to_be_bytes();
        }
        used.insert(id);
        id
    }
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Lowercase hex, as OTLP writes ids.
pub(super) fn hex(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::core::Phase;

    #[test]
    fn colliding_span_ids_are_remixed_and_zero_is_never_used() {
        let mut ids = SpanIds::default();
        let trace = [1; 16];
        let mut e = Event::root("processing", Phase::Started);
        e.id = Uuid::nil(); // folds to zero
        let a = ids.assign(trace, &e);
        let b = ids.assign(trace, &e); // same uuid again: a collision
        assert_ne!(a, [0; 8]);
        assert_ne!(a, b);
        // Another trace has its own ids: the same event gets the same id there.
        assert_eq!(ids.assign([2; 16], &e), a);
    }
}
