//! # Spans that wait for their element's last word
//!
//! Every event of a span carries its resource, its scope and its resource's `schemaUrl` in
//! `payload.extra.otel`. Read span by span, a span may come before them: protobuf's field
//! order, and the collector's JSON, write `schemaUrl` after `scopeSpans`, and nothing stops
//! a writer from putting `resource` or `scope` last. Until its element says (the key comes,
//! or the element closes without it), a span does not know its `otel` object.
//!
//! Such a span waits here, converted as far as it can be (its ids, times, name and status
//! as [`super::span::Parts`], ~100 bytes; its events are built when it goes on), its `otel`
//! object open ([`super::span::convert_open`]), in file order. What arrives later is
//! written into the waiting spans, and the spans at the front whose origin is complete go on
//! to the linker, so the order in which spans reach it (and so the import's output) is the
//! order of the whole-element reading.
//!
//! Spans whose origin has become complete do not all go on at once (an element's close
//! would push thousands of spans in one call, a long frame in a page): each record read
//! after lets a few go ([`RELEASE_PER_RECORD`]), and the end of the input the rest, in
//! slices. The order stays the file's.
//!
//! The window is bounded: at most [`MAX_SPANS`] spans and [`MAX_BYTES`] bytes wait. A
//! document that holds more spans before its element's last word (one `resourceSpans` of a
//! million spans and no `schemaUrl` at all is the common case: nothing can tell that none
//! will come) lets the oldest go on with what is known then, so memory stays bounded and
//! the work per span constant. A key that then arrives for spans already gone says so in a
//! note ([`super::by_span`]): in practice writers put `schemaUrl` after batches of at most
//! a few thousand spans (the collector's batch processor sends 8 192), which fit.

use std::collections::VecDeque;

use super::json_text::OpenExtra;
use super::span::Parts;
use super::span_events::SpanEvents;

/// Spans that may wait at once: the collector's batch of 8 192 spans fits.
pub(super) const MAX_SPANS: usize = 8 * 1024;
/// Spans whose origin is complete that go on with each record read: more than one, so the
/// window empties while new spans come.
pub(super) const RELEASE_PER_RECORD: usize = 4;
/// Bytes that may wait at once (an estimate, counted against the memory budget too).
pub(super) const MAX_BYTES: usize = 16 << 20;

/// What a span did not know of its origin when it was read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Lacks {
    pub resource: bool,
    pub schema_url: bool,
    pub scope: bool,
}

impl Lacks {
    pub(super) fn any(self) -> bool {
        self.resource || self.schema_url || self.scope
    }

    pub(super) fn union(self, other: Lacks) -> Lacks {
        Lacks {
            resource: self.resource || other.resource,
            schema_url: self.schema_url || other.schema_url,
            scope: self.scope || other.scope,
        }
    }
}

/// One waiting span: what its events are built from, the start's `payload.extra` apart,
/// and what it lacks.
pub(super) struct Held {
    pub parts: Parts,
    pub extra: OpenExtra,
    /// Its element's index, and its scope's index in its element.
    pub element: usize,
    pub scope: usize,
    pub lacks: Lacks,
    pub bytes: usize,
}

impl Held {
    /// A span read with what `lacks` says it did not know; `text_len` is its text's length,
    /// from which its open `otel` object's size is guessed.
    pub(super) fn new(
        parts: Parts,
        extra: OpenExtra,
        (element, scope): (usize, usize),
        lacks: Lacks,
        text_len: usize,
    ) -> Held {
        let bytes = std::mem::size_of::<Held>() + 2 * text_len + parts.heap_bytes();
        Held {
            parts,
            extra,
            element,
            scope,
            lacks,
            bytes,
        }
    }

    /// Writes `key` of its `otel` object (nothing for an absent value, as the whole-element
    /// reading writes nothing).
    pub(super) fn fill(&mut self, key: &str, value: Option<&[u8]>) {
        self.extra.fill(key, value);
    }

    /// Events this span gives.
    pub(super) fn events(&self) -> usize {
        self.parts.event_count()
    }

    /// Its events, complete, for the linker.
    pub(super) fn into_span(self) -> SpanEvents {
        let (id, parent) = (self.parts.id, self.parts.parent_id);
        let mut events = Vec::with_capacity(self.parts.event_count());
        self.parts
            .into_events(self.extra.into_fields(), &mut events);
        SpanEvents { id, parent, events }
    }
}

/// The waiting spans, oldest first; see the module docs.
#[derive(Default)]
pub(super) struct Window {
    spans: VecDeque<Held>,
    bytes: usize,
    events: usize,
}

impl Window {
    pub(super) fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Bytes held by the waiting spans.
    pub(super) fn bytes(&self) -> usize {
        self.bytes + self.spans.capacity() * std::mem::size_of::<Held>()
    }

    /// Events of the waiting spans (owed to the sink).
    pub(super) fn events(&self) -> usize {
        self.events
    }

    pub(super) fn push(&mut self, held: Held) {
        self.bytes += held.bytes;
        self.events += held.events();
        self.spans.push_back(held);
    }

    /// Whether more wait than the window holds.
    pub(super) fn overflowing(&self) -> bool {
        self.spans.len() > MAX_SPANS || (self.bytes > MAX_BYTES && self.spans.len() > 1)
    }

    /// The oldest span, if `ready` says it may go (or always, `ready` being `None`).
    pub(super) fn pop_front_if(&mut self, ready: impl Fn(&Held) -> bool) -> Option<Held> {
        if !ready(self.spans.front()?) {
            return None;
        }
        let held = self.spans.pop_front()?;
        self.bytes -= held.bytes;
        self.events -= held.events();
        Some(held)
    }

    /// The waiting spans of element `r`, for a key of it that has come (the newest run:
    /// spans wait in file order, so this costs what waits of this element only).
    pub(super) fn element_mut(&mut self, r: usize) -> impl Iterator<Item = &mut Held> {
        self.spans
            .iter_mut()
            .rev()
            .take_while(move |h| h.element == r)
    }

    /// The waiting spans of scope `s` of element `r` (the newest run).
    pub(super) fn scope_mut(&mut self, r: usize, s: usize) -> impl Iterator<Item = &mut Held> {
        self.element_mut(r).take_while(move |h| h.scope == s)
    }
}
