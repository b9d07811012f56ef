//! # Searching an event's text without decoding it
//!
//! The inspector's text search asks of every event whether its text (kind, phase, label, id,
//! error, and its payload as JSON) contains a lowercase needle. Decoding an `Event` and writing
//! its payload's JSON for each one cost ~400 ms a full scan of a million events natively,
//! 0.8 s in the page. A [`TextFinder`] answers from the record and its blob instead:
//!
//! - interned strings (kinds, process and function names, field keys) are lowercased and
//!   searched once per symbol per search, then read from a per-symbol cache;
//! - numbers are formatted only when the needle could be part of one (digits, sign, point,
//!   exponent), ids only when it could be part of an id (hex digits and dashes);
//! - string values are searched in place in the blob when they are lowercase ASCII.
//!
//! ## Why this finds exactly what the JSON text does
//! serde_json writes compact JSON: strings between quotes, numbers and literals between
//! `{}[]:,`. A needle holding none of these characters can only occur inside one string's
//! escaped content, or inside one number or literal, so searching each piece alone finds
//! what searching the whole text finds. Lowercasing a string with its quotes gives the text
//! it lowercases to in place: the one context-dependent lowercase mapping (final sigma)
//! looks no further than a quote. A needle with JSON punctuation (`mode":"fast`) can span
//! pieces; for it the payload's whole JSON text is written (from the blob, `payload_json.rs`)
//! and searched.

use memchr::memmem;
use uuid::Uuid;

use super::field_keys::FieldKeys;
use super::payload_json::write_payload_json;
use super::record::{
    Reader, Record, B_COUNT, B_DURATION, B_ERROR, B_FIELDS, B_INPUTS, B_OUTPUTS, B_PAYLOAD_UNKNOWN,
    V_FALSE, V_FLOAT, V_NEG, V_NULL, V_STR, V_TRUE, V_UINT,
};
use super::shared_text::SharedText;
use super::symbols::{Sym, Symbols};
use super::EventStore;
use crate::core::event::Phase;

/// Per-symbol cache bits: the text searched (kind, label), its JSON string form searched
/// (payload names and keys), and whether each contained the needle.
const TEXT_KNOWN: u8 = 1;
const TEXT_HIT: u8 = 2;
const JSON_KNOWN: u8 = 4;
const JSON_HIT: u8 = 8;

/// The payload's own keys, in the order its JSON writes them.
const PAYLOAD_KEYS: [&str; 6] = [
    "process_name",
    "function_name",
    "input_entity_ids",
    "output_entity_ids",
    "entity_count",
    "extra",
];

/// One search's lowercase needle, compiled once, with what it can and cannot match. Serves
/// one store: its symbol cache is indexed by that store's symbols.
pub(crate) struct TextFinder {
    needle: String,
    finder: memmem::Finder<'static>,
    /// [`TEXT_KNOWN`] etc., by symbol number, filled as symbols are met.
    syms: Vec<u8>,
    phases: [bool; 8],
    /// The needle has no JSON punctuation: the payload can be searched piece by piece.
    pieces: bool,
    /// The needle could be part of a hyphenated lowercase id, or of a number's JSON text.
    may_be_id: bool,
    may_be_number: bool,
    /// The needle's first two hex digits as a byte, when it has two: an id whose nibbles
    /// hold no such pair cannot contain it, and is not formatted ([`TextFinder::id_hit`]).
    id_pair: Option<u8>,
    /// The needle occurs in `null`, `true`, `false`, and in each of [`PAYLOAD_KEYS`].
    in_null: bool,
    in_true: bool,
    in_false: bool,
    in_key: [bool; 6],
    buf: Vec<u8>,
}

impl TextFinder {
    /// `needle` must be lowercase.
    pub(crate) fn new(needle: &str) -> TextFinder {
        let only = |set: &[u8]| needle.bytes().all(|b| set.contains(&b));
        TextFinder {
            needle: needle.to_owned(),
            finder: memmem::Finder::new(needle.as_bytes()).into_owned(),
            syms: Vec::new(),
            phases: Phase::ALL.map(|p| p.as_str().contains(needle)),
            pieces: !needle.bytes().any(|b| b"{}[]:,\"".contains(&b)),
            may_be_id: only(b"0123456789abcdef-"),
            may_be_number: only(b"0123456789-+.e"),
            id_pair: id_pair(needle),
            in_null: "null".contains(needle),
            in_true: "true".contains(needle),
            in_false: "false".contains(needle),
            in_key: PAYLOAD_KEYS.map(|k| k.contains(needle)),
            buf: Vec::with_capacity(512),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.needle.is_empty()
    }

    /// `s.to_lowercase().contains(needle)`, without the copy when `s` is ASCII lowercase.
    pub(crate) fn hit(&self, s: &str) -> bool {
        if s.is_ascii() && !s.bytes().any(|b| b.is_ascii_uppercase()) {
            self.finder.find(s.as_bytes()).is_some()
        } else {
            s.to_lowercase().contains(&self.needle)
        }
    }

    /// Whether the text of the event in record `r` of `store` contains the needle: what
    /// decoding it and searching its kind, phase, label, id, error and payload JSON finds.
    pub(crate) fn record_contains(&mut self, store: &EventStore, r: &Record) -> bool {
        if self.sym_hit(store, store.kind_sym(r), false) || self.phases[r.phase.index()] {
            return true;
        }
        let (process, function) = (store.process_sym(r), store.function_sym(r));
        if !process.is_none() && self.sym_hit(store, process, false) {
            return true;
        }
        if self.may_be_id && self.id_hit(r.id) {
            return true;
        }
        if !self.pieces {
            return self.json_contains(store, r);
        }
        for (sym, key) in [(process, 0), (function, 1)] {
            if !sym.is_none() && (self.in_key[key] || self.sym_hit(store, sym, true)) {
                return true;
            }
        }
        self.blob_contains(store, store.payload_bytes(r))
    }

    /// The error and the payload's whole JSON text: the needle may span the JSON's pieces.
    fn json_contains(&mut self, store: &EventStore, r: &Record) -> bool {
        self.buf.clear();
        let error = write_payload_json(store, r, &mut self.buf);
        self.lowercase_hit_buf() || error.is_some_and(|e| self.bytes_hit(e))
    }

    /// Walks a blob in the order [`encode_blob`](super::record::encode_blob) wrote it.
    fn blob_contains(&mut self, store: &EventStore, bytes: &[u8]) -> bool {
        if bytes.is_empty() {
            return false;
        }
        let mut rd = Reader { bytes, at: 0 };
        let flags = rd.byte();
        if flags & B_DURATION != 0 {
            rd.varint();
        }
        for (bit, key) in [(B_INPUTS, 2), (B_OUTPUTS, 3)] {
            if flags & bit != 0 {
                if self.in_key[key] {
                    return true;
                }
                for _ in 0..rd.varint() {
                    let id: [u8; 16] = rd.take(16).try_into().expect("16 bytes");
                    if self.may_be_id && self.id_hit(Uuid::from_bytes(id)) {
                        return true;
                    }
                }
            }
        }
        if flags & B_COUNT != 0 {
            let n = rd.varint() as u32;
            if self.in_key[4] || (self.may_be_number && self.number_hit(n)) {
                return true;
            }
        }
        if flags & B_ERROR != 0 {
            let n = rd.varint() as usize;
            if self.bytes_hit(rd.take(n)) {
                return true;
            }
        }
        if flags & B_FIELDS != 0 {
            if self.in_key[5] {
                return true;
            }
            let mut keys = FieldKeys::read(&mut rd, &store.symbols);
            while let Some(key) = keys.next(&mut rd) {
                if self.sym_hit(store, key, true) || self.value_hit(&mut rd, &store.symbols) {
                    return true;
                }
            }
        }
        if flags & B_PAYLOAD_UNKNOWN != 0 {
            // The payload's unknown members: keys as JSON strings, values as their text.
            for _ in 0..rd.varint() {
                let n = rd.varint() as usize;
                if self.json_str_hit(rd.take(n)) {
                    return true;
                }
                let n = rd.varint() as usize;
                self.buf.clear();
                self.buf.extend_from_slice(rd.take(n));
                if self.lowercase_hit_buf() {
                    return true;
                }
            }
        }
        false
    }

    /// Reads one field value; whether its JSON text contains the needle.
    fn value_hit<'a>(&mut self, rd: &mut Reader<'a>, symbols: &'a Symbols) -> bool {
        match rd.byte() {
            V_NULL => self.in_null,
            V_FALSE => self.in_false,
            V_TRUE => self.in_true,
            V_UINT => {
                let v = rd.varint();
                self.may_be_number && self.number_hit(v)
            }
            V_NEG => {
                let v = (rd.varint() as i64).wrapping_neg();
                self.may_be_number && self.number_hit(v)
            }
            V_FLOAT => {
                let b: [u8; 8] = rd.take(8).try_into().expect("8 bytes");
                let f = f64::from_le_bytes(b);
                if !f.is_finite() {
                    // Decoded as null.
                    self.in_null
                } else {
                    self.may_be_number && self.number_hit(f)
                }
            }
            V_STR => {
                let n = rd.varint() as usize;
                let text = rd.take(n);
                self.json_str_hit(text)
            }
            tag => {
                // An array or object, kept as the JSON text the payload writes (in one
                // piece or around a piece kept once, `shared_text.rs`).
                self.buf.clear();
                SharedText::read(tag, rd, symbols).write(&mut self.buf);
                self.lowercase_hit_buf()
            }
        }
    }

    /// A number as serde_json writes it.
    fn number_hit(&mut self, n: impl serde::Serialize) -> bool {
        self.buf.clear();
        serde_json::to_writer(&mut self.buf, &n).is_ok() && self.finder.find(&self.buf).is_some()
    }

    /// Whether the id's hyphenated lowercase text contains the needle (one that may be part of
    /// an id).
    /// Dashes aside, a piece of that text is a run of the id's 32 nibbles, so it holds the
    /// needle's first two hex digits side by side: checked on the number first, a few word
    /// operations against formatting 36 bytes, and true for one id in eight at random.
    fn id_hit(&self, id: Uuid) -> bool {
        if let Some(pair) = self.id_pair {
            let ones = u128::from_ne_bytes([1; 16]);
            let has_zero_byte = |x: u128| x.wrapping_sub(ones) & !x & (ones << 7) != 0;
            let pattern = ones * u128::from(pair);
            let n = id.as_u128();
            // The pair at an even nibble (a byte of the id), or at an odd one.
            if !has_zero_byte(n ^ pattern) && !has_zero_byte((n >> 4) ^ pattern) {
                return false;
            }
        }
        let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
        let text = id.hyphenated().encode_lower(&mut text);
        self.finder.find(text.as_bytes()).is_some()
    }

    /// [`TextFinder::hit`] on UTF-8 bytes, validated only when not ASCII.
    fn bytes_hit(&mut self, text: &[u8]) -> bool {
        if !text.is_ascii() {
            return self.hit(std::str::from_utf8(text).expect("blobs hold valid UTF-8"));
        }
        if !text.iter().any(u8::is_ascii_uppercase) {
            return self.finder.find(text).is_some();
        }
        self.buf.clear();
        self.buf.extend_from_slice(text);
        self.buf.make_ascii_lowercase();
        self.finder.find(&self.buf).is_some()
    }

    /// A symbol's text (`json` false) or its JSON string (true) searched, once per search.
    fn sym_hit(&mut self, store: &EventStore, sym: Sym, json: bool) -> bool {
        let i = sym.0 as usize;
        if i >= self.syms.len() {
            self.syms.resize(store.symbols.len() + 1, 0);
        }
        let (known, hit) = if json {
            (JSON_KNOWN, JSON_HIT)
        } else {
            (TEXT_KNOWN, TEXT_HIT)
        };
        let state = self.syms[i];
        if state & known != 0 {
            return state & hit != 0;
        }
        let text = store.symbols.str(sym);
        let found = if json {
            self.json_str_hit(text.as_bytes())
        } else {
            self.hit(text)
        };
        self.syms[i] = state | known | if found { hit } else { 0 };
        found
    }

    /// Whether a string written as JSON (escaped, lowercased) contains the needle; `s` is
    /// UTF-8. Plain ASCII is searched in place.
    fn json_str_hit(&mut self, s: &[u8]) -> bool {
        let mut upper = false;
        for &b in s {
            if !(0x20..0x80).contains(&b) || b == b'"' || b == b'\\' {
                let s = std::str::from_utf8(s).expect("blobs hold valid UTF-8");
                self.buf.clear();
                return serde_json::to_writer(&mut self.buf, s).is_ok() && self.lowercase_hit_buf();
            }
            upper |= b.is_ascii_uppercase();
        }
        if !upper {
            return self.finder.find(s).is_some();
        }
        self.bytes_hit(s)
    }

    /// Whether the text in `buf` (UTF-8), lowercased, contains the needle.
    fn lowercase_hit_buf(&mut self) -> bool {
        if self.buf.is_ascii() {
            self.buf.make_ascii_lowercase();
            self.finder.find(&self.buf).is_some()
        } else {
            String::from_utf8_lossy(&self.buf)
                .to_lowercase()
                .contains(&self.needle)
        }
    }
}

/// The first two hex digits of a needle, as one byte.
fn id_pair(needle: &str) -> Option<u8> {
    let mut digits = needle.bytes().filter_map(|b| (b as char).to_digit(16));
    let (hi, lo) = (digits.next()?, digits.next()?);
    Some((hi << 4 | lo) as u8)
}
