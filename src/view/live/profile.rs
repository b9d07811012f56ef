//! # Where a live frame's time goes
//!
//! At 100 k events/s the page took in only 15–30 k events a second, with frames 70–150 ms
//! apart while the trace was still small (docs/live-page.md). [`FrameProfile`] sums, in
//! milliseconds of the page's clock, each part of that work the page controls: decoding the
//! stream's messages (in the `EventSource` handlers, between frames), taking and appending
//! the waiting events (`LiveView::append`) every frame, and, in the frames that redraw
//! (`view::live::RedrawPace`), publishing (the signals set) and the first wave of effects the
//! publish wakes (the redraw). Whatever else fills the time between two
//! frames (the browser's own painting, collection, another process on the CPU) is the rest.
//!
//! The page keeps one only when asked (`window.__lineageLiveProfile = true`, as the latency
//! measurement `tests/e2e_live_latency.rs` sets it): plain sums, read as JSON.

use serde::Serialize;

/// Sums of the live page's work; see the module docs.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct FrameProfile {
    /// `events` messages decoded, their events, and the time it took.
    pub messages: u64,
    pub decoded: u64,
    pub decode_ms: f64,
    /// Frames that applied events, the events, and the time taking and appending them took.
    pub frames: u64,
    pub applied: u64,
    pub append_ms: f64,
    /// Frames that redrew (published the grown inspection).
    pub redraws: u64,
    /// Setting the page's signals with the grown inspection.
    pub publish_ms: f64,
    /// The effects the publish woke, up to the first task queued after them (the redraw).
    pub redraw_ms: f64,
    /// The longest frame's own work (append + publish + redraw), and its events.
    pub longest_work_ms: f64,
    pub longest_work_events: u64,
    /// Wall time between the first and the last applying frame.
    pub span_ms: f64,
    /// The first `MAX_LONG` (20) frames whose own work passed [`LONG_MS`]: (ms since the first
    /// frame, events, append, publish, redraw), to tell which part a long frame spent in.
    pub long: Vec<(f64, u64, f64, f64, f64)>,
    /// The first [`FIRST`] messages decoded and frames applied: (events, ms) each. Set
    /// beside the sums, they say how much slower the stream's first second ran than the
    /// rest (V8's baseline tier, and what the warm-up changes: `ui/live/warm.rs`), a
    /// ratio a shared CPU disturbs less than the wall-clock latency.
    pub first_decodes: Vec<(u64, f64)>,
    pub first_applies: Vec<(u64, f64)>,
    /// Appends that copied the whole inspection ([`super::LiveView::copies`]).
    pub copies: u64,
    #[serde(skip)]
    first_frame_at: Option<f64>,
    #[serde(skip)]
    last: (f64, f64, f64),
    /// The last frame is listed in `long` already.
    #[serde(skip)]
    listed: bool,
}

/// A frame's own work past this many ms is listed in [`FrameProfile::long`].
pub const LONG_MS: f64 = 50.0;
const MAX_LONG: usize = 20;
/// Messages and applying frames listed one by one from the start.
pub const FIRST: usize = 20;

impl FrameProfile {
    /// One `events` message of `events` events decoded in `ms`.
    pub fn decoded(&mut self, events: usize, ms: f64) {
        self.messages += 1;
        self.decoded += events as u64;
        self.decode_ms += ms;
        if self.first_decodes.len() < FIRST {
            self.first_decodes.push((events as u64, ms));
        }
    }

    /// One frame at `at` that applied `events` events in `append` ms.
    pub fn applied(&mut self, at: f64, events: usize, append: f64) {
        let first = *self.first_frame_at.get_or_insert(at);
        self.span_ms = at - first;
        self.frames += 1;
        self.applied += events as u64;
        self.append_ms += append;
        if self.first_applies.len() < FIRST {
            self.first_applies.push((events as u64, append));
        }
        self.last = (at, append, 0.0);
        self.listed = false;
        self.own(append, 0.0, 0.0, events);
    }

    /// The last applying frame published in `publish` ms, then its redraw took `redraw`
    /// ms; `events`: those that frame stored.
    pub fn redrawn(&mut self, publish: f64, redraw: f64, events: usize) {
        self.redraws += 1;
        self.publish_ms += publish;
        self.redraw_ms += redraw;
        let append = self.last.1;
        self.own(append, publish, redraw, events);
    }

    /// A frame's own work: the longest kept, and listed in `long` past [`LONG_MS`] (once).
    fn own(&mut self, append: f64, publish: f64, redraw: f64, events: usize) {
        let own = append + publish + redraw;
        if own > LONG_MS && self.long.len() < MAX_LONG && !self.listed {
            let since = self.last.0 - self.first_frame_at.unwrap_or(self.last.0);
            self.long
                .push((since, events as u64, append, publish, redraw));
            self.listed = true;
        }
        if own > self.longest_work_ms {
            self.longest_work_ms = own;
            self.longest_work_events = events as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn sums_the_parts_and_keeps_the_longest_frame() {
        let mut p = FrameProfile::default();
        p.decoded(1000, 4.0);
        p.decoded(500, 2.0);
        p.applied(100.0, 1500, 3.0);
        p.redrawn(1.0, 5.0, 1500);
        p.applied(116.0, 10, 0.5);
        assert_eq!((p.messages, p.decoded, p.decode_ms), (2, 1500, 6.0));
        assert_eq!((p.frames, p.applied, p.span_ms), (2, 1510, 16.0));
        assert_eq!((p.append_ms, p.publish_ms, p.redraw_ms), (3.5, 1.0, 5.0));
        assert_eq!(
            (p.redraws, p.longest_work_ms, p.longest_work_events),
            (1, 9.0, 1500)
        );
        assert!(p.long.is_empty());
        assert_eq!(p.first_decodes, vec![(1000, 4.0), (500, 2.0)]);
        assert_eq!(p.first_applies, vec![(1500, 3.0), (10, 0.5)]);
        p.applied(200.0, 3000, 40.0);
        p.redrawn(1.0, 20.0, 3010);
        assert_eq!(p.long, vec![(100.0, 3010, 40.0, 1.0, 20.0)]);
        // A frame whose storing alone is long is listed once, without a redraw.
        p.applied(300.0, 9000, 60.0);
        assert_eq!(p.long.len(), 2);
        assert_eq!(p.long[1], (200.0, 9000, 60.0, 0.0, 0.0));
    }
}
