//! # Emit modes
//!
//! The four ways the Python original's analysis weighs emitting an event, plus head sampling
//! as OpenTelemetry does it, switchable at run time on a live bus with
//! [`EventBus::set_mode`](super::bus::EventBus::set_mode). The mode is read once when an
//! operation begins, so an operation's start and end events are always emitted the same way
//! (a switch never leaves a start without its end).
//!
//! A mode may carry data ([`EmitMode::Sampled`] carries its ratio): everything such a mode
//! needs (its parameter, its name with the parameter, its per-operation decision) lives in its
//! own file (`sampling`), and the methods below are the only places that match on modes, so
//! a new mode is one arm in each and the compiler names them.

pub(crate) mod sampling;

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use sampling::SampleRatio;

/// How the emit wrapper records an operation; see the module docs. Read once per operation,
/// switchable on a live bus.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum EmitMode {
    /// Build the event and await the queue put (the original's behaviour today). The put
    /// waits only when the bounded queue is full, which is real back-pressure.
    #[default]
    Awaited,
    /// Build the event and spawn the put as its own task, like `asyncio.create_task(bus.emit(e))`.
    /// The operation never waits, and processing order may differ from emission order: the
    /// bus counts such inversions in its statistics.
    FireAndForget,
    /// No events and no context work: the wrapped operation runs bare.
    Disabled,
    /// Ask `has_subscribers_for` (a cached answer) before anything else; only if someone
    /// listens to the operation's start or end kind are the factories called and both events
    /// emitted (awaited). With no subscribers it costs what `Disabled` costs.
    Lazy,
    /// Head sampling per operation tree, as OpenTelemetry's
    /// `ParentBased(TraceIdRatioBased)`: a root operation is kept with the given probability,
    /// decided once from the bus's sampling seed and the root's id, and every operation nested
    /// in it follows (recorded awaited when kept, bare when dropped), so a tree is recorded
    /// whole or not at all.
    Sampled(SampleRatio),
}

/// What an operation beginning in a mode does ([`EmitMode::decide`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Its events are recorded. A sampled root carries the id it was decided on, which becomes
    /// its start event's id (so the decision can be checked from the recorded root id).
    Record(Option<uuid::Uuid>),
    /// It runs bare.
    Skip,
    /// It runs bare and so does everything nested in it (`sampling::DroppedTree`).
    DropTree,
}

/// How an operation skipped by its mode is counted in [`Stats`](super::Stats).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skip {
    /// Not counted: the mode records nothing by design (disabled).
    Uncounted,
    /// `lazy_skipped`: nobody listened.
    Lazy,
    /// `sampled_out`: a root operation the sampler dropped (its nested operations are not
    /// counted again).
    SampledOut,
}

impl EmitMode {
    /// Every mode, parameterised modes with their default parameter. The CLI, the page's
    /// buttons and keys, the compare tab and the bench list modes from here.
    pub const ALL: [EmitMode; 5] = [
        EmitMode::Awaited,
        EmitMode::FireAndForget,
        EmitMode::Disabled,
        EmitMode::Lazy,
        EmitMode::Sampled(SampleRatio::DEFAULT),
    ];

    /// Does an operation record its events in this mode? `listened` answers "does anyone
    /// subscribe to its kinds?" and is asked only where the answer matters (lazy), so the
    /// other modes decide on the mode alone. Every per-mode decision of the bus lives in
    /// this impl: a new mode is one match arm in each method, and the compiler names them.
    ///
    /// `Sampled` answers here for an event inside an operation tree that is already decided
    /// (kept: record; dropped: skip); a root's decision is `sampling::decide_root`'s.
    #[inline]
    pub fn records(self, listened: impl FnOnce() -> bool) -> bool {
        match self {
            EmitMode::Awaited | EmitMode::FireAndForget => true,
            EmitMode::Disabled => false,
            EmitMode::Lazy => listened(),
            EmitMode::Sampled(_) => !sampling::in_dropped_tree(),
        }
    }

    /// What an operation beginning now does in this mode. `listened` (lazy) and `seed` (the
    /// bus's sampling seed) are asked only where the answer matters.
    #[inline]
    pub fn decide(self, listened: impl FnOnce() -> bool, seed: impl FnOnce() -> u64) -> Decision {
        match self {
            EmitMode::Sampled(ratio) => sampling::decide(ratio, seed()),
            _ if self.records(listened) => Decision::Record(None),
            _ => Decision::Skip,
        }
    }

    /// The ratio of operation trees this mode keeps, for modes that sample.
    #[inline]
    pub const fn sample_ratio(self) -> Option<SampleRatio> {
        match self {
            EmitMode::Sampled(ratio) => Some(ratio),
            EmitMode::Awaited | EmitMode::FireAndForget | EmitMode::Disabled | EmitMode::Lazy => {
                None
            }
        }
    }

    /// Is the put handed to a task of its own (the caller never waits), rather than done
    /// (or awaited, when the queue is full) by the caller?
    #[inline]
    pub const fn spawns_put(self) -> bool {
        match self {
            EmitMode::FireAndForget => true,
            EmitMode::Awaited | EmitMode::Disabled | EmitMode::Lazy | EmitMode::Sampled(_) => false,
        }
    }

    /// How a [`Decision::Skip`] in this mode is counted in the statistics. (Sampled mode
    /// skips only operations nested in a dropped tree, which its root's
    /// [`Decision::DropTree`] counted already.)
    #[inline]
    pub const fn skip(self) -> Skip {
        match self {
            EmitMode::Lazy => Skip::Lazy,
            EmitMode::Awaited
            | EmitMode::FireAndForget
            | EmitMode::Disabled
            | EmitMode::Sampled(_) => Skip::Uncounted,
        }
    }

    /// The snake_case name of the mode's family, without its parameter: a key in JSON
    /// reports, a CSS class, an element id. [`EmitMode::spec`] adds the parameter.
    pub const fn as_str(self) -> &'static str {
        match self {
            EmitMode::Awaited => "awaited",
            EmitMode::FireAndForget => "fire_and_forget",
            EmitMode::Disabled => "disabled",
            EmitMode::Lazy => "lazy",
            EmitMode::Sampled(_) => "sampled",
        }
    }

    /// The name with its parameter, as URLs, JSON and the command line take it
    /// (`awaited`, `sampled:0.1`); [`EmitMode::parse`] reads it back.
    pub fn spec(self) -> String {
        match self {
            EmitMode::Sampled(ratio) => format!("sampled:{ratio}"),
            _ => self.as_str().to_owned(),
        }
    }

    /// A human label for the UI, with the parameter (`Sampled 10%`).
    pub fn label(self) -> String {
        match self {
            EmitMode::Awaited => "Awaited".into(),
            EmitMode::FireAndForget => "Fire-and-forget".into(),
            EmitMode::Disabled => "Disabled".into(),
            EmitMode::Lazy => "Lazy".into(),
            EmitMode::Sampled(ratio) => format!("Sampled {}", ratio.percent()),
        }
    }

    /// Reads a mode's [`spec`](EmitMode::spec): a family name (`sampled` alone takes the
    /// default ratio), `fire-and-forget` and `ff` as aliases, `sampled:0.1` or `sampled:10%`.
    pub fn parse(s: &str) -> Option<EmitMode> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        let (family, parameter) = match s.split_once(':') {
            Some((f, p)) => (f, Some(p)),
            None => (s.as_str(), None),
        };
        let family = if family == "ff" {
            "fire_and_forget"
        } else {
            family
        };
        let mode = EmitMode::ALL.into_iter().find(|m| m.as_str() == family)?;
        match (mode, parameter) {
            (EmitMode::Sampled(_), Some(p)) => SampleRatio::parse(p).map(EmitMode::Sampled),
            (_, None) => Some(mode),
            (_, Some(_)) => None,
        }
    }
}

impl fmt::Display for EmitMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.spec())
    }
}

/// As its [`spec`](EmitMode::spec) string: `"awaited"`, `"sampled:0.1"`.
impl Serialize for EmitMode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.spec())
    }
}

impl<'de> Deserialize<'de> for EmitMode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        EmitMode::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown emit mode {text:?}")))
    }
}
