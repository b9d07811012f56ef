//! # Lints: what in a trace deserves a second look
//!
//! Like tokio-console's task lints, each [`Lint`] names a problem and the events involved, so
//! the inspector can link straight to them. Every anomaly is named exactly once, by one
//! [`LintKind`], and the command line and the page list the same findings:
//!
//! - operations that never finished; end events without a start (none named, one not in the
//!   trace, or one that is not a start event: two ends naming each other); operations ended
//!   twice; operations that end before they start;
//! - orphans (the parent is not in the trace) and parent cycles (an event naming itself as
//!   parent included); an event whose id an earlier one holds is named only as a duplicate id,
//!   whatever else its span looks like, since its links resolve to the first holder;
//! - timestamps past what a signed 64-bit nanosecond clock holds (year 2262: `u64::MAX` and
//!   other sentinels);
//! - events processed out of emission order (the mark of fire-and-forget), emission numbers
//!   that start again (a restarted program: [`crate::analysis::emission_order`]), and handler
//!   failures.
//!
//! This file is the vocabulary: what a finding is ([`Lint`]) and its kinds. Where each is
//! found is [`super::lint_pass`]; how each is worded, [`super::findings`]; a trace's lints,
//! by kind, [`super::lint_list`] (a kind's first
//! [`KEPT_PER_KIND`](super::lint_list::KEPT_PER_KIND) findings kept whole, the rest only
//! counted, their messages never formatted).
//!
//! Messages quote file content only through [`crate::text::excerpt`]: control characters
//! escaped, labels clipped, so a crafted kind cannot rewrite the terminal or fill the screen.

use serde::Serialize;
use uuid::Uuid;

/// The latest timestamp we take as a time: `i64::MAX` ns after the epoch, in 2262. Later ones
/// are sentinels (`u64::MAX`, `-1` read as unsigned) that no signed-nanosecond tool can show.
pub const MAX_PLAUSIBLE_TIMESTAMP_NS: u64 = i64::MAX as u64;

/// What a [`Lint`] is about: one kind per anomaly, so each is named exactly once (see the module
/// docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LintKind {
    /// An operation started and never ended.
    Unfinished,
    /// An end event with no start: none named, the one named is not in the trace, or it is not a
    /// start event.
    EndWithoutStart,
    /// A start event that more than one end event closes.
    EndedTwice,
    /// An operation whose end event is timestamped before its start.
    EndBeforeStart,
    /// An event whose parent is not in the trace.
    Orphan,
    /// An event processed after one emitted later (fire-and-forget's reordering).
    OrderInversion,
    /// Emission numbers that start again far below the highest so far: a restarted program
    /// or a second run in the same trace, not a reordering.
    NumberingRestart,
    /// A subscriber's handler returned an error or panicked on an event.
    HandlerError,
    /// An event whose id an earlier event already holds.
    DuplicateId,
    /// Parent links that close a cycle (an event naming itself as parent included); cut.
    Cycle,
    /// A timestamp past [`MAX_PLAUSIBLE_TIMESTAMP_NS`] (year 2262): a sentinel, not a time.
    TimestampOutOfRange,
}

impl LintKind {
    /// Every kind, in the order the page and the command line list them.
    pub const ALL: [LintKind; 11] = [
        LintKind::Unfinished,
        LintKind::EndWithoutStart,
        LintKind::EndedTwice,
        LintKind::EndBeforeStart,
        LintKind::Orphan,
        LintKind::OrderInversion,
        LintKind::NumberingRestart,
        LintKind::HandlerError,
        LintKind::DuplicateId,
        LintKind::Cycle,
        LintKind::TimestampOutOfRange,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            LintKind::Unfinished => "unfinished",
            LintKind::EndWithoutStart => "end_without_start",
            LintKind::EndedTwice => "ended_twice",
            LintKind::EndBeforeStart => "end_before_start",
            LintKind::Orphan => "orphan",
            LintKind::OrderInversion => "order_inversion",
            LintKind::NumberingRestart => "numbering_restart",
            LintKind::HandlerError => "handler_error",
            LintKind::DuplicateId => "duplicate_id",
            LintKind::Cycle => "cycle",
            LintKind::TimestampOutOfRange => "timestamp_out_of_range",
        }
    }

    /// A heading for the lints panel.
    pub fn title(self) -> &'static str {
        match self {
            LintKind::Unfinished => "Operations that never finished",
            LintKind::EndWithoutStart => "End events without a start",
            LintKind::EndedTwice => "Operations ended more than once",
            LintKind::EndBeforeStart => "Operations that end before they start",
            LintKind::Orphan => "Orphans (parent missing)",
            LintKind::OrderInversion => "Processed out of emission order",
            LintKind::NumberingRestart => "Emission numbers that start again",
            LintKind::HandlerError => "Handler errors",
            LintKind::DuplicateId => "Duplicate ids",
            LintKind::Cycle => "Parent cycles",
            LintKind::TimestampOutOfRange => "Timestamps out of range",
        }
    }
}

/// One finding, with the events it concerns (first the one to select). The message is safe
/// to print: file content in it is escaped and clipped.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Lint {
    /// What the finding is about.
    pub kind: LintKind,
    /// One sentence for the person reading the trace, file content escaped and clipped.
    pub message: String,
    /// The events involved, the one to select first.
    pub events: Vec<Uuid>,
}
