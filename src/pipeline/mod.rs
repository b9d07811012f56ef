//! # The simulated pipeline
//!
//! A plain-Rust replica of the original's operation pipeline, used by the tests, the
//! benchmark and the browser replay. No web dependency.

pub mod levels;

pub use levels::{aexecute, Call, SimulatedFailure};
