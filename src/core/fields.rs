//! # Free-form payload fields
//!
//! The original's event classes carry a handful of class-specific fields each
//! (`preparation_type`, `isolation_successful`, ...). [`Fields`] keeps them as a small vector
//! of `(key, value)` pairs in insertion order, with keys that are `&'static str` when the
//! emitting code names them (no allocation) and owned only when read from a file. Up to
//! three fields live inline: a payload built from static names and numbers allocates
//! nothing (the store then encodes it into its arena, see `core::store::record`).
//!
//! ## Why not `serde_json::Map`
//! A `Map` is a B-tree: every event with one field allocates a ~630-byte leaf plus a `String`
//! per key, and frees them when the event leaves the bounded history, by then cold in cache.
//! Measured with `lineage bench` on this machine, that was most of the awaited mode's cost per
//! event. A vector of a few pairs is no allocation at all while it fits inline. Lookups are linear, which is right
//! for the few fields an event has; imports build the vector from an already de-duplicated
//! JSON object ([`From<Map>`](Fields::from)), never by repeated [`Fields::insert`].
//!
//! ## Values a `Value` cannot hold
//! A field read from a file whose value holds a number beyond 64 bits or `f64`, or an object
//! that repeats a key, is kept as its JSON text ([`Fields::get_raw`], see `core::raw`), so
//! it is written back as it was read. [`Fields::get`] and [`Fields::iter`] see only the
//! fields held as `Value`s; [`Fields::raw`] lists the others.

use std::borrow::Cow;
use std::fmt;
use std::ops::Index;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use smallvec::SmallVec;

use super::raw::{exact_value, read_raw, refuse_repeat, RawMembers};

/// A field name: static when code names it, owned when read from a file.
pub(crate) type Key = Cow<'static, str>;

/// Ordered, free-form fields of a payload; serialised as a JSON object.
#[derive(Clone, Debug, Default)]
pub struct Fields {
    pairs: SmallVec<[(Key, Value); 3]>,
    /// Fields kept as JSON text (see the module docs); keys distinct from `pairs`'.
    raw: RawMembers,
}

/// Equal as JSON objects are: the same keys with the same values, in any order (a format that
/// sorts its keys, like a Chrome trace's `args`, still round-trips to an equal payload).
impl PartialEq for Fields {
    fn eq(&self, other: &Fields) -> bool {
        self.len() == other.len()
            && self.iter().all(|(k, v)| other.get(k) == Some(v))
            && self.raw == other.raw
    }
}

impl Fields {
    pub(crate) const fn new() -> Fields {
        Fields {
            pairs: SmallVec::new_const(),
            raw: RawMembers::new(),
        }
    }

    /// Fields held, as `Value`s and as text.
    pub fn len(&self) -> usize {
        self.pairs.len() + self.raw.len()
    }

    /// No field held either way.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty() && self.raw.is_empty()
    }

    /// Sets `key` to `value`, replacing (in place) and returning an earlier value.
    pub fn insert(&mut self, key: impl Into<Key>, value: Value) -> Option<Value> {
        let key = key.into();
        if !self.raw.is_empty() {
            self.raw.remove(&key);
        }
        match self.pairs.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => Some(std::mem::replace(v, value)),
            None => {
                self.pairs.push((key, value));
                None
            }
        }
    }

    /// A field held as a `Value` (not one kept as text, see [`Fields::get_raw`]).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// A field kept as JSON text because a `Value` would change it.
    pub fn get_raw(&self, key: &str) -> Option<&RawValue> {
        self.raw.get(key)
    }

    /// The fields kept as JSON text, in the order read.
    pub fn raw(&self) -> &RawMembers {
        &self.raw
    }

    /// Keeps a field as JSON text (replacing any field of that key).
    pub fn insert_raw(&mut self, key: impl Into<Key>, value: Box<RawValue>) {
        let key = key.into();
        self.remove(&key);
        self.raw.push_unique(key, value);
    }

    /// Is `key` held, as a `Value` or as text?
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Removes a field (held either way); its value when it was held as a `Value`.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        if !self.raw.is_empty() {
            self.raw.remove(key);
        }
        let i = self.pairs.iter().position(|(k, _)| k == key)?;
        Some(self.pairs.remove(i).1)
    }

    /// Appends a field whose key the caller knows is new (decoding a stored payload).
    pub(crate) fn push_unique(&mut self, key: Key, value: Value) {
        self.pairs.push((key, value));
    }

    /// Appends a field kept as text whose key the caller knows is new.
    pub(crate) fn push_unique_raw(&mut self, key: Key, value: Box<RawValue>) {
        self.raw.push_unique(key, value);
    }

    /// The `Value` fields with their keys as stored (static or owned), in insertion order.
    pub(crate) fn entries(&self) -> impl ExactSizeIterator<Item = &(Key, Value)> {
        self.pairs.iter()
    }

    /// The fields held as `Value`s, in insertion order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Value)> {
        self.pairs.iter().map(|(k, v)| (k.as_ref(), v))
    }
}

/// Missing keys read as `null`, as indexing a `serde_json::Value` does.
impl Index<&str> for Fields {
    type Output = Value;

    fn index(&self, key: &str) -> &Value {
        static NULL: Value = Value::Null;
        self.get(key).unwrap_or(&NULL)
    }
}

/// From a JSON object, whose keys are already unique: no quadratic inserts, however many.
impl From<Map<String, Value>> for Fields {
    fn from(map: Map<String, Value>) -> Fields {
        Fields {
            pairs: map.into_iter().map(|(k, v)| (Key::Owned(k), v)).collect(),
            raw: RawMembers::new(),
        }
    }
}

impl FromIterator<(Key, Value)> for Fields {
    fn from_iter<I: IntoIterator<Item = (Key, Value)>>(iter: I) -> Fields {
        let mut f = Fields::new();
        for (k, v) in iter {
            f.insert(k, v);
        }
        f
    }
}

impl Serialize for Fields {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.len()))?;
        for (k, v) in &self.pairs {
            m.serialize_entry(k.as_ref(), v)?;
        }
        for (k, v) in self.raw.iter() {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Fields, D::Error> {
        struct FieldsVisitor;

        impl<'de> Visitor<'de> for FieldsVisitor {
            type Value = Fields;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of payload fields")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Fields, A::Error> {
                // Each value is read as text first, so one a `Value` would change stays text
                // (`core::raw`). A repeated key is refused; the keys are checked through a
                // set once there are many, so a hostile object is not quadratic.
                let mut out = Fields::new();
                let mut keys = std::collections::HashSet::new();
                while let Some(k) = access.next_key::<String>()? {
                    let repeated = if out.len() < 16 {
                        out.get(&k).is_some() || out.raw.get(&k).is_some()
                    } else {
                        if keys.is_empty() {
                            keys.extend(out.pairs.iter().map(|(k, _)| k.to_string()));
                            keys.extend(out.raw.iter().map(|(k, _)| k.to_owned()));
                        }
                        !keys.insert(k.clone())
                    };
                    refuse_repeat(repeated, &k)?;
                    match exact_value(read_raw(&mut access)?) {
                        Ok(v) => out.pairs.push((Key::Owned(k), v)),
                        Err(text) => out.raw.push_unique(k, text),
                    }
                }
                Ok(out)
            }
        }

        d.deserialize_map(FieldsVisitor)
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn fields_keep_insertion_order_replace_in_place_and_round_trip_as_an_object() {
        let mut f = Fields::new();
        f.insert("b", Value::from(1));
        f.insert("a", Value::from("x"));
        assert_eq!(f.insert("b", Value::from(2)), Some(Value::from(1)));
        assert_eq!(serde_json::to_string(&f).unwrap(), r#"{"b":2,"a":"x"}"#);
        let back: Fields = serde_json::from_str(r#"{"b":2,"a":"x"}"#).unwrap();
        assert_eq!(back["b"], 2);
        assert_eq!(back["missing"], Value::Null);
        assert_eq!(back.len(), 2);
    }

    #[test]
    fn values_a_value_would_change_are_kept_as_text_and_repeats_refused() {
        let text = r#"{"n":1,"big":18446744073709551616,"deep":[{"x":-9223372036854775809}]}"#;
        let f: Fields = serde_json::from_str(text).unwrap();
        assert_eq!(f["n"], 1);
        assert_eq!(f.get_raw("big").unwrap().get(), "18446744073709551616");
        assert_eq!(serde_json::to_string(&f).unwrap(), text);
        let e = serde_json::from_str::<Fields>(r#"{"a":1,"a":2}"#).unwrap_err();
        assert!(e.to_string().contains("duplicate field"), "{e}");
        let many: String = (0..40).map(|i| format!("\"k{i}\":{i},")).collect();
        let e = serde_json::from_str::<Fields>(&format!("{{{many}\"k3\":0}}")).unwrap_err();
        assert!(e.to_string().contains("duplicate field `k3`"), "{e}");
    }
}
