//! # The shape of an OTLP JSON document
//!
//! `TracesData` as OTLP JSON writes it, only the fields we keep: serde ignores any other
//! field, so a newer writer's additions do not stop the import. The scalars (times, ids,
//! integers as strings or numbers, status codes by name or number) are in
//! [`super::scalars`]; `AnyValue`s become plain JSON here.

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use serde_with::{serde_as, DisplayFromStr};

use super::ids::{HexId, ParentId};
use super::scalars::{DoubleValue, IntValue, Nanos, StatusCode};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TracesData<'a> {
    #[serde(default, borrow)]
    pub resource_spans: Vec<ResourceSpans<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ResourceSpans<'a> {
    #[serde(default)]
    pub resource: Option<Resource>,
    /// `instrumentationLibrarySpans` is what collectors wrote before OTLP 1.0.
    #[serde(default, borrow, alias = "instrumentationLibrarySpans")]
    pub scope_spans: Vec<ScopeSpans<'a>>,
    #[serde(default)]
    pub schema_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Resource {
    #[serde(default)]
    pub attributes: Vec<KeyValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ScopeSpans<'a> {
    #[serde(default, alias = "instrumentationLibrary")]
    pub scope: Option<Scope>,
    /// Each span as its text, borrowed from the record: a span is parsed into a [`Span`]
    /// only when its turn comes, converted and forgotten, so a scope of a million spans
    /// never exists as a million parsed spans (and each one's place in the input is known).
    #[serde(default, borrow)]
    pub spans: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Scope {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub attributes: Vec<KeyValue>,
}

#[serde_as]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Span {
    #[serde_as(as = "DisplayFromStr")]
    pub trace_id: HexId<16>,
    #[serde_as(as = "DisplayFromStr")]
    pub span_id: HexId<8>,
    #[serde_as(as = "Option<DisplayFromStr>")]
    #[serde(default)]
    pub parent_span_id: Option<ParentId>,
    #[serde(default)]
    pub name: String,
    /// A number or a name; numbers are named when the span is converted.
    #[serde(default)]
    pub kind: Option<Value>,
    pub start_time_unix_nano: Nanos,
    #[serde(default)]
    pub end_time_unix_nano: Option<Nanos>,
    #[serde(default)]
    pub attributes: Vec<KeyValue>,
    #[serde(default)]
    pub events: Vec<SpanEvent>,
    #[serde(default)]
    pub links: Vec<Value>,
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(default)]
    pub trace_state: Option<String>,
    #[serde(default)]
    pub flags: Option<u32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct SpanEvent {
    pub time_unix_nano: Nanos,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub attributes: Vec<KeyValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Status {
    #[serde(default)]
    pub code: Option<StatusCode>,
    #[serde(default)]
    pub message: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct KeyValue {
    pub key: String,
    #[serde(default)]
    pub value: Option<AnyValue>,
}

/// OTLP's `AnyValue`: exactly one of its fields is set (none: an empty value).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[derive(Default)]
pub(super) struct AnyValue {
    #[serde(default)]
    pub string_value: Option<String>,
    #[serde(default)]
    pub bool_value: Option<bool>,
    #[serde(default)]
    pub int_value: Option<IntValue>,
    #[serde(default)]
    pub double_value: Option<DoubleValue>,
    /// Kept as its base64 text.
    #[serde(default)]
    pub bytes_value: Option<String>,
    #[serde(default)]
    pub array_value: Option<ArrayValue>,
    #[serde(default)]
    pub kvlist_value: Option<KvList>,
}

#[derive(Deserialize)]
pub(super) struct ArrayValue {
    #[serde(default)]
    pub values: Vec<AnyValue>,
}

#[derive(Deserialize)]
pub(super) struct KvList {
    #[serde(default)]
    pub values: Vec<KeyValue>,
}

impl AnyValue {
    fn into_json(self) -> Value {
        if let Some(s) = self.string_value {
            Value::String(s)
        } else if let Some(b) = self.bool_value {
            Value::Bool(b)
        } else if let Some(i) = self.int_value {
            Value::from(i.0)
        } else if let Some(d) = self.double_value {
            d.into_json()
        } else if let Some(b) = self.bytes_value {
            Value::String(b)
        } else if let Some(a) = self.array_value {
            Value::Array(a.values.into_iter().map(AnyValue::into_json).collect())
        } else if let Some(kv) = self.kvlist_value {
            Value::Object(attributes(kv.values))
        } else {
            Value::Null
        }
    }
}

/// Attributes as a plain JSON object, nested values and all.
pub(super) fn attributes(kvs: Vec<KeyValue>) -> Map<String, Value> {
    kvs.into_iter()
        .map(|kv| (kv.key, kv.value.map_or(Value::Null, AnyValue::into_json)))
        .collect()
}
