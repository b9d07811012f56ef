//! # A span decoded by prost, its ids, name and plain attributes read where they lie
//!
//! `Span::merge` copies every id into a `Vec`, the name into a `String` and pushes a fresh
//! `KeyValue` for every attribute (its key and a string value allocated, freed when the
//! span is cleared for the next): per span of the live bench, ~530 instructions of
//! prost's string merges and ~700 of attribute bookkeeping (`docs/live.md`), and SDK spans
//! carry five to twenty attributes.
//!
//! So a span is decoded here by the loop `Message::merge` runs (`decode_key`, then the
//! generated `merge_field` of the OpenTelemetry project's `Span` for each field), except:
//! - its ids and its name (fields 1, 2, 4, 5) are borrowed from the body into a
//!   [`SpanHead`], the last of a repeated field winning and the name checked for UTF-8, as
//!   prost reads them; its kind and times (6, 7, 8) are read into the `Span` as prost's
//!   `int32` and `fixed64` read them (its generated dispatch cost ~45 instructions each);
//! - each attribute (field 9) whose `KeyValue` is written the plain way (its key, then a
//!   value holding one string, bool, int or double, nothing else: what every SDK's
//!   encoder writes for a scalar) is read as borrowed text or the number itself
//!   ([`Attr::Plain`]); any other encoding (a nested value, bytes, a key index, a field
//!   repeated or out of order, no value) is decoded by prost with the project's
//!   `KeyValue` ([`Attr::Decoded`]), so it means exactly what prost makes of it.
//!
//! The tests in `super::tests` hold the result to prost's decoding of the whole request,
//! on generated requests and on raw attribute encodings prost's encoder never writes.

use bytes::Buf;
use opentelemetry_proto::tonic::common::v1::{any_value::Value, AnyValue, KeyValue};
use opentelemetry_proto::tonic::trace::v1 as pb;
use prost::encoding::{decode_key, decode_varint, DecodeContext, WireType};
use prost::Message;

use super::super::SpanHead;
use crate::trace::otlp::proto_json::{Attribute, AttributeValue};

/// The tags of `Span`'s ids, name, kind, times and attributes.
const SPAN_TRACE_ID: u32 = 1;
const SPAN_SPAN_ID: u32 = 2;
const SPAN_PARENT_SPAN_ID: u32 = 4;
const SPAN_NAME: u32 = 5;
const SPAN_KIND: u32 = 6;
const SPAN_START: u32 = 7;
const SPAN_END: u32 = 8;
const SPAN_ATTRIBUTES: u32 = 9;

/// The keys (tag and wire type in one byte) of a plain `KeyValue`'s two fields and of the
/// scalar fields of its `AnyValue`.
const KEY: u8 = 1 << 3 | 2;
const VALUE: u8 = 2 << 3 | 2;
const STRING: u8 = 1 << 3 | 2;
const BOOL: u8 = 2 << 3;
const INT: u8 = 3 << 3;
const DOUBLE: u8 = 4 << 3 | 1;

/// One attribute of the current span.
pub(super) enum Attr<'a> {
    /// Written the plain way: its key and scalar value, borrowed from the body.
    Plain { key: &'a str, value: Scalar<'a> },
    /// Anything else, decoded by prost.
    Decoded(KeyValue),
}

/// A plain attribute's value.
#[derive(Clone, Copy)]
pub(super) enum Scalar<'a> {
    Str(&'a str),
    Bool(bool),
    Int(i64),
    Double(f64),
}

impl Attribute for Attr<'_> {
    fn key(&self) -> &str {
        match self {
            Attr::Plain { key, .. } => key,
            Attr::Decoded(kv) => &kv.key,
        }
    }

    fn value(&self) -> AttributeValue<'_> {
        match self {
            Attr::Plain { value, .. } => match *value {
                Scalar::Str(s) => AttributeValue::Str(s),
                Scalar::Bool(b) => AttributeValue::Bool(b),
                Scalar::Int(i) => AttributeValue::Int(i),
                Scalar::Double(d) => AttributeValue::Double(d),
            },
            Attr::Decoded(kv) => kv.value(),
        }
    }

    fn to_key_value(&self) -> KeyValue {
        match self {
            Attr::Plain { key, value } => KeyValue {
                key: (*key).to_owned(),
                value: Some(AnyValue {
                    value: Some(match *value {
                        Scalar::Str(s) => Value::StringValue(s.to_owned()),
                        Scalar::Bool(b) => Value::BoolValue(b),
                        Scalar::Int(i) => Value::IntValue(i),
                        Scalar::Double(d) => Value::DoubleValue(d),
                    }),
                }),
                ..KeyValue::default()
            },
            Attr::Decoded(kv) => kv.clone(),
        }
    }
}

/// Decodes the serialized span `buf` into `span`, `head` and `attributes` as
/// `Span::merge` decodes it into a cleared `Span` (see the module docs); `None` on any
/// error of prost's.
pub(super) fn merge_span<'a>(
    span: &mut pb::Span,
    head: &mut SpanHead<'a>,
    attributes: &mut Vec<Attr<'a>>,
    mut buf: &'a [u8],
) -> Option<()> {
    span.clear();
    *head = SpanHead::default();
    attributes.clear();
    let ctx = DecodeContext::default();
    while buf.has_remaining() {
        let (tag, wire_type) = key(&mut buf)?;
        if wire_type != WireType::LengthDelimited {
            // The kind and the times read here, as prost's `int32` and `fixed64` read them;
            // any other field, or these with another wire type, by prost.
            match (tag, wire_type) {
                (SPAN_KIND, WireType::Varint) => span.kind = decode_varint(&mut buf).ok()? as i32,
                (SPAN_START, WireType::SixtyFourBit) => {
                    span.start_time_unix_nano = fixed64(&mut buf)?
                }
                (SPAN_END, WireType::SixtyFourBit) => span.end_time_unix_nano = fixed64(&mut buf)?,
                _ => span
                    .merge_field(tag, wire_type, &mut buf, ctx.clone())
                    .ok()?,
            }
            continue;
        }
        match tag {
            SPAN_TRACE_ID => head.trace_id = length_delimited(&mut buf)?,
            SPAN_SPAN_ID => head.span_id = length_delimited(&mut buf)?,
            SPAN_PARENT_SPAN_ID => head.parent_span_id = length_delimited(&mut buf)?,
            SPAN_NAME => head.name = text(length_delimited(&mut buf)?)?,
            SPAN_ATTRIBUTES => {
                let field = length_delimited(&mut buf)?;
                attributes.push(match plain(field) {
                    Some(attr) => attr,
                    None => Attr::Decoded(KeyValue::decode(field).ok()?),
                });
            }
            // What `Message::merge` does with every other field (`merge_field` is prost's
            // generated code for the project's `Span`, public but hidden from its docs).
            _ => span
                .merge_field(tag, wire_type, &mut buf, ctx.clone())
                .ok()?,
        }
    }
    Some(())
}

/// A `KeyValue` written the plain way (see the module docs), read; `None` for any other
/// encoding, and for text that is not UTF-8 (prost then refuses it).
fn plain(mut kv: &[u8]) -> Option<Attr<'_>> {
    (kv.first() == Some(&KEY)).then_some(())?;
    kv = &kv[1..];
    let key = text(length_delimited(&mut kv)?)?;
    (kv.first() == Some(&VALUE)).then_some(())?;
    kv = &kv[1..];
    let mut v = length_delimited(&mut kv)?;
    if !kv.is_empty() || v.is_empty() {
        return None;
    }
    let tag = v[0];
    v = &v[1..];
    let value = match tag {
        STRING => Scalar::Str(text(length_delimited(&mut v)?)?),
        BOOL => Scalar::Bool(decode_varint(&mut v).ok()? != 0),
        INT => Scalar::Int(decode_varint(&mut v).ok()? as i64),
        DOUBLE => {
            let (bits, rest) = v.split_first_chunk::<8>()?;
            v = rest;
            Scalar::Double(f64::from_le_bytes(*bits))
        }
        _ => return None,
    };
    v.is_empty().then_some(Attr::Plain { key, value })
}

/// `b` as text, `None` if it is not UTF-8 (prost refuses it). Names, keys and values are
/// short and nearly always ASCII: checked eight bytes at a time, where `from_utf8` spent
/// ~160 instructions on each (its set-up is for long text).
#[inline(always)]
fn text(b: &[u8]) -> Option<&str> {
    let mut words = b.chunks_exact(8);
    let high = (&mut words).fold(0, |high, w| {
        high | u64::from_le_bytes(w.try_into().expect("eight bytes"))
    });
    let high = high & 0x8080_8080_8080_8080 != 0 || words.remainder().iter().any(|&c| c >= 0x80);
    if high {
        return std::str::from_utf8(b).ok();
    }
    // SAFETY: every byte is below 0x80, so `b` is ASCII, which is valid UTF-8.
    Some(unsafe { std::str::from_utf8_unchecked(b) })
}

/// A field's key, as prost's `decode_key` reads it: a key of one byte (tags 1 to 15, what
/// a span's fields use) read here, any other by prost; `None` where prost errs.
#[inline(always)]
fn key(buf: &mut &[u8]) -> Option<(u32, WireType)> {
    match buf.first() {
        Some(&b) if b < 0x80 && b >> 3 != 0 => {
            let wire_type = WireType::try_from(u64::from(b & 7)).ok()?;
            *buf = &buf[1..];
            Some((u32::from(b >> 3), wire_type))
        }
        _ => decode_key(buf).ok(),
    }
}

/// A `fixed64` field's value, split off `buf`; `None` when fewer than eight bytes are
/// left, which prost refuses too.
fn fixed64(buf: &mut &[u8]) -> Option<u64> {
    let (bits, rest) = buf.split_first_chunk::<8>()?;
    *buf = rest;
    Some(u64::from_le_bytes(*bits))
}

/// A length-delimited field's bytes, split off `buf` (borrowed, not copied); `None` for a
/// length past the end, which prost refuses too.
#[inline(always)]
fn length_delimited<'a>(buf: &mut &'a [u8]) -> Option<&'a [u8]> {
    let len = match buf.first() {
        Some(&b) if b < 0x80 => {
            *buf = &buf[1..];
            usize::from(b)
        }
        _ => usize::try_from(decode_varint(buf).ok()?).ok()?,
    };
    let (field, rest) = buf.split_at_checked(len)?;
    *buf = rest;
    Some(field)
}
