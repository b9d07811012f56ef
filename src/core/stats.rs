//! # Bus statistics
//!
//! Counters the processor keeps as it goes, read as a [`Stats`] snapshot. They are what the
//! inspector shows next to the trace, and what tests check to prove nothing was lost.

use serde::Serialize;

use super::event::{Kind, Phase};
use super::subscription::SubscriptionId;

/// A snapshot of a bus's counters.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Stats {
    /// Events created by this bus (each got a sequence number).
    pub emitted: u64,
    /// Events taken off the queue and recorded.
    pub processed: u64,
    /// Processed events by phase, indexed by [`Phase::index`].
    pub by_phase: [u64; 8],
    /// Processed events by kind, in order of first appearance.
    pub by_kind: Vec<(Kind, u64)>,
    /// Events waiting in the queue now.
    pub queued: usize,
    /// The most events ever waiting in the queue at once.
    pub queue_high_water: usize,
    /// Fire-and-forget puts spawned but not yet on the queue.
    pub pending_puts: u64,
    /// Events processed after an event emitted later than them (fire-and-forget reordering).
    pub order_inversions: u64,
    /// Handler invocations, and how many returned an error or panicked.
    pub handler_calls: u64,
    /// Handler invocations that returned an `Err` (each kept as a [`HandlerFailure`]).
    pub handler_errors: u64,
    /// Handler invocations that panicked (caught natively; on wasm32 a panic aborts the module).
    pub handler_panics: u64,
    /// Events refused: the bus had shut down, the queue was full for `try_emit`, or the
    /// executor would not run a fire-and-forget put.
    pub rejected: u64,
    /// Operations dropped before finishing (each emitted a cancelled event).
    pub cancelled: u64,
    /// Operations that ran bare because lazy mode found no subscriber.
    pub lazy_skipped: u64,
    /// Root operations whose tree the sampler dropped (their nested operations are not counted
    /// again).
    pub sampled_out: u64,
    /// Events evicted from the bounded history.
    pub pruned: u64,
    /// Times the cached subscriber interest was recomputed for a kind.
    pub interest_rebuilds: u64,
}

impl Stats {
    /// Processed events of this phase.
    pub fn phase(&self, phase: Phase) -> u64 {
        self.by_phase[phase.index()]
    }

    /// Processed events of this kind (0 for a kind never seen).
    pub fn kind(&self, kind: &str) -> u64 {
        self.by_kind
            .iter()
            .find(|(k, _)| k == kind)
            .map_or(0, |(_, n)| *n)
    }
}

/// One handler failure, kept in a bounded list on the bus.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HandlerFailure {
    /// The subscription whose handler failed.
    pub subscription: SubscriptionId,
    /// The event it was handling.
    pub event_id: uuid::Uuid,
    /// That event's kind.
    pub event_kind: Kind,
    /// The error's text, or the panic's message.
    pub message: String,
    /// True when the handler panicked rather than returned an error.
    pub panicked: bool,
}
