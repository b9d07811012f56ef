//! # A protobuf span's JSON fields, written as text
//!
//! The fields a span's start event carries (`payload.extra["attributes"]` and
//! `payload.extra["otel"]`, see [`super::span`]) written straight from the protobuf
//! messages as the JSON text the store keeps, for the listener's direct path
//! ([`super::direct`]). The text is exactly what `serde_json` writes for the `Value`s the
//! `Event` conversion builds: objects with their keys in sorted order (serde_json's `Map`
//! without `preserve_order`), a repeated attribute key keeping its last value, numbers and
//! escapes written by serde_json itself. Values this writer does not spell out (arrays,
//! key-value lists, links: rare in spans) are built as those `Value`s and written by
//! serde_json, so they cannot differ.

use base64::Engine;
use opentelemetry_proto::tonic::common::v1 as pb_common;
use opentelemetry_proto::tonic::trace::v1 as pb;
use serde_json::Value;

use super::ids::hex_into;
use super::json_text::{write_key, write_str};
use super::proto::key_values;
use super::scalars::KIND_NAMES;
use super::wire::attributes;

/// What the spans of one `scopeSpans` share in their `otel`, written once per scope: the
/// keys between a span's `parent_span_id` and its span id's digits, in sorted order,
/// `"resource":{…},"schema_url":"…","scope":{…},"span_id":"` (those present). Copied per
/// span in one piece, where writing the three keys and texts took ~40 % of `write_otel`.
pub(super) struct OriginText {
    shared: Vec<u8>,
}

impl OriginText {
    /// From the resource's and scope's JSON text and the schema URL as a JSON string.
    pub(super) fn new(
        resource: Option<&[u8]>,
        scope: Option<&[u8]>,
        schema_url: Option<&[u8]>,
    ) -> OriginText {
        let mut shared = Vec::new();
        for (name, text) in [
            ("resource", resource),
            ("schema_url", schema_url),
            ("scope", scope),
        ] {
            if let Some(text) = text {
                shared.push(b'"');
                shared.extend_from_slice(name.as_bytes());
                shared.extend_from_slice(b"\":");
                shared.extend_from_slice(text);
                shared.push(b',');
            }
        }
        shared.extend_from_slice(b"\"span_id\":\"");
        OriginText { shared }
    }
}

/// What `serde_json::to_writer` writes for `v`.
pub(super) fn write_json(out: &mut Vec<u8>, v: &(impl serde::Serialize + ?Sized)) {
    serde_json::to_writer(&mut *out, v).expect("writing JSON to memory succeeds");
}

/// One attribute as [`write_attributes`] reads it: the project's `KeyValue` (decoded by
/// prost), or one the listener's framed reader read from the body without decoding it
/// into owned strings (`direct::frames::reused`).
pub(super) trait Attribute {
    fn key(&self) -> &str;
    fn value(&self) -> AttributeValue<'_>;
    /// The attribute as the project's `KeyValue`, for the rare nested values, which are
    /// written by serde_json from the `Value`s the `Event` conversion builds.
    fn to_key_value(&self) -> pb_common::KeyValue;
}

/// An attribute's value: the scalars as they are, anything else as prost decoded it.
pub(super) enum AttributeValue<'a> {
    Str(&'a str),
    Bool(bool),
    Int(i64),
    Double(f64),
    Decoded(Option<&'a pb_common::any_value::Value>),
}

impl Attribute for pb_common::KeyValue {
    fn key(&self) -> &str {
        &self.key
    }
    fn value(&self) -> AttributeValue<'_> {
        use pb_common::any_value::Value as V;
        match self.value.as_ref().and_then(|v| v.value.as_ref()) {
            Some(V::StringValue(s)) => AttributeValue::Str(s),
            Some(V::BoolValue(b)) => AttributeValue::Bool(*b),
            Some(V::IntValue(i)) => AttributeValue::Int(*i),
            Some(V::DoubleValue(d)) => AttributeValue::Double(*d),
            other => AttributeValue::Decoded(other),
        }
    }
    fn to_key_value(&self) -> pb_common::KeyValue {
        self.clone()
    }
}

/// The attributes as the JSON object `wire::attributes` builds, written.
pub(super) fn write_attributes<A: Attribute>(out: &mut Vec<u8>, kvs: &[A]) {
    use pb_common::any_value::Value as V;
    use AttributeValue as A;
    let nested = kvs.iter().any(|kv| {
        matches!(
            kv.value(),
            A::Decoded(Some(V::ArrayValue(_) | V::KvlistValue(_)))
        )
    });
    if nested {
        let kvs = kvs.iter().map(Attribute::to_key_value).collect();
        let map = attributes(key_values(kvs));
        return write_json(out, &Value::Object(map));
    }
    // Sorted by key (stable), the last of equal keys kept: what a `Map` collected does.
    // Keys already in strictly increasing order (one attribute, or an SDK's sorted set)
    // are written as they come, without an order to sort.
    if kvs.windows(2).all(|w| w[0].key() < w[1].key()) {
        for (j, kv) in kvs.iter().enumerate() {
            write_member(out, kv, j == 0);
        }
    } else {
        let mut order: smallvec::SmallVec<[u32; 16]> = (0..kvs.len() as u32).collect();
        let key = |i: u32| kvs[i as usize].key();
        order.sort_by(|&a, &b| key(a).cmp(key(b)));
        let mut first = true;
        for (j, &i) in order.iter().enumerate() {
            let kv = &kvs[i as usize];
            if order.get(j + 1).is_some_and(|&next| key(next) == kv.key()) {
                continue;
            }
            write_member(out, kv, first);
            first = false;
        }
    }
    if kvs.is_empty() {
        out.push(b'{');
    }
    out.push(b'}');
}

/// One attribute as a member of the object: `{` or `,`, its key, `:`, its value.
fn write_member<A: Attribute>(out: &mut Vec<u8>, kv: &A, first: bool) {
    use pb_common::any_value::Value as V;
    use AttributeValue as A;
    write_key(out, first, kv.key());
    match kv.value() {
        A::Str(s) => write_str(out, s),
        A::Bool(b) => write_json(out, &b),
        A::Int(i) => write_json(out, &i),
        A::Double(d) => write_double(out, d),
        A::Decoded(Some(V::BytesValue(b))) => {
            out.push(b'"');
            let text = base64::engine::general_purpose::STANDARD.encode(b);
            out.extend_from_slice(text.as_bytes());
            out.push(b'"');
        }
        A::Decoded(Some(V::ArrayValue(_) | V::KvlistValue(_))) => {
            unreachable!("written by serde_json")
        }
        // The scalars are read above; what is left writes as null.
        A::Decoded(_) => out.extend_from_slice(b"null"),
    }
}

/// A double as `DoubleValue::from_f64` reads it: non-finite values by their OTLP JSON names.
fn write_double(out: &mut Vec<u8>, d: f64) {
    if d.is_nan() {
        out.extend_from_slice(b"\"NaN\"");
    } else if d.is_infinite() {
        out.extend_from_slice(if d > 0.0 {
            b"\"Infinity\""
        } else {
            b"\"-Infinity\""
        });
    } else {
        write_json(out, &d);
    }
}

/// The ids and status of a span, as the direct path reads them.
pub(super) struct SpanIds {
    pub trace: [u8; 16],
    pub span: [u8; 8],
    pub parent: Option<[u8; 8]>,
    pub code: u8,
}

/// `payload.extra["otel"]` as `span::otel` builds it, written: its keys in sorted order.
/// The ids, with their keys, are written through stack buffers of a fixed size (copies the
/// compiler does inline) and the scope's keys in one piece ([`OriginText`]).
pub(super) fn write_otel(
    out: &mut Vec<u8>,
    s: &pb::Span,
    ids: &SpanIds,
    message: Option<&str>,
    origin: &OriginText,
) {
    out.reserve(origin.shared.len() + 128);
    let mut first = true;
    let mut key = |out: &mut Vec<u8>, name: &str| {
        out.push(if first { b'{' } else { b',' });
        first = false;
        out.push(b'"');
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"\":");
    };
    if s.flags != 0 {
        key(out, "flags");
        write_json(out, &s.flags);
    }
    if s.kind != 0 {
        key(out, "kind");
        // `kind_name` without its `Value`s (a `String` allocated and freed per span).
        match usize::try_from(s.kind).ok().and_then(|n| KIND_NAMES.get(n)) {
            Some(name) => {
                out.push(b'"');
                out.extend_from_slice(name.as_bytes());
                out.push(b'"');
            }
            None => write_json(out, &s.kind),
        }
    }
    if !s.links.is_empty() {
        key(out, "links");
        let links = s.links.iter();
        let links = links.map(|l| serde_json::to_value(l).unwrap_or(Value::Null));
        write_json(out, &Value::Array(links.collect()));
    }
    if let Some(p) = ids.parent {
        const KEY: &[u8; 19] = b",\"parent_span_id\":\"";
        let mut text = [0u8; 36];
        text[..19].copy_from_slice(KEY);
        text[0] = if first { b'{' } else { b',' };
        hex_into(&mut text[19..35], &p);
        text[35] = b'"';
        out.extend_from_slice(&text);
        first = false;
    }
    out.push(if first { b'{' } else { b',' });
    out.extend_from_slice(&origin.shared);
    let mut span = [0u8; 17];
    hex_into(&mut span[..16], &ids.span);
    span[16] = b'"';
    out.extend_from_slice(&span);
    if ids.code != 0 || message.is_some() {
        out.extend_from_slice(b",\"status\":{\"code\":");
        write_json(out, &ids.code);
        out.extend_from_slice(b",\"message\":");
        write_json(out, &message);
        out.push(b'}');
    }
    const TRACE_KEY: &[u8; 13] = b",\"trace_id\":\"";
    let mut trace = [0u8; 46];
    trace[..13].copy_from_slice(TRACE_KEY);
    hex_into(&mut trace[13..45], &ids.trace);
    trace[45] = b'"';
    out.extend_from_slice(&trace);
    if !s.trace_state.is_empty() {
        out.extend_from_slice(b",\"trace_state\":");
        write_json(out, s.trace_state.as_str());
    }
    out.push(b'}');
}

/// An id as a JSON string of lowercase hex.
#[cfg(test)]
fn write_hex<const N: usize>(out: &mut Vec<u8>, id: &[u8; N]) {
    let mut text = vec![b'"'; 2 * N + 2];
    hex_into(&mut text[1..=2 * N], id);
    out.extend_from_slice(&text);
}

#[cfg(test)]
mod tests;
