//! How long and how often a measuring [`Session`](super::Session) runs.
//!
//! Its own file because both the session (which follows it) and the
//! [`Comparison`](super::Comparison) (which records it beside the figures) need it, and neither
//! should depend on the other for it.

use serde::{Deserialize, Serialize};

use super::subject::Workbench;

/// How long and how often to measure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MeasureConfig {
    /// Measured rounds (each runs one batch of every subject).
    pub rounds: usize,
    /// The shortest a timed batch may be, in milliseconds (raised on coarse clocks).
    pub min_batch_ms: f64,
    /// The fewest operations in a batch, however slow the subject.
    pub min_ops_per_batch: usize,
    /// The most operations in a batch, however fast the subject.
    pub max_ops_per_batch: usize,
    pub bench: Workbench,
}

impl Default for MeasureConfig {
    fn default() -> Self {
        MeasureConfig {
            rounds: 31,
            min_batch_ms: 10.0,
            min_ops_per_batch: 256,
            max_ops_per_batch: 1 << 26,
            bench: Workbench::default(),
        }
    }
}
