//! The shapes a trace event is parsed into: only the fields we use, `args` kept as raw JSON
//! text (parsed further only for our own export's exact events, or at the end).

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::core::Event;
use crate::trace::{native, read};

/// A timestamp or duration: a number of microseconds.
///
/// Still a hand-written visitor, unlike OTLP's scalars (`trace/otlp/scalars.rs`): serde's
/// own `f64` reads the same inputs but says "expected f64", and the untagged-enum way to
/// name what was expected buffers every value first; `ts` and `dur` are on every trace
/// event, the hottest path of a Chrome import.
#[derive(Clone, Copy)]
pub(super) struct Micros(pub(super) f64);

impl<'de> Deserialize<'de> for Micros {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Micros;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number of microseconds")
            }
            fn visit_f64<E>(self, v: f64) -> Result<Micros, E> {
                Ok(Micros(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Micros, E> {
                Ok(Micros(v as f64))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Micros, E> {
                Ok(Micros(v as f64))
            }
        }
        d.deserialize_any(V)
    }
}

/// One trace event, with the fields we use; `args` stays raw JSON text.
#[derive(Deserialize)]
pub(super) struct RawEvent<'a> {
    pub(super) ph: String,
    #[serde(default)]
    pub(super) name: Option<Value>,
    #[serde(default)]
    pub(super) cat: Option<Value>,
    #[serde(default)]
    pub(super) ts: Option<Micros>,
    #[serde(default)]
    pub(super) dur: Option<Micros>,
    #[serde(default)]
    pub(super) pid: Option<Value>,
    #[serde(default)]
    pub(super) tid: Option<Value>,
    #[serde(default)]
    pub(super) s: Option<Value>,
    #[serde(default, borrow)]
    pub(super) args: Option<&'a RawValue>,
}

/// The keys of our own export's `args` that hold exact events.
#[derive(Deserialize, Default)]
pub(super) struct Ours<'a> {
    #[serde(default, borrow)]
    pub(super) start: Option<&'a RawValue>,
    #[serde(default, borrow)]
    pub(super) end: Option<&'a RawValue>,
    #[serde(default, borrow)]
    pub(super) event: Option<&'a RawValue>,
}

impl<'a> Ours<'a> {
    pub(super) fn of(args: Option<&'a RawValue>) -> Ours<'a> {
        args.and_then(|a| read::from_str_deep(a.get()).ok())
            .unwrap_or_default()
    }
}

/// The exact event under one of those keys, if it is one: lineage NDJSON's own reader
/// (`native::read_exact`, the fast path for what lineage writes, serde for the rest) reads
/// it, since our export writes each one as an NDJSON line.
pub(super) fn exact(raw: Option<&RawValue>) -> Option<Event> {
    let text = raw?.get();
    native::read_exact(text).or_else(|| read::from_str_deep(text).ok())
}
