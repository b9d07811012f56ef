//! # Settings in a URL
//!
//! The inspector keeps its pipeline settings in the page's query string, so a link reproduces
//! a view. Unknown keys are ignored and invalid values fall back to the defaults (a shared
//! link with a typo still opens), and numbers are clamped to the form's bounds
//! ([`super::limits`], the one table of them). The rest of the page's address (search text,
//! run, pin) is [`PageUrl`](crate::view::page_url::PageUrl)'s, which reads the settings
//! through here.

use super::config::{PipelineConfig, SubscriberKinds};
use super::limits::{self, Bounds};
use crate::core::EmitMode;

/// The `key=value` segments of a query string, with or without its leading `?`.
pub fn segments(query: &str) -> impl Iterator<Item = &str> {
    query.trim_start_matches('?').split('&')
}

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
            self.mode.spec(),
            self.history,
        )
    }

    /// Reads settings from a query string (with or without the leading `?`), starting from
    /// `base` for anything absent or invalid.
    pub fn from_query(query: &str, base: PipelineConfig) -> PipelineConfig {
        let mut c = base;
        for pair in segments(query) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "ops" => set(&mut c.operations, v, limits::OPERATIONS),
                "history" => set(&mut c.history, v, limits::HISTORY),
                "conc" => set(&mut c.concurrency, v, limits::CONCURRENCY),
                "depth" => set(&mut c.depth, v, limits::DEPTH),
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
                "work" => set(&mut c.work_per_level, v, limits::WORK_PER_LEVEL),
                "yields" => set(&mut c.yields_per_level, v, limits::YIELDS_PER_LEVEL),
                "subs" => set(&mut c.subscribers.count, v, limits::SUBSCRIBERS),
                "subkinds" => {
                    if let Some(k) = SubscriberKinds::parse(v) {
                        c.subscribers.kinds = k;
                    }
                }
                "async" => c.subscribers.asynchronous = v == "1" || v == "true",
                "cost" => set(&mut c.subscribers.handler_cost, v, limits::HANDLER_COST),
                "mode" => {
                    if let Some(m) = EmitMode::parse(v) {
                        c.mode = m;
                    }
                }
                _ => {}
            }
        }
        // Sync handlers cost less at most, whatever order the keys came in.
        let cost = c.subscribers.handler_cost as f64;
        c.subscribers.handler_cost =
            limits::cost_when_switching(c.subscribers.asynchronous, cost).value as u32;
        c
    }
}

/// Sets a whole-number setting from a query value, clamped to `bounds`; a value that is not
/// a number of the setting's type leaves it as it was.
fn set<T: std::str::FromStr + TryInto<u64> + TryFrom<u64>>(slot: &mut T, v: &str, bounds: Bounds) {
    let Some(n) = v.parse::<T>().ok().and_then(|n| n.try_into().ok()) else {
        return;
    };
    if let Ok(n) = T::try_from(n.clamp(bounds.min as u64, bounds.max as u64)) {
        *slot = n;
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
        assert_eq!(c.concurrency as f64, limits::CONCURRENCY.max);
        assert_eq!(c.mode, EmitMode::Awaited);
        assert_eq!(c.failure_rate, 1.0);
    }
}
