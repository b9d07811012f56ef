//! # Pipeline settings
//!
//! Everything a simulated run varies: how many operations, how many interleave, how deep they
//! nest, how often they fail, how much work each level does, who subscribes, and the emit
//! mode. Plain data (serde), so the UI can keep it in the URL and the CLI in flags.

use serde::{Deserialize, Serialize};

use crate::core::EmitMode;

/// Which kinds the simulated subscribers listen to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubscriberKinds {
    /// Every event.
    #[default]
    All,
    /// Start events ("processing").
    Starts,
    /// End events ("processed").
    Ends,
    /// Failed events only (a predicate on the phase).
    Failures,
}

impl SubscriberKinds {
    pub(crate) const ALL: [SubscriberKinds; 4] = [
        SubscriberKinds::All,
        SubscriberKinds::Starts,
        SubscriberKinds::Ends,
        SubscriberKinds::Failures,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SubscriberKinds::All => "all",
            SubscriberKinds::Starts => "starts",
            SubscriberKinds::Ends => "ends",
            SubscriberKinds::Failures => "failures",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<SubscriberKinds> {
        SubscriberKinds::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The simulated subscribers attached for a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscribers {
    /// Subscriptions attached (0: nobody listens, so lazy mode skips every operation).
    pub count: usize,
    /// Which events they listen to.
    pub kinds: SubscriberKinds,
    /// Async handlers (awaited by the processor) instead of sync ones.
    pub asynchronous: bool,
    /// Busy-loop iterations each handler call spends.
    pub handler_cost: u32,
}

/// A simulated run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PipelineConfig {
    /// Operations (`aexecute` calls) to run.
    pub operations: usize,
    /// Operations interleaved on the executor at once.
    pub concurrency: usize,
    /// Nested wrapped levels per operation (3 is the original's).
    pub depth: usize,
    /// Probability that an operation's innermost work fails, drawn from `seed`.
    pub failure_rate: f64,
    /// Seeds which operations fail and each operation's input entity: the same seed, the same
    /// run (the diff pairs two runs of one seed by name and order).
    pub seed: u64,
    /// Busy-loop iterations each level spends before descending.
    pub work_per_level: u32,
    /// Yields to the executor at each level (lets concurrent operations interleave).
    pub yields_per_level: u32,
    /// The simulated subscribers attached to the bus.
    pub subscribers: Subscribers,
    /// The emit mode the run's bus starts in.
    pub mode: EmitMode,
    /// Events the bus's history keeps (older ones are pruned, and the page says so).
    pub history: usize,
}

/// The history a live run keeps unless told otherwise.
pub(crate) const DEFAULT_HISTORY: usize = 250_000;

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig {
            operations: 100,
            concurrency: 1,
            depth: 3,
            failure_rate: 0.0,
            seed: 42,
            work_per_level: 0,
            yields_per_level: 0,
            subscribers: Subscribers::default(),
            mode: EmitMode::Awaited,
            history: DEFAULT_HISTORY,
        }
    }
}

impl PipelineConfig {
    /// Events one successful operation emits when every event is recorded.
    pub fn events_per_operation(&self) -> usize {
        2 * self.depth.max(1)
    }
}
