//! # Why a simulated operation failed
//!
//! The error every level of the simulated pipeline returns. Its own file because both the
//! levels (`super::levels`, which fail) and the wrappers (`super::wrap`, which see the
//! failure to emit the *failed* event) name it.

/// Why a simulated operation failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimulatedFailure(pub String);

impl std::fmt::Display for SimulatedFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
