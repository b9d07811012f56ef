//! # Attributes
//!
//! What a span or span event says besides its name and times: the event header under
//! `lineage.`, then every payload field under its own name (end-event fields that differ
//! from the start's prefixed `end.`). JSON values become OTLP `AnyValue`s of their type.

use std::collections::HashSet;

use serde_json::{json, Map, Value};

use crate::core::{Event, Payload};
use crate::model::Status;
use crate::trace::carry;

/// A span's attributes: its first event's header and payload, and what its end adds.
pub(super) fn span_attributes(status: Status, first: &Event, end: Option<&Event>) -> Attributes {
    let mut attrs = Attributes::default();
    attrs.header("lineage.kind", json!(first.kind));
    attrs.header("lineage.status", json!(status.as_str()));
    if status == Status::Point {
        attrs.header("lineage.point", json!(true));
        attrs.header("lineage.phase", json!(first.phase));
    }
    attrs.header("lineage.event_id", json!(first.id));
    if let Some(e) = end {
        attrs.header("lineage.end_event_id", json!(e.id));
        attrs.header("lineage.end_kind", json!(e.kind));
    }
    if let Some(p) = first.parent_id {
        attrs.header("lineage.parent_id", json!(p));
    }
    attrs.header("lineage.root_id", json!(first.root_id));
    attrs.header("lineage.lineage_id", json!(first.lineage_id));
    // The error of an outcome that is not an OTLP error (cancelled) is kept here; failures
    // carry theirs as the status message.
    let error = end.and_then(|e| e.error.as_ref()).or(first.error.as_ref());
    if let (Some(err), false) = (error, matches!(status, Status::Failed | Status::TimedOut)) {
        attrs.header("lineage.error", json!(err));
    }
    attrs.payload(&first.payload, "");
    if let Some(e) = end {
        let start_fields = payload_fields(&first.payload);
        let end_fields: Map<String, Value> = payload_fields(&e.payload)
            .into_iter()
            .filter(|(k, v)| start_fields.get(k) != Some(v))
            .collect();
        attrs.fields(end_fields, "end.");
    }
    attrs
}

/// A span event's attributes: the point event's header and payload.
pub(super) fn point_attributes(e: &Event) -> Attributes {
    let mut attrs = Attributes::default();
    attrs.header("lineage.kind", json!(e.kind));
    attrs.header("lineage.phase", json!(e.phase));
    attrs.header("lineage.event_id", json!(e.id));
    if let Some(err) = &e.error {
        attrs.header("lineage.error", json!(err));
    }
    attrs.payload(&e.payload, "");
    attrs
}

/// A payload as one flat JSON object: the typed fields, then the free-form ones. Numbers a
/// `Value` cannot hold, kept as text since the import, come as strings of their text
/// (`trace::carry`), so `convert` can say so.
fn payload_fields(p: &Payload) -> Map<String, Value> {
    let mut out = match carry::payload_value(p) {
        Value::Object(o) => o,
        _ => Map::new(),
    };
    if let Some(Value::Object(extra)) = out.remove("extra") {
        for (k, v) in extra {
            out.entry(k).or_insert(v);
        }
    }
    out
}

/// A span's or event's attribute list; the first value of a key wins, so the header written
/// first cannot be overwritten by a payload field of the same name.
#[derive(Default)]
pub(super) struct Attributes {
    list: Vec<Value>,
    seen: HashSet<String>,
}

impl Attributes {
    fn header(&mut self, key: &str, value: Value) {
        self.push(key.to_owned(), &value);
    }

    fn push(&mut self, key: String, value: &Value) {
        if self.seen.insert(key.clone()) {
            self.list.push(key_value(&key, value));
        }
    }

    /// The payload's fields; the attributes an OTLP import kept (`extra["attributes"]`) are
    /// unwrapped back into attributes, and its `otel` bookkeeping (ids, resource) is not a
    /// field of the span.
    fn payload(&mut self, p: &Payload, prefix: &str) {
        self.fields(payload_fields(p), prefix);
    }

    fn fields(&mut self, mut fields: Map<String, Value>, prefix: &str) {
        let imported = fields.contains_key("otel");
        if imported {
            fields.remove("otel");
            if let Some(Value::Object(attrs)) = fields.remove("attributes") {
                for (k, v) in attrs {
                    self.push(format!("{prefix}{k}"), &v);
                }
            }
        }
        for (k, v) in fields {
            self.push(format!("{prefix}{k}"), &v);
        }
    }

    pub(super) fn into_json(self) -> Value {
        Value::Array(self.list)
    }
}

pub(super) fn key_value(key: &str, value: &Value) -> Value {
    json!({"key": key, "value": any_value(value)})
}

/// A JSON value as an OTLP `AnyValue`.
fn any_value(v: &Value) -> Value {
    match v {
        Value::Null => json!({}),
        Value::Bool(b) => json!({"boolValue": b}),
        Value::String(s) => json!({"stringValue": s}),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => json!({"intValue": i.to_string()}),
            // Beyond i64: an OTLP int cannot hold it and a double would round it, so its
            // exact text as a string; `convert` says so (`trace::carry::Changes`).
            (None, Some(u)) => json!({"stringValue": u.to_string()}),
            (None, None) => json!({"doubleValue": n.as_f64().unwrap_or(0.0)}),
        },
        Value::Array(a) => {
            json!({"arrayValue": {"values": a.iter().map(any_value).collect::<Vec<_>>()}})
        }
        Value::Object(o) => json!({"kvlistValue": {"values": o
            .iter()
            .map(|(k, v)| key_value(k, v))
            .collect::<Vec<_>>()}}),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn json_values_become_any_values_of_their_type() {
        assert_eq!(any_value(&json!(-3)), json!({"intValue": "-3"}));
        assert_eq!(
            any_value(&json!(u64::MAX)),
            json!({"stringValue": u64::MAX.to_string()})
        );
        assert_eq!(any_value(&json!(0.5)), json!({"doubleValue": 0.5}));
        assert_eq!(any_value(&Value::Null), json!({}));
        assert_eq!(
            any_value(&json!({"a": [true]})),
            json!({"kvlistValue": {"values": [{"key": "a", "value":
                {"arrayValue": {"values": [{"boolValue": true}]}}}]}})
        );
    }
}
