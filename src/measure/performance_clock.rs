//! # `performance.now()` as a bus clock
//!
//! The one clock the page gives the bus and the measurements alike, so a replay's timings
//! and the compare tab's figures come from the same source. Its resolution depends on the
//! page: 100 µs steps normally, 5 µs when the page is cross-origin isolated (see
//! Trunk.toml's headers); the measurement session observes the tick and lengthens its
//! batches to match.

use crate::core::Clock;

/// `performance.now()` (ms, fractional) read as nanoseconds since the page's time origin.
#[derive(Clone, Debug)]
pub struct PerformanceClock {
    performance: web_sys::Performance,
}

impl PerformanceClock {
    /// The page's clock; `None` where there is no `window.performance` (e.g. a worker without
    /// a window).
    pub fn new() -> Option<PerformanceClock> {
        let performance = web_sys::window()?.performance()?;
        Some(PerformanceClock { performance })
    }
}

impl Clock for PerformanceClock {
    #[inline]
    fn now_ns(&self) -> u64 {
        (self.performance.now() * 1e6) as u64
    }
}
