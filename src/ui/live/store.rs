//! The page's store loop: the waiting events taken into the [`LiveView`]'s store in slices
//! of at most [`SLICE_MS`], a browser turn between two (see `ui/live.rs`).

use leptos::prelude::*;

use super::{Live, SLICE_MS, STORE_SLICE};
use crate::ui::state::{now_ms, Shared, Ui};
use crate::view::live::{LiveEvent, LiveFeed, LiveView, RedrawPace};

impl Live {
    /// Events received and not stored yet (none while paused or rebuilding: nothing to do).
    pub(super) fn waiting(self) -> usize {
        if self.view.with_value(|v| v.building().is_some()) {
            return 0;
        }
        self.feed.with_value(|f| {
            f.as_ref()
                .filter(|f| !f.paused())
                .map_or(0, LiveFeed::waiting)
        })
    }

    /// Takes the events waiting (as many as [`SLICE_MS`] allows) into the view's store;
    /// how many it took (none while a rebuild runs: they wait for it). The grown inspection
    /// goes back into the page's signal without waking anything, so what reads it between
    /// two redraws (a row scrolled into view, a click) sees the trace as stored; the
    /// redraw wakes the views.
    pub(super) fn store(self, ui: Ui, t0: f64) -> usize {
        if self.view.with_value(|v| v.building().is_some()) {
            return 0;
        }
        // A view let go at the budget is freed a slice a frame (`view::live::retire`).
        self.view.update_value(|v| {
            v.retire_step();
        });
        let max = self.budget.get_value().take_for(SLICE_MS);
        let (events, dedupe) = self
            .feed
            .try_update_value(|f| f.as_mut().map(|f| (f.take(max), f.dedupe_by_id())))
            .flatten()
            .unwrap_or_default();
        let waiting = self.view.with_value(LiveView::waiting_for_links);
        if events.is_empty() && waiting == 0 {
            return 0;
        }
        // A full view is let go when more events come, not as soon as it fills: a stream
        // that ends at the budget leaves its newest events on screen, not an empty page.
        let let_go = if events.is_empty() {
            None
        } else {
            self.view
                .try_update_value(LiveView::let_go_if_full)
                .flatten()
        };
        // Let go of the signal's hold so the view grows in place (see `LiveView`).
        ui.inspection.update_untracked(|i| *i = Shared::default());
        let (taken, skipped) = self.append_in_slices(events, dedupe, t0);
        let ins = self.view.with_value(LiveView::inspection);
        ui.inspection.update_untracked(|i| *i = Shared(ins));
        let spent = now_ms() - t0;
        let let_go_total = self
            .feed
            .try_update_value(|f| {
                let f = f.as_mut()?;
                f.sequence.duplicates += skipped as u64;
                f.let_go += let_go.unwrap_or(0) as u64;
                Some(f.let_go as usize)
            })
            .flatten()
            .unwrap_or(0);
        // Stored since connecting: the view's events and those it let go.
        let in_view = self.view.with_value(LiveView::len);
        self.applied
            .set((let_go_total + in_view, js_sys::Date::now()));
        if let_go.is_some() {
            // A new view: published whole, not as the last one grown.
            self.publish(ui, false);
        }
        if taken > 0 || waiting > 0 {
            self.pace.update_value(RedrawPace::stored);
        }
        if taken > 0 {
            self.stored_at.set_value(t0);
        }
        let copies = self.view.with_value(LiveView::copies);
        self.profile.update_value(|p| {
            if let Some(p) = p {
                p.copies = copies;
            }
        });
        self.note_stored(t0, taken, spent);
        let left = self
            .feed
            .with_value(|f| f.as_ref().map_or(0, LiveFeed::waiting));
        self.budget.update_value(|b| b.spent(taken, spent, left));
        taken
    }

    /// Appends `events` to the view in slices, with the clock read between them, until
    /// [`SLICE_MS`] is spent: the count taken ([`crate::view::live::FrameBudget`]) is learnt
    /// from the slices before, and on a shared CPU one frame ran at a fifth of their pace
    /// (8 372 events in 187 ms, docs/live-page.md). What the time leaves goes back to wait.
    /// Returns how many were taken and how many of them skipped as duplicates.
    fn append_in_slices(self, mut rest: Vec<LiveEvent>, dedupe: bool, t0: f64) -> (usize, usize) {
        let budget_ms = SLICE_MS;
        let (mut taken, mut skipped) = (0, 0);
        self.view.update_value(|v| loop {
            let slice: Vec<LiveEvent> = rest.drain(..rest.len().min(STORE_SLICE)).collect();
            taken += slice.len();
            skipped += v.append(slice, dedupe, now_ms());
            if rest.is_empty() || now_ms() - t0 >= budget_ms {
                break;
            }
        });
        self.feed.update_value(|f| {
            if let Some(f) = f {
                f.put_back(rest);
            }
        });
        (taken, skipped)
    }
}
