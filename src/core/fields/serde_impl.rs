//! # Fields as a JSON object
//!
//! Written as one object (the encoded fields decoded first, then those kept as text); read
//! value by value as text first, so a value a `Value` would change stays text
//! (`core::raw`), and a repeated key is refused.

use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Fields, Key};
use crate::core::raw::{exact_value, read_raw, refuse_repeat};

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
