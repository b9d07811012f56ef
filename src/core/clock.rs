//! # Clocks
//!
//! The bus stamps every event with the time of an injectable [`Clock`], so the same core runs
//! natively (`Instant`), in the browser (`performance.now()`, supplied by the web layer, since
//! the core has no web dependency) and in tests (a [`ManualClock`] that only moves when told).

use std::cell::Cell;
use std::rc::Rc;

/// A source of monotonic nanoseconds since some origin.
pub trait Clock {
    /// Nanoseconds since the clock's origin; never less than an earlier reading.
    fn now_ns(&self) -> u64;
}

/// A monotonic clock counted from when it was made. Native only.
///
/// ## Why not `std::time::Instant`
/// The bus stamps every event, so the clock read is on the hot path: `Instant::now()` is a
/// vDSO `clock_gettime` (≈20 ns here, ~7 % of an awaited event in a profile). `quanta` reads
/// the CPU's time-stamp counter, calibrated once against the OS clock, and falls back to the
/// OS clock where the counter is not reliable.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Clone, Debug)]
pub struct MonotonicClock {
    clock: quanta::Clock,
    origin: u64,
}

#[cfg(not(target_arch = "wasm32"))]
impl MonotonicClock {
    /// A clock reading 0 now (its origin is this call), sharing the thread's calibrated counter.
    pub fn new() -> MonotonicClock {
        let clock = shared_clock();
        let origin = clock.raw();
        MonotonicClock { clock, origin }
    }
}

/// One calibrated clock per thread: calibration takes milliseconds, buses are made often.
#[cfg(not(target_arch = "wasm32"))]
fn shared_clock() -> quanta::Clock {
    thread_local! {
        static CLOCK: quanta::Clock = quanta::Clock::new();
    }
    CLOCK.with(Clone::clone)
}

#[cfg(not(target_arch = "wasm32"))]
impl Default for MonotonicClock {
    fn default() -> Self {
        MonotonicClock::new()
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl Clock for MonotonicClock {
    #[inline]
    fn now_ns(&self) -> u64 {
        self.clock.delta_as_nanos(self.origin, self.clock.raw())
    }
}

/// A clock that reads what it was set to, then advances by `step` on every read (0: never).
///
/// Tests use it to get exact timestamps and durations; it is also the default on wasm32, where
/// the core cannot reach `performance.now()` itself.
#[derive(Clone, Debug, Default)]
pub struct ManualClock {
    now: Rc<Cell<u64>>,
    step: u64,
}

impl ManualClock {
    /// A clock at 0 that stays put until [`ManualClock::set`] or [`ManualClock::advance`].
    pub fn new() -> ManualClock {
        ManualClock::default()
    }

    /// A clock that moves forward `step_ns` after each read, so successive events differ.
    pub fn ticking(step_ns: u64) -> ManualClock {
        ManualClock {
            now: Rc::default(),
            step: step_ns,
        }
    }

    /// Sets the reading to `ns`. Clones share the reading, so a test moves the clock a bus holds
    /// through its own clone.
    pub fn set(&self, ns: u64) {
        self.now.set(ns);
    }

    /// Moves the reading forward by `ns` (for every clone).
    pub fn advance(&self, ns: u64) {
        self.now.set(self.now.get() + ns);
    }
}

impl Clock for ManualClock {
    fn now_ns(&self) -> u64 {
        let now = self.now.get();
        self.now.set(now + self.step);
        now
    }
}

/// The clock a bus gets when none is given.
pub(crate) fn default_clock() -> Rc<dyn Clock> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        Rc::new(MonotonicClock::new())
    }
    #[cfg(target_arch = "wasm32")]
    {
        Rc::new(ManualClock::ticking(1_000))
    }
}
