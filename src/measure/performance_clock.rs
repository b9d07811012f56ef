//! # `performance.now()` as a bus clock
//!
//! The one clock the page gives the bus and the measurements alike, so a replay's timings
//! and the compare tab's figures come from the same source. Its resolution depends on the
//! page: 100 µs steps normally, 5 µs when the page is cross-origin isolated (see
//! Trunk.toml's headers); the measurement session observes the tick and lengthens its
//! batches to match.
//!
//! ## Why a binding of its own
//! The bus reads its clock once per event, so in the page this read is on the hot path.
//! `web_sys::Performance::now` calls the method on a `Performance` object handed across
//! from wasm (looked up in wasm-bindgen's table of JS values on every call); the binding
//! below calls the global `performance.now` directly, the same function with one hop less
//! (measured in headless Chromium, `tests/measure_in_browser.rs`, docs/performance.md).

use wasm_bindgen::prelude::wasm_bindgen;

use crate::core::Clock;

#[wasm_bindgen]
extern "C" {
    /// `performance.now()` of the global scope (a window or a worker), in ms.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn global_performance_now() -> f64;
}

/// `performance.now()` (ms, fractional) read as nanoseconds since the page's time origin.
#[derive(Clone, Debug)]
pub struct PerformanceClock {
    /// Made only by [`PerformanceClock::new`], which checks that the scope has the clock.
    _checked: (),
}

impl PerformanceClock {
    /// The page's clock; `None` where there is no `window.performance` (e.g. a worker without
    /// a window).
    pub fn new() -> Option<PerformanceClock> {
        web_sys::window()?.performance()?;
        Some(PerformanceClock { _checked: () })
    }
}

impl Clock for PerformanceClock {
    #[inline]
    fn now_ns(&self) -> u64 {
        (global_performance_now() * 1e6) as u64
    }
}
