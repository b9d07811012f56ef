//! # Reading an event from JSON, every member kept
//!
//! serde's derived readers drop members they do not know. Lineage NDJSON is the lossless
//! format, so [`Event`] and [`Payload`] are read by hand here: the members the types model
//! are read as their types (with serde's own messages: `missing field`, `duplicate field`),
//! and every other member is kept as its JSON text in `unknown` (see `core::raw`), to be
//! written back as read. A member repeated at either level is refused.
//!
//! Written the derived way (`Serialize` in `core::event`), the unknown members follow the
//! known ones.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use uuid::Uuid;

use super::event::{EntityIds, Event, Kind, Payload, Phase};
use super::fields::Fields;
use super::raw::{read_raw, refuse_repeat, RawMembers};

/// The members an [`Event`] models, in the order it writes them.
const EVENT_KEYS: [&str; 12] = [
    "id",
    "kind",
    "phase",
    "parent_id",
    "root_id",
    "lineage_id",
    "start_id",
    "seq",
    "timestamp_ns",
    "duration_ns",
    "error",
    "payload",
];

/// The members a [`Payload`] models.
const PAYLOAD_KEYS: [&str; 6] = [
    "process_name",
    "function_name",
    "input_entity_ids",
    "output_entity_ids",
    "entity_count",
    "extra",
];

/// A member's key: the index of a known one (read without allocating, as derived readers
/// do), or an unknown one's text.
enum Member {
    Known(usize),
    Unknown(String),
}

struct MemberSeed<const N: usize>(&'static [&'static str; N]);

impl<'de, const N: usize> de::DeserializeSeed<'de> for MemberSeed<N> {
    type Value = Member;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Member, D::Error> {
        d.deserialize_str(self)
    }
}

impl<const N: usize> Visitor<'_> for MemberSeed<N> {
    type Value = Member;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Member, E> {
        Ok(match self.0.iter().position(|k| *k == v) {
            Some(i) => Member::Known(i),
            None => Member::Unknown(v.to_owned()),
        })
    }
}

/// A known member's value, once read (`None` until then).
fn take<'de, T: Deserialize<'de>, A: MapAccess<'de>>(
    slot: &mut Option<T>,
    key: &'static str,
    map: &mut A,
) -> Result<(), A::Error> {
    refuse_repeat(slot.is_some(), key)?;
    *slot = Some(map.next_value()?);
    Ok(())
}

/// A required member's value, or serde's "missing field" error.
fn required<T, E: de::Error>(slot: Option<T>, key: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(key))
}

/// An unknown member, kept as text; a repeat of one is refused.
fn keep_unknown<'de, A: MapAccess<'de>>(
    unknown: &mut RawMembers,
    key: String,
    map: &mut A,
) -> Result<(), A::Error> {
    refuse_repeat(unknown.get(&key).is_some(), &key)?;
    let text = read_raw(map)?;
    unknown.push_unique(key, text);
    Ok(())
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Event, D::Error> {
        d.deserialize_map(EventVisitor)
    }
}

struct EventVisitor;

impl<'de> Visitor<'de> for EventVisitor {
    type Value = Event;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a lineage event (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Event, A::Error> {
        let (mut id, mut kind, mut phase) = (None, None::<String>, None::<Phase>);
        let (mut parent_id, mut root_id, mut lineage_id) = (None, None, None);
        let (mut start_id, mut seq, mut timestamp_ns) = (None, None, None);
        let (mut duration_ns, mut error, mut payload) = (None, None, None::<Payload>);
        let mut unknown = RawMembers::new();
        while let Some(key) = map.next_key_seed(MemberSeed(&EVENT_KEYS))? {
            let i = match key {
                Member::Known(i) => i,
                Member::Unknown(key) => {
                    keep_unknown(&mut unknown, key, &mut map)?;
                    continue;
                }
            };
            let k = EVENT_KEYS[i];
            match i {
                0 => take(&mut id, k, &mut map)?,
                1 => take(&mut kind, k, &mut map)?,
                2 => take(&mut phase, k, &mut map)?,
                3 => take::<Option<Uuid>, _>(&mut parent_id, k, &mut map)?,
                4 => take(&mut root_id, k, &mut map)?,
                5 => take(&mut lineage_id, k, &mut map)?,
                6 => take::<Option<Uuid>, _>(&mut start_id, k, &mut map)?,
                7 => take(&mut seq, k, &mut map)?,
                8 => take(&mut timestamp_ns, k, &mut map)?,
                9 => take::<Option<u64>, _>(&mut duration_ns, k, &mut map)?,
                10 => take::<Option<String>, _>(&mut error, k, &mut map)?,
                _ => take(&mut payload, k, &mut map)?,
            }
        }
        Ok(Event {
            id: required(id, "id")?,
            kind: Kind::Owned(required(kind, "kind")?),
            phase: required(phase, "phase")?,
            parent_id: parent_id.flatten(),
            root_id: required(root_id, "root_id")?,
            lineage_id: required(lineage_id, "lineage_id")?,
            start_id: start_id.flatten(),
            seq: required(seq, "seq")?,
            timestamp_ns: required(timestamp_ns, "timestamp_ns")?,
            duration_ns: duration_ns.flatten(),
            error: error.flatten(),
            payload: payload.unwrap_or_default(),
            unknown,
        })
    }
}

impl<'de> Deserialize<'de> for Payload {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Payload, D::Error> {
        d.deserialize_map(PayloadVisitor)
    }
}

struct PayloadVisitor;

impl<'de> Visitor<'de> for PayloadVisitor {
    type Value = Payload;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a payload (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Payload, A::Error> {
        let (mut process, mut function) = (None::<Option<String>>, None::<Option<String>>);
        let (mut inputs, mut outputs) = (None::<EntityIds>, None::<EntityIds>);
        let (mut count, mut extra) = (None::<Option<u32>>, None::<Fields>);
        let mut unknown = RawMembers::new();
        while let Some(key) = map.next_key_seed(MemberSeed(&PAYLOAD_KEYS))? {
            let i = match key {
                Member::Known(i) => i,
                Member::Unknown(key) => {
                    keep_unknown(&mut unknown, key, &mut map)?;
                    continue;
                }
            };
            let k = PAYLOAD_KEYS[i];
            match i {
                0 => take(&mut process, k, &mut map)?,
                1 => take(&mut function, k, &mut map)?,
                2 => take(&mut inputs, k, &mut map)?,
                3 => take(&mut outputs, k, &mut map)?,
                4 => take(&mut count, k, &mut map)?,
                _ => take(&mut extra, k, &mut map)?,
            }
        }
        Ok(Payload {
            process_name: process.flatten().map(Kind::Owned),
            function_name: function.flatten().map(Kind::Owned),
            input_entity_ids: inputs.unwrap_or_default(),
            output_entity_ids: outputs.unwrap_or_default(),
            entity_count: count.flatten(),
            extra: extra.unwrap_or_default(),
            unknown,
        })
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    const ID: &str = "00000000-0000-4000-8000-000000000001";

    fn line(rest: &str) -> String {
        format!(
            r#"{{"id":"{ID}","kind":"k","phase":"started","root_id":"{ID}","lineage_id":"{ID}","seq":0,"timestamp_ns":0{rest}}}"#
        )
    }

    #[test]
    fn unknown_members_at_both_levels_are_kept_and_written_back_as_read() {
        let text = line(
            r#","payload":{"process_name":"p","bar":{"n":18446744073709551616}},"foo":1,"zz":[-1e400]"#,
        );
        let e: Event = serde_json::from_str(&text).unwrap();
        assert_eq!(e.unknown.get("foo").unwrap().get(), "1");
        assert_eq!(
            e.payload.unknown.get("bar").unwrap().get(),
            r#"{"n":18446744073709551616}"#
        );
        assert_eq!(serde_json::to_string(&e).unwrap(), text);
    }

    #[test]
    fn missing_and_repeated_members_are_refused_as_serde_says() {
        let e = serde_json::from_str::<Event>(r#"{"id":1}"#).unwrap_err();
        assert!(e.to_string().contains("invalid type"), "{e}");
        let e = serde_json::from_str::<Event>(&line(r#","seq":1"#)).unwrap_err();
        assert!(e.to_string().contains("duplicate field `seq`"), "{e}");
        let e = serde_json::from_str::<Event>(&line(r#","foo":1,"foo":2"#)).unwrap_err();
        assert!(e.to_string().contains("duplicate field `foo`"), "{e}");
        let e = serde_json::from_str::<Event>(&line(r#","payload":{"a":1,"a":1}"#)).unwrap_err();
        assert!(e.to_string().contains("duplicate field `a`"), "{e}");
        let no_kind = line("").replace(r#""kind":"k","#, "");
        let e = serde_json::from_str::<Event>(&no_kind).unwrap_err();
        assert!(e.to_string().contains("missing field `kind`"), "{e}");
    }
}
