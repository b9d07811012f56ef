//! # Timing batches, not events
//!
//! Measurement reads the same injectable [`Clock`] the bus uses: `Instant` natively,
//! `performance.now()` in the browser. Browsers coarsen `performance.now()` to 5–100 µs
//! against timing attacks, and even natively a clock read costs about as much as emitting a
//! small event, so a single event is never timed: a batch of operations is, long enough that
//! the tick is a small fraction of it (see [`batch_target_ns`]).

use crate::core::Clock;

/// How many tick widths a batch must span at least, so quantisation stays under 0.5 %.
pub const TICKS_PER_BATCH: u64 = 200;

/// The smallest step the clock was seen to take: the median of several observed ticks.
///
/// Each observation spins until the reading changes; the first change is discarded (the spin
/// may have started mid-tick). A clock that never moves within `max_reads` reads reports
/// `None`.
pub fn observe_resolution(clock: &dyn Clock, observations: usize, max_reads: usize) -> Option<u64> {
    let mut steps = Vec::with_capacity(observations);
    let mut last = next_change(clock, clock.now_ns(), max_reads)?;
    for _ in 0..observations.max(1) {
        let now = next_change(clock, last, max_reads)?;
        steps.push(now - last);
        last = now;
    }
    steps.sort_unstable();
    Some(steps[steps.len() / 2])
}

fn next_change(clock: &dyn Clock, from: u64, max_reads: usize) -> Option<u64> {
    (0..max_reads)
        .map(|_| clock.now_ns())
        .find(|&now| now > from)
}

/// How long a timed batch must last: at least `min_batch_ns`, and at least
/// [`TICKS_PER_BATCH`] ticks of the observed resolution.
pub fn batch_target_ns(min_batch_ns: u64, resolution_ns: u64) -> u64 {
    min_batch_ns.max(resolution_ns.saturating_mul(TICKS_PER_BATCH))
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::core::ManualClock;

    #[test]
    fn a_clock_stepping_by_5_us_has_a_5_us_resolution() {
        let clock = ManualClock::ticking(5_000);
        assert_eq!(observe_resolution(&clock, 9, 100), Some(5_000));
    }

    #[test]
    fn a_clock_that_never_moves_has_no_resolution() {
        let clock = ManualClock::new();
        assert_eq!(observe_resolution(&clock, 3, 1_000), None);
    }

    #[test]
    fn coarse_clocks_lengthen_the_batch() {
        assert_eq!(batch_target_ns(10_000_000, 30), 10_000_000);
        assert_eq!(batch_target_ns(1_000_000, 100_000), 20_000_000);
    }
}
