//! # The inspection let go at the budget, taken apart a slice a frame
//!
//! At its budget the page's live view starts afresh ([`super::LiveView::let_go_if_full`]),
//! and the inspection it held (2 M events) was dropped in the frame that let it go: its
//! spans' child lists and its lints are allocations of their own, millions of them, and
//! freeing them all took that frame to 100–133 ms in a 60 s stream at 100 000 events a
//! second (docs/live-page.md), over the page's 100 ms goal. Retired instead, the view frees
//! it [`RETIRE_SLICE`] items a frame, about a second for a full page, while new events
//! keep coming.

use crate::analysis::Inspection;

/// Items (lints, spans, events' links) freed per frame.
pub const RETIRE_SLICE: usize = 50_000;

/// Frees up to `items` of `ins`'s many small allocations, the last ones first; `true` while
/// some remain (what is left once they are gone, a few large vectors, is freed in one go).
pub(super) fn take_apart(ins: &mut Inspection, items: usize) -> bool {
    let mut left = items;
    left -= ins.lints.shed(left);
    left -= ins.cut_by_cap.shed(left);
    let spans = &mut ins.spans.spans;
    let n = spans.len().min(left);
    spans.truncate(spans.len() - n);
    left -= n;
    left == 0
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::analysis::crafted::pipeline_events;
    use crate::model::EventLog;

    #[test]
    fn an_inspection_is_taken_apart_in_slices_until_nothing_small_is_left() {
        let mut ins = Inspection::of_trace(EventLog::new(pipeline_events(50)), &[]);
        let (spans, lints) = (ins.spans.spans.len(), ins.lints.len());
        assert!(spans > 100);
        let mut slices = 0;
        while take_apart(&mut ins, 40) {
            slices += 1;
            assert!(slices < 1_000, "it ends");
        }
        assert!(ins.spans.spans.is_empty() && ins.lints.is_empty());
        assert_eq!(slices, (spans + lints) / 40, "40 items a slice");
    }
}
