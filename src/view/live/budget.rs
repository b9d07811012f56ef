//! # How many waiting events a frame takes
//!
//! (Since 2026-12-06 the page stores in slices of a few ms between browser turns rather
//! than once per frame: it asks [`FrameBudget::take_for`] how many fit a slice, at the pace
//! learnt the same way.)
//!
//! The page advances its view once per animation frame. Measured in headless Chromium at
//! 100 k events/s (docs/live-page.md), frames came about 70 ms apart whatever the page did
//! in them (the browser's style, layout, paint and a CPU shared with the listener), and the
//! page's own work per frame was held to a fixed 12 ms of events: it took in ~2 000 events a
//! frame, ~25 k a second, and fell behind by seconds. The work that grows with the events
//! (decoding, `LiveView::append`) costs a few µs an event; the redraw costs about the same
//! per frame whatever the batch.
//!
//! So [`FrameBudget`] spends [`CALM_MS`] a frame while the view keeps up, and, while events
//! still wait after a frame, up to [`CATCH_UP_MS`]: about three times as many events per
//! redraw, and never more than half of the 100 ms a frame may take, so the rest of the
//! frame (the redraw and the browser's own work) still fits. How many events fit in the
//! time is learnt from the frames themselves (events per ms of the last frames' work), so
//! a change of pace is followed within a frame or two instead of by halving and doubling.

/// Work per frame, in ms, while the view keeps up.
pub const CALM_MS: f64 = 12.0;
/// Work per frame, in ms, while events wait after a frame: at most half a 100 ms frame.
pub const CATCH_UP_MS: f64 = 45.0;
/// Bounds on the events taken in one frame.
const MIN_TAKE: usize = 256;
const MAX_TAKE: usize = 200_000;

/// Events a frame takes, learnt from the frames before; see the module docs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FrameBudget {
    /// Events per ms of a frame's work, smoothed over the last frames.
    per_ms: f64,
    /// Events still waited after the last frame.
    behind: bool,
}

impl Default for FrameBudget {
    fn default() -> Self {
        // A first guess (about 2 µs an event in wasm), corrected by the first frame.
        FrameBudget {
            per_ms: 400.0,
            behind: false,
        }
    }
}

impl FrameBudget {
    /// The work a frame may do now, in ms.
    pub fn ms(&self) -> f64 {
        if self.behind {
            CATCH_UP_MS
        } else {
            CALM_MS
        }
    }

    /// How many events the next frame takes.
    pub fn take(&self) -> usize {
        ((self.per_ms * self.ms()) as usize).clamp(MIN_TAKE, MAX_TAKE)
    }

    /// How many events `ms` of work takes, at the pace learnt (the page's store loop, in
    /// slices of a few ms between browser turns).
    pub fn take_for(&self, ms: f64) -> usize {
        ((self.per_ms * ms) as usize).clamp(MIN_TAKE, MAX_TAKE)
    }

    /// A frame took `taken` events in `spent_ms` of work, and `left` still wait.
    pub fn spent(&mut self, taken: usize, spent_ms: f64, left: usize) {
        self.behind = left > 0;
        // A frame that took few events says little about the pace (fixed costs dominate).
        if taken >= MIN_TAKE && spent_ms > 0.0 {
            let pace = taken as f64 / spent_ms;
            self.per_ms = 0.5 * self.per_ms + 0.5 * pace;
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn a_view_that_keeps_up_spends_the_calm_budget() {
        let mut b = FrameBudget::default();
        // 1 000 events in 5 ms: 200 an ms; nothing left.
        for _ in 0..10 {
            b.spent(1000, 5.0, 0);
        }
        assert_eq!(b.ms(), CALM_MS);
        assert!(
            (b.take() as f64 - 200.0 * CALM_MS).abs() < 10.0,
            "{}",
            b.take()
        );
    }

    #[test]
    fn events_left_waiting_raise_the_budget_and_never_past_half_a_frame() {
        let mut b = FrameBudget::default();
        for _ in 0..10 {
            b.spent(2000, 10.0, 50_000);
        }
        assert_eq!(b.ms(), CATCH_UP_MS);
        const { assert!(CATCH_UP_MS <= 50.0) };
        assert!(
            (b.take() as f64 - 200.0 * CATCH_UP_MS).abs() < 10.0,
            "{}",
            b.take()
        );
        b.spent(9000, 45.0, 0);
        assert_eq!(b.ms(), CALM_MS, "caught up: back to the calm budget");
    }

    #[test]
    fn a_slower_pace_is_followed_within_a_few_frames_and_the_take_stays_bounded() {
        let mut b = FrameBudget::default();
        for _ in 0..10 {
            b.spent(1000, 100.0, 1);
        }
        // 10 events an ms: 450 a frame, not the first guess's 18 000.
        assert!(b.take() < 500, "{}", b.take());
        b.spent(1_000_000, 0.001, 1);
        assert_eq!(b.take(), MAX_TAKE);
        let mut slow = FrameBudget::default();
        for _ in 0..20 {
            slow.spent(MIN_TAKE, 1000.0, 1);
        }
        assert_eq!(slow.take(), MIN_TAKE);
    }
}
