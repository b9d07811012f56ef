//! # The browser entry point
//!
//! [`run_comparison`] runs a [`Session`] on the page's main thread with `performance.now()` as
//! the clock, one batch per step, and yields to the browser between steps
//! (`gloo_timers::future::TimeoutFuture`), so the page keeps painting and answering clicks
//! while it measures. Each step is one batch (about [`MeasureConfig::min_batch_ms`], longer
//! on a coarse clock), so the page is never blocked for longer than that.
//!
//! `performance.now()` ticks in 100 µs steps on a normal page and in 5 µs steps when the page
//! is cross-origin isolated; the session observes the tick and lengthens batches to at least
//! 200 ticks. The observed tick is in the result ([`Comparison::timer_resolution_ns`]) so the
//! UI can show it.

use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;

use super::comparison::Comparison;
use super::config::MeasureConfig;
use super::performance_clock::PerformanceClock;
use super::plan::Plan;
use super::session::{MeasureProgress, Session};
use crate::core::Clock;

/// Measures the subjects of `plan` in interleaved rounds, calling `on_progress` after every
/// batch and yielding to the browser between batches. The buses stamp their events with
/// `performance.now()` too, so the figures are what emission costs in the inspector.
///
/// Panics if the page has no `window.performance`.
pub async fn run_comparison(
    config: MeasureConfig,
    plan: Plan,
    mut on_progress: impl FnMut(&MeasureProgress),
) -> Comparison {
    let clock: Rc<dyn Clock> =
        Rc::new(PerformanceClock::new().expect("window.performance is needed to measure"));
    let subjects = plan
        .subjects()
        .iter()
        .map(|s| s.build_with_clock(&config.bench, Some(clock.clone())))
        .collect();
    let mut session = Session::new(config, clock, subjects);
    // Let the page paint whatever started the run before the first batch.
    TimeoutFuture::new(0).await;
    while let Some(progress) = session.step() {
        on_progress(&progress);
        TimeoutFuture::new(0).await;
    }
    session.finish()
}
