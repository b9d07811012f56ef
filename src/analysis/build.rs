//! # Building an inspection in slices
//!
//! [`InspectionBuilder`] makes the same [`Inspection`] as [`Inspection::of_trace`], a bounded
//! number of items (events or spans) per [`step`](InspectionBuilder::step): after the page
//! has read a big file in slices, it builds the view between frames too, with the progress
//! bar up and Cancel working, instead of in one frame of half a second. The spans come from
//! `SpansBuilder`, the lints from the per-span and per-event checks [`crate::analysis::lint_pass::lint`] uses,
//! the summary from the counts `Summary::with_counts` takes.

use std::ops::ControlFlow::{self, Break, Continue};

use crate::analysis::emission_order::EmissionOrder;
use crate::analysis::lint_pass;
use crate::analysis::summary::{root_slot, Summary};
use crate::analysis::{Inspection, Lints};
use crate::core::HandlerFailure;
use crate::model::spans::{ParentLinks, Spans};
use crate::model::spans_build::SpansBuilder;
use crate::model::EventLog;

/// Where the build is; each stage goes through its items with [`InspectionBuilder::at`].
#[derive(Debug)]
enum Stage {
    Spans(Box<SpansBuilder>),
    /// Every span's lints, then (if the events carry emission numbers) every event's order.
    SpanLints(Spans),
    Inversions(Spans),
    /// Paired ends and root kinds counted span by span.
    Summary(Spans, Box<Lints>),
}

/// An inspection of an imported trace under construction; see the module docs.
#[derive(Debug)]
pub struct InspectionBuilder {
    trace: EventLog,
    failures: Vec<HandlerFailure>,
    /// `None` once the inspection is handed out.
    stage: Option<Stage>,
    /// The next item of the stage.
    at: usize,
    lints: Lints,
    order: EmissionOrder,
    paired_ends: usize,
    roots: Summary,
}

impl InspectionBuilder {
    /// Starts building the inspection of `trace` (as [`Inspection::of_trace`] would).
    pub fn new(trace: EventLog, failures: &[HandlerFailure]) -> InspectionBuilder {
        let spans = SpansBuilder::new(&trace);
        InspectionBuilder {
            trace,
            failures: failures.to_vec(),
            stage: Some(Stage::Spans(Box::new(spans))),
            at: 0,
            lints: Lints::default(),
            order: EmissionOrder::default(),
            paired_ends: 0,
            roots: Summary::default(),
        }
    }

    /// The events being inspected.
    pub fn trace(&self) -> &EventLog {
        &self.trace
    }

    /// How far the build has got, 0 to 1: the spans take the first three quarters.
    pub fn fraction(&self) -> f64 {
        match &self.stage {
            Some(Stage::Spans(b)) => 0.75 * b.fraction(),
            Some(Stage::SpanLints(_)) => 0.75,
            Some(Stage::Inversions(_)) => 0.85,
            Some(Stage::Summary(..)) => 0.9,
            None => 1.0,
        }
    }

    /// Goes through at most about `budget` items (at least one); the inspection once done.
    /// Stepping on after that starts nothing new: the builder is spent.
    pub fn step(&mut self, budget: usize) -> Option<Inspection> {
        let mut left = budget.max(1);
        while left > 0 {
            let stage = self.stage.take()?;
            match self.advance(stage, &mut left) {
                Continue(next) => self.stage = Some(next),
                Break(done) => return Some(done),
            }
        }
        None
    }

    /// Works on `stage` while `left` lasts: the stage to carry on with, or the inspection.
    fn advance(&mut self, stage: Stage, left: &mut usize) -> ControlFlow<Inspection, Stage> {
        let trace = &self.trace;
        match stage {
            Stage::Spans(mut b) => {
                let budget = *left;
                match b.step(trace, &ParentLinks::of(trace), budget) {
                    Some(spans) => {
                        *left = left.saturating_sub(spans.len()).max(1);
                        self.at = 0;
                        Continue(Stage::SpanLints(spans))
                    }
                    None => {
                        *left = 0;
                        Continue(Stage::Spans(b))
                    }
                }
            }
            Stage::SpanLints(spans) => {
                while self.at < spans.len() && *left > 0 {
                    lint_pass::of_span(trace, &spans, &spans.spans[self.at], &mut self.lints);
                    self.at += 1;
                    *left -= 1;
                }
                if self.at < spans.len() {
                    return Continue(Stage::SpanLints(spans));
                }
                self.at = 0;
                // Order inversions are only meaningful where events carry emission numbers.
                if trace.has_seq() {
                    Continue(Stage::Inversions(spans))
                } else {
                    Continue(self.whole_trace_lints(spans))
                }
            }
            Stage::Inversions(spans) => {
                while self.at < trace.len() && *left > 0 {
                    lint_pass::order_at(trace, self.at, &mut self.order, &mut self.lints);
                    self.at += 1;
                    *left -= 1;
                }
                if self.at < trace.len() {
                    return Continue(Stage::Inversions(spans));
                }
                self.at = 0;
                Continue(self.whole_trace_lints(spans))
            }
            Stage::Summary(spans, lints) => {
                while self.at < spans.len() && *left > 0 {
                    self.paired_ends += usize::from(spans.spans[self.at].end.is_some());
                    *left -= 1;
                    self.at += 1;
                }
                if self.at < spans.len() {
                    return Continue(Stage::Summary(spans, lints));
                }
                Break(self.finish(spans, *lints))
            }
        }
    }

    fn whole_trace_lints(&mut self, spans: Spans) -> Stage {
        let lints =
            lint_pass::of_whole_trace(&self.trace, &self.failures, std::mem::take(&mut self.lints));
        Stage::Summary(spans, Box::new(lints))
    }

    fn finish(&mut self, spans: Spans, lints: Lints) -> Inspection {
        for &r in &spans.roots {
            *root_slot(&mut self.roots, &spans.spans[r]) += 1;
        }
        let summary =
            Summary::with_counts(&self.trace, &spans, self.paired_ends, &self.roots, |kind| {
                lints.count(kind)
            });
        Inspection {
            trace: std::mem::take(&mut self.trace),
            spans,
            lints,
            summary,
            pruned: 0,
            cut_by_cap: Lints::default(),
        }
    }
}

// With proptest and the scrub tests' crafted traces: native only.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use proptest::prelude::*;

    use super::InspectionBuilder;
    use crate::analysis::crafted::{craft, difference, draw, failures, pipeline_events};
    use crate::analysis::Inspection;
    use crate::core::HandlerFailure;
    use crate::model::EventLog;

    /// The inspection built `slice` items at a time, and how many steps that took.
    fn sliced(trace: &EventLog, failures: &[HandlerFailure], slice: usize) -> (Inspection, usize) {
        let mut builder = InspectionBuilder::new(trace.clone(), failures);
        let mut steps = 1;
        loop {
            if let Some(ins) = builder.step(slice) {
                return (ins, steps);
            }
            steps += 1;
        }
    }

    /// Checks the sliced build against the whole one at each of `slices`.
    fn same_at(trace: &EventLog, failures: &[HandlerFailure], slices: impl Iterator<Item = usize>) {
        let whole = Inspection::of_trace(trace.clone(), failures);
        for slice in slices {
            let (ins, _) = sliced(trace, failures, slice);
            assert_eq!(difference(&ins, &whole), None, "slice {slice}");
        }
    }

    fn fixture(bytes: &[u8]) -> EventLog {
        EventLog::new(crate::trace::import(bytes, None).unwrap().events)
    }

    #[test]
    fn the_hostile_traces_built_in_slices_of_any_size_are_their_whole_inspections() {
        let files: [&[u8]; 12] = [
            include_bytes!("../../tests/hostile/duplicate-ids.ndjson"),
            include_bytes!("../../tests/hostile/end-before-start.ndjson"),
            include_bytes!("../../tests/hostile/end-listed-before-its-start.ndjson"),
            include_bytes!("../../tests/hostile/end-naming-a-single-event.ndjson"),
            include_bytes!("../../tests/hostile/ends-without-starts.ndjson"),
            include_bytes!("../../tests/hostile/operation-ended-twice.ndjson"),
            include_bytes!("../../tests/hostile/parent-cycle.ndjson"),
            include_bytes!("../../tests/hostile/self-parent.ndjson"),
            include_bytes!("../../tests/hostile/timestamp-u64-max.ndjson"),
            include_bytes!("../../tests/hostile/two-ends-naming-each-other.ndjson"),
            include_bytes!("../../tests/fixtures/abstractions-sample.ndjson"),
            include_bytes!("../../tests/fixtures/otlp-sample.json"),
        ];
        for bytes in files {
            let trace = fixture(bytes);
            same_at(&trace, &[], 1..=3 * trace.len() + 4);
        }
    }

    #[test]
    fn a_simulated_run_built_in_slices_is_its_whole_inspection() {
        let trace = EventLog::new(pipeline_events(256));
        assert!(trace.len() > 500, "{} events", trace.len());
        same_at(
            &trace,
            &[],
            [1, 2, 3, 7, 64, 500, 4096, usize::MAX].into_iter(),
        );
    }

    #[test]
    fn a_build_in_slices_of_one_takes_a_step_per_event_at_least() {
        let trace = EventLog::new(pipeline_events(16));
        let (_, steps) = sliced(&trace, &[], 1);
        assert!(
            steps >= trace.len(),
            "{steps} steps, {} events",
            trace.len()
        );
        let (_, steps) = sliced(&trace, &[], usize::MAX);
        assert_eq!(steps, 1);
    }

    #[test]
    fn a_spent_builder_builds_nothing_more() {
        let trace = EventLog::new(pipeline_events(4));
        let mut builder = InspectionBuilder::new(trace, &[]);
        assert!(builder.step(usize::MAX).is_some());
        assert!(builder.step(usize::MAX).is_none());
        assert_eq!(builder.fraction(), 1.0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn crafted_traces_built_in_slices_of_any_size_are_their_whole_inspections(
            draws in prop::collection::vec(draw(), 0..48),
            failing in 0usize..3,
        ) {
            let events = craft(&draws);
            let failures = failures(failing, &events);
            let trace = EventLog::new(events);
            let whole = Inspection::of_trace(trace.clone(), &failures);
            for slice in 1..=3 * trace.len() + 4 {
                let (ins, _) = sliced(&trace, &failures, slice);
                prop_assert_eq!(difference(&ins, &whole), None, "slice {}", slice);
            }
        }
    }
}
