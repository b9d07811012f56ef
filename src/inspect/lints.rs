//! # Lints: what in a trace deserves a second look
//!
//! Like tokio-console's task lints, each [`Lint`] names a problem and the events involved, so
//! the inspector can link straight to them: operations that never finished, end events without
//! a start, orphans whose parent is missing, events processed out of emission order (the mark
//! of fire-and-forget), handler failures, duplicate ids and parent cycles.

use serde::Serialize;
use uuid::Uuid;

use super::ids::short;
use super::spans::{Spans, Status};
use super::trace::Trace;
use crate::core::HandlerFailure;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LintKind {
    Unfinished,
    EndWithoutStart,
    Orphan,
    OrderInversion,
    HandlerError,
    DuplicateId,
    Cycle,
}

impl LintKind {
    pub const ALL: [LintKind; 7] = [
        LintKind::Unfinished,
        LintKind::EndWithoutStart,
        LintKind::Orphan,
        LintKind::OrderInversion,
        LintKind::HandlerError,
        LintKind::DuplicateId,
        LintKind::Cycle,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LintKind::Unfinished => "unfinished",
            LintKind::EndWithoutStart => "end_without_start",
            LintKind::Orphan => "orphan",
            LintKind::OrderInversion => "order_inversion",
            LintKind::HandlerError => "handler_error",
            LintKind::DuplicateId => "duplicate_id",
            LintKind::Cycle => "cycle",
        }
    }

    /// A heading for the lints panel.
    pub fn title(self) -> &'static str {
        match self {
            LintKind::Unfinished => "Operations that never finished",
            LintKind::EndWithoutStart => "End events without a start",
            LintKind::Orphan => "Orphans (parent missing)",
            LintKind::OrderInversion => "Processed out of emission order",
            LintKind::HandlerError => "Handler errors",
            LintKind::DuplicateId => "Duplicate ids",
            LintKind::Cycle => "Parent cycles",
        }
    }
}

/// One finding, with the events it concerns (first the one to select).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Lint {
    pub kind: LintKind,
    pub message: String,
    pub events: Vec<Uuid>,
}

/// Every lint of a trace, grouped by kind in [`LintKind::ALL`] order.
pub fn lint(trace: &Trace, spans: &Spans, handler_failures: &[HandlerFailure]) -> Vec<Lint> {
    let events = trace.events();
    let mut out = Vec::new();
    for span in &spans.spans {
        let e = &events[span.start];
        match span.status {
            Status::Unfinished => out.push(Lint {
                kind: LintKind::Unfinished,
                message: format!("{} {} started and never ended", e.label(), short(&e.id)),
                events: vec![e.id],
            }),
            Status::EndOnly => out.push(Lint {
                kind: LintKind::EndWithoutStart,
                message: match e.start_id {
                    Some(s) => format!(
                        "{} ({}) closes {} which is not in the trace",
                        e.label(),
                        e.phase,
                        short(&s)
                    ),
                    None => format!("{} ({}) has no matching start event", e.label(), e.phase),
                },
                events: vec![e.id],
            }),
            _ => {}
        }
    }
    for span in &spans.spans {
        let e = &events[span.start];
        if span.orphan && !spans.cycles.contains(&e.id) {
            if let Some(p) = e.parent_id {
                out.push(Lint {
                    kind: LintKind::Orphan,
                    message: format!(
                        "{} names parent {} which is not in the trace",
                        e.label(),
                        short(&p)
                    ),
                    events: vec![e.id],
                });
            }
        }
    }
    // Order inversions are only meaningful where events carry emission numbers.
    if events.iter().any(|e| e.seq != 0) {
        let mut max: Option<(u64, usize)> = None;
        for (i, e) in events.iter().enumerate() {
            match max {
                Some((m, mi)) if e.seq < m => out.push(Lint {
                    kind: LintKind::OrderInversion,
                    message: format!(
                        "{} #{} was processed after #{}, emitted later",
                        e.label(),
                        e.seq,
                        m
                    ),
                    events: vec![e.id, events[mi].id],
                }),
                Some((m, _)) if e.seq <= m => {}
                _ => max = Some((e.seq, i)),
            }
        }
    }
    for f in handler_failures {
        out.push(Lint {
            kind: LintKind::HandlerError,
            message: format!(
                "{} failed on {}: {}",
                f.subscription, f.event_kind, f.message
            ),
            events: vec![f.event_id],
        });
    }
    for &i in trace.duplicate_indexes() {
        out.push(Lint {
            kind: LintKind::DuplicateId,
            message: format!("id {} appears more than once", events[i].id),
            events: vec![events[i].id],
        });
    }
    for id in &spans.cycles {
        out.push(Lint {
            kind: LintKind::Cycle,
            message: format!("parent links loop back through {}", short(id)),
            events: vec![*id],
        });
    }
    out.sort_by_key(|l| l.kind);
    out
}
