//! # The tree's scrolled window
//!
//! The tree is virtualised: only the rows inside the scrolled viewport, plus [`OVERSCAN`]
//! rows above and below so a fast scroll does not show blank space before the next render,
//! are in the DOM, each placed at `index × ROW_HEIGHT`. [`Viewport`] turns the scroll
//! position and height into that range of rows, and says how far to scroll so a selected row
//! (reached by keyboard, a lint or a diff line) comes into view, moving as little as it can.

use std::ops::Range;

/// Height of one row in CSS pixels (must match `.row` in style/main.css).
pub const ROW_HEIGHT: f64 = 24.0;

/// Rows rendered above and below the viewport.
pub const OVERSCAN: usize = 8;

/// Where row `index` starts, in CSS pixels from the top of the list.
pub fn row_top(index: usize) -> f64 {
    index as f64 * ROW_HEIGHT
}

/// The scrolled part of the list, in CSS pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Viewport {
    pub scroll_top: f64,
    pub height: f64,
}

impl Viewport {
    /// The rows to render: those in view and the overscan around them (the caller stops at
    /// the last row).
    pub fn rows(&self) -> Range<usize> {
        let first = ((self.scroll_top / ROW_HEIGHT) as usize).saturating_sub(OVERSCAN);
        let count = (self.height / ROW_HEIGHT).ceil() as usize + 2 * OVERSCAN;
        first..first + count
    }

    /// The scroll position that shows row `index` whole, moving as little as possible;
    /// `None` when it is in view already.
    pub fn scroll_to_show(&self, index: usize) -> Option<f64> {
        let top = row_top(index);
        if top < self.scroll_top {
            Some(top)
        } else if top + ROW_HEIGHT > self.scroll_top + self.height {
            Some(top + ROW_HEIGHT - self.height)
        } else {
            None
        }
    }
}

/// Where a pointer at `x` falls across the waterfall, the right half of a row spanning
/// `left..left + width`, as a fraction clamped to 0..1: the point a wheel zoom keeps still.
pub fn waterfall_fraction(x: f64, left: f64, width: f64) -> f64 {
    let half = width * 0.5;
    ((x - (left + half)) / half).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn the_rows_in_view_come_with_an_overscan_above_and_below() {
        let at_top = Viewport {
            scroll_top: 0.0,
            height: 240.0,
        };
        assert_eq!(at_top.rows(), 0..10 + 2 * OVERSCAN);
        let scrolled = Viewport {
            scroll_top: 100.0 * ROW_HEIGHT + 5.0,
            height: 250.0,
        };
        assert_eq!(
            scrolled.rows(),
            100 - OVERSCAN..100 - OVERSCAN + 11 + 2 * OVERSCAN
        );
    }

    #[test]
    fn a_row_above_scrolls_to_its_top_a_row_below_to_its_bottom_and_a_row_in_view_stays() {
        let v = Viewport {
            scroll_top: 10.0 * ROW_HEIGHT,
            height: 5.0 * ROW_HEIGHT,
        };
        assert_eq!(v.scroll_to_show(4), Some(row_top(4)));
        assert_eq!(v.scroll_to_show(20), Some(row_top(21) - v.height));
        assert_eq!(v.scroll_to_show(10), None);
        assert_eq!(v.scroll_to_show(14), None);
        assert_eq!(v.scroll_to_show(15), Some(row_top(16) - v.height));
    }

    #[test]
    fn the_zoom_point_is_measured_across_the_waterfall_half_only() {
        assert_eq!(waterfall_fraction(250.0, 100.0, 200.0), 0.5);
        assert_eq!(
            waterfall_fraction(120.0, 100.0, 200.0),
            0.0,
            "over the labels"
        );
        assert_eq!(waterfall_fraction(400.0, 100.0, 200.0), 1.0);
    }
}
