//! # The critical path versus the background
//!
//! The Python team asked whether emission "can be async / fire-and-forget". That is a question
//! about the *caller*: how long an operation waits for its own events, not how much work the
//! machine does in total. A mode's single figure (the batch with the queue drained inside it)
//! folds the two together, so fire-and-forget, which moves work off the caller's path but adds
//! a spawned put per event, can read as the slowest mode while being the cheapest for the
//! caller, or the other way round. Nobody can tell without the split.
//!
//! A mode subject therefore times each chunk of operations in two parts:
//!
//! - **the caller**: driving the operations themselves, minus any time the executor spent
//!   running the bus's background tasks while an operation waited (see
//!   [`super::drive::drive_timed`]); with the default pipeline nothing yields, so the
//!   processor does not run at all while the operations do;
//! - **the background**: draining the queue afterwards (the processor, spawned puts, handlers)
//!   plus whatever background work ran while an operation waited.
//!
//! The batch's wall time is read independently around the whole loop, so *caller +
//! background ≈ total* is a check of the method, not an identity.
//!
//! The **queue lag** of an event is when the processor recorded it minus its own timestamp,
//! read from the history after the timed batch. The processor reads the clock once per burst
//! of up to 32 events (see `core::bus`), so a lag is a lower bound by at most that burst's
//! work. Lag is as long as the caller runs without yielding: in these batches the processor
//! runs at each flush, every `drain_every` operations, so the lag measures the queue the
//! caller builds up between two drains, not a property of one event.

use serde::{Deserialize, Serialize};

use super::spread::Spread;

/// One timed batch of a mode subject, split.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BatchSplit {
    /// Nanoseconds on the operations' own path.
    pub caller_ns: u64,
    /// Nanoseconds of background processing (drain, spawned puts, handlers).
    pub background_ns: u64,
    /// Queue lag of the batch's events still in the history: median and 99th percentile (ns);
    /// `None` when the batch recorded no event (disabled, lazy with nobody listening).
    pub lag_ns: Option<(f64, f64)>,
}

/// The split of a mode row, each figure summarised over rounds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SplitFigures {
    /// The caller's cost per operation.
    pub caller_ns_per_op: Spread,
    /// Background processing per operation.
    pub background_ns_per_op: Spread,
    /// Background processing per event an operation emits when fully recorded (the row's
    /// `events_per_op`, the same divisor as its other per-event figures).
    pub background_ns_per_event: Spread,
    /// Caller + background per operation, per round.
    pub sum_ns_per_op: Spread,
    /// Per round, the median queue lag; summarised over rounds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lag_p50_ns: Option<Spread>,
    /// Per round, the 99th-percentile queue lag; summarised over rounds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lag_p99_ns: Option<Spread>,
}

impl SplitFigures {
    /// Summarises batches of `ops` operations each (one per round), `events_per_op` events
    /// per fully recorded operation. `None` when there are no batches.
    pub fn of(splits: &[BatchSplit], ops: usize, events_per_op: usize) -> Option<SplitFigures> {
        if splits.is_empty() {
            return None;
        }
        let ops = ops.max(1) as f64;
        let per =
            |f: &dyn Fn(&BatchSplit) -> f64| Spread::of(&splits.iter().map(f).collect::<Vec<_>>());
        let caller = per(&|s| s.caller_ns as f64 / ops);
        let background = per(&|s| s.background_ns as f64 / ops);
        let sum = per(&|s| (s.caller_ns + s.background_ns) as f64 / ops);
        let lags: Vec<(f64, f64)> = splits.iter().filter_map(|s| s.lag_ns).collect();
        let lag = |pick: fn(&(f64, f64)) -> f64| {
            (!lags.is_empty()).then(|| Spread::of(&lags.iter().map(pick).collect::<Vec<_>>()))
        };
        Some(SplitFigures {
            caller_ns_per_op: caller,
            background_ns_per_event: background.scaled(1.0 / events_per_op.max(1) as f64),
            background_ns_per_op: background,
            sum_ns_per_op: sum,
            lag_p50_ns: lag(|l| l.0),
            lag_p99_ns: lag(|l| l.1),
        })
    }
}

/// The median and 99th percentile of `lags` (ns), nearest rank; `None` when empty. Sorts in
/// place.
pub fn lag_percentiles(lags: &mut [u64]) -> Option<(f64, f64)> {
    if lags.is_empty() {
        return None;
    }
    lags.sort_unstable();
    let at = |p: f64| lags[((p * lags.len() as f64).ceil() as usize).clamp(1, lags.len()) - 1];
    Some((at(0.50) as f64, at(0.99) as f64))
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let mut lags: Vec<u64> = (1..=100).rev().collect();
        assert_eq!(lag_percentiles(&mut lags), Some((50.0, 99.0)));
        assert_eq!(lag_percentiles(&mut [7]), Some((7.0, 7.0)));
        assert_eq!(lag_percentiles(&mut []), None);
    }

    #[test]
    fn figures_divide_by_operations_and_by_events() {
        let batches = [
            BatchSplit {
                caller_ns: 1_000,
                background_ns: 600,
                lag_ns: Some((10.0, 90.0)),
            },
            BatchSplit {
                caller_ns: 1_200,
                background_ns: 600,
                lag_ns: None,
            },
        ];
        let f = SplitFigures::of(&batches, 10, 6).unwrap();
        assert_eq!(f.caller_ns_per_op.median, 110.0);
        assert_eq!(f.background_ns_per_op.median, 60.0);
        assert_eq!(f.background_ns_per_event.median, 10.0);
        assert_eq!(f.sum_ns_per_op.median, 170.0);
        assert_eq!(f.lag_p99_ns.unwrap().median, 90.0);
        assert_eq!(f.lag_p50_ns.unwrap().n, 1);
        assert!(SplitFigures::of(&[], 10, 6).is_none());
    }

    #[test]
    fn no_recorded_event_means_no_lag() {
        let f = SplitFigures::of(&[BatchSplit::default()], 5, 6).unwrap();
        assert_eq!((f.lag_p50_ns, f.lag_p99_ns), (None, None));
    }
}
