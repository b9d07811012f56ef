//! # Free-form payload fields
//!
//! The original's event classes carry a handful of class-specific fields each
//! (`preparation_type`, `isolation_successful`, ...). [`Fields`] keeps them in insertion
//! order, with keys that are `&'static str` when the emitting code names them (no
//! allocation) and owned only when read from a file.
//!
//! ## Two forms
//! - **Encoded**, what emitting code writes with [`Fields::put`] (and `Payload::with`): the
//!   keys, and the values already in the store's byte encoding (`core::field_value`), inline
//!   up to 64 bytes. Building a pipeline payload allocates nothing and makes no
//!   `serde_json::Value`; the store copies the bytes into its arena as they are. This is how
//!   `tracing`'s `field::Visit` records a span's fields: value by value, no map.
//! - **Values**, `(key, Value)` pairs: fields read from a file, decoded from the store, or
//!   set with [`Fields::insert`]. Changing an encoded field set with `insert` or `remove`
//!   turns it into this form first.
//!
//! Reads look the same either way: [`Fields::get`] and [`Fields::iter`] decode encoded
//! fields into `Value`s once, on the first read (a view, an export, a test), never on the
//! emitting path.
//!
//! ## Why not `serde_json::Map`
//! A `Map` is a B-tree: every event with one field allocates a ~630-byte leaf plus a `String`
//! per key, and frees them when the event leaves the bounded history, by then cold in cache.
//! Measured with `lineage bench` on this machine, that was most of the awaited mode's cost per
//! event. Lookups are linear, which is right for the few fields an event has; imports build
//! the pairs from an already de-duplicated JSON object ([`From<Map>`](Fields::from)), never by
//! repeated [`Fields::insert`].
//!
//! ## Values a `Value` cannot hold
//! A field read from a file whose value holds a number beyond 64 bits or `f64`, or an object
//! that repeats a key, is kept as its JSON text ([`Fields::get_raw`], see `core::raw`), so
//! it is written back as it was read. [`Fields::get`] and [`Fields::iter`] see only the
//! fields held as `Value`s or encoded; [`Fields::raw`] lists the others.

use std::borrow::Cow;
use std::fmt;
use std::ops::Index;
use std::sync::OnceLock;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use smallvec::SmallVec;

use super::field_value::{FieldValue, Reader};
use super::raw::{exact_value, read_raw, refuse_repeat, RawMembers};

/// A field name: static when code names it, owned when read from a file.
pub(crate) type Key = Cow<'static, str>;

/// Fields as `Value`s (read from a file, or inserted as `Value`s).
type Pairs = SmallVec<[(Key, Value); 3]>;

/// How the fields are held; see the module docs ("Two forms").
#[derive(Clone, Debug)]
enum Held {
    /// Written by code ([`Fields::put`] with literal keys): the keys, and the values in the
    /// store's encoding (`core::field_value`), in insertion order. Never a `Value` on the
    /// emitting path, and nothing to drop but the inline buffers.
    Encoded {
        keys: SmallVec<[&'static str; 4]>,
        values: SmallVec<[u8; 64]>,
    },
    Values(Pairs),
}

/// Ordered, free-form fields of a payload; serialised as a JSON object.
#[derive(Clone, Debug)]
pub struct Fields {
    held: Held,
    /// Fields kept as JSON text (see the module docs); keys distinct from the others.
    raw: RawMembers,
    /// The encoded fields as `Value`s, made on the first read that needs references
    /// ([`Fields::get`], [`Fields::iter`]); empty otherwise.
    decoded: OnceLock<Box<[(Key, Value)]>>,
}

impl Default for Fields {
    fn default() -> Fields {
        Fields::new()
    }
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
            held: Held::Encoded {
                keys: SmallVec::new_const(),
                values: SmallVec::new_const(),
            },
            raw: RawMembers::new(),
            decoded: OnceLock::new(),
        }
    }

    /// Fields held, as `Value`s and as text.
    pub fn len(&self) -> usize {
        let held = match &self.held {
            Held::Encoded { keys, .. } => keys.len(),
            Held::Values(pairs) => pairs.len(),
        };
        held + self.raw.len()
    }

    /// No field held either way.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sets `key` to `value` without making a `serde_json::Value` of it: numbers, booleans
    /// and strings are encoded as they are (`core::field_value`). Replaces an earlier field
    /// of that key, in place. (A key built at run time makes the fields `Value`s.)
    #[inline]
    pub fn put(&mut self, key: impl Into<Key>, value: impl FieldValue) {
        let key = key.into();
        if !self.raw.is_empty() {
            self.raw.remove(&key);
        }
        match (&mut self.held, key) {
            (Held::Encoded { keys, values }, Cow::Borrowed(key)) if !keys.contains(&key) => {
                keys.push(key);
                value.encode(values);
                if self.decoded.get().is_some() {
                    self.decoded = OnceLock::new();
                }
            }
            (_, key) => {
                self.insert(key, value.into_value());
            }
        }
    }

    /// Removes every field, keeping the encoded form's inline buffers (a payload reused
    /// event after event).
    #[inline]
    pub(crate) fn clear(&mut self) {
        match &mut self.held {
            // Inline buffers are replaced, not cleared: `SmallVec::clear` drops items one by
            // one, a loop over every byte of the values.
            Held::Encoded { keys, values } if !keys.spilled() && !values.spilled() => {
                *keys = SmallVec::new_const();
                *values = SmallVec::new_const();
            }
            Held::Encoded { keys, values } => {
                keys.clear();
                values.clear();
            }
            Held::Values(_) => {
                self.held = Held::Encoded {
                    keys: SmallVec::new_const(),
                    values: SmallVec::new_const(),
                };
            }
        }
        if !self.raw.is_empty() {
            self.raw = RawMembers::new();
        }
        if self.decoded.get().is_some() {
            self.decoded = OnceLock::new();
        }
    }

    /// Sets `key` to `value`, replacing (in place) and returning an earlier value.
    pub fn insert(&mut self, key: impl Into<Key>, value: Value) -> Option<Value> {
        let key = key.into();
        if !self.raw.is_empty() {
            self.raw.remove(&key);
        }
        let pairs = self.pairs_mut();
        match pairs.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => Some(std::mem::replace(v, value)),
            None => {
                pairs.push((key, value));
                None
            }
        }
    }

    /// The fields held as `Value`s (encoded ones decoded, once).
    fn pairs(&self) -> &[(Key, Value)] {
        match &self.held {
            Held::Values(pairs) => pairs,
            Held::Encoded { keys, values } => self.decoded.get_or_init(|| {
                let mut rd = Reader {
                    bytes: values,
                    at: 0,
                };
                keys.iter()
                    .map(|&k| (Key::Borrowed(k), rd.value()))
                    .collect()
            }),
        }
    }

    /// The fields as `Value`s to change: encoded ones become `Value`s first (only code that
    /// mixes `put` with `insert` or `remove` pays for it).
    fn pairs_mut(&mut self) -> &mut Pairs {
        if let Held::Encoded { .. } = self.held {
            let pairs: Pairs = self.pairs().iter().cloned().collect();
            self.held = Held::Values(pairs);
            self.decoded = OnceLock::new();
        }
        match &mut self.held {
            Held::Values(pairs) => pairs,
            Held::Encoded { .. } => unreachable!("converted above"),
        }
    }

    /// The encoded fields, keys and value bytes, if they are held so (the store copies the
    /// bytes into its arena as they are).
    #[inline]
    pub(crate) fn encoded(&self) -> Option<(&[&'static str], &[u8])> {
        match &self.held {
            Held::Encoded { keys, values } => Some((keys, values)),
            Held::Values(_) => None,
        }
    }

    /// A field held as a `Value` (not one kept as text, see [`Fields::get_raw`]).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.pairs().iter().find(|(k, _)| k == key).map(|(_, v)| v)
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
        if let Held::Encoded { keys, .. } = &self.held {
            if !keys.contains(&key) {
                return None;
            }
        }
        let pairs = self.pairs_mut();
        let i = pairs.iter().position(|(k, _)| k == key)?;
        Some(pairs.remove(i).1)
    }

    /// Appends a field whose key the caller knows is new (decoding a stored payload).
    pub(crate) fn push_unique(&mut self, key: Key, value: Value) {
        self.pairs_mut().push((key, value));
    }

    /// Appends a field kept as text whose key the caller knows is new.
    pub(crate) fn push_unique_raw(&mut self, key: Key, value: Box<RawValue>) {
        self.raw.push_unique(key, value);
    }

    /// The `Value` fields with their keys as stored (static or owned), in insertion order.
    pub(crate) fn entries(&self) -> impl ExactSizeIterator<Item = &(Key, Value)> {
        self.pairs().iter()
    }

    /// The fields held as `Value`s, in insertion order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Value)> {
        self.pairs().iter().map(|(k, v)| (k.as_ref(), v))
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
            held: Held::Values(map.into_iter().map(|(k, v)| (Key::Owned(k), v)).collect()),
            raw: RawMembers::new(),
            decoded: OnceLock::new(),
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
        for (k, v) in self.pairs() {
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
                            keys.extend(out.iter().map(|(k, _)| k.to_owned()));
                            keys.extend(out.raw.iter().map(|(k, _)| k.to_owned()));
                        }
                        !keys.insert(k.clone())
                    };
                    refuse_repeat(repeated, &k)?;
                    match exact_value(read_raw(&mut access)?) {
                        Ok(v) => out.push_unique(Key::Owned(k), v),
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

    #[test]
    fn fields_put_by_code_read_as_the_same_values_an_insert_makes() {
        let mut put = Fields::new();
        put.put("n", 3u32);
        put.put("neg", -5i64);
        put.put("f", 1.5);
        put.put("nan", f64::NAN);
        put.put("s", "text");
        put.put("yes", true);
        put.put("obj", serde_json::json!({"a": [1, {"b": null}]}));
        let mut inserted = Fields::new();
        for (k, v) in [
            ("n", Value::from(3u32)),
            ("neg", Value::from(-5i64)),
            ("f", Value::from(1.5)),
            ("nan", Value::from(f64::NAN)),
            ("s", Value::from("text")),
            ("yes", Value::from(true)),
            ("obj", serde_json::json!({"a": [1, {"b": null}]})),
        ] {
            inserted.insert(k, v);
        }
        assert!(put.encoded().is_some() && inserted.encoded().is_none());
        assert_eq!(put, inserted);
        assert_eq!(
            serde_json::to_string(&put).unwrap(),
            serde_json::to_string(&inserted).unwrap()
        );
        assert_eq!(put["nan"], Value::Null);
        // Replacing keeps the place; a later insert or remove sees every field.
        put.put("n", "three");
        assert_eq!(put.iter().next(), Some(("n", &Value::from("three"))));
        assert_eq!(put.remove("s"), Some(Value::from("text")));
        put.insert("late", Value::from(1));
        assert_eq!(put.len(), 7);
        assert_eq!(put.get("late"), Some(&Value::from(1)));
    }
}
