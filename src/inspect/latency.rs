//! # How long operations of one name take
//!
//! People look at a distribution rather than read it: a [`Histogram`] of the durations of
//! every finished span with a given name, in logarithmic bins (durations spread over orders
//! of magnitude: a cached call and a slow one differ by 100×).

use super::spans::Spans;
use super::trace::Trace;

/// Durations of same-named spans in log-spaced bins.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Histogram {
    /// Bin edges (ns), one more than the bins.
    pub edges: Vec<f64>,
    pub counts: Vec<u32>,
    /// Finished spans counted.
    pub n: usize,
    pub min_ns: u64,
    pub max_ns: u64,
}

impl Histogram {
    /// The durations of finished spans named `name` (their label), in `bins` bins.
    pub fn of_name(trace: &Trace, spans: &Spans, name: &str, bins: usize) -> Histogram {
        let durations: Vec<u64> = spans
            .spans
            .iter()
            .filter(|s| trace.label(s.start) == name)
            .filter_map(|s| {
                s.end.map(|e| {
                    trace
                        .timestamp_ns(e)
                        .saturating_sub(trace.timestamp_ns(s.start))
                })
            })
            .collect();
        Histogram::of(&durations, bins)
    }

    /// Bins `durations` (ns) between their minimum and maximum on a log scale.
    pub fn of(durations: &[u64], bins: usize) -> Histogram {
        let bins = bins.max(1);
        let (Some(&min), Some(&max)) = (durations.iter().min(), durations.iter().max()) else {
            return Histogram::default();
        };
        let (lo, hi) = ((min.max(1) as f64).ln(), (max.max(1) as f64).ln());
        let step = ((hi - lo) / bins as f64).max(1e-9);
        let edges = (0..=bins).map(|i| (lo + step * i as f64).exp()).collect();
        let mut counts = vec![0u32; bins];
        for &d in durations {
            let k = (((d.max(1) as f64).ln() - lo) / step) as usize;
            counts[k.min(bins - 1)] += 1;
        }
        Histogram {
            edges,
            counts,
            n: durations.len(),
            min_ns: min,
            max_ns: max,
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn durations_fall_into_log_bins_and_every_one_is_counted() {
        let h = Histogram::of(&[10, 10, 100, 1_000], 3);
        assert_eq!(h.counts, vec![2, 1, 1]);
        assert_eq!((h.n, h.min_ns, h.max_ns), (4, 10, 1_000));
        assert!((h.edges[0] - 10.0).abs() < 1e-6 && (h.edges[3] - 1_000.0).abs() < 1e-6);
        assert_eq!(Histogram::of(&[], 5), Histogram::default());
        assert_eq!(Histogram::of(&[7, 7], 4).counts.iter().sum::<u32>(), 2);
    }
}
