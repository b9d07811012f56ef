//! # One stacked bar
//!
//! The per-phase breakdown is one bar cut into segments, each as wide as its phase's share of
//! the total. A phase's own cost is a difference of two medians and can come out at or below
//! zero (lost in the noise); such a phase gets no width rather than eating into its
//! neighbours'.

/// The segments of `values` stacked from `left` across `width`: (x, width) each, in order.
/// Negative values count as zero; when nothing is positive every segment is empty.
pub fn stack(values: &[f64], left: f64, width: f64) -> Vec<(f64, f64)> {
    let total: f64 = values.iter().map(|v| v.max(0.0)).sum();
    let mut x = left;
    values
        .iter()
        .map(|v| {
            let w = if total > 0.0 {
                v.max(0.0) / total * width
            } else {
                0.0
            };
            let segment = (x, w);
            x += w;
            segment
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn segments_follow_each_other_and_share_the_width_by_value() {
        assert_eq!(
            stack(&[1.0, 3.0], 10.0, 100.0),
            [(10.0, 25.0), (35.0, 75.0)]
        );
    }

    #[test]
    fn a_phase_at_or_below_zero_gets_no_width_and_all_zero_gives_empty_segments() {
        assert_eq!(
            stack(&[2.0, -5.0, 2.0], 0.0, 10.0),
            [(0.0, 5.0), (5.0, 0.0), (5.0, 5.0)]
        );
        assert_eq!(stack(&[0.0, -1.0], 3.0, 10.0), [(3.0, 0.0), (3.0, 0.0)]);
    }
}
