//! # The timeline's time axis
//!
//! The waterfall maps event times to horizontal positions through an [`Axis`]: the visible
//! window of time, which zooms around a point and pans, never beyond sensible bounds.

use crate::text::duration::duration;

/// A visible window of time, in the trace's nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Axis {
    pub start: f64,
    pub end: f64,
}

/// The narrowest window the axis zooms to (ns).
const MIN_SPAN_NS: f64 = 100.0;

impl Axis {
    /// A window showing `[lo, hi]` with a little margin.
    pub fn fit(lo: u64, hi: u64) -> Axis {
        let (lo, hi) = (lo as f64, hi.max(lo) as f64);
        let span = (hi - lo).max(MIN_SPAN_NS);
        Axis {
            start: lo - span * 0.01,
            end: lo + span * 1.02,
        }
    }

    pub fn span(&self) -> f64 {
        (self.end - self.start).max(MIN_SPAN_NS)
    }

    /// Where time `t` falls, as a fraction of the width (may be outside 0..1).
    pub fn fraction(&self, t: u64) -> f64 {
        (t as f64 - self.start) / self.span()
    }

    /// Zooms by `factor` (< 1 zooms in) keeping the time under `at` (0..1) in place.
    pub fn zoom(&mut self, factor: f64, at: f64) {
        let at = at.clamp(0.0, 1.0);
        let pivot = self.start + self.span() * at;
        let span = (self.span() * factor).max(MIN_SPAN_NS);
        self.start = pivot - span * at;
        self.end = self.start + span;
    }

    /// Moves the window by `fraction` of its width (positive: later).
    pub fn pan(&mut self, fraction: f64) {
        let d = self.span() * fraction;
        self.start += d;
        self.end += d;
    }

    /// About `n` evenly spaced, round-numbered ticks: (fraction, label relative to `origin`).
    pub fn ticks(&self, n: usize, origin: u64) -> Vec<(f64, String)> {
        let raw = self.span() / n.max(1) as f64;
        let mag = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0]
            .into_iter()
            .map(|m| m * mag)
            .find(|s| *s >= raw)
            .unwrap_or(10.0 * mag);
        let first = ((self.start - origin as f64) / step).ceil() * step + origin as f64;
        let mut out = Vec::new();
        let mut t = first;
        while t <= self.end && out.len() < 4 * n + 4 {
            out.push(((t - self.start) / self.span(), duration(t - origin as f64)));
            t += step;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn zooming_keeps_the_point_under_the_cursor_in_place() {
        let mut a = Axis {
            start: 0.0,
            end: 1000.0,
        };
        let before = a.start + a.span() * 0.25;
        a.zoom(0.5, 0.25);
        assert!((a.start + a.span() * 0.25 - before).abs() < 1e-9);
        assert!((a.span() - 500.0).abs() < 1e-9);
    }

    #[test]
    fn ticks_are_round_and_inside_the_window() {
        let a = Axis {
            start: 0.0,
            end: 10_000.0,
        };
        let t = a.ticks(5, 0);
        assert_eq!(t[0].1, "0 ns");
        assert_eq!(t[1].1, "2 µs");
        assert!(t.iter().all(|(f, _)| (0.0..=1.0).contains(f)));
    }
}
