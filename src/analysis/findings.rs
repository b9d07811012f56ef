//! # Findings worded
//!
//! One function per finding of [`super::lints`], from the trace's records to the sentence a
//! person reads and the events to select. [`super::lint_pass::lint`], the sliced build and the
//! replay's incremental inspection ([`crate::view::scrub`]) all call these, so a finding
//! reads the same wherever it was found. They run only for findings that are kept
//! ([`super::lint_list::KEPT_PER_KIND`]): a trace's records are read when a lint is decided,
//! and decoded only here, for what the sentence quotes.

use uuid::Uuid;

use super::lints::{Lint, LintKind};
use crate::core::{Event, HandlerFailure, Phase};
use crate::model::events::EventLog;
use crate::model::short_id::short;
use crate::model::spans::Spans;
use crate::text::excerpt;

fn finding(kind: LintKind, message: String, events: Vec<Uuid>) -> Lint {
    Lint {
        kind,
        message,
        events,
    }
}

/// The operation started at event `start` never ended.
pub fn unfinished(trace: &EventLog, start: usize) -> Lint {
    let e = &trace.event(start);
    let label = excerpt(e.label());
    finding(
        LintKind::Unfinished,
        format!("{label} {} started and never ended", short(&e.id)),
        vec![e.id],
    )
}

/// The end event `end` stands alone (see `lone_end`).
pub fn end_only(trace: &EventLog, spans: &Spans, end: usize) -> Lint {
    let (kind, message, ids) = lone_end(trace, spans, &trace.event(end));
    finding(kind, message, ids)
}

/// The operation started at `start` ends (at `end`) before it starts, if it does.
pub fn end_before_start(trace: &EventLog, start: usize, end: usize) -> Option<Lint> {
    let (e, end) = (trace.event(start), trace.event(end));
    (end.timestamp_ns < e.timestamp_ns).then(|| {
        finding(
            LintKind::EndBeforeStart,
            format!(
                "{} {} ends {} ns before it starts",
                excerpt(e.label()),
                short(&e.id),
                e.timestamp_ns - end.timestamp_ns
            ),
            vec![e.id, end.id],
        )
    })
}

/// The span opened by event `start` names a parent that is not in the trace.
pub fn orphan(trace: &EventLog, start: usize) -> Option<Lint> {
    let e = &trace.event(start);
    e.parent_id.map(|p| {
        finding(
            LintKind::Orphan,
            format!(
                "{} {} names parent {} which is not in the trace",
                excerpt(e.label()),
                short(&e.id),
                short(&p)
            ),
            vec![e.id],
        )
    })
}

/// The parent link of the span opened by event `start` closed a cycle and was cut.
pub fn cycle(trace: &EventLog, start: usize) -> Lint {
    let e = &trace.event(start);
    let label = excerpt(e.label());
    let message = if e.parent_id == Some(e.id) {
        format!("{label} {} names itself as its parent", short(&e.id))
    } else {
        format!("parent links loop back through {label} {}", short(&e.id))
    };
    finding(LintKind::Cycle, message, vec![e.id])
}

/// Event `i` was processed after event `max`, which was emitted later (the latest emission
/// number processed before `i`).
pub fn inversion(trace: &EventLog, i: usize, max: usize) -> Lint {
    finding(
        LintKind::OrderInversion,
        format!(
            "{} #{} was processed after #{}, emitted later",
            excerpt(trace.label(i)),
            trace.seq(i),
            trace.seq(max)
        ),
        vec![trace.id(i), trace.id(max)],
    )
}

/// Event `i`'s emission number starts again far below that of event `peak`, the highest
/// of the numbering before it ([`crate::analysis::emission_order`]).
pub fn numbering_restart(trace: &EventLog, i: usize, peak: usize) -> Lint {
    finding(
        LintKind::NumberingRestart,
        format!(
            "{} #{} starts the emission numbers again after #{} (a restarted program or a \
             second run): the events after it are checked against the new numbers",
            excerpt(trace.label(i)),
            trace.seq(i),
            trace.seq(peak)
        ),
        vec![trace.id(i), trace.id(peak)],
    )
}

/// A handler failed.
pub fn handler_error(f: &HandlerFailure) -> Lint {
    finding(
        LintKind::HandlerError,
        format!(
            "{} failed on {}: {}",
            f.subscription,
            excerpt(&f.event_kind),
            excerpt(&f.message)
        ),
        vec![f.event_id],
    )
}

/// Event `i` reuses an id an earlier event holds.
pub fn duplicate_id(trace: &EventLog, i: usize) -> Lint {
    let e = &trace.event(i);
    finding(
        LintKind::DuplicateId,
        format!(
            "{} ({}) reuses id {}, already held by an earlier event",
            excerpt(e.label()),
            e.phase,
            e.id
        ),
        vec![e.id],
    )
}

/// Event `i`'s timestamp is past what a signed 64-bit nanosecond clock holds.
pub fn timestamp_out_of_range(trace: &EventLog, i: usize) -> Lint {
    finding(
        LintKind::TimestampOutOfRange,
        format!(
            "{} {} has timestamp {} ns, past the year 2262 (the most a signed 64-bit \
             nanosecond clock holds)",
            excerpt(trace.label(i)),
            short(&trace.id(i)),
            trace.timestamp_ns(i)
        ),
        vec![trace.id(i)],
    )
}

/// Why an end event has no start of its own: it names none that matches, one that is not in
/// the trace, one that is not a start event (itself, or another end), or a start that an
/// earlier end already closed.
fn lone_end(trace: &EventLog, spans: &Spans, e: &Event) -> (LintKind, String, Vec<Uuid>) {
    let label = excerpt(e.label());
    let without = |message| (LintKind::EndWithoutStart, message, vec![e.id]);
    let Some(start_id) = e.start_id else {
        return without(format!("{label} ({}) has no matching start event", e.phase));
    };
    if start_id == e.id {
        return without(format!(
            "{label} ({}) {} names itself as its start",
            e.phase,
            short(&e.id)
        ));
    }
    let Some(si) = trace.index_of(&start_id) else {
        return without(format!(
            "{label} ({}) closes {} which is not in the trace",
            e.phase,
            short(&start_id)
        ));
    };
    let start_phase = trace.phase(si);
    if start_phase != Phase::Started {
        return without(format!(
            "{label} ({}) closes {}, a {} event, not a start",
            e.phase,
            short(&start_id),
            start_phase
        ));
    }
    let first_end = spans.spans[spans.span_of_event[si]]
        .end
        .map(|i| trace.id(i));
    (
        LintKind::EndedTwice,
        format!(
            "{label} ({}) closes {}, which {} already closed",
            e.phase,
            short(&start_id),
            first_end.map_or_else(|| "an earlier end".to_owned(), |id| short(&id))
        ),
        vec![e.id, start_id],
    )
}
