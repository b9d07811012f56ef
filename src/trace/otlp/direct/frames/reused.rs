//! # A span decoded by prost into values kept from the span before
//!
//! `Span::merge` pushes a fresh `KeyValue` for every attribute (`merge_repeated`), so each
//! attribute cost two allocations (its key and its string value) and two frees when the
//! span was cleared for the next: a span of the live bench (one attribute) spent ~400 of
//! its ~7 000 instructions there, and SDK spans carry five to twenty attributes.
//!
//! So a span is decoded here by the same loop `Message::merge` runs (`decode_key`, then
//! the generated `merge_field` of the OpenTelemetry project's `Span` for each field),
//! except for its attributes (field 9): each is decoded by prost, with the project's
//! `KeyValue`, into a `KeyValue` kept from an earlier span ([`Attributes`]), its key's and
//! string value's buffers reused. The result is what `Span::merge` gives, the attributes
//! held beside the span instead of in it; the tests in `super::tests` hold the two equal.

use bytes::Buf;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue};
use opentelemetry_proto::tonic::trace::v1 as pb;
use prost::encoding::{decode_key, decode_varint, DecodeContext, WireType};
use prost::Message;

use super::super::SpanHead;

/// The tags of `Span`'s ids, name and attributes, `KeyValue.value` and
/// `AnyValue.string_value`.
const SPAN_TRACE_ID: u32 = 1;
const SPAN_SPAN_ID: u32 = 2;
const SPAN_PARENT_SPAN_ID: u32 = 4;
const SPAN_NAME: u32 = 5;
const SPAN_ATTRIBUTES: u32 = 9;
const KEY_VALUE_VALUE: u32 = 2;
const STRING_VALUE: u32 = 1;

/// A span's attributes, in `KeyValue`s kept between spans: the first `len` are the
/// current span's.
#[derive(Default)]
pub(super) struct Attributes {
    values: Vec<KeyValue>,
    len: usize,
}

impl Attributes {
    /// The current span's attributes, in the order prost would have pushed them.
    pub(super) fn as_slice(&self) -> &[KeyValue] {
        &self.values[..self.len]
    }

    /// The next attribute's `KeyValue`, reset to what `KeyValue::default()` decodes into,
    /// except that a string value's buffer is kept aside ([`Spare`]).
    fn next(&mut self) -> (&mut KeyValue, Spare) {
        if self.len == self.values.len() {
            self.values.push(KeyValue::default());
        }
        let kv = &mut self.values[self.len];
        self.len += 1;
        // Every field named, so a field added to `KeyValue` does not compile unnoticed.
        let KeyValue {
            key,
            value,
            key_strindex,
        } = kv;
        key.clear();
        *key_strindex = 0;
        let spare = match value.take() {
            Some(AnyValue {
                value: Some(Value::StringValue(mut s)),
            }) => {
                s.clear();
                Spare(Some(s))
            }
            _ => Spare(None),
        };
        (kv, spare)
    }
}

/// A string value's buffer from an earlier attribute, for the next string value.
struct Spare(Option<String>);

/// Decodes the serialized span `buf` into `span`, `head` and `attributes` as
/// `Span::merge` decodes it into a cleared `Span` (see the module docs); `None` on any
/// error of prost's. The ids and the name are not copied into `span` but borrowed from
/// `buf` into `head`, as prost would have read them: the last of a repeated field wins, a
/// name must be UTF-8.
pub(super) fn merge_span<'a>(
    span: &mut pb::Span,
    head: &mut SpanHead<'a>,
    attributes: &mut Attributes,
    mut buf: &'a [u8],
) -> Option<()> {
    span.clear();
    *head = SpanHead::default();
    attributes.len = 0;
    let ctx = DecodeContext::default();
    while buf.has_remaining() {
        let (tag, wire_type) = decode_key(&mut buf).ok()?;
        if wire_type != WireType::LengthDelimited {
            span.merge_field(tag, wire_type, &mut buf, ctx.clone())
                .ok()?;
            continue;
        }
        match tag {
            SPAN_TRACE_ID => head.trace_id = length_delimited(&mut buf)?,
            SPAN_SPAN_ID => head.span_id = length_delimited(&mut buf)?,
            SPAN_PARENT_SPAN_ID => head.parent_span_id = length_delimited(&mut buf)?,
            SPAN_NAME => head.name = std::str::from_utf8(length_delimited(&mut buf)?).ok()?,
            SPAN_ATTRIBUTES => {
                let field = length_delimited(&mut buf)?;
                let (kv, spare) = attributes.next();
                merge_key_value(kv, spare, field)?;
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

/// Decodes a `KeyValue` into `kv` (reset by [`Attributes::next`]) as prost decodes one into
/// a fresh `KeyValue`. The only difference: when a value's first field is a string, the
/// spare buffer is put in as that string before prost reads it. prost reads a string into
/// the oneof's string when it holds one (replacing its text), and after that first field
/// the value is the same string whichever it started from, so what follows is decoded as
/// for a fresh value.
fn merge_key_value(kv: &mut KeyValue, mut spare: Spare, mut buf: &[u8]) -> Option<()> {
    let ctx = DecodeContext::default();
    while buf.has_remaining() {
        let (tag, wire_type) = decode_key(&mut buf).ok()?;
        if tag == KEY_VALUE_VALUE && wire_type == WireType::LengthDelimited {
            let field = length_delimited(&mut buf)?;
            let value = kv.value.get_or_insert_with(AnyValue::default);
            if value.value.is_none() && starts_with_string(field) {
                if let Some(s) = spare.0.take() {
                    value.value = Some(Value::StringValue(s));
                }
            }
            value.merge(field).ok()?;
        } else {
            kv.merge_field(tag, wire_type, &mut buf, ctx.clone()).ok()?;
        }
    }
    Some(())
}

/// A length-delimited field's bytes, split off `buf` (borrowed, not copied); `None` for a
/// length past the end, which prost refuses too.
fn length_delimited<'a>(buf: &mut &'a [u8]) -> Option<&'a [u8]> {
    let len = usize::try_from(decode_varint(buf).ok()?).ok()?;
    let (field, rest) = buf.split_at_checked(len)?;
    *buf = rest;
    Some(field)
}

/// Whether a serialized `AnyValue` starts with its `string_value` field.
fn starts_with_string(field: &[u8]) -> bool {
    let mut buf = field;
    matches!(
        decode_key(&mut buf),
        Ok((STRING_VALUE, WireType::LengthDelimited))
    )
}
