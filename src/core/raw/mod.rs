//! # JSON kept as it was written
//!
//! Lineage NDJSON promises that what it reads it writes back, equal in value. Two things a
//! typed event cannot hold on its own:
//!
//! - **Members we do not model**: a top-level `"foo":1` next to `id` and `kind`, a payload
//!   key beside `process_name` that is not under `extra`. They are kept, in order, as
//!   [`RawMembers`]: each member's key and its value's JSON text.
//! - **Numbers `serde_json::Value` cannot hold**: without serde_json's `arbitrary_precision`
//!   feature a `Value` number is a `u64`, an `i64` or an `f64`, so `18446744073709551616`
//!   (2^64) would come back as `1.8446744073709552e19`, `1e400` is refused, and
//!   `1.000000000000000000001` comes back as `1.0`. A payload field whose value is one of
//!   these (anywhere inside it) is kept as its JSON text too ([`exact_value`] decides).
//!
//! ## Why not `arbitrary_precision`
//! That feature is global: every `Number` becomes a `String`, so each number a pipeline puts
//! in a payload (`Payload::with("rows", 3)`) would allocate, on the bus's emit path, to
//! serve the rare imported value beyond 64 bits. Text kept aside costs nothing when unused
//! (an empty [`RawMembers`] is one null pointer) and only the import of such a value pays.
//!
//! ## Duplicate keys
//! A key repeated where the reader models the object (an event's top level, its payload,
//! `payload.extra`) is refused (`duplicate field`): which of the two values holds is a
//! question two JSON readers answer differently, and writing one back would lose the other.
//! A key repeated deeper, inside a field's value, is kept as written, both members, by
//! keeping that value as text.

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

mod numbers;

/// A member's name: static when code names it, owned when read from a file. The fields of
/// a payload (`super::fields`) name their keys with it too.
pub(crate) type Key = std::borrow::Cow<'static, str>;

pub(crate) use numbers::{inexact_numbers_as_strings, numbers_are_exact};

/// Object members kept as the JSON text of their values, in the order they were read; keys
/// are unique (the reader refuses repeats). Empty, it is one null pointer and allocates
/// nothing, so events that have none (every event the bus emits) pay nothing for it.
#[derive(Clone, Debug, Default)]
// A boxed `Vec` on purpose: one pointer (8 bytes) in every `Event` and `Payload` instead of
// a `Vec`'s 24, and pushes stay amortised (a boxed slice would reallocate on each).
#[allow(clippy::box_collection)]
pub struct RawMembers(Option<Box<Vec<RawMember>>>);

/// One member: its key and its value's JSON text.
type RawMember = (Key, Box<RawValue>);

/// Equal when the same keys hold the same JSON text, in any order.
impl PartialEq for RawMembers {
    fn eq(&self, other: &RawMembers) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .all(|(k, v)| other.get(k).is_some_and(|o| o.get() == v.get()))
    }
}

impl RawMembers {
    pub(crate) const fn new() -> RawMembers {
        RawMembers(None)
    }

    pub(crate) fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |v| v.len())
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// The members in the order they were read.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &RawValue)> {
        self.0
            .as_deref()
            .map_or(&[][..], |v| v.as_slice())
            .iter()
            .map(|(k, v)| (k.as_ref(), &**v))
    }

    pub(crate) fn get(&self, key: &str) -> Option<&RawValue> {
        self.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// Appends a member whose key the caller knows is new.
    pub fn push_unique(&mut self, key: impl Into<Key>, value: Box<RawValue>) {
        self.0
            .get_or_insert_with(Default::default)
            .push((key.into(), value));
    }

    /// Removes a member; its text, if it was there.
    pub fn remove(&mut self, key: &str) -> Option<Box<RawValue>> {
        let v = self.0.as_mut()?;
        let i = v.iter().position(|(k, _)| k == key)?;
        let (_, text) = v.remove(i);
        if v.is_empty() {
            self.0 = None;
        }
        Some(text)
    }

    /// The heap these members own, for import budgets (allocator chunks, as
    /// `trace::sink::heap_bytes` counts them).
    pub fn heap_bytes(&self) -> usize {
        let chunk = |n: usize| if n == 0 { 0 } else { (n + 8).div_ceil(16) * 16 };
        self.0.as_ref().map_or(0, |v| {
            chunk(v.capacity() * std::mem::size_of::<RawMember>())
                + v.iter()
                    .map(|(k, t)| chunk(k.len()) + chunk(t.get().len()))
                    .sum::<usize>()
        })
    }
}

/// Written as the members of a JSON object (flattened into the object that holds them).
impl Serialize for RawMembers {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.len()))?;
        for (k, v) in self.iter() {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// Whether `key` was already read in this object: known keys are tracked by the caller,
/// unknown ones here. Refused with serde's own wording, as the derived readers do.
pub(crate) fn refuse_repeat<E: de::Error>(seen: bool, key: &str) -> Result<(), E> {
    if seen {
        Err(E::custom(format_args!(
            "duplicate field `{}`",
            crate::text::excerpt(key)
        )))
    } else {
        Ok(())
    }
}

/// A value read as JSON text, turned into a `Value` when that holds it exactly in value
/// (`Ok`), or kept as the text (`Err`) when not: a number beyond 64 bits or beyond `f64`
/// (`18446744073709551616`, `-9223372036854775809`, `1e400`), a decimal `f64` rounds
/// (`1.000000000000000000001`), or an object inside it that repeats a key.
pub(crate) fn exact_value(raw: Box<RawValue>) -> Result<Value, Box<RawValue>> {
    let mut seen = Seen::default();
    let mut de = serde_json::Deserializer::from_str(raw.get());
    // The import's scanner bounded the depth already.
    de.disable_recursion_limit();
    let parsed = ExactSeed(&mut seen).deserialize(&mut de);
    match parsed {
        Ok(v) if seen.repeated_keys == 0 && (!seen.float || numbers_are_exact(raw.get())) => Ok(v),
        _ => Err(raw),
    }
}

/// `json` (valid JSON text: the crate's own serialisation) as a `Value` that keeps what a `Value` can: numbers it would
/// change become strings of their text, and an object that repeats a key keeps its last
/// value. Also returns how many numbers and repeated keys that was. For formats built from
/// `Value`s (Chrome JSON, OTLP); lineage NDJSON keeps the text instead.
pub(crate) fn value_keeping_what_it_can(json: &str) -> (Value, usize, usize) {
    let (text, numbers) = inexact_numbers_as_strings(json);
    let mut seen = Seen::default();
    let mut de = serde_json::Deserializer::from_str(&text);
    de.disable_recursion_limit();
    let v = ExactSeed(&mut seen)
        .deserialize(&mut de)
        .expect("JSON with its numbers made exact is JSON a Value reads");
    (v, numbers, seen.repeated_keys)
}

/// What building a `Value` met that may make it differ from its text.
#[derive(Default)]
struct Seen {
    float: bool,
    /// Keys met again in the same object (the `Map` kept the last value).
    repeated_keys: usize,
}

/// Builds a `Value` as serde_json's own does, noting floats (a 2^64 arrives as one) and
/// repeated keys (a `Map` keeps only the last).
struct ExactSeed<'s>(&'s mut Seen);

impl<'de> DeserializeSeed<'de> for ExactSeed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ExactSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        self.0.float = true;
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(ExactSeed(&mut *self.0))? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(k) = map.next_key::<String>()? {
            let v = map.next_value_seed(ExactSeed(&mut *self.0))?;
            if out.insert(k, v).is_some() {
                self.0.repeated_keys += 1;
            }
        }
        Ok(Value::Object(out))
    }
}

/// Reads a member's value as raw text, compact: a pretty-printed input's line breaks would
/// otherwise split the one line an NDJSON event is written on.
pub(crate) fn read_raw<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Box<RawValue>, A::Error> {
    let raw = map.next_value::<Box<RawValue>>()?;
    Ok(compact(raw))
}

/// `raw` without the whitespace between its tokens (strings untouched).
pub(crate) fn compact(raw: Box<RawValue>) -> Box<RawValue> {
    let t = raw.get();
    if !t.bytes().any(|c| matches!(c, b' ' | b'\n' | b'\r' | b'\t')) {
        return raw;
    }
    let b = t.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i;
                i += 1;
                while b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                out.extend_from_slice(&b[start..i]);
            }
            b' ' | b'\n' | b'\r' | b'\t' => i += 1,
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    let text = String::from_utf8(out).expect("whitespace removed between UTF-8 tokens");
    RawValue::from_string(text).expect("JSON without its insignificant whitespace is JSON")
}

impl<'de> Deserialize<'de> for RawMembers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawMembers, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawMembers;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawMembers, A::Error> {
                let mut out = RawMembers::new();
                while let Some(k) = map.next_key::<String>()? {
                    refuse_repeat(out.get(&k).is_some(), &k)?;
                    let v = read_raw(&mut map)?;
                    out.push_unique(k, v);
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn raw(s: &str) -> Box<RawValue> {
        RawValue::from_string(s.to_owned()).unwrap()
    }

    #[test]
    fn values_a_value_holds_exactly_become_values_the_rest_stay_text() {
        for exact in [
            "1",
            "-1",
            "18446744073709551615",
            "-9223372036854775808",
            "0.1",
            "1.5e300",
            "-0",
            "1.0",
            "1e2",
            "[1,{\"a\":0.25}]",
            "\"18446744073709551616\"",
        ] {
            assert!(exact_value(raw(exact)).is_ok(), "{exact}");
        }
        for kept in [
            "18446744073709551616",
            "-9223372036854775809",
            "1e400",
            "-1e400",
            "1e-400",
            "1.000000000000000000001",
            "[0,{\"a\":[123456789012345678901234567890]}]",
            "{\"a\":1,\"a\":2}",
        ] {
            let back = exact_value(raw(kept)).expect_err(kept);
            assert_eq!(back.get(), kept);
        }
    }

    #[test]
    fn members_refuse_a_repeated_key_and_keep_order_and_text() {
        let m: RawMembers =
            serde_json::from_str("{\"b\":1e400,\"a\":{\"x\" :\n 1,\"y\":\" \\\" \"}}").unwrap();
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"b":1e400,"a":{"x":1,"y":" \" "}}"#
        );
        let e = serde_json::from_str::<RawMembers>(r#"{"a":1,"a":2}"#).unwrap_err();
        assert!(e.to_string().contains("duplicate field `a`"), "{e}");
    }
}
