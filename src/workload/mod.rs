//! # The simulated pipeline
//!
//! A plain-Rust replica of the original's operation pipeline, used by the tests, the
//! benchmark and the browser replay. No web dependency.
//!
//! - `levels`: the three wrapped functions of one `aexecute` call, and why one fails
//!   ([`SimulatedFailure`]).
//! - `config`: what a run varies ([`PipelineConfig`]).
//! - [`run`]: drives a configured run on a bus, or bare for the baseline.
//! - `wrap`: how a level is wrapped ([`Wrap`]): on a bus, bare, or by the measurement's
//!   partial instrumentations and peers.
//! - `real_aexecute`: the 28-event profile of a real `aexecute` call.
//! - `pacer`: a deadline that makes a long run hand the page its thread back ([`Pacer`]).
//! - [`limits`]: the range of every setting, and what the form does with a value outside.

pub(crate) mod config;
pub(crate) mod failure;
pub(crate) mod levels;
pub mod limits;
pub(crate) mod pacer;
pub mod query;
pub(crate) mod real_aexecute;
pub mod run;
pub(crate) mod wrap;

pub use config::{PipelineConfig, SubscriberKinds, Subscribers};
pub use failure::SimulatedFailure;
pub use levels::{aexecute, aexecute_with, Call, LevelWork};
pub use pacer::Pacer;
pub use real_aexecute::{real_aexecute_with, REAL_AEXECUTE_EVENTS};
pub use run::{
    attach_paced_subscribers, attach_subscribers, run_pipeline, run_range, run_range_paced,
    run_range_with, CallShape, PipelineOutcome,
};
pub use wrap::{Level, Wrap};
