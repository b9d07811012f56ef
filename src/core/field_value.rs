//! # A field's value, encoded
//!
//! The one byte encoding of a payload field's value, shared by the code that emits an event
//! and by the store that keeps it. `tracing` records a span's fields through `field::Visit`,
//! value by value, without building a map; the same idea here: a factory's
//! `Payload::with("rows", 3)` writes the value's bytes ([`FieldValue::encode`]) into the
//! payload's fields, and the store copies those bytes into its arena unchanged. No
//! `serde_json::Value` is built, moved or dropped on the emitting path (a string value used
//! to allocate a `String` per field and free it once stored); a `Value` is made only when
//! someone reads a field (`Fields::get`), a view or an export.
//!
//! A value is a tag byte and what the tag needs: nothing for null and the booleans, a varint
//! for unsigned and negative integers (serde_json's three number kinds are kept, so integers
//! beyond 2^53 come back exactly), eight little-endian bytes for a float, a varint length and
//! UTF-8 for a string, for an array or object (their JSON text), and for JSON text a `Value`
//! would change (`V_RAW`, see `core::raw`).

use serde_json::{Map, Number, Value};
use smallvec::SmallVec;

pub(crate) const V_NULL: u8 = 0;
pub(crate) const V_FALSE: u8 = 1;
pub(crate) const V_TRUE: u8 = 2;
pub(crate) const V_UINT: u8 = 3;
pub(crate) const V_NEG: u8 = 4;
pub(crate) const V_FLOAT: u8 = 5;
pub(crate) const V_STR: u8 = 6;
pub(crate) const V_JSON: u8 = 7;
/// JSON text a `Value` would change, kept as text (`Fields::get_raw`).
pub(crate) const V_RAW: u8 = 8;
/// An object's JSON text with a piece many events share marked in it, as a payload's
/// fields hold it (`core::store::shared_text` says why): the text's length, the piece's
/// start and length in it (varints), then the text. Read as [`V_JSON`] is.
pub(crate) const V_JSON_PIECE: u8 = 9;
/// The same text as the store keeps it, the piece replaced by its symbol: the length and
/// bytes before the piece, the piece's symbol, the length and bytes after it. Only in a
/// store's blobs (read with its symbols, `shared_text.rs`), never in a payload's fields.
pub(crate) const V_JSON_SYM: u8 = 10;

/// Where encoded bytes go: the store's scratch `Vec` or a payload's inline buffer.
pub trait ByteSink {
    /// Appends one byte.
    fn put(&mut self, byte: u8);
    /// Appends bytes.
    fn put_all(&mut self, bytes: &[u8]);
    /// Appends the first `used` bytes of `head` (a tag and a varint: 11 bytes at most, in
    /// 16): a sink with room may copy all of `head` in one fixed-size move and keep
    /// `used` of it, cheaper than a copy of a length known only at run time.
    #[inline]
    fn put_head(&mut self, head: &[u8; HEAD], used: usize) {
        self.put_all(&head[..used]);
    }
    /// Notes that a `V_JSON_PIECE` value was written: a payload's fields tell the store
    /// so, which then keeps the piece once (`core::store::shared_text`). Other sinks
    /// ignore it.
    #[inline]
    fn mark_shared_piece(&mut self) {}
    /// Makes room for `additional` bytes about to be appended, so a long value written in
    /// pieces grows the sink once (an OTLP span's `otel` text, ~300 bytes in five pieces:
    /// written into a scratch `Vec` first and then copied, it cost an allocation and a
    /// copy; written piece by piece without room, a few reallocations). Nothing by default.
    #[inline]
    fn reserve(&mut self, additional: usize) {
        let _ = additional;
    }
}

/// The most bytes a tag and a varint take (1 + 10), rounded up for a whole-word copy.
pub(crate) const HEAD: usize = 16;

/// A tag byte and a varint, laid out in a [`HEAD`]; returns it and the bytes used.
#[inline]
fn head(tag: u8, mut v: u64) -> ([u8; HEAD], usize) {
    let mut h = [0u8; HEAD];
    h[0] = tag;
    let mut n = 1;
    while v >= 0x80 {
        h[n] = (v as u8) | 0x80;
        v >>= 7;
        n += 1;
    }
    h[n] = v as u8;
    (h, n + 1)
}

/// Appends a tag and a varint in one write ([`ByteSink::put_head`]).
#[inline]
pub(crate) fn put_tagged(out: &mut impl ByteSink, tag: u8, v: u64) {
    let (h, n) = head(tag, v);
    out.put_head(&h, n);
}

impl ByteSink for Vec<u8> {
    #[inline]
    fn put(&mut self, byte: u8) {
        self.push(byte);
    }

    #[inline]
    fn put_all(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }

    #[inline]
    fn reserve(&mut self, additional: usize) {
        Self::reserve(self, additional);
    }
}

impl<const N: usize> ByteSink for SmallVec<[u8; N]> {
    #[inline]
    fn put(&mut self, byte: u8) {
        self.push(byte);
    }

    #[inline]
    fn put_all(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }

    #[inline]
    fn reserve(&mut self, additional: usize) {
        Self::reserve(self, additional);
    }
}

#[inline]
pub(crate) fn put_varint(out: &mut impl ByteSink, mut v: u64) {
    while v >= 0x80 {
        out.put((v as u8) | 0x80);
        v >>= 7;
    }
    out.put(v as u8);
}

#[inline]
pub(crate) fn put_text(out: &mut impl ByteSink, tag: u8, s: &str) {
    put_tagged(out, tag, s.len() as u64);
    out.put_all(s.as_bytes());
}

#[inline]
fn put_f64(out: &mut impl ByteSink, f: f64) {
    if f.is_finite() {
        let mut h = [0u8; HEAD];
        h[0] = V_FLOAT;
        h[1..9].copy_from_slice(&f.to_le_bytes());
        out.put_head(&h, 9);
    } else {
        // What `Value::from(f64::NAN)` is: null.
        out.put(V_NULL);
    }
}

/// Encodes a `Value` (a field read from a file, or given as one).
pub(crate) fn put_value(out: &mut impl ByteSink, value: &Value) {
    match value {
        Value::Null => out.put(V_NULL),
        Value::Bool(false) => out.put(V_FALSE),
        Value::Bool(true) => out.put(V_TRUE),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                put_tagged(out, V_UINT, u);
            } else if let Some(i) = n.as_i64() {
                put_tagged(out, V_NEG, i.unsigned_abs());
            } else {
                put_f64(out, n.as_f64().unwrap_or(f64::NAN));
            }
        }
        Value::String(s) => put_text(out, V_STR, s),
        Value::Array(_) | Value::Object(_) => {
            let text = serde_json::to_string(value).expect("a JSON value serialises");
            put_text(out, V_JSON, &text);
        }
    }
}

/// Reads encoded bytes front to back (the store's blobs, a payload's fields).
pub(crate) struct Reader<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) at: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn byte(&mut self) -> u8 {
        let b = self.bytes[self.at];
        self.at += 1;
        b
    }

    pub(crate) fn varint(&mut self) -> u64 {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let b = self.byte();
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return v;
            }
            shift += 7;
        }
    }

    pub(crate) fn take(&mut self, n: usize) -> &'a [u8] {
        let s = &self.bytes[self.at..self.at + n];
        self.at += n;
        s
    }

    pub(crate) fn text(&mut self) -> String {
        let n = self.varint() as usize;
        String::from_utf8(self.take(n).to_vec()).expect("encoded text is valid UTF-8")
    }

    /// The rest of a [`V_JSON_PIECE`] value (past its tag): the whole text and where the
    /// shared piece is in it.
    pub(crate) fn piece_text(&mut self) -> (&'a [u8], std::ops::Range<usize>) {
        let n = self.varint() as usize;
        let at = self.varint() as usize;
        let len = self.varint() as usize;
        (self.take(n), at..at + len)
    }

    /// Skips one value; returns its bytes, tag included (copied as they are into a blob).
    #[inline]
    pub(crate) fn skip_value(&mut self) -> &'a [u8] {
        let start = self.at;
        match self.byte() {
            V_NULL | V_FALSE | V_TRUE => {}
            V_UINT | V_NEG => {
                self.varint();
            }
            V_FLOAT => {
                self.take(8);
            }
            V_JSON_PIECE => {
                self.piece_text();
            }
            _ => {
                let n = self.varint() as usize;
                self.take(n);
            }
        }
        &self.bytes[start..self.at]
    }

    /// Reads one value that is not `V_RAW` as a `Value`.
    pub(crate) fn value(&mut self) -> Value {
        self.value_after(self.bytes[self.at]).unwrap_or(Value::Null)
    }

    /// Reads one value as a `Value`, or `None` (consuming nothing) when it is `V_RAW` text.
    pub(crate) fn value_after(&mut self, tag: u8) -> Option<Value> {
        if tag == V_RAW {
            return None;
        }
        self.at += 1;
        Some(match tag {
            V_NULL => Value::Null,
            V_FALSE => Value::Bool(false),
            V_TRUE => Value::Bool(true),
            V_UINT => Value::from(self.varint()),
            V_NEG => Value::from((self.varint() as i64).wrapping_neg()),
            V_FLOAT => {
                let b: [u8; 8] = self.take(8).try_into().expect("8 bytes");
                Number::from_f64(f64::from_le_bytes(b)).map_or(Value::Null, Value::Number)
            }
            V_STR => Value::String(self.text()),
            V_JSON_PIECE => {
                let (text, _) = self.piece_text();
                json_value(std::str::from_utf8(text).expect("encoded text is valid UTF-8"))
            }
            _ => json_value(&self.text()),
        })
    }
}

/// Parses JSON text the store or a payload wrote itself; as deep as imports allow (they
/// bound the depth).
pub(crate) fn json_value(text: &str) -> Value {
    use serde::Deserialize;
    let mut de = serde_json::Deserializer::from_str(text);
    de.disable_recursion_limit();
    Value::deserialize(&mut de).expect("encoded JSON text is valid")
}

/// A value a payload field can take without becoming a `serde_json::Value` first: what
/// `Payload::with` and `Fields::put` accept. Numbers, booleans and strings are written as
/// they are; anything else that converts into a `Value` (arrays, objects, `json!`) goes
/// through one.
pub trait FieldValue {
    /// Appends the value's encoding.
    fn encode(self, out: &mut impl ByteSink);
    /// The value as a `Value`, for fields already held as `Value`s.
    fn into_value(self) -> Value;
}

macro_rules! unsigned {
    ($($t:ty),*) => {$(
        impl FieldValue for $t {
            #[inline]
            fn encode(self, out: &mut impl ByteSink) {
                put_tagged(out, V_UINT, self as u64);
            }
            fn into_value(self) -> Value {
                Value::from(self)
            }
        }
    )*};
}

macro_rules! signed {
    ($($t:ty),*) => {$(
        impl FieldValue for $t {
            #[inline]
            fn encode(self, out: &mut impl ByteSink) {
                let tag = if self < 0 { V_NEG } else { V_UINT };
                put_tagged(out, tag, (self as i64).unsigned_abs());
            }
            fn into_value(self) -> Value {
                Value::from(self)
            }
        }
    )*};
}

unsigned!(u8, u16, u32, u64, usize);
signed!(i8, i16, i32, i64, isize);

impl FieldValue for f64 {
    #[inline]
    fn encode(self, out: &mut impl ByteSink) {
        put_f64(out, self);
    }
    fn into_value(self) -> Value {
        Value::from(self)
    }
}

impl FieldValue for f32 {
    #[inline]
    fn encode(self, out: &mut impl ByteSink) {
        put_f64(out, f64::from(self));
    }
    fn into_value(self) -> Value {
        Value::from(self)
    }
}

impl FieldValue for bool {
    #[inline]
    fn encode(self, out: &mut impl ByteSink) {
        out.put(if self { V_TRUE } else { V_FALSE });
    }
    fn into_value(self) -> Value {
        Value::Bool(self)
    }
}

impl FieldValue for &str {
    #[inline]
    fn encode(self, out: &mut impl ByteSink) {
        put_text(out, V_STR, self);
    }
    fn into_value(self) -> Value {
        Value::from(self)
    }
}

impl FieldValue for String {
    #[inline]
    fn encode(self, out: &mut impl ByteSink) {
        put_text(out, V_STR, &self);
    }
    fn into_value(self) -> Value {
        Value::String(self)
    }
}

impl FieldValue for &String {
    #[inline]
    fn encode(self, out: &mut impl ByteSink) {
        put_text(out, V_STR, self);
    }
    fn into_value(self) -> Value {
        Value::from(self.as_str())
    }
}

impl FieldValue for std::borrow::Cow<'_, str> {
    #[inline]
    fn encode(self, out: &mut impl ByteSink) {
        put_text(out, V_STR, &self);
    }
    fn into_value(self) -> Value {
        Value::from(self)
    }
}

impl FieldValue for Value {
    fn encode(self, out: &mut impl ByteSink) {
        put_value(out, &self);
    }
    fn into_value(self) -> Value {
        self
    }
}

impl FieldValue for Number {
    fn encode(self, out: &mut impl ByteSink) {
        put_value(out, &Value::Number(self));
    }
    fn into_value(self) -> Value {
        Value::Number(self)
    }
}

impl FieldValue for Map<String, Value> {
    fn encode(self, out: &mut impl ByteSink) {
        put_value(out, &Value::Object(self));
    }
    fn into_value(self) -> Value {
        Value::Object(self)
    }
}

impl<T: Into<Value>> FieldValue for Vec<T> {
    fn encode(self, out: &mut impl ByteSink) {
        put_value(out, &Value::from(self));
    }
    fn into_value(self) -> Value {
        Value::from(self)
    }
}

impl FieldValue for () {
    fn encode(self, out: &mut impl ByteSink) {
        out.put(V_NULL);
    }
    fn into_value(self) -> Value {
        Value::Null
    }
}

impl<T: FieldValue> FieldValue for Option<T> {
    #[inline]
    fn encode(self, out: &mut impl ByteSink) {
        match self {
            Some(v) => v.encode(out),
            None => out.put(V_NULL),
        }
    }
    fn into_value(self) -> Value {
        self.map_or(Value::Null, FieldValue::into_value)
    }
}
