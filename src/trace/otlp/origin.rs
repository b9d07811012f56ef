//! # What the spans of one scope share
//!
//! A `scopeSpans` element's resource, scope and schema URL, which every span converted from
//! it carries (`span.rs` converts, `json_text.rs` writes them into the start's `otel` object).
//! Its own file so that the writer and the converter name it without importing each other.
//!
//! They are kept as the JSON text `serde_json` writes for them, written once per element:
//! written again from their `Value`s at every span, they were ~1 200 instructions a span of
//! the budget.md document (serde_json's serializer over a one-attribute resource and a
//! scope; callgrind, 2026-12-06), 15 % of its import.
//!
//! In the store too they are kept once: a start's `otel` text is handed over with its
//! origin's members marked ([`WithOrigin`]), and the store keeps that piece as a symbol
//! (`core::store::shared_text`): ~90 bytes a span less in the arena for the document of
//! `docs/budget.md`, which is what lets its million spans open in the page's budget.

use serde_json::Value;

use crate::core::field_value::{put_tagged, put_varint, V_JSON_PIECE};
use crate::core::{ByteSink, FieldValue};

/// What the spans of one `scopeSpans` share, each as its JSON text.
#[derive(Default, Clone, Copy)]
pub(super) struct Origin<'a> {
    pub resource: Option<&'a [u8]>,
    pub scope: Option<&'a [u8]>,
    /// The schema URL as a JSON string (quotes and escapes included).
    pub schema_url: Option<&'a [u8]>,
}

/// The JSON text `serde_json` writes for `v`.
pub(super) fn text_of(v: &(impl serde::Serialize + ?Sized)) -> Vec<u8> {
    serde_json::to_vec(v).expect("writing JSON to memory succeeds")
}

/// An origin's members written once, for the [`Origin`] every span of it borrows.
#[derive(Default)]
pub(super) struct Written {
    pub resource: Option<Vec<u8>>,
    pub scope: Option<Vec<u8>>,
    pub schema_url: Option<Vec<u8>>,
}

impl Written {
    pub(super) fn new(
        resource: Option<&Value>,
        scope: Option<&Value>,
        schema_url: Option<&str>,
    ) -> Written {
        Written {
            resource: resource.map(text_of),
            scope: scope.map(text_of),
            schema_url: schema_url.map(text_of),
        }
    }

    pub(super) fn origin(&self) -> Origin<'_> {
        Origin {
            resource: self.resource.as_deref(),
            scope: self.scope.as_deref(),
            schema_url: self.schema_url.as_deref(),
        }
    }
}

/// `otel`'s members (`,"key":value` pieces, as `json_text::OpenExtra` writes them) put
/// between braces, the origin's members marked as the piece the store keeps once: the
/// same text as `JsonText` writes, only marked (`core::field_value::V_JSON_PIECE`).
pub(super) struct WithOrigin<'a> {
    /// The members before the origin's (`flags` to `parent_span_id`).
    pub head: &'a [u8],
    /// The origin's members, not all empty.
    pub origin: [&'a [u8]; 3],
    /// The members after it (`span_id` to `trace_state`).
    pub tail: &'a [u8],
}

impl WithOrigin<'_> {
    /// Where the origin's members are in the text (without the comma in front of the
    /// first, so that a span with no member before them shares the same piece), and the
    /// text's length.
    fn piece(&self) -> (std::ops::Range<usize>, usize) {
        let origin: usize = self.origin.iter().map(|p| p.len()).sum();
        // `{`, the head without its first comma and with a comma after it.
        let at = 1 + self.head.len();
        let piece = at..at + origin - 1;
        (piece.clone(), piece.end + self.tail.len() + 1)
    }

    fn write(&self, out: &mut impl ByteSink) {
        out.put(b'{');
        if let Some((_, head)) = self.head.split_first() {
            out.put_all(head);
            out.put(b',');
        }
        let mut first = true;
        for piece in self.origin.iter().filter(|p| !p.is_empty()) {
            out.put_all(if first { &piece[1..] } else { piece });
            first = false;
        }
        out.put_all(self.tail);
        out.put(b'}');
    }
}

impl FieldValue for WithOrigin<'_> {
    /// Written in place, room made for all of it first (`ByteSink::reserve`): written into
    /// a scratch `Vec` and copied, then spilled from the payload's inline buffer and
    /// grown there, it cost ~1 400 instructions a span (callgrind, 2026-12-07).
    fn encode(self, out: &mut impl ByteSink) {
        let (piece, len) = self.piece();
        out.reserve(len + 31);
        put_tagged(out, V_JSON_PIECE, len as u64);
        put_varint(out, piece.start as u64);
        put_varint(out, piece.len() as u64);
        self.write(out);
        out.mark_shared_piece();
    }

    fn into_value(self) -> Value {
        let mut text = Vec::with_capacity(self.piece().1);
        self.write(&mut text);
        serde_json::from_slice(&text).expect("the text written here is JSON")
    }
}
