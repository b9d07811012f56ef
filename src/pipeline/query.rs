//! # Settings in a URL
//!
//! The inspector keeps its pipeline settings in the page's query string, so a link reproduces
//! a view. Unknown keys are ignored and invalid values fall back to the defaults (a shared
//! link with a typo still opens), and numbers are clamped to what the UI allows.

use super::config::{PipelineConfig, SubscriberKinds};
use super::limits;
use crate::core::EmitMode;

/// Upper bounds the UI enforces (from [`super::limits`]).
pub const MAX_OPERATIONS: usize = limits::OPERATIONS.max as usize;
pub const MAX_CONCURRENCY: usize = limits::CONCURRENCY.max as usize;
pub const MAX_DEPTH: usize = limits::DEPTH.max as usize;

impl PipelineConfig {
    /// `ops=50&conc=4&depth=3&fail=10&seed=42&work=20000&yields=1&subs=0&subkinds=all&async=0&cost=0&mode=awaited`
    pub fn to_query(&self) -> String {
        format!(
            "ops={}&conc={}&depth={}&fail={}&seed={}&work={}&yields={}&subs={}&subkinds={}&async={}&cost={}&mode={}&history={}",
            self.operations,
            self.concurrency,
            self.depth,
            (self.failure_rate * 100.0 * 1000.0).round() / 1000.0,
            self.seed,
            self.work_per_level,
            self.yields_per_level,
            self.subscribers.count,
            self.subscribers.kinds.as_str(),
            u8::from(self.subscribers.asynchronous),
            self.subscribers.handler_cost,
            self.mode.as_str(),
            self.history,
        )
    }

    /// Reads settings from a query string (with or without the leading `?`), starting from
    /// `base` for anything absent or invalid.
    pub fn from_query(query: &str, base: PipelineConfig) -> PipelineConfig {
        let mut c = base;
        for pair in query.trim_start_matches('?').split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "ops" => set(&mut c.operations, v, 1, MAX_OPERATIONS),
                "history" => set(
                    &mut c.history,
                    v,
                    limits::HISTORY.min as usize,
                    limits::HISTORY.max as usize,
                ),
                "conc" => set(&mut c.concurrency, v, 1, MAX_CONCURRENCY),
                "depth" => set(&mut c.depth, v, 1, MAX_DEPTH),
                "fail" => {
                    if let Ok(p) = v.parse::<f64>() {
                        if p.is_finite() {
                            c.failure_rate = (p / 100.0).clamp(0.0, 1.0);
                        }
                    }
                }
                "seed" => {
                    if let Ok(s) = v.parse() {
                        c.seed = s;
                    }
                }
                "work" => set(
                    &mut c.work_per_level,
                    v,
                    0,
                    limits::WORK_PER_LEVEL.max as u32,
                ),
                "yields" => set(
                    &mut c.yields_per_level,
                    v,
                    0,
                    limits::YIELDS_PER_LEVEL.max as u32,
                ),
                "subs" => set(
                    &mut c.subscribers.count,
                    v,
                    0,
                    limits::SUBSCRIBERS.max as usize,
                ),
                "subkinds" => {
                    if let Some(k) = SubscriberKinds::parse(v) {
                        c.subscribers.kinds = k;
                    }
                }
                "async" => c.subscribers.asynchronous = v == "1" || v == "true",
                "cost" => set(
                    &mut c.subscribers.handler_cost,
                    v,
                    0,
                    limits::HANDLER_COST.max as u32,
                ),
                "mode" => {
                    if let Some(m) = EmitMode::parse(v) {
                        c.mode = m;
                    }
                }
                _ => {}
            }
        }
        // Sync handlers cost less at most, whatever order the keys came in.
        let max = limits::handler_cost(c.subscribers.asynchronous).max as u32;
        c.subscribers.handler_cost = c.subscribers.handler_cost.min(max);
        c
    }
}

fn set<T: std::str::FromStr + PartialOrd + Copy>(slot: &mut T, v: &str, lo: T, hi: T) {
    if let Ok(n) = v.parse::<T>() {
        *slot = if n < lo {
            lo
        } else if n > hi {
            hi
        } else {
            n
        };
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn settings_survive_a_round_trip_through_the_query_string() {
        let mut c = PipelineConfig {
            operations: 500,
            concurrency: 8,
            failure_rate: 0.125,
            mode: EmitMode::FireAndForget,
            ..PipelineConfig::default()
        };
        c.subscribers.count = 3;
        c.subscribers.kinds = SubscriberKinds::Ends;
        c.subscribers.asynchronous = true;
        let back = PipelineConfig::from_query(&c.to_query(), PipelineConfig::default());
        assert_eq!(back, c);
    }

    #[test]
    fn bad_values_fall_back_and_big_ones_are_clamped() {
        let c = PipelineConfig::from_query(
            "?ops=abc&conc=999999&mode=warp&fail=250&bogus=1",
            PipelineConfig::default(),
        );
        assert_eq!(c.operations, PipelineConfig::default().operations);
        assert_eq!(c.concurrency, MAX_CONCURRENCY);
        assert_eq!(c.mode, EmitMode::Awaited);
        assert_eq!(c.failure_rate, 1.0);
    }
}
