//! # The lint pass: where in a trace each finding is
//!
//! Decides from the trace's records which spans and events are findings
//! ([`super::lints::LintKind`]), and has [`super::findings`] word only the ones that are kept
//! ([`super::lint_list::KEPT_PER_KIND`]). [`lint`] runs the whole pass; the sliced build
//! ([`crate::analysis::build`]) runs its parts a slice at a time.

use super::emission_order::{EmissionOrder, Order};
use super::findings::{
    cycle, duplicate_id, end_before_start, end_only, handler_error, inversion, numbering_restart,
    orphan, timestamp_out_of_range, unfinished,
};
use super::lint_list::Lints;
use super::lints::{LintKind, MAX_PLAUSIBLE_TIMESTAMP_NS};
use crate::core::HandlerFailure;
use crate::model::events::EventLog;
use crate::model::spans::{Span, Spans, Status};

/// Every lint of a trace, grouped by kind in [`LintKind::ALL`] order.
///
/// Each finding is worded by one of [`super::findings`]' functions, which the replay's
/// incremental inspection ([`crate::view::scrub`]) calls too, so both word it alike.
pub fn lint(trace: &EventLog, spans: &Spans, handler_failures: &[HandlerFailure]) -> Lints {
    let mut out = Lints::default();
    for span in &spans.spans {
        of_span(trace, spans, span, &mut out);
    }
    // Order inversions are only meaningful where events carry emission numbers.
    if trace.has_seq() {
        let mut order = EmissionOrder::default();
        for i in 0..trace.len() {
            order_at(trace, i, &mut order, &mut out);
        }
    }
    of_whole_trace(trace, handler_failures, out)
}

/// The lints of one span (none for a duplicate: the id's first holder speaks for it).
/// [`lint`] and the sliced build ([`crate::analysis::build`]) call it span by span.
pub(crate) fn of_span(trace: &EventLog, spans: &Spans, span: &Span, out: &mut Lints) {
    if span.duplicate {
        return;
    }
    // Most spans are fine: decide from the records, decode only what a lint quotes.
    let ends_early = span
        .end
        .is_some_and(|i| trace.timestamp_ns(i) < trace.timestamp_ns(span.start));
    let flagged = matches!(span.status, Status::Unfinished | Status::EndOnly)
        || ends_early
        || span.orphan
        || span.cut;
    if !flagged {
        return;
    }
    match span.status {
        Status::Unfinished => out.add(LintKind::Unfinished, || unfinished(trace, span.start)),
        // Which of three kinds a lone end is takes the lookups that word it.
        Status::EndOnly => out.push(end_only(trace, spans, span.start)),
        _ => {}
    }
    if let Some(end) = span.end.filter(|_| ends_early) {
        out.extend(
            LintKind::EndBeforeStart,
            end_before_start(trace, span.start, end),
        );
    }
    if span.orphan && trace.parent_id(span.start).is_some() {
        out.add(LintKind::Orphan, || {
            orphan(trace, span.start).expect("a parent is named")
        });
    }
    if span.cut {
        out.add(LintKind::Cycle, || cycle(trace, span.start));
    }
}

/// Event `i` of a trace with emission numbers, after events `0..i` went through `order`: an
/// inversion if it was overtaken, a restart if its numbering started again.
pub(crate) fn order_at(trace: &EventLog, i: usize, order: &mut EmissionOrder, out: &mut Lints) {
    match order.observe(trace.seq(i), i) {
        (Order::Inverted, peak) => out.add(LintKind::OrderInversion, || inversion(trace, i, peak)),
        (Order::Restart, peak) => out.push(numbering_restart(trace, i, peak)),
        (Order::Ahead | Order::Same, _) => {}
    }
}

/// Adds to the span and order lints those of the trace as a whole (handler failures,
/// duplicate ids, implausible timestamps) and groups them all by kind.
pub(crate) fn of_whole_trace(
    trace: &EventLog,
    handler_failures: &[HandlerFailure],
    mut out: Lints,
) -> Lints {
    for f in handler_failures {
        out.add(LintKind::HandlerError, || handler_error(f));
    }
    for &i in trace.duplicate_indexes() {
        out.add(LintKind::DuplicateId, || duplicate_id(trace, i));
    }
    if trace.time_range().1 > MAX_PLAUSIBLE_TIMESTAMP_NS {
        for i in (0..trace.len()).filter(|&i| trace.timestamp_ns(i) > MAX_PLAUSIBLE_TIMESTAMP_NS) {
            out.add(LintKind::TimestampOutOfRange, || {
                timestamp_out_of_range(trace, i)
            });
        }
    }
    out
}
