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

use std::borrow::Cow;
use std::fmt;
use std::ops::Index;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use smallvec::SmallVec;

/// A field name: static when code names it, owned when read from a file.
pub type Key = Cow<'static, str>;

/// Ordered, free-form fields of a payload; serialised as a JSON object.
#[derive(Clone, Debug, Default)]
pub struct Fields(SmallVec<[(Key, Value); 3]>);

/// Equal as JSON objects are: the same keys with the same values, in any order (a format that
/// sorts its keys, like a Chrome trace's `args`, still round-trips to an equal payload).
impl PartialEq for Fields {
    fn eq(&self, other: &Fields) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl Fields {
    pub const fn new() -> Fields {
        Fields(SmallVec::new_const())
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sets `key` to `value`, replacing (in place) and returning an earlier value.
    pub fn insert(&mut self, key: impl Into<Key>, value: Value) -> Option<Value> {
        let key = key.into();
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => Some(std::mem::replace(v, value)),
            None => {
                self.0.push((key, value));
                None
            }
        }
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let i = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(i).1)
    }

    /// Appends a field whose key the caller knows is new (decoding a stored payload).
    pub(crate) fn push_unique(&mut self, key: Key, value: Value) {
        self.0.push((key, value));
    }

    /// The fields with their keys as stored (static or owned), in insertion order.
    pub(crate) fn entries(&self) -> impl ExactSizeIterator<Item = &(Key, Value)> {
        self.0.iter()
    }

    /// The fields in insertion order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
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
        Fields(map.into_iter().map(|(k, v)| (Key::Owned(k), v)).collect())
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
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k.as_ref(), v)?;
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
                // Through a Map, so a repeated key keeps its last value (as JSON objects do)
                // without a quadratic scan of the vector.
                let mut map = Map::new();
                while let Some((k, v)) = access.next_entry::<String, Value>()? {
                    map.insert(k, v);
                }
                Ok(Fields::from(map))
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
}
