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
use std::ops::Index;
use std::sync::OnceLock;

use serde_json::value::RawValue;
use serde_json::{Map, Value};
use smallvec::SmallVec;

use super::field_value::{FieldValue, Reader};
use super::raw::RawMembers;
use encoded::Encoded;

mod encoded;
mod serde_impl;
#[cfg(test)]
mod tests;

/// A field name: static when code names it, owned when read from a file (defined beside
/// the members kept as JSON text, which fields hold and which name their members the same).
pub(crate) use super::raw::Key;

/// Fields as `Value`s (read from a file, or inserted as `Value`s).
type Pairs = SmallVec<[(Key, Value); 3]>;

/// How the fields are held; see the module docs ("Two forms").
#[derive(Clone, Debug)]
enum Held {
    /// Written by code ([`Fields::put`] with literal keys): the keys, and the values in the
    /// store's encoding (`core::field_value`), in insertion order. Never a `Value` on the
    /// emitting path, and nothing to drop (`encoded.rs`).
    Encoded(Encoded),
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
            held: Held::Encoded(Encoded::new()),
            raw: RawMembers::new(),
            decoded: OnceLock::new(),
        }
    }

    /// Fields held, as `Value`s and as text.
    pub fn len(&self) -> usize {
        let held = match &self.held {
            Held::Encoded(e) => e.keys().len(),
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
    ///
    /// Inlined at the call site for the common case (a literal key new to encoded fields,
    /// nothing kept as text, nothing decoded yet), where the key's literal and the value's
    /// type are known: an outlined generic call cost ~90 instructions a field, most of it
    /// the call and the checks, not the bytes. Everything else goes through
    /// `Fields::put_slow`.
    #[inline(always)]
    pub fn put(&mut self, key: impl Into<Key>, value: impl FieldValue) {
        let key = key.into();
        if let (Held::Encoded(e), Cow::Borrowed(k)) = (&mut self.held, &key) {
            if self.raw.is_empty() && self.decoded.get().is_none() && !e.contains(k) {
                e.push_key(k);
                value.encode(e);
                return;
            }
        }
        self.put_slow(key, value);
    }

    /// [`Fields::put`] when the fields hold text members, a decoded cache, the key already,
    /// or the key is owned.
    #[inline(never)]
    fn put_slow(&mut self, key: Key, value: impl FieldValue) {
        if !self.raw.is_empty() {
            self.raw.remove(&key);
        }
        match (&mut self.held, key) {
            (Held::Encoded(e), Cow::Borrowed(key)) if !e.contains(key) => {
                e.push_key(key);
                value.encode(e);
                if self.decoded.get().is_some() {
                    self.decoded = OnceLock::new();
                }
            }
            (_, key) => {
                self.insert(key, value.into_value());
            }
        }
    }

    /// Removes every field, keeping the encoded form's buffers (a payload reused event
    /// after event): encoded fields are forgotten by resetting two counts, with nothing to
    /// drop; only fields held as `Value`s are dropped.
    #[inline]
    pub(crate) fn clear(&mut self) {
        match &mut self.held {
            Held::Encoded(e) => e.clear(),
            Held::Values(_) => self.held = Held::Encoded(Encoded::new()),
        }
        if !self.raw.is_empty() {
            self.raw = RawMembers::new();
        }
        if self.decoded.get().is_some() {
            self.decoded = OnceLock::new();
        }
    }

    /// Removes every field if that drops nothing (the fields a writing factory puts,
    /// encoded in the inline arrays, nothing kept as text or decoded): two counts reset.
    /// Says `false`, doing nothing, otherwise ([`clear`](Self::clear) then).
    #[inline]
    pub(crate) fn clear_plain(&mut self) -> bool {
        match &mut self.held {
            Held::Encoded(e) if self.raw.is_empty() && self.decoded.get().is_none() => {
                e.clear_inline()
            }
            _ => false,
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
            Held::Encoded(e) => self.decoded.get_or_init(|| {
                let mut rd = Reader {
                    bytes: e.bytes(),
                    at: 0,
                };
                e.keys()
                    .iter()
                    .map(|&k| (Key::Borrowed(k), rd.value()))
                    .collect()
            }),
        }
    }

    /// The fields as `Value`s to change: encoded ones become `Value`s first (only code that
    /// mixes `put` with `insert` or `remove` pays for it).
    fn pairs_mut(&mut self) -> &mut Pairs {
        if let Held::Encoded(_) = self.held {
            let pairs: Pairs = self.pairs().iter().cloned().collect();
            self.held = Held::Values(pairs);
            self.decoded = OnceLock::new();
        }
        match &mut self.held {
            Held::Values(pairs) => pairs,
            Held::Encoded(_) => unreachable!("converted above"),
        }
    }

    /// The encoded fields, keys and value bytes, if they are held so (the store copies the
    /// bytes into its arena as they are).
    #[inline]
    pub(crate) fn encoded(&self) -> Option<(&[&'static str], &[u8])> {
        match &self.held {
            Held::Encoded(e) => Some((e.keys(), e.bytes())),
            Held::Values(_) => None,
        }
    }

    /// Does an encoded value hold a piece the store keeps once (`core::store::shared_text`)?
    #[inline]
    pub(crate) fn has_shared_piece(&self) -> bool {
        match &self.held {
            Held::Encoded(e) => e.has_shared_piece(),
            Held::Values(_) => false,
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
        if let Held::Encoded(e) = &self.held {
            if !e.contains(key) {
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
