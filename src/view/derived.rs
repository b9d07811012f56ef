//! # What the page derives from a whole trace, kept up to date as it grows
//!
//! Besides the inspection itself ([`Inspection`]: spans, lints, summary), the page shows two
//! things counted over every event and span: the minimap's bins ([`Overview`]) and the number
//! of failed nodes in the summary bar. Counted from scratch, they cost 100 ms natively for
//! the 2 M-event Chrome bomb, on the frame that first shows it; counted again for every live
//! batch, they grow with the trace. [`Derived`] counts them once, item by item:
//!
//! - **In slices** before a large import is shown ([`Derived::follow`] with a budget, as the
//!   inspection itself is built), so the first frame only draws.
//! - **Incrementally** as a live trace grows in place ([`Scrub::append`]): only the appended
//!   events are counted, and only the spans they belong to (new spans, and older spans they
//!   end) are counted again. What a span added is remembered, so an operation counted at its
//!   start while unfinished moves to the bin of its end when its end arrives.
//!
//! Following is exact: the tests hold `Derived` followed batch by batch equal to `Derived`
//! counted over the final inspection at once, and both equal to [`Overview::build`].
//!
//! [`Scrub::append`]: crate::view::scrub::Scrub::append

use crate::analysis::Inspection;
use crate::view::overview::{failed, Bins, Overview};

/// What one span added to the counts: where, and whether as a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Counted {
    at: u64,
    failed: bool,
}

/// The minimap's bins and the failed nodes of a trace, followed as it grows; see the module
/// docs.
#[derive(Clone, Debug, PartialEq)]
pub struct Derived {
    bins: Bins,
    /// Events counted: the trace's first `events`.
    events: usize,
    /// What each of the first `counted.len()` spans added.
    counted: Vec<Counted>,
    failed: usize,
}

impl Derived {
    /// Nothing counted yet; the minimap gets at most `bins` bins.
    pub fn new(bins: usize) -> Derived {
        Derived {
            bins: Bins::new(bins),
            events: 0,
            counted: Vec::new(),
            failed: 0,
        }
    }

    /// Everything of `ins` counted at once.
    pub fn of(ins: &Inspection, bins: usize) -> Derived {
        let mut d = Derived::new(bins);
        d.follow(ins, usize::MAX);
        d
    }

    /// Counts up to `budget` more events or spans of `ins`, which holds what was counted so
    /// far and maybe more (appended in place); `true` once every event and span is counted.
    /// Events come first, so a span is counted once the events it is drawn at are in the bins.
    pub fn follow(&mut self, ins: &Inspection, budget: usize) -> bool {
        let (trace, spans) = (&ins.trace, &ins.spans);
        let mut left = budget;
        while self.events < trace.len() && left > 0 {
            let i = self.events;
            self.bins.add_event(trace.timestamp_ns(i));
            // The event may end a span counted already (at its start, as unfinished).
            if let Some(&s) = spans.span_of_event.get(i) {
                if s < self.counted.len() {
                    let now = counted_of(ins, s);
                    let before = std::mem::replace(&mut self.counted[s], now);
                    self.uncount(before);
                    self.count(now);
                }
            }
            self.events += 1;
            left -= 1;
        }
        if self.events >= trace.len() {
            // Room for every span at once, not doubled to (docs/page-open.md).
            self.counted
                .reserve(spans.len().saturating_sub(self.counted.len()));
        }
        while self.events >= trace.len() && self.counted.len() < spans.len() && left > 0 {
            let now = counted_of(ins, self.counted.len());
            self.count(now);
            self.counted.push(now);
            left -= 1;
        }
        self.caught_up(ins)
    }

    /// Whether every event and span of `ins` is counted.
    pub fn caught_up(&self, ins: &Inspection) -> bool {
        self.events >= ins.trace.len() && self.counted.len() >= ins.spans.len()
    }

    /// How far [`Derived::follow`] has got through `ins`, 0 to 1.
    pub fn fraction(&self, ins: &Inspection) -> f64 {
        let all = ins.trace.len() + ins.spans.len();
        if all == 0 {
            return 1.0;
        }
        (self.events + self.counted.len()) as f64 / all as f64
    }

    /// What the minimap draws.
    pub fn overview(&self) -> Overview {
        Overview::of_bins(&self.bins)
    }

    /// Spans that failed or timed out, at every level (the summary bar's "failed nodes").
    pub fn failed_nodes(&self) -> usize {
        self.failed
    }

    fn count(&mut self, c: Counted) {
        self.bins.add_operation(c.at, c.failed);
        self.failed += usize::from(c.failed);
    }

    fn uncount(&mut self, c: Counted) {
        self.bins.remove_operation(c.at, c.failed);
        self.failed -= usize::from(c.failed);
    }
}

/// Where span `s` is drawn (its end, or its start while unfinished) and whether it failed.
fn counted_of(ins: &Inspection, s: usize) -> Counted {
    let span = &ins.spans.spans[s];
    Counted {
        at: ins.trace.timestamp_ns(span.end.unwrap_or(span.start)),
        failed: failed(span.status),
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::analysis::crafted::{craft, draw, pipeline_events};
    use crate::analysis::summary::failed_spans;
    use crate::core::Event;
    use crate::view::scrub::{Appended, Scrub};

    /// `events` appended in batches cut at `cuts`, `Derived` following after each batch
    /// (from scratch whenever the inspection had to be rebuilt, as the page does).
    fn followed(events: &[Event], cuts: &[usize], budget: usize) -> (Inspection, Derived) {
        let (mut scrub, mut ins) = (Scrub::new(), Inspection::default());
        let mut d = Derived::new(64);
        let mut at = 0;
        for &c in cuts.iter().chain([&events.len()]) {
            let c = c.clamp(at, events.len());
            if scrub.append(&mut ins, events[at..c].iter().cloned()) == Appended::Stale {
                ins = Inspection::of_trace(ins.trace.clone(), &[]);
                d = Derived::new(64);
            }
            // Sometimes in slices across batches, as the page may.
            d.follow(&ins, budget);
            at = c;
        }
        while !d.follow(&ins, budget) {}
        (ins, d)
    }

    fn assert_whole(ins: &Inspection, d: &Derived) {
        assert_eq!(d, &Derived::of(ins, 64));
        assert_eq!(d.overview(), Overview::build(&ins.trace, &ins.spans, 64));
        assert_eq!(d.failed_nodes(), failed_spans(&ins.spans));
    }

    #[test]
    fn a_run_followed_batch_by_batch_counts_what_the_whole_run_counts() {
        let events = pipeline_events(64);
        for cuts in [
            vec![],
            vec![1, 2, 3],
            vec![100, 101, 250],
            (0..events.len()).collect(),
        ] {
            for budget in [1, 7, usize::MAX] {
                let (ins, d) = followed(&events, &cuts, budget);
                assert_eq!(ins.trace.len(), events.len());
                assert_whole(&ins, &d);
            }
        }
    }

    #[test]
    fn an_empty_trace_has_one_empty_bin_and_counts_nothing() {
        let d = Derived::of(&Inspection::default(), 64);
        assert_eq!(d.overview().events, vec![0]);
        assert_eq!(d.failed_nodes(), 0);
        assert_eq!(d.fraction(&Inspection::default()), 1.0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        #[test]
        fn crafted_traces_followed_in_any_batches_count_what_they_count_at_once(
            draws in prop::collection::vec(draw(), 0..48),
            cuts in prop::collection::vec(0usize..48, 0..6),
            budget in 1usize..40,
        ) {
            let events = craft(&draws);
            let mut cuts = cuts;
            cuts.sort();
            let (ins, d) = followed(&events, &cuts, budget);
            prop_assert_eq!(&d, &Derived::of(&ins, 64));
            prop_assert_eq!(d.overview(), Overview::build(&ins.trace, &ins.spans, 64));
            prop_assert_eq!(d.failed_nodes(), failed_spans(&ins.spans));
        }
    }
}
