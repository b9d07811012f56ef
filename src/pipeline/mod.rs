//! # The simulated pipeline
//!
//! A plain-Rust replica of the original's operation pipeline, used by the tests, the
//! benchmark and the browser replay. No web dependency.
//!
//! - [`levels`]: the three wrapped functions of one `aexecute` call.
//! - [`config`]: what a run varies ([`PipelineConfig`]).
//! - [`run`]: drives a configured run on a bus, or bare for the baseline.

pub mod config;
pub mod levels;
pub mod query;
pub mod run;

pub use config::{PipelineConfig, SubscriberKinds, Subscribers};
pub use levels::{aexecute, Call, LevelWork, SimulatedFailure};
pub use run::{attach_subscribers, run_pipeline, run_range, PipelineOutcome};
