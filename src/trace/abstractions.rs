//! # The Python original's event dumps
//!
//! `EventSerializer.to_dict` writes each event of the `abstractions` framework as a flat JSON
//! object, leaving out the fields that are `None`. A dump is one object per line, or a JSON
//! array of them. Each object becomes one [`Event`]:
//!
//! | original | lineage |
//! |---|---|
//! | `id`, `parent_id`, `root_id`, `lineage_id` | the same ids |
//! | `type` ("processing", "processed", ...) | `kind` |
//! | `phase` | `phase` |
//! | `timestamp` (ISO 8601; naive times are taken as UTC) | `timestamp_ns` since the Unix epoch |
//! | `duration_ms` | `duration_ns` |
//! | `error` | `error` |
//! | `process_name`, `function_name`, `input_entity_ids`, `output_entity_ids`, `entity_count` | the typed payload fields |
//! | everything else (`context`, `metadata`, `children_ids`, `subject_id`, ...) | `payload.extra`, verbatim |
//!
//! Nothing is dropped: a known field whose value does not fit its typed slot (a negative
//! `duration_ms`, ids that are not uuids) is kept in `extra` under its own name.
//!
//! The original's quirks are kept as they are, not repaired here: end events are siblings of
//! their starts with no `start_id`, the root's end event has no parent and names itself as
//! root, and a failed call leaves its started events without an end. The inspector's span
//! builder pairs ends with starts the original's way (see [`crate::model::spans`]). The
//! original has no emission numbers, so `seq` is 0.

use serde_json::{Map, Value};
use time::format_description::well_known::{Iso8601, Rfc3339};
use time::{OffsetDateTime, PrimitiveDateTime};
use uuid::Uuid;

use super::error::{describe, ImportError, Position};
use super::read;
use super::scan::Entry;
use super::stream::output::Output;
use super::{lineage_of, Format, Imported};
use crate::core::ids::IdMap;
use crate::core::{Event, Payload, Phase};
use crate::model::sink::EventSink;

/// Reads a dump of the original's events.
pub fn import(bytes: &[u8]) -> Result<Imported, ImportError> {
    super::import_as(Format::Abstractions, bytes)
}

/// The state a dump needs across records: the root of every id seen, so an event whose
/// `root_id` is missing takes its parent's (about 40 bytes an event, counted in the budget).
#[derive(Default)]
pub(crate) struct Reader {
    roots: IdMap<Uuid>,
}

impl Reader {
    pub(crate) fn record<S: EventSink>(
        &mut self,
        record: &Entry<'_>,
        out: &mut Output<S>,
    ) -> Result<(), ImportError> {
        let map: Map<String, Value> =
            read::parse_record(Format::Abstractions, record, String::new)?;
        let event = from_dict(map, record.at, &self.roots)?;
        self.roots.insert(event.id, event.root_id);
        out.hold(self.roots.capacity() * 40)?;
        out.push(event)
    }
}

/// One `to_dict` object to an event.
fn from_dict(
    mut map: Map<String, Value>,
    at: Position,
    roots: &IdMap<Uuid>,
) -> Result<Event, ImportError> {
    let (id, kind, phase, timestamp_ns) = required(&mut map, at)?;
    let invalid = |field: &str, expected: &str, found: &Value| {
        ImportError::invalid(
            Format::Abstractions,
            Some(at),
            field,
            expected,
            describe(found),
        )
    };
    // Optional ids: absent or null means none; anything else must be a uuid.
    let mut optional_id = |field: &str| -> Result<Option<Uuid>, ImportError> {
        match map.remove(field) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => uuid_of(&v)
                .map(Some)
                .ok_or_else(|| invalid(field, "a uuid string or null", &v)),
        }
    };
    let parent_id = optional_id("parent_id")?;
    let root_id = optional_id("root_id")?;
    let lineage_id = optional_id("lineage_id")?;
    let root_id =
        root_id.unwrap_or_else(|| parent_id.and_then(|p| roots.get(&p).copied()).unwrap_or(id));
    let lineage_id = lineage_id.unwrap_or_else(|| lineage_of(root_id));

    let duration_ns = take_if(&mut map, "duration_ms", |v| {
        v.as_f64()
            .filter(|ms| ms.is_finite() && *ms >= 0.0 && *ms < 1.8e13)
            .map(|ms| (ms * 1e6).round() as u64)
    });
    let error = match map.remove("error") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    };
    let payload = payload_of(map);
    Ok(Event {
        id,
        kind: kind.into(),
        phase,
        parent_id,
        root_id,
        lineage_id,
        start_id: None,
        seq: 0,
        timestamp_ns,
        duration_ns,
        error,
        payload,
        unknown: Default::default(),
    })
}

/// The fields every event has: id, type, phase and timestamp, each checked.
fn required(
    map: &mut Map<String, Value>,
    at: Position,
) -> Result<(Uuid, String, Phase, u64), ImportError> {
    let invalid = |field: &str, expected: &str, found: &Value| {
        ImportError::invalid(
            Format::Abstractions,
            Some(at),
            field,
            expected,
            describe(found),
        )
    };
    let missing = |field: &str, expected: &str| {
        ImportError::invalid(
            Format::Abstractions,
            Some(at),
            field,
            expected,
            "nothing (the field is missing)",
        )
    };

    let id = match map.remove("id") {
        Some(v) => uuid_of(&v).ok_or_else(|| invalid("id", "a uuid string", &v))?,
        None => return Err(missing("id", "a uuid string")),
    };
    let kind = match map.remove("type") {
        Some(Value::String(s)) => s,
        Some(v) => return Err(invalid("type", "the event type as a string", &v)),
        None => return Err(missing("type", "the event type as a string")),
    };
    let phase = match map.remove("phase") {
        Some(Value::String(s)) if Phase::parse(&s.to_ascii_lowercase()).is_some() => {
            Phase::parse(&s.to_ascii_lowercase()).unwrap_or(Phase::Pending)
        }
        Some(v) => {
            return Err(invalid(
                "phase",
                "one of pending, started, progress, completing, completed, failed, cancelled, \
                 timeout",
                &v,
            ))
        }
        None => return Err(missing("phase", "the event phase")),
    };
    let timestamp_ns = match map.remove("timestamp") {
        Some(v) => timestamp_ns(&v).ok_or_else(|| {
            invalid(
                "timestamp",
                "an ISO 8601 date and time from 1970 on (or seconds since the epoch)",
                &v,
            )
        })?,
        None => return Err(missing("timestamp", "an ISO 8601 date and time")),
    };
    Ok((id, kind, phase, timestamp_ns))
}

/// The payload's typed fields, each taken if it has its type; the rest is `extra`.
fn payload_of(mut map: Map<String, Value>) -> Payload {
    Payload {
        process_name: take_if(&mut map, "process_name", |v| {
            v.as_str().map(|s| s.to_owned().into())
        }),
        function_name: take_if(&mut map, "function_name", |v| {
            v.as_str().map(|s| s.to_owned().into())
        }),
        input_entity_ids: take_if(&mut map, "input_entity_ids", uuid_list)
            .unwrap_or_default()
            .into(),
        output_entity_ids: take_if(&mut map, "output_entity_ids", uuid_list)
            .unwrap_or_default()
            .into(),
        entity_count: take_if(&mut map, "entity_count", |v| {
            v.as_u64().and_then(|n| u32::try_from(n).ok())
        }),
        extra: map.into(),
        unknown: Default::default(),
    }
}

/// Removes `key` from `map` if `convert` accepts its value; otherwise leaves it in place (it
/// then stays in `extra`, nothing lost).
fn take_if<T>(
    map: &mut Map<String, Value>,
    key: &str,
    convert: impl FnOnce(&Value) -> Option<T>,
) -> Option<T> {
    let out = map.get(key).and_then(convert)?;
    map.remove(key);
    Some(out)
}

fn uuid_of(v: &Value) -> Option<Uuid> {
    v.as_str().and_then(|s| Uuid::parse_str(s).ok())
}

/// A list of uuids, only if it is exactly that and writes back the same (lowercase, hyphens).
fn uuid_list(v: &Value) -> Option<Vec<Uuid>> {
    let items = v.as_array()?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let s = item.as_str()?;
        let id = Uuid::parse_str(s).ok()?;
        if id.hyphenated().to_string() != s {
            return None;
        }
        out.push(id);
    }
    Some(out)
}

/// Nanoseconds since the Unix epoch of an ISO 8601 string (an offset, `Z`, or none for UTC;
/// `T` or a space between date and time) or of a number of seconds.
pub fn timestamp_ns(v: &Value) -> Option<u64> {
    let ns: i128 = match v {
        Value::String(s) => parse_iso8601(s)?,
        Value::Number(n) => {
            let secs = n.as_f64()?;
            if !secs.is_finite() || !(0.0..1.8e10).contains(&secs) {
                return None;
            }
            (secs * 1e9).round() as i128
        }
        _ => return None,
    };
    u64::try_from(ns).ok()
}

fn parse_iso8601(s: &str) -> Option<i128> {
    let owned;
    let s = if s.len() > 10 && s.as_bytes()[10] == b' ' && s.is_char_boundary(11) {
        owned = format!("{}T{}", &s[..10], &s[11..]);
        &owned
    } else {
        s
    };
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t.unix_timestamp_nanos());
    }
    if let Ok(t) = OffsetDateTime::parse(s, &Iso8601::DEFAULT) {
        return Some(t.unix_timestamp_nanos());
    }
    PrimitiveDateTime::parse(s, &Iso8601::DEFAULT)
        .ok()
        .map(|t| t.assume_utc().unix_timestamp_nanos())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_isoformat_with_offset_naive_and_space_separated_times_parse_alike() {
        let a = timestamp_ns(&Value::from("2026-11-27T09:59:23.710228+00:00")).unwrap();
        let b = timestamp_ns(&Value::from("2026-11-27T09:59:23.710228")).unwrap();
        let c = timestamp_ns(&Value::from("2026-11-27 09:59:23.710228Z")).unwrap();
        let d = timestamp_ns(&Value::from("2026-11-27T10:59:23.710228+01:00")).unwrap();
        assert_eq!(a, 1_795_773_563_710_228_000);
        assert_eq!((a, a, a), (b, c, d));
    }

    #[test]
    fn times_before_1970_and_garbage_are_not_timestamps() {
        assert_eq!(
            timestamp_ns(&Value::from("1969-12-31T23:59:59+00:00")),
            None
        );
        assert_eq!(timestamp_ns(&Value::from("yesterday")), None);
        assert_eq!(timestamp_ns(&Value::from(-1.0)), None);
        assert_eq!(timestamp_ns(&Value::from(1.5)), Some(1_500_000_000));
    }
}
