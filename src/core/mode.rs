//! # Emit modes
//!
//! The four ways the Python original's analysis weighs emitting an event, switchable at run time on a live bus with
//! [`EventBus::set_mode`](super::bus::EventBus::set_mode). The mode is read once when an
//! operation begins, so an operation's start and end events are always emitted the same way
//! (a switch never leaves a start without its end).

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
}

impl EmitMode {
    pub const ALL: [EmitMode; 4] = [
        EmitMode::Awaited,
        EmitMode::FireAndForget,
        EmitMode::Disabled,
        EmitMode::Lazy,
    ];

    /// Does an operation record its events in this mode? `listened` answers "does anyone
    /// subscribe to its kinds?" and is asked only where the answer matters (lazy), so the
    /// other modes decide on the mode alone. Every per-mode decision of the bus lives in
    /// this impl: a new mode is one match arm in each method, and the compiler names them.
    #[inline]
    pub fn records(self, listened: impl FnOnce() -> bool) -> bool {
        match self {
            EmitMode::Awaited | EmitMode::FireAndForget => true,
            EmitMode::Disabled => false,
            EmitMode::Lazy => listened(),
        }
    }

    /// Is the put handed to a task of its own (the caller never waits), rather than done
    /// (or awaited, when the queue is full) by the caller?
    #[inline]
    pub const fn spawns_put(self) -> bool {
        match self {
            EmitMode::FireAndForget => true,
            EmitMode::Awaited | EmitMode::Disabled | EmitMode::Lazy => false,
        }
    }

    /// Does skipping an operation in this mode count as a lazy skip in the statistics?
    #[inline]
    pub const fn counts_skips(self) -> bool {
        match self {
            EmitMode::Lazy => true,
            EmitMode::Awaited | EmitMode::FireAndForget | EmitMode::Disabled => false,
        }
    }

    /// The snake_case name used in URLs, JSON and the command line.
    pub const fn as_str(self) -> &'static str {
        match self {
            EmitMode::Awaited => "awaited",
            EmitMode::FireAndForget => "fire_and_forget",
            EmitMode::Disabled => "disabled",
            EmitMode::Lazy => "lazy",
        }
    }

    /// A human label for the UI.
    pub const fn label(self) -> &'static str {
        match self {
            EmitMode::Awaited => "Awaited",
            EmitMode::FireAndForget => "Fire-and-forget",
            EmitMode::Disabled => "Disabled",
            EmitMode::Lazy => "Lazy",
        }
    }

    pub fn parse(s: &str) -> Option<EmitMode> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        EmitMode::ALL.into_iter().find(|m| {
            m.as_str() == s
                || (s == "fire_and_forget" && *m == EmitMode::FireAndForget)
                || (s == "ff" && *m == EmitMode::FireAndForget)
        })
    }
}

impl fmt::Display for EmitMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
