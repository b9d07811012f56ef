//! `performance.now()` as the bus clock in the browser.

use crate::core::Clock;

/// Reads `performance.now()` (ms, fractional) as nanoseconds. Its resolution depends on the
/// page: 100 µs normally, 5 µs when cross-origin isolated (see Trunk.toml's headers).
#[derive(Clone)]
pub struct PerformanceClock {
    performance: web_sys::Performance,
}

impl PerformanceClock {
    pub fn new() -> PerformanceClock {
        let performance = web_sys::window()
            .and_then(|w| w.performance())
            .expect("this page has no window.performance");
        PerformanceClock { performance }
    }
}

impl Default for PerformanceClock {
    fn default() -> Self {
        PerformanceClock::new()
    }
}

impl Clock for PerformanceClock {
    fn now_ns(&self) -> u64 {
        (self.performance.now() * 1e6) as u64
    }
}
