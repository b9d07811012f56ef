//! # A horizontal bar chart on a log axis, with reference bands
//!
//! The Compare tab's chart: one row per subject (a bar to the median, whiskers for the
//! spread), a decade grid above, and reference lines or bands drawn through every row with
//! their labels stacked below the rows. [`BarChart`] places all of it in SVG user units, so
//! the page draws it at any size and the layout is tested here. Labels of bands in the right
//! part of the chart run leftwards from their line, so they stay inside the chart.

use super::LogScale;

/// The chart's width, in SVG user units (the page scales it).
pub const WIDTH: f64 = 760.0;
/// Room left of the plot for the row labels.
pub const LEFT: f64 = 190.0;
/// Room right of the plot for the value printed after the longest whisker.
pub const RIGHT: f64 = 44.0;
/// Height of one row.
pub const ROW: f64 = 26.0;
/// Room above the rows for the tick labels.
pub const TOP: f64 = 20.0;
/// Height of one band label line below the rows.
pub const BAND_LINE: f64 = 16.0;
/// Gap between the last row and the first band label's baseline.
const BELOW_ROWS: f64 = 20.0;
/// Room under the last band label.
const BOTTOM: f64 = 6.0;

/// A chart of `rows` bars and `bands` references over `scale`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BarChart {
    pub scale: LogScale,
    pub rows: usize,
    pub bands: usize,
}

impl BarChart {
    /// A chart wide enough for every bar's `(min, max)` and every band's top, with room
    /// right of the highest band for its label. A bar's minimum counts from 1 (a log axis
    /// has no zero).
    pub fn fitting(bars: &[(f64, f64)], band_tops: &[f64]) -> BarChart {
        let scale = LogScale::covering(
            bars.iter()
                .flat_map(|&(min, max)| [min.max(1.0), max])
                .chain(band_tops.iter().map(|top| top * 1.5)),
        );
        BarChart {
            scale,
            rows: bars.len(),
            bands: band_tops.len(),
        }
    }

    /// The plot's width, between the labels and the right margin.
    pub fn plot_width(&self) -> f64 {
        WIDTH - LEFT - RIGHT
    }

    /// Where value `v` (ns) falls across the chart.
    pub fn x(&self, v: f64) -> f64 {
        self.x_of_fraction(self.scale.fraction(v))
    }

    /// Where a fraction of the plot's width falls across the chart (the scale's ticks).
    pub fn x_of_fraction(&self, f: f64) -> f64 {
        LEFT + f * self.plot_width()
    }

    /// The top of row `i`.
    pub fn row_top(&self, i: usize) -> f64 {
        TOP + ROW * i as f64
    }

    /// The middle of row `i`, where its whiskers run.
    pub fn row_mid(&self, i: usize) -> f64 {
        self.row_top(i) + ROW / 2.0
    }

    /// The bottom of the last row: where the grid and the bands end.
    pub fn rows_bottom(&self) -> f64 {
        self.row_top(self.rows)
    }

    /// The baseline of band `i`'s label, below the rows.
    pub fn band_label_y(&self, i: usize) -> f64 {
        self.rows_bottom() + BELOW_ROWS + BAND_LINE * i as f64
    }

    /// Whether a label at `x` runs leftwards (it would leave the chart otherwise).
    pub fn label_runs_left(&self, x: f64) -> bool {
        x > WIDTH * 0.55
    }

    /// The whole chart's height.
    pub fn height(&self) -> f64 {
        self.rows_bottom() + BELOW_ROWS + BOTTOM + BAND_LINE * self.bands as f64
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn the_scale_covers_every_bar_and_leaves_room_right_of_the_highest_band() {
        let chart = BarChart::fitting(&[(0.0, 50.0), (200.0, 900.0)], &[134_000.0, 700_000.0]);
        assert_eq!(
            (chart.scale.lo, chart.scale.hi),
            (0.0, 7.0),
            "1 ns to 10 ms"
        );
        assert_eq!((chart.rows, chart.bands), (2, 2));
        assert_eq!(chart.x(1.0), LEFT);
        assert_eq!(chart.x(1e7), WIDTH - RIGHT);
    }

    #[test]
    fn rows_stack_from_the_top_and_band_labels_stack_below_them() {
        let chart = BarChart::fitting(&[(1.0, 10.0); 5], &[100.0; 4]);
        assert_eq!(chart.row_top(0), TOP);
        assert_eq!(chart.row_mid(1), TOP + ROW * 1.5);
        assert_eq!(chart.rows_bottom(), TOP + 5.0 * ROW);
        assert_eq!(chart.band_label_y(0), chart.rows_bottom() + 20.0);
        assert_eq!(chart.band_label_y(3) - chart.band_label_y(2), BAND_LINE);
        assert!(chart.height() > chart.band_label_y(3));
        assert_eq!(chart.height(), 20.0 + 26.0 * 5.0 + 26.0 + 16.0 * 4.0);
    }

    #[test]
    fn labels_right_of_the_middle_run_leftwards() {
        let chart = BarChart::fitting(&[], &[]);
        assert!(!chart.label_runs_left(LEFT));
        assert!(chart.label_runs_left(WIDTH - RIGHT));
    }
}
