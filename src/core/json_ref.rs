//! # A field's JSON text, borrowed
//!
//! An OTLP span's start carries two object fields, `attributes` and `otel`, that the
//! importer writes as JSON text (`trace::otlp::json_text`). Handed to the store inside an
//! owned [`Event`](crate::core::Event), that text was copied into the payload's own buffer
//! (spilled from its inline bytes), copied again from there into the store's blob, and the
//! payload freed: ~1 250 instructions an event of the budget.md document (`docs/performance.md`,
//! 2026-12-07). A [`JsonRef`] is the same value left where the importer wrote it: an
//! [`EventRef`](crate::core::EventRef) carries it ([`EventRef::json`](crate::core::EventRef)),
//! the store writes it into the blob once, and any other sink puts it into an owned event's
//! fields, encoded exactly as before ([`FieldValue`]).
//!
//! An object given as its members keeps the piece that many events share (the span's
//! resource, schema URL and scope) apart, so the store keeps that piece once
//! (`store::shared_text`).

use serde_json::Value;

use super::field_value::{put_tagged, put_varint, V_JSON, V_JSON_PIECE};
use super::{ByteSink, FieldValue};

/// A field's value as JSON text; see the module docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonRef<'a> {
    /// The whole text of a JSON value (an object or an array).
    Whole(&'a [u8]),
    /// An object given as its members, each written `,"key":value`: those before the
    /// shared piece, the shared piece's (the members many events carry alike, any of them
    /// empty), and those after.
    Members {
        /// The members before the shared piece's.
        head: &'a [u8],
        /// The shared piece's members (an OTLP span's resource, schema URL and scope).
        shared: [&'a [u8]; 3],
        /// The members after them.
        tail: &'a [u8],
    },
}

/// A [`JsonRef`]'s text as the store and the payloads keep it: one text, or one with a
/// piece kept once.
pub(crate) enum JsonLayout {
    /// The text, `len` bytes.
    Plain { len: usize },
    /// The text, `len` bytes, with the shared piece at `piece`.
    Shared {
        len: usize,
        piece: std::ops::Range<usize>,
    },
}

impl JsonRef<'_> {
    /// Its text's length, and where the shared piece is in it.
    pub(crate) fn layout(&self) -> JsonLayout {
        match *self {
            JsonRef::Whole(text) => JsonLayout::Plain { len: text.len() },
            JsonRef::Members { head, shared, tail } => {
                let shared_len: usize = shared.iter().map(|p| p.len()).sum();
                if shared_len == 0 {
                    let sum = head.len() + tail.len();
                    // The first member's comma dropped, the braces added.
                    return JsonLayout::Plain {
                        len: sum + 2 - usize::from(sum > 0),
                    };
                }
                // `{`, the head without its first comma and with a comma after it; the
                // piece without the comma in front of its first member, so that an object
                // with no member before it shares the same piece.
                let at = 1 + head.len();
                let piece = at..at + shared_len - 1;
                JsonLayout::Shared {
                    len: piece.end + tail.len() + 1,
                    piece,
                }
            }
        }
    }

    /// Appends the text, the bytes `serde_json` writes for the value.
    pub(crate) fn write(&self, out: &mut impl ByteSink) {
        match *self {
            JsonRef::Whole(text) => out.put_all(text),
            JsonRef::Members { head, shared, tail } => {
                out.put(b'{');
                let mut first = true;
                for piece in [head].iter().chain(&shared).chain([&tail]) {
                    if piece.is_empty() {
                        continue;
                    }
                    out.put_all(if first { &piece[1..] } else { piece });
                    first = false;
                }
                out.put(b'}');
            }
        }
    }
}

impl FieldValue for JsonRef<'_> {
    /// A `V_JSON` value, or a `V_JSON_PIECE` with the shared piece marked: the encoding the
    /// OTLP importer's `JsonText` and `WithOrigin` wrote for the same text, room made first.
    fn encode(self, out: &mut impl ByteSink) {
        match self.layout() {
            JsonLayout::Plain { len } => {
                out.reserve(len + 11);
                put_tagged(out, V_JSON, len as u64);
                self.write(out);
            }
            JsonLayout::Shared { len, piece } => {
                out.reserve(len + 31);
                put_tagged(out, V_JSON_PIECE, len as u64);
                put_varint(out, piece.start as u64);
                put_varint(out, piece.len() as u64);
                self.write(out);
                out.mark_shared_piece();
            }
        }
    }

    fn into_value(self) -> Value {
        let mut text = Vec::new();
        self.write(&mut text);
        serde_json::from_slice(&text).expect("a JsonRef holds JSON text")
    }
}
