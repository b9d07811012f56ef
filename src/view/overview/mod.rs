//! # The whole trace at a glance
//!
//! In a long run the waterfall squeezes every operation into a sliver; the [`Overview`] is the
//! minimap above it: how many events and how many failures fall into each of a fixed number of
//! time bins over the whole trace, and the mapping between a window dragged on the minimap
//! (fractions of its width) and the waterfall's [`Axis`]. Times are relative to the trace's
//! first event, in the trace's own units.
//!
//! ## Bins that grow with the trace
//! The bins are a power of two nanoseconds wide and start at multiples of their width
//! ([`Bins`]), between about half of and all the bins asked for, the first and last drawn
//! clipped to the trace's ends ([`Overview::bin_span`]): a live trace's counts are
//! then kept up to date event by event as it grows, never counted again from the start
//! ([`crate::view::derived::Derived`]).
//!
//! ## Failures in proportion
//! A bin's failures are drawn as the failed share of the operations that ended in it
//! ([`Overview::failed_share`]), not as a count against the busiest bin: at a million events
//! with a tenth of the operations failing, every bin holds some failure, and a count scaled
//! to be visible painted nearly every bin red. As a share, such a trace reads as a tenth of
//! each bar, and a burst of failures stands out as the bins where the share rises.

mod bins;

pub use bins::Bins;

use crate::model::events::EventLog;
use crate::model::spans::{Spans, Status};
use crate::view::timeline::Axis;

/// Whether an operation in this state counts as a failure on the minimap.
pub fn failed(status: Status) -> bool {
    matches!(status, Status::Failed | Status::TimedOut)
}

/// A drag narrower than this (fraction of the minimap's width) is a click.
pub const CLICK: f64 = 0.005;

/// Event and failure counts per time bin over the whole trace.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Overview {
    /// The first and last timestamp (ns): the minimap's left and right edges.
    pub origin: u64,
    pub last: u64,
    /// Where the first bin starts (ns, at or before `origin`) and how wide a bin is: the
    /// first and last bins can reach past the trace's ends, and are drawn clipped.
    pub bins_from: u64,
    pub bin_ns: u64,
    /// Events per bin.
    pub events: Vec<u32>,
    /// Operations that failed or timed out, per bin of their end.
    pub failures: Vec<u32>,
    /// Operations (spans) per bin of their end, or of their start while unfinished.
    pub operations: Vec<u32>,
}

impl Overview {
    /// Counts `trace` into at most `bins` bins of time (see [`Bins`] for their width and
    /// alignment): the full count, which [`crate::view::derived::Derived`] keeps up to date
    /// as a trace grows.
    pub fn build(trace: &EventLog, spans: &Spans, bins: usize) -> Overview {
        let mut counts = Bins::new(bins);
        for i in 0..trace.len() {
            counts.add_event(trace.timestamp_ns(i));
        }
        for s in &spans.spans {
            let t = trace.timestamp_ns(s.end.unwrap_or(s.start));
            counts.add_operation(t, failed(s.status));
        }
        Overview::of_bins(&counts)
    }

    /// What the minimap draws from `bins`.
    pub fn of_bins(bins: &Bins) -> Overview {
        let (origin, last) = bins.counted();
        let or_one = |v: &Vec<u32>| if v.is_empty() { vec![0] } else { v.clone() };
        Overview {
            origin,
            last,
            bins_from: bins.range().0,
            bin_ns: bins.bin_ns(),
            events: or_one(&bins.events),
            failures: or_one(&bins.failures),
            operations: or_one(&bins.operations),
        }
    }

    /// The share of bin `b`'s operations that failed or timed out, 0 to 1.
    pub fn failed_share(&self, b: usize) -> f64 {
        let ops = self.operations.get(b).copied().unwrap_or(0);
        let failed = self.failures.get(b).copied().unwrap_or(0);
        if ops == 0 {
            return 0.0;
        }
        (failed as f64 / ops as f64).min(1.0)
    }

    /// Where bin `b` is drawn, as fractions of the minimap's width (clipped to it).
    pub fn bin_span(&self, b: usize) -> (f64, f64) {
        let at = |k: usize| {
            let t = self.bins_from as f64 + k as f64 * self.bin_ns as f64;
            ((t - self.origin as f64) / self.width()).clamp(0.0, 1.0)
        };
        if self.last == self.origin {
            // One instant: its one bin fills the minimap.
            return (0.0, 1.0);
        }
        (at(b), at(b + 1))
    }

    /// The busiest bin's count (at least 1, for scaling).
    pub fn peak(&self) -> u32 {
        self.events.iter().copied().max().unwrap_or(0).max(1)
    }

    fn width(&self) -> f64 {
        (self.last - self.origin).max(1) as f64
    }

    /// The waterfall window for a minimap selection from `a` to `b` (fractions of the
    /// minimap's width, either order, clamped to 0..1).
    pub fn axis_for(&self, a: f64, b: f64) -> Axis {
        let (lo, hi) = (a.min(b).clamp(0.0, 1.0), a.max(b).clamp(0.0, 1.0));
        Axis {
            start: self.origin as f64 + lo * self.width(),
            end: self.origin as f64 + hi * self.width(),
        }
    }

    /// The waterfall window after a drag on the minimap from `from` to `to` (fractions of its
    /// width). A drag narrower than [`CLICK`] is a click: it moves the `current` window,
    /// keeping its width, to centre on the point (nothing to move without a window); a wider
    /// drag selects the window dragged.
    pub fn after_drag(&self, from: f64, to: f64, current: Option<Axis>) -> Option<Axis> {
        if (from - to).abs() >= CLICK {
            return Some(self.axis_for(from, to));
        }
        let (lo, hi) = self.window_of(&current?);
        let half = ((hi - lo) / 2.0).max(CLICK);
        Some(self.axis_for(to - half, to + half))
    }

    /// Where the waterfall's window sits on the minimap, as clamped fractions.
    pub fn window_of(&self, axis: &Axis) -> (f64, f64) {
        let f = |t: f64| ((t - self.origin as f64) / self.width()).clamp(0.0, 1.0);
        (f(axis.start), f(axis.end))
    }

    /// About `n` ticks over the whole trace, labelled relative to its first event.
    pub fn ticks(&self, n: usize) -> Vec<(f64, String)> {
        let whole = Axis {
            start: self.origin as f64,
            end: self.origin as f64 + self.width(),
        };
        whole.ticks(n, self.origin)
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::core::{Event, Phase};

    fn trace() -> EventLog {
        let mut events = Vec::new();
        for (i, t) in [1_000u64, 1_100, 1_900, 2_000].into_iter().enumerate() {
            let mut e = Event::root("processing", Phase::Started);
            e.timestamp_ns = t;
            events.push(e.clone());
            if i == 2 {
                let mut end = e.clone();
                end.id = uuid::Uuid::new_v4();
                end.phase = Phase::Failed;
                end.start_id = Some(e.id);
                end.timestamp_ns = t + 50;
                events.push(end);
            }
        }
        EventLog::new(events)
    }

    #[test]
    fn events_and_failures_fall_into_their_bins() {
        let t = trace();
        let o = Overview::build(&t, &Spans::build(&t), 4);
        // 1 000 ns in at most 4 aligned bins: 512 ns wide, from 512 to 2 048, drawn
        // clipped to the trace's 1 000 to 2 000.
        assert_eq!(
            (o.origin, o.last, o.bins_from, o.bin_ns),
            (1_000, 2_000, 512, 512)
        );
        assert_eq!(o.bin_span(0), (0.0, 0.024));
        assert_eq!(o.bin_span(1), (0.024, 0.536));
        assert_eq!(o.bin_span(2), (0.536, 1.0));
        assert_eq!(o.events, vec![1, 1, 3]);
        assert_eq!(o.failures, vec![0, 0, 1]);
        assert_eq!(o.operations, vec![1, 1, 2]);
        assert_eq!(o.peak(), 3);
        assert_eq!(o.failed_share(2), 0.5);
        assert_eq!(o.failed_share(1), 0.0);
    }

    #[test]
    fn a_dragged_window_maps_to_the_axis_and_back() {
        let t = trace();
        let o = Overview::build(&t, &Spans::build(&t), 10);
        let axis = o.axis_for(0.6, 0.2);
        assert_eq!((axis.start, axis.end), (1_200.0, 1_600.0));
        assert_eq!(o.window_of(&axis), (0.2, 0.6));
        let wide = Axis {
            start: 0.0,
            end: 9e9,
        };
        assert_eq!(o.window_of(&wide), (0.0, 1.0));
        assert_eq!(o.ticks(4).first().map(|t| t.1.as_str()), Some("0 ns"));
    }

    #[test]
    fn a_drag_selects_its_window_and_a_click_moves_the_window_keeping_its_width() {
        let o = Overview {
            origin: 1_000,
            last: 2_000,
            bins_from: 1_000,
            bin_ns: 1_024,
            events: vec![1],
            failures: vec![0],
            operations: vec![1],
        };
        assert_eq!(
            o.after_drag(0.6, 0.2, None),
            Some(Axis {
                start: 1_200.0,
                end: 1_600.0
            })
        );
        let window = Axis {
            start: 1_100.0,
            end: 1_300.0,
        };
        let moved = o.after_drag(0.5, 0.502, Some(window)).unwrap_or(window);
        assert!((moved.start - 1_402.0).abs() < 1e-6, "{moved:?}");
        assert!((moved.end - 1_602.0).abs() < 1e-6, "{moved:?}");
        assert_eq!(o.after_drag(0.5, 0.5, None), None, "no window to move");
    }

    #[test]
    fn a_long_trace_with_a_tenth_failing_shows_a_tenth_in_every_bin_not_all_red() {
        let mut events = Vec::new();
        for k in 0..20_000u64 {
            let mut start = Event::root("processing", Phase::Started);
            start.timestamp_ns = k * 1_000;
            let mut end = Event::child_of(&start, "processed", Phase::Completed);
            end.start_id = Some(start.id);
            end.parent_id = None;
            end.timestamp_ns = k * 1_000 + 500;
            if k % 10 == 3 {
                end.phase = Phase::Failed;
            }
            events.extend([start, end]);
        }
        let t = EventLog::new(events);
        let o = Overview::build(&t, &Spans::build(&t), 200);
        assert!(o.failures.iter().all(|&f| f > 0), "every bin has failures");
        assert!(o.events.len() > 100 && o.events.len() <= 200);
        for b in 0..o.events.len() {
            let share = o.failed_share(b);
            assert!((0.08..=0.12).contains(&share), "bin {b}: {share}");
        }
    }
}
