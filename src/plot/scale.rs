//! # Scales for the cost charts
//!
//! Costs span orders of magnitude: a bare nested call costs nanoseconds, lineage's events
//! tens to hundreds of nanoseconds, the Python original 134 µs per operation and its
//! analysis's guesses milliseconds. One chart showing all of them needs a logarithmic axis;
//! [`LogScale`] maps values to fractions of the width and gives decade ticks.

use crate::text::duration::duration;

/// A base-10 logarithmic axis over whole decades.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LogScale {
    /// log10 of the left edge.
    pub lo: f64,
    /// log10 of the right edge.
    pub hi: f64,
}

impl LogScale {
    /// The smallest whole-decade range holding every positive finite value (at least one
    /// decade wide). Non-positive values are ignored (they cannot be drawn on a log axis).
    pub fn covering(values: impl IntoIterator<Item = f64>) -> LogScale {
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for v in values.into_iter().filter(|v| v.is_finite() && *v > 0.0) {
            lo = lo.min(v.log10());
            hi = hi.max(v.log10());
        }
        if !lo.is_finite() {
            return LogScale { lo: 0.0, hi: 1.0 };
        }
        let (lo, hi) = (lo.floor(), hi.ceil());
        LogScale {
            lo,
            hi: if hi > lo { hi } else { lo + 1.0 },
        }
    }

    /// Where `v` falls, 0 at the left edge, 1 at the right; values ≤ 0 clamp to the edge.
    pub fn fraction(&self, v: f64) -> f64 {
        if v.is_nan() || v <= 0.0 {
            return 0.0;
        }
        ((v.log10() - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0)
    }

    /// One tick per decade: (fraction, label such as "100 ns" or "1.00 ms").
    pub fn ticks(&self) -> Vec<(f64, String)> {
        let mut out = Vec::new();
        let mut d = self.lo;
        while d <= self.hi + 1e-9 {
            let v = 10f64.powf(d);
            out.push((self.fraction(v), duration(v)));
            d += 1.0;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn the_scale_covers_every_value_in_whole_decades() {
        let s = LogScale::covering([3.0, 620.0, 134_000.0, -1.0, f64::NAN]);
        assert_eq!((s.lo, s.hi), (0.0, 6.0));
        assert_eq!(s.fraction(1000.0), 0.5);
        assert_eq!(s.fraction(0.0), 0.0);
        assert_eq!(s.ticks().len(), 7);
        assert_eq!(s.ticks()[3].1, "1 µs");
    }

    #[test]
    fn a_single_value_still_gets_a_decade() {
        let s = LogScale::covering([50.0]);
        assert_eq!((s.lo, s.hi), (1.0, 2.0));
    }
}
