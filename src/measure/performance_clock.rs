//! # `performance.now()` as a bus clock
//!
//! The one clock the page gives the bus and the measurements alike, so a replay's timings
//! and the compare tab's figures come from the same source. Its resolution depends on the
//! page: 100 µs steps normally, 5 µs when the page is cross-origin isolated (see
//! Trunk.toml's headers); the measurement session observes the tick and lengthens its
//! batches to match.
//!
//! ## Why the clock keeps the `Performance` object
//! The bus reads its clock once per event (six times an operation of the pipeline), so in
//! the page this read is on the hot path. It used to be bound as the global
//! `performance.now` (`js_namespace = performance`), which reads well but costs twice:
//! wasm-bindgen calls it through a JS shim, `() => performance.now()`, and on a page
//! `performance` is not a plain variable but an accessor of `window`, so every read was two
//! calls into the browser, the getter and `now`. Fetched once and kept, the object goes to
//! the shim as an argument and only `now` is called: 84–86 ns a read against 157–175 ns,
//! and the awaited bus 1.63–1.70 µs an operation against 2.56–2.66 µs, in headless Chromium
//! at load 5.7–6.9 (docs/page-open.md, "The bus's clock read"). Importing
//! `performance.now.bind(performance)` straight into the module (an inline JS snippet, no
//! shim at all) measured no better, so the plain `web_sys` binding is kept: no snippet file
//! to serve beside the page.

use crate::core::Clock;

/// `performance.now()` (ms, fractional) read as nanoseconds since the page's time origin.
#[derive(Clone, Debug)]
pub struct PerformanceClock {
    /// The scope's `performance`, fetched once (see the module docs).
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
