//! # How often the page redraws while events pour in
//!
//! Measured in headless Chromium at 100 k events/s (docs/live-page.md, Chromium's own
//! metrics and profile, 2026-12-06): the renderer's main thread was busy 99 % of the wall
//! time, and the redraw that followed every frame's events (the tree's visible rows made
//! anew, the minimap, the lints, the counts, then Chromium's style and layout, one of them
//! forced by Follow reading the tree's height) took more of it than storing the events did.
//! The events waited upstream, in the stream, for a main thread that was redrawing.
//!
//! So the events go into the page's store as they come (since 2026-12-06 by a loop of its
//! own, in slices of 8 ms between browser turns, `ui::live`), and [`RedrawPace`] says
//! when the screen shows them: at once while the stream is calm (a frame that stored
//! nothing new redraws what is pending), and at most every [`REDRAW_EVERY_MS`] while every
//! frame stores more. A person watching sees the trace move five times a second under a
//! flood, and the events are counted in the store as they come.

/// The least time between two redraws while every frame stores events.
pub const REDRAW_EVERY_MS: f64 = 200.0;
/// Under a flood, a redraw is at most this share of the time: a redraw that took `c` ms
/// is followed by at least `c / MAX_DRAW_SHARE` ms without one. In a 60 s run at 100 k
/// events/s the redraws of a trace of a million events took 73 ms each on average, 37 s
/// of the page's 120 s, and the page fell behind the listener's window
/// (docs/live-page.md).
pub const MAX_DRAW_SHARE: f64 = 0.2;

/// When the page redraws what it has stored; see the module docs.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RedrawPace {
    /// Events are in the store and not on screen yet.
    pending: bool,
    /// When the screen was last redrawn (the page's clock, ms); `None`: not yet.
    last_ms: Option<f64>,
    /// What the last redraw cost, in ms (0 until told).
    cost_ms: f64,
}

impl RedrawPace {
    /// Events went into the store.
    pub fn stored(&mut self) {
        self.pending = true;
    }

    /// Whether stored events wait to be drawn.
    pub fn pending(&self) -> bool {
        self.pending
    }

    /// Whether a frame starting at `now_ms` redraws instead of storing: events wait to be
    /// drawn and none were drawn for [`REDRAW_EVERY_MS`] (or ever). A frame does one or the
    /// other under a flood, so its work is the larger of the two, not their sum: the first
    /// frame stored 1 000 events into a cold store (33 ms) and then drew the trace for the
    /// first time (87 ms), at a load of 12 on 2 cores (docs/live-page.md).
    pub fn draws_first(&self, now_ms: f64) -> bool {
        self.pending
            && self
                .last_ms
                .is_none_or(|last| now_ms - last >= self.flood_every())
    }

    /// The least time between two redraws under a flood: [`REDRAW_EVERY_MS`], longer
    /// when redraws cost more than [`MAX_DRAW_SHARE`] of it.
    pub fn flood_every(&self) -> f64 {
        REDRAW_EVERY_MS.max(self.cost_ms / MAX_DRAW_SHARE)
    }

    /// The last redraw took `ms` (the publish and the effects it woke).
    pub fn took(&mut self, ms: f64) {
        self.cost_ms = ms.max(0.0);
    }

    /// Whether a frame at `now_ms` redraws; `storing`: this frame stored events.
    pub fn due(&self, now_ms: f64, storing: bool) -> bool {
        self.pending
            && (!storing
                || self
                    .last_ms
                    .is_none_or(|last| now_ms - last >= self.flood_every()))
    }

    /// The screen was redrawn at `now_ms` (by this pace or by a rebuilt view).
    pub fn drawn(&mut self, now_ms: f64) {
        self.pending = false;
        self.last_ms = Some(now_ms);
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn a_calm_stream_is_drawn_at_the_next_frame() {
        let mut p = RedrawPace::default();
        assert!(!p.due(0.0, false), "nothing stored, nothing to draw");
        p.stored();
        assert!(p.due(0.0, true), "the first events are drawn at once");
        p.drawn(0.0);
        // A message 16 ms later: stored in one frame, drawn at the next one that stores none.
        p.stored();
        assert!(!p.due(16.0, true));
        assert!(p.due(33.0, false));
        p.drawn(33.0);
        assert!(!p.pending() && !p.due(50.0, false));
    }

    #[test]
    fn a_flood_is_drawn_at_most_every_few_frames_and_nothing_is_left_undrawn() {
        let mut p = RedrawPace::default();
        let mut draws = Vec::new();
        // A frame every 16 ms for 2 s, each storing events, then one calm frame.
        let mut now = 0.0;
        while now < 2000.0 {
            p.stored();
            if p.due(now, true) {
                p.drawn(now);
                draws.push(now);
            }
            now += 16.0;
        }
        assert!(draws.windows(2).all(|w| w[1] - w[0] >= REDRAW_EVERY_MS));
        assert!(draws.len() >= (2000.0 / (REDRAW_EVERY_MS + 16.0)) as usize);
        assert!(p.pending());
        assert!(
            p.due(now, false),
            "the stream calms: what is stored is drawn"
        );
    }

    #[test]
    fn costly_redraws_under_a_flood_are_spaced_to_a_fifth_of_the_time() {
        let mut p = RedrawPace::default();
        p.stored();
        p.drawn(0.0);
        p.took(80.0);
        p.stored();
        assert_eq!(p.flood_every(), 400.0);
        assert!(!p.due(399.0, true) && p.due(400.0, true));
        assert!(
            p.due(17.0, false),
            "calm: drawn at the next frame whatever it costs"
        );
        p.took(10.0);
        assert_eq!(p.flood_every(), REDRAW_EVERY_MS);
    }

    #[test]
    fn under_a_flood_a_frame_draws_or_stores_and_the_first_events_are_drawn_next_frame() {
        let mut p = RedrawPace::default();
        assert!(!p.draws_first(0.0), "nothing stored yet: the frame stores");
        p.stored();
        assert!(p.draws_first(16.0), "the next frame draws the first events");
        p.drawn(16.0);
        p.stored();
        assert!(!p.draws_first(32.0) && !p.draws_first(16.0 + REDRAW_EVERY_MS - 1.0));
        assert!(p.draws_first(16.0 + REDRAW_EVERY_MS));
    }
}
