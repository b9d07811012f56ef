//! # The spread of a figure over rounds
//!
//! A benchmark figure is a distribution, not a number: one round can land on a page fault or
//! a context switch. Every figure is therefore reported as the median of its rounds with the
//! interquartile range (the middle half) and the full min–max, so a reader sees at once
//! whether two figures differ by more than their noise.

use serde::{Deserialize, Serialize};

/// Median, quartiles and extremes of a set of samples.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    pub median: f64,
    /// First quartile (25th percentile).
    pub q1: f64,
    /// Third quartile (75th percentile).
    pub q3: f64,
    pub min: f64,
    pub max: f64,
    /// How many samples.
    pub n: usize,
}

impl Spread {
    /// Summarises `samples` (any order). Non-finite samples are ignored; no samples give all
    /// zeros with `n == 0`.
    ///
    /// Quantiles interpolate linearly between the two nearest ranks (the method spreadsheets
    /// and NumPy use by default), so the median of an even count is the mean of the middle two.
    ///
    /// ```
    /// use lineage::measure::Spread;
    /// let s = Spread::of(&[4.0, 1.0, 3.0, 2.0, 5.0]);
    /// assert_eq!((s.median, s.q1, s.q3, s.min, s.max), (3.0, 2.0, 4.0, 1.0, 5.0));
    /// ```
    pub fn of(samples: &[f64]) -> Spread {
        let mut sorted: Vec<f64> = samples.iter().copied().filter(|x| x.is_finite()).collect();
        if sorted.is_empty() {
            return Spread::default();
        }
        sorted.sort_by(f64::total_cmp);
        Spread {
            median: quantile(&sorted, 0.5),
            q1: quantile(&sorted, 0.25),
            q3: quantile(&sorted, 0.75),
            min: sorted[0],
            max: sorted[sorted.len() - 1],
            n: sorted.len(),
        }
    }

    /// The interquartile range: the width of the middle half.
    pub fn iqr(&self) -> f64 {
        self.q3 - self.q1
    }

    /// Every figure scaled by `factor` (e.g. per operation → per event).
    pub fn scaled(&self, factor: f64) -> Spread {
        let (a, b) = (self.min * factor, self.max * factor);
        let (q1, q3) = (self.q1 * factor, self.q3 * factor);
        Spread {
            median: self.median * factor,
            q1: q1.min(q3),
            q3: q1.max(q3),
            min: a.min(b),
            max: a.max(b),
            n: self.n,
        }
    }
}

/// The `p` quantile of sorted, non-empty data, by linear interpolation between ranks.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let rank = p * (sorted.len() - 1) as f64;
    let lo = rank.floor() as usize;
    let hi = rank.ceil() as usize;
    let frac = rank - lo as f64;
    sorted[lo] + (sorted[hi] - sorted[lo]) * frac
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn odd_count_median_is_the_middle_sample() {
        let s = Spread::of(&[9.0, 1.0, 5.0]);
        assert_eq!(s.median, 5.0);
        assert_eq!((s.min, s.max, s.n), (1.0, 9.0, 3));
    }

    #[test]
    fn even_count_median_is_the_mean_of_the_middle_two() {
        let s = Spread::of(&[1.0, 2.0, 3.0, 10.0]);
        assert_eq!(s.median, 2.5);
    }

    #[test]
    fn quartiles_interpolate_between_ranks() {
        // Ranks 0..=8 of 1..=9: q1 at rank 2 (3.0), q3 at rank 6 (7.0).
        let s = Spread::of(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
        assert_eq!((s.q1, s.median, s.q3), (3.0, 5.0, 7.0));
        assert_eq!(s.iqr(), 4.0);
        // 1..=4: q1 at rank 0.75 → 1.75, q3 at rank 2.25 → 3.25.
        let s = Spread::of(&[4.0, 3.0, 2.0, 1.0]);
        assert_eq!((s.q1, s.q3), (1.75, 3.25));
    }

    #[test]
    fn one_outlier_moves_the_max_but_not_the_median() {
        let calm = Spread::of(&[10.0, 11.0, 10.0, 12.0, 11.0]);
        let spiky = Spread::of(&[10.0, 11.0, 10.0, 12.0, 1_000.0]);
        assert_eq!(calm.median, spiky.median);
        assert_eq!(spiky.max, 1_000.0);
    }

    #[test]
    fn non_finite_samples_are_ignored_and_empty_input_is_all_zero() {
        let s = Spread::of(&[f64::NAN, 2.0, f64::INFINITY]);
        assert_eq!((s.median, s.n), (2.0, 1));
        assert_eq!(Spread::of(&[]), Spread::default());
    }

    #[test]
    fn scaling_by_a_negative_factor_keeps_the_order() {
        let s = Spread::of(&[1.0, 2.0, 3.0]).scaled(-2.0);
        assert!(s.min <= s.q1 && s.q1 <= s.median && s.median <= s.q3 && s.q3 <= s.max);
    }
}
