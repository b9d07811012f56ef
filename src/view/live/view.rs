//! # The live trace's inspection, advanced batch by batch
//!
//! [`LiveView`] holds the inspection the page shows for a live source and advances it by each
//! batch of new events: in place, by [`Scrub::append`], while the trace stays regular (each
//! event after what it links to, as the pipeline and the Python original's bus send them);
//! once it is not (an OTLP exporter sends a child span before its parent), by a rebuild in
//! slices ([`InspectionBuilder`]) that the page steps between frames, new events waiting
//! meanwhile. The events go into the same compact store an import fills, under the browser's
//! import budget ([`Limits::BROWSER`](crate::trace::Limits::BROWSER)).
//!
//! The inspection is an `Arc` shared with the page's signals (and with a pinned run A): it is
//! changed with `Arc::make_mut`, so a snapshot someone kept (*Pin as A*) stays as it was.

use std::sync::Arc;

use crate::analysis::build::InspectionBuilder;
use crate::analysis::Inspection;
use crate::core::Event;
use crate::trace::Limits;
use crate::view::scrub::{Appended, Scrub};

/// The live trace's inspection; see the module docs.
#[derive(Debug)]
pub struct LiveView {
    ins: Arc<Inspection>,
    scrub: Scrub,
    building: Option<InspectionBuilder>,
    limits: Limits,
}

impl Default for LiveView {
    fn default() -> Self {
        LiveView::new(Limits::BROWSER)
    }
}

impl LiveView {
    pub fn new(limits: Limits) -> LiveView {
        LiveView {
            ins: Arc::default(),
            scrub: Scrub::new(),
            building: None,
            limits,
        }
    }

    /// The inspection to show (the last one complete while a rebuild runs).
    pub fn inspection(&self) -> Arc<Inspection> {
        self.ins.clone()
    }

    /// Whether a rebuild is under way (new events wait until it is done).
    pub fn building(&self) -> Option<f64> {
        self.building.as_ref().map(InspectionBuilder::fraction)
    }

    /// Whether the inspection is advanced in place (no rebuild needed so far).
    pub fn in_step(&self) -> bool {
        self.scrub.in_step()
    }

    /// Events held.
    pub fn len(&self) -> usize {
        self.ins.trace.held()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Why the page cannot take more events, if its budget is full.
    pub fn full(&self) -> Option<String> {
        let t = &self.ins.trace;
        let (events, bytes) = (t.held() as u64, t.heap_bytes() as u64);
        (events >= self.limits.max_events || bytes >= self.limits.max_retained_bytes).then(|| {
            format!(
                "the page holds its budget ({events} events, {} MiB); the listener keeps \
                 receiving: open the page again to follow the newest",
                bytes >> 20
            )
        })
    }

    /// Appends `events` (skipping those whose id the page holds when `dedupe`), advancing
    /// the inspection in place or starting a rebuild. Returns how many were skipped.
    pub fn append(&mut self, events: Vec<Event>, dedupe: bool) -> usize {
        debug_assert!(self.building.is_none(), "events wait while a rebuild runs");
        let ins = Arc::make_mut(&mut self.ins);
        let before = events.len();
        let fresh: Vec<Event> = if dedupe {
            events
                .into_iter()
                .filter(|e| ins.trace.index_of(&e.id).is_none())
                .collect()
        } else {
            events
        };
        let skipped = before - fresh.len();
        if self.scrub.append(ins, fresh) == Appended::Stale {
            self.building = Some(InspectionBuilder::new(ins.trace.clone(), &[]));
        }
        skipped
    }

    /// Steps the rebuild by about `budget` items; `true` when it finished with this step.
    pub fn build_step(&mut self, budget: usize) -> bool {
        let Some(b) = self.building.as_mut() else {
            return false;
        };
        match b.step(budget) {
            Some(ins) => {
                self.ins = Arc::new(ins);
                self.building = None;
                true
            }
            None => false,
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::analysis::crafted::{difference, pipeline_events};
    use crate::model::EventLog;

    fn run(n: usize) -> Vec<Event> {
        pipeline_events(n)
    }

    fn finish(view: &mut LiveView) {
        while view.building().is_some() {
            view.build_step(64);
        }
    }

    #[test]
    fn batches_of_a_regular_run_advance_the_view_in_place_and_a_pinned_snapshot_stays() {
        let events = run(32);
        let mut view = LiveView::default();
        view.append(events[..100].to_vec(), false);
        let pinned = view.inspection();
        view.append(events[100..].to_vec(), false);
        assert!(view.in_step() && view.building().is_none());
        let whole = Inspection::of_trace(EventLog::new(events.clone()), &[]);
        assert_eq!(difference(&view.inspection(), &whole), None);
        assert_eq!(
            pinned.trace.len(),
            100,
            "the snapshot pinned as A is unchanged"
        );
    }

    #[test]
    fn children_sent_before_their_parents_are_shown_after_a_rebuild_in_slices() {
        let mut events = run(16);
        events.reverse();
        let mut view = LiveView::default();
        for chunk in events.chunks(50) {
            view.append(chunk.to_vec(), false);
            assert!(view.building().is_some());
            finish(&mut view);
        }
        let whole = Inspection::of_trace(EventLog::new(events), &[]);
        assert_eq!(difference(&view.inspection(), &whole), None);
    }

    #[test]
    fn a_restarted_listener_serving_the_same_events_again_adds_none_twice() {
        let events = run(8);
        let mut view = LiveView::default();
        view.append(events.clone(), false);
        assert_eq!(view.append(events.clone(), true), events.len());
        assert_eq!(view.len(), events.len());
    }

    #[test]
    fn the_page_says_when_its_budget_is_full() {
        let events = run(8);
        let limits = Limits {
            max_events: 10,
            ..Limits::BROWSER
        };
        let mut view = LiveView::new(limits);
        view.append(events[..5].to_vec(), false);
        assert_eq!(view.full(), None);
        view.append(events[5..12].to_vec(), false);
        assert!(view.full().is_some_and(|m| m.contains("12 events")));
    }
}
