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

use super::reorder::Reorder;
use super::retire::{take_apart, RETIRE_SLICE};
use super::wire::{Incoming, LiveEvent};
use crate::analysis::build::InspectionBuilder;
use crate::analysis::Inspection;
use crate::trace::Limits;
use crate::view::scrub::{Appended, Scrub};

/// The live trace's inspection; see the module docs.
#[derive(Debug)]
pub struct LiveView {
    ins: Arc<Inspection>,
    scrub: Scrub,
    building: Option<InspectionBuilder>,
    limits: Limits,
    /// Events waiting for the event they link to ([`Reorder`]).
    reorder: Reorder,
    /// Appends that found the inspection shared and so copied it whole
    /// ([`LiveView::copies`]).
    copies: u64,
    /// The inspection let go at the budget, freed a slice a frame ([`LiveView::retire_step`]).
    retired: Option<Arc<Inspection>>,
    retire_waits: u32,
}

/// Steps [`LiveView::retire_step`] waits for weak references to the retired inspection to go.
pub const RETIRE_WAIT: u32 = 120;

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
            reorder: Reorder::default(),
            copies: 0,
            retired: None,
            retire_waits: 0,
        }
    }

    /// How many appends copied the whole inspection because someone else held it (a
    /// snapshot pinned as A does that once; anything else holding it between two appends
    /// makes every append after a redraw cost the whole trace).
    pub fn copies(&self) -> u64 {
        self.copies
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

    /// Keep-newest for the page: when its budget is full, the view starts afresh with the
    /// events that come next, and says how many it let go (the held ones). Returns `None`
    /// while there is room.
    ///
    /// Why afresh and not oldest-first: the inspection (trees, counts, lints, minimap) only
    /// grows; letting its oldest events go one by one means rebuilding it from the rest,
    /// seconds of work for 2 M events, while 100 k events a second keep coming. Starting
    /// afresh costs nothing, keeps the latency, and the listener still holds what the page
    /// let go (its own window, `lineage listen --max-events`). A snapshot pinned as A keeps
    /// what it had.
    pub fn let_go_if_full(&mut self) -> Option<usize> {
        self.full()?;
        let held = self.len();
        let reorder = std::mem::take(&mut self.reorder);
        let copies = self.copies;
        let old = std::mem::replace(self, LiveView::new(self.limits));
        (self.reorder, self.copies) = (reorder, copies);
        // Freed a slice a frame, not here: see `retire`.
        self.retired = Some(old.ins);
        Some(held)
    }

    /// Frees a slice of the inspection let go at the budget ([`super::retire`]); `true`
    /// while some of it is left. One someone else still holds (a snapshot pinned as A) is
    /// theirs: the view only lets go of its share. While only weak references remain (the
    /// search remembers the inspection it searched until the next redraw) it waits, at most
    /// [`RETIRE_WAIT`] steps.
    pub fn retire_step(&mut self) -> bool {
        let Some(old) = self.retired.as_mut() else {
            return false;
        };
        let only_weak_others = Arc::strong_count(old) == 1;
        let more = match Arc::get_mut(old) {
            Some(ins) => take_apart(ins, RETIRE_SLICE),
            None if only_weak_others && self.retire_waits < RETIRE_WAIT => {
                self.retire_waits += 1;
                true
            }
            None => false,
        };
        if !more {
            (self.retired, self.retire_waits) = (None, 0);
        }
        more
    }

    /// The most events the page holds ([`LiveView::let_go_if_full`]).
    pub fn max_events(&self) -> u64 {
        self.limits.max_events
    }

    /// Events held back until the event they link to arrives ([`Reorder`]).
    pub fn waiting_for_links(&self) -> usize {
        self.reorder.len()
    }

    /// Appends `events` received by `now_ms` (skipping those whose id the page holds when
    /// `dedupe`), each after what it links to ([`Reorder`]), advancing the inspection in
    /// place or starting a rebuild. An empty batch releases what waited too long. Returns
    /// how many were skipped.
    pub fn append<E: Into<LiveEvent>>(
        &mut self,
        events: Vec<E>,
        dedupe: bool,
        now_ms: f64,
    ) -> usize {
        debug_assert!(self.building.is_none(), "events wait while a rebuild runs");
        let before = events.len();
        let trace = &self.ins.trace;
        // (For `LiveEvent`s, as the page passes them, the conversion reuses the vector.)
        let fresh: Vec<LiveEvent> = events
            .into_iter()
            .map(Into::into)
            .filter(|e: &LiveEvent| !dedupe || trace.index_of(&e.id()).is_none())
            .collect();
        let skipped = before - fresh.len();
        let trace = &self.ins.trace;
        // An event that links to one let go at the budget is shown at once: what it waits
        // for is not coming again (it waited the reorder's longest wait, for nothing, after
        // every let-go of a 100 k/s stream: p99 400 ms).
        let let_go = self.retired.as_ref().map(|r| &r.trace);
        let ordered = self.reorder.order(fresh, now_ms, |id| {
            trace.index_of(id).is_some() || let_go.is_some_and(|t| t.index_of(id).is_some())
        });
        if ordered.is_empty() {
            return skipped;
        }
        if Arc::strong_count(&self.ins) > 1 {
            self.copies += 1;
        }
        let ins = Arc::make_mut(&mut self.ins);
        if self.scrub.append(ins, ordered) == Appended::Stale {
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
    use crate::core::Event;
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
        view.append(events[..100].to_vec(), false, 0.0);
        let pinned = view.inspection();
        view.append(events[100..].to_vec(), false, 0.0);
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
    fn children_sent_before_their_parents_wait_for_them_and_the_view_stays_in_step() {
        // Each operation's events reversed, batch by batch: ends before starts, children
        // before parents, as an exporter sends spans when they end.
        let events = run(16);
        let mut view = LiveView::default();
        let mut sent: Vec<Event> = Vec::new();
        for chunk in events.chunks(60) {
            let mut batch = chunk.to_vec();
            batch.reverse();
            sent.extend(batch.iter().cloned());
            view.append(batch, false, 0.0);
            assert!(view.building().is_none(), "no rebuild");
        }
        assert!(view.in_step());
        assert_eq!(view.waiting_for_links(), 0);
        assert_eq!(view.len(), events.len());
        let shown = view.inspection();
        let whole = Inspection::of_trace(EventLog::new(shown.trace.events().collect()), &[]);
        assert_eq!(difference(&shown, &whole), None);
        assert_eq!(shown.summary.orphans, 0);
    }

    #[test]
    fn a_parent_that_comes_after_the_wait_is_shown_after_a_rebuild_in_slices() {
        let events = run(4);
        let (first, rest) = events.split_at(1);
        let mut view = LiveView::default();
        // Everything but the first root start: its children wait, then are let go.
        view.append(rest.to_vec(), false, 0.0);
        assert!(view.waiting_for_links() > 0);
        view.append(
            Vec::<Event>::new(),
            false,
            super::super::reorder::MAX_WAIT_MS,
        );
        assert_eq!(view.waiting_for_links(), 0);
        finish(&mut view);
        view.append(
            first.to_vec(),
            false,
            super::super::reorder::MAX_WAIT_MS + 1.0,
        );
        assert!(
            view.building().is_some(),
            "the late parent makes the trace irregular"
        );
        finish(&mut view);
        let shown = view.inspection();
        assert_eq!(shown.trace.len(), events.len());
        let whole = Inspection::of_trace(EventLog::new(shown.trace.events().collect()), &[]);
        assert_eq!(difference(&shown, &whole), None);
    }

    #[test]
    fn a_restarted_listener_serving_the_same_events_again_adds_none_twice() {
        let events = run(8);
        let mut view = LiveView::default();
        view.append(events.clone(), false, 0.0);
        assert_eq!(view.append(events.clone(), true, 0.0), events.len());
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
        view.append(events[..5].to_vec(), false, 0.0);
        assert_eq!(view.full(), None);
        view.append(events[5..12].to_vec(), false, 0.0);
        assert!(view.full().is_some_and(|m| m.contains("12 events")));
    }

    #[test]
    fn a_full_page_lets_its_events_go_and_goes_on_with_the_newest() {
        let events = run(8);
        let limits = Limits {
            max_events: 10,
            ..Limits::BROWSER
        };
        let mut view = LiveView::new(limits);
        view.append(events[..6].to_vec(), false, 0.0);
        assert_eq!(view.let_go_if_full(), None);
        view.append(events[6..12].to_vec(), false, 0.0);
        let pinned = view.inspection();
        assert_eq!(view.let_go_if_full(), Some(12));
        assert!(view.is_empty() && view.full().is_none());
        view.append(events[12..].to_vec(), false, 0.0);
        // Events whose operation's start was let go do not wait for it: it is not coming.
        assert_eq!(view.waiting_for_links(), 0);
        finish(&mut view);
        assert_eq!(view.len(), events.len() - 12);
        assert_eq!(
            pinned.trace.len(),
            12,
            "a snapshot pinned as A keeps what it had"
        );
        // Received = let go + held.
        assert_eq!(12 + view.len(), events.len());
        // The view lets go of its share of what was pinned; the pin keeps it whole.
        let spans = pinned.spans.spans.len();
        assert!(!view.retire_step());
        assert_eq!(pinned.spans.spans.len(), spans);
    }

    #[test]
    fn a_view_let_go_is_freed_a_slice_a_step_once_only_the_view_holds_it() {
        let events = run(20_000);
        let limits = Limits {
            max_events: events.len() as u64,
            ..Limits::BROWSER
        };
        let mut view = LiveView::new(limits);
        view.append(events.clone(), false, 0.0);
        let shown = view.inspection();
        let (spans, lints) = (shown.spans.spans.len(), shown.lints.len());
        assert!(spans > RETIRE_SLICE, "{spans} spans: more than a slice");
        assert_eq!(view.let_go_if_full(), Some(events.len()));
        // The page's signal shows it until the next publish (the frame that let it go);
        // then only the view holds it, and a weak reference (the last search).
        let searched = Arc::downgrade(&shown);
        drop(shown);
        assert!(view.retire_step(), "waits for the weak reference");
        assert_eq!(searched.upgrade().map(|i| i.spans.spans.len()), Some(spans));
        drop(searched);
        let mut steps = 0;
        while view.retire_step() {
            steps += 1;
        }
        // Spans and lints in slices of RETIRE_SLICE, then the rest at once.
        assert_eq!(steps, (spans + lints) / RETIRE_SLICE);
        assert!(!view.retire_step(), "nothing left");
    }
}
