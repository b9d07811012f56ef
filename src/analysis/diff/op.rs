//! # One line of the diff
//!
//! An operation on one or both sides ([`OpDiff`]), with what was measured on each side
//! ([`OpSide`]) and the questions the views ask of it: changed? subtree differs? by how much
//! did the duration, event count and lag move?

use serde::Serialize;

use crate::model::spans::Status;

/// Where an operation is present.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// In run A only.
    OnlyA,
    /// In run B only.
    OnlyB,
    /// In both runs, aligned.
    Both,
}

/// How the two sides were paired.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PairedBy {
    /// The root start events have the same id (one run against a converted copy of itself).
    Id,
    /// The same name working on the same input entity (its first `input_entity_ids`): two
    /// runs of one seed, when one side recorded only some operations (a sampled run).
    NameAndEntity,
    /// The k-th operation of that name in A with the k-th in B, in emission order (two runs of
    /// one seed, every id different).
    NameAndOrder,
}

/// One operation on one side.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OpSide {
    /// The root span's index in that side's `Spans`.
    pub span: usize,
    /// How the operation ended on this side (or that it did not).
    pub status: Status,
    /// End minus start (ns); `None` while unfinished.
    pub duration_ns: Option<u64>,
    /// Events in the operation's subtree.
    pub events: usize,
    /// Events of the subtree processed after an event emitted later (see [`super::inversion_flags`]).
    pub inversions: usize,
    /// The longest queue lag (processed − emitted) in the subtree, when processing times are
    /// known (live runs; files do not carry them).
    pub max_lag_ns: Option<u64>,
    /// Hash of the subtree's shape; equal shapes, equal hashes.
    #[serde(skip)]
    pub shape: u64,
}

/// One line of the diff: an operation on one or both sides.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OpDiff {
    /// The root's name (process name, or kind).
    pub name: String,
    /// Its rank among operations of that name, in emission order (0-based), on the side that
    /// has it (A when both).
    pub occurrence: usize,
    /// On which side the operation is.
    pub presence: Presence,
    /// How the two sides were paired; `None` unless present on both.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paired_by: Option<PairedBy>,
    /// What run A measured of it, if A has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub a: Option<OpSide>,
    /// What run B measured of it, if B has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub b: Option<OpSide>,
}

impl OpDiff {
    /// Both sides present and their outcome or subtree shape differs.
    pub fn changed(&self) -> bool {
        match (&self.a, &self.b) {
            (Some(a), Some(b)) => a.status != b.status || a.shape != b.shape,
            _ => false,
        }
    }

    /// Both sides present and their subtrees differ in shape (names, nesting or the outcome
    /// of any step): the subtree is what to highlight.
    pub fn subtree_differs(&self) -> bool {
        matches!((&self.a, &self.b), (Some(a), Some(b)) if a.shape != b.shape)
    }

    /// B's duration minus A's (ns), when both finished.
    pub fn duration_delta_ns(&self) -> Option<i64> {
        let (a, b) = (self.a.as_ref()?.duration_ns?, self.b.as_ref()?.duration_ns?);
        Some(b as i64 - a as i64)
    }

    /// B's event count minus A's (a missing side counts 0).
    pub fn events_delta(&self) -> i64 {
        let n = |s: &Option<OpSide>| s.as_ref().map_or(0, |s| s.events) as i64;
        n(&self.b) - n(&self.a)
    }

    /// B reorders events of this operation and A does not.
    pub fn inversions_only_in_b(&self) -> bool {
        let n = |s: &Option<OpSide>| s.as_ref().map_or(0, |s| s.inversions);
        n(&self.b) > 0 && n(&self.a) == 0
    }

    /// B's longest queue lag minus A's (ns), when both are known.
    pub fn lag_delta_ns(&self) -> Option<i64> {
        let (a, b) = (self.a.as_ref()?.max_lag_ns?, self.b.as_ref()?.max_lag_ns?);
        Some(b as i64 - a as i64)
    }
}
