//! The shapes a trace event is parsed into: only the fields we use, `args` kept as raw JSON
//! text (parsed further only for our own export's exact events, or at the end).

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use uuid::Uuid;

use crate::core::{Event, EventRef};
use crate::model::sink::EventSink;
use crate::trace::error::ImportError;
use crate::trace::stream::output::Output;
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

/// The keys of our own export's `args` that hold exact events, as serde reads them.
#[derive(Deserialize, Default)]
struct OursRaw<'a> {
    #[serde(default, borrow)]
    start: Option<&'a RawValue>,
    #[serde(default, borrow)]
    end: Option<&'a RawValue>,
    #[serde(default, borrow)]
    event: Option<&'a RawValue>,
}

/// The JSON text under the keys of our own export's `args` that hold exact events.
#[derive(Clone, Copy, Default, Debug, PartialEq)]
pub(super) struct Ours<'a> {
    pub(super) start: Option<&'a str>,
    pub(super) end: Option<&'a str>,
    pub(super) event: Option<&'a str>,
}

impl<'a> Ours<'a> {
    /// What serde reads from `args` (nothing where it refuses them, e.g. a key met twice).
    pub(super) fn of(args: Option<&'a str>) -> Ours<'a> {
        let raw: OursRaw<'a> = args
            .and_then(|a| read::from_str_deep(a).ok())
            .unwrap_or_default();
        Ours {
            start: raw.start.map(RawValue::get),
            end: raw.end.map(RawValue::get),
            event: raw.event.map(RawValue::get),
        }
    }
}

/// One trace event as the reader uses it, read by the purpose-built reader (`fast`, strings
/// borrowed) or by serde ([`RawEvent`], converted): the two give equal records.
#[derive(Debug, PartialEq)]
pub(super) struct Record<'a> {
    pub(super) ph: Cow<'a, str>,
    /// `name`, `cat`, `pid` and `tid` as text: a string as it is, another value as its
    /// JSON (`null` is none).
    pub(super) name: Option<Cow<'a, str>>,
    pub(super) cat: Option<Cow<'a, str>>,
    pub(super) pid: Option<Cow<'a, str>>,
    pub(super) tid: Option<Cow<'a, str>>,
    /// Microseconds.
    pub(super) ts: Option<f64>,
    pub(super) dur: Option<f64>,
    /// An instant's scope, when it is a string.
    pub(super) scope: Option<Cow<'a, str>>,
    /// `args` as JSON text.
    pub(super) args: Option<&'a str>,
    /// The exact events under `args`, when read already (`fast` finds them while it reads
    /// `args`); [`Record::ours`] reads them otherwise.
    pub(super) ours: Option<Ours<'a>>,
    /// The events under `start`, `end` and `event` ([`START`], [`END`], [`EVENT`]) when
    /// `fast` has read them with the NDJSON line reader already.
    pub(super) read: [Option<EventRef<'a>>; 3],
    /// Read by `fast`, which checked that `args` make a `Value`.
    pub(super) fast: bool,
}

/// Places in [`Record::read`].
pub(super) const START: usize = 0;
pub(super) const END: usize = 1;
pub(super) const EVENT: usize = 2;

/// `name`, `cat`, `pid`, `tid` as text.
fn text_of(v: Option<Value>) -> Option<Cow<'static, str>> {
    match v {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(Cow::Owned(s)),
        Some(other) => Some(Cow::Owned(other.to_string())),
    }
}

impl<'a> Record<'a> {
    /// A record with nothing read yet, for `fast` to fill: without `args`, none of ours.
    pub(super) fn empty() -> Record<'a> {
        Record {
            ph: Cow::Borrowed(""),
            name: None,
            cat: None,
            pid: None,
            tid: None,
            ts: None,
            dur: None,
            scope: None,
            args: None,
            ours: Some(Ours::default()),
            read: [None, None, None],
            fast: true,
        }
    }

    /// The record serde read.
    pub(super) fn from_serde(ev: RawEvent<'a>) -> Record<'a> {
        Record {
            ph: Cow::Owned(ev.ph),
            name: text_of(ev.name),
            cat: text_of(ev.cat),
            pid: text_of(ev.pid),
            tid: text_of(ev.tid),
            ts: ev.ts.map(|Micros(t)| t),
            dur: ev.dur.map(|Micros(t)| t),
            scope: match ev.s {
                Some(Value::String(s)) => Some(Cow::Owned(s)),
                _ => None,
            },
            args: ev.args.map(RawValue::get),
            ours: None,
            read: [None, None, None],
            fast: false,
        }
    }

    /// The exact events of our own export under `args`.
    pub(super) fn ours(&self) -> Ours<'a> {
        self.ours.unwrap_or_else(|| Ours::of(self.args))
    }
}

/// An exact event of our own export: borrowed from the record when the NDJSON line reader
/// read it, owned when serde did.
pub(super) enum Exact<'a> {
    Borrowed(EventRef<'a>),
    Owned(Event),
}

impl Exact<'_> {
    pub(super) fn id(&self) -> Uuid {
        match self {
            Exact::Borrowed(e) => e.id,
            Exact::Owned(e) => e.id,
        }
    }

    pub(super) fn start_id(&mut self) -> &mut Option<Uuid> {
        match self {
            Exact::Borrowed(e) => &mut e.start_id,
            Exact::Owned(e) => &mut e.start_id,
        }
    }

    pub(super) fn push<S: EventSink>(self, out: &mut Output<S>) -> Result<(), ImportError> {
        match self {
            Exact::Borrowed(e) => out.push_ref(&e),
            Exact::Owned(e) => out.push(e),
        }
    }
}

/// The exact event under one of those keys, if it is one: lineage NDJSON's own reader
/// (`native::read_exact_ref`, the fast path for what lineage writes, serde for the rest)
/// reads it, since our export writes each one as an NDJSON line; `read` is what that
/// reader made of `text` already, if it has.
pub(super) fn exact<'a>(text: Option<&'a str>, read: Option<EventRef<'a>>) -> Option<Exact<'a>> {
    if let Some(e) = read {
        return Some(Exact::Borrowed(e));
    }
    let text = text?;
    match native::read_exact_ref(text) {
        Some(e) => Some(Exact::Borrowed(e)),
        None => read::from_str_deep(text).ok().map(Exact::Owned),
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
thread_local! {
    /// Tests read a file both ways: with this set, every record goes through serde.
    pub(super) static SERDE_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

#[inline(always)]
pub(super) fn serde_only() -> bool {
    #[cfg(all(test, not(target_arch = "wasm32")))]
    return SERDE_ONLY.get();
    #[cfg(not(all(test, not(target_arch = "wasm32"))))]
    false
}

/// JSON text already checked, kept as a `RawValue`.
pub(super) fn raw_text(json: &str) -> Box<RawValue> {
    RawValue::from_string(json.to_owned()).expect("checked as JSON when read")
}
