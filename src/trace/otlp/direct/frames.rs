//! # A request's containers read by hand, every span by prost into one reused `Span`
//!
//! `ExportTraceServiceRequest::decode` builds the whole request before the first span is
//! prepared: a `Vec` of every `Span` (each ~260 bytes, grown by doubling and copied), each
//! with a `Vec` per id and a `String` per name, all freed once prepared: a fifth of a
//! span's instructions (`docs/live.md`). The containers around the spans
//! (`ExportTraceServiceRequest`, `ResourceSpans`, `ScopeSpans`) are three length-delimited
//! layers, so here they are walked with prost's own `decode_key` and `decode_varint`, and
//! each span is decoded by prost, with the OpenTelemetry project's `Span`, into one `Span`
//! cleared between spans, except its ids, its name and its plain attributes, which are
//! read where they lie in the body (`reused`).
//!
//! Anything but the plain shape gives up (`None`) and the caller decodes the whole body
//! with prost as before: a field of a container that is not one of its three known
//! length-delimited fields, a singular field met twice, a length past the end, a string
//! that is not UTF-8, any error of prost's, a value nested deeper than
//! [`MAX_FAST_DEPTH`] (decoded alone, a span has three levels more of prost's recursion
//! limit than inside its request). So every error, and its message, is prost's own, and
//! what this path prepares is what prost's request gives (a test holds the two equal on
//! generated requests and mutated bodies).

use std::ops::Range;

use opentelemetry_proto::tonic::common::v1 as pb_common;
use opentelemetry_proto::tonic::resource::v1 as pb_resource;
use opentelemetry_proto::tonic::trace::v1 as pb;
use prost::encoding::{decode_key, decode_varint, WireType};
use prost::Message;

use super::{json_text, resource_text, scope_text, DirectSpans, Preparer, SpanHead};
use crate::trace::otlp::proto_json::OriginText;

/// The deepest nesting of attribute values read here (real spans nest two or three); a
/// level costs prost up to three messages of its recursion limit (100).
const MAX_FAST_DEPTH: usize = 25;

/// Where a request's parts lie in its body.
#[derive(Default)]
struct Frames<'a> {
    resources: Vec<ResourceFrame<'a>>,
    scopes: Vec<ScopeFrame<'a>>,
    spans: Vec<&'a [u8]>,
}

struct ResourceFrame<'a> {
    resource: Option<&'a [u8]>,
    schema_url: &'a str,
    scopes: Range<usize>,
}

struct ScopeFrame<'a> {
    scope: Option<&'a [u8]>,
    spans: Range<usize>,
}

/// Prepares a serialized request as [`super::prepare`] prepares prost's decoding of it, or
/// `None` for anything the caller must decode with prost (see the module docs).
pub(super) fn prepare(body: &[u8], max_bytes: u64) -> Option<DirectSpans> {
    let frames = frames(body)?;
    let mut preparer = Preparer::new(frames.spans.len(), max_bytes, body.len());
    let (mut span, mut attributes) = (pb::Span::default(), Vec::new());
    let mut head = SpanHead::default();
    for r in &frames.resources {
        let resource = match r.resource {
            Some(b) => {
                let resource = pb_resource::Resource::decode(b).ok()?;
                shallow(&resource.attributes)?;
                Some(resource_text(resource))
            }
            None => None,
        };
        let schema_url = (!r.schema_url.is_empty()).then(|| json_text(r.schema_url));
        for sc in &frames.scopes[r.scopes.clone()] {
            let scope = match sc.scope {
                Some(b) => {
                    let scope = pb_common::InstrumentationScope::decode(b).ok()?;
                    shallow(&scope.attributes)?;
                    Some(scope_text(scope))
                }
                None => None,
            };
            let origin =
                OriginText::new(resource.as_deref(), scope.as_deref(), schema_url.as_deref());
            for b in &frames.spans[sc.spans.clone()] {
                reused::merge_span(&mut span, &mut head, &mut attributes, b)?;
                for a in &attributes {
                    if let reused::Attr::Decoded(kv) = a {
                        shallow(std::slice::from_ref(kv))?;
                    }
                }
                for e in &span.events {
                    shallow(&e.attributes)?;
                }
                for l in &span.links {
                    shallow(&l.attributes)?;
                }
                preparer.span(&span, &head, &attributes, &origin).ok()?;
            }
        }
    }
    Some(preparer.finish())
}

/// The containers of a request: where each resource, scope and span lies.
fn frames(body: &[u8]) -> Option<Frames<'_>> {
    let mut f = Frames::default();
    each_field(body, |tag, rs| {
        (tag == 1).then_some(())?;
        let (mut resource, mut schema_url) = (None, None);
        let first_scope = f.scopes.len();
        each_field(rs, |tag, b| match tag {
            1 => once(&mut resource, b),
            2 => scope_spans(b, &mut f),
            3 => once(&mut schema_url, std::str::from_utf8(b).ok()?),
            _ => None,
        })?;
        f.resources.push(ResourceFrame {
            resource,
            schema_url: schema_url.unwrap_or(""),
            scopes: first_scope..f.scopes.len(),
        });
        Some(())
    })?;
    Some(f)
}

/// One `ScopeSpans`, into `f`.
fn scope_spans<'a>(b: &'a [u8], f: &mut Frames<'a>) -> Option<()> {
    let (mut scope, mut schema_url) = (None, None);
    let first_span = f.spans.len();
    each_field(b, |tag, b| match tag {
        1 => once(&mut scope, b),
        2 => {
            f.spans.push(b);
            Some(())
        }
        // Not used, but prost refuses a request whose string is not UTF-8.
        3 => once(&mut schema_url, std::str::from_utf8(b).ok()?),
        _ => None,
    })?;
    f.scopes.push(ScopeFrame {
        scope,
        spans: first_span..f.spans.len(),
    });
    Some(())
}

/// Sets a singular field; `None` when it was already set (prost would merge the two).
fn once<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    slot.is_none().then(|| *slot = Some(value))
}

/// Calls `f` with each field's tag and bytes; every field must be length-delimited, and
/// within the message.
fn each_field<'a>(mut buf: &'a [u8], mut f: impl FnMut(u32, &'a [u8]) -> Option<()>) -> Option<()> {
    while !buf.is_empty() {
        let (tag, wire_type) = decode_key(&mut buf).ok()?;
        if wire_type != WireType::LengthDelimited {
            return None;
        }
        let len = usize::try_from(decode_varint(&mut buf).ok()?).ok()?;
        let (field, rest) = buf.split_at_checked(len)?;
        f(tag, field)?;
        buf = rest;
    }
    Some(())
}

/// `Some` when no value of `attributes` nests deeper than [`MAX_FAST_DEPTH`].
fn shallow(attributes: &[pb_common::KeyValue]) -> Option<()> {
    fn depth(v: &pb_common::AnyValue, level: usize) -> bool {
        use pb_common::any_value::Value as V;
        if level > MAX_FAST_DEPTH {
            return false;
        }
        match &v.value {
            Some(V::ArrayValue(a)) => a.values.iter().all(|v| depth(v, level + 1)),
            Some(V::KvlistValue(l)) => {
                (l.values.iter()).all(|kv| kv.value.as_ref().is_none_or(|v| depth(v, level + 1)))
            }
            _ => true,
        }
    }
    (attributes.iter())
        .all(|kv| kv.value.as_ref().is_none_or(|v| depth(v, 1)))
        .then_some(())
}

mod reused;
#[cfg(test)]
mod tests;
