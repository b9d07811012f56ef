//! # JSON text with a piece many events share, kept once
//!
//! An OTLP span's start carries `payload.extra.otel`, an object whose members include the
//! span's resource, schema URL and scope: the same text for every span of a `scopeSpans`
//! element (`"resource":{"service.name":"bench"},"scope":{…}`: ~90 bytes of the ~140 a
//! span's start took in the arena for the document of `docs/budget.md`). Kept in every
//! blob, a million spans took 236 bytes an event, over the 209 that 2 M events may take in
//! the page's 400 MiB (`Limits::BROWSER`).
//!
//! The importer marks that piece in the text it writes (a [`V_JSON_PIECE`] value, its
//! fields flagged by `ByteSink::mark_shared_piece`), and the store keeps the piece as a
//! symbol: the blob holds the text before it, the symbol, and the text after it
//! ([`V_JSON_SYM`]). Every reader puts the three back together ([`SharedText`]), so the
//! field reads, writes and searches as the same JSON text as before, byte for byte: the
//! views and the NDJSON, Chrome and OTLP exports cannot tell.
//!
//! A symbol, not a table of its own: interned by content through the symbols' content
//! cache (one compare of the piece's text an event, the spans of one element naming the
//! same piece in a row), counted by the import budget with the other symbols, and never
//! freed, as they are not; the pieces are as many as a file's distinct origins.

use super::symbols::{Sym, Symbols};
use crate::core::field_value::{put_varint, Reader, V_JSON_PIECE, V_JSON_SYM};

/// Copies one field value from a payload's encoded fields into a blob, a
/// [`V_JSON_PIECE`] as a [`V_JSON_SYM`] (its piece interned), any other value as it is.
#[inline]
pub(crate) fn copy_value(rd: &mut Reader<'_>, symbols: &mut Symbols, out: &mut Vec<u8>) {
    if rd.bytes[rd.at] != V_JSON_PIECE {
        return out.extend_from_slice(rd.skip_value());
    }
    rd.at += 1;
    let (text, piece) = rd.piece_text();
    let sym = symbols.intern_utf8(&text[piece.clone()]);
    out.push(V_JSON_SYM);
    put_varint(out, piece.start as u64);
    out.extend_from_slice(&text[..piece.start]);
    put_varint(out, u64::from(sym.0));
    put_varint(out, (text.len() - piece.end) as u64);
    out.extend_from_slice(&text[piece.end..]);
}

/// A JSON text as a blob keeps it: in one piece, or around a shared piece.
pub(crate) struct SharedText<'a> {
    pub before: &'a [u8],
    pub piece: &'a [u8],
    pub after: &'a [u8],
}

impl<'a> SharedText<'a> {
    /// Reads the rest of a [`V_JSON_SYM`] or [`V_JSON_PIECE`] value from a blob (past its
    /// tag), or of any other text value (its length and bytes, all in `before`).
    pub(crate) fn read(tag: u8, rd: &mut Reader<'a>, symbols: &'a Symbols) -> SharedText<'a> {
        match tag {
            V_JSON_SYM => {
                let n = rd.varint() as usize;
                let before = rd.take(n);
                let piece = symbols.str(Sym(rd.varint() as u32)).as_bytes();
                let n = rd.varint() as usize;
                let after = rd.take(n);
                SharedText {
                    before,
                    piece,
                    after,
                }
            }
            V_JSON_PIECE => {
                let (text, piece) = rd.piece_text();
                SharedText {
                    before: &text[..piece.start],
                    piece: &text[piece.clone()],
                    after: &text[piece.end..],
                }
            }
            _ => {
                let n = rd.varint() as usize;
                SharedText {
                    before: rd.take(n),
                    piece: &[],
                    after: &[],
                }
            }
        }
    }

    /// Appends the whole text.
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        out.reserve(self.before.len() + self.piece.len() + self.after.len());
        out.extend_from_slice(self.before);
        out.extend_from_slice(self.piece);
        out.extend_from_slice(self.after);
    }

    /// The whole text as a `String`.
    pub(crate) fn text(&self) -> String {
        let mut out = Vec::new();
        self.write(&mut out);
        String::from_utf8(out).expect("blobs hold valid UTF-8")
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::super::search::TextFinder;
    use super::super::EventStore;
    use super::*;
    use crate::core::event::{Event, Payload, Phase};
    use crate::core::{ByteSink, FieldValue};

    /// An object's text with `[at, at + len)` marked as the shared piece, as the OTLP
    /// importer marks an origin (`core::JsonRef::Members`).
    struct Marked(&'static str, usize, usize);

    impl FieldValue for Marked {
        fn encode(self, out: &mut impl ByteSink) {
            let mut bytes = vec![V_JSON_PIECE];
            for n in [self.0.len(), self.1, self.2] {
                put_varint(&mut bytes, n as u64);
            }
            bytes.extend_from_slice(self.0.as_bytes());
            out.put_all(&bytes);
            out.mark_shared_piece();
        }

        fn into_value(self) -> serde_json::Value {
            serde_json::from_str(self.0).unwrap()
        }
    }

    const SHARED: &str = r#""resource":{"service.name":"bench"},"scope":{"name":"bench"}"#;

    fn span(span_id: &'static str, marked: bool) -> Event {
        let text: &'static str = Box::leak(
            format!(r#"{{"kind":"SPAN_KIND_INTERNAL",{SHARED},"span_id":"{span_id}"}}"#)
                .into_boxed_str(),
        );
        let at = text.find(SHARED).unwrap();
        let mut e = Event::root("span", Phase::Started);
        e.payload = Payload::process("op").with("attributes", serde_json::json!({"a": 1}));
        if marked {
            e.payload.extra.put("otel", Marked(text, at, SHARED.len()));
        } else {
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            e.payload.extra.put("otel", value);
        }
        e
    }

    fn payload_json(s: &EventStore, pos: u64) -> String {
        let mut out = Vec::new();
        super::super::payload_json::write_payload_json(s, s.record(pos).unwrap(), &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_marked_piece_is_kept_once_and_every_reader_sees_the_same_text() {
        let ids = ["00f067aa0ba902b7", "eee19b7ec3c1b174", "0000000000000001"];
        let (mut marked, mut plain) = (EventStore::unbounded(), EventStore::unbounded());
        for id in ids {
            let (m, p) = (span(id, true), span(id, false));
            assert!(m.payload.extra.has_shared_piece() && !p.payload.extra.has_shared_piece());
            assert_eq!(m.payload, p.payload, "the same fields either way");
            marked.push_event(&m, 0);
            plain.push_event(&p, 0);
        }
        for pos in 0..ids.len() as u64 {
            let (m, p) = (marked.event(pos).unwrap(), plain.event(pos).unwrap());
            assert_eq!(m.payload, p.payload);
            assert_eq!(
                serde_json::to_string(&m.payload).unwrap(),
                serde_json::to_string(&p.payload).unwrap()
            );
            assert_eq!(payload_json(&marked, pos), payload_json(&plain, pos));
            assert_eq!(
                payload_json(&marked, pos),
                serde_json::to_string(&p.payload).unwrap()
            );
            // Needles inside the piece, across its edges, and not there at all.
            for needle in [
                "bench",
                "INTERNAL\",\"resource",
                "}},\"span_id",
                ids[0],
                "nope",
            ] {
                let r = (marked.record(pos).unwrap(), plain.record(pos).unwrap());
                assert_eq!(
                    TextFinder::new(needle).record_contains(&marked, r.0),
                    TextFinder::new(needle).record_contains(&plain, r.1),
                    "{needle}"
                );
            }
        }
        // The piece is in the arena of neither: one symbol instead of three copies.
        let arena = |s: &EventStore| -> Vec<usize> {
            (0..3)
                .map(|p| s.payload_bytes(s.record(p).unwrap()).len())
                .collect()
        };
        for (m, p) in arena(&marked).into_iter().zip(arena(&plain)) {
            assert!(m + SHARED.len() - 4 <= p, "{m} against {p}");
        }
        assert_eq!(marked.symbols().len(), plain.symbols().len() + 1);
    }
}
