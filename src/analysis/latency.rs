//! # How long operations of one name take, and how long their events wait
//!
//! People look at a distribution rather than read it: a [`Histogram`] of the durations of
//! every finished span with a given name, in logarithmic bins (durations spread over orders
//! of magnitude: a cached call and a slow one differ by 100×).
//!
//! For a live run, [`LagByMode`] adds the queue lag of those operations' events (emitted →
//! processed), one histogram per emit mode they ran in, on one shared axis: the mode can be
//! switched during a run, and what fire-and-forget buys the caller is paid there, in lag.
//! Which mode an operation ran in comes from the [`ModeTimeline`] the replay keeps: the bus
//! reads its mode once per operation, when the operation starts, so an operation whose
//! start event carries emission number `n` ran in the mode set last before `n` was handed
//! out.

use crate::core::EmitMode;
use crate::model::events::EventLog;
use crate::model::spans::Spans;

/// Durations of same-named spans in log-spaced bins.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Histogram {
    /// Bin edges (ns), one more than the bins.
    pub edges: Vec<f64>,
    /// Spans per bin: `counts[k]` falls between `edges[k]` and `edges[k + 1]`.
    pub counts: Vec<u32>,
    /// Finished spans counted.
    pub n: usize,
    /// The low end of the range (ns): the shortest duration, or the shared range's minimum.
    pub min_ns: u64,
    /// The high end of the range (ns).
    pub max_ns: u64,
}

impl Histogram {
    /// The durations of finished spans named `name` (their label), in `bins` bins.
    pub fn of_name(trace: &EventLog, spans: &Spans, name: &str, bins: usize) -> Histogram {
        let durations: Vec<u64> = spans
            .spans
            .iter()
            .filter(|s| trace.label(s.start) == name)
            .filter_map(|s| {
                s.end.map(|e| {
                    trace
                        .timestamp_ns(e)
                        .saturating_sub(trace.timestamp_ns(s.start))
                })
            })
            .collect();
        Histogram::of(&durations, bins)
    }

    /// Bins `durations` (ns) between their minimum and maximum on a log scale.
    pub fn of(durations: &[u64], bins: usize) -> Histogram {
        let (Some(&min), Some(&max)) = (durations.iter().min(), durations.iter().max()) else {
            return Histogram::default();
        };
        Histogram::within(durations, min, max, bins)
    }

    /// Bins `durations` (ns), all within `min..=max`, on a log scale from `min` to `max`:
    /// histograms meant to be compared share their range.
    pub fn within(durations: &[u64], min: u64, max: u64, bins: usize) -> Histogram {
        let bins = bins.max(1);
        if durations.is_empty() {
            return Histogram::default();
        }
        let (lo, hi) = ((min.max(1) as f64).ln(), (max.max(1) as f64).ln());
        let step = ((hi - lo) / bins as f64).max(1e-9);
        let edges = (0..=bins).map(|i| (lo + step * i as f64).exp()).collect();
        let mut counts = vec![0u32; bins];
        for &d in durations {
            let k = (((d.max(1) as f64).ln() - lo) / step) as usize;
            counts[k.min(bins - 1)] += 1;
        }
        Histogram {
            edges,
            counts,
            n: durations.len(),
            min_ns: min,
            max_ns: max,
        }
    }
}

/// The live bus's emit modes over a run: from which emission number on each applied.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModeTimeline {
    /// (first emission number, mode), in order.
    switches: Vec<(u64, EmitMode)>,
}

impl ModeTimeline {
    /// A run that starts in `mode`.
    pub fn starting(mode: EmitMode) -> ModeTimeline {
        ModeTimeline {
            switches: vec![(0, mode)],
        }
    }

    /// The mode is `mode` from emission number `from_seq` on (the bus's next number when it
    /// was switched). A switch before any number was handed out replaces the previous one.
    pub fn switch(&mut self, from_seq: u64, mode: EmitMode) {
        match self.switches.last_mut() {
            Some((_, last)) if *last == mode => {}
            Some((seq, last)) if *seq >= from_seq => *last = mode,
            _ => self.switches.push((from_seq, mode)),
        }
    }

    /// The mode an operation whose start event carries emission number `seq` ran in.
    pub fn mode_at(&self, seq: u64) -> Option<EmitMode> {
        let k = self.switches.partition_point(|&(from, _)| from <= seq);
        k.checked_sub(1).map(|k| self.switches[k].1)
    }

    /// Every mode the run used, in the order first used.
    pub fn modes(&self) -> Vec<EmitMode> {
        let mut out: Vec<EmitMode> = Vec::new();
        for &(_, m) in &self.switches {
            if !out.contains(&m) {
                out.push(m);
            }
        }
        out
    }
}

/// The queue lag of the events of same-named operations, one histogram per emit mode.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LagByMode {
    /// Every mode of the run, in the order first used, with the lags (ns) of the events of
    /// its operations, binned over the range shared by all modes (empty when the mode
    /// recorded none: disabled, or lazy with nobody listening).
    pub modes: Vec<(EmitMode, Histogram)>,
}

impl LagByMode {
    /// The lags of the start and end events of the spans named `name`, by the mode their
    /// operation ran in; `None` when the trace has no processing times (an imported file).
    pub fn of_name(
        trace: &EventLog,
        spans: &Spans,
        name: &str,
        timeline: &ModeTimeline,
        bins: usize,
    ) -> Option<LagByMode> {
        let modes = timeline.modes();
        let mut lags: Vec<Vec<u64>> = vec![Vec::new(); modes.len()];
        for s in spans.spans.iter().filter(|s| trace.label(s.start) == name) {
            let Some(mode) = timeline.mode_at(trace.seq(s.start)) else {
                continue;
            };
            let k = modes
                .iter()
                .position(|&m| m == mode)
                .expect("a mode of the run");
            for i in std::iter::once(s.start).chain(s.end) {
                let processed = trace.processed_ns(i)?;
                lags[k].push(processed.saturating_sub(trace.timestamp_ns(i)));
            }
        }
        let all = lags.iter().flatten();
        let (min, max) = (all.clone().min().copied(), all.max().copied());
        let (min, max) = (min.unwrap_or(0), max.unwrap_or(0));
        Some(LagByMode {
            modes: modes
                .into_iter()
                .zip(lags)
                .map(|(m, l)| (m, Histogram::within(&l, min, max, bins)))
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn durations_fall_into_log_bins_and_every_one_is_counted() {
        let h = Histogram::of(&[10, 10, 100, 1_000], 3);
        assert_eq!(h.counts, vec![2, 1, 1]);
        assert_eq!((h.n, h.min_ns, h.max_ns), (4, 10, 1_000));
        assert!((h.edges[0] - 10.0).abs() < 1e-6 && (h.edges[3] - 1_000.0).abs() < 1e-6);
        assert_eq!(Histogram::of(&[], 5), Histogram::default());
        assert_eq!(Histogram::of(&[7, 7], 4).counts.iter().sum::<u32>(), 2);
    }

    #[test]
    fn an_operation_runs_in_the_mode_set_last_before_its_start_was_numbered() {
        let mut t = ModeTimeline::starting(EmitMode::Awaited);
        t.switch(10, EmitMode::FireAndForget);
        t.switch(10, EmitMode::Lazy); // no event in between: replaces
        t.switch(25, EmitMode::Lazy); // no change
        t.switch(40, EmitMode::Awaited);
        assert_eq!(t.mode_at(0), Some(EmitMode::Awaited));
        assert_eq!(t.mode_at(9), Some(EmitMode::Awaited));
        assert_eq!(t.mode_at(10), Some(EmitMode::Lazy));
        assert_eq!(t.mode_at(39), Some(EmitMode::Lazy));
        assert_eq!(t.mode_at(1_000), Some(EmitMode::Awaited));
        assert_eq!(t.modes(), vec![EmitMode::Awaited, EmitMode::Lazy]);
        assert_eq!(ModeTimeline::default().mode_at(3), None);
    }

    /// Two operations named `op`, the first awaited (no lag), the second fire-and-forget
    /// (its start waits 50 ns, its end 5 000 ns), and one `other`.
    fn two_modes() -> (EventLog, Spans, ModeTimeline) {
        use crate::core::{Event, Phase};
        let mut t = EventLog::default();
        let mut seq = 0;
        let mut push =
            |t: &mut EventLog, name: &'static str, start: Option<&Event>, at: u64, lag: u64| {
                let mut e = match start {
                    None => Event::root("op", Phase::Started),
                    Some(s) => {
                        let mut e = Event::root("op", Phase::Completed);
                        e.start_id = Some(s.id);
                        e
                    }
                };
                e.payload.process_name = Some(name.into());
                seq += 1;
                e.seq = seq;
                e.timestamp_ns = at;
                t.push_processed(&e, at + lag);
                e
            };
        let a = push(&mut t, "op", None, 100, 0);
        push(&mut t, "op", Some(&a), 200, 0);
        let b = push(&mut t, "op", None, 300, 50);
        push(&mut t, "op", Some(&b), 400, 5_000);
        push(&mut t, "other", None, 500, 7);
        let spans = Spans::build(&t);
        let mut modes = ModeTimeline::starting(EmitMode::Awaited);
        modes.switch(3, EmitMode::FireAndForget);
        (t, spans, modes)
    }

    #[test]
    fn queue_lag_is_binned_per_mode_on_one_shared_range() {
        let (t, spans, modes) = two_modes();
        let lag = LagByMode::of_name(&t, &spans, "op", &modes, 4).expect("a live trace");
        let [(m0, awaited), (m1, ff)] = &lag.modes[..] else {
            panic!("two modes: {lag:?}");
        };
        assert_eq!((*m0, *m1), (EmitMode::Awaited, EmitMode::FireAndForget));
        assert_eq!(
            (awaited.n, ff.n),
            (2, 2),
            "start and end of one operation each"
        );
        assert_eq!(
            (awaited.min_ns, awaited.max_ns),
            (ff.min_ns, ff.max_ns),
            "one range"
        );
        assert_eq!((ff.min_ns, ff.max_ns), (0, 5_000));
        assert_eq!(awaited.counts, vec![2, 0, 0, 0]);
        assert_eq!(ff.counts, vec![0, 1, 0, 1], "50 ns and 5 µs");
    }

    #[test]
    fn a_trace_without_processing_times_has_no_queue_lag() {
        let (t, spans, modes) = two_modes();
        let imported = EventLog::new(t.events().collect());
        assert_eq!(LagByMode::of_name(&imported, &spans, "op", &modes, 4), None);
        let none = LagByMode::of_name(&t, &spans, "missing", &modes, 4).expect("live");
        assert!(none.modes.iter().all(|(_, h)| h.n == 0));
    }
}
